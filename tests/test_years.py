"""Year inference on hand-made snippets: each kind of evidence, conflicting evidence, none at all."""
import pandas as pd
import pytest

from zhengyan.analyses import years


def infer(text, title=""):
    return years.infer_year(text, title)


def test_chinese_numbers():
    assert [years.chinese_number(t) for t in ["四", "十", "十九", "二十", "二十五"]] == [4, 10, 19, 20, 25]


def test_title_year_is_strong():
    d = infer("同志们：今天召开会议。", "2020年在全市基层党建工作座谈会上的讲话")
    assert (d.year, d.confidence) == (2020, "high")


def test_plan_and_review_years():
    d = infer("回顾总结2019年全市机关党的工作，安排部署2020年机关党的工作任务。")
    assert (d.year, d.confidence) == (2020, "high")
    d = infer("一、2018年工作回顾。过去一年成绩很大。")
    assert d.year == 2019  # a review is written the year after


def test_chinese_numeral_and_fullwidth_free_years():
    assert infer("一九五五年的主要任务是完成计划。").year == 1955


def test_targets_and_ranges_are_not_evidence():
    d = infer("到2035年基本实现现代化，从二〇三五年到本世纪中叶建成强国。")
    assert d.year is None and d.confidence == "none"
    assert {e.kind for e in d.evidence} == {"target"}


def test_plenum_and_congress_give_a_lower_bound():
    d = infer("深入学习贯彻党的十九大和十九届二中、三中、四中全会精神。")
    assert (d.year, d.lower_bound, d.confidence) == (2019, 2019, "low")  # events bound, they do not vote
    assert {e.kind for e in d.evidence} >= {"plenum"}
    assert infer("学习第十八届中央委员会第三次全体会议精神").year == 2013


def test_npc_session():
    assert infer("在十三届全国人大一次会议上").year == 2018


def test_a_future_event_is_no_bound():
    d = infer("喜迎党的十九大胜利召开。学习十八届六中全会精神。")
    assert (d.year, d.lower_bound) == (2016, 2016)


def test_consolidating_a_finished_campaign_dates_after_its_end():
    d = infer("巩固深化“不忘初心、牢记使命”主题教育成果。")
    assert (d.year, d.lower_bound) == (2020, 2020)
    assert infer("开展“不忘初心、牢记使命”主题教育。").year == 2017  # first proposed at the 19th Congress


def test_conflicting_evidence_keeps_the_year_at_or_after_the_latest_event():
    d = infer("2015年工作要点：学习十九届四中全会精神。")
    assert d.year == 2019
    assert d.conflicts and "2015" in d.conflicts[0]


def test_formulas_date_a_text_only_as_a_last_resort():
    d = infer("增强四个意识，坚定四个自信。")
    assert (d.year, d.confidence) == (2016, "low")
    assert infer("增强四个意识。一九九〇年我们召开了会议").year == 1990  # an explicit year outranks the formula
    d = infer("增强四个意识。1990年以来")  # "X年以来" is a bound: the formula is not read, the text is not dated 1990
    assert (d.year, d.lower_bound, d.confidence) == (None, 1990, "none")


def test_no_evidence():
    d = infer("同志们：要加强机关党建。")
    assert (d.year, d.confidence, d.evidence) == (None, "none", [])


def test_date_documents_prefers_metadata_and_keeps_the_inference():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["", "2019年工作会议讲话"], "year": pd.array([2000, pd.NA], "Int64"),
                         "text": ["学习十九届四中全会精神。", "同志们。"]})
    got = years.date_documents(docs).set_index("doc_id")
    assert got.loc["a", ["year", "year_source", "year_evidence", "year_inferred"]].tolist() == [
        2000, "metadata", "metadata.csv", 2019]
    assert got.loc["b", ["year", "year_source", "year_inferred_confidence"]].tolist() == [2019, "inferred", "high"]
    withheld = years.date_documents(docs, use_metadata=False).set_index("doc_id")
    assert withheld.loc["a", "year"] == 2019 and "plenum ≥2019" in withheld.loc["a", "year_evidence"]
    placed = years.with_years(docs)
    assert list(placed.columns[:8]) == ["doc_id", "title", *years.YEAR_COLUMNS]


