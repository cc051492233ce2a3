"""The CJK font: found without system fonts, and covering every character the suite draws."""
import pytest

from zhengyan.present import fonts, plots


def test_font_comes_from_the_requirements_not_the_system():
    path = fonts.font_path()
    assert path.name == "NotoSansSC-Regular.otf" and "site-packages" in str(path)
    assert fonts.font_name() == "Noto Sans SC"


def test_character_map_detects_what_is_missing():
    assert fonts.missing_glyphs("机关党建三会一课") == []
    assert fonts.missing_glyphs("党\ue000") == ["\ue000"]  # a private-use character no font draws


def test_font_covers_every_character_of_the_seeds(seeds_corpus):
    """Every term, title and slogan the notebooks can plot comes from these texts."""
    docs = seeds_corpus.documents
    assert fonts.missing_glyphs(list(docs["text"]) + list(docs["title"])) == []


def test_matplotlib_and_wordcloud_use_the_font():
    import matplotlib

    fonts.configure_matplotlib()
    assert matplotlib.rcParams["font.sans-serif"][0] == "Noto Sans SC"
    fig = plots.wordcloud({"机关党建": 3, "党": 2})
    assert fig.axes[0].images  # drawn


def test_figures_are_byte_identical_across_renders(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_OUTPUT", str(tmp_path))
    freqs = {"机关党建": 9, "三会一课": 5, "党": 4, "一岗双责": 3, "作风建设": 2}
    plots.save(plots.wordcloud(freqs), "t1")
    plots.save(plots.wordcloud(freqs), "t2")
    a, b = (tmp_path / "figures" / "t1.png").read_bytes(), (tmp_path / "figures" / "t2.png").read_bytes()
    assert a == b
    assert b"Software" not in a and b"Matplotlib" not in a


def test_override_font_must_exist(monkeypatch):
    monkeypatch.setenv(fonts.ENV_FONT, "/no/such/font.ttf")
    fonts.font_path.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="no such font file"):
            fonts.font_path()
    finally:
        monkeypatch.delenv(fonts.ENV_FONT)
        fonts.font_path.cache_clear()
