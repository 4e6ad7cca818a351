"""Run `ccm-tracker` as a person does: a separate process, its exit code, stdout and stderr."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def ccm(*args: str, cwd: Path, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run the installed entry point (`cli.app:main`) in ``cwd`` with ``env`` added to a
    clean environment (no CCM_* from the caller, events off, no Prefect API)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "PREFECT_API"))}
    base["CCM_EMIT_EVENTS"] = "false"
    base["PYTHONPATH"] = str(ROOT)
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from cli.app import main; main()", *args],
        check=False, cwd=cwd, env=base, capture_output=True, text=True, timeout=120, **kwargs,
    )


def ccm_here(capsys, *args: str) -> tuple[int, str, str]:
    """Run `ccm-tracker ARGS` in this process through its entry point (`cli.app.main`, which
    turns refusals into `error: ...` and an exit code): (exit code, stdout, stderr)."""
    from cli.app import main

    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err
