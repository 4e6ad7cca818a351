# Two commands set everything up on a fresh machine:  make run  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

# Installs come from uv.lock through uv (https://docs.astral.sh/uv/). uv itself is installed
# once into .uv/ by pip (pinned); `make run UV=uv` uses one you already have (0.13 or newer).
# uv ignores pip's configuration: tools/uv_env_from_pip.py hands it the same local wheels,
# extra indexes and constraints pip uses on this machine (nothing on a plain machine: PyPI).
UV_VERSION := 0.13.9
UV         ?= .uv/bin/uv
UV_DEP     := $(filter .uv/bin/uv,$(UV))
UV_ENV      = $(shell $(PYTHON) tools/uv_env_from_pip.py)
RUN_STAMP  := $(VENV)/.run-stamp
# Bytecode is compiled at install (uv --compile-bytecode, and compileall for our own modules):
# where PYTHONDONTWRITEBYTECODE is set (it is on this machine) Python never caches it, and
# every ccm-tracker process compiled each module it imports again (13 s of CPU per make run
# here instead of 6 s). Elsewhere this only does up front what the first imports would do.
SOURCES    := $(wildcard models rules notifications calendars flows cli data *.py)
COMPILE     = $(BIN)/python -m compileall -q -j0 $(SOURCES) >/dev/null
TEST_STAMP := $(VENV)/.test-stamp

# Prefect's ephemeral server (tests, `ccm-tracker scan`): give it time to migrate a fresh home
# on a slow machine, keep its telemetry off (it locked a fresh SQLite database here once) and
# keep its home in the project so nothing leaks into ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

# `make run` runs the scan's steps in this process (`scan --no-prefect`): a temporary Prefect
# server would add ~48 s to the first run and ~10 s to every run, for a run record nobody can
# see afterwards. With PREFECT_API_URL set it runs as a flow on that server. SCAN_OPTS= forces
# the flow with a temporary server.
SCAN_OPTS ?= $(if $(PREFECT_API_URL),,--no-prefect)

.PHONY: run test venv lock pip-venv lint bench clean

venv: $(TEST_STAMP)

.uv/bin/uv:
	@# The fast way needs pip in $(PYTHON) (>= 22.3); otherwise a venv with its own pip.
	$(PYTHON) -m venv --without-pip .uv
	$(PYTHON) -m pip --python .uv/bin/python install --quiet uv==$(UV_VERSION) \
	  || { $(PYTHON) -m venv --clear .uv && .uv/bin/python -m pip install --quiet uv==$(UV_VERSION); }

# A pyproject.toml changed without `make lock` (a dependency added): say so, relock, go on.
define check_lock
	@$(UV) lock --check --quiet 2>/dev/null \
	  || { echo "uv.lock does not match pyproject.toml: updating it (commit uv.lock)"; \
	       env $(UV_ENV) $(UV) lock; }
endef

# Runtime dependencies only (no test tools); --inexact keeps the test tools when present.
$(RUN_STAMP): pyproject.toml uv.lock | $(UV_DEP)
	$(check_lock)
	env $(UV_ENV) $(UV) sync --locked --inexact --compile-bytecode --quiet
	$(COMPILE)
	touch $@

$(TEST_STAMP): pyproject.toml uv.lock | $(UV_DEP)
	$(check_lock)
	env $(UV_ENV) $(UV) sync --locked --extra test --compile-bytecode --quiet
	$(COMPILE)
	touch $@ $(RUN_STAMP)

lock: | $(UV_DEP)
	env $(UV_ENV) $(UV) lock

# The documented fallback without uv: pip and the same pyproject.toml (not the lock file).
pip-venv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(RUN_STAMP)

# The main job on the embedded defaults: SQLite file, bundled registry, local outbox folder.
run: $(RUN_STAMP)
	$(BIN)/ccm-tracker init
	$(BIN)/ccm-tracker scan $(SCAN_OPTS)
	$(BIN)/ccm-tracker remind
	$(BIN)/ccm-tracker feed export feeds
	$(BIN)/ccm-tracker deadlines --treaty all --within 90
	@echo
	@echo "Database:  $(CURDIR)/ccm-tracker.db"
	@echo "Reminders: $(CURDIR)/outbox/  (one file per message; CCM_APPRISE_CONFIG sends them for real)"
	@echo "Feeds:     $(CURDIR)/feeds/   (iCal files; 'ccm-tracker serve' serves subscriptions)"

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy rules

bench: $(TEST_STAMP)
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/flows.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/committee.py
	$(BIN)/python bench/firstrun.py

clean:
	rm -rf $(VENV) .uv .prefect ccm-tracker.db* outbox feeds build dist
