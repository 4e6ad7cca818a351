"""The `record-fact` flow: the form Prefect renders from its parameters, and the same
validation as `ccm-tracker record` (a refused fact ends Failed with the sentence and writes
nothing)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from models.db import session_scope
from models.tables import AuditEntry, ReportReceived
from tests.factories import make_state


def _counts() -> tuple[int, int]:
    with session_scope() as session:
        return (session.exec(select(func.count()).select_from(ReportReceived)).one(),
                session.exec(select(func.count()).select_from(AuditEntry)).one())


def test_the_form_offers_a_state_picker_a_fact_picker_and_date_pickers():
    from prefect.utilities.callables import parameter_schema

    from flows.record import record_fact

    fields = parameter_schema(record_fact.fn).model_dump()["properties"]
    assert "AFG Afghanistan" in fields["state"]["enum"]
    assert fields["fact"]["enum"] == ["initial report", "annual report", "extension",
                                      "completion", "applies"]
    assert {"format": "date", "type": "string"} in fields["on"]["anyOf"]
    assert {"format": "date", "type": "string"} in fields["until"]["anyOf"]
    assert {"enum": [3, 4, 5], "type": "integer"} in fields["article"]["anyOf"]
    assert fields["treaty"]["enum"] == ["CCM", "APMBC"] and fields["treaty"]["default"] == "CCM"
    assert "THA Thailand" in fields["state"]["enum"]  # an APMBC party outside the CCM


def test_an_apmbc_fact_from_the_form_is_recorded_under_the_apmbc_and_art4_extension_refused(
    database_url, prefect_harness
):
    from flows.record import record_fact
    from models.treaty_tables import TreatyArticleFact, TreatyParty

    with session_scope() as session:
        session.add(TreatyParty(treaty="APMBC", iso3="THA", name="Thailand", deposit_date=dt.date(1998, 11, 27)))
        session.flush()  # the party before its fact (foreign key)
        session.add(TreatyArticleFact(treaty="APMBC", iso3="THA", article=5, source="ISU"))
    refused = record_fact(state="THA Thailand", fact="extension", treaty="APMBC", article=4,
                          until=dt.date(2030, 1, 1), source="ISU", return_state=True)
    assert refused.is_failed()
    assert refused.message.startswith(
        "nothing was recorded: article: the APMBC's Art. 4 (stockpile destruction) has no extension mechanism")
    line = record_fact(state="THA Thailand", fact="extension", treaty="APMBC", article=5,
                       until=dt.date(2018, 11, 1), meeting="9MSP (2008)", source="ISU")
    assert line == "recorded: THA APMBC Art. 5 deadline extended to 2018-11-01"
    with session_scope() as session:
        rows = session.exec(select(TreatyArticleFact).where(TreatyArticleFact.extended_deadline.is_not(None))).all()  # type: ignore[union-attr]
    assert [(r.treaty, r.article, r.extended_deadline) for r in rows] == [("APMBC", 5, dt.date(2018, 11, 1))]


def test_an_impossible_fact_from_the_form_ends_failed_with_the_sentence_and_writes_nothing(
    database_url, prefect_harness
):
    from flows.record import record_fact

    with session_scope() as session:
        make_state(session, "AFG")
    before = _counts()
    future = dt.date.today() + dt.timedelta(days=40)
    state = record_fact(state="AFG Afghanistan", fact="initial report", on=future,
                        source="letter", return_state=True)
    assert state.is_failed()
    assert state.message.startswith("nothing was recorded: on: ")
    assert future.isoformat() in state.message
    assert _counts() == before


def test_a_fact_from_the_form_is_recorded_as_the_cli_records_it(database_url, prefect_harness):
    from flows.record import record_fact

    with session_scope() as session:
        make_state(session, "AFG")
    line = record_fact(state="AFG Afghanistan", fact="initial report",
                       on=dt.date(2012, 8, 20), source="letter", recorded_by="ana")
    assert line == "recorded: AFG initial report received 2012-08-20"
    with session_scope() as session:
        [report] = session.exec(select(ReportReceived)).all()
        [entry] = session.exec(select(AuditEntry)).all()
    assert (report.iso3, report.received_on, report.source) == ("AFG", dt.date(2012, 8, 20), "letter")
    assert entry.actor == "ana"

    again = record_fact(state="AFG Afghanistan", fact="initial report",
                        on=dt.date(2012, 8, 21), source="letter", return_state=True)
    assert again.is_failed()
    assert again.message.startswith("nothing was recorded: on: AFG's initial report is on record")
    assert again.message.endswith("(tick 'correct' and give a 'reason')")


def test_an_annual_report_without_its_year_is_refused_naming_the_field(database_url, prefect_harness):
    from flows.record import record_fact

    with session_scope() as session:
        make_state(session, "AFG")
    state = record_fact(state="AFG Afghanistan", fact="annual report", return_state=True)
    assert state.is_failed()
    assert state.message == ("nothing was recorded: year: give the year for an annual report, "
                             "and no year for the initial one")
    assert _counts() == (0, 0)


def test_a_fact_from_the_form_without_a_source_is_refused_naming_source(database_url, prefect_harness):
    from flows.record import record_fact

    with session_scope() as session:
        make_state(session, "AFG")
    state = record_fact(state="AFG Afghanistan", fact="initial report", on=dt.date(2012, 8, 20),
                        source="  ", return_state=True)
    assert state.is_failed()
    assert state.message.startswith("nothing was recorded: source: say where this fact comes from")
    assert _counts() == (0, 0)
