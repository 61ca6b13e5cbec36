# Where JSON text breaks the rules (RFC 8259), and what to fix, in twinnet's own
# words (python/twinnet/jsontext.py). parse_json() asks only after the parser has
# refused the text (or read a comment, a \v, a \f or a number too large for a
# double, which yajl allows), so valid text costs nothing. Python scans token by
# token; here the tokens come from one regular expression over the bytes, and
# the rules are checked for all tokens at once: each token is checked against
# the token before it and the array or object it stands in, and the first one
# that breaks a rule is the error (every token before it is right, so what was
# computed for it is right too). The same error, line, column and words as in
# Python.

# The words of every error the scan reports (jsontext.py's MESSAGES): messages.json's json_syntax.
json_messages <- function() cached("json_messages", function() unlist(shared_table("messages.json")$json_syntax))

# The valid part of a string's body, from just after its opening quote.
JSON_STRING_BODY_RE <- '[^"\\\\\\x00-\\x1f]*+(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*+)*+'

# One token (group 1) and the whitespace after it; whitespace before the first
# token is skipped. The alternatives, tried in order, as jsontext.py's TOKEN_RE:
# a valid string; punctuation; the literals (taken as prefixes, as Python's json
# takes them); a number (the longest prefix that is a JSON number); what starts
# like a number but is none; a word; any other byte (a lone '"' is a string that
# is not closed or is broken).
JSON_TOKEN_RE <- paste0("(", paste(c(
  paste0('"', JSON_STRING_BODY_RE, '"'),
  "[{}\\[\\]:,]",
  "true|false|null|NaN|Infinity|-Infinity",
  "-?(?:0|[1-9][0-9]*+)(?:\\.[0-9]++)?(?:[eE][+-]?[0-9]++)?",
  "[-+.][-+.0-9A-Za-z_]*+",
  "[A-Za-z_][A-Za-z0-9_]*+",
  "[^ \\t\\n\\r]"
), collapse = "|"), ")[ \\t\\n\\r]*+")

# Token kinds (0: before the first token) and the states of the scan: what may come next.
JSON_TOKEN <- c(start = 0L, open_object = 1L, open_array = 2L, close_object = 3L, close_array = 4L,
                colon = 5L, comma = 6L, string = 7L, badstring = 8L, literal = 9L, number = 10L, badnumber = 11L,
                constant = 12L, word = 13L, caseword = 14L, comment = 15L, squote = 16L, curly = 17L, ctrl = 18L,
                uspace = 19L, other = 20L, eof = 21L)
JSON_STATE <- c(value = 1L, value_or_close = 2L, key = 3L, key_or_close = 4L, colon = 5L, element = 6L,
                member = 7L, end = 8L)
JSON_VALUE_START <- JSON_TOKEN[c("open_object", "open_array", "string", "badstring", "literal", "number",
                                 "badnumber", "constant", "word", "caseword")]
# Tokens that are wrong wherever they stand, with their own words.
JSON_OWN <- c(comment = "comment", squote = "single_quote", curly = "curly_quote", ctrl = "control",
              uspace = "space")
JSON_STATE_WORDS <- c("value", "value", "key", "key", "colon", "element", "member", "after_end")
# Python's and R's words for the literals, with their own words ("JSON writes true, not True").
JSON_LITERAL_WORDS <- c("True" = "python_true", "False" = "python_false", "None" = "python_none",
                        "TRUE" = "r_true", "FALSE" = "r_false", "NULL" = "r_null", "NA" = "r_na")
# Tokens that, standing where a ',' should, show that one is missing (a value or, in an object, a key).
JSON_COMMA_ELEMENT <- JSON_TOKEN[c("open_object", "open_array", "string", "literal", "number")]
# Bytes that, right after a number, show that it is not written as JSON writes it (01, 1., 1e, 0x1F).
JSON_NUMBER_TAIL <- utf8ToInt("-+.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")