def test_inferred_years_of_the_seeds(seeds_corpus):
    got = years.date_documents(seeds_corpus.documents, use_metadata=False)
    truth = seeds_corpus.documents["year"].tolist()
    assert got["year"].tolist() == [2020, 2002, 2020, 2019, 2020]
    within_one = sum(abs(a - b) <= 1 for a, b in zip(got["year"], truth))
    assert within_one == 4  # 001 is dated only by local events (市第三次党代会); it says so: confidence low
    assert got.loc[1, "year_inferred_confidence"] == "low"


def test_phrases_that_are_not_the_texts_year():
    d = infer("实施《全民健身计划（2016-2020年）》。")  # a range: its end is no date of the text
    assert d.year is None and [e.kind for e in d.evidence] == ["range"]
    d = infer("党的十八大以来，各地各部门扎实工作。")  # looks back from an event: a lower bound only
    assert (d.year, d.lower_bound) == (None, 2012)
    d = infer("他2010年的工作笔记至今保存完好。")  # a past record, not a work plan
    assert d.year is None and [e.kind for e in d.evidence] == ["past"]
    d = infer("人民币成为全球第九大交易币种。")  # an ordinal, not the 9th Congress (1969)
    assert (d.year, d.lower_bound, d.evidence) == (None, None, [])
    assert infer("共青团第十九次全国代表大会开幕。越共十三大闭幕。").year is None  # other bodies' congresses


def test_past_and_future_events_do_not_outvote_the_texts_year():
    d = infer("北京2022年冬奥会筹备顺利，2022年冬奥会场馆建设加快。2019年，全国接待游客增长。2019年上半年，"
              "消费稳步增长。")
    assert d.year == 2019  # the Games are an event of their year, not the text's year; 上半年 is this year
    d = infer("他1985年获全国劳模奖章。比2013年缩小2个百分点。今年3月以来，2019年春运平稳。")
    assert d.year == 2019 and {e.kind for e in d.evidence} == {"current"}


def test_anniversaries_editions_and_offices():
    assert infer("庆祝中国共产党成立100周年大会隆重举行。").year == 2021
    d = infer("到建党一百周年的时候，我们要建成小康社会。")  # still to come: only the formula's loose first year
    assert d.year != 2021 and [e.kind for e in d.evidence] == ["formula"]
    d = infer("第二届中国国际进口博览会开幕。")
    assert (d.year, d.confidence) == (2019, "high")
    d = infer("国务院总理李克强会见外宾。1998年，他在这里工作过。")
    assert (d.lower_bound, d.upper_bound, d.year) == (2013, 2023, 2013)  # the past year is set aside
    assert infer("2014年两国建交50周年之际").year == 2014  # the year of the anniversary, not of a founding
    assert infer("奥巴马总统、拜登副总统出席。").evidence == []  # not "总统拜登": offices match exactly


def test_a_closed_year_dates_the_next():
    assert infer("截至2016年底，4G用户达7亿。2016年全年经济平稳。").year == 2017
    # "2016年9月" in a text of March (its day dates say so) is past: the year is over
    assert infer("3月5日，会议开幕。3月6日，代表审议。3月7日闭幕。2016年9月，项目开工。").year == 2017


def test_date_documents_withholds_every_metadata_column():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "title": ["1955年政府工作报告", ""], "year": pd.array([1955, pd.NA], "Int64"),
                         "text": ["各位代表：\n现在报告工作。", "2019年工作要点\n同志们：今天开会。"]})
    with_meta = years.date_documents(docs).set_index("doc_id")
    assert with_meta.loc["a", "year_inferred"] == 1955  # the metadata title is read when metadata is allowed
    withheld = years.date_documents(docs, use_metadata=False).set_index("doc_id")
    assert pd.isna(withheld.loc["a", "year"]) and withheld.loc["a", "year_source"] == "none"
    assert withheld.loc["b", ["year", "year_inferred_confidence"]].tolist() == [2019, "high"]  # its own first line
    with pytest.raises(TypeError, match="use_metadata"):
        years.date_documents(docs, use_metadata="no")


