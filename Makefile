# Convivio: `make run` to try it, `make test` to test it. Needs only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

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
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start

## test: set up and run the whole suite (SQLite by default; DATABASE_URL for PostgreSQL)
test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var db.sqlite3*
