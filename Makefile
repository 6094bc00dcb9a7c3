# signon: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format bench clean reference-docx extract update-catalogs compile-catalogs

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "signon needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[postgres,redis]'
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,postgres,redis]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/signon db upgrade
	$(BIN)/signon demo
	SIGNON_MAIL_WORKER_THREAD=true $(BIN)/signon run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks are not tests: pytest never collects tests/bench/*_bench.py.
# make bench BENCH_ARGS="--seconds 5 --clients 20"
bench: $(VENV)/.installed-test
	@for script in tests/bench/*_bench.py; do [ -e "$$script" ] || continue; echo "== $$script"; $(BIN)/python "$$script" $(BENCH_ARGS) || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The styles every DOCX download uses (templates/documents/reference.docx, committed).
reference-docx: $(VENV)/.installed
	$(BIN)/python docs/make_reference_docx.py

# The interface's translations (signon/translations/<lang>/LC_MESSAGES/messages.po).
# The app compiles the .po files in memory when it starts, so nothing compiled can
# be stale; `compile-catalogs` writes .mo files for other tools and checks them.
CATALOGS := signon/translations
KEYWORDS := -k lazy_gettext -k _l -k lazy_ngettext:1,2 -k translate:2 -k translate_plural:2,3 -k N_
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F $(CATALOGS)/babel.cfg $(KEYWORDS) --sort-by-file \
		--no-wrap --project signon --copyright-holder "signon contributors" \
		-o $(CATALOGS)/messages.pot signon templates

update-catalogs: extract
	$(BIN)/pybabel update --no-wrap --ignore-obsolete --no-fuzzy-matching \
		-i $(CATALOGS)/messages.pot -d $(CATALOGS)

compile-catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d $(CATALOGS)
