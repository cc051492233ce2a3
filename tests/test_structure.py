"""Paragraph and sentence spans and ids."""
from zhengyan.ingest import structure

from conftest import SPEECH


def test_paragraphs_are_lines():
    assert [SPEECH[a:b] for a, b in structure.paragraph_spans(SPEECH)] == [
        "同志们：", "我们要坚持“三会一课”制度。全面从严治党永远在路上！", "党员要落实一岗双责，增强四个意识；做到两个维护。",
    ]


def test_sentences_end_at_chinese_sentence_marks_and_keep_closing_quotes():
    s = structure.structure(SPEECH)
    sentences = [SPEECH[a:b] for a, b in zip(s["start"], s["end"])]
    assert sentences == ["同志们：", "我们要坚持“三会一课”制度。", "全面从严治党永远在路上！", "党员要落实一岗双责，增强四个意识；",
                         "做到两个维护。"]
    assert s["para_id"].tolist() == [0, 1, 1, 2, 2]
    assert s["sent_id"].tolist() == [0, 1, 2, 3, 4]
    text = "他说：“要抓落实。”然后散会"
    assert [text[a:b] for a, b in structure.sentence_spans(text)] == ["他说：“要抓落实。”", "然后散会"]


def test_locate_maps_offsets_to_ids():
    s = structure.structure(SPEECH)
    offset = SPEECH.index("两个维护")
    para, sent = structure.locate(s, [0, offset])
    assert para.tolist() == [0, 2] and sent.tolist() == [0, 4]
