# Aporta — the two set-up commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
UV_VERSION := 0.13.8
UV = $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
ONLY ?=

.PHONY: help
help:
	@echo "make run     serve the platform with demo data on http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite"
	@echo "make lint    ruff (lint + format check) and the migrations check"
	@echo "make worker  start a Celery worker (needs REDIS_URL)"
	@echo "make beat    start Celery beat (needs REDIS_URL)"
	@echo "make bench   print benchmark figures (ONLY=<group> for one group)"

.PHONY: uv
uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet --user "uv==$(UV_VERSION)" 2>/dev/null || \
		python3 -m pip install --quiet --user --break-system-packages "uv==$(UV_VERSION)" || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)"

.PHONY: gettext
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
		else echo "Install GNU gettext (msgfmt) to compile translations." >&2; exit 1; fi; }

.PHONY: install
install: uv gettext
	@$(UV) sync --frozen --quiet >&2
	@$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0 >&2

.PHONY: run
run: install
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Aporta is running on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: test
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: worker
worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL: without it tasks run inside the web process." >&2; exit 1; }
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} \
		.venv/bin/celery -A config worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

.PHONY: beat
beat: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL: without it tasks run inside the web process." >&2; exit 1; }
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} \
		.venv/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

.PHONY: bench
bench: install
	@$(PY) -m tests.bench $(if $(ONLY),--only $(ONLY),)
