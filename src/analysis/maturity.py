"""Generic scoring of a maturity self-assessment, driven by a questionnaire specification.

The engine knows nothing about this survey: a YAML specification (``config/maturite-questionnaire.yaml``
for the survey's maturity sheet, ``tests/fixtures/maturity_spec_odi.yaml`` for an ODI-Pathway-like
questionnaire) declares the questions, the dimension (activity) each one scores, the answer options
with their points and the weights. Scoring another published questionnaire means writing another
specification, not code.

Logic (after the ODI Pathway, with the UK Data Maturity Assessment's caution):

- a dimension's level is the **highest level reached** over its questions (``aggregation: max``,
  the default); ``mean`` and ``weighted_mean`` (question weights) are also available;
- a theme's score is ``Σ (weight × level) / (scale max × Σ weight)`` over the theme's dimensions:
  with unit weights, the sum of levels over 5 × the number of activities. A dimension a respondent
  did not answer counts 0; a respondent who answered none of a theme's dimensions gets no score;
- reports show the matrix (respondents × dimensions), never a single opaque score.

Specification format::

    id: mon-questionnaire
    title: Titre lisible
    scale: {min: 1, max: 5, labels: {1: Initial, …}}     # or labels_vocabulary: maturity_level
    answers: {table: maturity, respondent: service_id, question: dimension, answer: level}
    aggregation: max                                      # max | mean | weighted_mean
    themes:
      - id: gestion
        label: Gestion des données
        dimensions:
          - {id: gouvernance, label: Gouvernance, weight: 1}
          - {vocabulary: maturity_dimension, code: strategy}   # label taken from analysis.model
    questions:
      - id: q1
        dimension: gouvernance
        key: "Texte ou identifiant tel qu'il figure dans la colonne des questions"   # default: id
        weight: 1
        options: [{value: "Oui", points: 3}, {value: "Non", points: 1}]
      - per_dimension: true                 # one question per dimension, keyed by its label
        key: label
        options: {vocabulary: maturity_level, points: code}

Public API: :func:`load_spec`, :func:`score`, :func:`level_matrix`, :func:`theme_scores`,
:func:`regional_profile`, :func:`distribution`, and the figures
:func:`heatmap_figure`, :func:`profile_figure`, :func:`distribution_figure`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis import fmt, model

AGGREGATIONS = ("max", "mean", "weighted_mean")


class MaturitySpecError(ValueError):
    """A questionnaire specification that cannot be used; the message is in French."""


@dataclass(frozen=True)
class Dimension:
    """One scored dimension (an ODI "activity")."""

    id: str
    label: str
    theme: str
    weight: float = 1.0


@dataclass(frozen=True)
class Theme:
    """A group of dimensions whose levels add up to a theme score."""

    id: str
    label: str
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """One question: the answers found under ``key`` score ``dimension`` with ``options`` points."""

    id: str
    dimension: str
    key: str
    options: dict[str, float]
    weight: float = 1.0


@dataclass(frozen=True)
class MaturitySpec:
    """A parsed questionnaire specification (see the module docstring for the YAML format)."""

    id: str
    title: str
    scale_min: float
    scale_max: float
    level_labels: dict[int, str]
    themes: tuple[Theme, ...]
    dimensions: tuple[Dimension, ...]
    questions: tuple[Question, ...]
    aggregation: str = "max"
    table: str = "maturity"
    respondent_col: str = "respondent"
    question_col: str = "question"
    answer_col: str = "answer"
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dimension_labels(self) -> dict[str, str]:
        """Dimension id -> label, in specification order."""
        return {d.id: d.label for d in self.dimensions}


# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------


def _vocab(name: Any, errors: list[str], where: str) -> model.Vocabulary | None:
    vocab = model.VOCABULARIES.get(str(name))
    if vocab is None:
        errors.append(f"{where} : vocabulaire inconnu « {name} » (attendus : {', '.join(model.VOCABULARIES)})")
    return vocab


def _options(raw: Any, errors: list[str], where: str) -> dict[str, float]:
    """Parse answer options: a list of {value, points}, a mapping value -> points, or a vocabulary."""
    if isinstance(raw, dict) and "vocabulary" in raw:
        vocab = _vocab(raw["vocabulary"], errors, where)
        if vocab is None:
            return {}
        how = raw.get("points", "code")
        if how != "code":
            errors.append(f"{where} : « points » d'un vocabulaire doit valoir « code » (reçu : {how!r})")
            return {}
        try:
            return {t.label: float(t.code) for t in vocab.terms}
        except ValueError:
            errors.append(f"{where} : les codes du vocabulaire « {vocab.name} » ne sont pas des nombres")
            return {}
    items: list[tuple[Any, Any]]
    if isinstance(raw, dict):
        items = list(raw.items())
    elif isinstance(raw, list) and all(isinstance(o, dict) for o in raw):
        items = [(o.get("value"), o.get("points")) for o in raw]
    else:
        errors.append(f"{where} : « options » doit être une liste de {{value, points}}")
        return {}
    out: dict[str, float] = {}
    for value, points in items:
        if value is None or not isinstance(points, int | float) or isinstance(points, bool):
            errors.append(f"{where} : option invalide (valeur {value!r}, points {points!r})")
            continue
        out[str(value)] = float(points)
    if not out:
        errors.append(f"{where} : aucune option de réponse")
    return out


def parse_spec(data: Any, name: str = "spécification") -> MaturitySpec:
    """Build a specification from its YAML content.

    Args:
        data: the parsed YAML (a mapping).
        name: file name used in error messages.

    Returns:
        The validated specification.

    Raises:
        MaturitySpecError: listing every problem, in French.
    """
    if not isinstance(data, dict):
        raise MaturitySpecError(f"{name} : la spécification doit être un dictionnaire.")
    errors: list[str] = []

    scale = data.get("scale") or {}
    smin, smax = scale.get("min", 1), scale.get("max", 5)
    if not all(isinstance(v, int | float) for v in (smin, smax)) or smax <= smin:
        errors.append(f"« scale » : min et max doivent être des nombres avec max > min (reçu : {scale!r})")
        smin, smax = 1, 5
    labels: dict[int, str] = {}
    if "labels_vocabulary" in scale:
        vocab = _vocab(scale["labels_vocabulary"], errors, "« scale »")
        if vocab is not None:
            labels = {int(t.code): t.label for t in vocab.terms if t.code.isdigit()}
    elif isinstance(scale.get("labels"), dict):
        labels = {int(k): str(v) for k, v in scale["labels"].items()}

    aggregation = data.get("aggregation", "max")
    if aggregation not in AGGREGATIONS:
        errors.append(f"« aggregation » doit valoir {', '.join(AGGREGATIONS)} (reçu : {aggregation!r})")
        aggregation = "max"

    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        errors.append("« answers » doit indiquer les colonnes respondent, question et answer")
        answers = {}

    themes: list[Theme] = []
    dimensions: list[Dimension] = []
    raw_themes = data.get("themes")
    if not isinstance(raw_themes, list) or not raw_themes:
        errors.append("« themes » : au moins un thème avec ses dimensions est attendu")
        raw_themes = []
    for i, t in enumerate(raw_themes, 1):
        if not isinstance(t, dict) or not t.get("id") or not isinstance(t.get("dimensions"), list):
            errors.append(f"thème n° {i} : « id » et « dimensions » (liste) sont obligatoires")
            continue
        ids = []
        for j, d in enumerate(t["dimensions"], 1):
            where = f"thème « {t['id']} », dimension n° {j}"
            if isinstance(d, dict) and "vocabulary" in d:
                vocab = _vocab(d["vocabulary"], errors, where)
                if vocab is None:
                    continue
                try:
                    label = vocab.label_of(str(d.get("code")))
                except AttributeError:
                    errors.append(f"{where} : code « {d.get('code')} » absent du vocabulaire « {vocab.name} »")
                    continue
                dim_id = str(d["code"])
            elif isinstance(d, dict) and d.get("id"):
                dim_id, label = str(d["id"]), str(d.get("label", d["id"]))
            else:
                errors.append(f"{where} : « id » obligatoire")
                continue
            weight = d.get("weight", 1)
            if not isinstance(weight, int | float) or weight <= 0:
                errors.append(f"{where} : « weight » doit être un nombre positif (reçu : {weight!r})")
                weight = 1
            dimensions.append(Dimension(dim_id, label, str(t["id"]), float(weight)))
            ids.append(dim_id)
        themes.append(Theme(str(t["id"]), str(t.get("label", t["id"])), tuple(ids)))
    dim_ids = [d.id for d in dimensions]
    for dup in sorted({d for d in dim_ids if dim_ids.count(d) > 1}):
        errors.append(f"dimension « {dup} » déclarée plusieurs fois")

    questions: list[Question] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        errors.append("« questions » : au moins une question est attendue")
        raw_questions = []
    for i, q in enumerate(raw_questions, 1):
        if not isinstance(q, dict):
            errors.append(f"question n° {i} : un dictionnaire est attendu")
            continue
        weight = q.get("weight", 1)
        if not isinstance(weight, int | float) or weight <= 0:
            errors.append(f"question n° {i} : « weight » doit être un nombre positif (reçu : {weight!r})")
            weight = 1
        if q.get("per_dimension"):
            opts = _options(q.get("options"), errors, f"question n° {i}")
            key_kind = q.get("key", "label")
            for d in dimensions:
                key = d.label if key_kind == "label" else d.id
                questions.append(Question(d.id, d.id, key, opts, float(weight)))
            continue
        qid, dim = q.get("id"), q.get("dimension")
        if not qid or dim not in dim_ids:
            errors.append(f"question n° {i} ({qid!r}) : « id » et une « dimension » déclarée sont obligatoires (reçu : {dim!r})")
            continue
        opts = _options(q.get("options"), errors, f"question « {qid} »")
        questions.append(Question(str(qid), str(dim), str(q.get("key", qid)), opts, float(weight)))
    keys = [q.key for q in questions]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        errors.append(f"clé de question « {dup} » utilisée plusieurs fois")

    if errors:
        raise MaturitySpecError(f"Spécification de maturité {name} invalide :\n- " + "\n- ".join(errors))
    return MaturitySpec(
        id=str(data.get("id", name)),
        title=str(data.get("title", name)),
        scale_min=float(smin),
        scale_max=float(smax),
        level_labels=labels,
        themes=tuple(themes),
        dimensions=tuple(dimensions),
        questions=tuple(questions),
        aggregation=aggregation,
        table=str(answers.get("table", "maturity")),
        respondent_col=str(answers.get("respondent", "respondent")),
        question_col=str(answers.get("question", "question")),
        answer_col=str(answers.get("answer", "answer")),
        source=str(data.get("source", "")),
        raw=data,
    )


def load_spec(path: str | Path) -> MaturitySpec:
    """Read and validate a questionnaire specification file.

    Args:
        path: the YAML specification.

    Returns:
        The specification.

    Raises:
        MaturitySpecError: the file is missing, unreadable or invalid (French message).
    """
    path = Path(path)
    if not path.is_file():
        raise MaturitySpecError(f"Spécification de maturité introuvable : {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MaturitySpecError(f"{path.name} : YAML illisible ({exc})") from exc
    return parse_spec(data, path.name)


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def score(spec: MaturitySpec, answers: pd.DataFrame) -> pd.DataFrame:
    """Score the answers: one level per respondent and answered dimension.

    Args:
        spec: the questionnaire specification.
        answers: long table with the spec's respondent, question and answer columns; answers
            to unknown questions or with unknown options are ignored.

    Returns:
        Columns ``respondent``, ``dimension`` (id), ``level`` (float), sorted by respondent
        then dimension in specification order.
    """
    cols = ["respondent", "dimension", "level"]
    if answers is None or answers.empty:
        return pd.DataFrame(columns=cols).astype({"level": "float64"})
    by_key = {q.key: q for q in spec.questions}
    rows = []
    for resp, key, ans in answers[[spec.respondent_col, spec.question_col, spec.answer_col]].itertuples(
        index=False, name=None
    ):
        q = by_key.get(str(key)) if key is not None else None
        if q is None or pd.isna(resp) or ans is None or str(ans) not in q.options:
            continue
        rows.append((str(resp), q.dimension, q.options[str(ans)], q.weight))
    if not rows:
        return pd.DataFrame(columns=cols).astype({"level": "float64"})
    scored = pd.DataFrame(rows, columns=["respondent", "dimension", "points", "weight"])
    grouped = scored.groupby(["respondent", "dimension"], sort=False)
    if spec.aggregation == "max":
        levels = grouped["points"].max()
    elif spec.aggregation == "mean":
        levels = grouped["points"].mean()
    else:
        scored["wp"] = scored["points"] * scored["weight"]
        levels = grouped["wp"].sum() / grouped["weight"].sum()
    out = levels.rename("level").reset_index()
    order = {d.id: i for i, d in enumerate(spec.dimensions)}
    out["_o"] = out["dimension"].map(order)
    return out.sort_values(["respondent", "_o"]).drop(columns="_o").reset_index(drop=True)[cols]


def level_matrix(spec: MaturitySpec, levels: pd.DataFrame, labels: bool = True,
                 names: dict[str, str] | None = None) -> pd.DataFrame:
    """Pivot scored levels to a respondents × dimensions matrix.

    Args:
        spec: the specification (gives the column order).
        levels: output of :func:`score`.
        labels: use dimension labels as columns (ids otherwise).
        names: respondent id -> display name for the index (sorted by name when given).

    Returns:
        One row per respondent (index), one column per dimension; NaN where not answered.
    """
    if levels.empty:
        cols = [d.label if labels else d.id for d in spec.dimensions]
        return pd.DataFrame(columns=cols, index=pd.Index([], name="respondent"), dtype=float)
    matrix = levels.pivot_table(index="respondent", columns="dimension", values="level", aggfunc="max")
    matrix = matrix.reindex(columns=[d.id for d in spec.dimensions])
    if names is not None:
        matrix.index = [names.get(str(i), str(i)) for i in matrix.index]
        matrix = matrix.sort_index(key=lambda s: s.str.lower())
    if labels:
        matrix.columns = [spec.dimension_labels[c] for c in matrix.columns]
    matrix.columns.name = None
    matrix.index.name = "respondent"
    return matrix


def theme_scores(spec: MaturitySpec, levels: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Score each theme: ``Σ (weight × level) / (scale max × Σ weight)`` over its dimensions.

    Args:
        spec: the specification.
        levels: output of :func:`score`.
        names: respondent id -> display name for the index (sorted by name when given).

    Returns:
        One row per respondent (index), one column per theme label, values in [0, 1];
        NaN for a respondent who answered none of the theme's dimensions.
    """
    matrix = level_matrix(spec, levels, labels=False, names=names)
    if matrix.empty:
        return pd.DataFrame(columns=[t.label for t in spec.themes], dtype=float)
    weights = {d.id: d.weight for d in spec.dimensions}
    out = pd.DataFrame(index=matrix.index)
    for theme in spec.themes:
        sub = matrix.reindex(columns=list(theme.dimensions))
        w = pd.Series({d: weights[d] for d in theme.dimensions})
        total = (sub.fillna(0) * w).sum(axis=1) / (spec.scale_max * w.sum())
        out[theme.label] = total.where(sub.notna().any(axis=1))
    return out


