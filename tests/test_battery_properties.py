"""Properties of the reader and of each cleaning step on generated input: never raises, never grows the text without
an audit row, idempotent where a second pass has nothing left to do."""
from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhengyan.ingest import cleaning, reading

#: Characters a hostile or damaged Chinese file holds: Han, punctuation of both widths, ASCII, digits, pinyin,
#: traditional forms, placeholders, controls, invisible marks, replacement marks, line breaks of every kind.
ALPHABET = st.sampled_from(list(
    "机关党建三会一课全面从严治党要抓实规范機關黨建發區，。！？；：“”《》（）、…—"
    "abcXYZ019 +-=@()[]<>&'\"１２３ＡＢ　×āǎ"
    "\x00\x01\x07\x1b\x7f\x85\x9b\u200b\u200d\u202e\u2066\ufeff\ufffd\ufffe\x0b\x0c\u2028\u2029\t\r\n"
))
TEXTS = st.text(alphabet=ALPHABET, max_size=120)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STEPS = dict(cleaning.STEPS)
#: Steps after which a second pass changes nothing.
IDEMPOTENT = ("control", "repair", "width", "whitespace", "placeholders", "boilerplate")


@SETTINGS
@given(st.binary(max_size=300))
def test_decode_of_any_bytes_answers_or_says_why(data):
    try:
        found = reading.decode(data)
    except reading.UnreadableFile as exc:
        assert str(exc)
        return
    assert isinstance(found.text, str) and found.text.strip()
    assert 0.0 <= found.confidence <= 1.0
    assert "\r" not in found.text


@SETTINGS
@given(TEXTS, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "gb18030"]))
def test_decode_gives_back_the_text_it_accepts(text, encoding):
    data = codecs.encode(text, encoding, errors="replace") if encoding == "gb18030" else text.encode(
        encoding, errors="surrogatepass")
    try:
        found = reading.decode(data)
    except reading.UnreadableFile:
        return
    if encoding != "gb18030" and found.encoding.startswith(encoding.split("-sig")[0][:5]):
        expected = text.lstrip("\ufeff") if encoding == "utf-8" else text
        assert found.text == expected.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


@pytest.mark.parametrize("name", list(STEPS))
@SETTINGS
@given(text=TEXTS)
def test_each_cleaning_step_never_raises_nor_grows_unaudited(name, text):
    out, changes = STEPS[name](text)
    assert isinstance(out, str)
    if len(out) > len(text):
        assert changes, f"{name} grew the text without an audit row"
    if out != text and name != "whitespace":  # whitespace tidying is the one silent step: it only removes
        assert changes or len(out) < len(text)


@pytest.mark.parametrize("name", IDEMPOTENT)
@SETTINGS
@given(text=TEXTS)
def test_cleaning_steps_are_idempotent(name, text):
    once, _ = STEPS[name](text)
    twice, changes = STEPS[name](once)
    assert twice == once
    if name != "placeholders":  # it notes placeholders without changing them, on every pass
        assert changes == []


@SETTINGS
@given(text=TEXTS)
def test_clean_leaves_no_control_character_and_never_raises(text):
    result = cleaning.clean(text)
    assert not cleaning.CONTROL.search(result.text)
    assert "\ufffd" not in result.text
    if len(result.text) > len(text):
        assert result.changes
