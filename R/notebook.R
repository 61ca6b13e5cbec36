# The lesson: a Jupyter notebook or an R Markdown file that builds a spec in Python
# and in R and compares them (python/twinnet/notebook.py; both write the same file,
# byte for byte, from shared_specs/lesson/lesson.json).

# The lesson's cells, prose and settings, shared with Python: shared_specs/lesson/lesson.json.
lesson_table <- function() shared_table("lesson/lesson.json")

# A file's suffix (lower case) -> the lesson's format.
LESSON_FORMATS <- c(".ipynb" = "ipynb", ".rmd" = "rmd")

LINE_BREAK <- "\r\n|\r|\n"

# template with each {{name}} replaced by values[[name]] (one pass: values are not read again).
lesson_fill <- function(template, values) {
  placeholder <- ecma_pattern(lesson_table()$placeholder)
  found <- gregexpr(placeholder, template, perl = TRUE)
  keys <- sub(placeholder, "\\1", regmatches(template, found)[[1L]], perl = TRUE)
  if (length(keys) == 0L) return(template)
  unknown <- setdiff(keys, names(values))
  if (length(unknown) > 0L) {
    stop("internal error: the lesson has the unknown field {{", unknown[[1L]], "}}", call. = FALSE)
  }
  out <- template
  regmatches(out, found) <- list(vapply(keys, function(k) enc2utf8(values[[k]]), "", USE.NAMES = FALSE))
  out
}

# Text from a spec as one line of Markdown that shows it and does nothing else (notebook.py's
# markdown_text()): line breaks become spaces; &, <, > and " are written as HTML entities, and so
# is the backtick, so that no text of a spec starts code, an R Markdown chunk or inline R code.
markdown_text <- function(text) {
  gsub("`", "&#96;", html_escape(gsub(LINE_BREAK, " ", text, perl = TRUE)), fixed = TRUE)
}

# Python's Path(file).suffix: the last dot and what follows it in the file's name, if the name
# neither starts nor ends there.
file_suffix <- function(file) {
  name <- basename(file)
  dots <- gregexpr(".", name, fixed = TRUE)[[1L]]
  i <- dots[[length(dots)]]
  if (i > 1L && i < nchar(name)) substring(name, i) else ""
}

# How the lesson's code loads the spec: its catalog name, or the path of its file, as a string literal.
lesson_spec_reference <- function(source, s) {
  if (inherits(source, "twinnet_spec")) {
    name <- py_str(s$data$name)
    if (identical(s$origin, catalog_path(name))) return(code_quote(name))
    if (!s$origin %in% c("<list>", "<json>") && is_file(s$origin)) return(code_quote(s$origin))
  } else if (json_is_string(source)) {
    stripped <- py_strip(source)
    if (grepl(spec_pattern("name"), stripped, perl = TRUE) && is_file(catalog_path(stripped))) {
      return(code_quote(stripped))
    }
    if (!startsWith(stripped, "{") && !startsWith(stripped, "[") && is_file(source)) return(code_quote(source))
  }
  stop("a lesson loads its spec by catalog name or from a file: write the spec to a .json file and give its path",
       call. = FALSE)
}

# A shape after the batch axis as integers, a length that varies (NULL) as `unknown`.
lesson_dims <- function(shape, unknown) {
  vapply(shape, function(d) if (is.null(d)) as.numeric(unknown) else as.numeric(d), 0)
}

# The NumPy expression that draws generated inputs or targets (lesson.json's "draws").
lesson_draw <- function(kind, key, n, shape, ...) {
  table <- lesson_table()$draws[[kind]]
  template <- if (key %in% names(table)) table[[key]] else table[["*"]]
  more <- list(...)
  values <- c(list(n = int_text(n), shape = paste(int_text(shape), collapse = ", ")),
              lapply(more, int_text))
  lesson_fill(template, values)
}

