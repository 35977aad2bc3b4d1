# The README's two commands, `make demo` and `make test`, start here.
#
# Installs come from the lock files (requirements/*.lock: exact versions, each with its
# hashes, pip --require-hashes), then the project itself without dependencies: what runs
# here is what CI and the image run. `make demo` installs the runtime and the demo's moto
# only; `make test` adds the dev tools. `make lock` regenerates the lock files after
# pyproject.toml changes (keeping every version it can; `make lock UPGRADE=--upgrade` moves
# everything to the newest versions pyproject allows).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

# The lock tool, pinned: uv's `pip compile` (pip-tools' format, read by plain pip).
UV_VERSION := 0.13.9
LOCK_VENV  := .venv-lock
UV         := $(LOCK_VENV)/bin/uv
# Universal: one lock for Linux (the image, CI) and developers' macOS or Windows, for
# Python 3.11 and newer, with the hashes of every wheel of each pinned version.
COMPILE = $(UV) pip compile pyproject.toml requirements/build.in --universal \
	--python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock' $(UPGRADE)

.PHONY: install demo test lint unit bench lock clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mlpulse needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# One stamp per lock: `make demo` then `make test` adds the dev tools to the same venv.
$(VENV)/.%-installed: requirements/%.lock pyproject.toml | $(BIN)/python
	$(PIP) install --require-hashes -r requirements/$*.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

install: $(VENV)/.dev-installed

demo: $(VENV)/.demo-installed
	$(BIN)/mlpulse demo

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check bot commands notifiers tests benchmarks
	$(BIN)/ruff format --check bot commands notifiers tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

test: lint unit

bench: $(VENV)/.dev-installed
	$(BIN)/python -m benchmarks

$(UV):
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip --quiet install uv==$(UV_VERSION)

lock: $(UV)
	$(COMPILE) -o requirements/runtime.lock
	$(COMPILE) --extra demo -o requirements/demo.lock
	$(COMPILE) --extra dev -o requirements/dev.lock

clean:
	rm -rf $(VENV) $(LOCK_VENV) build *.egg-info
