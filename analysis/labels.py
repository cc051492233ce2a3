"""One short, unique, human label per document, made once with the documents table."""
from __future__ import annotations

import pandas as pd


def document_labels(documents: pd.DataFrame) -> pd.Series:
    """A label for each row of ``documents`` (aligned with its index)."""
    return documents["doc_id"].astype(str)
