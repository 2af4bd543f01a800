# Campaign Hub: `make run` for a laptop, `make test` for the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make test`'s processes: measured fastest on a 2-core machine (issue 19).
PYTEST_WORKERS ?= 2

.PHONY: run test lint install install-test services chromium clean

# Installs exactly what uv.lock pins (`uv sync --locked` also fails when pyproject.toml changed
# without `uv lock`), and the project itself in editable mode. uv comes from the package index
# into the venv; it never downloads a Python of its own (the venv's is the one).
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
SYNC := $(UV) sync --locked --inexact --quiet --extra embedded

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	@$(UV) --version 2>/dev/null | grep -qE '^uv $(UV_VERSION)( |$$)' \
	  || $(PY) -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	$(SYNC)
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(SYNC) --extra test
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Web server and Celery worker together; without DATABASE_URL on the embedded PostgreSQL
## (data in var/postgres) and the filesystem broker.
run: install
	@PORT=$(PORT) PY=$(PY) scripts/run.sh

## Makes sure Redis is up, and the PostgreSQL DATABASE_URL names when it is on this machine
## (starting them when installed but stopped).
services:
	@scripts/ensure-services.sh

## Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@scripts/ensure-chromium.sh

## The whole suite on PostgreSQL (DATABASE_URL's, else the embedded one), Redis, a real
## Celery worker and Chromium; pytest's header says which database ran. It runs in
## PYTEST_WORKERS processes (pytest-xdist, a test database each); work stealing keeps both
## busy to the end, when the long browser tests would otherwise queue on one of them.
## PYTEST_WORKERS=0 runs it in this one process; PYTEST_ARGS picks tests (-k, paths, ...).
test: install-test services chromium
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	$(VENV)/bin/pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist worksteal) \
	$(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

## Stops the embedded PostgreSQL (if it runs) before its data is deleted with var/.
clean:
	@if [ -x $(PY) ]; then $(PY) -m config.embedded_postgres stop; fi
	rm -rf $(VENV) var staticfiles
