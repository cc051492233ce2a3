"""Theme mentions and shares on a hand-made corpus; the dictionaries as data."""
import pandas as pd
import pytest

from zhengyan import load_corpus
from zhengyan.analyses import themes

DICTIONARY = pd.DataFrame({"theme": ["组织", "组织", "作风", "作风"], "term": ["党支部", "三会一课", "作风建设", "作风"]})


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = tmp_path_factory.mktemp("themes")
    (folder / "a.txt").write_text("党支部落实三会一课。加强作风建设。\n", encoding="utf-8")  # 组织 2, 作风 1 (作风建设 once)
    (folder / "b.txt").write_text("转变作风，改进作风。党支部要过硬。\n", encoding="utf-8")  # 作风 2, 组织 1
    (folder / "c.txt").write_text("三会一课要规范。\n", encoding="utf-8")  # 组织 1
    (folder / "metadata.csv").write_text("doc_id,year\na,2019\nb,2019\nc,2020\n", encoding="utf-8")
    return load_corpus(folder, cache=False)


def test_mentions_longest_term_first(small):
    m = themes.theme_mentions(small, DICTIONARY)
    assert m.groupby(["doc_id", "theme"]).size().to_dict() == {
        ("a", "作风"): 1, ("a", "组织"): 2, ("b", "作风"): 2, ("b", "组织"): 1, ("c", "组织"): 1}
    assert m[m["doc_id"] == "a"]["item"].tolist() == ["党支部", "三会一课", "作风建设"]


def test_shares_by_year_with_documents_behind_each_year(small):
    m = themes.theme_mentions(small, DICTIONARY)
    got = themes.theme_shares(m, small.documents, by="year").set_index(["year", "theme"])
    assert got.loc[(2019, "组织"), ["n", "n_docs", "single_doc"]].tolist() == [3, 2, False]
    assert got.loc[(2019, "组织"), "share"] == pytest.approx(3 / 6)
    chars_2019 = small.documents.loc[small.documents["year"] == 2019, "n_chars"].sum()
    assert got.loc[(2019, "作风"), "per_10k"] == pytest.approx(3 / chars_2019 * 10_000)
    assert got.loc[(2020, "作风"), ["n", "share", "single_doc"]].tolist() == [0, 0.0, True]
    assert got.loc[(2020, "组织"), "share"] == 1.0


def test_dictionaries_ship_as_data_and_are_checked(tmp_path):
    party, general = themes.load_themes("party"), themes.load_themes("general")
    assert {"政治建设", "思想建设", "组织建设", "作风建设", "纪律建设", "制度建设", "反腐倡廉", "服务中心工作", "基层治理",
            "学习教育", "信息化"} == set(party["theme"])
    assert "阶级斗争与政治运动" in set(general["theme"])
    bad = tmp_path / "bad.csv"
    bad.write_text("theme,term\n甲,党建\n乙,党建\n", encoding="utf-8")
    with pytest.raises(ValueError, match="more than one theme"):
        themes.load_themes(bad)
    with pytest.raises(FileNotFoundError, match="theme dictionary not found"):
        themes.load_themes(tmp_path / "none.csv")


def test_chosen_themes_and_misspelt_names(small):
    got = themes.theme_shares(small, by="doc_id", dictionary=DICTIONARY, themes="作风").set_index("doc_id")
    assert got["theme"].unique().tolist() == ["作风"]
    assert got["n"].to_dict() == {"a": 1, "b": 2, "c": 0}
    assert got.loc["a", "share"] == 1.0  # of the chosen themes' mentions
    with pytest.raises(ValueError, match="no theme '组识'.*did you mean '组织'"):
        themes.theme_shares(small, dictionary=DICTIONARY, themes=["组识"])


def test_a_year_without_theme_mentions_has_no_share_rather_than_a_share_of_zero(tmp_path):
    from zhengyan import load_corpus

    (tmp_path / "a.txt").write_text("坚持三会一课。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("今天天气很好。", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,year\na,2019\nb,2020\n", encoding="utf-8")
    shares = load_corpus(tmp_path, cache=False).theme_shares(by="year").set_index(["year", "theme"])
    assert shares.loc[(2019, "组织建设"), "share"] == 1.0
    assert shares.loc[2020, "share"].isna().all() and (shares.loc[2020, "n"] == 0).all()
