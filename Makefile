# Convivio: `make run` to try it, `make test` to test it. Needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails the worker sends point at the address served here, unless SITE_URL
# is set in the environment. Passed as is: honcho gives each process a PORT of its own.
SITE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test lint format migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: set up, migrate, load the demo firm, scan for what is due, serve web + Celery worker + beat
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py run_due_scan
	@echo
	@echo "  Convivio is starting on http://$(HOST):$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	HOST=$(HOST) PORT=$(PORT) SITE_URL="$(SITE_URL)" $(BIN)/honcho -f Procfile.dev start

## test: set up and run the whole suite on two processes with coverage (SQLite by default;
## DATABASE_URL for PostgreSQL), then hold each module to its coverage floor
## (tests/coverage_floor.py). PYTEST_ARGS runs part of it: floors are then not checked.
## Compiled modules are kept (__pycache__, git-ignored) even where the environment sets
## PYTHONDONTWRITEBYTECODE: compiling them again costs each test process seconds.
WORKERS ?= 2
test: $(VENV)/.dev
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(WORKERS) --dist worksteal --cov \
		--cov-report=term-missing:skip-covered $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),@echo "Coverage floors are checked on the whole suite only.",$(BIN)/python tests/coverage_floor.py)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var db.sqlite3*
