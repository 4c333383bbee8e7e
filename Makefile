# Set-up and everyday commands. Each target creates or reuses .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Extras to install: dev (tests, benchmarks) and spark (the Spark local-mode test).
EXTRAS ?= dev,spark

.PHONY: run test bench lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

## run: the web service and its tester page on the built-in Contoso tenant (prints the URL)
run: $(STAMP)
	$(BIN)/dialplan serve

## test: the whole test suite (what CI runs)
test: $(STAMP)
	$(BIN)/python -m pytest

## bench: the benchmarks, with ratios against the naive implementations
bench: $(STAMP)
	$(BIN)/python -m pytest bench --benchmark-only -p no:cacheprovider -o testpaths=bench

lint: $(STAMP)
	$(BIN)/ruff check normalizer api tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
