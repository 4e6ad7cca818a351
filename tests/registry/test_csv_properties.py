"""Property: whatever text a cell holds (form feeds, vertical tabs, U+2028, quotes, commas,
CR, LF), a file written by the ``csv`` module reads back as the same rows, each with the line
an editor shows it starting on."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from models.csv_input import read_csv

CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
) | st.sampled_from(["a\fb", "a\vb", "a\u2028b", "a\u2029b", 'say "hi"', "x,y", "l1\nl2", "l1\r\nl2", "r\rr"])
ROWS = st.lists(st.tuples(CELL, CELL, CELL), min_size=1, max_size=8)
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what open(newline="") splits lines on


@settings(max_examples=200, deadline=None)
@given(rows=ROWS)
def test_rows_and_their_starting_lines_survive_any_cell_text(tmp_path_factory, rows):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    starts = []
    for row in rows:
        starts.append(len(LINE_BREAK.findall(buffer.getvalue())) + 1)
        writer.writerow(row)
    path = Path(tmp_path_factory.mktemp("csv")) / "rows.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))

    table = read_csv(path, shown="rows.csv")

    assert table.errors == []
    assert table.rows == [
        (line, {"a": a.strip(), "b": b.strip(), "c": c.strip()})
        for line, (a, b, c) in zip(starts, rows, strict=True)
    ]
