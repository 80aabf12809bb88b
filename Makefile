# Shelter App: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=
# the suite runs on every processor (pytest-xdist; an idle process takes tests queued for a
# busy one); PYTEST_ARGS= runs it in one process
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: run demo test lint typecheck pytest translations extract bench screenshots clean \
        system-deps-run system-deps-test

## run: install what is missing, then start the application on the default vault
run: $(STAMP) translations system-deps-run
	$(BIN)/shelter-app $(ARGS)

## demo: the application on a throwaway vault with its passphrase shown
demo: $(STAMP) translations system-deps-run
	$(BIN)/shelter-app --demo $(ARGS)

## test: lint, type-check and the whole test suite, headless
test: $(STAMP) translations system-deps-test lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check shelter_app ui tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) translations
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest $(PYTEST_ARGS)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## translations: compile the catalogues (and the pseudo-locale) the program loads
translations: $(STAMP)
	$(BIN)/python -m shelter_app.i18n.build compile

## extract: refresh translations/shelter_app.pot (and merge it into the catalogues)
extract: $(STAMP)
	$(BIN)/python -m shelter_app.i18n.build extract
	$(BIN)/python -m shelter_app.i18n.build update

## bench: print the benchmark figures (not part of the test suite)
bench: $(STAMP) translations
	$(BIN)/python -m benchmarks
	$(BIN)/python -m benchmarks.records
	$(BIN)/python -m benchmarks.documents
	$(BIN)/python -m benchmarks.history
	$(BIN)/python -m benchmarks.restore
	$(BIN)/python -m benchmarks.retention
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m benchmarks.gui

## screenshots: render the main screens into docs/screenshots/
screenshots: $(STAMP) translations system-deps-test
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m ui.screenshots docs/screenshots

system-deps-run:
	@scripts/system-deps run

system-deps-test:
	@scripts/system-deps test

clean:
	rm -rf $(VENV) build *.egg-info shelter_app/i18n/locale .pytest_cache .mypy_cache .ruff_cache
