"""Print shell assignments that give uv the package sources this machine's pip is set up with.

uv reads neither pip's configuration files nor its ``PIP_*`` variables. The Makefile runs
``env $(python3 tools/uv_env_from_pip.py) uv sync ...`` so that on a machine whose pip uses a
local wheel folder, an extra (local) index, a constraints file or its own CA bundle, uv uses
the same. Mapping (pip option -> uv variable):

    index-url -> UV_DEFAULT_INDEX        extra-index-url -> UV_INDEX (space-separated)
    find-links -> UV_FIND_LINKS (comma)  constraint -> UV_CONSTRAINT
    cert -> SSL_CERT_FILE                default-timeout -> UV_HTTP_TIMEOUT

with ``UV_INDEX_STRATEGY=unsafe-best-match`` when there is more than one index (uv's default
takes a package from the first index that has it, which failed here on a pinned package).
Local folders and ``file://`` indexes that do not exist are left out (pip only warns about
them; uv would stop). A variable already set in the environment wins. On a machine where pip
has no such configuration this prints nothing and uv uses PyPI.

Output: one line, ``NAME='value' ...``, quoted for a POSIX shell.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse


def pip_config() -> dict[str, str]:
    """pip's effective options, ``{"find-links": "/opt/wheels", ...}``: the last source listed
    (files, then ``PIP_*`` variables) wins, as in pip. Asks this interpreter's pip, else the
    ``python3`` on PATH (a venv made by uv has no pip). Empty when there is no pip."""
    listed = ""
    for python in dict.fromkeys(filter(None, [sys.executable, shutil.which("python3")])):
        try:
            done = subprocess.run(
                [python, "-m", "pip", "config", "list"],
                capture_output=True, text=True, timeout=60, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            listed = done.stdout
            break
    options: dict[str, str] = {}
    for line in listed.splitlines():
        key, sep, value = line.partition("=")
        if not sep:
            continue
        name = key.rsplit(".", 1)[-1]  # global.find-links, install.constraint, :env:.find-links
        options[name] = value.strip().strip("'\"")
    return options


def _exists(location: str) -> bool:
    parsed = urlparse(location)
    if parsed.scheme in ("http", "https"):
        return True
    if parsed.scheme == "file":
        return Path(unquote(parsed.path)).exists()
    return Path(location).exists()


def uv_environment(options: dict[str, str]) -> dict[str, str]:
    """The uv variables for pip ``options`` (see the module docstring)."""
    found: dict[str, str] = {}
    indexes = [u for u in options.get("extra-index-url", "").split() if _exists(u)]
    if options.get("index-url") and _exists(options["index-url"]):
        found["UV_DEFAULT_INDEX"] = options["index-url"]
    if indexes:
        found["UV_INDEX"] = " ".join(indexes)
        found["UV_INDEX_STRATEGY"] = "unsafe-best-match"
    links = [p for p in options.get("find-links", "").split() if _exists(p)]
    if links:
        found["UV_FIND_LINKS"] = ",".join(links)
    constraints = [p for p in options.get("constraint", "").split() if _exists(p)]
    if constraints:
        found["UV_CONSTRAINT"] = " ".join(constraints)
    if options.get("cert") and _exists(options["cert"]):
        found["SSL_CERT_FILE"] = options["cert"]
    if options.get("default-timeout"):
        found["UV_HTTP_TIMEOUT"] = options["default-timeout"]
    return {name: value for name, value in found.items() if name not in os.environ}


def main() -> None:
    env = uv_environment(pip_config())
    print(" ".join(f"{name}={shlex.quote(value)}" for name, value in env.items()))


if __name__ == "__main__":
    main()
