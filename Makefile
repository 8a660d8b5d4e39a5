# The two set-up commands: `make demo` and `make test`. Each creates .venv/ when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-imports bench-stories bench-web bench-scale fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The project's own install: every extra the tests use, at the exact versions of constraints.txt
# (pyproject.toml gives users ranges; scripts/constraints.py writes the file from this venv).
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/storydesk --db demo.db ingest examples/corpus
	$(BIN)/storydesk --db demo.db docs
	$(BIN)/storydesk --db demo.db stories
	$(BIN)/storydesk --db demo.db dossier 1
	$(BIN)/storydesk --db demo.db dossier 1 --format html --output demo-dossier.html

test: $(STAMP)
	$(BIN)/python -m pytest

# Per-stage throughput against same-process baselines (trafilatura, spaCy); BENCH_ARGS="--pages 20".
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

# Start-up: import storydesk, the Desk and storydesk --help against python -c pass, median of
# 11 rounds (target: --help under 0.5 s); IMPORT_ARGS="--rounds 21".
bench-imports: $(STAMP)
	$(BIN)/python benchmarks/imports.py $(IMPORT_ARGS)

# Time to place one article into its story in stores of 1k, 10k and 100k articles;
# PLACEMENT_ARGS="--sizes 1000 10000 --probes 100".
bench-stories: $(STAMP)
	$(BIN)/python benchmarks/placement.py $(PLACEMENT_ARGS)

# Web latency (story list, story pages; 20 clients) on a 10,000-article store built once under
# /tmp from ../shared/bench (about 25 minutes the first time); WEB_ARGS="--requests 1000".
WEB_STORE ?= /tmp/storydesk-web-bench.db
bench-web: $(STAMP)
	test -f $(WEB_STORE) || $(BIN)/python benchmarks/web.py build --store $(WEB_STORE)
	$(BIN)/python benchmarks/web.py run --store $(WEB_STORE) $(WEB_ARGS)

# process + load of generated corpora of 1k, 10k and 100k articles (2 workers), peak memory of
# the process tree, and the plot docs/scale.png; hours at 100k. SCALE_ARGS="--sizes 1000 10000".
SCALE_ARGS ?= --sizes 1000 10000 100000
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/scale.py $(SCALE_ARGS) --json docs/scale.json --plot docs/scale.png

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo-dossier.html

# Hostile input against ingest (random bytes, broken HTML and JSON, lying WARCs, entity and
# gzip bombs, XXE): fixed seed and count, about a minute; prints inputs tried, errors reported,
# articles lost and crashes (both must be 0). FUZZ_ARGS="--count 400 --seed 7".
fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz.py $(FUZZ_ARGS)
