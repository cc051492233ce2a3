"""Tables in notebooks: an index is shown when it says something, never a filtered table's row numbers."""
import pandas as pd

from zhengyan import display


def test_row_numbers_of_a_filtered_table_are_not_shown_but_a_named_index_is():
    frame = pd.DataFrame({"term": ["甲", "乙", "丙"], "n": [3, 2, 1]})
    filtered = frame[frame["n"] > 1]  # index 0, 1: row numbers left by a filter or a groupby().head()
    assert not display._show_index(filtered.iloc[::-1])
    assert display._show_index(frame.set_index("term"))  # labels
    assert display._show_index(pd.DataFrame({"n": [1]}, index=pd.Index([2020], name="year")))  # named years


def test_esc_shows_markup_from_a_corpus_as_written():
    assert display.esc("<script>alert(1)</script>") == "&#60;script&#62;alert&#40;1&#41;&#60;&#47;script&#62;"
    assert display.esc("三会一课 $x^$") == "三会一课 &#36;x^&#36;"
    assert display.esc(2020) == "2020"