def test_inferred_years_of_the_reports(prc_corpus):
    """Every metadata column (titles too) withheld: the text alone dates each report."""
    docs = prc_corpus.documents[["doc_id", "text"]]
    got = years.date_documents(docs, use_metadata=False)
    truth = prc_corpus.documents["year"].astype("Int64")
    diff = (got["year"] - truth).abs()
    assert (diff <= 1).sum() == 64  # target: ≥ 95% within one year
    assert (diff == 0).sum() >= 50  # 53 measured: a report reviews the year before the one it is read in
    high = got["year_inferred_confidence"] == "high"
    assert high.sum() >= 15 and (diff[high] == 0).mean() >= 0.9


def _news_sample(folder, step=9):
    """Every ``step``-th transcript in name order (read and cleaned), with its metadata year for scoring."""
    from zhengyan.ingest import cleaning, reading

    files = sorted(folder.glob("*.txt"))[::step]
    truth = pd.read_csv(folder / "metadata.csv", usecols=["doc_id", "year"]).set_index("doc_id")["year"]
    texts = [cleaning.clean(reading.decode_bytes(path.read_bytes())[0]).text for path in files]
    return pd.DataFrame({"doc_id": [p.stem for p in files], "text": texts}), truth


def test_calibration_on_news_transcripts(xwlb_dev):
    """A second genre, dated by the dates it mentions; confidence must mean something."""
    docs, truth = _news_sample(xwlb_dev)
    got = years.date_documents(docs, use_metadata=False)
    error = (got["year"] - got["doc_id"].map(truth)).abs()
    exact = (error == 0).groupby(got["year_inferred_confidence"]).mean()
    within = (error <= 1).groupby(got["year_inferred_confidence"]).mean()
    assert len(docs) >= 280
    assert (error <= 1).mean() >= 0.95  # 97.1% on all 2,589 (bench/bench_dating.py)
    assert within["high"] >= 0.995 and exact["high"] >= 0.9 and exact["high"] > exact["medium"] > exact["low"]
    usable = years.usable_years(got)  # the span comes from the inferred years alone: metadata is withheld
    used = got.loc[usable.table["used"], "year"]
    assert usable.span == (2012, 2026) and used.between(2012, 2026).all()
    assert ((used - got.loc[usable.table["used"], "doc_id"].map(truth)).abs() <= 1).mean() >= 0.99


# Each rule below is one class of error seen on held-out news; the sentences are made up for the test.

def test_a_plan_range_in_a_title_is_no_title_year():
    d = infer("各地要抓好规划的落实。", "城乡建设规划（2014—2020年）")
    assert d.year is None and {e.kind for e in d.evidence} == {"range"}
    own = years.date_documents(pd.DataFrame({"doc_id": ["a"], "text": ["城乡建设规划（2014—2020年）\n各地要抓好落实。"]}),
                               use_metadata=False)
    assert pd.isna(own.loc[0, "year"])  # the first line stands as the title: its range is no year either
    assert infer("各地要抓好落实。", "2014年城乡建设工作要点").year == 2014  # a title year outside a range still weighs


def test_a_list_comma_does_not_join_a_number_into_an_event_name():
    d = infer("队伍一天走了十四、五公里山路。")
    assert (d.year, d.lower_bound, d.evidence) == (None, None, [])
    assert infer("编制“十四五”规划。").lower_bound == 2019
    assert infer("巩固“不忘初心、牢记使命”主题教育成果。").lower_bound == 2020  # words of a name may stand apart


def test_future_targets_are_not_votes():
    for text in ("力争2050年实现净零排放。", "向着2035年的目标稳步前进。", "力争2060年前实现碳中和。"):
        d = infer(text)
        assert d.year is None and [e.kind for e in d.evidence] == ["target"], text
    d = infer("各地积极推进。", "到2035年建成教育强国")  # a target in a title is no title year
    assert d.year is None and [e.kind for e in d.evidence] == ["target"]


def test_the_year_is_capped_by_what_the_text_allows():
    assert [e.kind for e in infer("2035年，我国将基本实现现代化。").evidence] == ["year"]  # looks forward: no recap
    body = "2021年，全国粮食产量再创新高。2035年，我国发展水平大幅跃升。"
    assert infer(body).year == 2036  # "2035年，我国" (no 将) reads as a recap: a tie, which the later year wins
    d = infer("喜迎党的二十大胜利召开。" + body)
    assert (d.year, d.upper_bound) == (2022, 2022)  # an event still to come: the text is of its year or before
    d = infer("力争2025年建成示范区。2035年，我国发展水平大幅跃升。")
    assert (d.year, d.upper_bound) == (None, 2026)  # a year aimed at is still to come (or just over): 2036 is too late
    d = infer("截至2021年底，累计建成基站一百万个。2019年，我们开始试点。2019年，试点扩大。")
    assert (d.year, d.lower_bound) == (2022, 2022)  # a passed deadline is a floor: the older years are set aside


def test_deadlines_of_a_past_period_are_past():
    d = infer("截至2021年12月31日，全国共有注册志愿者两亿人。")
    assert (d.year, d.lower_bound) == (2022, 2022)
    d = infer("截止到2021年6月底，全市新增就业三万人。")
    assert (d.year, d.lower_bound) == (2021, 2021)  # half a year over: the year itself is the floor


def test_the_month_rule_leaves_dates_of_the_past_alone():
    march = "3月3日开幕。3月4日讨论。3月5日闭幕。"
    text = march + "2015年春运平稳有序。1945年9月2号，侵略者签署投降书。1945年9月2号是胜利的日子。"
    assert infer(text).year == 2015
    assert [(e.kind, e.year) for e in years._gather(text, "") if e.year < 2000] == [("past", 1945)] * 2
    d = infer(march + "2014年上半年各项工作进展顺利。2012年12月，项目开工。2012年12月，首批设备进场。")
    assert d.year == 2014  # 2012年12月 is past in a text naming 2014: no vote for 2013
    assert infer(march + "2016年9月，项目开工。").year == 2017  # the rule still holds for the latest year named


def test_recollections_distances_and_biographies_are_not_the_texts_year():
    d = infer("2014年春节前夕，总书记来到村里看望群众。2014年春节前夕的嘱托，大家牢记在心。"
              "2019年上半年，村民收入增长一成。")
    assert d.year == 2019 and {e.year for e in d.evidence if e.kind == "current"} == {2019}
    d = infer("36年前的1978年，村民们按下了红手印。")
    assert (d.year, [e.kind for e in d.evidence]) == (2014, ["distance"])
    d = infer("王某同志，1931年5月出生，1949年8月参加工作，1952年入党。")
    assert d.year is None and {e.kind for e in d.evidence} == {"past"}


def test_events_after_2019_bound_the_year():
    assert infer("全力做好新冠肺炎疫情防控工作。").lower_bound == 2020
    assert infer("坚持常态化疫情防控。").lower_bound == 2020
    assert infer("做好非洲猪瘟疫情防控工作。").lower_bound is None  # the bare 疫情防控 dates nothing
    assert infer("对新型冠状病毒感染实施“乙类乙管”。").lower_bound == 2022
    assert infer("学习贯彻党的二十届三中全会精神。").year == 2024
    d = infer("行政长官林郑月娥出席典礼。")
    assert (d.lower_bound, d.upper_bound, d.year) == (2017, 2022, 2017)
    d = infer("国家卫生计生委发布通知。2016年全国报告病例下降。")
    assert (d.upper_bound, d.year) == (2018, 2016)  # a body's name in use until 2018 caps the year
    assert infer("应急管理部部署防汛工作。2016年全国报告病例下降。").year == 2018  # the ministry exists from 2018
    assert infer("庆祝深圳经济特区建立40周年大会举行。").year == 2020
    table = years.events()
    recent = table[table["start_year"] >= 2019]
    assert len(recent) >= 20 and (recent["source"].str.len() > 0).all()
    assert (table["source"].str.len() > 0).all()


def test_every_kind_of_evidence_is_declared_in_the_registry():
    text = ("2019年工作要点。回顾2018年。截至2018年底，完成任务。2019年上半年，稳中有进。36年前的1983年。"
            "到2035年基本实现现代化。党的十八大以来。喜迎党的二十大。学习十九届四中全会精神。第二届进博会开幕。"
            "国务院总理李克强出席。建党100周年。编制十四五规划。他2010年的笔记。2016-2020年。北京2022年冬奥会。2019年起。")
    kinds = {e.kind for e in years._gather(text, "2019年会议")}
    assert kinds <= set(years.KINDS)
    assert len(kinds) >= 15
    assert years.WEIGHTS == {k.name: k.weight for k in years.KINDS.values() if k.role == "vote"}
    assert all(k.role in ("vote", "bound", "upper", "aside") for k in years.KINDS.values())


def _dated(years_, confidences, sources=None):
    n = len(years_)
    year = pd.array(years_, dtype="Int64")
    return pd.DataFrame({"doc_id": [f"d{i}" for i in range(n)], "year": year,
                         "year_source": sources or ["inferred" if y is not None else "none" for y in years_],
                         "year_inferred": year, "year_inferred_confidence": confidences})


def test_usable_years_keep_confident_years_inside_the_plausible_span():
    bulk = [2012 + i % 5 for i in range(150)]  # 150 documents of 2012–2016, 30 a year
    dated = _dated(bulk + [2035, 1978, None, 2014], ["medium"] * 150 + ["high", "high", "none", "low"])
    assert years.plausible_span(dated) == (2012, 2016)  # 2035 and 1978 are one document each: under 1%
    got = years.usable_years(dated)
    assert got.span == (2012, 2016) and int(got.table["used"].sum()) == 150
    assert got.left_out == {"outside 2012–2016": 2, "no year": 1, "confidence low < medium": 1}
    assert got.note() == ("4 of 154 documents left out of year analyses "
                          "(2 outside 2012–2016; 1 no year; 1 confidence low < medium)")
    assert pd.isna(got.table.loc[153, "year"]) and got.table.loc[153, "reason"] == "confidence low < medium"
    assert int(years.usable_years(dated, min_confidence="low").table["used"].sum()) == 151
    assert years.usable_years(dated, span=(1970, 2040)).left_out == {"no year": 1, "confidence low < medium": 1}
    edge = _dated(bulk + [2011, 2017, 2017], ["medium"] * 153)  # 1 and 2 documents beside 30 a year: trimmed
    assert years.plausible_span(edge) == (2012, 2016)
    assert years.plausible_span(_dated([1954, 1955, 1969, 1975], ["high"] * 4)) == (1954, 1975)  # a few per year


def test_metadata_years_set_the_span_and_are_always_used():
    dated = _dated([1990, 2000, 2001, 2030], ["none", "none", "low", "high"],
                   sources=["metadata", "metadata", "inferred", "inferred"])
    assert years.plausible_span(dated) == (1990, 2000)
    got = years.usable_years(dated)
    assert got.table["used"].tolist() == [True, True, False, False]
    assert got.table["reason"].tolist()[2:] == ["confidence low < medium", "outside 1990–2000"]
    assert years.plausible_span(_dated([None], ["none"])) is None


def test_usable_years_checks_its_input():
    dated = _dated([2000], ["high"])
    with pytest.raises(ValueError, match="min_confidence must be one of high, medium, low"):
        years.usable_years(dated, min_confidence="best")
    with pytest.raises(ValueError, match="lacks year_inferred_confidence"):
        years.usable_years(dated.drop(columns="year_inferred_confidence"))
    with pytest.raises(ValueError, match="span must be"):
        years.usable_years(dated, span=(2010, 2000))


def test_usable_years_on_date_documents_output():
    docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "title": ["", "", ""],
                         "year": pd.array([pd.NA] * 3, "Int64"),
                         "text": ["2019年工作要点\n同志们。", "学习十九届四中全会精神。", "同志们好。"]})
    got = years.usable_years(years.date_documents(docs))
    assert got.table["used"].tolist() == [True, False, False]
    assert got.left_out == {"confidence low < medium": 1, "no year": 1}
