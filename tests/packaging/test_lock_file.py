"""uv.lock, committed beside pyproject.toml, still matches it (`make lock` updates it)."""

from __future__ import annotations

import subprocess

import pytest

from tests.packaging.conftest import ROOT, uv_binary, uv_env


@pytest.mark.slow
def test_the_lock_file_matches_pyproject():
    done = subprocess.run([uv_binary(), "lock", "--check"], check=False, cwd=ROOT,
                          env=uv_env(), capture_output=True, text=True)
    assert done.returncode == 0, (
        "uv.lock does not match pyproject.toml: run `make lock` and commit uv.lock\n"
        + done.stderr
    )
