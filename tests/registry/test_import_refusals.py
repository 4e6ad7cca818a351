"""The importer reads CSV as CSV: one test per refusal, each with its exact line, and the
database unchanged (byte-identical on SQLite, row-identical on PostgreSQL) after it.

The files under ``cases/`` are the failing inputs found by trying the tracker
(/work/shared/cases); the others are written here, each saying what it breaks.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.app import app
from models import all_tables
from models.db import get_engine
from models.importer import BUNDLED_DIR, BUNDLED_FILES, ImportRejected, import_csv
from models.tables import ArticleFact, AuditEntry, State
from tests.factories import make_state

CASES = Path(__file__).parent / "cases"
TODAY = dt.date(2026, 11, 29)
HEADER = (
    "state,iso3,signature_date,deposit_date,instrument,provisional_application_date,"
    "withdrawal_effective_date,source,notes\n"
)
AFG = "Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,UN,\n"
runner = CliRunner()


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def case(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copy(CASES / name, tmp_path / name))


def snapshot(url: str) -> object:
    """SQLite: the dump's text (byte for byte); PostgreSQL: every row of every table."""
    get_engine(url).dispose()
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return "\n".join(conn.iterdump())
    with get_engine(url).connect() as conn:
        return {
            table: sorted(map(repr, conn.execute(text(f'SELECT * FROM "{table}"')).all()))
            for table in sorted(all_tables().tables)
        }


def load_registry(url: str) -> None:
    with Session(get_engine(url)) as session:
        for name in BUNDLED_FILES:
            import_csv(BUNDLED_DIR / name, session=session, actor="test", today=TODAY)
        session.commit()


def refused(path: Path, url: str, **options: object) -> list[str]:
    """Import ``path``, expect a refusal, and check that nothing at all was written."""
    before = snapshot(url)
    with Session(get_engine(url)) as session:
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="test", today=TODAY, **options)  # type: ignore[arg-type]
        session.rollback()
    assert snapshot(url) == before
    return [str(e) for e in caught.value.errors]


def imported(path: Path, url: str, **options: object):  # type: ignore[no-untyped-def]
    with Session(get_engine(url)) as session:
        result = import_csv(path, session=session, actor="test", today=TODAY, **options)  # type: ignore[arg-type]
        session.commit()
    return result


# --- line numbers: the csv module decides rows, not str.splitlines ---------------------


def test_a_form_feed_inside_an_unquoted_field_does_not_move_line_numbers(tmp_path, database_url):
    path = case(tmp_path, "import_formfeed_unquoted.csv")
    assert refused(path, database_url) == [f"{path}:3: deposit_date: '2013-02-31' is not a date (YYYY-MM-DD)"]


def test_a_line_separator_u2028_inside_a_quoted_field_does_not_move_line_numbers(tmp_path, database_url):
    path = case(tmp_path, "import_u2028_lineno.csv")
    assert refused(path, database_url) == [f"{path}:4: deposit_date: '2013-02-31' is not a date (YYYY-MM-DD)"]


def test_a_vertical_tab_in_a_crlf_file_is_text_and_a_future_deposit_is_refused(tmp_path, database_url):
    path = case(tmp_path, "c12f_unquoted_vt_only.csv")
    assert refused(path, database_url) == [
        f"{path}:2: deposit_date: 2026-12-31 is after today (2026-11-29, Geneva)"
    ]


def test_a_form_feed_kept_in_a_note_is_stored_as_written(tmp_path, database_url):
    path = write(tmp_path, "ff.csv", HEADER + "Afghanistan,AFG,2008-12-03,2011-09-08,ratification,,,UN,page one\fpage two\n")
    imported(path, database_url)
    with Session(get_engine(database_url)) as session:
        assert session.get(State, "AFG").notes == "page one\fpage two"


# --- broken rows and files ---------------------------------------------------------------


def test_a_row_with_fewer_fields_than_the_header_is_refused(tmp_path, database_url):
    path = write(tmp_path, "short.csv", HEADER + AFG + "Albania,ALB,2008-12-03,2009-06-16,ratification,,\n")
    assert refused(path, database_url) == [f"{path}:3: source: is missing: the row has 7 fields, the header 9"]


def test_a_row_with_more_fields_than_the_header_is_refused(tmp_path, database_url):
    path = write(tmp_path, "long.csv", HEADER + AFG + "Albania,ALB,2008-12-03,2009-06-16,ratification,,,UN,,extra\n")
    assert refused(path, database_url) == [f"{path}:3: row: has 10 fields, the header 9"]


