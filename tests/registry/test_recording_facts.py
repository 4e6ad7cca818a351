"""Recording one fact: impossible facts refused in one sentence, corrections explicit and
kept, the same fact twice a no-op, and concurrent writers never lose a write."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

import models.registry
from cli.app import app
from errors import UserError
from models.db import get_engine
from models.registry import (
    record_applies,
    record_completion,
    record_extension,
    record_report,
)
from models.tables import ArticleFact, AuditEntry, ReportReceived
from models.validation import FactRejected, parse_day
from tests.factories import make_article_fact, make_state

TODAY = dt.date(2026, 11, 29)
runner = CliRunner()


def afghanistan(url: str, *, clearance: bool = True) -> None:
    with Session(get_engine(url)) as session:
        make_state(session)
        session.flush()
        if clearance:
            make_article_fact(session, article=4)
        session.commit()


def report(url: str, period: int | None, day: dt.date, **options):  # type: ignore[no-untyped-def]
    with Session(get_engine(url), expire_on_commit=False) as session:
        done = record_report(session=session, iso3="AFG", period=period, received_on=day, source="ISU",
                             actor="test", today=TODAY, **options)
        session.commit()
    return done


def refusal(write) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(FactRejected) as caught:
        write()
    return str(caught.value)


def audit_rows(url: str, action: str) -> list[AuditEntry]:
    with Session(get_engine(url)) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


# --- impossible facts ----------------------------------------------------------------------


def test_a_report_received_after_today_is_refused(database_url):
    afghanistan(database_url)
    assert refusal(lambda: report(database_url, 2025, dt.date(2026, 11, 30))) == (
        "the 2025 annual report received 2026-11-30 is after today (2026-11-29, Geneva)"
    )


def test_an_annual_report_for_a_year_not_over_on_its_received_day_is_refused(database_url):
    afghanistan(database_url)
    assert refusal(lambda: report(database_url, 2026, dt.date(2026, 3, 1))) == (
        "the 2026 annual report covers all of 2026, which was not over on 2026-03-01"
    )


def test_a_report_received_before_the_deposit_is_refused(database_url):
    afghanistan(database_url)
    assert refusal(lambda: report(database_url, None, dt.date(2011, 9, 7))) == (
        "the initial report received 2011-09-07 is before AFG deposited its instrument on 2011-09-08"
    )


def test_a_completion_after_today_is_refused(database_url):
    afghanistan(database_url)
    with Session(get_engine(database_url)) as session:
        message = refusal(lambda: record_completion(
            session=session, iso3="AFG", article=4, completed_on=dt.date(2027, 1, 1), source="s",
            actor="t", today=TODAY))
    assert message == "Art. 4 completion 2027-01-01 is after today (2026-11-29, Geneva)"


def test_an_extension_for_an_article_with_no_fact_says_how_to_record_that_it_applies(database_url):
    afghanistan(database_url, clearance=False)
    with Session(get_engine(database_url)) as session:
        message = refusal(lambda: record_extension(
            session=session, iso3="AFG", article=3, until=dt.date(2023, 3, 1), meeting=None,
            source="s", actor="t"))
        session.rollback()
        assert message.startswith("nothing on record says AFG held stockpiles of cluster munitions (Art. 3)")
        assert "`ccm-tracker record applies AFG --article 3 --source ...`" in message
        assert "'Afghanistan,AFG,3,,,,,SOURCE,'" in message
        assert session.exec(select(func.count()).select_from(ArticleFact)).one() == 0
        assert record_applies(session=session, iso3="AFG", article=3, source="Monitor", actor="t").change == "added"
        done = record_extension(session=session, iso3="AFG", article=3, until=dt.date(2023, 3, 1),
                                meeting="10MSP", source="s", actor="t")
        assert done.change == "added"


def test_a_completion_for_an_article_with_no_fact_is_refused(database_url):
    afghanistan(database_url, clearance=False)
    with Session(get_engine(database_url)) as session:
        message = refusal(lambda: record_completion(
            session=session, iso3="AFG", article=4, completed_on=dt.date(2020, 1, 1), source="s",
            actor="t", today=TODAY))
    assert message.startswith("nothing on record says AFG had contaminated areas (Art. 4)")


@pytest.mark.parametrize("text", ["2011-9-8", "20110908", "2011-W36-4", "2011-02-30", "08/09/2011", "2011-09-08\n"])
def test_only_yyyy_mm_dd_is_a_date(text):
    if text == "2011-09-08\n":  # surrounding spaces and a newline are not part of the value
        assert parse_day(text, field="--on") == dt.date(2011, 9, 8)
        return
    with pytest.raises(FactRejected) as caught:
        parse_day(text, field="--on")
    assert str(caught.value) == f"{text!r} is not a date (YYYY-MM-DD)" and caught.value.field == "--on"


def test_refusals_share_the_user_error_base():
    assert issubclass(FactRejected, UserError)


# --- corrections ---------------------------------------------------------------------------


def test_recording_the_same_report_again_changes_nothing_and_says_so(database_url):
    afghanistan(database_url)
    assert report(database_url, 2025, dt.date(2026, 4, 20)).change == "added"
    assert report(database_url, 2025, dt.date(2026, 4, 20)).change == "unchanged"
    assert len(audit_rows(database_url, "report.recorded")) == 1


def test_another_received_day_is_refused_unless_it_is_a_correction_with_a_reason(database_url):
    afghanistan(database_url)
    report(database_url, 2025, dt.date(2026, 4, 20))
    assert refusal(lambda: report(database_url, 2025, dt.date(2026, 4, 22))) == (
        "AFG's 2025 annual report is on record as received 2026-04-20 (source: ISU); to replace it, "
        "record it as a correction with a reason (--correct --reason ...)"
    )
    assert refusal(lambda: report(database_url, 2025, dt.date(2026, 4, 22), correct=True)) == (
        "a correction of AFG's 2025 annual report needs a reason (--reason)"
    )
    done = report(database_url, 2025, dt.date(2026, 4, 22), correct=True, reason="stamp misread")
    assert (done.change, done.old) == ("corrected", dt.date(2026, 4, 20))
    (entry,) = audit_rows(database_url, "report.corrected")
    assert json.loads(entry.detail) == {
        "kind": "annual", "period": 2025, "received_on": "2026-04-22",
        "old": "2026-04-20", "new": "2026-04-22", "reason": "stamp misread",
    }


def test_a_meeting_that_granted_another_date_is_a_correction(database_url):
    afghanistan(database_url)
    with Session(get_engine(database_url)) as session:
        record_extension(session=session, iso3="AFG", article=4, until=dt.date(2026, 3, 1), meeting="10MSP",
                         source="s", actor="t")
        message = refusal(lambda: record_extension(
            session=session, iso3="AFG", article=4, until=dt.date(2026, 6, 1), meeting="10msp",
            source="s", actor="t"))
        assert message.startswith("10msp is on record as extending AFG's Art. 4 deadline to 2026-03-01")
        done = record_extension(session=session, iso3="AFG", article=4, until=dt.date(2026, 6, 1),
                                meeting="10MSP", source="s", actor="t", correct=True, reason="final report")
        assert (done.change, done.old) == ("corrected", dt.date(2026, 3, 1))
        extensions = session.exec(select(ArticleFact.extended_deadline).where(ArticleFact.extended_deadline.is_not(None))).all()  # type: ignore[union-attr]
        assert extensions == [dt.date(2026, 6, 1)]


def test_a_different_completion_day_needs_a_correction(database_url):
    afghanistan(database_url)
    with Session(get_engine(database_url)) as session:
        def complete(day: dt.date, **options):  # type: ignore[no-untyped-def]
            return record_completion(session=session, iso3="AFG", article=4, completed_on=day, source="s",
                                     actor="t", today=TODAY, **options)

        assert complete(dt.date(2026, 10, 1)).change == "added"
        assert complete(dt.date(2026, 10, 1)).change == "unchanged"
        assert refusal(lambda: complete(dt.date(2026, 9, 1))).startswith(
            "AFG's Art. 4 completion is on record as 2026-10-01")
        assert complete(dt.date(2026, 9, 1), correct=True, reason="typo").change == "corrected"


# --- concurrent writers --------------------------------------------------------------------


def race(url: str, days: list[dt.date], monkeypatch, **options) -> list[object]:  # type: ignore[no-untyped-def]
    """Four writers record the 2025 report at once, each with its own day. All four read the
    registry before any writes (a barrier at the one chokepoint, the compare-and-set)."""
    barrier = threading.Barrier(len(days), timeout=30)
    claim = models.registry.claim_state

    def claim_together(**kwargs):  # type: ignore[no-untyped-def]
        barrier.wait()
        return claim(**kwargs)

    monkeypatch.setattr(models.registry, "claim_state", claim_together)
    outcomes: list[object] = [None] * len(days)

    def write(index: int) -> None:
        try:
            outcomes[index] = report(url, 2025, days[index], **options)
        except FactRejected as rejected:
            outcomes[index] = rejected

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(days))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


DAYS = [dt.date(2026, 4, day) for day in (20, 21, 22, 23)]


def test_of_four_people_recording_one_report_at_once_one_succeeds_and_three_are_told(database_url, monkeypatch):
    afghanistan(database_url)
    outcomes = race(database_url, DAYS, monkeypatch)
    winners = [o for o in outcomes if not isinstance(o, FactRejected)]
    told = [str(o) for o in outcomes if isinstance(o, FactRejected)]
    assert len(winners) == 1 and len(told) == 3
    assert all(t.startswith("AFG's facts changed while this was being recorded") for t in told)
    with Session(get_engine(database_url)) as session:
        (stored,) = session.exec(select(ReportReceived)).all()
    assert stored.received_on == winners[0].fact.received_on  # type: ignore[attr-defined]
    assert len(audit_rows(database_url, "report.recorded")) == 1


def test_of_four_corrections_based_on_the_same_value_one_succeeds(database_url, monkeypatch):
    afghanistan(database_url)
    report(database_url, 2025, dt.date(2026, 4, 1))
    outcomes = race(database_url, DAYS, monkeypatch, correct=True, reason="each saw another stamp")
    assert sum(not isinstance(o, FactRejected) for o in outcomes) == 1
    assert len(audit_rows(database_url, "report.corrected")) == 1


# --- the command line ----------------------------------------------------------------------


def cli(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def test_the_command_line_refuses_a_changed_report_then_records_the_correction_and_facts_shows_it(database_url):
    assert cli("init", "--tracking-since", "2026-01-01").exit_code == 0
    first = cli("record", "report", "AUS", "--year", "2025", "--on", "2026-04-20", "--source", "ISU")
    assert first.exit_code == 0 and "recorded: AUS 2025 annual report received 2026-04-20" in first.output
    again = cli("record", "report", "AUS", "--year", "2025", "--received", "2026-04-20", "--source", "ISU")
    assert "already on record: AUS 2025 annual report received 2026-04-20 (nothing changed)" in again.output
    changed = cli("record", "report", "AUS", "--year", "2025", "--on", "2026-04-22", "--source", "ISU")
    assert changed.exit_code == 1
    assert "error: --on: AUS's 2025 annual report is on record as received 2026-04-20" in changed.output
    corrected = cli("record", "report", "AUS", "--year", "2025", "--on", "2026-04-22", "--source", "ISU", "--correct",
                    "--reason", "date stamp misread")
    assert corrected.exit_code == 0, corrected.output
    assert "corrected: AUS 2025 annual report received 2026-04-22 (was 2026-04-20; reason: date stamp misread)" in corrected.output
    facts = cli("facts", "AUS")
    assert "2026-04-20 → 2026-04-22" in facts.output and "date stamp misread" in facts.output


def test_the_command_line_refuses_a_future_day_and_a_bad_date_format(database_url):
    assert cli("init").exit_code == 0
    future = cli("record", "completion", "AFG", "--article", "4", "--on", "2999-01-01", "--source", "x")
    assert future.exit_code == 1 and "error: --on: Art. 4 completion 2999-01-01 is after today" in future.output
    bad = cli("record", "report", "AFG", "--initial", "--on", "1/2/2013", "--source", "x")
    assert bad.exit_code == 2 and "'1/2/2013' is not a date (YYYY-MM-DD)" in bad.output


def test_record_applies_then_a_completion_through_the_command_line(database_url):
    assert cli("init").exit_code == 0
    refused = cli("record", "completion", "IRL", "--article", "4", "--on", "2020-01-01", "--source", "x")
    assert refused.exit_code == 1 and "ccm-tracker record applies IRL --article 4" in refused.output
    assert "recorded: IRL Art. 4 applies" in cli("record", "applies", "IRL", "--article", "4", "--source", "MAR").output
    assert "already on record" in cli("record", "applies", "IRL", "--article", "4", "--source", "MAR").output
    assert cli("record", "completion", "IRL", "--article", "4", "--on", "2020-01-01", "--source", "x").exit_code == 0


def test_text_postgresql_cannot_store_is_refused_before_it_reaches_the_database(database_url):
    afghanistan(database_url)
    with Session(get_engine(database_url)) as session:
        assert refusal(lambda: record_report(session=session, iso3="A\x00G", period=None,
                                             received_on=dt.date(2012, 1, 1), source="s", actor="t")) == (
            "'A\\x00G' is not an ISO 3166-1 alpha-3 code (three letters, e.g. AFG)")
        assert refusal(lambda: record_report(session=session, iso3="AFG", period=None,
                                             received_on=dt.date(2012, 1, 1), source="ISU\x00", actor="t")) == (
            "contains a NUL byte (a binary file, or a bad export)")
        session.rollback()
        long_actor = record_applies(session=session, iso3="AFG", article=3, source="s", actor="x" * 500)
        session.commit()
    assert long_actor.change == "added"


# --- a fact needs a source, whoever records it ---------------------------------------------

@pytest.mark.parametrize("source", ["", "   "])
@pytest.mark.parametrize("recorder", ["report", "extension", "completion", "applies"])
def test_a_fact_with_a_blank_source_is_refused_by_the_model_naming_the_source(database_url, recorder, source):
    afghanistan(database_url)
    calls = {
        "report": lambda s: record_report(session=s, iso3="AFG", period=2025, received_on=dt.date(2026, 5, 2),
                                          source=source, actor="test", today=TODAY),
        "extension": lambda s: record_extension(session=s, iso3="AFG", article=4, until=dt.date(2026, 3, 1),
                                                meeting="9MSP", source=source, actor="test"),
        "completion": lambda s: record_completion(session=s, iso3="AFG", article=4,
                                                  completed_on=dt.date(2026, 1, 10), source=source,
                                                  actor="test", today=TODAY),
        "applies": lambda s: record_applies(session=s, iso3="AFG", article=3, source=source, actor="test"),
    }
    with Session(get_engine(database_url)) as session:
        with pytest.raises(FactRejected) as caught:
            calls[recorder](session)
        session.rollback()
    assert caught.value.field == "source"
    assert str(caught.value).startswith("say where this fact comes from")
    with Session(get_engine(database_url)) as session:
        assert session.exec(select(func.count()).select_from(AuditEntry)).one() == 0
