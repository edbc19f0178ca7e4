"""The chapter output API: escaping, French formatting, numbering, deterministic figures."""

from __future__ import annotations

import datetime as dt

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import report
from analysis.edition import load_edition


def test_render_text_formats_and_escapes_values():
    html = report.render_text("Sur {n} catégories, **{share}** ont pour titre {t} ({d}).",
                              n=1234, share="38 %", t="<script>alert(1)</script>", d=dt.date(2021, 9, 30))
    assert html == ("<p>Sur 1\u202f234 catégories, <strong>38 %</strong> ont pour titre "
                    "&lt;script&gt;alert(1)&lt;/script&gt; (30 septembre 2021).</p>")


def test_render_text_requires_every_value():
    with pytest.raises(KeyError):
        report.render_text("{a} et {b}", a=1)


def test_table_html_escapes_cells_and_headers_and_formats_numbers():
    df = pd.DataFrame({"Intitulé <b>": ['<img src=x onerror="alert(1)">', "ok"], "Nombre": [1500, None]})
    html = report.table_html(df)
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "Intitulé &lt;b&gt;" in html
    assert "1\u202f500" in html and "—" in html


def _chapter(monkeypatch):
    shown = []
    monkeypatch.setattr(report, "_display_html", shown.append)
    tables = type("T", (), {"services": pd.DataFrame({"service_id": ["A", "B", "B"]})})()
    ch = report.Chapter("02", None, "public", tables=tables, edition=load_edition())
    return ch, shown


def test_figures_and_tables_are_numbered_per_chapter_with_source_and_alt(monkeypatch):
    ch, shown = _chapter(monkeypatch)
    fig, ax = plt.subplots()
    ax.bar(["a"], [1])
    assert ch.figure(fig, "Titre", alt="Une barre") == "fig-02-1"
    assert ch.table(pd.DataFrame({"x": [1]}), "Tableau test") == "tab-02-1"
    fig2, _ = plt.subplots()
    assert ch.figure(fig2, "Deuxième", alt="vide") == "fig-02-2"
    assert 'alt="Une barre"' in shown[0] and "Figure 2.1" in shown[0]
    assert "Tableau 2.1" in shown[1]
    assert "2 services répondants" in shown[0] and "données fictives" in shown[0]


def test_svg_figures_are_deterministic_and_keep_text():
    def make():
        fig, ax = plt.subplots()
        ax.barh(["Eau et milieux aquatiques", "Santé"], [3, 5])
        return report.figure_to_svg(fig)

    first, second = make(), make()
    assert first == second
    assert b"Eau et milieux aquatiques" in first  # text kept as text (searchable)
    assert b"<dc:date>" not in first


def test_unknown_audience_is_refused():
    with pytest.raises(ValueError, match="audience inconnue"):
        report.Chapter("01", None, "presse", tables=object(), edition=load_edition())


def test_long_tables_get_fixed_column_widths_from_their_content():
    rows = 45
    df = pd.DataFrame({"Service": ["Préfecture 59"] * rows, "Intitulé": ["Installations classées pour la protection de l'environnement"] * rows,
                       "Coût": [1500.0] * rows})
    html = report.table_html(df)
    assert html.startswith('<table class="fixed"><colgroup>')
    widths = [int(w) for w in __import__("re").findall(r'width:(\d+)%', html)]
    assert sum(widths) == 100 and len(widths) == 3
    # the title column gets the most room; the code column at least its longest word
    assert widths[1] == max(widths) and widths[0] > widths[2]
    short = report.table_html(df.head(5))
    assert short.startswith("<table><thead>")


def test_column_widths_by_hand():
    # weights = max(5, mean length, longest word, header word): A -> 13 (len "Préfecture 59"),
    # B -> 30, C -> 5; total 48: 27,08 %, 62,5 %, 10,4 % -> 27, 62, 10, the 1 % left to the widest
    widths = report.column_widths(["A", "B", "C"], [["Préfecture 59", "x" * 30, "1"]])
    assert widths == [27, 63, 10]
