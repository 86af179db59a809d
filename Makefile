# The portal's two commands: `make run` (portal with demo data) and `make test` (whole suite).
# Everything is installed into .venv/ and node_modules/ by the targets below.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DSFR_DIST := node_modules/@gouvfr/dsfr/dist
# What the pages load from the design system, copied into static/dsfr (ignored by git).
DSFR_FILES := dsfr.min.css dsfr.print.min.css dsfr.module.min.js dsfr.nomodule.min.js \
              fonts icons favicon utility artwork

.PHONY: run test lint install install-dev assets translations bench bench-queue clean

## make run: install, migrate the embedded database, load demo data, start the portal.
run: install assets translations
	$(BIN)/portal db upgrade
	$(BIN)/portal demo --base-url http://$(HOST):$(PORT)
	PORTAL_BASE_URL=http://$(HOST):$(PORT) $(BIN)/portal run --host $(HOST) --port $(PORT)

## make test: lint, then the whole suite on SQLite, then on PostgreSQL if TEST_DATABASE_URL is set.
test: install-dev assets translations
	$(BIN)/ruff check .
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
		echo "== the same suite on $(TEST_DATABASE_URL)"; \
		TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest; \
	else \
		echo "TEST_DATABASE_URL not set: PostgreSQL pass skipped (see README)"; \
	fi

lint: install-dev
	$(BIN)/ruff check .

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24,<27"
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

assets: static/dsfr/.installed

# npm writes node_modules/.package-lock.json: a deleted node_modules/ is installed again.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

static/dsfr/.installed: node_modules/.package-lock.json
	rm -rf static/dsfr && mkdir -p static/dsfr
	cd $(DSFR_DIST) && cp -r $(DSFR_FILES) $(CURDIR)/static/dsfr/
	find static/dsfr -name '*.map' -delete
	touch $@

translations: install
	$(BIN)/portal i18n compile

## make bench: the benchmarks under bench/ but the queue's (minutes of filling: make bench-queue).
bench: install-dev
	@for script in $(filter-out bench/bench_queue.py,$(wildcard bench/*.py)); do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

## make bench-queue ARGS="--keep": the back-office queue with a million answers (see its docstring).
bench-queue: install-dev
	$(BIN)/python bench/bench_queue.py $(ARGS)

clean:
	rm -rf $(VENV) node_modules static/dsfr instance/*.sqlite3* .pytest_cache .ruff_cache
