"""A wheel built from the repository's files and a venv holding it with the runtime
dependencies alone (no test tools), shared by the session: ~5 s with a warm uv cache."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.uv_env_from_pip import pip_config, uv_environment

ROOT = Path(__file__).resolve().parents[2]


def uv_binary() -> str:
    """The uv the test environment holds (the `test` extra), else the one on PATH."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            pytest.skip("uv is not installed (it comes with the `test` extra)")
        return found


def uv_env() -> dict[str, str]:
    """This process's environment plus what uv needs to use pip's package sources."""
    return {**os.environ, **uv_environment(pip_config())}


def repository_files() -> list[str]:
    """The files a clone of this checkout holds: tracked, plus new ones not ignored."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    return sorted(name for name in listed.split("\0") if name and (ROOT / name).is_file())


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    """Run ``command``; on failure, fail the test with its output (not a traceback)."""
    done = subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {done.returncode}:\n"
                    f"{done.stdout}\n{done.stderr}", pytrace=False)
    return done


@dataclass
class InstalledWheel:
    wheel: Path
    venv: Path
    files: list[str]  # the repository files the wheel was built from

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    def cli(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CCM_", "PREFECT_API"))}
        env["PREFECT_HOME"] = str(cwd / ".prefect")
        return run([str(self.venv / "bin" / "ccm-tracker"), *args], cwd=cwd, env=env)


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> InstalledWheel:
    """Build the wheel from a copy of the repository's files (as `pip install .` from a fresh
    clone would), and install it into a new venv with its declared dependencies only, at the
    versions in uv.lock."""
    uv, env = uv_binary(), uv_env()
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    files = repository_files()
    for name in files:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    run([uv, "build", "--wheel", "--quiet", "--out-dir", str(work / "dist"), str(source)], env=env)
    [wheel] = (work / "dist").glob("*.whl")
    pins = work / "pins.txt"
    run([uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-dev",
         "--quiet", "--output-file", str(pins)], cwd=source, env=env)
    venv = work / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], env=env)
    run([uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "--constraint", str(pins), str(wheel)], env=env)
    return InstalledWheel(wheel=wheel, venv=venv, files=files)
