"""Showing tables in a notebook: shared display options, and wrapped text with stable HTML ids."""
from __future__ import annotations

import re

import pandas as pd


def setup() -> None:
    """pandas display options for the notebooks (wide enough for Chinese excerpts, bounded rows)."""
    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.max_rows", 80)
    pd.set_option("display.width", 160)


def wrapped(table: pd.DataFrame, name: str):
    """``table`` as a Styler whose long text wraps, left-aligned, with an id fixed by ``name``
    (pandas otherwise draws a random one, and a rerun would change the saved notebook)."""
    uuid = re.sub(r"\W", "_", name)
    return (table.style.set_uuid(uuid).format(escape="html")
            .set_properties(**{"white-space": "pre-wrap", "text-align": "left"}))


def table(frame: pd.DataFrame, name: str, *, digits: int = 2):
    """A table for reading in a notebook: text escaped, numbers rounded to ``digits`` places
    (full precision stays in the export). ``name`` fixes its HTML id so reruns are identical."""
    uuid = re.sub(r"\W", "_", name)
    return frame.style.set_uuid(uuid).format(precision=digits, escape="html", thousands=",")
