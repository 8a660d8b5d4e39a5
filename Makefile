# The two set-up commands: `make demo` and `make test`. Each creates .venv/ when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-stories clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
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

# Time to place one article into its story in stores of 1k, 10k and 100k articles;
# PLACEMENT_ARGS="--sizes 1000 10000 --probes 100".
bench-stories: $(STAMP)
	$(BIN)/python benchmarks/placement.py $(PLACEMENT_ARGS)

clean:
	rm -rf $(VENV) demo.db demo.db-wal demo.db-shm demo-dossier.html
