# Set-up and checks for a fresh machine. The README names two targets: `demo` and `test`.
# Every slow step is cached: pip's wheel cache, the llama.cpp build and the model weights under
# $SSTAR_CACHE_DIR (default ~/.cache/sstar), code-server too ($SSTAR_CACHE_DIR/code-server-4.99.4,
# by vscode-client/scripts/install-editors.sh).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test setup runtime model test-model editors test-python test-vscode lint typecheck

demo: setup
	$(BIN)/sstar solve examples/intervals.py::merge_intervals

test: setup test-model editors lint typecheck test-python test-vscode

setup: $(INSTALLED) runtime model

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	touch $@

runtime: $(INSTALLED)
	$(BIN)/python -m sstar.localmodel build

model: $(INSTALLED)
	$(BIN)/python -m sstar.localmodel install

# The real-model tests run the 0.5B, not the default 1.5B: twice as fast on 2 cores. Its name is
# TEST_MODEL in tests/support/models.py (tests/localmodel/test_models.py holds this line to it).
test-model: $(INSTALLED)
	$(BIN)/python -m sstar.localmodel install --weights-only --model qwen2.5-coder-0.5b

editors: $(INSTALLED)
	bash vscode-client/scripts/install-editors.sh

lint: $(INSTALLED)
	$(BIN)/ruff check sandbox sstar lsp_server tests benchmarks

typecheck: $(INSTALLED)
	$(BIN)/mypy

test-python: setup test-model
	$(BIN)/python -m pytest

test-vscode: editors
	cd vscode-client && npm ci --no-audit --no-fund && npm run compile && npm run lint && npm test && npm run test:e2e
