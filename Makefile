# Two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job on the bundled example pages: ingest -> extract -> publish, then refresh the
# repository's DATASET_CARD.md (and its plots, kept in docs/dataset-card-images/) from the release it produced.
demo: $(STAMP)
	$(BIN)/archivist run examples/pages --sidecar examples/pages/pages.csv --version 0.1.0
	rm -rf docs/dataset-card-images && cp -r releases/0.1.0/images docs/dataset-card-images
	sed 's#](images/#](docs/dataset-card-images/#' releases/0.1.0/README.md > DATASET_CARD.md

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/extraction.py

clean:
	rm -rf archives/*.warc.gz archives/*.cdxj records releases