# The first error in JSON text: list(at, message), at the 0-based byte offset
# where json_position() finds the line and column (NA for NaN, Infinity,
# -Infinity and a number too large for a double, reported without a position, as
# Python's json meets them), or NULL for valid JSON.
json_syntax_error <- function(text) {
  tok <- as.list(JSON_TOKEN)
  st <- as.list(JSON_STATE)
  text <- enc2utf8(text)
  raw_bytes <- charToRaw(text)
  bytes <- as.integer(raw_bytes)
  n <- length(bytes)
  m <- gregexpr(JSON_TOKEN_RE, text, perl = TRUE, useBytes = TRUE)[[1L]]
  if (m[[1L]] > 0L) {
    starts <- as.integer(attr(m, "capture.start")[, 1L])
    lens <- as.integer(attr(m, "capture.length")[, 1L])
  } else {
    starts <- lens <- integer()
  }
  k <- length(starts)
  byte_at <- function(i) { # the bytes at 1-based positions i, -1 past the end
    b <- bytes[i]
    b[is.na(b)] <- -1L
    b
  }
  b1 <- byte_at(starts)
  b2 <- byte_at(starts + 1L)
  b3 <- byte_at(starts + 2L)
  ty <- json_token_kinds(text, starts, lens, b1, b2, b3)
  # the end of the text, after the last token: where an error at the end is shown
  ty <- c(ty, tok$eof)
  at <- c(starts - 1L, if (k > 0L) starts[[k]] + lens[[k]] - 1L else 0L)
  kk <- k + 1L

  # the array or object each token stands in: the last one opened at its depth
  opens <- ty == tok$open_object | ty == tok$open_array
  closes <- ty == tok$close_object | ty == tok$close_array
  depth <- c(0L, cumsum(opens - closes))[seq_len(kk)] # before the token
  container <- integer(kk)
  inside <- which(depth > 0L)
  if (length(inside) > 0L) {
    by_level <- split(inside, depth[inside])
    open_at <- which(opens)
    opened <- split(open_at, depth[open_at] + 1L)
    for (level in names(by_level)) {
      op <- opened[[level]]
      if (is.null(op)) next
      idx <- by_level[[level]]
      j <- findInterval(idx, op)
      container[idx[j > 0L]] <- ty[op[j[j > 0L]]]
    }
  }
  prev <- c(tok$start, ty[-kk])
  in_array <- container == tok$open_array
  key_place <- prev == tok$open_object | prev == tok$comma & !in_array
  prev_key <- c(FALSE, (ty == tok$string & key_place)[-kk])
  state <- ifelse(in_array, st$element, ifelse(container == tok$open_object, st$member, st$end))
  state[prev_key] <- st$colon
  after_comma <- prev == tok$comma
  state[after_comma] <- ifelse(in_array[after_comma], st$value, st$key)
  state[prev == tok$start | prev == tok$colon] <- st$value
  state[prev == tok$open_array] <- st$value_or_close
  state[prev == tok$open_object] <- st$key_or_close

  value_start <- ty %in% JSON_VALUE_START
  is_string <- ty == tok$string | ty == tok$badstring
  ok <- (state == st$value & value_start) |
    (state == st$value_or_close & (value_start | ty == tok$close_array)) |
    (state == st$key & is_string) |
    (state == st$key_or_close & (is_string | ty == tok$close_object)) |
    (state == st$colon & ty == tok$colon) |
    (state == st$element & (ty == tok$comma | ty == tok$close_array)) |
    (state == st$member & (ty == tok$comma | ty == tok$close_object)) |
    (state == st$end & ty == tok$eof)
  number_tail <- c(byte_at(starts + lens) %in% JSON_NUMBER_TAIL, FALSE)
  wrong <- ty %in% JSON_TOKEN[c("badstring", "badnumber", "constant", "word", "caseword")] |
    ty == tok$number & number_tail
  first <- match(TRUE, !ok | wrong)

  # a number too large for a double, where Python's json meets it: before the first other error
  large <- json_first_large_number(text, ty, starts, lens, if (is.na(first)) kk else first)
  if (!is.na(large) && (is.na(first) || large < first || ok[[first]])) {
    token <- substr_token(text, starts[[large]], lens[[large]])
    return(list(at = NA_integer_, message = sprintf("the number %s is too large for a 64-bit float",
                                                    cut_text(token, 20L))))
  }
  if (is.na(first)) return(NULL)

  kind <- ty[[first]]
  s <- state[[first]]
  here <- function(what) list(at = at[[first]], message = json_messages()[[what]])
  if (!ok[[first]]) {
    if (s == st$element && kind %in% JSON_COMMA_ELEMENT || s == st$member && kind == tok$string) {
      # where the token before ends: where the comma goes
      return(list(at = at[[first - 1L]] + lens[[first - 1L]],
                  message = json_messages()[[if (s == st$element) "comma_element" else "comma_member"]]))
    }
    own <- names(JSON_TOKEN)[kind + 1L]
    if (own %in% names(JSON_OWN)) return(here(JSON_OWN[[own]]))
    if (kind == tok$eof && s %in% JSON_STATE[c("element", "member")]) return(here("unclosed"))
    if (kind == tok$close_array && s == st$value && prev[[first]] == tok$comma) {
      return(here("trailing_array"))
    }
    if (kind == tok$close_object && s == st$key) return(here("trailing_object"))
    return(here(JSON_STATE_WORDS[[s]]))
  }
  if (kind == tok$badstring) return(json_string_error(raw_bytes, at[[first]]))
  if (kind == tok$constant) {
    return(list(at = NA_integer_, message = sprintf("%s is not JSON", substr_token(text, starts[[first]],
                                                                                    lens[[first]]))))
  }
  if (kind == tok$word) return(here("word"))
  if (kind == tok$caseword) {
    word <- substr_token(text, starts[[first]], lens[[first]])
    return(here(if (word %in% names(JSON_LITERAL_WORDS)) JSON_LITERAL_WORDS[[word]] else "literal_case"))
  }
  here("number") # a number followed by more of one, or what starts like a number and is none
}

