# Set-up and everyday commands. Each target creates or reuses .venv.
#   make run    installs what running needs (the package and its runtime dependencies)
#   make test   adds the dev extra (pytest, hypothesis, mypy, ruff, playwright ...), the
#               spark extra (pyspark, pandas) and the report extra (plotly, for
#               `cdr --report`) that the whole test suite uses
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make run PORT=8080 HOST=0.0.0.0`; the service's DIALPLAN_* variables apply too.
HOST ?= 127.0.0.1
PORT ?= 8000
# Extras `make test` installs: dev (tests, benchmarks), spark (the Spark local-mode test)
# and report (plotly: the `cdr --report` tests).
EXTRAS ?= dev,spark,report
# One stamp per install, so `make run` never pulls the test extras and `make test`
# adds them to an environment `make run` made.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench perf lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e ".[$(EXTRAS)]"
	touch $(RUN_STAMP) $(TEST_STAMP)

## run: the web service and its tester page on the built-in Contoso tenant (prints the URL)
run: $(RUN_STAMP)
	$(BIN)/dialplan serve --host $(HOST) --port $(PORT)

## test: the whole test suite (what CI runs)
test: $(TEST_STAMP)
	$(BIN)/python -m pytest

## bench: the benchmarks, with ratios against the naive implementations
bench: $(TEST_STAMP)
	$(BIN)/python -m pytest bench --benchmark-only -p no:cacheprovider -o testpaths=bench

## perf: every speed figure with its target, in one run (start-up, per pair, per row, CDR ratio, memory, API)
perf: $(TEST_STAMP)
	$(BIN)/python -m bench

lint: $(TEST_STAMP)
	$(BIN)/ruff check normalizer api tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
