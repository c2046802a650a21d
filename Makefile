# `make` sets up .venv and builds the sample book (content/) into dist/.
# `make test` sets up, installs the test tools and runs every test.
# `make bench` sets up and measures build times (bench/run.py, about 10 minutes).
# `make csl-suite` runs the CSL processor test suite (CSL_TEST_SUITE=its checkout).
# `make fuzz` searches the readers with random inputs for FUZZ_MINUTES (20) minutes.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

FUZZ_MINUTES ?= 20

.PHONY: all build setup test test-tools bench csl-suite fuzz clean

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

# The property tests with fresh random seeds and twenty times the examples, round after round until
# FUZZ_MINUTES have passed; what fails is saved in tests/hypothesis-examples/, which `make test`
# replays (check the new files in with the fix). `make test` itself runs fixed examples only.
fuzz: $(TSTAMP) setup
	@end=$$(( $$(date +%s) + 60 * $(FUZZ_MINUTES) )); round=0; \
	while [ $$(date +%s) -lt $$end ]; do \
	  round=$$((round + 1)); echo "fuzz round $$round"; \
	  BOOK_FUZZ=1 $(PY) -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_fuzz_readers.py || exit 1; \
	done; echo "fuzzed for $(FUZZ_MINUTES) minutes ($$round rounds): no failure"

# Times every edition against pandoc and WeasyPrint alone; writes bench/RESULTS.md (installs pandoc if missing).
bench: setup
	$(PY) bench/run.py

# Our citation processor against the CSL test suite: CSL_TEST_SUITE=/path/to/a/checkout of
# citation-style-language/test-suite (bench/csl_suite.py says how to get it); failures go to /tmp.
csl-suite: setup
	$(PY) bench/csl_suite.py

clean:
	rm -rf dist .pytest_cache
