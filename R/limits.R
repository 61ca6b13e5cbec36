# Resource limits: how large a spec may be, checked before anything is built
# (python/twinnet/limits.py).

# The size of a spec's JSON text (kind "too_large").
MAX_SPEC_BYTES <- 10000000
# How deeply arrays and objects nest (kind "too_deep", checked before parsing).
MAX_JSON_DEPTH <- 64L

# The limits a user may raise, with options(twinnet.<name> = ...). yolov1, the
# catalog's largest network, has 271,703,550 parameters and 3,211,264 values
# per sample.
DEFAULT_LIMITS <- list(
  max_params = 500000000,
  max_activation = 50000000,
  max_layers = 10000
)

#' Limits on the size of a spec
#'
#' A spec is data from anywhere, so twinnet computes what a model would cost
#' from the spec alone and refuses one that is too large before anything is
#' built. Crossing a limit signals a [twinnet_spec_error] of kind `"too_large"`
#' at the layer (or the `repeat`) that crosses it; Python's twinnet enforces
#' the same limits with the same defaults.
#'
#' Limits you may raise (or lower) with [options()]:
#' * `twinnet.max_params`: the most parameters a model may have (default
#'   500,000,000);
#' * `twinnet.max_activation`: the most values one layer may output per
#'   sample, lengths that vary counting as 1 (default 50,000,000);
#' * `twinnet.max_layers`: the most layers a model may have once blocks and
#'   repeats are unrolled (default 10,000). A block with a huge `repeat` is
#'   refused before it is unrolled.
#'
#' `Inf` turns a limit off. In Python: `twinnet.set_limits(max_params = ...)`.
#'
#' Fixed limits: a spec's JSON text may have at most 10,000,000 bytes (kind
#' `"too_large"`) and nest arrays and objects at most 64 levels deep (kind
#' `"too_deep"`, path `""`).
#'
#' @examples
#' \dontrun{
#' old <- options(twinnet.max_params = 2e9)
#' spec <- load_spec("vgg16")
#' options(old)
#' }
#' deep <- paste0(strrep("[", 100), strrep("]", 100))
#' tryCatch(load_spec(deep), twinnet_spec_error = function(e) conditionMessage(e))
#' @name twinnet_limits
NULL

# The limit in effect for `name` ("max_params", "max_activation" or "max_layers").
get_limit <- function(name) {
  option <- paste0("twinnet.", name)
  value <- getOption(option, DEFAULT_LIMITS[[name]])
  if (!(is.numeric(value) && length(value) == 1L && !is.na(value) && value > 0)) {
    stop(sprintf("the option %s must be one positive number (Inf for no limit), found %s",
                 option, paste(format(value), collapse = " ")), call. = FALSE)
  }
  as.numeric(value)
}

# How to raise a limit, for messages (Python names set_limits() instead).
how_to_raise <- function(name) sprintf("raise it with options(twinnet.%s = ...)", name)
