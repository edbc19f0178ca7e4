"""Tests of analysis.synthesis on the tiny hand-written tables (tests/factories.py)."""

from __future__ import annotations

import pytest
from factories import tiny_tables

from analysis import indicators, synthesis
from analysis.report import render_text


class _FakeFinding:
    def __init__(self, title):
        self.axis_label, self.title, self.recommendation = "Synergie", title, "Faire."
        self.priority_label, self.owner, self.horizon = "haute", "SGAR", "court terme"


@pytest.fixture(scope="module")
def figures_and_totals():
    tables = tiny_tables()
    return indicators.key_figures(tables), synthesis.partnership_totals(tables)


def test_partnership_totals_of_the_tiny_tables(figures_and_totals):
    _, totals = figures_and_totals
    # Géo2France 150 000 (only the DREAL reports credits), ORB 120 000, OR2S 100 000.
    assert totals["state_credits"] == 370_000
    assert totals["arrangements"] == 3
    assert totals["top3_state_share"] == pytest.approx(1.0)


def test_key_figure_boxes(figures_and_totals):
    boxes = dict(synthesis.key_figure_boxes(*figures_and_totals))
    assert boxes["services répondants"] == "4 / 6"
    assert boxes["catégories de données recensées"] == "12"
    assert boxes["publiées en open data"].startswith("33")  # 4 of 12 (babel picks the no-break space)
    assert boxes["publiables mais non publiées"] == "4"
    assert boxes["dispositifs partenariaux"] == "3"


def test_findings_sentences(figures_and_totals):
    sentences = synthesis.findings(*figures_and_totals)
    assert len(sentences) == 5
    html = [render_text(s.template, **s.values) for s in sentences]
    assert "<strong>4 services</strong> sur 6" in html[0]
    assert "67" in sentences[0].values["rate"]  # 4 / 6
    assert sentences[1].values["gap"] == "4 catégories"
    assert sentences[2].values["pool"].startswith("1 groupe de données achetées séparément")
    assert sentences[3].values["dup"] == "1 produit logiciel est payé"  # ArcGIS, 3 services
    assert sentences[4].values["state"].startswith("370")


def test_findings_without_state_credits(figures_and_totals):
    figures, totals = figures_and_totals
    sentence = synthesis.findings(figures, {**totals, "state_credits": 0.0})[-1]
    assert "aucun crédit" in sentence.template


def test_top_recommendations_table_ranks():
    table = synthesis.top_recommendations_table([_FakeFinding("A"), _FakeFinding("B")])
    assert table["Rang"].tolist() == [1, 2]
    assert table["Constat"].tolist() == ["A", "B"]
    assert synthesis.top_recommendations_table([]).empty
