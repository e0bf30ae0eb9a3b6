# ProdReady — two commands for a newcomer: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := app
# The suite runs on SQLite and, when this server answers, on PostgreSQL too (CI requires it).
export TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install browser run test lint bench bench-scale clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Browser tests drive Debian's Chromium (never `playwright install`). Installed when missing and
# we are root; otherwise the browser tests skip with a message (CI requires them).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: /usr/bin/chromium missing; browser tests will be skipped"; fi; \
	fi

run: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask questions validate
	$(BIN)/flask questions load
	$(BIN)/flask scores rebuild
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app tests config.py

# In parallel: a worker process per core, at most 4 (each has its own databases and a few
# PostgreSQL connections; tests/parallel.py says which tests share a worker). PYTEST_XDIST=
# runs the suite in one process.
PYTEST_XDIST ?= -n auto --maxprocesses 4 --dist loadgroup

test: install browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# Load test against gunicorn + PostgreSQL on 127.0.0.1 (not part of `make test`).
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The same pages with 100,000 members in PostgreSQL: 7-10 minutes and 3.5 GB of disk.
bench-scale: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.scale $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
