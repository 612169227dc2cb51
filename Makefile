# The two commands a newcomer needs: `make run` (the app, on the embedded SQLite default) and `make test`.
# Both create the virtualenv and install the project on first use.
VENV ?= .venv
PYTHON ?= python3

.PHONY: run test lint bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(VENV)/bin/python -m bot serve

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# Slash commands through `python -m bot serve` beside a bare Bolt app, then the digest at 1k/10k/100k flags.
bench: $(VENV)/.installed
	$(VENV)/bin/python benchmarks/run.py --requests 1000
	$(VENV)/bin/python benchmarks/digest.py
