# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates .venv and installs the pinned project on first use (`make setup`).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-packages run test lint bench lock clean

setup: $(STAMP) system-packages

# The system packages the tests need: poppler's pdftoppm renders a report page to check it is not
# blank, and Debian's chromium is the real browser the dashboard tests drive through Playwright's
# `executable_path` (never `playwright install`, which downloads a browser from outside the
# registries). Installed here when missing and we may (root with apt-get); otherwise one line
# says so, and those tests are skipped outside CI (they fail in CI, where CI is set).
SYSTEM_PACKAGES := pdftoppm:poppler-utils chromium:chromium

system-packages:
	@for pair in $(SYSTEM_PACKAGES); do 	  program=$${pair%%:*}; package=$${pair##*:}; 	  command -v $$program >/dev/null && continue; 	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then 	    echo "make setup: installing $$package ($$program, for the tests)"; 	    { apt-get install -y -qq $$package || { apt-get update -qq && \
	      apt-get install -y -qq $$package; }; } >/dev/null 2>&1 || \
	    echo "make setup: $$package could not be installed; the tests that need it are skipped"; \
	  else \
	    echo "make setup: $$program is missing (apt-get install $$package); the tests that need it are skipped"; \
	  fi; \
	done

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/dvht serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

# Refresh the full pin list after changing a direct dependency in pyproject.toml.
lock: setup
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
