# Loading the package, and reaching Python.

.onLoad <- function(libname, pkgname) {
  choose_python()
}

# Point reticulate at twinnet's Python, unless the user has chosen one or
# Python is already running (R embedded in Python, or reticulate used before).
# Python itself is not started here: that happens on first use.
choose_python <- function() {
  if (nzchar(Sys.getenv("RETICULATE_PYTHON"))) return(invisible(NULL))
  if (reticulate::py_available(initialize = FALSE)) return(invisible(NULL))
  candidates <- c(
    getOption("twinnet.python", ""),
    Sys.getenv("TWINNET_PYTHON"),
    path.expand("~/.virtualenvs/r-twinnet/bin/python")
  )
  candidates <- candidates[nzchar(candidates) & file.exists(candidates)]
  if (length(candidates) > 0L) reticulate::use_python(candidates[[1L]], required = FALSE)
  invisible(NULL)
}

# A Python module (without conversion to R), or an error that says what to do.
python_module <- function(name, purpose, convert = FALSE) {
  tryCatch(
    reticulate::import(name, convert = convert),
    error = function(e) {
      stop(errorCondition(
        sprintf(
          paste0(
            "twinnet needs the Python module '%s' %s, but it cannot be imported: %s\n",
            "Run twinnet::sitrep() to see which Python R uses; set RETICULATE_PYTHON or ",
            "the option twinnet.python to a Python with keras, tensorflow, numpy (< 2) and jsonschema."
          ),
          name, purpose, first_line(conditionMessage(e))
        ),
        class = "twinnet_python_error", call = NULL
      ))
    }
  )
}

first_line <- function(text) {
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  lines <- trimws(lines[nzchar(trimws(lines))])
  if (length(lines) == 0L) "" else lines[[1L]]
}

# Python code that twinnet runs through reticulate (it never imports Python's
# twinnet package): functions defined once per session in a namespace of their
# own, so that work over many Python objects is one call from R.
PYTHON_HELPERS <- "
def make_fast_check(whole, types):
    # The JSON Schema split for speed, as python/twinnet/registry.py's is_valid_document():
    # the document without its layers, and one validator per layer type.
    import jsonschema
    skeleton = {**whole, '$defs': {**whole['$defs'], 'layer': {'type': 'object'}}}
    per_type = {t: jsonschema.Draft202012Validator({'$id': whole['$id'], '$defs': whole['$defs'],
                                                    '$ref': f'#/$defs/layer_{t}'})
                for t in types}
    skeleton = jsonschema.Draft202012Validator(skeleton)

    def is_valid(doc):
        if not skeleton.is_valid(doc):
            return False
        lists = [doc['layers'], *(block['layers'] for block in doc.get('blocks', {}).values())]
        for entry in (e for entries in lists for e in entries):
            if 'block' in entry:  # a block use: the skeleton checked it
                continue
            check = per_type.get(entry['type']) if isinstance(entry.get('type'), str) else None
            if check is None or not check.is_valid(entry):
                return False
        return True

    return is_valid


def build_layers(keras, layers):
    # Each layer of an expanded graph (name, type, inputs, config), made and called in order, as
    # python/twinnet/build.py does. Returns (None, None, tensors by name), or, where Keras refuses
    # a layer, (its 0-based index, str() of the exception, None).
    tensors = {}
    for i, layer in enumerate(layers):
        try:
            config = layer['config']
            if layer['type'] == 'Input':
                tensors[layer['name']] = keras.Input(shape=tuple(config['shape']), dtype=config['dtype'],
                                                     name=layer['name'])
                continue
            obj = getattr(keras.layers, layer['type'])(name=layer['name'], **config)
            args = [tensors[n] for n in layer['inputs']]
            tensors[layer['name']] = obj(args if len(args) > 1 else args[0])
        except Exception as e:
            return i, str(e), None
    return None, None, tensors


def c_array(a, dtype):
    # A C-ordered copy of `a` (as dtype, or as its own dtype for None), as a.astype(dtype, order='C')
    # gives, faster for the arrays reticulate makes of R arrays: those are in Fortran order (the
    # samples axis varies fastest), and NumPy's copy then reads memory far apart for every value.
    # Here the samples axis is first swapped with the others block by block (each block read
    # where it lies), then each sample's axes are put in order (one sample at a time is close together).
    import numpy as np
    dtype = np.dtype(a.dtype if dtype is None else dtype)
    if a.ndim < 3 or a.size == 0 or not a.flags.f_contiguous or a.flags.c_contiguous:
        return a.astype(dtype, order='C', copy=False)
    n = a.shape[0]
    rest = a.shape[1:]
    m = a.size // n
    flat = a.T.reshape(m, n)  # no copy: row (i_k, ..., i_1), column the sample
    swapped = np.empty((n, m), dtype=dtype)
    for i in range(0, m, 1024):
        swapped[:, i:i + 1024] = flat[i:i + 1024].T
    axes = (0,) + tuple(range(len(rest), 0, -1))
    return np.ascontiguousarray(swapped.reshape((n,) + rest[::-1]).transpose(axes))


import types as _types
helpers = _types.SimpleNamespace(make_fast_check=make_fast_check, build_layers=build_layers, c_array=c_array)
"

# PYTHON_HELPERS's functions (not converting to R): python_helpers()$make_fast_check(...).
python_helpers <- function() {
  cached("python_helpers", function() {
    python_module("json", "to read JSON") # says what to do when Python cannot be started
    reticulate::py_get_item(reticulate::py_run_string(PYTHON_HELPERS, local = TRUE, convert = FALSE), "helpers")
  })
}
