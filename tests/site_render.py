"""Every notebook executed and rendered once per test session (shared by the notebook and browser tests)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from zhengyan.core import paths
from zhengyan.present import render


@lru_cache(maxsize=1)
def site() -> Path:
    """The output folder of one ``render_all`` on the seeds: ``figures/``, ``notebooks/``, ``rendered/``.

    ``$ANALYSIS_TEST_SITE`` names such a folder rendered before (to rerun the page tests quickly).
    """
    given = os.environ.get("ANALYSIS_TEST_SITE")
    if given:
        return Path(given)
    folder = Path(tempfile.mkdtemp(prefix="analysis-site-"))
    atexit.register(shutil.rmtree, folder, True)
    render.render_all(paths.SEEDS, write_back=False, out=folder, progress=False)
    return folder
