# Set-up and the two everyday jobs. `make demo` answers from the shipped corpus; `make test` checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
QUESTION ?= I know pandas but not SQL, what should I do?

.PHONY: setup demo test eval lint format bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

demo: setup
	$(BIN)/tutor ingest corpus
	$(BIN)/tutor ask "$(QUESTION)"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest -q

# The eval gate: every suite (roadmap, seeds, sklearn) through the offline answerer, then the
# refusal trade-off and the judge's calibration, then the offline quiz generator on every topic.
# Uses its own stores so it never mixes with yours; exits 1 when a threshold in evals/thresholds.toml is missed. CI adds EVAL_FLAGS=--require-documents.
EVAL_DIR ?= .tutor-eval
EVAL_FLAGS ?=
eval: setup
	mkdir -p $(EVAL_DIR)
	$(BIN)/tutor eval --data-dir $(EVAL_DIR) --provider offline $(EVAL_FLAGS) \
		--report-json $(EVAL_DIR)/report.json --report-md $(EVAL_DIR)/report.md
	$(BIN)/tutor eval --calibrate --split dev --data-dir $(EVAL_DIR)
	$(BIN)/tutor eval --quiz --data-dir $(EVAL_DIR) --provider offline \
		--report-json $(EVAL_DIR)/quiz.json --report-md $(EVAL_DIR)/quiz.md

bench: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,bench]"
	$(BIN)/python benchmarks/ingest.py --suite seeds
	$(BIN)/python benchmarks/ingest.py --suite sklearn

clean:
	rm -rf $(VENV) .tutor .tutor-eval .pytest_cache .ruff_cache
