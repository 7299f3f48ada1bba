"""CSV export and import against spreadsheets and hostile files (issue 14): exported text cannot run as a
formula, the file is an attachment named after the collection and the day, an export imports back
exactly, and the import refuses what it cannot read with the line it is on, never a traceback."""
from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import uuid

import pytest

from erp_common.errors import InvalidArgument
from master_svc.config import MasterConfig
from master_svc.csv_import import decode, parse_csv
from master_svc.domain.csv_cells import neutralise, restore
from master_svc.domain.entities import BY_NAME
from master_svc.server import prepare
from tests.support.master import master_cli

HOSTILE = ("=2+2", "+SUM(1+1)", "-1+2", "@SUM(A1)", "=HYPERLINK(\"http://example.com\",\"x\")", "'quoted",
           "'=already quoted", "plain")


@pytest.mark.parametrize("value", HOSTILE + ("\tTab", "\rCR", "''", "'", "", "-", "a=b"))
def test_neutralise_and_restore_are_inverse(value):
    cell = neutralise(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(cell) == value


def test_export_is_a_safe_attachment_that_imports_back_exactly(edge, admin_token, mariadb, tmp_path):
    tag = uuid.uuid4().hex[:8]
    made = {}
    for i, value in enumerate(HOSTILE):
        status, _, row = edge.post("/api/master/equipment-types/", {
            "name": f"{value} {tag}", "code": f"C{i}-{tag}", "description": f"{value} {i}"}, token=admin_token)
        assert status == 200, row
        made[row["id"]] = (row["name"], row["description"])
    status, headers, text = edge.get(f"/api/master/equipment-types/export.csv?search={tag}", token=admin_token)
    assert status == 200 and headers["content-type"].startswith("text/csv"), text
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert headers["content-disposition"] == f'attachment; filename="equipment-types-{today}.csv"'
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(HOSTILE)
    for row in rows:
        for cell in (row["name"], row["description"]):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    exported = tmp_path / "export.csv"
    exported.write_text(text)
    url = mariadb.create_database("csvround")
    result = master_cli(url, "import-csv", "equipment_type", str(exported))
    assert result.returncode == 0, result.stderr
    repo = prepare(dataclasses.replace(MasterConfig.from_env(), db_url=url))
    with repo.stores.db.connection_context():
        imported = {r["unique_id"]: (r["name"], r["description"]) for r in repo.bulk.live_rows(BY_NAME["equipment_type"])}
    assert imported == made


@pytest.mark.parametrize("content,where,problem", [
    (b"name,code\nok,A\n" + b"x" * 200_000 + b",B\n", "line 3", "field larger than field limit"),
    (b"name,code\nok,A\n" + b"y" * 70_000 + b",B\n", "row 3: name", "longer than 65536 characters"),
    (b"name,code\nok,A\nbad \xff\xfe,B\n", "line 3", "not UTF-8 text (byte 0xff)"),
    (b'name,code\nok,A\n"bad"quote,B\n', "line 3", "not readable as CSV"),
    (b"name,code\nok,A\nthree,cells,here\n", "row 3", "has more cells than the header"),
])
def test_import_refuses_unreadable_files_naming_the_line(content, where, problem):
    try:
        problems = parse_csv(BY_NAME["equipment_type"], decode(content)).problems
    except InvalidArgument as refused:  # decode's: the file is refused before any row is read
        problems = refused.violations
    assert any(w == where and problem in p for w, p in problems), problems


def test_the_import_command_reports_an_over_long_field_without_a_traceback(mariadb, tmp_path):
    """The CLI crashed here with a traceback before issue 14."""
    path = tmp_path / "long.csv"
    path.write_bytes(b"name,code\nok,A\n" + b"x" * 200_000 + b",B\n")
    result = master_cli(mariadb.create_database("csvbad"), "import-csv", "equipment_type", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "  line 3: not readable as CSV: field larger than field limit" in result.stderr, result.stderr
