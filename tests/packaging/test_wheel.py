"""The wheel a user installs (`pip install .`, a release): it holds the bundled data and the
migrations, it runs on its declared runtime dependencies alone, and `ccm-tracker init`
works from it in an empty folder."""

from __future__ import annotations

import csv
import json
import tomllib
import zipfile

import pytest

from tests.packaging.conftest import ROOT, InstalledWheel, run

pytestmark = pytest.mark.slow

SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
RUNTIME_TOP_LEVEL = tuple(p.rstrip("*") for p in SETUPTOOLS["packages"]["find"]["include"])
RUNTIME_MODULES = tuple(f"{m}.py" for m in SETUPTOOLS["py-modules"])


def _wheel_names(installed: InstalledWheel) -> set[str]:
    with zipfile.ZipFile(installed.wheel) as wheel:
        return set(wheel.namelist())


def test_the_wheel_holds_every_file_of_the_runtime_packages(installed_wheel: InstalledWheel):
    expected = {
        name for name in installed_wheel.files
        if name.split("/")[0] in RUNTIME_TOP_LEVEL or name in RUNTIME_MODULES
    }
    assert "data" in RUNTIME_TOP_LEVEL and "settings.py" in RUNTIME_MODULES
    # the bundled registry, the demo dataset, and the migrations with their template
    assert {"data/ccm_participants.csv", "data/demo/cc-2016-12-07.toml",
            "models/migrations/script.py.mako"} <= expected
    assert any(n.startswith("models/migrations/versions/") for n in expected)
    missing = sorted(expected - _wheel_names(installed_wheel))
    assert missing == [], f"not in the wheel: {missing}"


def test_the_wheel_holds_no_tests_caches_or_local_state(installed_wheel: InstalledWheel):
    stray = sorted(
        n for n in _wheel_names(installed_wheel)
        if n.startswith(("tests/", "bench/", "tools/")) or "__pycache__" in n
        or n.endswith((".pyc", ".db"))
    )
    assert stray == []


def test_every_runtime_module_imports_from_the_runtime_dependencies_alone(
    installed_wheel: InstalledWheel, tmp_path
):
    modules = sorted(
        n[:-3].replace("/", ".").removesuffix(".__init__") for n in _wheel_names(installed_wheel)
        if n.endswith(".py") and ".dist-info/" not in n
        # Alembic executes env.py (it runs the migrations); it is exercised by `init` below
        and n != "models/migrations/env.py"
    )
    assert "cli.app" in modules and "calendars.server" in modules
    script = tmp_path / "import_all.py"
    script.write_text(
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {type(error).__name__}: {error}')\n"
        "print('\\n'.join(failed))\n"
    )
    # -I: the repository (the working directory) is not on sys.path; only the venv is
    done = run([str(installed_wheel.python), "-I", str(script), *modules], cwd=tmp_path)
    assert done.stdout.strip() == ""


def test_the_runtime_venv_holds_no_test_tools(installed_wheel: InstalledWheel, tmp_path):
    probe = ("import importlib.util as u; print([m for m in ('pytest', 'hypothesis', "
             "'aiosmtpd', 'radicale') if u.find_spec(m)])")
    done = run([str(installed_wheel.python), "-I", "-c", probe], cwd=tmp_path)
    assert done.stdout.strip() == "[]"


def test_init_and_the_read_commands_work_from_the_installed_wheel(
    installed_wheel: InstalledWheel, tmp_path
):
    init = installed_wheel.cli("init", cwd=tmp_path)
    assert "database ready" in init.stdout
    with (ROOT / "data" / "ccm_participants.csv").open(encoding="utf-8", newline="") as f:
        bundled = {row["iso3"] for row in csv.DictReader(f)}
    states = json.loads(installed_wheel.cli("states", "--format", "json", cwd=tmp_path).stdout)
    assert {s["iso3"] for s in states} == bundled
    deadlines = json.loads(
        installed_wheel.cli("deadlines", "--state", "AFG", "--format", "json", cwd=tmp_path).stdout
    )
    assert "CCM:AFG:art7_initial" in {o["key"] for o in deadlines}


def test_the_demo_dataset_loads_from_the_installed_wheel(installed_wheel: InstalledWheel, tmp_path):
    loaded = installed_wheel.cli("demo", "load", cwd=tmp_path)
    assert "loaded the bundled registry first" in loaded.stdout
    again = installed_wheel.cli("demo", "load", cwd=tmp_path)
    assert "already loaded: nothing changed" in again.stdout
