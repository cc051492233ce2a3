"""The CJK font: one place that finds it and configures matplotlib and wordcloud to use it."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

#: Environment variable naming another font file (TTF/OTF) to use instead of the bundled one.
ENV_FONT = "ANALYSIS_CJK_FONT"
_BUNDLED = "NotoSansSC-Regular.otf"


@lru_cache(maxsize=1)
def font_path() -> Path:
    """Path of the CJK font: ``$ANALYSIS_CJK_FONT`` or Noto Sans SC from ``pylopdf-fonts-zh-cn``."""
    override = os.environ.get(ENV_FONT)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{ENV_FONT}={override}: no such font file")
        return path
    import pylopdf_fonts_zh_cn  # data-only wheel: Noto Sans SC (SIL OFL 1.1)

    path = Path(pylopdf_fonts_zh_cn.__file__).parent / _BUNDLED
    if not path.is_file():
        raise FileNotFoundError(f"the bundled CJK font is missing: {path}; reinstall requirements.txt")
    return path


@lru_cache(maxsize=1)
def font_name() -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return font_manager.FontProperties(fname=str(font_path())).get_name()


@lru_cache(maxsize=1)
def covered_codepoints() -> frozenset[int]:
    """Every code point the font's character map covers."""
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path()), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(texts) -> list[str]:
    """Characters of ``texts`` (a string or an iterable of strings) the font cannot draw, sorted."""
    if isinstance(texts, str):
        texts = [texts]
    cmap = covered_codepoints()
    chars = {ch for text in texts for ch in str(text) if not ch.isspace()}
    return sorted(ch for ch in chars if ord(ch) not in cmap)


def configure_matplotlib() -> None:
    """Draw Chinese with the CJK font, and keep saved files free of timestamps and random ids."""
    import matplotlib

    matplotlib.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": [font_name(), "DejaVu Sans"],
            "axes.unicode_minus": False,
            "svg.hashsalt": "analysis",  # stable ids inside SVG files
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "text.parse_math": False,  # a title from a file ("$x^$") is drawn as written, never as mathtext
        }
    )