# The kind (JSON_TOKEN) of each token, from its first bytes (b1, b2, b3) and, for the
# words, its text.
json_token_kinds <- function(text, starts, lens, b1, b2, b3) {
  tok <- as.list(JSON_TOKEN)
  ty <- rep(tok$other, length(starts))
  digit <- function(b) b >= 0x30L & b <= 0x39L
  ty[b1 == 0x22L] <- tok$string
  ty[b1 == 0x22L & lens == 1L] <- tok$badstring
  ty[b1 == 0x7BL] <- tok$open_object
  ty[b1 == 0x5BL] <- tok$open_array
  ty[b1 == 0x7DL] <- tok$close_object
  ty[b1 == 0x5DL] <- tok$close_array
  ty[b1 == 0x3AL] <- tok$colon
  ty[b1 == 0x2CL] <- tok$comma
  ty[digit(b1) | b1 == 0x2DL & digit(b2)] <- tok$number
  ty[b1 == 0x2DL & !digit(b2) | b1 == 0x2BL | b1 == 0x2EL] <- tok$badnumber
  words <- which(b1 >= 0x41L & b1 <= 0x5AL | b1 >= 0x61L & b1 <= 0x7AL | b1 == 0x5FL | b1 == 0x2DL & b2 == 0x49L)
  if (length(words) > 0L) {
    w <- substr_token(text, starts[words], lens[words])
    ty[words] <- ifelse(w %in% c("true", "false", "null"), tok$literal,
                        ifelse(w %in% c("NaN", "Infinity", "-Infinity"), tok$constant,
                               ifelse(startsWith(w, "-"), tok$badnumber,
                                      ifelse(tolower(w) %in% c("true", "false", "null", "none") | w == "NA",
                                             tok$caseword, tok$word))))
  }
  ty[b1 == 0x2FL & (b2 == 0x2FL | b2 == 0x2AL)] <- tok$comment
  ty[b1 == 0x27L] <- tok$squote
  ty[b1 >= 0L & b1 < 0x20L] <- tok$ctrl
  ty[b1 == 0xE2L & b2 == 0x80L & b3 %in% c(0x98L, 0x99L, 0x9CL, 0x9DL)] <- tok$curly
  # U+00A0, U+2000 to U+200A, U+202F, U+205F, U+3000 and U+FEFF
  ty[b1 == 0xC2L & b2 == 0xA0L | b1 == 0xE2L & b2 == 0x80L & (b3 >= 0x80L & b3 <= 0x8AL | b3 == 0xAFL) |
       b1 == 0xE2L & b2 == 0x81L & b3 == 0x9FL | b1 == 0xE3L & b2 == 0x80L & b3 == 0x80L |
       b1 == 0xEFL & b2 == 0xBBL & b3 == 0xBFL] <- tok$uspace
  ty
}

# The text of tokens given by 1-based byte position and length in bytes.
substr_token <- function(text, starts, lens) {
  Encoding(text) <- "bytes"
  out <- substring(text, starts, starts + lens - 1L)
  Encoding(out) <- "unknown" # ASCII: numbers and words
  out
}

