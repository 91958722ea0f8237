# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SNAPSHOT ?= $(or $(TRIALDASH_SNAPSHOT),data/trial.duckdb)
PORT ?= 8501
# Without sign-in ([auth] in .streamlit/secrets.toml) the dashboard listens on this computer
# only; with it, on every interface unless ADDRESS says otherwise.
ADDRESS ?= $(if $(shell grep -qs '^\[auth' .streamlit/secrets.toml && echo auth),,127.0.0.1)

.PHONY: run test snapshot lint bench chromium clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

$(SNAPSHOT): | $(VENV)/.installed
	$(PY) -m trialdash snapshot build --synthetic --out $(SNAPSHOT)

## Install, build the synthetic snapshot if missing, start the dashboard.
run: $(VENV)/.installed $(SNAPSHOT)
	TRIALDASH_SNAPSHOT=$(SNAPSHOT) $(VENV)/bin/streamlit run app.py --server.port $(PORT) \
	  $(if $(ADDRESS),--server.address $(ADDRESS))

## Rebuild the synthetic snapshot (replaces it atomically).
snapshot: $(VENV)/.installed
	$(PY) -m trialdash snapshot build --synthetic --out $(SNAPSHOT)

## Debian's Chromium for the browser tests and PDF packs (Playwright's own browser download
## is not used), and poppler-utils (pdftoppm, pdftotext) for the PDF pack tests.
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium poppler-utils; }

## Install test needs (Chromium included) and run every test.
test: $(VENV)/.installed-test chromium
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

## Benchmarks: snapshot builds and analyses on large synthetic cohorts, then the dashboard in
## Chromium beside a blank Streamlit app (each measure against its target, why where missed),
## then twenty sessions at once while the snapshot is replaced twice (writes
## benchmarks/results.json and results.md). `make bench BENCH_RUNS_LARGE=1` for one session
## at 14,000 patients instead of three.
BENCH_SIZES ?= 14 1400 14000
BENCH_RUNS ?= 3
BENCH_RUNS_LARGE ?= $(BENCH_RUNS)
bench: $(VENV)/.installed-test chromium
	$(PY) -m benchmarks.run
	$(PY) -m benchmarks.browser --sizes $(BENCH_SIZES) --runs $(BENCH_RUNS) \
	  --runs-large $(BENCH_RUNS_LARGE)
	$(PY) -m benchmarks.load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/browser/screenshots
