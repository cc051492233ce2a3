# Run `make help` for the list of targets. Needs Python 3.11, make and access to the package index.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
CORPUS ?= seeds
THEMES ?= party
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv figures test lab export bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "  variables: CORPUS=folder (default seeds), THEMES=party|general|file.csv (notebook 04's theme dictionary),"
	@echo "             PYTHON=interpreter (default python3.11), JOBS=notebooks run at once (default: cores),"
	@echo "             LAB_ARGS=extra options for jupyter lab (e.g. --no-browser --port=8899)"

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed, found " + sys.version.split()[0] + " at " + sys.executable + "; set PYTHON=...")'
	@echo "Installing the pinned requirements into $(VENV) (first time only: about 150 packages, 1-2 minutes;"
	@echo "later runs skip this until requirements*.txt change) ..."
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet --progress-bar off -r requirements-dev.txt
	$(BIN)/python -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "zhengyan-project.pth").write_text("$(CURDIR)/analysis\n")'
	touch $(STAMP)

venv: $(STAMP) ## create .venv and install the pinned requirements (the package is importable from it)

figures: $(STAMP) ## the main job: execute every notebook on CORPUS, writing figures/ and rendered HTML
	ANALYSIS_THEMES=$(THEMES) $(if $(JOBS),ANALYSIS_JOBS=$(JOBS),) $(BIN)/python -m zhengyan render --corpus "$(CORPUS)"

test: $(STAMP) ## run the whole test suite, notebook execution included
	$(BIN)/python -m pytest

lab: $(STAMP) ## open JupyterLab on the notebooks, the suite's own trusted (as root too, e.g. in a container)
	$(BIN)/jupyter trust notebooks/[0-9][0-9]-*.ipynb
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,) $(LAB_ARGS)

export: $(STAMP) ## write the tidy tables of CORPUS as CSV (export/ or output/<corpus>/export)
	$(BIN)/python -m zhengyan export --corpus "$(CORPUS)"

bench: $(STAMP) ## print speed and memory figures of the load and export at 10, 50, 100 MB (BENCH_ARGS=--sizes 1,2,3)
	$(BIN)/python bench/bench_pipeline.py $(BENCH_ARGS)

clean: ## remove caches and outputs that can be rebuilt (keeps .venv, figures/ and notebooks/)
	rm -rf .cache rendered output export .pytest_cache
