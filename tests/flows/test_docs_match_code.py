"""What can drift between the docs and the code is checked here: the deployment list of
docs/flows.md (generated from prefect.yaml), the prefect.yaml copy in docs/reminders.md, and
every file a docstring, comment or doc cites."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from flows.deployments import END, START, deployments, rewritten, table

REPO = Path(__file__).resolve().parents[2]
# a path with a directory, ending in a source or doc extension; an example error line
# ("data/states.csv:42: ...") is output, not a citation
CITED = re.compile(r"(?<![\w/.:-])((?:[\w.-]+/)+[\w.-]+\.(?:py|md|yaml|toml|sh))\b(?!:\d)")


def test_the_deployment_list_in_docs_flows_md_is_the_one_prefect_yaml_gives():
    doc = (REPO / "docs" / "flows.md").read_text()
    assert START in doc and END in doc
    assert rewritten(doc) == doc, (
        "docs/flows.md's deployment list is stale: run `.venv/bin/python -m flows.deployments`\n"
        + table())


def test_the_prefect_yaml_excerpt_in_docs_reminders_md_is_the_deployment_in_prefect_yaml():
    doc = (REPO / "docs" / "reminders.md").read_text()
    excerpts = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)]
    [shown] = [e for e in excerpts if isinstance(e, list) and e and e[0].get("name") == "dispatch-reminders"]
    [actual] = [d for d in deployments() if d["name"] == "dispatch-reminders"]
    assert shown[0] == actual


def test_every_file_a_docstring_comment_or_doc_cites_exists():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    # a citation of this repository names one of its top-level directories (prefect/... is
    # Prefect's own source, ~/.prefect/... a user's file)
    ours = {name.split("/")[0] for name in tracked if "/" in name}
    missing = []
    for name in tracked:
        if not name.endswith((".py", ".md", ".yaml")) or name.startswith("tests/"):
            continue
        for cited in CITED.findall((REPO / name).read_text(encoding="utf-8")):
            if cited.split("/")[0] not in ours:
                continue
            if not ((REPO / cited).exists() or (REPO / name).parent.joinpath(cited).exists()):
                missing.append(f"{name}: {cited}")
    assert missing == []


# The CCM registry's obligations when the benchmarks were measured (README, docs/flows.md).
MEASURED_ON, CCM_ALONE = "2026-11-26", 1858


def test_a_count_of_the_ccm_registry_alone_in_the_docs_says_so_in_its_section():
    """1,858 was the whole bundled registry before the APMBC's rows: a figure measured then
    must say it is the CCM registry's alone, or it reads as today's count."""
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text()
        for found in re.finditer(f"{CCM_ALONE:,}", text):
            section = text[: found.start()].rsplit("\n## ", 1)[-1]
            assert "CCM registry alone" in " ".join(section.split()), (
                f"{path.name}: {CCM_ALONE:,} at offset {found.start()} is not said to be the CCM registry's alone")


def test_the_ccm_registry_alone_gives_the_count_the_docs_measured(database_url, capsys):
    import datetime as dt

    from sqlmodel import Session

    from models.db import get_engine
    from models.obligations import compute_obligations
    from rules.treaties import CCM
    from settings import get_settings
    from tests.cli.running import ccm_here

    assert ccm_here(capsys, "init")[0] == 0
    with Session(get_engine(database_url)) as session:
        ccm = compute_obligations(session=session, as_of=dt.date.fromisoformat(MEASURED_ON),
                                  settings=get_settings(), treaties=(CCM,))
    assert len(ccm) == CCM_ALONE
