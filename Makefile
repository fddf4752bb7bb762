# The two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | md5sum | cut -c1-12)
DEMO_DB_URL ?= postgres://postgres@127.0.0.1:5432/relapse
DEMO_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install demo demo-data serve test lint bench up migrate messages clean bundle

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are committed too; recompiling needs gettext's msgfmt.
messages: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules; \
	else echo "msgfmt not found: using the committed .mo catalogues"; fi

migrate: install messages
	$(PY) manage.py migrate --noinput -v0

## Embedded default: SQLite, in-memory channel layer, in-process tasks. Serves on :8000.
demo: migrate
	$(PY) manage.py demo_setup
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PY) -m daphne -b 127.0.0.1 -p 8000 config.asgi:application

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; fi; exit $$rc

## ruff, format, mypy, the import contracts of pyproject.toml (layers), bandit, pip-audit.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -c pyproject.toml -r config patients monitoring ml alerts mobile records demo
	$(VENV)/bin/pip-audit -r requirements.txt --progress-spinner off || echo "pip-audit could not finish (it needs the vulnerability database online); see README"

bench: install
	$(PY) -m benchmarks.run

## Production-like: web + Celery worker + beat from the Procfile, on PostgreSQL and Redis.
up: install messages
	@psql "$(DEMO_DB_URL)" -c 'select 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres relapse
	DATABASE_URL=$${DATABASE_URL:-$(DEMO_DB_URL)} REDIS_URL=$${REDIS_URL:-$(DEMO_REDIS_URL)} $(PY) manage.py migrate --noinput -v0
	DATABASE_URL=$${DATABASE_URL:-$(DEMO_DB_URL)} REDIS_URL=$${REDIS_URL:-$(DEMO_REDIS_URL)} $(PY) manage.py demo_setup
	DATABASE_URL=$${DATABASE_URL:-$(DEMO_DB_URL)} REDIS_URL=$${REDIS_URL:-$(DEMO_REDIS_URL)} $(VENV)/bin/honcho start

## The phone app's bundle (mobile/static/mobile/dist/, committed; tests/mobile/test_bundle.py
## fails when it is older than its sources). Needs node and npm; esbuild's version is pinned.
bundle:
	npm ci --no-audit --no-fund --ignore-scripts
	npm run build

clean:
	rm -rf var db.sqlite3* staticfiles