# The flags that pick the lesson's cells and the values of its placeholders (notebook.py's _lesson_values()).
lesson_values <- function(source, s, fmt, train, epochs) {
  lesson <- lesson_table()
  graph <- expand(s)
  data <- s$data
  notes <- lesson$notes
  names(graph$layers) <- vapply(graph$layers, function(l) l$name, "")
  inputs <- unname(graph$layers[unlist(graph$inputs)])
  outputs <- unname(graph$layers[unlist(graph$outputs)])
  unknown <- lesson$generated$unknown_length
  in_shape <- inputs[[1L]]$output_shape[-1L]
  out_shape <- outputs[[1L]]$output_shape[-1L]
  single <- length(inputs) == 1L && length(outputs) == 1L
  compiled <- has_field(graph, "compile")
  loss <- if (compiled) graph$compile$loss else NULL
  sides <- lesson$mnist_sides
  known <- !vapply(in_shape, is.null, NA)
  image <- length(in_shape) == 3L && all(known) && in_shape[[1L]] == in_shape[[2L]] && in_shape[[3L]] == 1 &&
    in_shape[[1L]] >= sides$min && in_shape[[1L]] <= sides$max
  flat <- length(in_shape) == 1L && all(known) && in_shape[[1L]] == 784
  int_input <- startsWith(inputs[[1L]]$config$dtype, "int")
  mnist <- single && (image || flat) && identical(inputs[[1L]]$config$dtype, "float32") &&
    length(out_shape) == 1L && !is.null(out_shape[[1L]]) && out_shape[[1L]] == 10 &&
    (is.null(loss) || identical(loss, "sparse_categorical_crossentropy"))
  trainable <- single && compiled && json_is_string(loss)
  trained <- train && trainable
  flags <- fmt
  if (trained) flags <- c(flags, "train")
  if (mnist) {
    flags <- c(flags, "mnist", if (image) "mnist_image" else "mnist_flat")
  } else {
    flags <- c(flags, "generated", if (trained) "generated_train" else "generated_check")
  }
  draw_inputs <- function(n) {
    drawn <- vapply(inputs, function(layer) {
      dims <- lesson_dims(layer$output_shape[-1L], unknown)
      if (startsWith(layer$config$dtype, "int")) {
        vocab <- unknown
        for (l in graph$layers) {
          if (identical(l$type, "Embedding") && layer$name %in% unlist(l$inputs)) {
            vocab <- l$config$input_dim
            break
          }
        }
        lesson_draw("inputs", "int", n, dims, vocab = vocab)
      } else {
        lesson_draw("inputs", "float", n, dims)
      }
    }, "")
    if (length(drawn) == 1L) drawn else paste0("[", paste(drawn, collapse = ", "), "]")
  }
  draw_targets <- function(n) {
    dims <- lesson_dims(out_shape, unknown)
    lesson_draw("targets", py_str(loss), n, dims, classes = if (length(dims) > 0L) dims[[length(dims)]] else 1)
  }
  n_train <- lesson$generated$train
  n_test <- lesson$generated$test
  n_check <- lesson$check_samples
  batch_size <- if (has_field(graph, "fit")) graph$fit$batch_size else lesson$batch_size
  counts <- list(n_train = int_text(n_train), n_test = int_text(n_test), n_check = int_text(n_check),
                 inputs = if (int_input) notes$inputs_int else notes$inputs_float,
                 epochs = int_text(epochs), batch_size = int_text(batch_size),
                 shape = paste(vapply(in_shape, function(d) if (is.null(d)) "None" else int_text(d), ""),
                               collapse = "x"))
  data_note <- if (mnist) {
    lesson_fill(notes$mnist, counts)
  } else {
    lesson_fill(if (trained) notes$generated_train else notes$generated_check, counts)
  }
  train_note <- if (trained) {
    lesson_fill(notes$train, counts)
  } else {
    why <- if (!train) notes$why_train_false else if (!compiled) notes$why_no_compile else notes$why_shape
    lesson_fill(notes$no_train, list(why = why))
  }
  or_name <- function(x) if (is.null(x) || identical(x, "")) py_str(data$name) else py_str(x)
  title <- or_name(data$title)
  description <- if (is.null(data$description) || identical(data$description, "")) {
    "(no description)"
  } else {
    py_str(data$description)
  }
  heading <- lesson_fill(notes$heading, list(title = gsub(LINE_BREAK, " ", title, perl = TRUE)))
  tolerance <- py_str(lesson$tolerance)
  generated_train <- "generated_train" %in% flags
  values <- list(
    heading = markdown_text(heading),
    # knitr runs inline R code (`r ...`) in the header too: no backtick there
    heading_quoted = gsub("`", "\\u0060", code_quote(heading), fixed = TRUE),
    heading_index = gsub("[{}%\\\\`]", "", heading, perl = TRUE),
    name = py_str(data$name),
    description = markdown_text(description),
    params = format_count(graph$params$total),
    spec = lesson_spec_reference(source, s),
    seed = int_text(lesson$seed),
    epochs = int_text(epochs),
    batch_size = int_text(batch_size),
    n_check = int_text(n_check),
    side = if (mnist && image) int_text(in_shape[[1L]]) else "",
    x_train = if (generated_train) draw_inputs(n_train) else "",
    y_train = if (generated_train) draw_targets(n_train) else "",
    x_test = if (generated_train) draw_inputs(n_test) else "",
    y_test = if (generated_train) draw_targets(n_test) else "",
    x_check = if ("generated_check" %in% flags) draw_inputs(n_check) else "",
    data_note = data_note,
    train_note = train_note,
    train_sentence = if (trained) notes$train_sentence else notes$no_train_sentence,
    compiled = if (compiled) notes$compiled else "",
    same_training = if (trained) notes$same_training else "",
    tolerance = tolerance,
    tolerance_note = if (trained) lesson_fill(notes$tolerance_note, list(tolerance = tolerance)) else ""
  )
  list(flags = flags, values = values)
}

# The cells the flags pick: their type, their text filled in, and the arguments of an ipynb %%R line.
lesson_cells <- function(flags, values) {
  picked <- Filter(function(cell) {
    when <- unlist(cell$when)
    all(vapply(when, function(w) {
      if (startsWith(w, "!")) !(substring(w, 2L) %in% flags) else w %in% flags
    }, NA))
  }, lesson_table()$cells)
  lapply(picked, function(cell) {
    list(type = cell$type, text = lesson_fill(paste(unlist(cell$source), collapse = "\n"), values),
         ipynb_args = json_or(cell$ipynb_args, ""))
  })
}

# A cell's text as nbformat writes it: lines that keep their line break, the last without one.
source_lines <- function(text) {
  lines <- strsplit(paste0(text, "\n"), "\n", fixed = TRUE)[[1L]]
  if (length(lines) == 0L) lines <- ""
  n <- length(lines)
  as.list(c(if (n > 1L) paste0(lines[-n], "\n"), lines[[n]]))
}

# A string as Python's json.dumps(ensure_ascii = FALSE) writes it.
json_string <- function(text) {
  text <- enc2utf8(text)
  for (pair in list(c("\\", "\\\\"), c("\"", "\\\""), c("\n", "\\n"), c("\r", "\\r"), c("\t", "\\t"),
                    c("\b", "\\b"), c("\f", "\\f"))) {
    text <- gsub(pair[[1L]], pair[[2L]], text, fixed = TRUE)
  }
  if (grepl("[\\x01-\\x1f]", text, perl = TRUE)) {
    points <- utf8ToInt(text)
    parts <- vapply(points, function(p) if (p < 0x20) sprintf("\\u%04x", p) else intToUtf8(p), "")
    text <- paste(parts, collapse = "")
  }
  paste0("\"", text, "\"")
}

# A JSON value (named lists, lists, strings, whole numbers, TRUE/FALSE, NULL) as Python's
# json.dumps(indent = 1, sort_keys = TRUE, ensure_ascii = FALSE) writes it: the layout of nbformat.
json_indent1 <- function(x, level = 0L) {
  if (is.null(x)) return("null")
  pad <- strrep(" ", level + 1L)
  if (is.list(x)) {
    if (length(x) == 0L) return(if (is.null(names(x))) "[]" else "{}")
    if (!is.null(names(x))) {
      keys <- sort_code_points(names(x))
      items <- vapply(keys, function(k) paste0(pad, json_string(k), ": ", json_indent1(x[[k]], level + 1L)), "")
      return(paste0("{\n", paste(items, collapse = ",\n"), "\n", strrep(" ", level), "}"))
    }
    items <- vapply(x, function(v) paste0(pad, json_indent1(v, level + 1L)), "")
    return(paste0("[\n", paste(items, collapse = ",\n"), "\n", strrep(" ", level), "]"))
  }
  if (is.logical(x)) return(if (isTRUE(x)) "true" else "false")
  if (is.numeric(x)) return(int_text(x))
  json_string(x)
}

# The cells as a Jupyter notebook (nbformat 4), written as nbformat writes it (notebook.py's ipynb_text()).
ipynb_text <- function(cells) {
  entries <- lapply(seq_along(cells), function(i) {
    cell <- cells[[i]]
    entry <- list(id = sprintf("cell-%02d", i), metadata = empty_object())
    if (identical(cell$type, "markdown")) {
      return(c(entry, list(cell_type = "markdown", source = source_lines(cell$text))))
    }
    text <- cell$text
    if (identical(cell$type, "r")) {
      text <- paste0(if (nzchar(cell$ipynb_args)) paste("%%R", cell$ipynb_args) else "%%R", "\n", text)
    }
    c(entry, list(cell_type = "code", execution_count = NULL, outputs = list(), source = source_lines(text)))
  })
  nb <- c(list(cells = entries), lesson_table()$ipynb)
  paste0(json_indent1(nb), "\n")
}

