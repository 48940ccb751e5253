# The two commands: `make run` (the station, in the foreground) and `make test` (the suite).
# Both install what is missing first: Debian packages through apt-get, Python packages into .venv,
# the pages' browser libraries (and the tests' axe-core) into node_modules through npm ci.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
# axe-core for the browser tests' accessibility checks (package.json, package-lock.json).
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test install test-tools system-packages test-system-packages bench-system-packages lint typecheck bench clean

run: install
	$(VENV)/bin/radio run

test: install test-tools
	$(VENV)/bin/python -m pytest

# The station: Debian packages, the .venv and node_modules.
install: system-packages $(STAMP) $(NODE_STAMP)

# The test suite's extra tools: Debian's Chromium and PostgreSQL.
test-tools: test-system-packages

system-packages:
	@scripts/install-system-packages

test-system-packages:
	@scripts/install-system-packages --test

bench-system-packages:
	@scripts/install-system-packages --bench

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

lint: install
	$(VENV)/bin/ruff check radio web tests bench
	$(VENV)/bin/ruff format --check radio web tests bench

typecheck: install
	$(VENV)/bin/mypy

bench: install bench-system-packages
	$(VENV)/bin/python bench/grid.py
	$(VENV)/bin/python bench/ingest.py
	$(VENV)/bin/python bench/slot_timing.py
	$(VENV)/bin/python bench/web.py
	$(VENV)/bin/python bench/footprint.py
	$(VENV)/bin/python bench/listeners.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
