"""Paragraphs and sentences of a clean text, as character spans, so counts can stay inside one."""
from __future__ import annotations

import re

import numpy as np

#: A sentence ends at 。！？；… (or their ASCII forms), taking a closing quote or bracket with it.
SENTENCE = re.compile(r"[^。！？；…!?;]*(?:[。！？；…!?;]+[”’」』）)]*|$)")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty line; a clean text has one paragraph per line."""
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of every sentence within ``text[start:end]`` (offsets into ``text``)."""
    end = len(text) if end is None else end
    spans = []
    for m in SENTENCE.finditer(text, start, end):
        if m.group(0).strip():
            spans.append((m.start(), m.end()))
    return spans


#: :data:`SENTENCE` with the line break as a boundary too: one pass over a whole text finds the sentences
#: of every paragraph (a paragraph is a line), as :func:`sentence_spans` finds them line by line.
_SENTENCE_IN_LINES = re.compile(r"[^。！？；…!?;\n]*(?:[。！？；…!?;]+[”’」』）)]*|$)", re.M)


def structure(text: str) -> dict[str, np.ndarray]:
    """Sentence table of ``text``: arrays ``para_id``, ``sent_id``, ``start``, ``end`` (ids from 0)."""
    spans = [m.span() for m in _SENTENCE_IN_LINES.finditer(text) if not m.group(0).isspace() and m.end() > m.start()]
    starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
    ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
    paragraphs = paragraph_spans(text)
    para_starts = np.fromiter((a for a, _ in paragraphs), dtype=np.int64, count=len(paragraphs))
    return {
        "para_id": (np.searchsorted(para_starts, starts, side="right") - 1).astype(np.int32),
        "sent_id": np.arange(len(spans), dtype=np.int32),
        "start": starts,
        "end": ends,
    }


def locate(sentences: dict[str, np.ndarray], offsets) -> tuple[np.ndarray, np.ndarray]:
    """``(para_id, sent_id)`` for each character offset (vectorised)."""
    offsets = np.asarray(offsets, dtype=np.int64)
    if len(sentences["start"]) == 0:
        zeros = np.zeros(len(offsets), dtype=np.int32)
        return zeros, zeros
    idx = np.searchsorted(sentences["start"], offsets, side="right") - 1
    idx = np.clip(idx, 0, len(sentences["start"]) - 1)
    return sentences["para_id"][idx], sentences["sent_id"][idx]


def title_from_text(text: str) -> str:
    """A title read off the first lines: a short first line, with a following "——" subtitle line."""
    lines = []
    for line in text.split("\n", 8):
        if line.strip():
            lines.append(line.strip())
            if len(lines) == 3:
                break
    if not lines or len(lines[0]) > 60 or any(ch in lines[0] for ch in "。！？"):
        return ""
    for i, line in enumerate(lines[1:], start=1):
        if line.startswith("——"):
            return "".join(lines[: i + 1])
    return lines[0]
