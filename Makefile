# flagcore developer commands. `make run` and `make test` work on a fresh clone: they create .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLAGCORE_DATABASE_URL ?= sqlite+aiosqlite:///./flagcore.db

.PHONY: run test lint typecheck importlint pytest bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"

# Stamp files re-install only when pyproject.toml changes.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/flagcore migrate
	$(BIN)/flagcore init --if-new
	$(BIN)/flagcore serve

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.dev
	$(BIN)/mypy

importlint: $(VENV)/.dev
	$(BIN)/lint-imports

# The JavaScript OpenFeature providers of the end-to-end tests (versions pinned by tests/js/package-lock.json), and
# the Chromium the web provider runs in (Debian's package: Playwright's own browser download does not work here).
tests/js/node_modules/.installed: tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	touch $@

pytest: $(VENV)/.dev tests/js/node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck importlint pytest

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/bench_engine.py

# docs/configuration.md is generated from the settings module; a test fails when it is out of date.
docs: $(VENV)/.runtime
	$(BIN)/python -m flagcore.app.settings_doc

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
