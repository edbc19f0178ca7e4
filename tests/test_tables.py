"""Processed tables: round trip, and spreadsheet-safe CSV copies."""

from __future__ import annotations

import pandas as pd
from factories import tiny_tables

from analysis.tables import neutralise_frame, read_tables, save_tables


def test_save_and_read_round_trip_keeps_values(tmp_path):
    tables = tiny_tables()
    save_tables(tables, tmp_path)
    back = read_tables(tmp_path)
    pd.testing.assert_frame_equal(back.categories, tables.categories.reset_index(drop=True))
    assert back.log == tables.log


def test_csv_copies_neutralise_formulas_but_parquet_keeps_the_cleaned_value(tmp_path):
    tables = tiny_tables()
    tables.categories.loc[0, "title"] = '=HYPERLINK("http://x","clic")'
    tables.tools.loc[0, "comment"] = "@SUM(A1)"
    save_tables(tables, tmp_path)
    csv = (tmp_path / "categories.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv and ';=HYPERLINK' not in csv
    assert "'@SUM(A1)" in (tmp_path / "tools.csv").read_text(encoding="utf-8-sig")
    assert read_tables(tmp_path).categories.loc[0, "title"] == '=HYPERLINK("http://x","clic")'


def test_neutralise_frame_leaves_numbers_and_plain_text():
    df = pd.DataFrame({"a": ["-3 €", "texte", None], "b": [-3.0, 1.0, 2.0]})
    out = neutralise_frame(df)
    assert list(out["a"]) == ["'-3 €", "texte", None]
    assert list(out["b"]) == [-3.0, 1.0, 2.0]
