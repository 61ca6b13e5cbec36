# The two commands of the README: `make demo` and `make test`. Both set up first when needed.
PY := .venv/bin/python
export RETICULATE_PYTHON := $(CURDIR)/.venv/bin/python
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: setup demo test doctor sync bench

setup:
	@bash tools/setup.sh

demo: setup
	@$(PY) -m twinnet demo lenet5

doctor: setup
	@$(PY) -m twinnet doctor

sync:
	@$(PY) tools/sync_specs.py

test: setup
	@bash tools/test.sh

bench: setup
	@$(PY) bench/run.py
