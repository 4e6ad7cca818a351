"""Reading a CSV file as CSV: the ``csv`` module on the file opened with ``newline=""``
decides rows and line numbers, and every way a file can be broken is one ``RowError``.

Refused, each as ``file:line: field: reason``: a file that is not UTF-8 (the first bad line;
"save it as CSV UTF-8"), a semicolon-separated file, a header with a missing, unknown or
repeated column, a row with fewer or more fields than the header, an unterminated quote, a
NUL byte, a field longer than ``TEXT_LIMIT`` (10,000) characters. Form feeds, vertical tabs
and U+2028 inside a field are text, not line breaks: a row starts on the line the ``csv``
module says, counting quoted fields that span lines.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from models.validation import TEXT_LIMIT, text_problems


@dataclass
class RowError:
    """One reason a file was refused: ``path:line: field: reason``; line 0 is the whole
    file or an option of the import (``path: --reason: ...``): no line is named then."""

    path: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.reason}"


@dataclass
class CsvTable:
    """A file's header and its rows as ``(line where the row starts, {column: text})``."""

    path: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_csv(path: Path, *, shown: str) -> CsvTable:
    """Read ``path`` (shown in messages as ``shown``); structural errors land in ``.errors``.

    Values are stripped of surrounding spaces. Blank lines are skipped. Reading stops at the
    first error the ``csv`` module itself raises (after it, rows cannot be told apart).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        return CsvTable(shown, [], errors=[RowError(shown, 0, "file", f"cannot be read ({error.strerror or error})")])
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        bad = raw[error.start : error.start + 1].hex()
        return CsvTable(
            shown, [],
            errors=[RowError(shown, line, "file", f"is not UTF-8 text (byte 0x{bad}): save it as CSV UTF-8")],
        )
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        table = CsvTable(shown, [])
        start = 1
        try:
            for fields in reader:
                line, start = start, reader.line_num + 1
                if not fields:
                    continue
                if not table.header:
                    table.header = _header(fields, shown, line, table.errors)
                    continue
                _row(table, line, fields)
        except csv.Error as error:
            table.errors.append(RowError(shown, start, "row", _csv_reason(str(error))))
    if not table.header and not table.errors:
        table.errors.append(RowError(shown, 1, "file", "is empty (no header)"))
    return table


def _header(fields: list[str], shown: str, line: int, errors: list[RowError]) -> list[str]:
    names = [name.strip() for name in fields]
    if len(names) == 1 and ";" in names[0] or any(";" in name for name in names):
        errors.append(
            RowError(shown, line, "header", "the columns are separated by semicolons: save it as "
                     "CSV UTF-8 (comma delimited)")
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(RowError(shown, line, "header", f"column {name!r} appears twice"))
        seen.add(name)
    return names


def _row(table: CsvTable, line: int, fields: list[str]) -> None:
    header, shown = table.header, table.path
    if len(fields) < len(header):
        missing = header[len(fields)]
        table.errors.append(
            RowError(shown, line, missing, f"is missing: the row has {len(fields)} fields, the header {len(header)}")
        )
        return
    if len(fields) > len(header):
        table.errors.append(
            RowError(shown, line, "row", f"has {len(fields)} fields, the header {len(header)}")
        )
        return
    values: dict[str, str] = {}
    for name, value in zip(header, fields, strict=True):
        for problem in text_problems(value, field=name):
            table.errors.append(RowError(shown, line, name, problem.reason))
        values[name] = value.strip()
    table.rows.append((line, values))


def _csv_reason(message: str) -> str:
    if "unexpected end of data" in message:
        return "a quoted field opened in this row is never closed (unterminated quote)"
    if "field larger than field limit" in message:
        return f"a field is longer than {TEXT_LIMIT:,} characters (the limit)"
    if "expected after" in message:
        return 'a quote inside a field must be doubled ("") and the field quoted'
    if "NUL" in message:
        return "contains a NUL byte (a binary file, or a bad export)"
    return f"is not valid CSV ({message})"


def check_columns(table: CsvTable, *, kind: str, columns: tuple[str, ...]) -> None:
    """Every column of ``kind`` present, none unknown (a typo would silently drop a value)."""
    present = set(table.header)
    missing = [c for c in columns if c not in present]
    unknown = [c for c in table.header if c not in columns]
    expected = ",".join(columns)
    if missing:
        table.errors.insert(0, RowError(table.path, 1, "header",
                                        f"missing column {', '.join(map(repr, missing))} (a {kind} file has {expected})"))
    if unknown:
        table.errors.insert(0, RowError(table.path, 1, "header",
                                        f"unknown column {', '.join(map(repr, unknown))} (a {kind} file has {expected})"))
