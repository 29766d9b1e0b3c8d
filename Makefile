# inserecho: `make demo` builds the sample issue and delivers it to the example
# subscribers through the outbox; `make test` runs ruff, mypy and the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN = $(abspath $(VENV))/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test lint bench browser imap-server clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Debian's Chromium for the browser tests (playwright drives the system binary).
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installation de Chromium (paquet Debian)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

# Debian's Dovecot for the mailbox tests (each test starts its own, on 127.0.0.1).
DOVECOT ?= /usr/sbin/dovecot
imap-server:
	@test -x $(DOVECOT) || { \
	  echo "Installation de Dovecot (paquet Debian dovecot-imapd)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; }

# The sample issue, built here, then mailed to the example subscribers of a fresh
# folder (build/demo) through the outbox: no server needed, nothing leaves the machine.
demo: $(VENV)/.installed
	$(BIN)/inserecho build 2026-12
	rm -rf build/demo
	$(BIN)/inserecho init build/demo > /dev/null
	cd build/demo && $(BIN)/inserecho send 2026-12 --subscribers subscribers.example.yaml --outbox outbox --yes
	@echo
	@echo "Courriel : ouvrez build/2026-12/email.html dans un navigateur."
	@echo "Messages personnalisés : build/demo/outbox/new/ (un fichier par abonné·e, à ouvrir avec une messagerie)."

# The checks first (seconds), then the whole suite.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check inserecho tests benchmarks
	$(BIN)/mypy

test: lint browser imap-server
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_send.py --dkim
	$(BIN)/python benchmarks/bench_subscribers.py
	$(BIN)/python benchmarks/bench_archive.py
	$(BIN)/python benchmarks/bench_inbox.py

clean:
	rm -rf build outbox .pytest_cache
