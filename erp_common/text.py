"""The input policy for text, the same in every service and on every database.

- One-line fields (names, usernames, codes, e-mails) refuse control characters (Unicode `Cc`),
  the bidirectional embeddings, overrides and isolates that reorder what is displayed after them
  (U+202A-U+202E, U+2066-U+2069: "Trojan Source" look-alikes) and characters that display as
  nothing (zero-width space, word joiner, BOM, soft hyphen, invisible operators). Names may contain
  tab and newline, which are whitespace and collapse to one space like any run of spaces.
  Zero-width (non-)joiners stay allowed: Persian, Indic scripts and emoji sequences need them.
- Multi-line free text (descriptions, addresses) refuses control characters but tab, LF and CR,
  and is otherwise stored exactly as sent.
- Names and codes are stored in NFC, so the same text typed on two systems is the same bytes.
- A name's uniqueness key is its NFKC caseless form with whitespace collapsed: "Ｆrance", "FRANCE"
  and "France" collide, and so do the NFC and NFD spellings of "Côte"; accents still count
  ("Cote" is another name). Letters of different scripts that merely look alike (Cyrillic "а",
  Latin "a") are different letters and give different keys.
- The key is compared byte for byte on every backend (MySQL columns use `utf8mb4_bin`), so MariaDB
  and SQLite agree; a key longer than its column is stored as a SHA-256 digest instead of failing.
"""
from __future__ import annotations

import hashlib
import unicodedata
from typing import Optional

MULTILINE_CONTROLS = frozenset("\t\n\r")
REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")

# Scripts whose letters are confused with each other most ("а"/"a", "ο"/"o", "Н"/"H").
CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})


def _codepoint(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def line_problem(value: str, *, whitespace_allowed: bool = False) -> Optional[str]:
    """Why `value` cannot be a one-line field, or None. `whitespace_allowed` lets tab and
    newline through (for names, which collapse them)."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and not (whitespace_allowed and ch in MULTILINE_CONTROLS):
            return f"Control characters are not allowed (found {_codepoint(ch)})."
        if ch in REORDERING or ch in INVISIBLE:
            return f"Invisible or text-reordering characters are not allowed (found {_codepoint(ch)})."
    return None


def text_problem(value: str) -> Optional[str]:
    """Why `value` cannot be multi-line free text, or None."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in MULTILINE_CONTROLS:
            return f"Control characters other than tab and newline are not allowed (found {_codepoint(ch)})."
    return None


def clean_name(value: str) -> str:
    """The stored form of a name: NFC, whitespace runs collapsed to one space, trimmed. Control
    characters Python counts as whitespace (U+001C-U+001F, U+0085, ...) are kept, for
    `line_problem` to refuse them rather than have them pass as spaces."""
    spaced = "".join(" " if ch in MULTILINE_CONTROLS or (ch.isspace() and unicodedata.category(ch) != "Cc") else ch
                     for ch in unicodedata.normalize("NFC", value))
    return " ".join(word for word in spaced.split(" ") if word)


def caseless_key(value: str) -> str:
    """The uniqueness form of a name: NFKC caseless (Unicode D146), whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(folded.split())


def stored_key(key: str, max_chars: int) -> str:
    """`key` when it fits its column (at least 65 characters), else "#" and its SHA-256: casefolding
    and NFKC can lengthen a name ("ß" becomes "ss", "ﷺ" eighteen letters). A name whose key equals
    another's digest would take a SHA-256 preimage."""
    if len(key) <= max_chars:
        return key
    return "#" + hashlib.sha256(key.encode()).hexdigest()


def mixed_scripts(value: str) -> set[str]:
    """The confusable scripts whose letters `value` mixes (empty when it uses at most one)."""
    scripts = set()
    for ch in value:
        if ch.isalpha():
            script = unicodedata.name(ch, "").split(" ", 1)[0]
            if script in CONFUSABLE_SCRIPTS:
                scripts.add(script)
    return scripts if len(scripts) > 1 else set()
