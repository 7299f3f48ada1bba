"""The input policy of erp_common/text.py as a table: what is refused, what is stored, what collides."""
import unicodedata

import pytest

from erp_common import text


@pytest.mark.parametrize("value,found", [
    ("a\x00b", "U+0000"), ("a\x1fb", "U+001F"), ("a\x7f", "U+007F"), ("a\x85", "U+0085"), ("a\tb", "U+0009"),
    ("a\u202eb", "U+202E"), ("a\u2066b", "U+2066"), ("a\u200bb", "U+200B"), ("\ufeffa", "U+FEFF"),
    ("Fran\u00adce", "U+00AD"),
], ids=["nul", "unit_separator", "del", "c1_next_line", "tab", "rtl_override", "isolate", "zero_width_space",
        "bom", "soft_hyphen"])
def test_one_line_fields_refuse(value, found):
    assert found in text.line_problem(value)


@pytest.mark.parametrize("value", ["Zoë 🙂", "कृ\u200dष्ण", "👩\u200d👩\u200d👧", "מדינה", "Z\u0334a", "o'Brien-Smith"])
def test_one_line_fields_accept(value):
    assert text.line_problem(value) is None


def test_names_may_hold_whitespace_controls_which_collapse():
    assert text.line_problem("a\tb\nc", whitespace_allowed=True) is None
    assert text.clean_name("\u3000 a\t\nb\u00a0 c  ") == "a b c"
    assert text.clean_name("a\x1cb") == "a\x1cb"  # Python calls it whitespace; the policy refuses it


def test_free_text_keeps_tab_and_newlines_only():
    assert text.text_problem("line 1\r\n\tline 2 \u202e") is None
    assert "U+001B" in text.text_problem("\x1b[31m")


@pytest.mark.parametrize("a,b,same", [
    ("Ｆrance", "FRANCE", True), ("Straße", "STRASSE", True), ("ﬁle", "FILE", True),
    (unicodedata.normalize("NFD", "Côte"), "côte", True), ("\u0130stanbul", "i\u0307stanbul", True),
    (" New \t Delhi ", "new delhi", True), ("Côte", "Cote", False), ("Pаris", "Paris", False),
], ids=["fullwidth", "sharp_s", "ligature", "nfd", "dotted_i", "whitespace", "accent", "cyrillic_a"])
def test_caseless_keys(a, b, same):
    assert (text.caseless_key(a) == text.caseless_key(b)) is same


def test_a_key_longer_than_its_column_is_a_digest():
    key = text.caseless_key("ß" * 150)
    assert len(key) == 300
    stored = text.stored_key(key, 200)
    assert stored.startswith("#") and len(stored) == 65 and stored == text.stored_key(text.caseless_key("SS" * 150), 200)
    assert text.stored_key("short", 200) == "short"


@pytest.mark.parametrize("value,scripts", [
    ("аdmin", {"CYRILLIC", "LATIN"}), ("ΑΒC", {"GREEK", "LATIN"}), ("admin_1", set()), ("Москва", set()),
    ("東京tokyo", set()),
])
def test_mixed_confusable_scripts(value, scripts):
    assert text.mixed_scripts(value) == scripts
