# One task runner. `make demo` and `make test` are the whole set-up on a fresh machine
# with Python 3.11 and make: they create .venv when missing and install into it.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install lock demo demo-interactive test test-fast lint bench run clean

help:
	@echo "make demo        - a whole morning on one machine, no accounts needed"
	@echo "make test        - the test suite (PostgreSQL tests run when VIKARIE_TEST_POSTGRES_URL is set)"
	@echo "make test-fast   - the tests without PostgreSQL, browser, crash loops and demo morning"
	@echo "make lint        - ruff and mypy (strict on bot/ and storage/)"
	@echo "make bench       - the call-out benchmark, printed figures"
	@echo "make run         - start the bot with the settings in .env"
	@echo "make lock        - refresh the locks after changing pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The exact versions (with hashes) come from the lock; the project itself on top.
# requirements.lock: what the bot runs on (the image); requirements-dev.lock: that + the tools.
$(STAMP): pyproject.toml requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

# Refresh the lock after changing a range in pyproject.toml (pip-tools in a throwaway venv).
lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install --quiet pip-tools
	.lockenv/bin/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --allow-unsafe -o requirements.lock pyproject.toml
	.lockenv/bin/pip-compile --quiet --extra dev --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --allow-unsafe -o requirements-dev.lock pyproject.toml
	rm -rf .lockenv

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/vikariebot demo

demo-interactive: $(STAMP)
	$(BIN)/vikariebot demo --interactive

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The quick loop: no PostgreSQL, no browser, no kill -9 loops or scripted morning.
test-fast: $(STAMP)
	VIKARIE_TEST_POSTGRES_URL= $(BIN)/python -m pytest -q -n 2 -m "not postgres and not slow and not browser"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.morning

run: $(STAMP)
	$(BIN)/vikariebot run

clean:
	rm -rf $(VENV) data/*.db data/*.db-wal data/*.db-shm
