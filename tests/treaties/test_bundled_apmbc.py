"""The bundled APMBC data through the same validating importer; the treaty of a file."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.db import get_engine
from models.importer import APMBC_FILES, BUNDLED_DIR, BUNDLED_FILES, ImportRejected, import_csv
from models.tables import State
from models.treaty_facts import load_treaty_facts, treaties_named
from models.treaty_tables import TreatyArticleFact, TreatyParty
from rules.facts import RulePolicy
from rules.obligations import state_obligations
from rules.treaties import APMBC, CCM

TODAY = dt.date(2026, 11, 29)
APMBC_HEADER = "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\n"


def load_everything(session: Session) -> list:
    return [
        import_csv(BUNDLED_DIR / name, session=session, actor="t", today=TODAY)
        for name in (*BUNDLED_FILES, *APMBC_FILES)
    ]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_apmbc_files_load_beside_the_ccm_and_again_change_nothing(database_url):
    with Session(get_engine(database_url)) as session:
        first = load_everything(session)
        session.commit()
        again = load_everything(session)
        session.commit()
        assert [r.added for r in first] == [124, 68, 166, 52]
        assert [(r.added, r.updated, r.corrected) for r in again] == [(0, 0, 0)] * 4
        assert first[3].kind == "APMBC Art. 4/5 facts"
        parties = session.exec(select(TreatyParty).where(TreatyParty.treaty == "APMBC")).all()
        assert len(parties) == 166
        withdrawn = {p.iso3: p.withdrawal_effective_date for p in parties if p.withdrawal_effective_date}
        assert withdrawn == {
            "EST": dt.date(2025, 12, 27), "FIN": dt.date(2026, 1, 10), "LVA": dt.date(2025, 12, 27),
            "LTU": dt.date(2025, 12, 27), "POL": dt.date(2026, 2, 20),
        }
        facts = session.exec(select(TreatyArticleFact)).all()
        assert len({f.iso3 for f in facts}) == 15
        # the CCM's rows are untouched: Thailand is no CCM State, Afghanistan's CCM deposit stays
        assert session.get(State, "THA") is None
        assert session.get(State, "AFG").deposit_date == dt.date(2011, 9, 8)


def test_afghanistan_under_the_apmbc_from_the_bundled_rows(database_url):
    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        (afg,) = load_treaty_facts(session=session, treaty=APMBC, states=["AFG"])
        found = {o.key: o for o in state_obligations(afg, TODAY, RulePolicy(), treaty=APMBC)}
        assert found["APMBC:AFG:art5_clearance"].due == dt.date(2025, 3, 1)
        assert found["APMBC:AFG:art5_clearance"].original_due == dt.date(2013, 3, 1)
        assert found["APMBC:AFG:art4_stockpile"].met  # "2006" per the ISU
        (ccm_afg,) = load_treaty_facts(session=session, treaty=CCM, states=["AFG"])
        assert ccm_afg.deposit_date == dt.date(2011, 9, 8)


def test_a_withdrawn_state_keeps_its_earlier_obligations_only(database_url):
    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        (pol,) = load_treaty_facts(session=session, treaty=APMBC, states=["POL"])
        found = state_obligations(pol, TODAY, RulePolicy(), treaty=APMBC)
        assert found and max(o.due for o in found) <= dt.date(2026, 2, 20)
        assert "APMBC:POL:art7_annual:2025" not in {o.key for o in found}  # due 2026-04-30
        assert "APMBC:POL:art7_annual:2024" in {o.key for o in found}


def test_the_file_name_decides_the_treaty_unless_a_treaty_column_says(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        # an Art. 3 row is a CCM article: refused in an APMBC file, named by line and field
        path = write(tmp_path, "apmbc_more.csv", APMBC_HEADER + "Afghanistan,AFG,3,,,,,s,\n")
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="t", today=TODAY)
        assert [str(e) for e in caught.value.errors] == [
            f"{path}:2: article: '3' is not 4 or 5 (the APMBC's deadline articles)"]
        session.rollback()
        # the same row under the CCM (no apmbc_ name, no column) is the CCM's Art. 3
        path = write(tmp_path, "more.csv", APMBC_HEADER.replace("notes\n", "notes,treaty\n")
                     + "Afghanistan,AFG,5,2027-03-01,22MSP (2025),,,s,,apmbc\n")
        result = import_csv(path, session=session, actor="t", today=TODAY)
        assert result.kind == "APMBC Art. 4/5 facts" and result.added == 1
        session.rollback()


def test_apmbc_art4_extension_and_a_disagreeing_treaty_are_refused(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        path = write(tmp_path, "apmbc_art4.csv", APMBC_HEADER + "Ukraine,UKR,4,2014-06-01,,,,s,\n")
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="t", today=TODAY)
        assert [str(e) for e in caught.value.errors] == [
            f"{path}:2: extended_deadline: the APMBC's Art. 4 has no extension mechanism"]
        session.rollback()
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="t", today=TODAY, treaty=CCM)
        assert str(caught.value.errors[0]) == (
            f"{path}:1: treaty: --treaty ccm was given, but its name 'apmbc_art4.csv' says apmbc")


def test_a_file_name_without_the_apmbc_prefix_leaves_the_treaty_to_the_option(tmp_path, database_url):
    from models.tables import ReportReceived
    from models.treaty_tables import TreatyReportReceived

    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        path = write(tmp_path, "reports.csv", "iso3,report,received_on,source\nAFG,2024,2025-04-10,ISU\n")
        assert import_csv(path, session=session, actor="t", today=TODAY, treaty=APMBC).added == 1
        assert session.exec(select(TreatyReportReceived.iso3).where(TreatyReportReceived.treaty == "APMBC")).all() == ["AFG"]
        assert session.exec(select(ReportReceived)).all() == []
        session.rollback()
        assert import_csv(path, session=session, actor="t", today=TODAY).added == 1  # no option: the CCM
        assert session.exec(select(ReportReceived.iso3)).all() == ["AFG"]
        session.rollback()
        # a treaty column that disagrees with the option is still refused
        column = write(tmp_path, "more.csv", "iso3,report,received_on,source,treaty\nAFG,2024,2025-04-10,ISU,ccm\n")
        with pytest.raises(ImportRejected) as caught:
            import_csv(column, session=session, actor="t", today=TODAY, treaty=APMBC)
        assert str(caught.value.errors[0]) == (
            f"{column}:1: treaty: --treaty apmbc was given, but its treaty column says ccm")


def test_treaty_choices_are_named_when_unknown():
    assert treaties_named("ALL") == (CCM, APMBC)
    assert treaties_named("apmbc") == (APMBC,)
    with pytest.raises(KeyError, match="known: ccm, apmbc, all"):
        treaties_named("ottawa")


def test_an_apmbc_reports_file_keeps_the_apmbcs_register_not_the_ccms(tmp_path, database_url):
    from models.obligations import compute_obligations  # noqa: F401  (the same path the CLI takes)
    from models.tables import Obligation
    from models.tracking import registers
    from models.treaty_facts import treaty_registers
    from rules.obligations import REPORTS_REGISTER

    with Session(get_engine(database_url)) as session:
        load_everything(session)
        session.commit()
        assert treaty_registers(session=session, treaty=APMBC)[REPORTS_REGISTER] is None
        path = write(tmp_path, "apmbc_reports.csv",
                     "iso3,report,received_on,source\nAFG,2024,2025-04-29,ISU\n")
        result = import_csv(path, session=session, actor="t", today=TODAY)
        session.commit()
        assert result.kind == "reports received" and result.added == 1
        assert treaty_registers(session=session, treaty=APMBC)[REPORTS_REGISTER] == dt.date(1997, 12, 3)
        assert registers(session=session)[REPORTS_REGISTER] is None  # the CCM's is not kept
        rows = {o.key: o for o in session.exec(select(Obligation).where(Obligation.state == "AFG")).all()}
        assert rows["APMBC:AFG:art7_annual:2024"].status == "met"
        assert rows["APMBC:AFG:art7_annual:2024"].met_on == dt.date(2025, 4, 29)
        assert rows["CCM:AFG:art7_annual:2024"].met_on is None  # the CCM's report is another fact
