# Two commands do everything on a fresh Debian machine:
#   make guide   set-up for building + build the default guide into dist/
#   make test    set-up for building and testing + the whole test suite
# `make test` installs more than `make guide` (Chromium, qpdf, zbar, translate-toolkit and the
# Python test tools): building the guide needs none of them.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
KKGUIDE = $(VENV)/bin/kkguide
STAMP_BUILD = $(VENV)/.kkguide-setup-build
STAMP_TEST  = $(VENV)/.kkguide-setup-test
PYTEST_ARGS ?=
# two pytest workers (pytest-xdist): CI has two cores; `make test TEST_WORKERS=0` runs in one process
TEST_WORKERS ?= 2

.PHONY: guide test docs setup setup-test system-packages clean approve-visuals

# compileall: the workers start faster from bytecode, also where PYTHONDONTWRITEBYTECODE is set
guide: setup
	$(PY) -m compileall -q kkguide
	$(KKGUIDE) build

test: setup-test
	$(PY) -m compileall -q kkguide
	$(PY) -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# the command and configuration references, from the code (tests/test_reference.py checks them)
docs: setup
	$(PY) scripts/make-docs.py

setup: $(STAMP_BUILD)
setup-test: $(STAMP_TEST)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BUILD): pyproject.toml scripts/setup-system.sh | $(VENV)/bin/python
	bash scripts/setup-system.sh build
	$(PY) -m pip install --quiet -e .
	touch $(STAMP_BUILD)

# tests/web: axe-core, playwright-core (drives Debian's chromium) and the Nu HTML checker for the
# web edition's tests, exactly as locked; --ignore-scripts: vnu-jar's install script would
# download a Java runtime (the system's java runs it; playwright-core downloads no browser)
$(STAMP_TEST): pyproject.toml scripts/setup-system.sh tests/web/package-lock.json | $(VENV)/bin/python
	bash scripts/setup-system.sh test
	$(PY) -m pip install --quiet -e '.[test]'
	npm ci --prefix tests/web --no-audit --no-fund --ignore-scripts
	touch $(STAMP_BUILD) $(STAMP_TEST)

# After an intended design change: rewrite the approved renders of tests/visual/ (look at them, commit)
approve-visuals: setup-test
	$(PY) tests/visual/approve.py

system-packages:
	bash scripts/setup-system.sh test

clean:
	rm -rf dist build .pytest_cache
