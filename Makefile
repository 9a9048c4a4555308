# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := app.py
# Development only: lets the app start without SECRET_KEY (production must set one).
export ALLOW_DEV_SECRET := 1

.PHONY: run test install install-dev translations migrate seed lint audit clean screenshots

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

translations: install
	$(FLASK) translate compile

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

# The portal and one job worker (e-mails, escalation sweep, points expiry) together;
# Ctrl-C stops both.
run: translations migrate
	$(FLASK) seed-demo --if-empty
	@echo "Portal: http://127.0.0.1:5000  (logins: member|partner|service|marketing|admin@demo.club / demo-pass-2026)"
	$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install-dev
	$(VENV)/bin/ruff check portal tests tools app.py $(wildcard bench)

# Known vulnerabilities in the pinned requirements (pip-audit) and bandit on portal/.
audit: install-dev
	$(PY) tools/audit.py

test: install-dev translations lint
	$(PY) -m pytest

# PNGs of the main pages for the README (Debian's /usr/bin/chromium; never `playwright install`).
screenshots: install-dev translations
	$(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) instance/*.db instance/jobs.db* translations/*/LC_MESSAGES/*.mo .pytest_cache .coverage
