# HLED — make demo (set up and serve the demo site) and make test (set up and run the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format install messages screenshots clean

$(BIN)/activate: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $(BIN)/activate

install: $(BIN)/activate

.demo-secret:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > .demo-secret

# The demo runs with debug off, like production, so visitors see the real error pages.
DEMO_ENV = DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat .demo-secret)" \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SERVE_MEDIA=1

demo: install .demo-secret
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py loaddata hled_demo
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py ensure_demo_superuser
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the Spanish catalogue after changing strings (needs GNU gettext), then compile it.
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l es --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages -l es --ignore=.venv

# Refresh the README's screenshots from the demo data: the browser tests take them at 1280 px.
screenshots: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest -q -m e2e -k screenshots
	mkdir -p docs/screenshots
	cp "$${HLED_ARTIFACTS:-test-artifacts}"/screenshots/readme/*.png docs/screenshots/

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .coverage htmlcov test-artifacts
