"""Each cleaning step on small hand-made cases, including ones that must not change."""
import pytest

from zhengyan.ingest import cleaning


def test_boilerplate_lines_and_leading_ad_block_are_removed():
    raw = (
        "仅供学习 禁止外传\n自建平台、实时分享\n会员群：  免费QQ群：\n\n"
        "在市直机关党建工作会议上的讲话\n整理，咨询QQ123456\n同志们：\n今天召开会议。查看更多\n第9页 共9页\n"
    )
    text, changes = cleaning.strip_boilerplate(raw)
    assert text.split() == ["在市直机关党建工作会议上的讲话", "同志们：", "今天召开会议。"]
    removed = sorted(c.before.strip() for c in changes)
    assert removed == sorted(["仅供学习 禁止外传", "自建平台、实时分享", "会员群：  免费QQ群：", "整理，咨询QQ123456",
                              "查看更多", "第9页 共9页"])


def test_download_site_header_is_removed_but_a_long_body_line_is_kept():
    raw = "- 2021-05-07 发布 |\n- 37.5 KB |\n- 8页\n文档介绍\n讲话4120字范文稿\n" + "正文。" * 40 + "查看更多"
    text, _ = cleaning.strip_boilerplate(raw)
    assert text == "讲话\n" + "正文。" * 40


def test_ordinary_text_is_not_boilerplate():
    raw = "同志们：\n要用好微信公众号等平台，提高质量。\n第一页的内容不是页码。\n"
    text, changes = cleaning.strip_boilerplate(raw)
    assert text == raw and changes == []


def test_chunk_markers_are_removed_and_split_words_rejoined():
    raw = "1、讲话 同志们：今年工作的作\n2、风如何，关系到大局。我们要\n3、加强学习，提高素质，努\n4、力工作。"
    text, changes = cleaning.rejoin_chunk_markers(raw)
    assert text == "讲话 同志们：今年工作的作风如何，关系到大局。我们要加强学习，提高素质，努力工作。"
    assert [c.before for c in changes] == ["⏎1、", "⏎2、", "⏎3、", "⏎4、"]


def test_genuine_list_numbering_at_line_starts_stays():
    raw = "重点抓好三项工作：\n1、加强思想建设，教育党员。\n2、加强组织建设，激励党员。\n3、加强作风建设，监督党员。"
    assert cleaning.rejoin_chunk_markers(raw) == (raw, [])


def test_inline_list_numbering_stays():
    raw = "当前工作如下。 1、完善一批制度。 2、理顺两大关系。 3、注重三个结合。"
    assert cleaning.rejoin_chunk_markers(raw) == (raw, [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("創(chuàng)建引領機關黨建高質(zhì)量發(fā)展", "創建引領機關黨建高質量發展"),
        ("加強對縣(市、區(qū))機關工委的指導", "加強對縣(市、區)機關工委的指導"),
        ("創（chuàng）建", "創建"),
        ("党组(党委)书记", "党组(党委)书记"),
        ("县(市、区)", "县(市、区)"),
        ("国内生产总值(GDP)增长", "国内生产总值(GDP)增长"),
        ("选择(a)或(b)", "选择(a)或(b)"),
    ],
)
def test_pinyin_glosses_go_real_parentheses_stay(raw, expected):
    assert cleaning.strip_pinyin(raw)[0] == expected


def test_traditional_text_becomes_simplified_with_counts():
    text, changes = cleaning.to_simplified("堅持黨的領導，加強機關黨建。")
    assert text == "坚持党的领导，加强机关党建。"
    counts = {c.before: c.count for c in changes}
    assert counts["黨"] == 2 and counts["機"] == 1 and sum(counts.values()) == 8


def test_variant_forms_opencc_leaves_are_simplified_too():
    text, _ = cleaning.to_simplified("保衞祖國，擧國上下，國防鞏固")
    assert text == "保卫祖国，举国上下，国防巩固"


def test_simplified_text_is_left_alone():
    raw = "坚持党的领导，加强机关党建，乾坤朗朗。"
    assert cleaning.to_simplified(raw) == (raw, [])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("１９９６年国民生产总值增长ＧＤＰ", "1996年国民生产总值增长GDP"),
        ("在1 9 9 3年", "在1993年"),
        ("本届政府从1 9 9 3 年3 月就职，达到7 4 7 7 2 亿元", "本届政府从1993年3月就职，达到74772亿元"),
        ("同志们:今天,我们开会;好!", "同志们：今天，我们开会；好！"),
        ("党组(党委)书记", "党组（党委）书记"),
        ("Version 2.0, released", "Version 2.0, released"),
        ("增长3.5%，达到1,000亿元", "增长3.5%，达到1,000亿元"),
        ("第1、2、3项", "第1、2、3项"),
    ],
)
def test_width_and_punctuation(raw, expected):
    assert cleaning.normalise_width(raw)[0] == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("坚持和完善“3 X”集中学习模式", "坚持和完善“3+X”集中学习模式"),
        ("积极践行“党建 ”理念", "积极践行“党建+”理念"),
        ("开设“新时代 新思想”大讲堂", "开设“新时代 新思想”大讲堂"),
        ("“固定讲习” “党课讲习”", "“固定讲习” “党课讲习”"),
        ("推进“互联网 ”行动", "推进“互联网+”行动"),
        ("粉碎“四人帮 ”集团", "粉碎“四人帮 ”集团"),  # a space before a quote is no evidence by itself
    ],
)
def test_lost_plus_signs(raw, expected):
    assert cleaning.restore_plus(raw)[0] == expected


