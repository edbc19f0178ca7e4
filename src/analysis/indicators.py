"""Indicators of the methodology, inventory, tools and annex chapters (01, 02, 03, 06).

Small pure functions: processed tables in (see :mod:`analysis.tables`), a DataFrame or a number
out. Column names of the returned frames are English snake_case (stable for tests and exports);
:func:`french` renames them with :data:`COLUMN_LABELS` for display and :data:`FORMATS` gives the
French formatter of each displayed column::

    ch.table(ind.french(ind.open_by_default_gap(t.categories, labels)), "…", formats=ind.FORMATS)

Conventions:

- vocabulary values are the French labels of :mod:`analysis.model`; results list them in
  vocabulary order, a missing value being shown as « Non renseigné(e) »;
- services are designated by their acronym in the reference list (:func:`service_labels`);
- shares are floats in [0, 1] (``None``/NaN when the denominator is zero);
- every function works on the public audience's tables too: protected categories keep their
  classification columns there, only their free text is masked.

:func:`key_figures` gathers the headline numbers (stable keys, defined in
:func:`indicator_dictionary`) used by the synthesis chapter, the rules engine and the exports.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import pandas as pd
import yaml
from rapidfuzz import fuzz

from analysis import fmt, model, paths
from analysis.public import PROTECTED_TITLE

try:  # the cleaning module's key, when present, so that every module compares names alike
    from analysis.clean import normalise_key as _normalise_key
except ImportError:  # pragma: no cover - depends on which modules are installed
    _normalise_key = None

D = model.DIFFUSION
O = model.ORIGIN  # noqa: E741
SEP = model.MULTI_SEPARATOR

#: Label of a missing vocabulary value in the results.
NOT_STATED = "Non renseigné"
NOT_STATED_F = "Non renseignée"
#: Legal ground of a protected category whose respondent gave none.
NO_GROUND = "Fondement non renseigné"
#: Similarity (rapidfuzz token_set_ratio, 0-100) above which two acquired titles are the same data.
POOLING_THRESHOLD = 85.0
#: Words dropped from tool names to get the product family (editions, vendors, version words).
TOOL_EDITION_WORDS = frozenset({
    "desktop", "pro", "professional", "professionnel", "server", "serveur", "online", "enterprise",
    "entreprise", "standard", "advanced", "basic", "premium", "edition", "version", "ltr", "v",
    "esri", "microsoft", "ms", "office", "365",
})

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


_missing = fmt.is_missing


def _service_matrix(df: pd.DataFrame, column: str, order: list[str], labels: dict[str, str] | None) -> pd.DataFrame:
    """Service x ``column`` counts: columns in vocabulary order, services with most rows first."""
    df = df.assign(service=_label_services(df["service_id"], labels))
    m = pd.crosstab(df["service"], df[column])
    m = m[[c for c in order if c in m.columns]]
    m = m.loc[sorted(m.index, key=lambda s: (-m.loc[s].sum(), s))]
    m.index.name = "Service"
    m.columns.name = None
    return m


def normalise(text: object) -> str:
    """Comparison key of a text: lowercase, no accents, punctuation as spaces, single spaces.

    Uses ``analysis.clean.normalise_key`` when that module exists.

    Args:
        text: any value (missing -> "").

    Returns:
        the key.
    """
    if _missing(text):
        return ""
    if _normalise_key is not None:
        return _normalise_key(str(text))
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", stripped).split())


def split_multi(value: object, separator: str = SEP) -> list[str]:
    """Split a multi-valued cell ("a; b") into stripped, non-empty items."""
    if _missing(value):
        return []
    return [item.strip() for item in str(value).split(separator.strip()) if item.strip()]


def _share(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _protected_labels() -> list[str]:
    return [D.label_of(code) for code in model.PROTECTED_DIFFUSION]


def _true(values: pd.Series) -> pd.Series:
    """A yes/no column as plain booleans (missing -> False)."""
    return values.astype("boolean").fillna(False).astype(bool)


def protected_mask(categories: pd.DataFrame) -> pd.Series:
    """True for restricted or not-communicable categories (``model.PROTECTED_DIFFUSION``)."""
    return categories["diffusion"].isin(_protected_labels())


def service_labels(tables_or_reference) -> dict[str, str]:
    """Map service ids to the short label shown in figures (acronym, else name, else id).

    Args:
        tables_or_reference: a :class:`analysis.tables.Tables` (reference list, then the services
            table) or a reference-services DataFrame.

    Returns:
        ``{service_id: label}``.
    """
    frames = []
    if isinstance(tables_or_reference, pd.DataFrame):
        frames.append(tables_or_reference.rename(columns={"id": "service_id"}))
    else:
        frames.append(tables_or_reference.reference_services.rename(columns={"id": "service_id"}))
        frames.append(tables_or_reference.services.rename(
            columns={"service_acronym": "acronym", "service_name": "name"}))
    out: dict[str, str] = {}
    for df in reversed(frames):
        for rec in df.to_dict("records"):
            sid = rec.get("service_id")
            if _missing(sid):
                continue
            label = next((rec.get(k) for k in ("acronym", "name") if not _missing(rec.get(k))), sid)
            out[str(sid)] = str(label)
    return out


def _label_services(ids: pd.Series, labels: dict[str, str] | None) -> pd.Series:
    labels = labels or {}
    return ids.map(lambda s: labels.get(s, s))


def _counts(values: pd.Series, order: list[str], missing_label: str | None = NOT_STATED) -> pd.Series:
    """Counts of each value, in ``order`` (unknown values after), missing values under a label."""
    s = values.astype(object)
    if missing_label is not None:
        s = s.where(s.notna(), missing_label)
    else:
        s = s.dropna()
    counts = s.value_counts()
    index = [v for v in order if v in counts.index]
    index += sorted(v for v in counts.index if v not in index and v != missing_label)
    if missing_label is not None and missing_label in counts.index:
        index.append(missing_label)
    return counts.reindex(index).astype(int)


def _split_table(counts: pd.Series, name: str) -> pd.DataFrame:
    total = counts.sum()
    return pd.DataFrame({name: counts.index, "n": counts.to_numpy(),
                         "share": [_share(v, total) for v in counts.to_numpy()]})


def field_label(column: object) -> str:
    """French label of a cleaned-table column name ("theme" -> "Thème"); unknown names unchanged."""
    if _missing(column):
        return ""
    for section in model.SECTIONS:
        for f in section.fields:
            if f.name == column:
                return f.label
    return str(column)


# ---------------------------------------------------------------------------------------------
# Display: French column headers and formatters
# ---------------------------------------------------------------------------------------------

#: French header of every column name the functions below return.
COLUMN_LABELS: dict[str, str] = {
    "service": "Service",
    "service_id": "Identifiant",
    "acronym": "Sigle",
    "name": "Nom",
    "ministry": "Ministère",
    "type": "Type de service",
    "service_type": "Type de service",
    "departement": "Département",
    "n_reference": "Services de la liste",
    "n_respondents": "Services répondants",
    "response_rate": "Taux de réponse",
    "section": "Onglet",
    "expected": "Réponses attendues",
    "filled": "Réponses remplies",
    "share_filled": "Taux de remplissage",
    "source_file": "Fichier",
    "source_sheet": "Onglet",
    "source_row": "Ligne",
    "column": "Colonne",
    "raw_value": "Valeur lue",
    "cleaned_value": "Valeur retenue",
    "raw_rows": "Lignes lues",
    "cleaned_rows": "Lignes retenues",
    "rejected_rows": "Lignes rejetées",
    "blank_rows": "Lignes vides",
    "balanced": "Bilan équilibré",
    "reason": "Motif",
    "rule": "Règle",
    "n": "Nombre",
    "n_rows": "Lignes",
    "n_files": "Fichiers concernés",
    "share": "Part",
    "kind": "Nature",
    "candidate_name": "Rapproché de",
    "score": "Score de similarité",
    "status": "Décision",
    "theme": "Thème",
    "origin": "Origine",
    "acquisition_mode": "Mode d'acquisition",
    "supplier": "Fournisseur",
    "n_categories": "Catégories",
    "n_services": "Services",
    "services": "Services concernés",
    "total_cost": "Coût annuel total",
    "diffusion": "Statut de diffusion",
    "stage": "Étape",
    "share_of_held": "Part des catégories détenues",
    "held": "Détenues",
    "publishable": "Publiables",
    "published": "Publiées",
    "share_published": "Part publiée",
    "legal_ground": "Fondement de la restriction",
    "personal_data": "Données personnelles",
    "geographic": "Donnée géographique",
    "inspire_theme": "Thème INSPIRE",
    "frequency": "Fréquence de mise à jour",
    "origin_supplier": "Origine (fournisseur)",
    "diffusion_ground": "Diffusion (fondement de la restriction)",
    "geo": "Géo.",
    "not_published": "Publiables non publiées",
    "gap_share": "Part non publiée",
    "titles": "Intitulés",
    "n_purchases": "Acquisitions",
    "modes": "Modes d'acquisition",
    "tool_type": "Type d'outil",
    "n_tools": "Outils",
    "share_free": "Part de logiciels libres",
    "use": "Usage",
    "software_licence": "Libre ou propriétaire",
    "n_paying": "Outils payants",
    "mean_cost": "Coût annuel moyen",
    "family": "Produit",
    "names": "Appellations déclarées",
    "n_services_paying": "Services payants",
    "title": "Intitulé",
    "description": "Description",
    "annual_cost": "Coût annuel",
    "formats": "Formats",
    "coverage": "Couverture géographique",
    "platform": "Plateforme de publication",
    "licence": "Licence",
    "n_protected": "Catégories protégées (nombre)",
    "n_restricted": "Restreintes aux partenaires",
    "n_not_communicable": "Non communicables",
    "users": "Utilisateurs",
    "audience": "Public",
    "shared_with": "Partagé avec",
    "categories": "Données exploitées",
    "label": "Libellé",
    "field_type": "Type",
    "required": "Obligatoire",
    "help": "Aide",
    "values": "Valeurs possibles",
    "key": "Clé",
    "definition": "Définition",
    "unit": "Unité",
    "formula": "Mode de calcul",
    "value": "Valeur",
    "files": "Fichiers",
}

_SHARE_COLUMNS = ("response_rate", "share_filled", "share", "share_of_held", "share_published", "gap_share",
                  "share_free")
_MONEY_COLUMNS = ("total_cost", "annual_cost", "mean_cost")


def _fmt_share(x: object) -> str:
    return fmt.percent(None if _missing(x) else float(x))


def _fmt_money(x: object) -> str:
    return fmt.money(None if _missing(x) else float(x))


def _fmt_score(x: object) -> str:
    return fmt.number(None if _missing(x) else float(x))


def _fmt_bool(x: object) -> str:
    return fmt.MISSING if _missing(x) else ("oui" if bool(x) else "non")


#: Formatter of each displayed (French) column: shares as %, euros, booleans as oui/non.
FORMATS: dict[str, Callable[[object], str]] = {
    **{COLUMN_LABELS[c]: _fmt_share for c in _SHARE_COLUMNS},
    **{COLUMN_LABELS[c]: _fmt_money for c in _MONEY_COLUMNS},
    COLUMN_LABELS["score"]: _fmt_score,
    **{COLUMN_LABELS[c]: _fmt_bool for c in ("balanced", "personal_data", "geographic", "geo", "required")},
}


def french(df: pd.DataFrame) -> pd.DataFrame:
    """Rename a result's columns to their French headers (:data:`COLUMN_LABELS`)."""
    return df.rename(columns={c: COLUMN_LABELS.get(c, c) for c in df.columns})