# The cells as R Markdown: the header, then each cell, markdown as text and code as a chunk
# (notebook.py's rmd_text()).
rmd_text <- function(cells, values) {
  parts <- vapply(cells, function(cell) {
    if (identical(cell$type, "markdown")) return(cell$text)
    paste0("```{", cell$type, "}\n", cell$text, "\n```")
  }, "")
  header <- lesson_fill(paste(unlist(lesson_table()$rmd$header), collapse = "\n"), values)
  paste0(paste(c(header, parts), collapse = "\n\n"), "\n")
}

#' Write a lesson: a Jupyter notebook or R Markdown file about a spec
#'
#' Writes a lesson that loads the spec, shows its layer table and diagram,
#' builds the model in Python and in R, compares their layers, parameter
#' counts and outputs on the same inputs, trains both the same way and plots
#' both learning curves, and ends with the comparison. A Jupyter notebook
#' (`.ipynb`, the default) runs Python, with `%%R` cells through rpy2's
#' IPython extension; an R Markdown file (`.Rmd`) runs R, with `python`
#' chunks through reticulate. Python's `twinnet.notebook()` writes the same
#' file, byte for byte.
#'
#' Specs that take MNIST digits (one-channel square images of 28 to 64
#' pixels a side, or vectors of 784 pixels, and 10 classes) train on the
#' bundled MNIST sample ([mnist_split()]); others on generated data of the
#' right shape, and the lesson says so. The lesson needs nothing from the
#' internet. A notebook needs Python with `twinnet`, `ipykernel`, `rpy2` and
#' `matplotlib` (the Python package's `notebook` extra); rendering R Markdown
#' needs the rmarkdown package, and Python with `twinnet` and `matplotlib`.
#' Diagrams need Graphviz.
#'
#' @param spec A catalog name or the path of a spec file (or a
#'   `twinnet_spec` read from one): the lesson's code loads the spec the same
#'   way. Specs given as R lists or JSON text are refused: write them to a
#'   file first.
#' @param file The lesson's file: `<spec name>.ipynb` by default; a name
#'   ending in `.Rmd` writes R Markdown.
#' @param train Whether the lesson trains the models; `FALSE` for networks
#'   too large to train in a lesson (it then compares their outputs only).
#'   Specs without `compile` settings, or with several inputs or outputs,
#'   are not trained either way.
#' @param epochs The training epochs, at least 1.
#' @return The path of the lesson, invisibly.
#' @seealso [handout()], [build_model()], [fit_model()]
#' @examples
#' file <- tempfile(fileext = ".Rmd")
#' notebook("lenet5", file, epochs = 2)
#' \dontrun{
#' rmarkdown::render(file) # needs Python with twinnet, keras and matplotlib
#' notebook("resnet18", "resnet18.ipynb", train = FALSE)
#' }
#' @export
notebook <- function(spec, file = NULL, train = TRUE, epochs = 3L) {
  if (!json_is_bool(train)) stop("`train` must be TRUE or FALSE", call. = FALSE)
  if (!(is.numeric(epochs) && length(epochs) == 1L && is.finite(epochs) && epochs >= 1 && epochs == round(epochs))) {
    stop("`epochs` must be one whole number, at least 1", call. = FALSE)
  }
  s <- load_spec(spec)
  if (is.null(file)) file <- paste0(py_str(s$data$name), ".ipynb")
  if (!json_is_string(file)) stop("`file` must be one string, the path of the file to write", call. = FALSE)
  fmt <- LESSON_FORMATS[tolower(file_suffix(file))]
  if (is.na(fmt)) {
    stop(sprintf("a lesson is a Jupyter notebook (.ipynb) or R Markdown (.Rmd), not '%s'", file), call. = FALSE)
  }
  check_output_file(file)
  lv <- lesson_values(spec, s, unname(fmt), train, epochs)
  cells <- lesson_cells(lv$flags, lv$values)
  text <- if (identical(unname(fmt), "ipynb")) ipynb_text(cells) else rmd_text(cells, lv$values)
  writeBin(charToRaw(enc2utf8(text)), file)
  invisible(file)
}
