# monozukuri — `make run` sets up and serves the platform with demo data; `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
export DJANGO_SETTINGS_MODULE := monozukuri.settings

.PHONY: run setup install install-dev test test-sqlite test-postgres lint typecheck importlint check messages clean

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## setup: migrate and load reference and demo data (safe to run again)
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_municipalities
	$(PY) manage.py load_approved_plans
	$(PY) manage.py seed_demo $(SEED_DEMO_ARGS)

## run: set up and serve http://$(HOST):$(PORT) (PORT and DATABASE_URL override)
run: setup
	@echo "monozukuri: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver --noreload $(HOST):$(PORT)

## test: the whole suite on SQLite, and on PostgreSQL too when DATABASE_URL names one
test: install-dev
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$DATABASE_URL" ] && echo "$$DATABASE_URL" | grep -q '^postgres'; then \
		$(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL does not name PostgreSQL: the PostgreSQL run is skipped"; fi

test-sqlite: install-dev
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

## lint, typecheck, importlint: static checks (also run by `make check`)
lint: install-dev
	$(VENV)/bin/ruff check .

typecheck: install-dev
	$(VENV)/bin/mypy monozukuri

importlint: install-dev
	$(VENV)/bin/lint-imports

check: lint typecheck importlint
	$(PY) manage.py makemigrations --check --dry-run

## messages: refresh the English catalogs after changing user-facing text (needs GNU gettext)
messages: install-dev
	cd monozukuri && ../$(PY) ../manage.py makemessages -l en --no-obsolete --ignore 'testing/*' && ../$(PY) ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var/static
