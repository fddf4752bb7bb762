# The two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | md5sum | cut -c1-12)
DEMO_DB_URL ?= postgres://postgres@127.0.0.1:5432/relapse
DEMO_REDIS_URL ?= redis://127.0.0.1:6379/0
# One address for `make demo` and `make up` (the Procfile's web process reads the same PORT).
HOST ?= 127.0.0.1
PORT ?= 8000
UP_ENV := var/up.env

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

## Embedded default: SQLite, in-memory channel layer, in-process tasks. Serves on $(HOST):$(PORT)
## (8000 unless PORT says otherwise). Its secret key is generated into var/secret-key on first run.
## daphne's own access log is off: it prints full paths (patient ids, ?search= codes); the
## application logs each request as JSON with its route pattern instead.
## The logins are printed once the server answers (demo_logins --wait, beside daphne).
demo: migrate
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py demo_setup --no-logins
	@echo "Starting the server on http://$(HOST):$(PORT) (Ctrl-C to stop); the logins follow once it listens."
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py demo_logins --wait & \
	$(PY) -m daphne --access-log /dev/null -b $(HOST) -p $(PORT) config.asgi:application

## The suite runs in TEST_WORKERS pytest-xdist processes (one per core by default; 0 runs it in
## this process), each on its own test database and Redis database (config/settings/test.py);
## then the tests marked `serial` (they restart PostgreSQL) run alone. Exit code 5 of one part
## means it had no test of the selection.
TEST_WORKERS ?= auto
test: install messages
	$(PY) -m pytest -n $(TEST_WORKERS) --dist load -m "not serial" $(PYTEST_ARGS); rc=$$?; \
	$(PY) -m pytest -m serial $(PYTEST_ARGS); rc2=$$?; \
	if [ $$rc -eq 5 ] && [ $$rc2 -eq 5 ]; then echo "no tests collected"; exit 5; fi; \
	if [ $$rc -ne 0 ] && [ $$rc -ne 5 ]; then exit $$rc; fi; \
	if [ $$rc2 -ne 0 ] && [ $$rc2 -ne 5 ]; then exit $$rc2; fi

## ruff, format, mypy, the import contracts of pyproject.toml (layers), bandit, pip-audit.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/bandit -q -c pyproject.toml -r config patients monitoring ml alerts mobile records demo interop
	$(VENV)/bin/pip-audit --local --progress-spinner off || echo "pip-audit could not finish (it needs the vulnerability database online); see README"

bench: install
	$(PY) -m benchmarks.run

## Production-like: web + Celery worker + beat from the Procfile, on PostgreSQL and Redis, with
## the production settings and secrets of this machine's own, generated once into var/up.env
## (mode 0600, git-ignored). Plain HTTP on the loopback address: no TLS redirect, no HSTS.
$(UP_ENV):
	@mkdir -p var
	@umask 077; $(PYTHON) -c 'import secrets; print("DJANGO_SECRET_KEY=" + secrets.token_urlsafe(64)); print("JWT_SIGNING_KEY=" + secrets.token_urlsafe(64))' > $(UP_ENV).tmp && mv $(UP_ENV).tmp $(UP_ENV)
	@echo "Generated the secrets of make up into $(UP_ENV) (never committed)."

UP_ENVIRONMENT = set -a && . ./$(UP_ENV) && set +a && \
	export DJANGO_SETTINGS_MODULE=config.settings.production \
	DATABASE_URL=$${DATABASE_URL:-$(DEMO_DB_URL)} REDIS_URL=$${REDIS_URL:-$(DEMO_REDIS_URL)} \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-$(HOST),localhost,127.0.0.1} \
	DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-false} DJANGO_SECURE_HSTS_SECONDS=$${DJANGO_SECURE_HSTS_SECONDS:-0} \
	HOST=$(HOST) PORT=$(PORT) PATH="$(abspath $(VENV))/bin:$$PATH"

up: install messages $(UP_ENV)
	@psql "$(DEMO_DB_URL)" -c 'select 1' >/dev/null 2>&1 || createdb -h 127.0.0.1 -U postgres $(notdir $(DEMO_DB_URL))
	$(UP_ENVIRONMENT) && $(PY) manage.py migrate --noinput -v0
	$(UP_ENVIRONMENT) && $(PY) manage.py collectstatic --noinput -v0
	$(UP_ENVIRONMENT) && $(PY) manage.py demo_setup
	@echo "Serving on http://$(HOST):$(PORT) with the production settings (web, worker and beat; Ctrl-C to stop)"
	$(UP_ENVIRONMENT) && $(VENV)/bin/honcho start --port $(PORT)

## The phone app's bundle (mobile/static/mobile/dist/, committed; tests/mobile/test_bundle.py
## fails when it is older than its sources). Needs node and npm; esbuild's version is pinned.
bundle:
	npm ci --no-audit --no-fund --ignore-scripts
	npm run build

clean:
	rm -rf var db.sqlite3* staticfiles