def regional_profile(spec: MaturitySpec, levels: pd.DataFrame) -> pd.DataFrame:
    """Summarise each dimension over the respondents (the regional profile).

    Returns:
        Columns Dimension, Thème, Répondants, Niveau minimal, Niveau médian, Niveau moyen,
        Niveau maximal; one row per dimension in specification order.
    """
    themes = {t.id: t.label for t in spec.themes}
    rows = []
    for d in spec.dimensions:
        vals = levels.loc[levels["dimension"] == d.id, "level"].astype(float)
        rows.append({
            "Dimension": d.label,
            "Thème": themes[d.theme],
            "Répondants": int(vals.size),
            "Niveau minimal": float(vals.min()) if vals.size else np.nan,
            "Niveau médian": float(vals.median()) if vals.size else np.nan,
            "Niveau moyen": float(vals.mean()) if vals.size else np.nan,
            "Niveau maximal": float(vals.max()) if vals.size else np.nan,
        })
    return pd.DataFrame(rows)


#: French formatters of the :func:`regional_profile` columns (for ``Chapter.table``).
PROFILE_FORMATS = {c: (lambda v: fmt.number(v, 1)) for c in
                   ("Niveau minimal", "Niveau médian", "Niveau moyen", "Niveau maximal")}


def theme_formats(spec: MaturitySpec) -> dict[str, Any]:
    """French formatters of the :func:`theme_scores` columns (percentages)."""
    return {t.label: fmt.percent for t in spec.themes}


