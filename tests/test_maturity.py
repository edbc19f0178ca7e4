"""Tests of the generic maturity scoring engine (analysis.maturity).

Expected values are worked out by hand from the specifications and the answers written below:
dimension level = highest level reached; theme score = Σ levels / (5 × number of dimensions).
"""

from __future__ import annotations

import pandas as pd
import pytest
from factories import tiny_tables

from analysis import maturity, model, paths

ODI_SPEC = paths.PROJ_ROOT / "tests" / "fixtures" / "maturity_spec_odi.yaml"
SURVEY_SPEC = paths.CONFIG_DIR / "maturite-questionnaire.yaml"


def odi_answers() -> pd.DataFrame:
    """Three organisations answering the ODI-like questionnaire (column names from its spec)."""
    rows = [
        # A: gouvernance max(2, 3, 1) = 3; publication 3; formation max(3, 1) = 3; veille 4; equipe 1
        ("A", "G1", "Oui"), ("A", "G2", "Oui"), ("A", "G3", "Non"), ("A", "P1", "Processus documenté"),
        ("A", "F1", "Oui"), ("A", "F2", "Non"), ("A", "V1", "Régulièrement"), ("A", "E1", "Non"),
        # B: gouvernance max(2, 1) = 2 (G3's unknown option ignored); publication not answered;
        #    formation 1; veille 1; equipe 5; an unknown question is ignored
        ("B", "G1", "Oui"), ("B", "G2", "Non"), ("B", "G3", "Peut-être"), ("B", "F1", "Non"),
        ("B", "V1", "Jamais"), ("B", "E1", "Oui"), ("B", "Z9", "Oui"),
        # C: only formation = 4
        ("C", "F2", "Oui"),
    ]
    return pd.DataFrame(rows, columns=["organisation", "question", "reponse"])


def test_odi_like_spec_scores_without_code_change():
    spec = maturity.load_spec(ODI_SPEC)
    levels = maturity.score(spec, odi_answers())
    got = {(r, d): lv for r, d, lv in levels.itertuples(index=False, name=None)}
    assert got == {
        ("A", "gouvernance"): 3, ("A", "publication"): 3, ("A", "formation"): 3, ("A", "veille"): 4,
        ("A", "equipe"): 1,
        ("B", "gouvernance"): 2, ("B", "formation"): 1, ("B", "veille"): 1, ("B", "equipe"): 5,
        ("C", "formation"): 4,
    }


def test_odi_like_theme_scores_follow_the_pathway_formula():
    spec = maturity.load_spec(ODI_SPEC)
    scores = maturity.theme_scores(spec, maturity.score(spec, odi_answers()))
    proc, comp = "Processus de gestion des données", "Connaissances et compétences"
    # A: (3 + 3) / (5 × 2); (3 + 4 + 1) / (5 × 3)
    assert scores.loc["A", proc] == pytest.approx(0.6)
    assert scores.loc["A", comp] == pytest.approx(8 / 15)
    # B: publication unanswered counts 0: (2 + 0) / 10; (1 + 1 + 5) / 15
    assert scores.loc["B", proc] == pytest.approx(0.2)
    assert scores.loc["B", comp] == pytest.approx(7 / 15)
    # C answered nothing of the first theme: no score; (4 + 0 + 0) / 15
    assert pd.isna(scores.loc["C", proc])
    assert scores.loc["C", comp] == pytest.approx(4 / 15)


def test_level_matrix_shows_every_dimension_in_spec_order():
    spec = maturity.load_spec(ODI_SPEC)
    matrix = maturity.level_matrix(spec, maturity.score(spec, odi_answers()))
    assert list(matrix.columns) == ["Gouvernance des données", "Processus de publication", "Formation",
                                    "Veille et partage d'expérience", "Équipe dédiée"]
    assert list(matrix.index) == ["A", "B", "C"]
    assert pd.isna(matrix.loc["B", "Processus de publication"])
    assert matrix.loc["C", "Formation"] == 4


