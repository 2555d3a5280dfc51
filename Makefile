# One task runner. `make demo` and `make test` are the whole set-up on a fresh machine
# with Python 3.11 and make: they create .venv when missing and install into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install demo demo-interactive test test-fast lint bench run clean

help:
	@echo "make demo        - a whole morning on one machine, no accounts needed"
	@echo "make test        - the test suite (PostgreSQL tests run when VIKARIE_TEST_POSTGRES_URL is set)"
	@echo "make lint        - ruff and mypy (strict on bot/ and storage/)"
	@echo "make bench       - the call-out benchmark, printed figures"
	@echo "make run         - start the bot with the settings in .env"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/vikariebot demo

demo-interactive: $(STAMP)
	$(BIN)/vikariebot demo --interactive

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.morning

run: $(STAMP)
	$(BIN)/vikariebot run

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm
