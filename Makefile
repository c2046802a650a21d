# `make` sets up .venv and builds the sample book (content/) into dist/.
# `make test` sets up, installs the test tools and runs every test.
# `make bench` sets up and measures build times (bench/run.py, about 10 minutes).
# `make csl-suite` runs the CSL processor test suite (CSL_TEST_SUITE=its checkout).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: all build setup test test-tools bench csl-suite clean

all: build

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $(STAMP)

$(TSTAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(TSTAMP)

# Compiled ahead: the engine's bytecode and the templates' (book/precompile.py); quick when up to date.
setup: $(STAMP)
	$(PY) -m book.commands.precompile

build: setup
	$(PY) build.py

test-tools:
	bash tests/install-tools.sh

test: $(TSTAMP) test-tools setup
	$(PY) -m pytest -q

# Times every edition against pandoc and WeasyPrint alone; writes bench/RESULTS.md (installs pandoc if missing).
bench: setup
	$(PY) bench/run.py

# Our citation processor against the CSL test suite: CSL_TEST_SUITE=/path/to/a/checkout of
# citation-style-language/test-suite (bench/csl_suite.py says how to get it); failures go to /tmp.
csl-suite: setup
	$(PY) bench/csl_suite.py

clean:
	rm -rf dist .pytest_cache
