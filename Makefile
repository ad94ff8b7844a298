# Two commands for a newcomer: `make run` and `make test`. Everything else is their plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Where `make test` looks for PostgreSQL (trust auth on this machine and CI's).
PG_URL ?= postgres://postgres@127.0.0.1:5432/dashboard

.PHONY: run reseed faults fuzz test lint typecheck pytest pytest-sqlite pytest-postgres browser-deps sandbox bench clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

## run: install, migrate, seed the sandbox, print the demo sign-in, serve on http://HOST:PORT
## beside one task worker and the scheduler of recurring syncs
# Plain http on this machine: no redirect to https, no HSTS, cookies not Secure-only.
run: export DASHBOARD_HTTPS ?= 0
run: $(VENV)/.installed
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) migrate --database sandbox --noinput -v 0
	$(MANAGE) sandbox_seed --if-empty
	$(MANAGE) ensure_demo_user
	@echo "Serving on http://$(HOST):$(PORT)/ with a task worker and the sync scheduler (Ctrl-C stops all)"
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' EXIT; \
	$(MANAGE) worker -v 0 & \
	$(MANAGE) scheduler & \
	$(MANAGE) runserver $(HOST):$(PORT)

## reseed: regenerate the sandbox's history up to today, and empty the mirror of the old one
reseed: $(VENV)/.installed
	$(MANAGE) sandbox_seed
	$(MANAGE) purge_mirror --days 0

## faults: every provider-backed page and action × every provider fault; prints the table
faults: $(VENV)/.installed
	env -u DATABASE_URL -u WAVIX_BASE_URL -u B2CORE_BASE_URL FAULT_MATRIX=full $(VENV)/bin/pytest -q -n 2 tests/faults

## fuzz: every page and action × every role with many more hostile inputs (the default,
## smaller profile runs inside `make test`); FUZZ_EXAMPLES sets examples per route
fuzz: $(VENV)/.installed
	env -u DATABASE_URL -u WAVIX_BASE_URL -u B2CORE_BASE_URL FUZZ_PROFILE=deep $(VENV)/bin/pytest -q -n 2 tests/fuzz
	@if $(PY) scripts/pg_reachable.py "$(PG_URL)"; then \
	  env -u WAVIX_BASE_URL -u B2CORE_BASE_URL DATABASE_URL="$(PG_URL)" FUZZ_PROFILE=deep $(VENV)/bin/pytest -q -n 2 tests/fuzz; \
	else \
	  echo "!! PostgreSQL is not reachable at $(PG_URL): SKIPPED the PostgreSQL fuzz run."; \
	fi

## sandbox: serve only the sandbox providers on port 8001 (point WAVIX_BASE_URL at it)
sandbox: $(VENV)/.installed
	$(MANAGE) sandbox_serve --port 8001 --migrate --seed-if-empty

## test: lint, type checks, the whole suite on SQLite, then on PostgreSQL when reachable
test: $(VENV)/.installed browser-deps lint typecheck pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy .

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: $(VENV)/.installed
	@echo "== tests on SQLite"
	env -u DATABASE_URL -u WAVIX_BASE_URL -u B2CORE_BASE_URL $(VENV)/bin/pytest -q -n 2

pytest-postgres: $(VENV)/.installed
	@if $(PY) scripts/pg_reachable.py "$(PG_URL)"; then \
	  echo "== tests on PostgreSQL ($(PG_URL))"; \
	  env -u WAVIX_BASE_URL -u B2CORE_BASE_URL DATABASE_URL="$(PG_URL)" $(VENV)/bin/pytest -q -n 2; \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL is not reachable at $(PG_URL), and CI is set: failing."; exit 1; \
	else \
	  echo "!! PostgreSQL is not reachable at $(PG_URL): SKIPPED the PostgreSQL run."; \
	fi

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "/usr/bin/chromium is missing and apt-get is not available: install Chromium."; exit 1; \
	fi

bench: $(VENV)/.installed
	$(PY) bench/run.py

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
