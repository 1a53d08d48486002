# Two commands matter: `make run` (set up, index, start) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run index test lint bench clean

setup: $(STAMP)

# Re-install only when the requirement files change.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

index: setup
	$(PY) -m index build

run: index
	$(PY) app.py

lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy

test: lint
	$(PY) -m pytest

bench: setup
	$(PY) bench/index_build.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
