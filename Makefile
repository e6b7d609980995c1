# trustkit: two commands do everything — `make reproduce` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.trustkit-installed

# Data comes from a local mirror when one sits beside the checkout, else from upstream.
ifneq ($(wildcard ../shared/data),)
export TRUSTKIT_DATA_MIRROR ?= $(abspath ../shared/data)
endif
export TRUSTKIT_CACHE ?= $(abspath .cache)
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false
PROFILE ?= offline

.PHONY: setup lint test test-lab reproduce lab lab-deps bench clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), f"trustkit needs Python 3.11 or newer, found {sys.version}"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	# torch first: the CPU wheel the suite is checked on; it satisfies the package's lower bound, so
	# the package install pulls no bigger (CUDA) build. A GPU machine installs its own torch instead (README).
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev]'
	touch $@

setup: $(STAMP)
	$(VENV)/bin/trustkit models fetch --all
	$(VENV)/bin/trustkit data verify

# ruff (lint + format check), codespell, mypy on trustkit/scoring and trustkit/stats (pyproject.toml),
# and the layer check: trustkit's packages import downward only (tools/check_layers.py).
lint: $(STAMP)
	$(PY) tools/check_layers.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/codespell
	$(VENV)/bin/mypy

test: setup lint
	$(VENV)/bin/python -m pytest && $(VENV)/bin/python -m pytest notebooks --nbval-lax --nbval-current-env -p no:cacheprovider

reproduce: setup
	$(VENV)/bin/trustkit reproduce --profile $(PROFILE)

# JupyterLab on 127.0.0.1 only; as root (course-lab containers) it needs --allow-root.
LAB_PORT ?= 8888
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)

# JupyterLab settings for this environment (tools/jupyterlab-overrides.json): widget state is saved
# in the notebook, so a reopened notebook shows the live-scoring form instead of "model not found".
lab-deps: setup
	$(PIP) install -e '.[dev,lab]'
	install -D -m 644 tools/jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json

lab: lab-deps
	@echo "JupyterLab on notebooks/: open the http://127.0.0.1:$(LAB_PORT)/lab?token=... URL it prints below"
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) $(ROOT_FLAG) --ServerApp.root_dir=notebooks

# Every notebook in JupyterLab, and a saved explorer page, driven by headless Chromium (Debian: chromium, chromium-driver).
test-lab: lab-deps
	$(VENV)/bin/python -m pytest -m browser tests/test_lab_browser.py tests/test_explorer_page.py -p no:cacheprovider

bench: setup
	$(PIP) install -e '.[dev,bench]'
	$(VENV)/bin/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
