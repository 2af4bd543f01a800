# Campaign Hub: `make run` for a laptop, `make test` for the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint install install-test services chromium clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) scripts/requirements.py | $(PY) -m pip install --quiet -r /dev/stdin
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) scripts/requirements.py test | $(PY) -m pip install --quiet -r /dev/stdin
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Web server and Celery worker together on the embedded default (SQLite + filesystem broker).
run: install
	@PORT=$(PORT) PY=$(PY) scripts/run.sh

## Makes sure PostgreSQL and Redis are up (starting them when installed but stopped).
services:
	@scripts/ensure-services.sh

## Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@scripts/ensure-chromium.sh

## The whole suite on PostgreSQL, Redis, a real Celery worker and Chromium.
test: install-test services chromium
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/campaign_hub} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles
