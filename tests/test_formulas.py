"""Slogan matching counted by hand: punctuation variants, traditional forms, nesting, expansions, jieba splits."""
import pandas as pd
import pytest

from zhengyan import load_corpus
from zhengyan.ingest import segment
from zhengyan.analyses import formulas


def found(text):
    return [(slogan, form, kind) for _, _, slogan, form, kind in formulas.find_mentions(text)]


def test_the_lexicon_is_large_checked_and_covers_the_seeds():
    lexicon = formulas.load_lexicon()
    assert len(lexicon) >= 150
    assert lexicon.loc[lexicon["formula"] == "四个意识", "members"].iloc[0] == ["政治意识", "大局意识", "核心意识", "看齐意识"]
    assert lexicon.loc[lexicon["formula"] == "四个意识", "first_year"].iloc[0] == 2016
    assert set(lexicon["scope"]) == {"national", "local"}


def test_a_bad_lexicon_names_the_file_and_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("slogan,variants,category,members,first_year,scope,source\n不忘初心、牢记使命,,,,,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv: row 2: '不忘初心、牢记使命' has internal punctuation"):
        formulas.load_lexicon(path)


def test_punctuation_variants_are_one_formula():
    text = "不忘初心、牢记使命。不忘初心,牢记使命。不忘初心，牢记使命。不忘初心牢记使命。"
    assert [f[0] for f in found(text)] == ["不忘初心牢记使命"] * 4


def test_a_comma_that_does_not_split_a_formula_in_halves_is_no_match():
    assert found("加强城市基层党建，引领基层治理创新") == []


def test_traditional_forms_match():
    assert found("堅持落實「三會一課」，增強四個意識") == [("三会一课", "三會一課", "variant"), ("四个意识", "四個意識", "variant")]


def test_nested_formulas_are_one_mention():
    text = "推进全面从严治党，坚持从严治党。习近平新时代中国特色社会主义思想。"
    assert [f[0] for f in found(text)] == ["全面从严治党", "从严治党", "习近平新时代中国特色社会主义思想"]


def test_written_out_expansions_link_to_their_formula():
    text = "提高党员干部的政治意识、大局意识、核心意识、看齐意识，坚定道路自信、理论自信、制度自信和文化自信。"
    assert found(text) == [("四个意识", "政治意识、大局意识、核心意识、看齐意识", "expansion"),
                           ("四个自信", "道路自信、理论自信、制度自信和文化自信", "expansion")]


def test_matching_does_not_depend_on_segmentation():
    """jieba cuts 不忘初心牢记使命 into four tokens; the matcher still finds the formula."""
    text = "巩固深化不忘初心、牢记使命主题教育成果，做到門難進、事難辦"
    tokens = [w for w, _ in segment.cut(text)]
    assert "不忘初心牢记使命主题教育" not in tokens and "门难进事难办" not in tokens
    assert [f[0] for f in found(text)] == ["不忘初心牢记使命主题教育", "门难进脸难看事难办"]


def test_hand_counted_mentions_in_a_small_corpus(tmp_path):
    (tmp_path / "x.txt").write_text(
        "要坚持“三会一课”制度，落实“一岗双责”。\n全面从严治党永远在路上，从严治党要求“三会一课”常态化。\n", encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    m = formulas.mentions(c)
    assert list(m.columns) == ["doc_id", "para_id", "sent_id", "start", "end", "item", "form", "match"]
    assert m[["item", "para_id", "sent_id"]].values.tolist() == [
        ["三会一课", 0, 0], ["一岗双责", 0, 0], ["全面从严治党", 1, 1], ["从严治党", 1, 1], ["三会一课", 1, 1]]
    counts = formulas.formula_counts(m, c.documents).set_index("item")
    assert counts["n"].to_dict() == {"三会一课": 2, "一岗双责": 1, "从严治党": 1, "全面从严治党": 1}
    assert counts.loc["三会一课", "category"] == "组织建设"


# Counted by reading the clean texts of the seeds.
SEED_COUNTS = {
    ("000_79039e034ee0312b", "三会一课"): 1, ("000_79039e034ee0312b", "一岗双责"): 2,
    ("000_79039e034ee0312b", "四个意识"): 1,  # written out: 政治意识、大局意识、核心意识、看齐意识
    # “不忘初心、牢记使命”主题教育 three times: the campaign, as when written without quotation marks
    ("000_79039e034ee0312b", "不忘初心牢记使命"): 0, ("000_79039e034ee0312b", "不忘初心牢记使命主题教育"): 3,
    ("000_79039e034ee0312b", "全面从严治党"): 4,
    ("000_79039e034ee0312b", "三抓一优"): 2,  # “三抓一优” and its expansion 抓项目、抓投资、抓招商、优环境
    ("001_c81a419ed2761e08", "三会一课"): 1, ("001_c81a419ed2761e08", "执政为民服务发展"): 4,
    ("002_a918a184e0497794", "一岗双责"): 1, ("002_a918a184e0497794", "一征三议两公开"): 1,
    ("002_a918a184e0497794", "一肩挑"): 2, ("002_a918a184e0497794", "两新"): 3,
    ("003_f304d2d2fa3963fd", "两个维护"): 1, ("003_f304d2d2fa3963fd", "三个表率"): 1,
    ("003_f304d2d2fa3963fd", "模范机关"): 8, ("003_f304d2d2fa3963fd", "两城两谷两带"): 1,
    ("004_5f25a901ff5ac284", "三会一课"): 5, ("004_5f25a901ff5ac284", "四个意识"): 2,
    ("004_5f25a901ff5ac284", "四个自信"): 2, ("004_5f25a901ff5ac284", "习近平新时代中国特色社会主义思想"): 6,
}


def test_seed_counts_that_a_reader_can_verify(seeds_corpus):
    counts = formulas.formula_counts(formulas.mentions(seeds_corpus)).set_index(["doc_id", "item"])["n"]
    assert {key: int(counts.get(key, 0)) for key in SEED_COUNTS} == SEED_COUNTS


def test_every_formula_in_the_seeds_is_in_the_lexicon(seeds_corpus):
    discovered = formulas.discover(seeds_corpus)
    numbered = discovered[(discovered["kind"] == "numbered") & (discovered["n_quoted"] > 0)]
    # 32: 五大工程 and 八大优势 count (a single numeral + 大 + a head is a formula, not a congress ordinal like 十九大)
    assert len(numbered) == 32
    assert {"五大工程", "八大优势"} <= set(numbered["formula"])
    # 十佳 (“十佳理论文章, an award title behind an unclosed quote) is the one numbered phrase left out
    assert numbered[~numbered["in_lexicon"]]["formula"].tolist() == ["十佳"]


@pytest.mark.parametrize("text, expected", [
    ("坚持“三严三实”，推进“一村一品”和“两城两谷两带”建设", {"三严三实", "一村一品", "两城两谷两带"}),
    ("一是加强学习，二要抓好落实。学习十九大和十九届四中全会精神", set()),
    ("组织一批活动，三季度完成，从四个方面提出要求，增长百分之二十，新增三万吨", set()),
])
def test_discovery_finds_formulas_and_skips_enumerations_ordinals_quantities(tmp_path, text, expected):
    (tmp_path / "x.txt").write_text(text + "\n" + text + "\n", encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    lexicon = pd.DataFrame({c: [] for c in formulas.LEXICON_COLUMNS}).astype(object)
    lexicon["variants"], lexicon["members"] = [], []
    got = formulas.discover(c, lexicon)
    assert set(got["formula"]) == expected


def test_formula_tokens_replace_pieces_and_longer_tokens(tmp_path):
    (tmp_path / "x.txt").write_text("落实中央八项规定精神。不忘初心，牢记使命。打赢精准脱贫攻坚战。\n", encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    tokens = formulas.formula_tokens(c)
    terms = tokens["term"].astype(str).tolist()
    assert terms.count("八项规定") == 1 and "中央八项规定" not in terms
    assert terms.count("不忘初心牢记使命") == 1 and "初心" not in terms
    assert terms.count("精准脱贫") == 1 and terms.count("脱贫攻坚") == 1
    assert list(tokens.columns) == list(c.tokens.columns)
    assert tokens["start"].is_monotonic_increasing


@pytest.mark.parametrize("corpus_name", ["seeds_corpus", "prc_corpus"])
def test_every_formula_counts_the_same_in_term_tables_and_mentions(corpus_name, request):
    """With formula tokens, a term table counts each lexicon formula exactly as often as its mentions."""
    from zhengyan.analyses import frequency

    corpus = request.getfixturevalue(corpus_name)
    found = formulas.mentions(corpus)
    as_terms = frequency.corpus_counts(formulas.formula_tokens(corpus, found)).set_index("term")["n"]
    as_mentions = found["item"].value_counts()
    lexicon = formulas.load_lexicon()["formula"]
    assert {f: (int(as_terms.get(f, 0)), int(as_mentions.get(f, 0))) for f in lexicon
            if as_terms.get(f, 0) != as_mentions.get(f, 0)} == {}
    assert as_mentions.sum() > (50 if corpus_name == "seeds_corpus" else 1000)
    # the plain token tables do not: that is why the term tables say they count tokens
    plain = frequency.corpus_counts(corpus.tokens).set_index("term")["n"]
    assert plain.get("八项规定", 0) < as_mentions.get("八项规定", 0)


#: Numbered formulas whose lexicon rows were copied from the seeds (``source`` "种子 …"), numbered.
_NUM = "一二三四五六七八九十两双百千万"
#: The top 30 of discovery on the reports (lexicon without seed rows), judged by reading each in
#: context: False where the candidate is a name or a fragment, not a formula (提法).
JUDGED = {
    "四人帮": True, "一国两制": True, "三个代表": True, "三农": True, "四项基本原则": True, "台独": True,
    "港人治港": True, "澳人治澳": True, "一带一路": True, "和平统一、一国两制": True, "十一五": True, "七五": True,
    "走出去": True, "九二共识": True, "四个现代化": True, "两个积极性": True, "三通": True, "十二五": True,
    "六五": True, "两个中国": True, "二十国集团": False, "四风": True, "九五": True, "两个市场": True,
    "文化大革命": True, "两手抓": True, "十四五": True, "两个特别": False, "十五": True, "一中一台": True,
    "十三五": True, "菜篮子": True, "四个意识": True, "八五": True, "两种资源": True,
}


def test_discovery_measured_without_the_rows_copied_from_the_seeds(seeds_corpus, prc_corpus):
    lexicon = formulas.load_lexicon()
    from_seeds = lexicon["source"].str.contains("种子")
    assert from_seeds.sum() == 38
    truth = [s for s in lexicon.loc[from_seeds, "formula"] if any(ch in _NUM for ch in s[:2])]
    assert len(truth) == 21
    blind = lexicon[~from_seeds].reset_index(drop=True)
    found = set(formulas.discover(seeds_corpus, blind)["formula"])
    missed = [s for s in truth if s not in found]
    # recall 20 / 21: 五星党员 occurs once, unquoted, after 一批 — nothing marks it as a formula
    assert missed == ["五星党员"]
    assert {"三清", "四谈心"} <= found  # behind an opening quotation mark that is never closed
    top = formulas.discover(prc_corpus, blind).head(30)["formula"].tolist()
    assert set(top) <= set(JUDGED), f"judge the new candidates: {sorted(set(top) - set(JUDGED))}"
    # 29 / 30: 二十国集团 is now known for an organisation by the tagger; 两个特别 (…两个特别行政区) is left
    assert sum(JUDGED[f] for f in top) / len(top) == 29 / 30


def test_a_numbered_formula_is_found_when_the_lexicon_lacks_it(prc_corpus):
    """三大攻坚战 (three major battles, 2017) is a counted formula, not a congress ordinal like 十九大."""
    lexicon = formulas.load_lexicon()
    assert "三大攻坚战" in set(lexicon["formula"])
    found = formulas.discover(prc_corpus, lexicon[lexicon["formula"] != "三大攻坚战"].reset_index(drop=True))
    row = found[found["formula"] == "三大攻坚战"]
    assert len(row) == 1 and not row["in_lexicon"].iloc[0] and row["n"].iloc[0] >= 5


def _empty_lexicon(*slogan_rows):
    rows = [dict(zip(formulas.LEXICON_COLUMNS, (s, [], "", [], pd.NA, "national", "test"))) for s in slogan_rows]
    return pd.DataFrame(rows, columns=list(formulas.LEXICON_COLUMNS)).astype(object) if rows else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in formulas.LEXICON_COLUMNS})


def _discovered(tmp_path, text, *known):
    (tmp_path / "x.txt").write_text(text, encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    return formulas.discover(c, _empty_lexicon(*known))


@pytest.mark.parametrize("text, kept_out", [
    # calendar days and their holidays
    ("迎接“五一”国际劳动节。“七一”前夕举行座谈。“五一”假期客流增加。“七一”当天升旗。\n", {"五一", "七一"}),
    # durations and proportions: 个月 is a span of time, 一半以上 a share
    ("工期两个月，再过三个月完工。两个月后复查，三个月内整改。一半以上农户增收，一半以上企业盈利。\n",
     {"两个月", "三个月", "一半以上"}),
    # idioms and ordinary words in the stop list, quoted or not
    ("提供“一站式”服务，实行“一对一”帮扶，反对“一刀切”。一站式办理，一对一指导，一刀切做法。\n",
     {"一站式", "一对一", "一刀切"}),
])
def test_discovery_keeps_out_days_spans_and_idioms(tmp_path, text, kept_out):
    got = set(_discovered(tmp_path, text * 3)["formula"])
    assert not got & kept_out


def test_one_quoted_use_does_not_make_an_ordinary_word_a_formula(tmp_path):
    """稳定 is quoted once in eight uses: an ordinary word; 菜篮子 is quoted in every use: kept."""
    text = ("经济保持稳定，物价基本稳定，就业总体稳定，社会和谐稳定。市场运行稳定，供应稳定，预期稳定。"
            "守住“稳定”底线。抓好“菜篮子”供应，丰富“菜篮子”产品。\n")
    got = set(_discovered(tmp_path, text * 2)["formula"])
    assert "稳定" not in got and "菜篮子" in got


def test_pieces_and_inflected_forms_of_a_listed_formula_are_not_new(tmp_path):
    text = ("坚持“一国两制”方针，守好“一国”之本，用好“两制”之利。今年两会上代表热议，两会期间提交议案。"
            "两会上委员发言，两会期间媒体关注。\n")
    got = _discovered(tmp_path, text * 2, "一国两制", "两会")
    new = set(got.loc[~got["in_lexicon"], "formula"])
    assert not new & {"一国", "两制", "两会上", "两会期间"}
    assert {"一国两制"} <= set(got.loc[got["in_lexicon"], "formula"])


def test_foreign_events_places_organisations_and_names_are_not_formulas(tmp_path):
    text = ("英国议会再次否决“脱欧”协议，欧盟表示遗憾。英国首相就“脱欧”安排同欧盟会谈。"
            "二十国集团领导人峰会开幕，二十国集团成员出席。四川成都举办展会，四川成都客流增长。"
            "万钢出席开幕式。万钢会见代表。\n我国各地坚持“三严三实”，推进“一村一品”。\n")
    got = set(_discovered(tmp_path, text * 2)["formula"])
    assert not got & {"脱欧", "二十国集团", "四川成都", "万钢"}
    assert {"三严三实", "一村一品"} <= got


def test_discovery_with_no_candidates_gives_empty_tables(tmp_path):
    (tmp_path / "x.txt").write_text("加强机关党建。\n", encoding="utf-8")
    c = load_corpus(tmp_path, cache=False)
    assert formulas.discover(c).empty
    table = formulas.discovered_by_document(c)
    assert list(table.columns) == ["doc_id", "formula", "n", "source"]


def test_discovered_candidates_of_one_document_can_be_left_out(seeds_corpus):
    candidates = formulas.discover(seeds_corpus)
    every = formulas.discovered_by_document(seeds_corpus, candidates=candidates)
    recurring = formulas.discovered_by_document(seeds_corpus, candidates=candidates, min_docs=2)
    new = candidates[~candidates["in_lexicon"].astype(bool)]
    assert set(every.loc[every["source"] == "discovered", "formula"]) <= set(new["formula"])
    assert set(recurring.loc[recurring["source"] == "discovered", "formula"]) == \
        set(new.loc[new["n_docs"] >= 2, "formula"]) & set(every["formula"])
    pd.testing.assert_frame_equal(every[every["source"] == "lexicon"].reset_index(drop=True),
                                  recurring[recurring["source"] == "lexicon"].reset_index(drop=True), check_dtype=False)
    with pytest.raises(ValueError, match="min_docs"):
        formulas.discovered_by_document(seeds_corpus, min_docs=0)


def test_quoted_titles_and_names_are_not_formulas(tmp_path):
    """What follows the closing quote tells a title (称号), a ship (号), a series (系列) from a formula."""
    text = ("授予他“时代楷模”称号。“时代楷模”称号颁发。科考船“雪龙”号出发。“雪龙”号返航。"
            "推出“奋进新时代”系列报道。“奋进新时代”系列节目播出。我国坚持“房住不炒”定位，落实“房住不炒”要求。\n")
    got = set(_discovered(tmp_path, text * 2)["formula"])
    assert not got & {"时代楷模", "雪龙", "奋进新时代"}
    assert "房住不炒" in got


# --------------------------------------------------------------------------- audited variants
@pytest.mark.parametrize("text, formula", [
    ("坚持走建设有中国特色的社会主义道路。", "中国特色社会主义"),
    ("坚持两手抓，两手都要硬的方针。", "两手抓两手都要硬"),
    ("按照一个国家，两种制度的构想。", "一国两制"),
    ("我们已经全面建成了小康社会。", "全面建成小康社会"),
])
def test_audited_variants_count_as_their_formula(text, formula):
    assert [f[0] for f in found(text)] == [formula]


def test_a_quotation_mark_between_the_halves_of_a_formula_keeps_it_whole():
    assert [f[0] for f in found("开展“不忘初心、牢记使命”主题教育。")] == ["不忘初心牢记使命主题教育"]
    assert [f[0] for f in found("开展“三会一课”活动。")] == ["三会一课"]  # no separator inside a short form


def test_chinese_socialism_is_mentioned_in_the_reports_of_1982_to_1988(prc_corpus):
    """有中国特色的社会主义 (the 1980s wording) counts: the formula is not first seen in 1992. Years are
    read from the file names (``gwr_1987``, ``cpc_13_1987``), no metadata needed."""
    m = formulas.mentions(prc_corpus)
    years = m["doc_id"].astype(str).str[-4:].astype(int)
    early = m[(m["item"] == "中国特色社会主义") & years.between(1982, 1988)]
    assert {1982, 1987} <= set(early["doc_id"].astype(str).str[-4:].astype(int))
    assert (early["form"] == "中国特色的社会主义").sum() >= 20  # the 1980s wording, 有/具有中国特色的社会主义


def test_the_variant_audit_lists_near_matches_the_matcher_misses():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "audit_variants.py"
    spec = importlib.util.spec_from_file_location("audit_variants", path)
    audit_variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(audit_variants)
    lexicon = _empty_lexicon("中国特色社会主义", "不忘初心牢记使命")
    texts = [("a", "建设有中国特色的社会主义。不忘初心、牢记使命。中国特色社会主义。"),
             ("b", "有中国特色的社会主义；中国特色，新的社会主义。")]
    got = audit_variants.audit(texts, lexicon, gap=2, total=3)
    # 不忘初心、牢记使命 is counted already (punctuation between halves); 特色，新的社 crosses no sentence end
    # but holds three inserted characters in one gap — more than --gap allows
    assert {k: dict(v) for k, v in got.items()} == {("中国特色社会主义", "中国特色的社会主义"): {"a": 1, "b": 1}}
    assert audit_variants.inserted("中国特色社会主义", "中国特色的社会主义") == "的"
