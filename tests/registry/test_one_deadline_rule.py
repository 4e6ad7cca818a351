"""One rule for the deadline in force and an extension step: the importer checks a step as
`record extension` does, and both count the Art. 4(1)(b) end of hostilities as the scan."""

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session

from models.db import get_engine, session_scope
from models.importer import ImportRejected, import_csv
from models.registry import current_deadline
from models.tables import State
from tests.factories import make_article_fact, make_state

ARTICLES = "state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes\n"


def _file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "art.csv"
    path.write_text(ARTICLES + rows, encoding="utf-8")
    return path


def test_the_importer_refuses_an_extension_step_longer_than_the_treaty_allows(tmp_path, database_url):
    with session_scope() as session:
        make_state(session)  # Afghanistan: Art. 4 deadline 2022-03-01
    path = _file(tmp_path, "Afghanistan,AFG,4,2027-03-02,,,,s,\n")  # 5 years and a day
    with Session(get_engine(database_url)) as session:
        with pytest.raises(ImportRejected) as caught:
            import_csv(path, session=session, actor="test")
        session.rollback()
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:2: extended_deadline: AFG Art. 4: an Art. 4 extension is at most 5 years a step"
    ]


def test_a_step_is_measured_from_the_step_before_it_in_the_same_file(tmp_path, database_url):
    with session_scope() as session:
        make_state(session)
    path = _file(tmp_path, "Afghanistan,AFG,4,2026-03-01,,,,s,\nAfghanistan,AFG,4,2031-03-01,,,,s,\n")
    with session_scope() as session:
        result = import_csv(path, session=session, actor="test")
    assert result.added == 2


def test_record_extension_and_the_scan_share_the_end_of_hostilities(database_url):
    with session_scope() as session:
        make_state(session)
        session.flush()
        make_article_fact(session, article=4, hostilities_ended=dt.date(2015, 6, 30))
    with session_scope() as session:
        state = session.get(State, "AFG")
        assert current_deadline(session=session, state=state, article=4) == dt.date(2025, 6, 30)