def test_roundtrip_is_flagged_and_repaired_only_where_unambiguous():
    raw = "服从效劳于改革开展稳定大局，引导广阔党员做好根底工作，深入开展学习活动，社会主义市场经济体制深入开展。"
    text, changes, warnings = cleaning.repair_roundtrip(raw)
    assert text == "服从服务于改革发展稳定大局，引导广大党员做好基础工作，深入开展学习活动，社会主义市场经济体制深入开展。"
    assert len(warnings) == 1 and "效劳×1" in warnings[0] and "根底×1" in warnings[0]
    assert {(c.before, c.after) for c in changes} == {("效劳", "服务"), ("开展", "发展"), ("广阔", "广大"), ("根底", "基础")}


def test_a_single_signature_does_not_flag_a_document():
    raw = "他为人民效劳，开展工作，视野广阔。"
    assert cleaning.repair_roundtrip(raw) == (raw, [], [])


def test_paragraph_breaks_restored_from_spaces():
    raw = "机关党建工作会上讲话 同志们： 今年工作很重要。 一、深化认识 近年来成绩很大。 “固定讲习” “党课讲习”等方式"
    text, changes = cleaning.restore_paragraphs(raw)
    assert text.split("\n") == ["机关党建工作会上讲话", "同志们：", "今年工作很重要。", "一、深化认识",
                                "近年来成绩很大。 “固定讲习” “党课讲习”等方式"]
    assert changes[0].count == 4  # not before an opening quote: “…” “…” is a list


def test_title_halves_separated_by_a_space_stay_on_one_line():
    raw = "举旗帜、讲政治 聚合力、抓落实"
    assert cleaning.restore_paragraphs(raw)[0] == raw


def test_repeated_titles():
    raw = "赣州市直机关工委：以模范机关创建引领发展\n以模范机关创建引领发展\n正文。"
    assert cleaning.drop_repeated_titles(raw)[0] == "赣州市直机关工委：以模范机关创建引领发展\n正文。"
    raw = "在全市基层党建座谈会上的讲话\n在全市基层党建座谈会上的讲话 同志们：正文。"
    assert cleaning.drop_repeated_titles(raw)[0] == "在全市基层党建座谈会上的讲话 同志们：正文。"


def test_trailing_series_heading_is_dropped_but_a_closing_sentence_stays():
    body = "一、第一段。\n二、第二段。\n三、第三段。\n"
    assert cleaning.drop_trailing_navigation(body + "争作表率建设模范机关——书记大家谈")[0] == body.rstrip()
    assert cleaning.drop_trailing_navigation(body + "同志们——让我们共同努力！") == (body + "同志们——让我们共同努力！", [])


def test_placeholders_are_counted_not_changed():
    raw = "书记×出席，提出了×项任务，市委常委XX同志，坚持“3+X”模式，召开了XXXX会议"
    text, changes = cleaning.note_placeholders(raw)
    assert text == raw and changes[0].count == 4  # ×, ×, XX, X; XXXX is four letters, not a placeholder


def test_clean_runs_every_step_and_audits_it():
    raw = "仅供学习 禁止外传\n\n機關黨建創(chuàng)建工作會議 同志們： 今年效劳大局，改革開展穩定。\n"
    result = cleaning.clean(raw)
    assert result.text == "机关党建创建工作会议\n同志们：\n今年服务大局，改革发展稳定。"
    assert {c.step for c in result.changes} >= {"boilerplate", "pinyin", "traditional", "paragraphs", "roundtrip"}
    assert any("traditional" in w for w in result.warnings)
    assert any("round trip suspected (效劳×1, 改革开展稳定×1)" in w for w in result.warnings)


def test_control_characters_go_first_so_they_cannot_split_a_formula():
    assert cleaning.STEP_NAMES[:2] == ("control", "repair")
    result = cleaning.clean("坚持“三会\x00一课”制度。\u200b全面从严治党。")
    assert result.text == "坚持“三会一课”制度。全面从严治党。"
    assert [(c.step, c.before, c.after, c.count) for c in result.changes] == [
        ("control", "U+0000", "", 1), ("control", "U+200B", "", 1)]


def test_the_audit_of_a_control_character_holds_no_control_character():
    _, changes = cleaning.strip_control("甲\x00乙\x07丙")
    assert [(c.before, c.context) for c in changes] == [("U+0000", "甲[U+0000]乙丙"), ("U+0007", "甲乙[U+0007]丙")]


def test_a_run_of_brackets_after_chinese_is_made_full_width_at_once():
    text, _ = cleaning.normalise_width("一))")
    assert text == "一））"
    assert cleaning.normalise_width(text)[0] == text  # idempotent: the found case of the property test
    assert cleaning.normalise_width("a))")[0] == "a))"