def test_a_file_without_an_optional_column_is_refused(tmp_path, database_url):
    path = write(tmp_path, "nonotes.csv", HEADER.replace(",notes", "") + AFG.removesuffix(",\n") + "\n")
    errors = refused(path, database_url)
    assert errors[0].startswith(f"{path}:1: header: missing column 'notes' (a participants file has state,iso3,")


def test_an_unknown_column_is_refused(tmp_path, database_url):
    path = write(tmp_path, "typo.csv", HEADER.replace("notes", "notes,deposit_dat") + AFG.replace("UN,", "UN,,"))
    assert refused(path, database_url)[0].startswith(f"{path}:1: header: unknown column 'deposit_dat'")


def test_a_file_cut_inside_a_quoted_field_is_refused_at_the_row_it_opens(tmp_path, database_url):
    path = write(tmp_path, "cut.csv", HEADER + AFG + 'Albania,ALB,2008-12-03,2009-06-16,ratification,,,UN,"the note\nwas cut')
    assert refused(path, database_url) == [
        f"{path}:3: row: a quoted field opened in this row is never closed (unterminated quote)"
    ]


def test_a_nul_byte_is_refused_with_its_field(tmp_path, database_url):
    path = case(tmp_path, "import_nul.csv")
    assert refused(path, database_url) == [
        f"{path}:2: notes: contains a NUL byte (a binary file, or a bad export)"
    ]


def test_a_field_over_the_csv_modules_128_kib_limit_is_refused_not_a_traceback(tmp_path, database_url):
    path = case(tmp_path, "import_huge_field.csv")
    assert refused(path, database_url) == [f"{path}:2: row: a field is longer than 10,000 characters (the limit)"]


def test_a_field_over_10000_characters_is_refused_with_its_name(tmp_path, database_url):
    path = write(tmp_path, "big.csv", HEADER + AFG.replace("UN,", "UN," + "x" * 10_001))
    assert refused(path, database_url) == [f"{path}:2: notes: is 10,001 characters long; the limit is 10,000"]


def test_a_file_that_is_not_utf8_names_its_first_bad_line(tmp_path, database_url):
    path = write(tmp_path, "latin1.csv", (HEADER + AFG + "Côte d'Ivoire,CIV,2008-12-04,2012-03-12,ratification,,,UN,\n").encode("latin-1"))
    assert refused(path, database_url) == [f"{path}:3: file: is not UTF-8 text (byte 0xf4): save it as CSV UTF-8"]


def test_a_semicolon_separated_file_says_so(tmp_path, database_url):
    path = write(tmp_path, "excel.csv", HEADER.replace(",", ";") + AFG.replace(",", ";"))
    assert refused(path, database_url) == [
        f"{path}:1: header: the columns are separated by semicolons: save it as CSV UTF-8 (comma delimited)"
    ]


def test_a_state_name_spanning_lines_is_refused(tmp_path, database_url):
    path = case(tmp_path, "inject_state_name.csv")
    assert refused(path, database_url) == [
        f"{path}:2: state: a State's name is one line of text; this one holds a line break or a control character"
    ]


# --- an import never clears or silently changes a fact -----------------------------------


def test_a_truncated_row_does_not_make_a_party_a_signatory_or_undo_a_withdrawal(tmp_path, database_url):
    load_registry(database_url)
    path = write(tmp_path, "cut.csv", HEADER + "Afghanistan,AFG,2008-12-03,,,,,UN,\nLithuania,LTU,2008-12-03,2011-03-24,ratification,,,UN,\n")
    assert refused(path, database_url) == [
        (f"{path}:2: deposit_date: is empty but AFG's is on record as 2011-09-08: an import never clears a "
        "value (a cell cut off, or a row shorter than the header?)"),
        (f"{path}:2: instrument: is empty but AFG's is on record as ratification: an import never clears a "
        "value (a cell cut off, or a row shorter than the header?)"),
        (f"{path}:3: withdrawal_effective_date: is empty but LTU's is on record as 2025-03-06: an import never "
        "clears a value (a cell cut off, or a row shorter than the header?)"),
    ]


@pytest.mark.parametrize("name", ["participants.csv", "apmbc_participants.csv"])
def test_a_row_neither_signed_nor_deposited_is_refused_not_made_a_signatory(tmp_path, database_url, name):
    path = write(tmp_path, name, HEADER + AFG + "Thailand,THA,,,,,,src,\n")
    assert refused(path, database_url) == [
        (f"{path}:3: signature_date: is empty and so is deposit_date: a participant has signed or "
         "deposited an instrument (a State that did neither is not in the register)")
    ]


