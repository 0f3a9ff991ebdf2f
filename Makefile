# HLED — make demo (set up and serve the demo site) and make test (set up and run the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format install messages screenshots serve test-postgres services volume bench bench-search bench-cluster bench-soak replica-demo backup restore audit clean

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
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SERVE_MEDIA=1 \
	EMAIL_URL=console:// DJANGO_SITE_URL=http://$(HOST):$(PORT)

demo: install .demo-secret
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py loaddata hled_demo consultations_demo
	$(DEMO_ENV) $(PY) manage.py open_demo_consultation
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(DEMO_ENV) $(PY) manage.py ensure_demo_superuser --roles
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret $(BIN)/pytest $(PYTEST_ARGS)

# The suite again on the local PostgreSQL (pytest-django creates and drops test_hled), without
# the browser tests: they exercise the browser side, which the SQLite run already covers; nor
# the fault tests, which start a PostgreSQL of their own in either run.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hled
POSTGRES_PYTEST_ARGS ?= -m "not e2e and not services"
test-postgres: install
	DATABASE_URL=$(TEST_DATABASE_URL) DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret \
		$(BIN)/pytest --create-db $(POSTGRES_PYTEST_ARGS) $(PYTEST_ARGS)

# Production-like serving on the local database: debug off, collected static files, gunicorn
# (settings in gunicorn.conf.py; WEB_CONCURRENCY sets the workers, default 2 x cores + 1).
SERVE_ENV = DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$(cat .demo-secret)" \
	DJANGO_ALLOWED_HOSTS=$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}

serve: install .demo-secret
	$(SERVE_ENV) $(PY) manage.py migrate --noinput
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving with gunicorn on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(SERVE_ENV) GUNICORN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn

# Local PostgreSQL and Redis for test-postgres and bench (installed from Debian if missing).
services:
	bash .ci/services

# Volume data in the benchmark database: 10,000 meetings, 100,000 agenda items, 20,000
# agreements, 5,000 stakeholders (about 2 minutes). Kept between runs; VOLUME_ARGS=--clear
# replaces it.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hled_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/1
volume: install services
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) --prepare-only $(VOLUME_ARGS)

# gunicorn on the volume data, driven by wrk over loopback: cold and warm figures per page
# type beside /healthz, printed and written to bench-results/. See docs/performance.md.
bench: install services .demo-secret
	command -v wrk >/dev/null 2>&1 || (apt-get update && apt-get install -y wrk)
	$(PY) bench/run.py --database-url $(BENCH_DATABASE_URL) --redis-url $(BENCH_REDIS_URL) \
		--secret-file .demo-secret $(BENCH_ARGS)

# Production as operators run it: nginx's cache (deploy/nginx.conf.in) in front of two gunicorn
# servers sharing PostgreSQL and Redis, on the volume data. Proxy hits, app hits and cold
# renders beside /healthz; the publish bound; 50 clients for 60 s; a crawler flood beside normal
# visitors (bench/cluster_bench.py; about 6 minutes). bench-soak adds a 10-minute soak with the
# workers' memory sampled.
bench-cluster: install services .demo-secret
	command -v wrk >/dev/null 2>&1 || (apt-get update && apt-get install -y wrk)
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || (apt-get update && apt-get install -y nginx-light)
	$(PY) bench/cluster_bench.py --database-url $(BENCH_DATABASE_URL) --redis-url $(BENCH_REDIS_URL) \
		--secret-file .demo-secret $(BENCH_ARGS)

bench-soak:
	$(MAKE) bench-cluster BENCH_ARGS="--skip rows,publish,load,flood --soak-seconds 600 $(BENCH_ARGS)"

# Read replicas shown working (deploy/replica.py): a primary and a streaming replica
# (pg_basebackup -R) on spare loopback ports, gunicorn reading from both; prints which cluster
# served which reads and the replication lag, then removes everything (about a minute).
replica-demo: install
	$(PY) deploy/replica.py $(REPLICA_ARGS)

# The site search in-process on the volume data: p50 / p95 per kind of query (common, rare,
# accented, misspelt), against the 50 ms target. Run `make volume` first.
bench-search: install
	$(PY) bench/search.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

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

# Back up the database (pg_dump, or SQLite's online backup) and the uploaded media into
# backups/hled-<UTC time>/ (DJANGO_BACKUP_DIR), with a manifest; restore one with
# `make restore BACKUP=backups/hled-…` (asks first; refuses an incomplete or altered backup).
backup: install
	$(PY) manage.py backup

restore: install
	@test -n "$(BACKUP)" || (echo "Usage: make restore BACKUP=backups/hled-<time>" && exit 2)
	$(PY) manage.py restore "$(BACKUP)"

# Known vulnerabilities in the pinned dependencies (needs PyPI's JSON API or OSV, which CI
# cannot reach: see docs/security.md). pip-audit gets a virtual environment of its own.
audit:
	$(PYTHON) -m venv .venv-audit
	.venv-audit/bin/pip install --quiet pip-audit==2.10.1
	.venv-audit/bin/pip-audit --requirement requirements.lock --no-deps --disable-pip

clean:
	rm -rf $(VENV) .venv-audit staticfiles .pytest_cache .ruff_cache .coverage htmlcov test-artifacts
