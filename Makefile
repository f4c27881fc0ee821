# Pipit — `make help` lists every target.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SMOKE_PORT ?= 8099
# The smoke run gets a database of its own (CI points DATABASE_URL at a fresh PostgreSQL one), so
# it never rewrites the ports of your demo database.
# Pages and API routes of the first-party plugins: switched on for cosmetics, off for fasteners.
SMOKE_PLUGIN_PATHS := /shop/p/quick_order/ /shop/p/saved_lists/ /shop/p/reorder/orders/100001/ \
	/api/v1/p/quick_order/match/ /api/v1/p/saved_lists/lists/ /api/v1/p/reorder/orders/100001/
SMOKE_DATABASE_URL ?= $(or $(DATABASE_URL),sqlite:///$(CURDIR)/var/smoke.sqlite3)

.DEFAULT_GOAL := help
.PHONY: help install demo serve migrate load-demo worker test test-plugins test-fast test-e2e smoke lint format check-migrations bench messages plugin clean

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Pipit needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The first-party plugins in plugins/<name>/ are installed the way a third party's would be: as
# pip packages (editable here) that Pipit finds through their entry points.
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))

$(VENV)/.installed: pyproject.toml $(wildcard plugins/*/pyproject.toml) | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]' $(foreach dir,$(PLUGIN_DIRS),-e $(dir))
	touch $@

install: $(VENV)/.installed ## Create .venv and install Pipit, its test tools and plugins/*

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
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-pipit.settings.dev} $(BIN)/celery -A pipit worker -B -l info --concurrency 2

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Apply ruff formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=pipit.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

messages: install ## Extract marked strings into platform/pipit/locale and each plugin's locale (ru, en); compile
	$(BIN)/python manage.py makemessages -l ru -l en --no-obsolete --ignore=.venv --ignore=var \
		--ignore=node_modules --ignore=tests --ignore=fixtures --ignore=docs --ignore="plugins/*/*"
	cd platform/pipit && $(abspath $(BIN))/django-admin compilemessages -l ru -l en
	@# Each plugin keeps its own catalog in its package, as a third-party plugin would.
	@for pkg in $(wildcard plugins/*/pipit_*); do \
	  (cd $$pkg && mkdir -p locale && env -u DJANGO_SETTINGS_MODULE $(abspath $(BIN))/django-admin \
	    makemessages -l ru -l en --no-obsolete && \
	    env -u DJANGO_SETTINGS_MODULE $(abspath $(BIN))/django-admin compilemessages -l ru -l en) || exit 1; \
	done

test: install lint check-migrations ## Run the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	DJANGO_SETTINGS_MODULE=pipit.settings.test $(BIN)/pytest
	$(MAKE) --no-print-directory test-plugins
	$(MAKE) --no-print-directory smoke

test-plugins: install ## Run each plugin's own tests, from its folder, as its author would
	@for dir in $(PLUGIN_DIRS); do \
	  echo "== $$dir"; \
	  (cd $$dir && $(abspath $(BIN))/pytest -q -p no:cacheprovider) || exit 1; \
	done

smoke: install ## Real migrations + demo load into a scratch database, then curl every demo host
	@mkdir -p var
	DATABASE_URL=$(SMOKE_DATABASE_URL) $(BIN)/python manage.py migrate --no-input -v0
	DATABASE_URL=$(SMOKE_DATABASE_URL) $(BIN)/python manage.py load_demo --port $(SMOKE_PORT) >/dev/null
	@DATABASE_URL=$(SMOKE_DATABASE_URL) $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(SMOKE_PORT) >var/smoke.log 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null" EXIT; \
	for i in $$(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:$(SMOKE_PORT)/ && break; sleep 0.2; done; \
	fail=0; \
	for host in cosmetics.localhost autoparts.localhost fasteners.localhost; do \
	  for path in / /shop/catalogue/ /shop/search/?q=a; do \
	    code=$$(curl -s -o /dev/null -w '%{http_code}' -H "Host: $$host" http://127.0.0.1:$(SMOKE_PORT)$$path); \
	    echo "smoke: $$host$$path -> $$code"; [ "$$code" = 200 ] || fail=1; \
	  done; \
	done; \
	code=$$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: nowhere.example' http://127.0.0.1:$(SMOKE_PORT)/); \
	echo "smoke: nowhere.example/ -> $$code (must be 404)"; [ "$$code" = 404 ] || fail=1; \
	for path in $(SMOKE_PLUGIN_PATHS); do \
	  on=$$(curl -s -o /dev/null -w '%{http_code}' -H "Host: cosmetics.localhost" http://127.0.0.1:$(SMOKE_PORT)$$path); \
	  off=$$(curl -s -o /dev/null -w '%{http_code}' -H "Host: fasteners.localhost" http://127.0.0.1:$(SMOKE_PORT)$$path); \
	  echo "smoke: $$path -> cosmetics $$on (plugin on: login or 200), fasteners $$off (off: 404)"; \
	  [ "$$off" = 404 ] && [ "$$on" != 404 ] || fail=1; \
	done; \
	exit $$fail

test-fast: install ## The suite without browser tests
	DJANGO_SETTINGS_MODULE=pipit.settings.test $(BIN)/pytest -m "not e2e"

test-e2e: install ## Only the browser tests (Debian's chromium)
	DJANGO_SETTINGS_MODULE=pipit.settings.test $(BIN)/pytest -m e2e

bench: install ## Print server-time and query figures for hot pages
	$(BIN)/python manage.py bench

plugin: install ## Scaffold a plugin package: make plugin NAME=my_plugin (into plugins/)
	@test -n "$(NAME)" || (echo "Usage: make plugin NAME=my_plugin" && exit 2)
	$(BIN)/python manage.py startplugin $(NAME)

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var
