"""`python -m master_svc import-csv ENTITY FILE`: creates the rows of a CSV file, all or nothing.

The header is the one `GET /api/master/{collection}/export.csv` writes; output-only columns
(`is_deleted`, timestamps, ...) are ignored so an export can be edited and imported elsewhere.
An `id` column keeps the rows' ids, so parents and children exported from one database can be
imported into another in hierarchy order. Every row is checked and every problem reported with
its line number before anything is written.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from erp_common.errors import InvalidArgument
from master_svc.domain.entities import CSV_OUTPUT_ONLY, EntitySpec, mutable_fields
from master_svc.storage.repository import MasterRepository

TRUE, FALSE = {"true", "1", "yes", "y", "t"}, {"false", "0", "no", "n", "f"}
FLOAT_FIELDS = ("latitude", "longitude")


@dataclass(frozen=True)
class ParsedFile:
    rows: list[tuple[int, dict]]
    problems: list[tuple[str, str]]


def parse_csv(spec: EntitySpec, text: str) -> ParsedFile:
    """Rows keyed by their first line number in the file (the header is line 1), typed for the entity."""
    reader = csv.DictReader(io.StringIO(text))
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
            cell = cell.strip()
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


def import_csv(repo: MasterRepository, spec: EntitySpec, text: str, actor: str) -> int:
    """Returns the number of rows created; raises InvalidArgument listing every problem otherwise."""
    parsed = parse_csv(spec, text)
    if not parsed.rows and not parsed.problems:
        parsed.problems.append(("file", "has no data rows"))
    if parsed.problems:
        raise InvalidArgument(f"{len(parsed.problems)} problem(s); nothing was imported", reason="IMPORT_REJECTED",
                              violations=parsed.problems)
    with repo.db.connection_context():
        return repo.import_rows(spec, parsed.rows, actor)
