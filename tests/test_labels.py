"""Document labels: short, unique, human, and lookups by label or prefix."""
import pandas as pd
import pytest

from zhengyan.ingest import labels


def frame(rows):
    table = pd.DataFrame(rows)
    table["label"] = labels.document_labels(table)
    return table


def test_year_and_place_from_metadata():
    docs = frame([
        {"doc_id": "000_79039e034ee0312b", "year": 2020, "place": "湖北省咸宁市（据“香城义工”推断）", "title": "讲话"},
        {"doc_id": "001_c81a419ed2761e08", "year": 2007, "place": "重庆市奉节县（据“富民兴夔”推断）", "title": "讲话"},
        {"doc_id": "004_5f25a901ff5ac284", "year": 2020, "place": "山东省某市（据“视察山东”推断）", "title": "报告"},
    ])
    assert docs["label"].tolist() == ["2020 咸宁", "2007 奉节", "2020 山东某市"]


def test_titles_of_a_series_lose_their_boilerplate():
    docs = frame([
        {"doc_id": "gwr_1992", "year": 1992, "title": "1992年中华人民共和国国务院政府工作报告"},
        {"doc_id": "cpc_14", "year": 1992, "title": "加快改革开放和现代化建设步伐 (十四大)"},
        {"doc_id": "cpc_09", "year": 1969, "title": "在中国共产党第九次全国代表大会上的报告"},
        {"doc_id": "gwr_1964", "year": 1964, "title": "1964年中华人民共和国国务院政府工作报告（摘要）"},
    ])
    assert docs["label"].tolist() == ["1992 政府工作报告", "1992 十四大", "1969 九大", "1964 政府工作报告"]


def test_file_name_when_there_is_no_metadata():
    docs = frame([{"doc_id": "speech_a"}, {"doc_id": "speech_b"}])
    assert docs["label"].tolist() == ["speech_a", "speech_b"]


def test_repeated_labels_are_disambiguated_and_stay_short():
    docs = frame([
        {"doc_id": "a_1", "year": 2020, "place": "江西省赣州市", "title": "机关党建工作会议讲话"},
        {"doc_id": "a_2", "year": 2020, "place": "江西省赣州市", "title": "基层党建座谈会讲话"},
        {"doc_id": "a_3", "year": 2020, "place": "江西省赣州市", "title": "基层党建座谈会讲话"},
    ])
    assert docs["label"].tolist() == ["2020 赣州 机关党建工作会议讲话", "2020 赣州 基层党建座谈会讲话 a_2",
                                      "2020 赣州 基层党建座谈会讲话 a_3"]
    assert docs["label"].is_unique


def test_seeds_and_reports_get_unique_short_labels(prc_reports):
    from zhengyan.core import paths

    for folder in (paths.SEEDS, prc_reports):
        meta = pd.read_csv(folder / "metadata.csv")
        made = labels.document_labels(meta)
        assert made.is_unique
        assert made.str.len().max() <= labels.MAX_CHARS + 1
        assert not made.str.fullmatch(r"\w{3}").any()  # never the old doc_id[:3]


@pytest.fixture
def reports():
    return frame([
        {"doc_id": "gwr_1992", "year": 1992, "title": "1992年中华人民共和国国务院政府工作报告"},
        {"doc_id": "cpc_14", "year": 1992, "title": "加快改革开放和现代化建设步伐 (十四大)"},
        {"doc_id": "004_5f25a901ff5ac284", "year": 2020, "place": "山东省某市", "title": "报告"},
    ])


@pytest.mark.parametrize("key, doc_id", [
    ("cpc_14", "cpc_14"), ("1992 十四大", "cpc_14"), ("十四大", "cpc_14"), ("1992 政府", "gwr_1992"),
    ("004", "004_5f25a901ff5ac284"), ("gwr", "gwr_1992"), ("山东", "004_5f25a901ff5ac284"),
])
def test_lookup_by_id_label_or_prefix(reports, key, doc_id):
    assert labels.lookup(reports, key) == doc_id


def test_ambiguous_lookup_lists_the_candidates(reports):
    with pytest.raises(KeyError) as error:
        labels.lookup(reports, "1992")
    assert "matches 2 documents" in str(error.value)
    assert "1992 十四大 (cpc_14)" in str(error.value) and "1992 政府工作报告 (gwr_1992)" in str(error.value)


def test_failed_lookup_lists_close_matches(reports):
    with pytest.raises(KeyError) as error:
        labels.lookup(reports, "1993 政府工作报告")
    assert "closest: 1992 政府工作报告" in str(error.value)
    with pytest.raises(KeyError, match="empty"):
        labels.lookup(reports, " ")


def test_a_daily_series_is_labelled_by_its_dates_not_by_its_item_counts():
    documents = pd.DataFrame({
        "doc_id": ["news_20120703", "news_20120713", "speech"],
        "year": [2012, 2012, 2012],
        "date": ["2012-07-03", "2012-07-13", None],
        "title": ["新闻联播 2012-07-03（20条）", "新闻联播 2012-07-13（19条）", "在全市机关党建会议上的讲话"],
    })
    assert list(labels.document_labels(documents)) == ["2012-07-03 新闻联播", "2012-07-13 新闻联播", "2012 全市机关党建会议"]
    assert labels.title_core("新闻联播 2012-07-03（20条）") == "新闻联播"
