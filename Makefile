# The two commands: `make run` serves the API, `make test` runs every check (`make check`: the quick ones).
# Everything is installed from requirements.lock (exact versions and hashes) by uv, itself pinned with
# hashes in tools/uv.txt; nothing is installed by hand and nothing is resolved at install time.
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
UV := build/uv/bin/uv
LOCK := requirements.lock
STAMP := $(VENV)/.synced
# uv uses the machine's Python (3.11, see pyproject.toml) and never downloads one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON_PREFERENCE := only-system
# The lock's header records a digest of what pyproject.toml declares, so that any change to a
# declaration, even one the pins still satisfy, makes lock-check fail until `make lock` is run.
DECLARED = $(shell $(PYTHON) -c 'import hashlib, json, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; print(hashlib.sha256(json.dumps([p["requires-python"], p["dependencies"], p["optional-dependencies"]]).encode()).hexdigest()[:16])')
COMPILE = $(UV) pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock (pyproject.toml declares $(DECLARED))" \
	--quiet
# The inner loop leaves out what needs a live server, a browser or a generated-request contract run.
QUICK := not live and not browser and not contract

.PHONY: run test check lint lock lock-upgrade lock-check build schemas browser npm wrk sqlite3 nginx bench \
	bench-smoke serve-proxy kernel clients install clean

# Build when an input or the code changed, then serve: `serve` itself never writes the database.
run: $(STAMP)
	$(BIN)/python -m api build --if-stale
	$(BIN)/python -m api serve --host $(HOST) --port $(PORT)

# Two processes share the two cores; the in-process schemathesis run gets a process of its own:
# under pytest-xdist with two workers its per-operation tests collapse into one (schemathesis
# 4.32, seen here), so it would test a single operation.
test: $(STAMP) browser npm wrk nginx kernel clients lock-check lint
	$(BIN)/pytest -n 2 --dist loadfile --cov --cov-report= --cov-fail-under=0 \
		--ignore=tests/test_contract.py
	$(BIN)/pytest --cov --cov-append tests/test_contract.py
	$(BIN)/python -m bench.run --smoke

check: $(STAMP) npm lock-check lint
	$(BIN)/pytest -m "$(QUICK)" -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff format --check api tests bench deploy clients
	$(BIN)/ruff check api tests bench deploy clients
	$(BIN)/mypy api tests bench deploy
	$(BIN)/deptry .

# The benchmark (bench/run.py): the service against the limit and its peers, then the questions
# that stand alone on the same machine: the service behind the proxy (bench/proxy.py), CSV export
# at scale (bench/export.py), the search budget at scale (bench/search_budget.py) and cached GETs
# of earlier commits beside the checkout (bench/commits.py: what a change cost); ~22 minutes.
# The reports go to bench/results/ and BENCHMARKS.md. bench-smoke: a second per case.
bench: $(STAMP) wrk sqlite3 nginx
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.proxy > bench/results/proxy.md
	$(BIN)/python -m bench.export --out bench/results/export.json
	$(BIN)/python -m bench.search_budget > bench/results/search-budget.md
	$(BIN)/python -m bench.commits > bench/results/commits.md

bench-smoke: $(STAMP) wrk
	$(BIN)/python -m bench.run --smoke

install: $(STAMP)

$(UV): tools/uv.txt
	$(PYTHON) -m venv build/uv
	build/uv/bin/pip install --quiet --require-hashes --no-deps -r tools/uv.txt

$(STAMP): $(LOCK) $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --require-hashes --python $(BIN)/python $(LOCK)
	touch $(STAMP)

# After editing the dependencies in pyproject.toml: re-resolve, keeping every pin that still fits.
lock: $(UV)
	$(COMPILE) --output-file $(LOCK)

# On purpose: every package to its newest release that pyproject.toml allows.
lock-upgrade: $(UV)
	$(COMPILE) --upgrade --output-file $(LOCK)

# The lock must be what `make lock` makes of pyproject.toml now.
lock-check: $(UV)
	@mkdir -p build
	@cp $(LOCK) build/lock-check.txt
	@$(COMPILE) --output-file build/lock-check.txt
	@cmp -s $(LOCK) build/lock-check.txt || { diff -u $(LOCK) build/lock-check.txt | head -40; \
		echo "requirements.lock does not match pyproject.toml: run make lock and commit both" >&2; \
		exit 1; }

build: $(STAMP)
	$(BIN)/python -m api build

# The reference deployment (deploy/, DEPLOY.md): 2 replicas behind nginx on $(HOST):$(PORT).
serve-proxy: $(STAMP) nginx
	$(BIN)/python -m api build --if-stale
	$(BIN)/python -m deploy.proxy --host $(HOST) --port $(PORT)

schemas: $(STAMP)
	$(BIN)/python -m api schemas

# Headless Chromium for the docs-page and article-page tests, from Debian's packages (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The pages' checkers, exactly as tools/npm/package-lock.json pins them: axe-core (accessibility)
# and vnu-jar (the Nu HTML Checker; run with the machine's Java).
npm: tools/npm/node_modules/.package-lock.json

tools/npm/node_modules/.package-lock.json: tools/npm/package-lock.json
	npm ci --prefix tools/npm --ignore-scripts --no-audit --no-fund --silent
	touch $@

# wrk, the load generator of the benchmark, from Debian's packages.
wrk:
	@command -v wrk >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)

# The kernel setting production hosts should have (README, "Workers"): connections queued on a
# worker that dies move to a live one. Set for the tests where the machine allows it (root);
# tests/test_resilience.py checks the weaker guarantee where it does not.
kernel:
	@sysctl -qw net.ipv4.tcp_migrate_req=1 2>/dev/null || \
		echo "net.ipv4.tcp_migrate_req not set: the killed-worker test allows the kernel's resets"

# The integrators' tools the client tests run (clients/package-lock.json, exact versions and
# integrity hashes): the linters and the TypeScript generator and compiler.
clients: clients/node_modules/.installed

clients/node_modules/.installed: clients/package-lock.json
	cd clients && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# sqlite3, the command-line shell bench/export.py measures CSV export against.
sqlite3:
	@command -v sqlite3 >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null)

# nginx, the reference deployment's caching proxy (deploy/), from Debian's packages.
nginx:
	@command -v nginx >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null)

clean:
	rm -rf build $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis tools/npm/node_modules
