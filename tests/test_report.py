"""The chapter output API: escaping, French formatting, numbering, deterministic figures."""

from __future__ import annotations

import datetime as dt

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import fmt, report
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
    # floors = longest word (capped at 12) + 1, or header word + 3: A -> 11 ("Préfecture"), B -> 13
    # (30 capped at 12), C -> 4 (header "C"); excess of the mean length over the floor: 2, 17, 0.
    # The 95 - 28 = 67 characters left go 2/19 to A and 17/19 to B: weights 18.05, 72.95, 4 out of
    # 95 -> 19.0 %, 76.79 %, 4.21 % -> 19, 76, 4, the 1 % left to the widest
    widths = report.column_widths(["A", "B", "C"], [["Préfecture 59", "x" * 30, "1"]], line=95)
    assert widths == [19, 77, 4]
    # floors alone overflow a 10-character line: weights are the floors plus a quarter of the excess,
    # 11.5, 17.25, 4 (of 32.75) -> 35.11, 52.67, 12.21 -> 35, 52, 12, the 1 % left to the widest
    assert report.column_widths(["A", "B", "C"], [["Préfecture 59", "x" * 30, "1"]], line=10) == [35, 53, 12]


def test_amounts_in_long_tables_are_never_split():
    rows = 45
    df = pd.DataFrame({"Outil": ["Système d'information géographique"] * rows, "Coût annuel": [10500.0] * rows})
    html = report.table_html(df, formats={"Coût annuel": fmt.money})
    widths = [int(w) for w in __import__("re").findall(r'width:(\d+)%', html)]
    # "10 500 €" (8 characters, spaces included) is one word: floor 9 of the 105-character line
    assert widths[1] >= 100 * 9 // 105
    assert '<td class="num">10\u202f500 €</td>' in html


def test_one_odd_long_word_does_not_widen_a_column():
    # nine cells in ten decide the cell floor: 19 codes "ab" and one "abcdefghijkl" -> 3, not 13; the
    # header "A" + 3 makes the floor 4 (mean 2.5: no excess); the other column (floor 13, mean 40)
    # takes the 95 - 17 = 78 characters left: weights 4 and 91 of 95 -> 4.21 %, 95.79 % -> 4, 95,
    # the 1 % left to the widest
    rows = [["ab", "y" * 40]] * 19 + [["abcdefghijkl", "y" * 40]]
    widths = report.column_widths(["A", "B"], rows, line=95)
    assert widths == [4, 96]


def test_a_short_header_word_column_keeps_its_header_whole():
    # a yes/no column headed "Fréquence de mise à jour" must not be narrower than "Fréquence"
    rows = [["Contingent préfectoral de logements sociaux — lot 7", "non", "Annuelle"]] * 3
    widths = report.column_widths(["Intitulé", "Donnée géographique", "Fréquence de mise à jour"], rows, line=95)
    # floors: 12 ("préfectoral" 11 + 1), 15 ("géographique" 12 + 3), 12 ("Fréquence" 9 + 3) of 95
    assert widths[1] >= 100 * 15 // 95 and widths[2] >= 100 * 12 // 95
    assert widths[0] == max(widths)


def test_grouped_tables_show_one_heading_row_per_run_without_the_group_column():
    df = pd.DataFrame({"Service": ["DDTM 62", "DDTM 62", "DREAL", None],
                       "Intitulé": ["Plans de prévention", "Zonages <PPRI>", "ICPE", "Sans service"]})
    html = report.table_html(df, group_by="Service", group_count=("catégorie", "catégories"))
    assert '<th scope="col">Service</th>' not in html
    assert html.count("<tbody>") == 3
    assert '<tr class="groupe"><th colspan="1" scope="rowgroup">DDTM 62 — 2 catégories</th></tr>' in html
    assert "DREAL — 1 catégorie</th>" in html and "— — 1 catégorie</th>" in html
    assert "Zonages &lt;PPRI&gt;" in html
    # rows stay in their groups, in order
    assert html.index("Plans de prévention") < html.index("DREAL") < html.index("ICPE") < html.index("Sans service")
