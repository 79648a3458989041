# Two commands on a fresh machine: `make run` (the app, with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint format bench clean

# The translations, compiled from locale/<language>/LC_MESSAGES/django.po (GNU gettext's msgfmt;
# the .mo files are built, not committed).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

install: $(STAMP) node_modules/.installed $(MO_FILES)

%.mo: %.po
	msgfmt --check -o $@ $<

# Re-installs only when the declared or pinned dependencies change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

run: install
	DJANGO_DEBUG=True $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=True $(BIN)/python manage.py seed_demo --if-empty
	@echo "CareGuide: http://127.0.0.1:8000/   coordinators: http://127.0.0.1:8000/coordinator/"
	DJANGO_DEBUG=True $(BIN)/python manage.py runserver 127.0.0.1:8000

# Tests run with debug off, as production does, on throwaway credentials; over plain http
# (the test client and live_server), so without the https redirect (tests/test_security.py
# checks the redirect itself); in one process, so with the cache in its memory, not Redis.
TEST_ENV := DJANGO_DEBUG=False DJANGO_SECRET_KEY=test-only-secret-key-0123456789abcdef-not-for-production \
	DJANGO_ALLOWED_HOSTS=testserver,localhost,127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=False \
	LOCAL_MEMORY_CACHE=True

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The full benchmark (minutes): PostgreSQL on this machine, in a database of its own.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/careguide_bench
bench: install
	@command -v wrk >/dev/null || { echo "bench needs wrk: apt-get install -y wrk"; exit 1; }
	$(BIN)/python bench/run.py --database-url $(BENCH_DATABASE_URL) $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -r careguide assessments coordinator scripts bench -ll -q

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles $(MO_FILES)
