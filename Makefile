# Two commands do all the set-up on a fresh machine:
#   make compare   # install, then the default comparison of the regimes
#   make test      # install, then the whole test suite
# Python 3.12 comes from .python-version (pyenv); uv installs the locked
# dependencies from uv.lock into .venv, compiled to bytecode: where PYTHONDONTWRITEBYTECODE
# is set (these machines set it) every new interpreter, a pool's worker included, would
# otherwise compile pandas, SciPy and Mesa again (1.3 s to import the model, not 3.5).

PYTHON := $(shell pyenv which python 2>/dev/null || command -v python3.12)
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
# A run uses one core and many runs use processes: OpenBLAS's threads (numpy, SciPy) would only
# contend with them, and spin after each call (about 0.2 CPU-s for each interpreter that imports
# the model). One thread, unless the caller chose; cxsim's own import sets the same default.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: compare test test-fast install browser clean docs

compare: $(VENV)/.installed
	$(VENV)/bin/cxsim-compare

test: $(VENV)/.installed browser
	$(VENV)/bin/python -m pytest -n 2 -q

test-fast: $(VENV)/.installed   # for iteration: no statistical pattern, end-to-end sweep or browser test
	$(VENV)/bin/python -m pytest -n 2 -q -m "not slow"

browser:
	bash scripts/ensure-chromium.sh

docs: $(UV)   # the documentation site into site/ (its own environment: MkDocs, Material, mkdocstrings)
	UV_PROJECT_ENVIRONMENT=.venv-docs $(UV) sync --frozen --extra docs --python $(PYTHON)
	NO_MKDOCS_2_WARNING=1 .venv-docs/bin/mkdocs build --strict

install: $(VENV)/.installed

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

# a compiled module's source changed: compile again (hatch_build.py)
COMPILED := hatch_build.py $(wildcard cxsim/*/*.pxd) $(patsubst %.pxd,%.py,$(wildcard cxsim/*/*.pxd))

$(VENV)/.installed: pyproject.toml uv.lock Makefile $(UV) $(COMPILED)
	$(UV) sync --frozen --extra dev --compile-bytecode --python $(PYTHON)
	$(VENV)/bin/python -c 'from cxsim.compiled import status; print(status())'   # a failed compile is otherwise silent
	touch $@

clean:
	rm -rf .tools $(VENV) .venv-docs site