# The error in the string whose opening quote is at 0-based byte offset at (its
# valid part is followed by neither a closing quote nor more of a string).
json_string_error <- function(raw_bytes, at) {
  n <- length(raw_bytes)
  rest <- if (at + 2L <= n) rawToChar(raw_bytes[(at + 2L):n]) else ""
  bad <- at + 1L + attr(regexpr(JSON_STRING_BODY_RE, rest, perl = TRUE, useBytes = TRUE), "match.length")
  c <- if (bad < n) as.integer(raw_bytes[[bad + 1L]]) else -1L
  if (c < 0L || c == 0x5CL && bad + 1L == n) return(list(at = at, message = json_messages()[["string_open"]]))
  if (c == 0x5CL) {
    what <- if (raw_bytes[[bad + 2L]] == as.raw(0x75L)) "unicode" else "escape"
    return(list(at = bad, message = json_messages()[[what]]))
  }
  if (c == 0x0AL || c == 0x0DL) return(list(at = at, message = json_messages()[["string_line"]]))
  list(at = bad, message = json_messages()[["string_control"]])
}

# The index of the first number token (before token `before`, or that one) too
# large for a double, or NA. Only a number of 100 characters or more, or with an
# exponent of 3 digits or more, can be: 99 digits and an exponent of 99 stay below
# 10^308.
json_first_large_number <- function(text, ty, starts, lens, before) {
  tok <- as.list(JSON_TOKEN)
  is_number <- which(ty[seq_len(min(before, length(starts)))] == tok$number)
  if (length(is_number) == 0L) return(NA_integer_)
  candidates <- is_number[lens[is_number] >= 100L]
  e <- gregexpr("[eE]\\+?[0-9]{3}", text, perl = TRUE, useBytes = TRUE)[[1L]]
  if (e[[1L]] > 0L) {
    e <- as.integer(e)
    owner <- findInterval(e, starts) # the token each exponent stands in, if a number
    keep <- owner > 0L & owner <= before
    owner <- owner[keep]
    e <- e[keep]
    candidates <- c(candidates, owner[ty[owner] == tok$number & e < starts[owner] + lens[owner]])
  }
  for (i in sort(unique(candidates))) {
    if (json_number_too_large(substr_token(text, starts[[i]], lens[[i]]))) return(i)
  }
  NA_integer_
}

# Whether a parsed value holds a number that may have been too large for a double:
# the parser reads one as Inf, or (an integer just above the largest double) as the
# largest double. Python refuses both.
json_has_extreme_number <- function(value) {
  extreme <- function(v) any(abs(v) >= .Machine$double.xmax, na.rm = TRUE)
  if (!is.list(value)) return(is.double(value) && extreme(value))
  any(unlist(rapply(value, extreme, classes = "numeric", how = "unlist"), use.names = FALSE))
}

# The largest double, and the least number that a correctly rounded reading makes
# infinite (2^1024 - 2^970, halfway to 2^1024), as decimal digits (309 each).
JSON_MAX_DOUBLE <- paste0(
  "17976931348623157081452742373170435679807056752584499659891747680315726078002853876058955863276687817154",
  "04589535143824642343213268894641827684675467035375169860499105765512820762454900903893289440758685084551",
  "33942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368"
)
JSON_OVERFLOW <- paste0(
  "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901797758720709633",
  "02864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700",
  "69855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792"
)

# Whether a JSON number literal is too large for a double, as Python's json finds
# it: an integer above the largest double; a number with a fraction or exponent
# that rounds to infinity. Read from the digits (R's own reading is not always
# correctly rounded).
json_number_too_large <- function(token) {
  digits <- sub("^-", "", token)
  if (!grepl("[.eE]", digits)) {
    return(nchar(digits) > 309L || nchar(digits) == 309L && compare_digits(digits, JSON_MAX_DOUBLE) > 0L)
  }
  parts <- regmatches(digits, regexec("^([0-9]+)(?:\\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$", digits, perl = TRUE))
  parts <- parts[[1L]]
  mantissa <- sub("^0+", "", paste0(parts[[2L]], parts[[3L]]))
  if (!nzchar(mantissa)) return(FALSE)
  exponent <- if (nzchar(parts[[4L]])) as.numeric(parts[[4L]]) else 0
  magnitude <- nchar(mantissa) - nchar(parts[[3L]]) + exponent # the value is below 10^magnitude
  if (magnitude != 309) return(magnitude > 309)
  compare_digits(sub("0+$", "", mantissa), JSON_OVERFLOW) >= 0L
}

# Compare two strings of digits as the fractions 0.a and 0.b: -1, 0 or 1.
compare_digits <- function(a, b) {
  width <- max(nchar(a), nchar(b))
  x <- utf8ToInt(paste0(a, strrep("0", width - nchar(a))))
  y <- utf8ToInt(paste0(b, strrep("0", width - nchar(b))))
  d <- which(x != y)
  if (length(d) == 0L) 0L else as.integer(sign(x[[d[[1L]]]] - y[[d[[1L]]]]))
}
