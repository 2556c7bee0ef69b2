# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_PRODUCTS ?= 3000
export FLASK_APP := wsgi.py

.PHONY: run test install messages migrate lint format browser services elasticsearch elasticsearch-stop \
	worker beat relay serve clean bench package-check

$(STAMP): setup.cfg
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Babel's catalogues, compiled for the app to read (a wheel compiles its own: setup.py).
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(CATALOGUES:.po=.mo)

# Every string marked for translation in code and templates, into the template catalogue, and
# each language's catalogue brought up to date with it (then translate what is new in the .po).
messages: install
	$(BIN)/pybabel extract --mapping-file babel.cfg --keywords _l --no-location --sort-output \
	  --project TradeSetu --msgid-bugs-address grievance@tradesetu.in --output-file translations/messages.pot .
	$(BIN)/pybabel update --input-file translations/messages.pot --output-dir translations --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(BIN)/flask db upgrade

# First run: the category tree and a demo catalogue (skipped once products exist).
run: migrate
	$(BIN)/flask catalog load-categories
	$(BIN)/flask demo seed --products $(DEMO_PRODUCTS) --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Browser tests use Debian's Chromium (never a downloaded browser). Installed when missing and
# this user may install packages; otherwise those tests skip and say why. axe-core (the
# accessibility check) comes from the npm registry, pinned and checksummed, into .venv/axe-core.
browser:
	@scripts/axe-core || echo "axe-core could not be fetched: the accessibility walk will fail and say so"
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed and cannot be installed here: browser tests will skip"; fi; }

test: install browser
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Real services for the suite and for running at scale on one machine: PostgreSQL and Redis
# (installed from Debian's packages when missing), and an Elasticsearch node from Maven Central.
services:
	@scripts/services

elasticsearch:
	@scripts/elasticsearch start

elasticsearch-stop:
	@scripts/elasticsearch stop

# Gunicorn with the package's config file (WEB_CONCURRENCY, WEB_THREADS, BIND...: README: "Serving with gunicorn").
serve: migrate
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c python:marketplace.gunicorn_conf marketplace.wsgi:app

worker: install
	$(BIN)/celery -A workers.worker worker --loglevel INFO

beat: install
	$(BIN)/celery -A workers.worker beat --loglevel INFO

relay: install
	$(BIN)/flask tasks relay

# The wheel, installed into a fresh venv outside the checkout, migrating, seeding and serving a
# fresh PostgreSQL database (DATABASE_URL names the server): what an operator would do.
package-check: install
	scripts/package-check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build dist

# Benchmarks print figures; they never run in `make test`. wrk is Debian's package.
bench: install
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/search.py --products $${PRODUCTS:-100000} --backend $${BACKEND:-embedded}

# The soak (bench/soak.py; README: "The soak"): the production stack under a mixed load for
# SOAK_SECONDS at the highest rate keeping p95 under 100 ms; fails on an error, a lost write or
# a process growing 10%. Its own database on DATABASE_URL's server and its own redis-server.
SOAK_SECONDS ?= 600
.PHONY: soak
soak: install
	$(BIN)/python bench/soak.py --seconds $(SOAK_SECONDS)
