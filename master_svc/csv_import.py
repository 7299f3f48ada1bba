"""`python -m master_svc import-csv ENTITY FILE`: creates the rows of a CSV file, all or nothing.

The header is the one `GET /api/master/{collection}/export.csv` writes; output-only columns
(`is_deleted`, timestamps, ...) are ignored so an export can be edited and imported elsewhere.
An `id` column keeps the rows' ids, so parents and children exported from one database can be
imported into another in hierarchy order. Every row is checked and every problem reported with
its line number before anything is written.

Cells the export neutralised against formula injection (a leading apostrophe) are restored
(domain/csv_cells.py). A file that is not UTF-8, a field longer than MAX_FIELD_CHARS or a row the
CSV reader cannot read is refused with the line it is on, never with a traceback.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from erp_common.errors import InvalidArgument
from master_svc.domain.csv_cells import restore
from master_svc.domain.entities import CSV_OUTPUT_ONLY, EntitySpec, mutable_fields
from master_svc.usecases import UseCases

TRUE, FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}
FLOAT_FIELDS = ("latitude", "longitude")
# Far above any column's own limit (the domain checks those per row); a bigger field is not data.
MAX_FIELD_CHARS = 65536


def _rejected(problems: list[tuple[str, str]]) -> InvalidArgument:
    return InvalidArgument(f"{len(problems)} problem(s); nothing was imported", reason="IMPORT_REJECTED",
                           violations=problems)


def decode(raw: bytes) -> str:
    """The file's text (UTF-8, with or without a byte order mark), or InvalidArgument naming the
    line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise _rejected([(f"line {line}", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]) \
            from None


@dataclass(frozen=True)
class ParsedFile:
    rows: list[tuple[int, dict]]
    problems: list[tuple[str, str]]


def parse_csv(spec: EntitySpec, text: str) -> ParsedFile:
    """Rows keyed by their first line number in the file (the header is line 1), typed for the entity.
    A file the CSV reader cannot read is one problem, on the line where reading stopped."""
    reader = csv.DictReader(io.StringIO(text), strict=True)
    try:
        return _parse(spec, reader)
    except csv.Error as exc:
        # line_num counts the lines of the records read whole; the failing record starts on the next.
        return ParsedFile([], [(f"line {reader.line_num + 1}", f"not readable as CSV: {exc}")])


def _parse(spec: EntitySpec, reader: csv.DictReader) -> ParsedFile:
    header = [h.strip() for h in reader.fieldnames or []]
    allowed = set(mutable_fields(spec)) | {"id"}
    problems = [("header", f"unknown column {h!r}") for h in header
                if h and h not in allowed and h not in CSV_OUTPUT_ONLY]
    if "name" not in header:
        problems.append(("header", "a 'name' column is required"))
    rows: list[tuple[int, dict]] = []
    if problems:
        return ParsedFile(rows, problems)
    reader.fieldnames = header
    line = reader.line_num
    for record in reader:
        number, line = line + 1, reader.line_num
        if None in record:
            problems.append((f"row {number}", "has more cells than the header"))
            continue
        values: dict = {}
        for column, cell in record.items():
            if column not in allowed or cell is None:
                continue
            if len(cell) > MAX_FIELD_CHARS:
                problems.append((f"row {number}: {column}", f"longer than {MAX_FIELD_CHARS} characters"))
                continue
            cell = restore(cell.strip())
            if column == "is_active":
                if cell == "":
                    continue
                if cell.lower() not in TRUE | FALSE:
                    problems.append((f"row {number}: is_active", f"{cell!r} is not true or false"))
                    continue
                values[column] = cell.lower() in TRUE
            elif column in FLOAT_FIELDS:
                try:
                    values[column] = float(cell) if cell else None
                except ValueError:
                    problems.append((f"row {number}: {column}", f"{cell!r} is not a number"))
            else:
                values[column] = cell
        rows.append((number, values))
    return ParsedFile(rows, problems)


def import_csv(usecases: UseCases, spec: EntitySpec, text: str, actor: str) -> int:
    """Returns the number of rows created; raises InvalidArgument listing every problem otherwise."""
    parsed = parse_csv(spec, text)
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(("file", "has no data rows"))
    if parsed.problems:
        raise _rejected(parsed.problems)
    return usecases.call_now(usecases.bulk.import_rows, spec, parsed.rows, actor)
