"""The importer: every bad row named by file, line and field; all or nothing; idempotent."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from models.db import get_engine
from models.importer import BUNDLED_DIR, ImportRejected, import_csv
from models.tables import ArticleFact, AuditEntry, ReportReceived, State
from tests.factories import make_state

HEADER = "state,iso3,signature_date,deposit_date,instrument,provisional_application_date,withdrawal_effective_date,source,notes\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(session: Session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def reject(path: Path, database_url: str) -> list[str]:
    with Session(get_engine(database_url)) as session:
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="test")
        session.rollback()
    return [str(e) for e in caught.value.errors]


def test_the_bundled_registry_loads_and_loading_it_again_changes_nothing(database_url):
    with Session(get_engine(database_url)) as session:
        first = [import_csv(BUNDLED_DIR / n, session=session, actor="t") for n in ("ccm_participants.csv", "ccm_article3_article4.csv")]
        session.commit()
        second = [import_csv(BUNDLED_DIR / n, session=session, actor="t") for n in ("ccm_participants.csv", "ccm_article3_article4.csv")]
        session.commit()
        assert [r.added for r in first] == [124, 68]
        assert [(r.added, r.updated) for r in second] == [(0, 0), (0, 0)]
        assert count(session, State) == 124 and count(session, ArticleFact) == 68
        assert session.get(State, "AFG").source.startswith("http")


def test_unknown_iso_code_is_named_with_file_line_and_field(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,s,\nAtlantis,XXA,2008-12-03,2011-01-01,ratification,,,s,\n")
    assert reject(path, database_url) == [f"{path}:3: iso3: 'XXA' is not an ISO 3166-1 alpha-3 code"]


def test_impossible_date_is_rejected(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Afghanistan,AFG,2008-12-03,2011-02-30,ratification,,,s,\n")
    assert reject(path, database_url) == [f"{path}:2: deposit_date: '2011-02-30' is not a date (YYYY-MM-DD)"]


def test_deposit_before_the_convention_opened_for_signature_is_rejected(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Afghanistan,AFG,,2008-12-02,accession,,,s,\n")
    assert reject(path, database_url) == [
        f"{path}:2: deposit_date: 2008-12-02 is before the Convention opened for signature on 2008-12-03"
    ]


def test_duplicate_state_is_rejected_with_both_lines(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,s,\nAfghanistan,AFG,2008-12-03,2011-09-08,ratification,,,s,\n")
    assert reject(path, database_url) == [f"{path}:3: iso3: AFG is listed twice (first on line 2)"]


def test_line_numbers_count_quoted_fields_that_span_lines(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + 'Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,s,"two\nlines"\nAlbania,ALB,2008-12-03,not-a-date,ratification,,,s,\n')
    assert reject(path, database_url) == [f"{path}:4: deposit_date: 'not-a-date' is not a date (YYYY-MM-DD)"]


def test_one_bad_row_means_nothing_is_written(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,s,\nAlbania,ALB,2008-12-03,2009-13-16,ratification,,,s,\n")
    reject(path, database_url)
    with Session(get_engine(database_url)) as session:
        assert count(session, State) == 0
        assert count(session, AuditEntry) == 0


def test_every_error_in_a_file_is_reported_not_only_the_first(tmp_path, database_url):
    path = write(tmp_path, "states.csv", HEADER + "Nowhere,QQQ,2008-12-03,2011-09-08,ratification,,,s,\nAlbania,ALB,2008-12-03,2009-13-16,ratification,,,s,\n")
    assert len(reject(path, database_url)) == 2


def test_article_facts_for_a_state_not_in_the_registry_are_rejected(tmp_path, database_url):
    path = write(tmp_path, "a34.csv", "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\nAfghanistan,AFG,4,2026-03-01,,,,s,\n")
    assert reject(path, database_url) == [f"{path}:2: iso3: AFG is not in the registry (import participants first)"]


def test_article_fact_errors_name_the_field(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
    path = write(tmp_path, "a34.csv", "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\nAfghanistan,AFG,5,,,,,s,\nAfghanistan,AFG,4,2021-01-01,,,,s,\nAfghanistan,AFG,3,,,,2014-13,s,\n")
    assert reject(path, database_url) == [
        f"{path}:2: article: '5' is not 3 or 4",
        f"{path}:3: extended_deadline: 2021-01-01 is not after the original deadline 2022-03-01",
        f"{path}:4: completed_period: '2014-13' is not YYYY or YYYY-MM",
    ]


def test_reports_received_file_records_history_so_the_first_run_is_not_a_flood(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
        path = write(tmp_path, "reports.csv", "iso3,report,received_on,source\nAFG,initial,2012-09-01,ISU\nAFG,2012,,ISU\n")
        result = import_csv(path, session=session, actor="t")
        session.commit()
        assert result.added == 2
        assert count(session, ReportReceived) == 2
        assert session.exec(select(ReportReceived).where(ReportReceived.kind == "initial")).one().received_on == dt.date(2012, 9, 1)


def test_a_file_with_an_unknown_header_is_rejected(tmp_path, database_url):
    path = write(tmp_path, "what.csv", "a,b\n1,2\n")
    assert reject(path, database_url)[0].startswith(f"{path}:1: header: not a participants")


def test_an_import_names_only_the_states_whose_facts_changed(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        import_csv(BUNDLED_DIR / "ccm_participants.csv", session=session, actor="t")
        session.commit()
        text = (BUNDLED_DIR / "ccm_participants.csv").read_text(encoding="utf-8")
        changed = write(tmp_path, "p.csv", text.replace("Afghanistan,AFG,2008-12-03,2011-09-08", "Afghanistan,AFG,2008-12-03,2011-09-09"))
        result = import_csv(changed, session=session, actor="t", correct=True, reason="UNTC corrigendum")
        assert (result.corrected, result.updated, result.states) == (1, 0, {"AFG"})


def test_an_import_says_what_each_update_replaced(tmp_path, database_url, run, monkeypatch):
    """A participants row may update a State's source or notes without a correction; the
    summary names each replaced value (before and after), as the audit log keeps them."""
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    run("init", "--no-default-recipient")
    with Session(get_engine(database_url)) as session:
        before = session.get(State, "LBN").source
    path = write(tmp_path, "lbn.csv",
                 HEADER + "Lebanon,LBN,2008-12-03,2010-11-05,ratification,,,UNTC depositary notification,\n")
    output = run("import", str(path)).output
    assert "0 added, 1 updated, 0 unchanged" in output
    shown = before if len(before) <= 80 else before[:77] + "..."
    assert f"  LBN source: {shown!r} -> 'UNTC depositary notification'" in output.splitlines()
    assert output.count(" -> ") == 1  # nothing else changed, nothing else listed
