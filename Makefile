# Two commands do everything on a fresh Debian machine:
#   make guide   set-up + build the default guide into dist/
#   make test    set-up + the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
KKGUIDE = $(VENV)/bin/kkguide
STAMP   = $(VENV)/.kkguide-setup

.PHONY: guide test setup system-packages clean

# compileall: the workers start faster from bytecode, also where PYTHONDONTWRITEBYTECODE is set
guide: setup
	$(PY) -m compileall -q kkguide
	$(KKGUIDE) build

test: setup
	$(PY) -m compileall -q kkguide
	$(PY) -m pytest -q

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup-system.sh
	bash scripts/setup-system.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-packages:
	bash scripts/setup-system.sh

clean:
	rm -rf dist build .pytest_cache
