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

# The hash-pinned locks, resolved from PyPI alone (no local index): this repository's
# workflows' (.github/requirements/ci.txt: runtime dependencies and the build backend) and
# the release's (requirements/lock.txt: runtime dependencies, what boards install).
lock: $(TESTDEPS)
	cd .github/requirements && env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null \
	  $(CURDIR)/$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple \
	  --output-file=ci.txt ci.in
	head -n 6 requirements/lock.txt > requirements/lock.txt.new
	env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null \
	  $(CURDIR)/$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	  --no-header --no-emit-index-url --no-emit-find-links --index-url https://pypi.org/simple \
	  --output-file=- pyproject.toml >> requirements/lock.txt.new
	mv requirements/lock.txt.new requirements/lock.txt

clean:
	rm -rf $(VENV) site .demo .pytest_cache .ruff_cache