def lookup(df: pd.DataFrame, column: str, key: object, value: str = "n", default: object = 0) -> object:
    """The ``value`` of the row whose ``column`` equals ``key`` (``default`` when absent).

    Lets a chapter quote one line of a result ("how many without legal ground?") in a sentence.
    """
    rows = df[df[column] == key] if column in df.columns else df.iloc[:0]
    return rows[value].iloc[0] if len(rows) else default


def audience_note(public: bool, subject: str = "categories") -> str:
    """The reader's note saying what an audience shows of protected categories.

    Args:
        public: the public edition.
        subject: ``categories`` (lists of categories), ``pooling`` (suppliers) or ``links``
            (tool-category links).

    Returns:
        a French sentence.
    """
    notes = {
        ("categories", True): "Édition publique : seules les catégories publiées ou publiables sont listées "
                              "individuellement ; les catégories restreintes aux partenaires ou non communicables "
                              "sont seulement dénombrées.",
        ("categories", False): "Édition interne : toutes les catégories sont listées, y compris les catégories "
                               "restreintes aux partenaires ou non communicables — ne pas diffuser.",
        ("pooling", True): "Édition publique : le fournisseur et l'intitulé des catégories restreintes ou non "
                           "communicables sont masqués ; elles n'entrent donc pas dans ce repérage.",
        ("pooling", False): "Édition interne : le repérage porte sur toutes les catégories acquises, y compris "
                            "restreintes ou non communicables.",
        ("links", True): "Édition publique : les liens avec les catégories restreintes ou non communicables, dont "
                         "l'intitulé est masqué, ne sont pas comptés.",
        ("links", False): "Édition interne : les liens avec toutes les catégories sont comptés, y compris "
                          "restreintes ou non communicables.",
    }
    return notes[(subject, bool(public))]


# ---------------------------------------------------------------------------------------------
# Chapter 01 — who answered, completeness, corrections, rejects, review
# ---------------------------------------------------------------------------------------------


def response_rate(reference_services: pd.DataFrame, services: pd.DataFrame, by: str = "type") -> pd.DataFrame:
    """Response rate of the reference list's services, by a reference column.

    Args:
        reference_services: the reference list (``id``, ``type``, ``ministry``…).
        services: the responding services (``service_id``).
        by: reference column to group by (``type`` or ``ministry``).

    Returns:
        one row per group (``by``, ``n_reference``, ``n_respondents``, ``response_rate``), largest
        groups first, then a ``Total`` row.
    """
    if by not in reference_services.columns:
        raise KeyError(f"reference_services has no column {by!r}")
    ref = reference_services.copy()
    ref[by] = ref[by].astype(object).where(ref[by].notna(), NOT_STATED)
    ref["answered"] = ref["id"].isin(set(services["service_id"]))
    g = ref.groupby(by, sort=False).agg(n_reference=("id", "size"), n_respondents=("answered", "sum"))
    g = g.reset_index()
    order = model.SERVICE_TYPE.labels if by == "type" else []
    g["_o"] = g[by].map(lambda v: order.index(v) if v in order else len(order))
    g = g.sort_values(["_o", "n_reference", by], ascending=[True, False, True]).drop(columns="_o")
    total = pd.DataFrame({by: ["Total"], "n_reference": [g["n_reference"].sum()],
                          "n_respondents": [g["n_respondents"].sum()]})
    g = pd.concat([g, total], ignore_index=True)
    g["n_reference"] = g["n_reference"].astype(int)
    g["n_respondents"] = g["n_respondents"].astype(int)
    g["response_rate"] = [_share(a, b) for a, b in zip(g["n_respondents"], g["n_reference"], strict=True)]
    return g.reset_index(drop=True)


