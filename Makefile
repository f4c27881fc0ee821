# Pipit — `make help` lists every target.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= pipit.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install demo serve migrate load-demo worker test test-fast test-e2e lint format check-migrations bench messages clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Pipit needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install Pipit with its test tools

migrate: install ## Apply database migrations (SQLite in var/, or DATABASE_URL)
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v0

load-demo: migrate ## Load the three demo storefronts (idempotent)
	$(BIN)/python manage.py load_demo --port $(PORT)

demo: load-demo ## Install, migrate, load the demo and serve it on http://127.0.0.1:8000
	$(BIN)/python manage.py demo_logins --port $(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: install ## Serve without reloading the demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install ## Start a Celery worker (needs REDIS_URL, e.g. redis://127.0.0.1:6379/0)
	@test -n "$$REDIS_URL" || (echo "Set REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0" && exit 2)
	$(BIN)/celery -A pipit worker -l info --concurrency 2

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=pipit.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

messages: install ## Compile the Russian and English translations
	cd platform/pipit && ../../$(BIN)/django-admin compilemessages --ignore=.venv

test: install lint check-migrations ## Run the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(BIN)/pytest

test-fast: install ## The suite without browser tests
	$(BIN)/pytest -m "not e2e"

test-e2e: install ## Only the browser tests (Debian's chromium)
	$(BIN)/pytest -m e2e

bench: install ## Print server-time and query figures for hot pages
	$(BIN)/python manage.py bench

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
