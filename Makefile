# refarch: `make demo` renders the default project and synthesises it; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NODE22 := .tools/node_modules/.bin/node
export JSII_NODE := $(abspath $(NODE22))
export JSII_DEPRECATED := fail

.PHONY: install demo test test-fast test-matrix bench clean

$(BIN)/refarch: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

$(NODE22):
	npm install --silent --no-audit --no-fund --prefix .tools node@22

install: $(BIN)/refarch $(NODE22)

demo: install
	$(BIN)/refarch new --no-input --output-dir build --force
	cd build/modern-app && ../../$(BIN)/python app.py
	@echo "Synthesised build/modern-app: templates in build/modern-app/cdk.out/"

test: install
	$(BIN)/python -m pytest -n 2 tests

test-fast: install
	$(BIN)/python -m pytest -n 2 -m "not synth and not browser" tests

test-matrix: install
	$(BIN)/python -m pytest -m matrix tests

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf build dist