def non_respondents(reference_services: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """Services of the reference list that did not answer.

    Returns:
        ``acronym``, ``name``, ``ministry``, ``type``, sorted by type (vocabulary order) and acronym.
    """
    out = reference_services[~reference_services["id"].isin(set(services["service_id"]))]
    out = out[["id", "acronym", "name", "ministry", "type"]].copy()
    order = model.SERVICE_TYPE.labels
    out["_o"] = out["type"].map(lambda v: order.index(v) if v in order else len(order))
    out = out.sort_values(["_o", "acronym"]).drop(columns=["_o", "id"])
    return out.reset_index(drop=True)


def _is_acquired(df: pd.DataFrame) -> pd.Series:
    return df["origin"] == O.acquired


#: Optional fields that apply to a row only under a condition (section, field) -> row mask.
_CONDITIONS: dict[tuple[str, str], Callable[[pd.DataFrame], pd.Series]] = {
    ("categories", "supplier"): _is_acquired,
    ("categories", "acquisition_mode"): _is_acquired,
    ("categories", "annual_cost"): lambda df: df["acquisition_mode"] == model.ACQUISITION_MODE.paid_licence,
    ("categories", "legal_ground"): protected_mask,
    ("categories", "inspire_theme"): lambda df: _true(df["geographic"]),
    ("categories", "platform"): lambda df: df["diffusion"] == D.published,
    ("categories", "url"): lambda df: df["diffusion"] == D.published,
    ("categories", "licence"): lambda df: df["diffusion"] == D.published,
}
#: Optional fields whose blank is a legitimate answer ("none"), not counted in completeness.
_NOT_EXPECTED = {("tools", "shared_with")}


def expected_fields(section: model.Section) -> list[str]:
    """Optional fields counted in the completeness of a section.

    Excluded: required fields (always filled, or the row is rejected), personal fields (never
    in the public edition), free comments, and answers whose blank means "none".

    Args:
        section: a section of :mod:`analysis.model`.

    Returns:
        the field names.
    """
    return [
        f.name for f in section.fields
        if not f.required and not f.personal and f.name != "comment"
        and (section.name, f.name) not in _NOT_EXPECTED
    ]


def completeness(tables, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Share of the applicable optional answers that are filled, per service and section.

    A conditional field counts only where it applies (supplier when acquired, legal ground when
    restricted, platform when published…). Protected free-text fields of restricted categories
    are not counted (they are masked in the public edition, so both audiences agree).

    Args:
        tables: the processed tables (``services``, ``categories``, ``tools``, ``arrangements``).
        labels: service labels (:func:`service_labels`).

    Returns:
        long table ``service_id``, ``service``, ``section`` (French label), ``expected``,
        ``filled``, ``share_filled``; a service without rows in a section has no row there.
    """
    labels = labels if labels is not None else service_labels(tables)
    parts = []
    for section in (model.SERVICE, model.CATEGORIES, model.TOOLS, model.ARRANGEMENTS):
        df = getattr(tables, section.name)
        if df.empty:
            continue
        protected_rows = protected_mask(df) if section is model.CATEGORIES else pd.Series(False, index=df.index)
        expected_total = pd.Series(0, index=df.index)
        filled_total = pd.Series(0, index=df.index)
        for name in expected_fields(section):
            applies = pd.Series(True, index=df.index)
            cond = _CONDITIONS.get((section.name, name))
            if cond is not None:
                applies &= _true(cond(df))
            if section.field(name).protected:
                applies &= ~protected_rows
            filled = df[name].notna() & (df[name].astype(str).str.strip() != "")
            expected_total += applies.astype(int)
            filled_total += (applies & filled).astype(int)
        g = pd.DataFrame({"service_id": df["service_id"], "expected": expected_total, "filled": filled_total})
        g = g.groupby("service_id", sort=True).sum().reset_index()
        g["section"] = section.label
        parts.append(g)
    if not parts:
        return pd.DataFrame(columns=["service_id", "service", "section", "expected", "filled", "share_filled"])
    out = pd.concat(parts, ignore_index=True)
    out["service"] = _label_services(out["service_id"], labels)
    out["share_filled"] = [_share(f, e) for f, e in zip(out["filled"], out["expected"], strict=True)]
    return out[["service_id", "service", "section", "expected", "filled", "share_filled"]]


def completeness_by_section(long: pd.DataFrame) -> pd.DataFrame:
    """Completeness of each section over all services (from :func:`completeness`)."""
    g = long.groupby("section", sort=False)[["expected", "filled"]].sum().reset_index()
    g["share_filled"] = [_share(f, e) for f, e in zip(g["filled"], g["expected"], strict=True)]
    return g


def completeness_matrix(long: pd.DataFrame) -> pd.DataFrame:
    """Service x section matrix of completeness shares (rows sorted by overall completeness)."""
    m = long.pivot_table(index="service", columns="section", values="share_filled", aggfunc="first", sort=False)
    order = [s.label for s in model.SECTIONS if s.label in m.columns]
    m = m[order]
    overall = long.groupby("service")[["filled", "expected"]].sum()
    rank = (overall["filled"] / overall["expected"].where(overall["expected"] > 0)).reindex(m.index)
    m = m.loc[rank.sort_values(ascending=False, kind="mergesort").index]
    m.index.name = "Service"
    m.columns.name = None
    return m


def completeness_overall(long: pd.DataFrame) -> float:
    """Share of all applicable optional answers that are filled (NaN when none applies)."""
    return _share(float(long["filled"].sum()), float(long["expected"].sum())) if len(long) else float("nan")


def accounting_summary(accounting: pd.DataFrame) -> pd.DataFrame:
    """Per returned file: rows read = rows kept + rows rejected + blank rows, and the totals.

    Returns:
        ``source_file``, ``raw_rows``, ``cleaned_rows``, ``rejected_rows``, ``blank_rows``,
        ``balanced`` (the identity holds), one row per file then a ``Total`` row.
    """
    cols = ["raw_rows", "cleaned_rows", "rejected_rows", "blank_rows"]
    g = accounting.groupby("source_file", sort=True)[cols].sum().reset_index()
    total = pd.DataFrame({"source_file": ["Total"], **{c: [int(g[c].sum())] for c in cols}})
    g = pd.concat([g, total], ignore_index=True)
    for c in cols:
        g[c] = g[c].astype(int)
    g["balanced"] = g["raw_rows"] == g["cleaned_rows"] + g["rejected_rows"] + g["blank_rows"]
    return g


def rejects_by_reason(rejects: pd.DataFrame) -> pd.DataFrame:
    """Rejects grouped by reason.

    Returns:
        ``reason``, ``n`` (reject lines), ``n_rows`` (distinct file/sheet/row), ``n_files``,
        most frequent reasons first.
    """
    if rejects.empty:
        return pd.DataFrame(columns=["reason", "n", "n_rows", "n_files"])
    df = rejects.copy()
    df["_row"] = df["source_file"].astype(str) + "|" + df["source_sheet"].astype(str) + "|" + df["source_row"].astype(str)
    g = df.groupby("reason").agg(n=("reason", "size"), n_rows=("_row", "nunique"), n_files=("source_file", "nunique"))
    g = g.reset_index().sort_values(["n", "reason"], ascending=[False, True])
    return g.reset_index(drop=True)


def _ranges(rows: Iterable[int]) -> str:
    """Row numbers as compact ranges: [2, 3, 4, 7] -> "2–4, 7"."""
    nums = sorted({int(r) for r in rows if not _missing(r)})
    parts: list[str] = []
    start = prev = None
    for n in [*nums, None]:
        if start is not None and (n is None or n != prev + 1):
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ", ".join(parts)


def rejects_detail(rejects: pd.DataFrame) -> pd.DataFrame:
    """The rejects, one line per file, sheet, column, raw value and reason, rows as ranges.

    A whole return replaced by a later one gives one line ("lignes 2–22"), not twenty.

    Returns:
        ``source_file``, ``source_sheet``, ``source_row`` (ranges, "2–22, 25"), ``n_rows``,
        ``column`` (French label), ``raw_value``, ``reason``; sorted by file and sheet.
    """
    cols = ["source_file", "source_sheet", "source_row", "n_rows", "column", "raw_value", "reason"]
    if rejects.empty:
        return pd.DataFrame(columns=cols)
    df = rejects.assign(
        column=rejects["column"].map(field_label),
        raw_value=rejects["raw_value"].astype(object).where(rejects["raw_value"].notna(), ""),
        source_sheet=rejects["source_sheet"].astype(object).where(rejects["source_sheet"].notna(), ""),
    )
    g = df.groupby(["source_file", "source_sheet", "column", "raw_value", "reason"], sort=True, dropna=False).agg(
        source_row=("source_row", _ranges), n_rows=("source_row", "size"),
        _first=("source_row", "min")).reset_index()
    g = g.sort_values(["source_file", "source_sheet", "_first"], kind="mergesort")
    g["raw_value"] = g["raw_value"].where(g["raw_value"] != "", None)
    return g[cols].reset_index(drop=True)


#: Families of cleaning rules: (pattern of the rule text, French family label), first match wins.
RULE_FAMILIES: tuple[tuple[str, str], ...] = (
    (r"^valeur illisible ignorée", "Valeur illisible ignorée (colonne facultative)"),
    (r"^montant", "Montant converti en euros"),
    (r"^ETP", "Effectif converti en ETP"),
    (r"^date", "Date reconstituée"),
    (r"^réponse .* interprétée", "Réponse libre interprétée (oui / non…)"),
    (r"remplacé par", "Synonyme ramené à une valeur de la liste"),
)


def rule_family(rule: object) -> str:
    """The family of a cleaning rule, without the values it quotes.

    The corrections table's rule text quotes the raw value ("« 12 k€ » converti en 12000"); the
    family ("Montant converti en euros", see :data:`RULE_FAMILIES`) does not, so it can be shown
    and counted in both editions. An unknown rule keeps its text with quoted values and numbers
    masked ("« … »").
    """
    text = "" if _missing(rule) else str(rule).strip()
    for pattern, label in RULE_FAMILIES:
        if re.search(pattern, text, flags=re.IGNORECASE):
            return label
    return re.sub(r"\d[\d  ,.]*", "…", re.sub(r"«[^»]*»", "« … »", text)) or NOT_STATED


def _top_labels(values: pd.Series, n: int = 4) -> str:
    counts = values.map(field_label).value_counts()
    head = [str(v) for v in counts.index[:n]]
    rest = len(counts) - n
    return fmt.enumerate_fr(head) if rest <= 0 else ", ".join(head) + f" et {fmt.plural(rest, 'autre', 'autres')}"


def corrections_by_rule(corrections: pd.DataFrame) -> pd.DataFrame:
    """Recoded values grouped by family of cleaning rule (:func:`rule_family`).

    Returns:
        ``rule`` (family), ``n`` (values recoded), ``n_files``, ``column`` (French labels of the
        most concerned columns), most frequent families first.
    """
    if corrections.empty:
        return pd.DataFrame(columns=["rule", "n", "n_files", "column"])
    df = corrections.assign(_family=corrections["rule"].map(rule_family))
    g = df.groupby("_family").agg(
        n=("_family", "size"),
        n_files=("source_file", "nunique"),
        column=("column", _top_labels),
    ).reset_index().rename(columns={"_family": "rule"})
    return g.sort_values(["n", "rule"], ascending=[False, True]).reset_index(drop=True)


def low_confidence_matches(review: pd.DataFrame) -> pd.DataFrame:
    """Names matched with low confidence or not matched, to be checked (lowest score first).

    Returns:
        ``source_file``, ``kind``, ``raw_value``, ``candidate_name``, ``score``, ``status``.
    """
    cols = ["source_file", "kind", "raw_value", "candidate_name", "score", "status"]
    if review.empty:
        return pd.DataFrame(columns=cols)
    out = review[cols].copy()
    out["kind"] = out["kind"].map({"service": "Service", "dispositif": "Dispositif"}).fillna(out["kind"])
    return out.sort_values(["score", "source_file"], na_position="first", kind="mergesort").reset_index(drop=True)


def caveats(tables, path=None) -> list[str]:
    """The caveats log: the project's ``docs/caveats.md`` items, then the ingestion log's caveats.

    Args:
        tables: the processed tables (``tables.log["caveats"]``).
        path: the caveats file (``docs/caveats.md`` by default).

    Returns:
        French sentences, one per caveat, duplicates removed.
    """
    path = path or paths.DOCS_DIR / "caveats.md"
    items: list[str] = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.startswith("  ") and items and line.strip():
                items[-1] += " " + line.strip()
    logged = tables.log.get("caveats", []) if isinstance(tables.log, dict) else []
    items += [str(c) for c in logged]
    return list(dict.fromkeys(re.sub(r"\*\*|`", "", i) for i in items))


# ---------------------------------------------------------------------------------------------
# Chapter 02 — inventory of data categories
# ---------------------------------------------------------------------------------------------


def categories_by_service_theme(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Number of categories per service (rows) and theme (columns), for a heatmap.

    Returns:
        integer matrix; themes in vocabulary order (only those present); services sorted by
        total, largest first, then by label.
    """
    df = categories.assign(service=_label_services(categories["service_id"], labels))
    m = pd.crosstab(df["service"], df["theme"])
    m = m[[t for t in model.THEME.labels if t in m.columns] + sorted(c for c in m.columns if c not in model.THEME.labels)]
    totals = m.sum(axis=1)
    order = sorted(m.index, key=lambda s: (-totals[s], s))
    m = m.loc[order]
    m.index.name = "Service"
    m.columns.name = None
    return m


def categories_by_theme(categories: pd.DataFrame) -> pd.DataFrame:
    """Categories per theme: ``theme``, ``n``, ``share``, ``n_services`` (largest first)."""
    g = categories.groupby("theme").agg(n=("theme", "size"), n_services=("service_id", "nunique")).reset_index()
    g["share"] = g["n"] / len(categories) if len(categories) else float("nan")
    return g.sort_values(["n", "theme"], ascending=[False, True]).reset_index(drop=True)[
        ["theme", "n", "share", "n_services"]]


def origin_split(categories: pd.DataFrame) -> pd.DataFrame:
    """Produced / acquired / coproduced: ``origin``, ``n``, ``share`` (vocabulary order)."""
    return _split_table(_counts(categories["origin"], model.ORIGIN.labels, NOT_STATED_F), "origin")


def origin_by_service(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Service x origin matrix of category counts (services with most categories first)."""
    return _service_matrix(categories, "origin", model.ORIGIN.labels, labels)


def acquisition_modes(categories: pd.DataFrame) -> pd.DataFrame:
    """How acquired categories are obtained: ``acquisition_mode``, ``n``, ``share``, ``total_cost``."""
    acq = categories[_is_acquired(categories)]
    counts = _counts(acq["acquisition_mode"], model.ACQUISITION_MODE.labels)
    out = _split_table(counts, "acquisition_mode")
    mode = acq["acquisition_mode"].astype(object).where(acq["acquisition_mode"].notna(), NOT_STATED)
    cost = acq.groupby(mode)["annual_cost"].sum(min_count=1)
    out["total_cost"] = out["acquisition_mode"].map(cost).astype(float)
    return out


def _supplier_key(value: object) -> str:
    """Supplier comparison key: normalised, spaces removed ("I.G.N." and "IGN" -> "ign")."""
    return normalise(value).replace(" ", "")


def _display_name(values: Iterable[object]) -> str:
    """Most frequent spelling (ties: the shortest, then alphabetical)."""
    counts = Counter(str(v).strip() for v in values if not _missing(v))
    if not counts:
        return ""
    best = max(counts.values())
    return sorted((v for v, c in counts.items() if c == best), key=lambda v: (len(v), v))[0]


def top_suppliers(categories: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Main suppliers of acquired categories (spellings grouped by a normalised key).

    Args:
        categories: the categories table.
        n: number of suppliers kept (the others are summed into « Autres fournisseurs »).

    Returns:
        ``supplier``, ``n_categories``, ``n_services``, ``total_cost``; most categories first.
        Acquired categories without a supplier (or masked in the public edition) are left out.
    """
    acq = categories[_is_acquired(categories) & categories["supplier"].notna()].copy()
    cols = ["supplier", "n_categories", "n_services", "total_cost"]
    if acq.empty:
        return pd.DataFrame(columns=cols)
    acq["_key"] = acq["supplier"].map(_supplier_key)
    g = acq.groupby("_key").agg(
        supplier=("supplier", _display_name), n_categories=("supplier", "size"),
        n_services=("service_id", "nunique"), total_cost=("annual_cost", lambda s: s.sum(min_count=1)),
    ).reset_index(drop=True)
    g = g.sort_values(["n_categories", "n_services", "supplier"], ascending=[False, False, True])
    if len(g) > n:
        rest = g.iloc[n:]
        others = pd.DataFrame({"supplier": [f"Autres fournisseurs ({len(rest)})"],
                               "n_categories": [rest["n_categories"].sum()],
                               "n_services": [acq[acq["_key"].isin(
                                   {_supplier_key(s) for s in rest["supplier"]})]["service_id"].nunique()],
                               "total_cost": [rest["total_cost"].sum(min_count=1)]})
        g = pd.concat([g.iloc[:n], others], ignore_index=True)
    return g[cols].reset_index(drop=True)


def diffusion_split(categories: pd.DataFrame) -> pd.DataFrame:
    """Categories per diffusion status: ``diffusion``, ``n``, ``share`` (vocabulary order)."""
    return _split_table(_counts(categories["diffusion"], model.DIFFUSION.labels), "diffusion")


def diffusion_by_service(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Service x diffusion status matrix of category counts (vocabulary order of statuses)."""
    df = categories.assign(service=_label_services(categories["service_id"], labels))
    m = pd.crosstab(df["service"], df["diffusion"])
    m = m[[d for d in model.DIFFUSION.labels if d in m.columns]]
    order = sorted(m.index, key=lambda s: (-m.loc[s].sum(), s))
    m = m.loc[order]
    m.index.name = "Service"
    m.columns.name = None
    return m


#: Stages of the diffusion funnel.
FUNNEL_STAGES = ("Catégories détenues", "Publiables (publiées ou non)", "Publiées en open data")


def diffusion_funnel(categories: pd.DataFrame) -> pd.DataFrame:
    """The funnel held -> publishable (published + publishable) -> published.

    Returns:
        ``stage`` (:data:`FUNNEL_STAGES`), ``n``, ``share_of_held``.
    """
    held = len(categories)
    published = int((categories["diffusion"] == D.published).sum())
    publishable = published + int((categories["diffusion"] == D.publishable).sum())
    return pd.DataFrame({"stage": list(FUNNEL_STAGES), "n": [held, publishable, published],
                         "share_of_held": [_share(v, held) for v in (held, publishable, published)]})


def funnel_by_service(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The funnel per service: ``service``, ``held``, ``publishable``, ``published``, ``share_published``.

    Sorted by number of categories held (largest first).
    """
    df = categories.assign(
        service=_label_services(categories["service_id"], labels),
        _pub=categories["diffusion"] == D.published,
        _able=categories["diffusion"].isin([D.published, D.publishable]),
    )
    g = df.groupby("service").agg(held=("service", "size"), publishable=("_able", "sum"), published=("_pub", "sum"))
    g = g.reset_index().astype({"publishable": int, "published": int})
    g["share_published"] = g["published"] / g["held"]
    return g.sort_values(["held", "service"], ascending=[False, True]).reset_index(drop=True)


def restrictions_by_ground(categories: pd.DataFrame) -> pd.DataFrame:
    """Restricted and not-communicable categories by legal ground.

    A protected category without a ground counts under « Fondement non renseigné ».

    Returns:
        ``legal_ground``, ``n``, ``share`` (of protected categories), ``n_restricted``,
        ``n_not_communicable``; vocabulary order, missing ground last.
    """
    prot = categories[protected_mask(categories)]
    counts = _counts(prot["legal_ground"], model.LEGAL_GROUND.labels, NO_GROUND)
    out = _split_table(counts, "legal_ground")
    ground = prot["legal_ground"].astype(object).where(prot["legal_ground"].notna(), NO_GROUND)
    for col, status in (("n_restricted", D.restricted), ("n_not_communicable", D.not_communicable)):
        c = ground[prot["diffusion"] == status].value_counts()
        out[col] = out["legal_ground"].map(c).fillna(0).astype(int)
    return out


def _bool_label(value: object) -> str:
    return NOT_STATED if _missing(value) else ("Oui" if bool(value) else "Non")


def personal_data_by_diffusion(categories: pd.DataFrame) -> pd.DataFrame:
    """Diffusion status x personal data (Oui / Non / Non renseigné) counts.

    Returns:
        matrix, statuses in vocabulary order as rows.
    """
    col = categories["personal_data"].map(_bool_label)
    m = pd.crosstab(categories["diffusion"], col)
    m = m.reindex([d for d in model.DIFFUSION.labels if d in m.index])
    m = m[[c for c in ("Oui", "Non", NOT_STATED) if c in m.columns]]
    m.index.name = "Statut de diffusion"
    m.columns.name = "Données personnelles"
    return m


def inspire_themes(categories: pd.DataFrame) -> pd.DataFrame:
    """Geographic categories per INSPIRE theme: ``inspire_theme``, ``n``, ``published``.

    Geographic categories without a theme count under « Non renseigné »; most frequent first.
    """
    geo = categories[_true(categories["geographic"])]
    cols = ["inspire_theme", "n", "published"]
    if geo.empty:
        return pd.DataFrame(columns=cols)
    theme = geo["inspire_theme"].astype(object).where(geo["inspire_theme"].notna(), NOT_STATED)
    g = pd.DataFrame({"inspire_theme": theme, "_pub": geo["diffusion"] == D.published})
    g = g.groupby("inspire_theme").agg(n=("_pub", "size"), published=("_pub", "sum")).reset_index()
    g["published"] = g["published"].astype(int)
    g["_last"] = g["inspire_theme"] == NOT_STATED
    return g.sort_values(["_last", "n", "inspire_theme"], ascending=[True, False, True]).drop(columns="_last")[
        cols].reset_index(drop=True)


def personal_geographic_summary(categories: pd.DataFrame) -> dict[str, int | float]:
    """Counts quoted by the inventory chapter on personal and geographic data.

    Returns:
        ``n_personal``, ``n_personal_published`` (personal data declared published: to check),
        ``n_geographic``, ``n_geographic_published``, ``share_geographic_published``,
        ``n_geographic_no_inspire`` (geographic without INSPIRE theme).
    """
    personal = _true(categories["personal_data"])
    geo = _true(categories["geographic"])
    published = categories["diffusion"] == D.published
    n_geo = int(geo.sum())
    return {
        "n_personal": int(personal.sum()),
        "n_personal_published": int((personal & published).sum()),
        "n_geographic": n_geo,
        "n_geographic_published": int((geo & published).sum()),
        "share_geographic_published": _share(int((geo & published).sum()), n_geo),
        "n_geographic_no_inspire": int((geo & categories["inspire_theme"].isna()).sum()),
    }


def update_frequencies(categories: pd.DataFrame) -> pd.DataFrame:
    """Categories per update frequency (« Non renseignée » last): ``frequency``, ``n``, ``share``."""
    return _split_table(_counts(categories["frequency"], model.FREQUENCY.labels, NOT_STATED_F), "frequency")


def open_by_default_gap(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Open-by-default gap per service: publishable categories left unpublished.

    Only services holding at least one publishable category (published or not) are listed.

    Returns:
        ``service``, ``publishable`` (published + publishable), ``not_published``, ``gap_share``
        (not_published / publishable); largest gap first.
    """
    able = categories[categories["diffusion"].isin([D.published, D.publishable])]
    cols = ["service", "publishable", "not_published", "gap_share"]
    if able.empty:
        return pd.DataFrame(columns=cols)
    df = able.assign(service=_label_services(able["service_id"], labels), _gap=able["diffusion"] == D.publishable)
    g = df.groupby("service").agg(publishable=("_gap", "size"), not_published=("_gap", "sum")).reset_index()
    g["not_published"] = g["not_published"].astype(int)
    g["gap_share"] = g["not_published"] / g["publishable"]
    return g.sort_values(["not_published", "gap_share", "service"], ascending=[False, False, True])[
        cols].reset_index(drop=True)


def _clusters(keys: list[str], threshold: float) -> list[list[int]]:
    """Single-linkage clusters of texts whose token_set_ratio is at least ``threshold``."""
    parent = list(range(len(keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            if fuzz.token_set_ratio(keys[i], keys[j]) >= threshold:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(keys)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def pooling_opportunities(
    categories: pd.DataFrame, labels: dict[str, str] | None = None, threshold: float = POOLING_THRESHOLD
) -> pd.DataFrame:
    """The same external data acquired separately by several services.

    Acquired categories are grouped by supplier (normalised key: "IGN" = "I.G.N.") and, within a
    supplier, by title similarity (rapidfuzz ``token_set_ratio`` on normalised titles at least
    ``threshold``, single linkage). A group acquired by two services or more is an opportunity.

    Returns:
        ``supplier``, ``titles``, ``services``, ``n_services``, ``n_purchases``, ``total_cost``,
        ``modes``; largest cost, then most services first. Categories whose supplier is masked
        (public edition) cannot be grouped and are left out.
    """
    cols = ["supplier", "titles", "services", "n_services", "n_purchases", "total_cost", "modes"]
    acq = categories[_is_acquired(categories) & categories["supplier"].notna()].copy()
    acq = acq.assign(_sup=acq["supplier"].map(_supplier_key), _title=acq["title"].map(normalise),
                     service=_label_services(acq["service_id"], labels))
    rows = []
    for _, grp in acq.groupby("_sup", sort=True):
        grp = grp.reset_index(drop=True)
        for idx in _clusters(list(grp["_title"]), threshold):
            c = grp.iloc[idx]
            if c["service_id"].nunique() < 2:
                continue
            rows.append({
                "supplier": _display_name(c["supplier"]),
                "titles": SEP.join(sorted(set(c["title"].astype(str)))),
                "services": ", ".join(sorted(set(c["service"]))),
                "n_services": int(c["service_id"].nunique()),
                "n_purchases": len(c),
                "total_cost": c["annual_cost"].sum(min_count=1),
                "modes": SEP.join(m for m in model.ACQUISITION_MODE.labels if m in set(c["acquisition_mode"])),
            })
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_cost"] = out["total_cost"].fillna(0)
    return out.sort_values(["_cost", "n_services", "supplier"], ascending=[False, False, True]).drop(
        columns="_cost").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Chapter 03 — tools and valorisation
# ---------------------------------------------------------------------------------------------


def tools_by_type(tools: pd.DataFrame) -> pd.DataFrame:
    """Tools per type: ``tool_type``, ``n``, ``share``, ``n_services``, ``share_free``, ``total_cost``.

    Vocabulary order of types (missing type last).
    """
    counts = _counts(tools["tool_type"], model.TOOL_TYPE.labels)
    out = _split_table(counts, "tool_type")
    t = tools.assign(_type=tools["tool_type"].astype(object).where(tools["tool_type"].notna(), NOT_STATED),
                     _free=tools["software_licence"] == model.SOFTWARE_LICENCE.free)
    g = t.groupby("_type").agg(n_services=("service_id", "nunique"), _free=("_free", "sum"),
                               total_cost=("annual_cost", lambda s: s.sum(min_count=1)))
    out["n_services"] = out["tool_type"].map(g["n_services"]).astype(int)
    out["share_free"] = out["tool_type"].map(g["_free"]) / out["n"]
    out["total_cost"] = out["tool_type"].map(g["total_cost"]).astype(float)
    return out


def tools_by_service_type(tools: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Service x tool-type matrix of tool counts (types in vocabulary order)."""
    return _service_matrix(tools, "tool_type", model.TOOL_TYPE.labels, labels)


def tool_use_split(tools: pd.DataFrame) -> pd.DataFrame:
    """Internal / external / both: ``use``, ``n``, ``share`` (vocabulary order, missing last)."""
    return _split_table(_counts(tools["use"], model.USE.labels), "use")


def use_by_tool_type(tools: pd.DataFrame) -> pd.DataFrame:
    """Tool type x use matrix of tool counts (for a stacked bar)."""
    use = tools["use"].astype(object).where(tools["use"].notna(), NOT_STATED)
    m = pd.crosstab(tools["tool_type"], use)
    m = m.reindex([t for t in model.TOOL_TYPE.labels if t in m.index])
    m = m[[u for u in [*model.USE.labels, NOT_STATED] if u in m.columns]]
    m.index.name = "Type d'outil"
    m.columns.name = None
    return m


def licence_split(tools: pd.DataFrame) -> pd.DataFrame:
    """Free vs proprietary: ``software_licence``, ``n``, ``share``, ``total_cost``."""
    out = _split_table(_counts(tools["software_licence"], model.SOFTWARE_LICENCE.labels), "software_licence")
    lic = tools["software_licence"].astype(object).where(tools["software_licence"].notna(), NOT_STATED)
    cost = tools.groupby(lic)["annual_cost"].sum(min_count=1)
    out["total_cost"] = out["software_licence"].map(cost).astype(float)
    return out


def tool_costs_by_type(tools: pd.DataFrame) -> pd.DataFrame:
    """Annual cost per tool type: ``tool_type``, ``total_cost``, ``n_paying`` (cost > 0), ``mean_cost``.

    Mean over paying tools; types without any stated cost are left out; most expensive first.
    """
    t = tools[tools["annual_cost"].notna()]
    cols = ["tool_type", "total_cost", "n_paying", "mean_cost"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    g = t.groupby("tool_type").agg(total_cost=("annual_cost", "sum"),
                                   n_paying=("annual_cost", lambda s: int((s > 0).sum()))).reset_index()
    g["mean_cost"] = g["total_cost"] / g["n_paying"].where(g["n_paying"] > 0)
    return g.sort_values(["total_cost", "tool_type"], ascending=[False, True])[cols].reset_index(drop=True)


def tool_family(name: object) -> str:
    """Product family of a tool name, to spot the same product under several spellings.

    Normalised (lowercase, no accents, punctuation as spaces), then version numbers ("10.8",
    "3", "v2", "2019") and edition or vendor words (:data:`TOOL_EDITION_WORDS`: desktop, pro,
    server, online, esri, microsoft…) are dropped: "ArcGIS Desktop 10.8", "Arcgis" and
    "ArcGIS Pro" all give "arcgis"; "QGIS 3.16" gives "qgis". A name made only of such words keeps
    its normalised form.

    Args:
        name: a tool name as declared.

    Returns:
        the family key ("" for a missing name).
    """
    key = normalise(name)
    words = [w for w in key.split() if not re.fullmatch(r"v?\d+[a-z]?", w) and w not in TOOL_EDITION_WORDS]
    return " ".join(words) or key


def _family_spelling(name: object) -> str:
    """The declared words of a tool name that make its family ("ArcGIS Desktop 10.8" -> "ArcGIS")."""
    family = set(tool_family(name).split())
    kept = [w for w in str(name).split() if normalise(w) in family]
    return " ".join(kept) or str(name).strip()


def _paying(tools: pd.DataFrame) -> pd.Series:
    return (tools["annual_cost"].fillna(0) > 0) | (tools["software_licence"] == model.SOFTWARE_LICENCE.proprietary)


#: Tool types never counted as licences to pool: spreadsheets come with the ministries' office
#: software contracts, not with a purchase a region could group (type codes of ``model.TOOL_TYPE``).
NOT_POOLED_TOOL_TYPES: tuple[str, ...] = ("spreadsheet",)
#: Tool names that designate each service's own product, not one product bought several times.
GENERIC_TOOL_NAMES: tuple[str, ...] = ("Site internet du service",)


def poolable_tools(tools: pd.DataFrame, exclude_types: Sequence[str] | None = None,
                   exclude_names: Sequence[str] | None = None) -> pd.DataFrame:
    """The tools whose licences a region could pool: without spreadsheets and generic names.

    Args:
        tools: the tools table.
        exclude_types: tool type codes left out (default :data:`NOT_POOLED_TOOL_TYPES`).
        exclude_names: tool names left out, compared normalised (default :data:`GENERIC_TOOL_NAMES`).

    Returns:
        The remaining rows.
    """
    types = NOT_POOLED_TOOL_TYPES if exclude_types is None else exclude_types
    names = GENERIC_TOOL_NAMES if exclude_names is None else exclude_names
    labels = [getattr(model.TOOL_TYPE, code) for code in types]
    generic = {normalise(n) for n in names}
    return tools[~tools["tool_type"].isin(labels) & ~tools["name"].map(normalise).isin(generic)]


def same_tool_licensed_separately(tools: pd.DataFrame, labels: dict[str, str] | None = None,
                                  exclude_types: Sequence[str] | None = None,
                                  exclude_names: Sequence[str] | None = None) -> pd.DataFrame:
    """The same product (:func:`tool_family`) paid for separately by several services.

    A service pays for a tool when its annual cost is positive or its licence is proprietary.
    Only :func:`poolable_tools` count: chapter 3, the key indicators and the recommendation of
    chapter 5 name the same products.

    Args:
        tools: the tools table.
        labels: service labels.
        exclude_types, exclude_names: see :func:`poolable_tools`.

    Returns:
        ``family`` (most frequent spelling), ``names`` (spellings declared), ``services``,
        ``n_services_paying``, ``total_cost`` (summed declared annual cost); most services first.
    """
    cols = ["family", "names", "services", "n_services_paying", "total_cost"]
    tools = poolable_tools(tools, exclude_types, exclude_names)
    pay = tools[_paying(tools)].copy()
    pay = pay.assign(_fam=pay["name"].map(tool_family), service=_label_services(pay["service_id"], labels))
    rows = []
    for _, grp in pay.groupby("_fam", sort=True):
        if grp["service_id"].nunique() < 2:
            continue
        rows.append({
            "family": _display_name(_family_spelling(n) for n in grp["name"]),
            "names": SEP.join(sorted(set(grp["name"].astype(str)))),
            "services": ", ".join(sorted(set(grp["service"]))),
            "n_services_paying": int(grp["service_id"].nunique()),
            "total_cost": grp["annual_cost"].sum(min_count=1),
        })
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["n_services_paying", "family"], ascending=[False, True]).reset_index(drop=True)


def tool_category_links(tools: pd.DataFrame, categories: pd.DataFrame) -> pd.DataFrame:
    """Which categories each tool exploits, within a service.

    A link is made when a title listed in the tool's ``categories`` cell matches a category title
    of the same service, or when a name listed in the category's ``tools`` cell matches a tool of
    the same service (same :func:`tool_family`). Titles are compared normalised (exact key, else
    token_set_ratio >= :data:`POOLING_THRESHOLD`). Each (tool, category) pair counts once.

    Masked titles of protected categories (public edition) are never matched.

    Returns:
        ``tool_row``, ``category_row`` (row ids), ``service_id``, ``tool_type``, ``theme``.
    """
    cols = ["tool_row", "category_row", "service_id", "tool_type", "theme"]
    masked = normalise(PROTECTED_TITLE)
    pairs: set[tuple[str, str]] = set()
    cats_by_service = {sid: g for sid, g in categories.groupby("service_id")}
    tools_by_service = {sid: g for sid, g in tools.groupby("service_id")}
    for sid, tgrp in tools_by_service.items():
        cgrp = cats_by_service.get(sid)
        if cgrp is None:
            continue
        title_keys = [(k, rid) for k, rid in zip(cgrp["title"].map(normalise), cgrp["row_id"], strict=True)
                      if k != masked]
        for tool in tgrp.itertuples(index=False):
            for item in split_multi(tool.categories):
                key = normalise(item)
                if key == masked:
                    continue
                exact = [rid for k, rid in title_keys if k == key]
                matched = exact or [rid for k, rid in title_keys if k and fuzz.token_set_ratio(k, key) >= POOLING_THRESHOLD]
                pairs.update((tool.row_id, rid) for rid in matched)
        fams = [(tool_family(n), rid) for n, rid in zip(tgrp["name"], tgrp["row_id"], strict=True)]
        for cat in cgrp.itertuples(index=False):
            for item in split_multi(cat.tools):
                fam = tool_family(item)
                pairs.update((rid, cat.row_id) for f, rid in fams if f and f == fam)
    if not pairs:
        return pd.DataFrame(columns=cols)
    links = pd.DataFrame(sorted(pairs), columns=["tool_row", "category_row"])
    links = links.merge(tools[["row_id", "service_id", "tool_type"]].rename(columns={"row_id": "tool_row"}),
                        on="tool_row").merge(
        categories[["row_id", "theme"]].rename(columns={"row_id": "category_row"}), on="category_row")
    return links[cols]


def tool_type_by_theme(links: pd.DataFrame) -> pd.DataFrame:
    """Tool type (rows) x theme (columns) counts of tool-category links (:func:`tool_category_links`)."""
    if links.empty:
        return pd.DataFrame()
    m = pd.crosstab(links["tool_type"], links["theme"])
    m = m.reindex([t for t in model.TOOL_TYPE.labels if t in m.index])
    m = m[[t for t in model.THEME.labels if t in m.columns]]
    m.index.name = "Type d'outil"
    m.columns.name = None
    return m


# ---------------------------------------------------------------------------------------------
# Chapter 06 — annexes
# ---------------------------------------------------------------------------------------------

def _joined(main: pd.Series, detail: pd.Series, template: str) -> pd.Series:
    """``main`` with ``detail`` appended through ``template`` (``"{} ({})"``) where there is one."""
    has = detail.notna() & (detail.astype(str).str.strip() != "")
    out = main.astype(object).copy()
    out[has] = [template.format(m if not fmt.is_missing(m) else fmt.MISSING, d)
                for m, d in zip(main[has], detail[has], strict=True)]
    return out


def inventory_table(categories: pd.DataFrame, labels: dict[str, str] | None = None,
                    public: bool = False) -> pd.DataFrame:
    """The full inventory, one row per category, sorted by service, theme and title.

    Made to be read in print, one service after the other: the supplier goes with the origin
    (``Acquise auprès d'un tiers (IGN)``) and, in the internal edition, the legal ground with
    the diffusion status (``Restreinte aux partenaires — Secret statistique``), so that six
    columns hold what nine did. The exports keep every field apart.

    Args:
        categories: the categories table.
        labels: service labels.
        public: list only non-protected categories (the protected ones are counted by
            :func:`protected_counts_by_service`); the legal ground, always empty for them, is
            left out.

    Returns:
        ``service``, ``title``, ``theme``, ``origin_supplier``, ``diffusion_ground`` (internal)
        or ``diffusion`` (public), ``frequency``, ``geo``.
    """
    df = categories[~protected_mask(categories)] if public else categories
    out = pd.DataFrame({
        "service": _label_services(df["service_id"], labels),
        "title": df["title"],
        "theme": df["theme"],
        "origin_supplier": _joined(df["origin"], df["supplier"], "{} ({})"),
    })
    if public:
        out["diffusion"] = df["diffusion"]
    else:
        out["diffusion_ground"] = _joined(df["diffusion"], df["legal_ground"], "{} — {}")
    out["frequency"] = df["frequency"]
    out["geo"] = df["geographic"]
    return out.sort_values(["service", "theme", "title"], kind="mergesort").reset_index(drop=True)


def protected_counts_by_service(categories: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Aggregate counts of protected categories per service (what the public edition may show).

    Returns:
        ``service``, ``n_restricted``, ``n_not_communicable``, ``n_protected``; then a ``Total`` row.
    """
    prot = categories[protected_mask(categories)]
    cols = ["service", "n_restricted", "n_not_communicable", "n_protected"]
    if prot.empty:
        return pd.DataFrame(columns=cols)
    df = prot.assign(service=_label_services(prot["service_id"], labels),
                     _r=prot["diffusion"] == D.restricted, _n=prot["diffusion"] == D.not_communicable)
    g = df.groupby("service").agg(n_restricted=("_r", "sum"), n_not_communicable=("_n", "sum")).reset_index()
    g["n_protected"] = g["n_restricted"] + g["n_not_communicable"]
    g = g.sort_values(["n_protected", "service"], ascending=[False, True])
    total = pd.DataFrame({"service": ["Total"], "n_restricted": [g["n_restricted"].sum()],
                          "n_not_communicable": [g["n_not_communicable"].sum()], "n_protected": [g["n_protected"].sum()]})
    out = pd.concat([g, total], ignore_index=True)
    return out.astype({c: int for c in cols[1:]})[cols]


def tools_table(tools: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The full tools table, sorted by service and name."""
    cols = ["service", "name", "tool_type", "software_licence", "use", "audience", "users", "annual_cost",
            "shared_with", "categories"]
    df = tools.assign(service=_label_services(tools["service_id"], labels))
    return df.sort_values(["service", "name"], kind="mergesort")[cols].reset_index(drop=True)


#: French names of field kinds, for the data dictionary.
KIND_LABELS = {
    "text": "Texte court", "longtext": "Texte libre", "integer": "Nombre entier", "money": "Montant (€)",
    "fte": "Équivalents temps plein", "bool": "Oui / non", "date": "Date", "choice": "Valeur d'une liste",
    "multichoice": "Valeurs d'une liste (plusieurs)", "service": "Service (liste de référence)",
    "arrangement": "Dispositif (liste de référence)", "url": "Adresse web", "email": "Courriel",
    "phone": "Téléphone",
}


def data_dictionary() -> pd.DataFrame:
    """The data dictionary, generated from :mod:`analysis.model`.

    Returns:
        ``section`` (sheet), ``label`` (column header), ``name`` (column of the processed
        table), ``field_type``, ``required``, ``help``, ``values`` (vocabulary labels, "; ").
    """
    rows = []
    for s in model.SECTIONS:
        for f in s.fields:
            rows.append({
                "section": s.sheet, "label": f.label, "name": f.name, "field_type": KIND_LABELS.get(f.kind, f.kind),
                "required": f.required, "help": f.help,
                "values": SEP.join(f.vocab.labels) if f.vocab is not None else "",
            })
    return pd.DataFrame(rows)


def glossary(path=None) -> list[dict[str, str]]:
    """The glossary (``resources/glossaire.yaml``): ``[{"term", "definition"}]``, alphabetical.

    Raises:
        ValueError: in French, when an entry lacks a term or a definition.
    """
    path = path or paths.RESOURCES_DIR / "glossaire.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    entries = data.get("termes", []) if isinstance(data, dict) else data
    out = []
    for i, e in enumerate(entries, 1):
        if not isinstance(e, dict) or not e.get("terme") or not e.get("definition"):
            raise ValueError(f"{path.name} : l'entrée n° {i} doit avoir un « terme » et une « definition ».")
        out.append({"term": str(e["terme"]).strip(), "definition": " ".join(str(e["definition"]).split())})
    return sorted(out, key=lambda e: normalise(e["term"]))


def glossary_html(entries: list[dict[str, str]]) -> str:
    """The glossary as an escaped HTML definition list (``<dl>``)."""
    items = "".join(
        f"<dt>{html.escape(e['term'])}</dt><dd>{html.escape(e['definition'])}</dd>" for e in entries
    )
    return f'<dl class="glossary">{items}</dl>'


# ---------------------------------------------------------------------------------------------
# Key figures and their dictionary
# ---------------------------------------------------------------------------------------------

#: name -> (definition, unit, formula), in French; the order of :func:`key_figures`.
_DICTIONARY: dict[str, tuple[str, str, str]] = {
    "n_services_reference": ("Services de l'État de la liste de référence de la région", "services",
                             "Nombre de lignes de la liste de référence des services"),
    "n_respondents": ("Services ayant répondu à l'enquête", "services",
                      "Nombre de services distincts dans la table des services répondants"),
    "response_rate": ("Taux de réponse des services de la liste de référence", "part (0 à 1)",
                      "Services de la liste ayant répondu ÷ services de la liste"),
    "n_categories": ("Catégories de données recensées", "catégories", "Nombre de lignes de la table des catégories"),
    "share_acquired": ("Part des catégories acquises auprès d'un tiers", "part (0 à 1)",
                       "Catégories d'origine « Acquise auprès d'un tiers » ÷ catégories recensées"),
    "share_produced": ("Part des catégories produites en interne", "part (0 à 1)",
                       "Catégories d'origine « Produite en interne » ÷ catégories recensées"),
    "share_coproduced": ("Part des catégories coproduites avec des partenaires", "part (0 à 1)",
                         "Catégories d'origine « Coproduite avec des partenaires » ÷ catégories recensées"),
    "n_published": ("Catégories publiées en open data", "catégories",
                    "Nombre de catégories au statut « Publiée en open data »"),
    "share_published": ("Part des catégories publiées en open data", "part (0 à 1)",
                        "Catégories publiées en open data ÷ catégories recensées"),
    "n_publishable_not_published": ("Écart à l'ouverture par défaut : catégories publiables mais non publiées",
                                    "catégories", "Nombre de catégories au statut « Publiable, non publiée »"),
    "share_restricted_or_not_communicable": (
        "Part des catégories restreintes aux partenaires ou non communicables", "part (0 à 1)",
        "Catégories « Restreinte aux partenaires » ou « Non communicable » ÷ catégories recensées"),
    "n_personal": ("Catégories contenant des données à caractère personnel", "catégories",
                   "Nombre de catégories dont « Données personnelles » vaut oui"),
    "n_geographic": ("Catégories de données géographiques", "catégories",
                     "Nombre de catégories dont « Donnée géographique » vaut oui"),
    "n_tools": ("Outils d'exploitation des données déclarés", "outils", "Nombre de lignes de la table des outils"),
    "n_tool_types": ("Types d'outils distincts déclarés", "types", "Nombre de types d'outil distincts renseignés"),
    "share_free_tools": ("Part des outils qui sont des logiciels libres", "part (0 à 1)",
                         "Outils « Libre » ÷ outils déclarés"),
    "total_tool_cost": ("Coût annuel total déclaré des outils", "euros par an",
                        "Somme des coûts annuels renseignés des outils"),
    "n_same_tool_licensed_separately": (
        "Produits logiciels payés séparément par plusieurs services", "produits",
        "Nombre de familles de produits (nom normalisé sans version ni édition) payées (coût > 0 ou licence "
        "propriétaire) par au moins deux services, hors tableurs et sites internet propres des services"),
    "n_pooling_opportunities": (
        "Données externes acquises séparément par plusieurs services (pistes de mutualisation)", "groupes",
        "Nombre de groupes de catégories acquises de même fournisseur et d'intitulé similaire (similarité ≥ 85) "
        "déclarés par au moins deux services"),
    "total_acquisition_cost": ("Coût annuel total déclaré des données acquises", "euros par an",
                               "Somme des coûts annuels renseignés des catégories de données"),
    "n_rejected_rows": ("Lignes des réponses rejetées au nettoyage", "lignes",
                        "Somme des lignes rejetées du bilan de lecture des fichiers"),
    "n_raw_rows": ("Lignes lues dans les réponses", "lignes",
                   "Somme des lignes lues du bilan de lecture des fichiers (retenues + rejetées + vides)"),
    "data_fte_total": ("Effectif consacré à la donnée par les services répondants", "ETP",
                       "Somme des ETP consacrés à la donnée déclarés par les services répondants"),
}


def key_figures(tables) -> dict[str, float | int]:
    """Headline figures of an edition (stable keys, defined in :func:`indicator_dictionary`).

    Keys: n_services_reference, n_respondents, response_rate, n_categories, share_acquired,
    share_produced, share_coproduced, n_published, share_published, n_publishable_not_published,
    share_restricted_or_not_communicable, n_personal, n_geographic, n_tools, n_tool_types,
    share_free_tools, total_tool_cost, n_same_tool_licensed_separately, n_pooling_opportunities,
    total_acquisition_cost, n_rejected_rows, n_raw_rows, data_fte_total.

    Args:
        tables: the processed tables of one audience. In the public edition the pooling count
            may be lower (suppliers of protected categories are masked).

    Returns:
        ``{key: value}``; shares are floats in [0, 1] (NaN when the denominator is 0), counts
        ints, money and FTE floats (0 when nothing is stated).
    """
    ref, svc, cats, tools, acc = (tables.reference_services, tables.services, tables.categories,
                                  tables.tools, tables.accounting)
    n_ref = len(ref)
    respondents = set(svc["service_id"].dropna())
    n_cat = len(cats)
    n_tools = len(tools)
    diffusion = cats["diffusion"]
    n_published = int((diffusion == D.published).sum())
    figures: dict[str, float | int] = {
        "n_services_reference": n_ref,
        "n_respondents": len(respondents),
        "response_rate": _share(len(respondents & set(ref["id"])), n_ref),
        "n_categories": n_cat,
        "share_acquired": _share(int((cats["origin"] == O.acquired).sum()), n_cat),
        "share_produced": _share(int((cats["origin"] == O.produced).sum()), n_cat),
        "share_coproduced": _share(int((cats["origin"] == O.coproduced).sum()), n_cat),
        "n_published": n_published,
        "share_published": _share(n_published, n_cat),
        "n_publishable_not_published": int((diffusion == D.publishable).sum()),
        "share_restricted_or_not_communicable": _share(int(protected_mask(cats).sum()), n_cat),
        "n_personal": int(_true(cats["personal_data"]).sum()),
        "n_geographic": int(_true(cats["geographic"]).sum()),
        "n_tools": n_tools,
        "n_tool_types": int(tools["tool_type"].nunique()),
        "share_free_tools": _share(int((tools["software_licence"] == model.SOFTWARE_LICENCE.free).sum()), n_tools),
        "total_tool_cost": float(tools["annual_cost"].sum()),
        "n_same_tool_licensed_separately": len(same_tool_licensed_separately(tools)),
        "n_pooling_opportunities": len(pooling_opportunities(cats)),
        "total_acquisition_cost": float(cats["annual_cost"].sum()),
        "n_rejected_rows": int(acc["rejected_rows"].sum()) if len(acc) else 0,
        "n_raw_rows": int(acc["raw_rows"].sum()) if len(acc) else 0,
        "data_fte_total": float(svc["data_fte"].sum()),
    }
    assert list(figures) == list(_DICTIONARY)
    return figures


def indicator_dictionary() -> pd.DataFrame:
    """Definition of every key figure: ``name``, ``definition``, ``unit``, ``formula`` (French)."""
    return pd.DataFrame(
        [(k, d, u, f) for k, (d, u, f) in _DICTIONARY.items()], columns=["name", "definition", "unit", "formula"]
    )