def test_a_signatory_with_a_signature_date_alone_is_still_imported(tmp_path, database_url):
    path = write(tmp_path, "signed.csv", HEADER + "Djibouti,DJI,2010-07-30,,,,,UN,\n")
    assert imported(path, database_url).added == 1


def test_a_changed_deposit_needs_a_correction_which_the_audit_keeps(tmp_path, database_url):
    first, second = case(tmp_path, "c09_import_v1.csv"), case(tmp_path, "c09_import_v2_corrected.csv")
    imported(first, database_url)
    assert refused(second, database_url) == [
        (f"{second}:2: deposit_date: 2026-09-01 differs from TUR's 2026-08-31 on record; to replace it, "
        "import the file with --correct --reason ...")
    ]
    assert refused(second, database_url, correct=True) == [f"{second}: --reason: a corrected import needs a reason"]
    result = imported(second, database_url, correct=True, reason="UNTC depositary notification")
    assert (result.corrected, result.states) == (1, {"TUR"})
    with Session(get_engine(database_url)) as session:
        assert session.get(State, "TUR").deposit_date == dt.date(2026, 9, 1)
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "state.corrected")).one()
    assert json.loads(entry.detail) == {
        "changes": {"deposit_date": ["2026-08-31", "2026-09-01"]},
        "reason": "UNTC depositary notification",
    }


def test_a_signatory_that_deposits_is_updated_without_a_correction(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session, iso3="AGO", name="Angola", deposit=None)
        session.commit()
    path = write(tmp_path, "ago.csv", HEADER + "Angola,AGO,2008-12-03,2025-05-01,ratification,,,UN,\n")
    assert imported(path, database_url).updated == 1


