# The few commands people type. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
TESTDEPS := $(VENV)/.installed-test

.PHONY: demo test lint lock clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTDEPS): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(RUNTIME)

demo: $(RUNTIME)
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: $(TESTDEPS)
	$(BIN)/python -m pytest

lint: $(TESTDEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The workflows' hash-pinned dependencies, resolved from PyPI alone (no local index).
lock: $(TESTDEPS)
	cd .github/requirements && env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null \
	  $(CURDIR)/$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple \
	  --output-file=ci.txt ci.in

clean:
	rm -rf $(VENV) site .demo .pytest_cache .ruff_cache
