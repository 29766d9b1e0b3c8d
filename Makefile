# inserecho: `make demo` builds the sample issue and delivers it to the example
# subscribers through the outbox; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test bench browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests (playwright drives the system binary).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installation de Chromium (paquet Debian)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

demo: $(VENV)/.installed
	$(BIN)/inserecho build 2026-12
	$(BIN)/inserecho send 2026-12 --subscribers subscribers.example.yaml --outbox outbox --campaign demo --yes
	@echo "Ouvrez build/2026-12/email.html dans un navigateur ; les messages envoyés sont dans outbox/new/."

test: $(VENV)/.installed browser
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_send.py

clean:
	rm -rf build outbox .pytest_cache