def test_a_changed_report_day_needs_a_correction(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
    header = "iso3,report,received_on,source\n"
    imported(write(tmp_path, "r1.csv", header + "AFG,2024,2025-04-20,ISU\n"), database_url)
    path = write(tmp_path, "r2.csv", header + "AFG,2024,2025-04-22,ISU\n")
    assert refused(path, database_url) == [
        (f"{path}:2: received_on: 2025-04-22 differs from AFG's 2024 annual report on record as received "
        "2025-04-20; to replace it, import the file with --correct --reason ...")
    ]
    assert imported(path, database_url, correct=True, reason="date stamp misread").corrected == 1


def test_impossible_reports_are_refused_each_on_its_line(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
    path = write(tmp_path, "reports.csv", "iso3,report,received_on,source\n"
                 "AFG,2026,2026-03-01,ISU\nAFG,2030,,ISU\nAFG,initial,2011-01-05,ISU\nAFG,2025,2027-01-01,ISU\n")
    assert refused(path, database_url) == [
        f"{path}:2: received_on: the 2026 annual report covers all of 2026, which was not over on 2026-03-01",
        f"{path}:3: report: the 2030 annual report covers all of 2030, which was not over today (2026-11-29)",
        f"{path}:4: received_on: the initial report received 2011-01-05 is before AFG deposited its instrument on 2011-09-08",
        f"{path}:5: received_on: the 2025 annual report received 2027-01-01 is after today (2026-11-29, Geneva)",
    ]


def test_a_future_completion_is_refused(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
    path = write(tmp_path, "a34.csv", "state,iso3,article,extended_deadline,extension_granted_at,completed_date,"
                 "completed_period,source,notes\nAfghanistan,AFG,4,,,2027-03-01,,s,\nAfghanistan,AFG,3,,,,2027,s,\n")
    assert refused(path, database_url) == [
        f"{path}:2: completed_date: completion 2027-03-01 is after today (2026-11-29, Geneva)",
        f"{path}:3: completed_period: 2027 has not begun (today is 2026-11-29, Geneva)",
    ]


# --- PostgreSQL's limits, and the command line -------------------------------------------


def test_a_long_file_name_is_imported_on_every_backend(tmp_path, database_url):
    path = write(tmp_path, "registry-" + "x" * 200 + ".csv", HEADER + AFG)
    assert imported(path, database_url).added == 1
    with Session(get_engine(database_url)) as session:
        entry = session.exec(select(AuditEntry)).one()
    assert entry.source == str(path) and len(entry.subject) == 128


def test_the_command_line_caps_the_errors_it_prints_and_says_how_many_more(tmp_path, database_url):
    rows = "".join(f"Nowhere,Z{chr(89 + i // 26)}{chr(65 + i % 26)},2008-12-03,2011-09-08,ratification,,,s,\n" for i in range(30))
    path = write(tmp_path, "many.csv", HEADER + rows)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert sum(1 for line in lines if line.startswith(f"{path}:")) == 20
    assert "... and 10 more error(s) not shown" in lines
    assert lines[-1] == "error: 30 error(s); nothing was imported"


def test_the_command_line_imports_a_correction_with_its_reason(tmp_path, database_url):
    assert runner.invoke(app, ["import", str(case(tmp_path, "c09_import_v1.csv"))]).exit_code == 0
    second = case(tmp_path, "c09_import_v2_corrected.csv")
    refused_run = runner.invoke(app, ["import", str(second)])
    assert refused_run.exit_code == 1 and "--correct --reason" in refused_run.output
    done = runner.invoke(app, ["import", str(second), "--correct", "--reason", "UNTC notification"])
    assert done.exit_code == 0, done.output
    assert "1 corrected" in done.output


def test_a_correction_reason_with_a_nul_byte_is_refused(tmp_path, database_url):
    path = write(tmp_path, "ok.csv", HEADER + AFG)
    assert refused(path, database_url, correct=True, reason="typo\x00") == [
        f"{path}: --reason: contains a NUL byte (a binary file, or a bad export)"
    ]


ARTICLES = "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\n"


def test_another_completion_from_the_same_source_is_a_correction_and_from_another_a_disagreement(tmp_path, database_url):
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
    imported(write(tmp_path, "a1.csv", ARTICLES + "Afghanistan,AFG,4,,,2020-05-01,,MAR 2021,\n"), database_url)
    same_source = write(tmp_path, "a2.csv", ARTICLES + "Afghanistan,AFG,4,,,2020-06-01,,MAR 2021,\n")
    assert refused(same_source, database_url) == [
        (f"{same_source}:2: completed_date: Art. 4 completed 2020-06-01 differs from Art. 4 completed 2020-05-01 "
        "on record from the same source; to replace it, import the file with --correct --reason ...")
    ]
    assert imported(same_source, database_url, correct=True, reason="MAR erratum").corrected == 1
    other_source = write(tmp_path, "a3.csv", ARTICLES + "Afghanistan,AFG,4,,,2020-07-01,,Monitor 2021,\n")
    assert imported(other_source, database_url).added == 1
    with Session(get_engine(database_url)) as session:
        days = sorted(session.exec(select(ArticleFact.completed_date)).all())
        (entry,) = session.exec(select(AuditEntry).where(AuditEntry.action == "article.corrected")).all()
    assert days == [dt.date(2020, 6, 1), dt.date(2020, 7, 1)]
    assert json.loads(entry.detail)["old"] == "Art. 4 completed 2020-05-01"


def test_an_empty_file_and_a_header_only_file_are_refused(tmp_path, database_url):
    empty, header_only = write(tmp_path, "empty.csv", ""), write(tmp_path, "header.csv", HEADER)
    assert refused(empty, database_url) == [f"{empty}:1: file: is empty (no header)"]
    assert refused(header_only, database_url) == [f"{header_only}:1: file: has no data rows"]


@pytest.mark.parametrize("name", ["missing.csv", "a-folder"])
def test_a_file_that_cannot_be_read_is_one_sentence_naming_it_without_a_line(tmp_path, database_url, name):
    (tmp_path / "a-folder").mkdir()
    path = tmp_path / name
    before = snapshot(database_url)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    reason = "No such file or directory" if name == "missing.csv" else "Is a directory"
    assert result.output.splitlines() == [
        f"error: {path} cannot be read ({reason}); nothing was imported"]
    assert snapshot(database_url) == before


def test_a_day_that_is_not_a_date_is_one_error_not_also_an_empty_value(tmp_path, database_url):
    imported(write(tmp_path, "first.csv", HEADER + AFG), database_url)
    path = write(tmp_path, "again.csv", HEADER + AFG.replace("2011-09-08", "2011-09-32")
                 + "Albania,ALB,2008-12-33,2009-06-16,ratification,,,UN,\n")
    assert refused(path, database_url) == [
        f"{path}:2: deposit_date: '2011-09-32' is not a date (YYYY-MM-DD)",
        f"{path}:3: signature_date: '2008-12-33' is not a date (YYYY-MM-DD)",
    ]


def test_a_row_with_a_blank_source_is_refused_naming_its_line(tmp_path, database_url):
    path = write(tmp_path, "nosource.csv", HEADER + AFG.replace(",UN,", ",  ,"))
    assert refused(path, database_url) == [
        (f"{path}:2: source: say where this fact comes from (a document, a URL, a letter); "
         "a fact without a source is not kept")]
