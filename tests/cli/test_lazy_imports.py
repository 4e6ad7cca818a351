"""The command line imports what a command needs when it runs: `--help` and `import cli.app`
load no Prefect, Apprise, FastAPI, uvicorn (nor the database layer); `record` with no Prefect
API configured loads no Prefect. Checked through `sys.modules` in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.running import ROOT, ccm

HEAVY = ("prefect", "apprise", "fastapi", "uvicorn", "starlette", "icalendar")
REPORT = """
import atexit, json, sys
atexit.register(lambda: print("MODULES=" + json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))
"""


def loaded_modules(code: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "PREFECT_API"))}
    base.update({"PYTHONPATH": str(ROOT), **(env or {})})
    done = subprocess.run([sys.executable, "-c", REPORT + code, *args], cwd=cwd, env=base,
                          capture_output=True, text=True, timeout=120, check=False)
    line = [x for x in done.stdout.splitlines() if x.startswith("MODULES=")]
    assert line, done.stderr
    return set(json.loads(line[-1].removeprefix("MODULES=")))


def test_importing_the_cli_loads_no_prefect_apprise_fastapi_or_uvicorn(tmp_path):
    loaded = loaded_modules("import cli.app", cwd=tmp_path)
    assert not loaded.intersection(HEAVY), loaded.intersection(HEAVY)
    assert "sqlalchemy" not in loaded and "sqlmodel" not in loaded


@pytest.mark.parametrize("args", [["--help"], ["deadlines", "--help"], ["record", "report", "--help"],
                                  ["serve", "--help"], ["remind", "--help"]])
def test_help_loads_no_prefect_apprise_fastapi_uvicorn_or_database(tmp_path, args):
    loaded = loaded_modules("import sys\nfrom cli.app import main\nmain(sys.argv[1:])", *args, cwd=tmp_path)
    assert not loaded.intersection({*HEAVY, "sqlalchemy", "sqlmodel"}), loaded.intersection(HEAVY)


def test_reading_deadlines_loads_no_prefect_or_apprise(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    loaded = loaded_modules("import sys\nfrom cli.app import main\nmain(sys.argv[1:])",
                            "deadlines", "--state", "AFG", cwd=tmp_path)
    assert not loaded.intersection(HEAVY)


def test_recording_without_a_prefect_api_loads_no_prefect(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    home = tmp_path / "prefect-home"  # no profiles file: no API configured
    loaded = loaded_modules("import sys\nfrom cli.app import main\nmain(sys.argv[1:])",
                            "record", "report", "AFG", "--year", "2025", "--on", "2026-05-02", "--source", "x",
                            cwd=tmp_path, env={"PREFECT_HOME": str(home)})
    assert not loaded.intersection(HEAVY), loaded.intersection(HEAVY)


def test_the_outbox_states_spelled_out_for_help_are_the_models(tmp_path):
    from cli.outbox import STATES
    from models.reminders import OutboxState

    assert STATES == [s.value for s in OutboxState]


PREFECT_SAYS = """
import json
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_KEY, PREFECT_API_URL
from settings import prefect_setting
def secret(v):
    return None if v is None else (v.get_secret_value() if hasattr(v, "get_secret_value") else v)
print(json.dumps({
    "prefect": [PREFECT_API_URL.value() or None, secret(PREFECT_API_KEY.value()) or None,
                secret(PREFECT_API_AUTH_STRING.value()) or None],
    "ours": [prefect_setting(n) for n in ("PREFECT_API_URL", "PREFECT_API_KEY", "PREFECT_API_AUTH_STRING")],
}))
"""


def _profiles(path: Path, active: str) -> None:
    path.write_text(f'active = "{active}"\n\n[profiles.ephemeral]\nPREFECT_SERVER_EPHEMERAL_ENABLED = "true"\n\n'
                    '[profiles.office]\nPREFECT_API_URL = "http://office.example:4200/api"\n'
                    'PREFECT_API_KEY = "office-key"\n')


@pytest.mark.parametrize("case", ["nothing", "environment", "active profile", "PREFECT_PROFILE",
                                  "dotenv", "prefect.toml", "pyproject", "environment beats files"])
def test_the_cheap_reading_of_prefects_api_settings_agrees_with_prefect(tmp_path, case):
    home = tmp_path / "home"
    home.mkdir()
    env = {"PREFECT_HOME": str(home)}
    if case in ("active profile", "PREFECT_PROFILE"):
        _profiles(home / "profiles.toml", "office" if case == "active profile" else "ephemeral")
        if case == "PREFECT_PROFILE":
            env["PREFECT_PROFILE"] = "office"
    if case in ("environment", "environment beats files"):
        env["PREFECT_API_URL"] = "http://env.example:4200/api"
        env["PREFECT_API_AUTH_STRING"] = "admin:pass"
    if case in ("dotenv", "environment beats files"):
        (tmp_path / ".env").write_text('PREFECT_API_URL="http://dotenv.example:4200/api"\n')
    if case == "prefect.toml":
        (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://toml.example:4200/api"\nkey = "k"\n')
    if case == "pyproject":
        (tmp_path / "pyproject.toml").write_text('[tool.prefect.api]\nurl = "http://py.example:4200/api"\n')
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    base.update({"PYTHONPATH": str(ROOT), **env})
    done = subprocess.run([sys.executable, "-c", PREFECT_SAYS], cwd=tmp_path, env=base,
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    said = json.loads(done.stdout.strip().splitlines()[-1])
    assert said["ours"] == said["prefect"]
    if case != "nothing":
        assert said["ours"][0] is not None


def test_once_prefect_is_loaded_its_in_memory_settings_count(monkeypatch):
    """Inside a flow run or a test harness Prefect holds settings in memory
    (``temporary_settings``): the reading then asks Prefect, which is already paid for."""
    from prefect.settings import PREFECT_API_KEY, PREFECT_API_URL, temporary_settings

    from settings import prefect_setting

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with temporary_settings({PREFECT_API_URL: "http://in-memory.example/api", PREFECT_API_KEY: "k"}):
        assert prefect_setting("PREFECT_API_URL") == "http://in-memory.example/api"
        assert prefect_setting("PREFECT_API_KEY") == "k"


def test_the_collector_paused_for_a_commands_start_comes_back_by_itself():
    import gc
    import time

    from cli.app import pause_collector

    assert gc.isenabled()
    try:
        pause_collector(0.2)
        assert not gc.isenabled()
        deadline = time.monotonic() + 10
        while not gc.isenabled() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert gc.isenabled()
    finally:
        gc.enable()
