"""The deployment list of docs/flows.md, generated from prefect.yaml (so the two cannot drift).

    .venv/bin/python -m flows.deployments          # rewrite the list in docs/flows.md
    .venv/bin/python -m flows.deployments --check  # exit 1 when docs/flows.md is stale

``tests/flows/test_docs_match_code.py`` fails when the list in docs/flows.md is not what this
renders.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

CHECKOUT = Path(__file__).resolve().parents[1]
START = "<!-- deployments: generated from prefect.yaml by `python -m flows.deployments` -->"
END = "<!-- end of deployments -->"


def deployments(path: Path = CHECKOUT / "prefect.yaml") -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text())["deployments"])


def _when(deployment: dict[str, Any]) -> str:
    found = [f"cron `{s['cron']}` {s['timezone']}" for s in deployment.get("schedules") or []]
    found += [f"trigger: {t['name']} (`{', '.join(t['expect'])}`)"
              for t in deployment.get("triggers") or []]
    return "; ".join(found) or "on demand (UI form, API)"


def table(path: Path = CHECKOUT / "prefect.yaml") -> str:
    """A markdown table: deployment, when it runs, queue, concurrency, what it does."""
    lines = ["| deployment | runs | queue | at once | what |", "|---|---|---|---|---|"]
    for d in deployments(path):
        limit = d.get("concurrency_limit") or {}
        at_once = f"{limit['limit']} ({limit['collision_strategy']})" if limit else "no limit"
        queue = d["work_pool"].get("work_queue_name", "default")
        what = " ".join(d["description"].split()).replace("|", "\\|")
        lines.append(f"| `{d['name']}` | {_when(d)} | `{d['work_pool']['name']}`/`{queue}` | "
                     f"{at_once} | {what} |")
    return "\n".join(lines) + "\n"


def rewritten(doc: str, path: Path = CHECKOUT / "prefect.yaml") -> str:
    """``doc`` with the text between the START and END markers replaced by ``table()``."""
    head, _, rest = doc.partition(START + "\n")
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table(path)}{END}{tail}"


def main() -> None:
    doc_path = CHECKOUT / "docs" / "flows.md"
    doc = doc_path.read_text()
    fresh = rewritten(doc)
    if "--check" in sys.argv[1:]:
        sys.exit(0 if fresh == doc else 1)
    doc_path.write_text(fresh)


if __name__ == "__main__":
    main()
