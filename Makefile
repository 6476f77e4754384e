# monozukuri — `make run` sets up and serves the platform with demo data; `make test` runs the suite.
# See README.md and docs/setup.md. Every target is safe to run again.

# A Python 3.11 interpreter for the virtualenv. Empty means: find one (see $(VENV)/bin/python below).
PYTHON ?=
PYTHON_CANDIDATES := python3.11 /usr/bin/python3.11 /usr/local/bin/python3.11 python3 python
IS_PY311_WITH_VENV := import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ORGANIZATIONS ?= 2000
HOST ?= 127.0.0.1
SEED_DEMO_ARGS ?=
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE := monozukuri.settings
# Root installs system packages directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run setup install install-dev system-deps test test-sqlite test-postgres \
	lint typecheck importlint migrations-check deploy-check check messages clean

help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'

# The virtualenv, made with the first interpreter that really is Python 3.11 and can make venvs
# (a pyenv shim for another version, or Debian's python3.11 without python3.11-venv, is passed over).
$(PY):
	@py="$(PYTHON)"; \
	if [ -n "$$py" ]; then \
		"$$py" -c '$(IS_PY311_WITH_VENV)' >/dev/null 2>&1 || { \
			echo "error: PYTHON=$$py is not a working Python 3.11 with venv and ensurepip" >&2; exit 1; }; \
	else \
		for c in $(PYTHON_CANDIDATES); do \
			if command -v "$$c" >/dev/null 2>&1 && "$$c" -c '$(IS_PY311_WITH_VENV)' >/dev/null 2>&1; \
			then py="$$c"; break; fi; \
		done; \
		if [ -z "$$py" ]; then \
			echo "error: Python 3.11 (with venv and ensurepip) not found; tried: $(PYTHON_CANDIDATES)." >&2; \
			echo "       Install it (Debian 12: apt-get install python3.11-venv) or run: make PYTHON=/path/to/python3.11 ..." >&2; \
			exit 1; \
		fi; \
	fi; \
	echo "creating $(VENV) with $$("$$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')"; \
	"$$py" -m venv $(VENV)

# Marker files: reinstall when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "error: $(VENV) is not Python 3.11 (or is broken); run 'make clean' and try again" >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

## install: create .venv and install the run-time requirements
install: $(VENV)/.installed
## install-dev: also the test and lint tools
install-dev: $(VENV)/.installed-dev

## system-deps: Debian's chromium for the browser tests, if missing (apt-get; root or sudo)
system-deps:
	@if [ -n "$$CHROMIUM_PATH" ] && [ -x "$$CHROMIUM_PATH" ]; then echo "chromium: $$CHROMIUM_PATH"; \
	elif [ -x /usr/bin/chromium ]; then echo "chromium: /usr/bin/chromium"; \
	else \
		echo "chromium: missing, installing Debian's chromium package"; \
		$(SUDO) apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	fi

## setup: migrate and load reference and demo data (safe to run again)
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_municipalities
	$(PY) manage.py load_approved_plans
	$(PY) manage.py load_directory_reference
	$(PY) manage.py seed_demo --organizations $(DEMO_ORGANIZATIONS) $(SEED_DEMO_ARGS)
	$(PY) manage.py rebuild_search_index

## run: set up and serve http://127.0.0.1:8000 (PORT, HOST and DATABASE_URL override)
run: setup
	@echo "monozukuri: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/, docs: /api/v1/docs/)"
	@echo "background tasks (reindexing, large imports, mail digests, KPI updates): manage.py db_worker, started alongside"
	@$(PY) manage.py db_worker --queue-name '*' --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver --noreload $(HOST):$(PORT)

## test: the whole suite on SQLite, and on PostgreSQL too when DATABASE_URL names one
test: install-dev
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	if echo "$$DATABASE_URL" | grep -qE '^postgres(ql)?://'; then \
		$(MAKE) --no-print-directory test-postgres || status=1; \
	else echo "make test: DATABASE_URL does not name PostgreSQL, so the PostgreSQL run is skipped"; fi; \
	exit $$status

## test-sqlite: the suite on SQLite only
test-sqlite: install-dev
	@echo "== make test: SQLite =="
	env -u DATABASE_URL -u TEST_DATABASE_NAME $(PY) -m pytest $(PYTEST_ARGS)

## test-postgres: the suite on the PostgreSQL named by DATABASE_URL only
test-postgres: install-dev
	@echo "$$DATABASE_URL" | grep -qE '^postgres(ql)?://' || { \
		echo "error: test-postgres needs DATABASE_URL=postgres://USER@HOST:PORT/NAME" >&2; exit 1; }
	@echo "== make test: PostgreSQL =="
	$(PY) -m pytest $(PYTEST_ARGS)

## lint: ruff
lint: install-dev
	$(VENV)/bin/ruff check .

## typecheck: mypy with django-stubs
typecheck: install-dev
	$(VENV)/bin/mypy monozukuri

## importlint: the import-linter contracts (core below the apps; apps through services/selectors)
importlint: install-dev
	$(VENV)/bin/lint-imports

## migrations-check: fail if a model change has no migration
migrations-check: install-dev
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run

## deploy-check: `manage.py check --deploy` with production settings, warnings included, must be clean
deploy-check: install
	env -u DATABASE_URL -u DEBUG MONOZUKURI_PRODUCTION=1 ALLOWED_HOSTS=monozukuri.example.jp \
		SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(PY) manage.py check --deploy --fail-level WARNING

## check: lint, typecheck, importlint, migrations-check, deploy-check (`make -k check` runs them all)
check: lint typecheck importlint migrations-check deploy-check

## messages: refresh the English catalog locale/en/LC_MESSAGES/django.po and compile the .mo (needs GNU gettext)
# Run from the project root so the catalog lands in ./locale (LOCALE_PATHS) with paths relative to the root.
# Every app under monozukuri/ is scanned (.py, .html and the .txt mail templates); tests and fixtures are not.
# Django's makemessages knows gettext_noop but not its common alias N_ (matching/ranking/scoring.py marks
# its reasons with N_), so xgettext is told about N_ too; `manage.py makemessages` alone would drop them.
MESSAGES_IGNORE := .venv/* var/* bench/* docs/* */tests/* monozukuri/testing/* conftest.py
messages: install
	$(PY) -c 'import django; django.setup(); \
	from django.core.management import call_command; \
	from django.core.management.commands.makemessages import Command; \
	Command.xgettext_options = [*Command.xgettext_options, "--keyword=N_"]; \
	call_command("makemessages", locale=["en"], extensions=["html", "txt", "py"], no_obsolete=True, \
	ignore_patterns="$(MESSAGES_IGNORE)".split())'
	$(PY) manage.py compilemessages -l en --ignore .venv --ignore var --ignore bench

## clean: remove .venv and collected static files (var/ with the database and secret key stays)
clean:
	rm -rf $(VENV) var/static
