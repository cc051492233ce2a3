"""Showing tables and figures in a notebook: searchable tables that work offline, figures with alt text."""
from __future__ import annotations

import re

import pandas as pd

#: Rows a table shows per page before it paginates.
PAGE_LENGTH = 10


def setup() -> None:
    """Prepare a notebook: pandas display options, the table library embedded in the notebook
    (so tables stay searchable in the shared HTML, with no network), and figures shown with
    their title as alt text."""
    pd.set_option("display.max_colwidth", 120)
    pd.set_option("display.max_rows", 80)
    pd.set_option("display.width", 160)
    import warnings

    from zhengyan.ingest.corpus import NotChineseWarning

    warnings.simplefilter("ignore", NotChineseWarning)  # notebook 01 states the share of Chinese in its prose
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)
    from matplotlib.figure import Figure

    shell.display_formatter.mimebundle_formatter.for_type(Figure, _figure_bundle)


#: ASCII characters that mean something in Markdown, HTML or the page's math rendering.
_MARKUP = frozenset("&<>\"'`*_{}[]()#+-.!|$~\\=:/;")


def esc(value) -> str:
    """``value`` as text that Markdown and HTML show as written: every character that could start markup
    (``<script>``, ``**``, ``[link](…)``, ``$…$``) becomes a numeric character reference. Every string that
    comes from a corpus, its metadata, a lexicon, a theme file or discovery goes through it before it enters
    a notebook's computed prose."""
    return "".join(f"&#{ord(ch)};" if ch in _MARKUP else ch for ch in str(value))


def figure_title(fig) -> str:
    """A figure's title for alt text: its suptitle, else its axes' titles, else its axis labels."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        return suptitle.get_text().strip()
    titles = [ax.get_title().strip() for ax in fig.axes if ax.get_title().strip()]
    if titles:
        return "；".join(dict.fromkeys(titles))
    labels = [f"{ax.get_ylabel()} / {ax.get_xlabel()}".strip(" /") for ax in fig.axes]
    labels = [label for label in labels if label]
    return "；".join(dict.fromkeys(labels)) or "figure"


def _figure_bundle(fig):
    """PNG of a figure (the same bytes :func:`zhengyan.present.plots.png_bytes` draws) with its title as alt text."""
    import base64

    from zhengyan.present import plots

    data = base64.b64encode(plots.png_bytes(fig)).decode("ascii")
    return {"image/png": data}, {"image/png": {"alt": figure_title(fig)}}


def wrapped(table: pd.DataFrame, name: str):
    """``table`` as a Styler whose long text wraps, left-aligned, with an id fixed by ``name``
    (pandas otherwise draws a random one, and a rerun would change the saved notebook)."""
    uuid = re.sub(r"\W", "_", name)
    return (table.style.set_uuid(uuid).format(escape="html")
            .format_index(escape="html", axis=0).format_index(escape="html", axis=1)
            .set_properties(**{"white-space": "pre-wrap", "text-align": "left"}))


def table_id(name: str) -> str:
    """A stable HTML id for the table called ``name``."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a table needs a name (it fixes the table's HTML id, so reruns are identical)")
    return "table_" + re.sub(r"\W", "_", name.strip())


def rounded(frame: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """``frame`` with its float columns rounded to ``digits`` places; tiny values (p-values) keep
    ``digits`` significant figures instead of showing as 0."""
    if not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a whole number of 0 or more, not {digits!r}")
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_float_dtype(values):
            small = values.abs().lt(10 ** -digits) & values.ne(0)
            if small.any():
                out[column] = values.map(lambda v: float(f"{v:.{max(digits, 1)}g}") if pd.notna(v) and 0 < abs(v) < 10 ** -digits
                                         else (round(v, digits) if pd.notna(v) else v))
            else:
                out[column] = values.round(digits)
    return out


def table_html(frame: pd.DataFrame, name: str, *, digits: int = 2, page_length: int = PAGE_LENGTH,
               column_defs: list | None = None, allow_html: bool = False) -> str:
    """The HTML of a searchable, sortable table (DataTables, offline), paginated when longer than
    ``page_length`` rows; the search box is there whatever the length."""
    import itables

    frame = _escaped_labels(rounded(frame, digits))
    # the search box always (the table library drops it, with the pages, when every row fits one
    # page); the page-length menu and the pages only when there is more than one page
    paged = len(frame) > page_length
    options = dict(table_id=table_id(name), connected=False, allow_html=allow_html, pageLength=page_length,
                   lengthMenu=[page_length, 25, 100, -1] if page_length not in (25, 100) else [10, 25, 100, -1],
                   layout={"topStart": "pageLength" if paged else None, "topEnd": "search",
                           "bottomStart": "info", "bottomEnd": "paging" if paged else None},
                   classes="display compact", showIndex=_show_index(frame), display_logo_when_loading=False,
                   maxBytes=0, maxColumns=0, format_floats_in_python=False,
                   text_in_header_can_be_selected=False)
    # text reads from the left (the table library right-aligns every column it does not know)
    offset = frame.index.nlevels if _show_index(frame) else 0
    text = [offset + i for i, c in enumerate(frame.columns)
            if not pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    # (a definition earlier in the list wins: the caller's own come first)
    options["columnDefs"] = list(column_defs or []) + ([{"targets": text, "className": "dt-left"}] if text else [])
    return itables.to_html_datatable(frame, **options)


def _escaped_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its column names and index labels HTML-escaped (the table library escapes
    only the cells): a column or a title taken from a file cannot inject markup."""
    import html

    def escape(label):
        return html.escape(label) if isinstance(label, str) else label

    out = frame.rename(columns=escape)
    if _show_index(frame):
        out = out.rename(index=escape)
        out.index.names = [escape(n) for n in out.index.names]
    return out


def _show_index(frame: pd.DataFrame) -> bool:
    """An index says something when it has a name or holds labels; row numbers (a filtered table's, unnamed
    integers) are not shown."""
    index = frame.index
    unnamed = all(name is None for name in index.names)
    return not (unnamed and index.nlevels == 1 and pd.api.types.is_integer_dtype(index.dtype))


class Table:
    """A table shown in a notebook (HTML), that is also a DataFrame's ``.frame`` for further work."""

    def __init__(self, frame: pd.DataFrame, html: str):
        self.frame = frame
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return repr(self.frame)


def table(frame: pd.DataFrame, name: str, *, digits: int = 2) -> Table:
    """A table for reading in a notebook: searchable, sortable, paginated, text escaped, numbers
    rounded to ``digits`` places (full precision stays in the export). ``name`` fixes its HTML id
    so reruns are identical."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"display.table wants a DataFrame, not {type(frame).__name__}")
    return Table(frame, table_html(frame, name, digits=digits))
