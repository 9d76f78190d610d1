# capitallens — `make up` runs everything on the embedded default; `make test` runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install up test lint bench clean

install: $(VENV)/.installed hf/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

hf/node_modules/.installed: hf/package.json hf/package-lock.json
	cd hf && npm ci --no-audit --no-fund
	touch $@

up: install
	$(BIN)/capitallens db upgrade
	$(BIN)/capitallens up

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy core db hf config

clean:
	rm -rf $(VENV) hf/node_modules .pytest_cache
