# Two commands set everything up on a fresh machine:  make run  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# Prefect's ephemeral server: give it time to migrate a fresh home on a slow machine, keep
# its telemetry off (it locked a fresh SQLite database here once) and keep its home in the
# project so nothing leaks into ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: run test venv lint bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The main job on the embedded defaults: SQLite file, bundled registry, local outbox folder.
run: $(STAMP)
	$(BIN)/ccm-tracker init
	$(BIN)/ccm-tracker scan
	$(BIN)/ccm-tracker remind
	$(BIN)/ccm-tracker feed export feeds
	$(BIN)/ccm-tracker deadlines --within 90
	@echo
	@echo "Database:  $(CURDIR)/ccm-tracker.db"
	@echo "Reminders: $(CURDIR)/outbox/  (one file per message; CCM_APPRISE_CONFIG sends them for real)"
	@echo "Feeds:     $(CURDIR)/feeds/   (iCal files; 'ccm-tracker serve' serves subscriptions)"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy rules

bench: $(STAMP)
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/flows.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/committee.py

clean:
	rm -rf $(VENV) .prefect ccm-tracker.db* outbox feeds