def test_weighted_mean_aggregation_uses_question_weights():
    spec = maturity.parse_spec({
        "scale": {"min": 0, "max": 4},
        "aggregation": "weighted_mean",
        "themes": [{"id": "t", "dimensions": [{"id": "d"}]}],
        "questions": [
            {"id": "q1", "dimension": "d", "weight": 3, "options": {"oui": 4, "non": 0}},
            {"id": "q2", "dimension": "d", "weight": 1, "options": {"oui": 4, "non": 0}},
        ],
    })
    answers = pd.DataFrame({"respondent": ["x", "x"], "question": ["q1", "q2"], "answer": ["oui", "non"]})
    # (3 × 4 + 1 × 0) / (3 + 1) = 3
    assert maturity.score(spec, answers)["level"].tolist() == [3.0]


def test_survey_spec_takes_dimensions_and_levels_from_the_model():
    spec = maturity.load_spec(SURVEY_SPEC)
    assert sorted(d.id for d in spec.dimensions) == sorted(model.MATURITY_DIMENSION.codes)
    assert [d.label for d in spec.dimensions if d.id == "opening"] == [model.MATURITY_DIMENSION.opening]
    assert spec.level_labels[3] == model.MATURITY_LEVEL.label_of("3")
    assert spec.respondent_col == "service_id" and spec.table == "maturity"


def test_survey_spec_scores_the_tiny_maturity_sheet():
    spec = maturity.load_spec(SURVEY_SPEC)
    levels = maturity.score(spec, tiny_tables().maturity)
    # DREAL strategy 3, opening 2, sharing 4; DDTM 62 strategy 2, opening 1; ARS strategy 4
    assert len(levels) == 6
    profile = maturity.regional_profile(spec, levels).set_index("Dimension")
    strat = profile.loc[model.MATURITY_DIMENSION.strategy]
    assert (strat["Répondants"], strat["Niveau minimal"], strat["Niveau médian"], strat["Niveau maximal"]) == (3, 2, 3, 4)
    assert profile.loc[model.MATURITY_DIMENSION.opening, "Niveau moyen"] == pytest.approx(1.5)
    assert profile.loc[model.MATURITY_DIMENSION.skills, "Répondants"] == 0
    dist = maturity.distribution(spec, levels)
    assert dist.loc[model.MATURITY_DIMENSION.strategy].tolist() == [0, 1, 1, 1, 0]
    assert list(dist.columns) == model.MATURITY_LEVEL.labels
    scores = maturity.theme_scores(spec, levels)
    # gouvernance = strategy + skills: DREAL (3 + 0) / 10
    assert scores.loc["DREAL-HDF", "Gouvernance et moyens"] == pytest.approx(0.3)


def test_malformed_spec_lists_problems_in_french():
    with pytest.raises(maturity.MaturitySpecError) as err:
        maturity.parse_spec({
            "aggregation": "median",
            "themes": [{"id": "t", "dimensions": [{"id": "d"}, {"vocabulary": "maturity_dimension", "code": "nope"}]}],
            "questions": [{"id": "q", "dimension": "inconnue", "options": []}],
        }, "exemple.yaml")
    msg = str(err.value)
    assert "exemple.yaml" in msg and "« aggregation »" in msg
    assert "code « nope »" in msg and "dimension" in msg


def test_missing_spec_file_is_reported_in_french(tmp_path):
    with pytest.raises(maturity.MaturitySpecError, match="introuvable"):
        maturity.load_spec(tmp_path / "absent.yaml")


def test_heatmap_writes_one_value_per_cell():
    spec = maturity.load_spec(ODI_SPEC)
    matrix = maturity.level_matrix(spec, maturity.score(spec, odi_answers()))
    fig = maturity.heatmap_figure(matrix)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 3 * 5
    assert texts.count("—") == 5  # B: publication; C: four dimensions


def test_distribution_figure_has_one_bar_per_dimension_and_level():
    spec = maturity.load_spec(SURVEY_SPEC)
    dist = maturity.distribution(spec, maturity.score(spec, tiny_tables().maturity))
    fig = maturity.distribution_figure(dist)
    assert len(fig.axes[0].patches) == 7 * 5
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == model.MATURITY_LEVEL.labels
