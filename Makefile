# The two commands a new user needs: `make run` starts the dashboard, `make test` checks everything.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-requirements

.PHONY: run test lint format benchmark

$(STAMP): requirements.txt
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(STAMP)

run: $(STAMP)
	$(BIN)/python -m analytics init
	$(BIN)/python -m ui.serve --server.port 8501

# The whole suite twice: on SQLite files, then on a throwaway PostgreSQL cluster (tests/conftest.py).
test: lint
	$(BIN)/pytest
	DASHBOARD_TEST_STORE=postgresql $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

benchmark: $(STAMP)
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done
