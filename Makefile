# Lantern's two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
# pyenv's shim honours .python-version; elsewhere use any python3.12 on PATH.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo python3)
PORT ?= 8000

# Test services: the loopback PostgreSQL and Redis unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lantern
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: help run test lint install install-dev browser-deps messages bench bench-browser css drills stack-deps

help:
	@echo "make run   set up and start Lantern with a worker on the embedded defaults (http://127.0.0.1:$(PORT))"
	@echo "make test  set up and run lint, migration check and the whole test suite"
	@echo "make css   rebuild static/css/public.css (the public pages' purged, inline stylesheet; needs npm) and commit it"
	@echo "make bench-browser  paint times of the public pages in Chromium on a slow phone profile"
	@echo "make drills  fault drills and a soak on private PostgreSQL and Redis (about 80 minutes; DRILLS=\"soak\" for one)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; assert sys.version_info[:2] == (3, 12), f"Lantern needs Python 3.12, got {sys.version.split()[0]}"'
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

run: export DEBUG ?= 1
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install messages
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	PORT=$(PORT) ./bin/run-local

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run  # a development command: no keys needed

# The Spanish pages' message catalogues (locale/ and each app's locale/, *.po in git) compiled to the
# *.mo files Django reads; GNU gettext's msgfmt does it.
messages: install
	@command -v msgfmt >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
		else echo "The Spanish pages need GNU gettext: sudo apt-get install gettext"; exit 1; fi; }
	@DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=var --ignore=tools -v 0

# Browser tests drive Debian's Chromium (a browser download would fail here) and check pages
# with axe-core from npm, served to the page by the tests themselves.
AXE_VERSION := 4.14.1
browser-deps:
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; fi; }
	@test -f var/axe/axe.min.js || { mkdir -p var/axe && cd var/axe && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
		&& tar xzf axe-core-$(AXE_VERSION).tgz && cp package/axe.min.js . && rm -rf package axe-core-$(AXE_VERSION).tgz; }

# The suite runs with DEBUG off, as production does, so it gets keys of its own: fresh random ones
# for each run (never the development keys, which the settings refuse with DEBUG off).
test: lint messages browser-deps
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} \
	REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
	CELERY_QUEUE=lantern-test-$$$$ TEST_DATABASE_NAME=test_lantern_$$$$ \
	SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	FIELD_HASH_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))')" \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Speed under load on the shared stack of bench/ (a private PostgreSQL and Redis, gunicorn, a worker and
# beat, the fake outside world); writes docs/performance.md.
bench: install-dev stack-deps
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(PY) -m bench.run
	$(MAKE) --no-print-directory bench-browser

# The public pages in a real browser on a slow phone profile (about 3 minutes); writes its own section
# of docs/performance.md, after bench.run has written the rest.
bench-browser: install-dev stack-deps browser-deps
	$(PY) -m bench.browser

# The public pages' stylesheet: Bootstrap and lantern.css purged to the classes public templates use
# (bin/build-css), committed, so neither `make run` nor `make test` needs npm. Rerun after changing a
# public template or lantern.css; tests/test_public_css.py fails while it is out of date.
css: install
	cd tools/css && npm ci --no-audit --no-fund --silent
	$(PY) bin/build-css

# bench/'s private servers start from the installed binaries on free ports.
stack-deps:
	@{ command -v redis-server && { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; }; } >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null; \
		else echo "bench/ needs redis-server and PostgreSQL: sudo apt-get install redis-server postgresql"; exit 1; fi; }

# Fault drills and a soak on the real stack, on a PostgreSQL cluster and a Redis server of their own
# (the shared ones on 5432 and 6379 are never stopped); writes docs/reliability.md.
drills: install-dev stack-deps
	DRILLS="$(DRILLS)" $(PY) -m bench.drills
