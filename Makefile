# The README's two commands, `make demo` and `make test`, start here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint unit bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mlpulse needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/mlpulse demo

lint: install
	$(BIN)/ruff check bot commands notifiers tests benchmarks
	$(BIN)/ruff format --check bot commands notifiers tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: install
	$(BIN)/python -m pytest

test: lint unit

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
