# Resource limits: how large a spec, a model file or a diagram may be
# (python/twinnet/limits.py). The values are shared_specs/limits.json's.

# The limits a user may raise, with options(twinnet.<name> = ...), as numbers.
# yolov1, the catalog's largest network, has 271,703,550 parameters and
# 3,211,264 values per sample; saved with Adam's two slots per weight, its
# .keras file holds about 3.3 GB. resnet50, the catalog's longest, has 177
# layers; Graphviz draws it in under a second.
default_limits <- function() {
  cached("default_limits", function() lapply(shared_table("limits.json")$defaults, as.numeric))
}

# A fixed limit: "max_spec_bytes", the size of a spec's JSON text (kind
# "too_large"), and of a .keras file's config.json and metadata.json;
# "max_json_depth", how deeply arrays and objects nest (kind "too_deep",
# checked before parsing); "max_key_bytes", the length of an object key (R
# cannot name a list element with more than 10,000 bytes); "max_block_depth",
# how deeply blocks may use blocks.
fixed_limit <- function(name) shared_table("limits.json")$fixed[[name]]

# What a "did you mean" hint looks at, at most: "max_candidates" candidates,
# words and candidates "max_length" characters long.
suggest_limit <- function(name) shared_table("limits.json")$suggest[[name]]

#' Limits on the size of a spec, a model file and a diagram
#'
#' A spec is data from anywhere, so twinnet computes what a model would cost
#' from the spec alone and refuses one that is too large before anything is
#' built. Crossing a limit signals a [twinnet_spec_error] of kind `"too_large"`
#' at the layer (or the `repeat`) that crosses it; Python's twinnet enforces
#' the same limits with the same defaults. [read_model()] applies them to the
#' model a `.keras` file describes before Keras allocates it, and [diagram()]
#' and [handout()] bound what they hand to Graphviz.
#'
#' Limits you may raise (or lower) with [options()]:
#' * `twinnet.max_params`: the most parameters a model may have (default
#'   500,000,000);
#' * `twinnet.max_activation`: the most values one layer may output per
#'   sample, lengths that vary counting as 1 (default 50,000,000);
#' * `twinnet.max_layers`: the most layers a model may have once blocks and
#'   repeats are unrolled (default 10,000). A block with a huge `repeat` is
#'   refused before it is unrolled.
#' * `twinnet.max_model_bytes`: the most bytes the members of a `.keras` file
#'   may add up to, uncompressed (default 4,000,000,000); [read_model()]
#'   signals a [twinnet_model_file_error] beyond it.
#' * `twinnet.max_diagram_layers`: the most layers [diagram()] and
#'   [handout()] hand to Graphviz (default 1,000);
#' * `twinnet.dot_timeout`: the most seconds Graphviz's `dot` may run for
#'   one picture (default 30). Beyond either, a condition of class
#'   `twinnet_graphviz_error`.
#'
#' `Inf` turns a limit off. In Python: `twinnet.set_limits(max_params = ...)`.
#'
#' Fixed limits: a spec's JSON text may have at most 10,000,000 bytes (kind
#' `"too_large"`) and nest arrays and objects at most 64 levels deep (kind
#' `"too_deep"`, path `""`); the same bounds hold for the `config.json` of a
#' `.keras` file.
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

# The limit in effect for `name`, one of names(default_limits()).
get_limit <- function(name) {
  option <- paste0("twinnet.", name)
  value <- getOption(option, default_limits()[[name]])
  if (!(is.numeric(value) && length(value) == 1L && !is.na(value) && value > 0)) {
    stop(sprintf("the option %s must be one positive number (Inf for no limit), found %s",
                 option, paste(format(value), collapse = " ")), call. = FALSE)
  }
  as.numeric(value)
}

# How to raise a limit, for messages (Python names set_limits() instead).
how_to_raise <- function(name) sprintf("raise it with options(twinnet.%s = ...)", name)
