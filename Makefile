# The two commands: `make run` serves the API, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint build schemas browser wrk bench bench-smoke install clean

run: $(STAMP)
	$(BIN)/python -m api serve

test: $(STAMP) browser wrk
	$(BIN)/ruff format --check api tests bench
	$(BIN)/ruff check api tests bench
	$(BIN)/mypy api tests
	$(BIN)/pytest --cov
	$(BIN)/python -m bench.run --smoke

# The benchmark (bench/run.py): the service against the limit and its peers; ~10 minutes.
# The report goes to bench/results/ and BENCHMARKS.md. bench-smoke: a second per case.
bench: $(STAMP) wrk
	$(BIN)/python -m bench.run

bench-smoke: $(STAMP) wrk
	$(BIN)/python -m bench.run --smoke

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/python -m api build

schemas: $(STAMP)
	$(BIN)/python -m api schemas

# Headless Chromium for the docs-page test, from Debian's packages (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# wrk, the load generator of the benchmark, from Debian's packages.
wrk:
	@command -v wrk >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

clean:
	rm -rf build $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
