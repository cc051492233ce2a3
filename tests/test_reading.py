"""Reading a corpus folder: encodings, empty and binary files, metadata joins."""
import codecs

import pytest

from zhengyan.ingest import reading

TEXT = "加强机關党建，落实“三会一课”制度。\n第二段：全面从严治党。\n"
SIMPLIFIED = "加强机关党建，落实“三会一课”制度。全面从严治党，服务发展大局。\n"
TRADITIONAL = "加強機關黨建，落實「三會一課」制度。全面從嚴治黨，服務發展大局。\n"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig"),
        (SIMPLIFIED.encode("gb18030"), "gb18030"),
        (SIMPLIFIED.encode("gbk"), "gb18030"),
        (TRADITIONAL.encode("big5"), "big5"),
        (SIMPLIFIED.encode("utf-16"), "utf-16"),
        (("Party 党建 report 2020\n" * 3).encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_decode_bytes_finds_the_encoding(data, encoding):
    text, found = reading.decode_bytes(data)
    assert found == encoding
    assert text.strip() in (SIMPLIFIED.strip(), TRADITIONAL.strip(), ("Party 党建 report 2020\n" * 3).strip())


def test_windows_line_endings_are_normalised():
    text, _ = reading.decode_bytes("第一行\r\n第二行\r第三行".encode("utf-8"))
    assert text == "第一行\n第二行\n第三行"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"  \n\n ", "empty file"),
        (bytes(range(256)) * 4, "binary file"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x03" * 50, "binary file"),
        (b"\xff\xfe\xff\xff\xfe\xff", ""),
    ],
)
def test_unreadable_bytes_are_refused_with_a_reason(data, reason):
    with pytest.raises(reading.UnreadableFile) as exc:
        reading.decode_bytes(data)
    assert reason in str(exc.value)


def test_a_folder_of_mixed_files_reads_the_good_and_reports_the_bad(tmp_path):
    (tmp_path / "utf8.txt").write_bytes(SIMPLIFIED.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"))
    (tmp_path / "gbk.txt").write_bytes(SIMPLIFIED.encode("gb18030"))
    (tmp_path / "big5.txt").write_bytes(TRADITIONAL.encode("big5"))
    (tmp_path / "utf16.txt").write_bytes(SIMPLIFIED.encode("utf-16"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    raw = reading.read_folder(tmp_path)
    got = {d.doc_id: (d.encoding, d.text.strip()) for d in raw.documents}
    assert got == {
        "big5": ("big5", TRADITIONAL.strip()),
        "bom": ("utf-8-sig", SIMPLIFIED.strip()),
        "gbk": ("gb18030", SIMPLIFIED.strip()),
        "utf16": ("utf-16", SIMPLIFIED.strip()),
        "utf8": ("utf-8", SIMPLIFIED.strip()),
    }
    problems = {p.file: p.problem for p in raw.problems}
    assert problems == {"empty.txt": "empty file", "binary.txt": problems["binary.txt"]}
    assert problems["binary.txt"].startswith("binary file")


def test_missing_folder_is_a_corpus_error(tmp_path):
    with pytest.raises(reading.CorpusError, match="corpus folder not found"):
        reading.read_folder(tmp_path / "nope")


def test_folder_without_text_files_is_a_corpus_error(tmp_path):
    with pytest.raises(reading.CorpusError, match="no .txt files"):
        reading.read_folder(tmp_path)


def test_metadata_joins_on_doc_id_and_reports_mismatches(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "b.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,title,year,place\na,甲,2019年,北京\nz,无文件,2020,\n", encoding="utf-8")
    raw = reading.read_folder(tmp_path)
    meta = raw.metadata.set_index("doc_id")
    assert meta.loc["a", "title"] == "甲" and meta.loc["a", "year"] == 2019 and meta.loc["a", "place"] == "北京"
    assert meta.loc["b"].isna().all()
    assert sorted((p.file, p.problem) for p in raw.problems) == [
        ("b.txt", "no row in metadata.csv"),
        ("metadata.csv", "row for 'z' has no readable .txt file"),
    ]


def test_metadata_without_doc_id_is_reported(tmp_path):
    (tmp_path / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,year\na.txt,2019\n", encoding="utf-8")
    raw = reading.read_folder(tmp_path)
    assert "no doc_id column" in raw.problems[0].problem
    assert len(raw.documents) == 1


def test_plausibility_prefers_the_right_decoding():
    data = TRADITIONAL.encode("big5")
    right = reading.plausibility(data.decode("big5"))
    wrong = reading.plausibility(data.decode("gb18030", errors="replace"))
    assert right > 0.9 > wrong


def test_metadata_file_column_names_the_document(tmp_path):
    (tmp_path / "cpc_09_1969.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,file,year\ncpc_09,cpc_09_1969.txt,1969\n", encoding="utf-8")
    raw = reading.read_folder(tmp_path)
    row = raw.metadata.iloc[0]
    assert (row["doc_id"], row["metadata_id"], row["year"]) == ("cpc_09_1969", "cpc_09", 1969)
    assert raw.problems == []


def test_decode_gives_a_confidence_for_each_decoding():
    assert reading.decode(SIMPLIFIED.encode("utf-8")).confidence == 1.0
    gbk = reading.decode(SIMPLIFIED.encode("gb18030"))
    assert gbk.encoding == "gb18030" and gbk.confidence == 1.0
    # 龘 (rare) beside the 32 non-ASCII characters of SIMPLIFIED: 32 of 33 plausible
    assert reading.decode(("龘" + SIMPLIFIED).encode("gb18030")).confidence == round(32 / 33, 3)


def test_a_chinese_text_quoting_a_little_japanese_is_still_chinese():
    text = SIMPLIFIED * 3 + "（日文：ありがとう）"
    assert reading.foreign_script(text) is None
    assert reading.foreign_script("ありがとうございます。日本語です。") == "Japanese (kana 80% of letters)"  # 12 kana of 15 letters


def test_nested_documents_join_their_metadata_by_path(tmp_path):
    (tmp_path / "2020").mkdir()
    (tmp_path / "2020" / "b.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "a.txt").write_text(SIMPLIFIED, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("doc_id,year\na,2019\n2020/b,2020\n", encoding="utf-8")
    raw = reading.read_folder(tmp_path, recursive=True)
    assert raw.metadata.set_index("doc_id")["year"].to_dict() == {"2020/b": 2020, "a": 2019}
    assert raw.problems == []
