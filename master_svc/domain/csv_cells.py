"""CSV cells that a spreadsheet cannot run as formulas (OWASP's CSV injection rule), reversibly.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a leading
apostrophe, which spreadsheets show as text. So that the import can tell an added apostrophe from one
that was there, a value already starting with an apostrophe gets one more; the import removes one
apostrophe exactly when what follows starts with one of these characters or an apostrophe. Every
exported value therefore reads back as it was (export -> import round-trips). Numbers are written as
they are: a negative latitude is not a formula.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_ESCAPED_STARTS = FORMULA_STARTS + (QUOTE,)


def neutralise(value: str) -> str:
    return QUOTE + value if value.startswith(_ESCAPED_STARTS) else value


def restore(cell: str) -> str:
    return cell[1:] if cell.startswith(QUOTE) and cell[1:].startswith(_ESCAPED_STARTS) else cell
