# Délégations — one Makefile, the targets named in the README.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# Development mode (development secret key, plain HTTP, demo data allowed) for every target
# here; production leaves DELEGATIONS_DEV unset (0) and sets DJANGO_SECRET_KEY.
DELEGATIONS_DEV ?= 1
export DELEGATIONS_DEV
# The execution bench needs PostgreSQL: it creates and drops its own database there.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: install run test lint bench fuzz fuzz-api demo format clean

$(BIN)/delegations: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/delegations collectstatic --noinput --verbosity 0
	touch $(BIN)/delegations

install: $(BIN)/delegations

run: install
	$(BIN)/delegations migrate --noinput
	$(BIN)/delegations demo
	$(BIN)/delegations serve --port $(PORT)

test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy delegations
	$(BIN)/lint-imports
	$(BIN)/delegations makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The reader on mutated documents (issue 12): prints the count of crashes (target 0).
FUZZ_N ?= 500
FUZZ_SEED ?= 0
fuzz: install
	$(BIN)/python -m delegations.lecture.fuzz --nombre $(FUZZ_N) --graine $(FUZZ_SEED) --garder fuzz-plantages

# The API against its OpenAPI schema as the audit ran it (issue 17): schemathesis with every check
# and every phase, 15 examples per operation (make test runs 2); prints the failures (target 0).
SCHEMATHESIS_EXEMPLES ?= 15
fuzz-api: install
	SCHEMATHESIS_EXEMPLES=$(SCHEMATHESIS_EXEMPLES) SCHEMATHESIS_PHASES=examples,coverage,fuzzing,stateful $(BIN)/python -m pytest -m schemathesis delegations/opendata/tests/test_schemathesis.py -q

bench: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m delegations.bench

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