def distribution(spec: MaturitySpec, levels: pd.DataFrame) -> pd.DataFrame:
    """Count respondents per dimension and level.

    Returns:
        One row per dimension label (index, specification order), one column per level of the
        scale (labelled with the level labels when known), counts as int.
    """
    steps = list(range(int(np.ceil(spec.scale_min)), int(np.floor(spec.scale_max)) + 1))
    counts = pd.crosstab(levels["dimension"], levels["level"].round().astype(int)) if len(levels) else pd.DataFrame()
    counts = counts.reindex(index=[d.id for d in spec.dimensions], columns=steps, fill_value=0).fillna(0).astype(int)
    counts.index = [spec.dimension_labels[i] for i in counts.index]
    counts.columns = [spec.level_labels.get(s, str(s)) for s in steps]
    return counts


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def heatmap_figure(matrix: pd.DataFrame, scale_max: float = 5, scale_min: float = 1) -> Figure:
    """Heatmap of levels: respondents (rows) × dimensions (columns), the value written in each cell.

    Args:
        matrix: output of :func:`level_matrix` (index: display names).
        scale_max / scale_min: the colour scale bounds.

    Returns:
        The figure (unanswered cells are blank and marked « — »).
    """
    from analysis.report import SEQUENTIAL

    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(7.0, max(2.2, 0.28 * n_rows + 1.6)))
    data = matrix.to_numpy(dtype=float)
    im = ax.imshow(np.ma.masked_invalid(data), cmap=SEQUENTIAL, vmin=scale_min, vmax=scale_max, aspect="auto")
    ax.set_xticks(range(n_cols), ["\n".join(textwrap.wrap(str(c), 12)) for c in matrix.columns], fontsize=6.5)
    ax.set_yticks(range(n_rows), [str(i) for i in matrix.index], fontsize=7)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    mid = (scale_min + scale_max) / 2
    for i in range(n_rows):
        for j in range(n_cols):
            v = data[i, j]
            txt = "—" if np.isnan(v) else (f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}".replace(".", ","))
            colour = "black" if np.isnan(v) or v > mid else "white"
            ax.text(j, i, txt, ha="center", va="center", fontsize=7, color=colour)
    cbar = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cbar.set_label("Niveau", fontsize=8)
    cbar.ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def profile_figure(profile: pd.DataFrame, scale_max: float = 5) -> Figure:
    """Horizontal bars of the regional profile: median level per dimension, min–max range drawn.

    Args:
        profile: output of :func:`regional_profile`.
        scale_max: the axis limit.
    """
    from analysis.report import PALETTE

    df = profile.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.0, max(2.0, 0.38 * len(df) + 1.0)))
    y = np.arange(len(df))
    ax.barh(y, df["Niveau médian"].fillna(0), color=PALETTE[0], height=0.55, label="Niveau médian")
    ax.hlines(y, df["Niveau minimal"], df["Niveau maximal"], color=PALETTE[1], linewidth=2,
              label="Étendue (min – max)")
    ax.plot(df["Niveau moyen"], y, "D", color="black", markersize=4, label="Niveau moyen", linestyle="none")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(str(d), 30)) for d in df["Dimension"]])
    ax.set_xlim(0, scale_max)
    ax.set_xticks(range(0, int(scale_max) + 1))
    ax.set_xlabel("Niveau de maturité")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=3, frameon=False, fontsize=7)
    fig.tight_layout()
    return fig


def distribution_figure(dist: pd.DataFrame) -> Figure:
    """Stacked horizontal bars: number of respondents at each level, per dimension.

    Args:
        dist: output of :func:`distribution`.
    """
    from analysis.report import SEQUENTIAL

    df = dist.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.0, max(2.0, 0.38 * len(df) + 1.2)))
    cmap = plt.get_cmap(SEQUENTIAL)
    left = np.zeros(len(df))
    n = max(1, len(df.columns) - 1)
    for k, col in enumerate(df.columns):
        vals = df[col].to_numpy(dtype=float)
        ax.barh(range(len(df)), vals, left=left, color=cmap(k / n), label=str(col), height=0.6,
                edgecolor="white", linewidth=0.5)
        left += vals
    ax.set_yticks(range(len(df)), ["\n".join(textwrap.wrap(str(d), 30)) for d in df.index])
    ax.set_xlabel("Nombre de services")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=min(5, len(df.columns)), frameon=False, fontsize=7)
    fig.tight_layout()
    return fig
