# Lingang Platform — the two commands of the README, and the checks behind them.
#   make demo   build the demo zone and serve API + console on http://127.0.0.1:8000
#   make test   lint, type-check, import rules, and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test check pytest install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/python -m pip install --quiet -e ".[dev]" 2>&1 | { grep -v '^WARNING: Location' || true; }
	@$(BIN)/python -c 'import lingang' # fails the target when the install above failed
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

demo: $(STAMP)
	LINGANG_DATA_DIR=$${LINGANG_DATA_DIR:-.lingang-demo} $(BIN)/lingang demo

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup --durations=10

test: check pytest

clean:
	rm -rf $(VENV) .lingang-demo .pytest_cache .mypy_cache .ruff_cache
