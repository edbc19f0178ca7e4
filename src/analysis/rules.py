"""Detectors of the progress-axes rules: the conditions, written once in Python, named in YAML.

A rule in ``config/regles.yaml`` names a detector and gives it parameters. A detector receives
the processed tables, the rule's parameters, the edition and (when there is one) the previous
edition's tables, and returns a :class:`Detection`: the evidence (one row per triggering
inventory row, tool, arrangement row or service, with ``service_id``, ``row_id``,
``arrangement_id`` and ``label`` columns) and named indicators (``count``, ``services``…) on which
the rule's ``condition`` thresholds apply. Arrangement, pooling and tool detectors reuse the
functions of chapters 2-4 (:mod:`analysis.indicators`, :mod:`analysis.partnerships`) so that a
finding and its chapter count the same things. Nothing from the YAML is ever evaluated as code:
filters are declarative (:func:`filter_rows`).

Detectors (name: what the evidence holds):

- ``rows_where``: rows of a table matching declarative filters (open-by-default gap, restricted
  data without legal ground, geographic data not on the regional platform…);
- ``duplicate_acquisitions``: the same external data acquired separately by several services
  (groups of :func:`analysis.indicators.pooling_opportunities`);
- ``duplicate_tools``: the same tool licensed separately by several services (groups of
  :func:`analysis.indicators.same_tool_licensed_separately`);
- ``missing_referent``: responding services without a data referent;
- ``services_without_fte``: responding services declaring no staff devoted to data;
- ``non_respondents``: services of the reference list that did not answer;
- ``arrangement_gaps``: arrangements without a formal frame or without the State in their
  bodies (:func:`analysis.partnerships.governance_table`);
- ``agreements_ending``: agreements ending within N months of the edition's reference date
  (:func:`analysis.partnerships.ending_soon`);
- ``overlapping_arrangements``: pairs of arrangements sharing partners and productions
  (:func:`analysis.partnerships.overlaps`);
- ``services_without_arrangement``: responding services taking part in no arrangement;
- ``state_credits_concentration``: share of State credits going to the top N arrangements
  (:func:`analysis.partnerships.state_money`);
- ``external_tools_without_published_data``: external-valorisation tools of services that
  publish no data;
- ``low_maturity``: maturity dimensions with a low regional mean (services at a low level);
- ``open_gap_increase``: services whose open-by-default gap grew since the previous edition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis import fmt, model, partnerships
from analysis import indicators as ind
from analysis.tables import Tables

EVIDENCE_COLUMNS = ("service_id", "row_id", "arrangement_id", "label")

#: Named sets of codes that filters may use instead of listing codes (``in: [licences_ouvertes]``).
CODE_SETS: dict[str, tuple[str, ...]] = {
    "diffusion_protegee": model.PROTECTED_DIFFUSION,
    "plateformes_regionales": model.REGIONAL_PLATFORMS,
    "licences_ouvertes": model.OPEN_LICENCES,
}


class RuleError(ValueError):
    """A rule that cannot be evaluated as written; the message is in French."""


@dataclass
class Detection:
    """What a detector found.

    Attributes:
        evidence: one row per triggering item, with at least ``EVIDENCE_COLUMNS``.
        indicators: named numbers the rule's condition and impact may use (``count`` is the
            number of evidence rows, ``services`` the number of distinct services).
        values: extra template values (already formatted French strings).
        evaluable: False when the data cannot answer the rule (public edition, no previous edition).
        reason: French explanation when not evaluable.
    """

    evidence: pd.DataFrame
    indicators: dict[str, float] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    evaluable: bool = True
    reason: str = ""


Detector = Callable[..., Detection]
DETECTORS: dict[str, Detector] = {}


def detector(name: str) -> Callable[[Detector], Detector]:
    """Register a detector under ``name`` (the name rules use in YAML)."""

    def register(fn: Detector) -> Detector:
        DETECTORS[name] = fn
        return fn

    return register


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def evidence_frame(df: pd.DataFrame, label: str | pd.Series | None = None) -> pd.DataFrame:
    """Return ``df`` with every evidence column present (missing ones filled with NA)."""
    out = df.copy()
    for col in EVIDENCE_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA
    if label is not None:
        out["label"] = out[label] if isinstance(label, str) else label
    front = list(EVIDENCE_COLUMNS)
    return out[front + [c for c in out.columns if c not in front]].reset_index(drop=True)


def detection(evidence: pd.DataFrame, **extra: Any) -> Detection:
    """Build a detection with the standard indicators (``count``, ``services``, ``arrangements``)."""
    ev = evidence_frame(evidence)
    indicators = {
        "count": float(len(ev)),
        "services": float(ev["service_id"].dropna().nunique()),
        "arrangements": float(ev["arrangement_id"].dropna().nunique()),
    }
    values = extra.pop("values", {})
    indicators.update({k: float(v) for k, v in extra.items() if v is not None})
    return Detection(ev, indicators, values)


def not_evaluable(reason: str) -> Detection:
    """A detection saying the data cannot answer the rule."""
    return Detection(evidence_frame(pd.DataFrame()), {}, {}, evaluable=False, reason=reason)


def _section_field(table: str, column: str) -> model.Field | None:
    section = model.SECTIONS_BY_NAME.get(table)
    if section is None:
        return None
    try:
        return section.field(column)
    except KeyError:
        return None


def _labels(table: str, column: str, codes: Any) -> list[Any]:
    """Translate codes (or named code sets, or labels) of a field's vocabulary into labels."""
    if not isinstance(codes, list | tuple):
        codes = [codes]
    f = _section_field(table, column)
    out: list[Any] = []
    for c in codes:
        if isinstance(c, bool) or f is None or f.vocab is None:
            out.append(c)
            continue
        expanded = CODE_SETS.get(str(c), (c,))
        for code in expanded:
            if str(code) in f.vocab.codes:
                out.append(f.vocab.label_of(str(code)))
            elif str(code) in f.vocab.labels:
                out.append(str(code))
            else:
                raise RuleError(
                    f"valeur « {code} » inconnue pour la colonne « {column} » "
                    f"(codes attendus : {', '.join(f.vocab.codes)})"
                )
    return out


def filter_rows(df: pd.DataFrame, table: str, where: dict[str, Any] | None) -> pd.DataFrame:
    """Keep the rows matching declarative filters (all of them).

    Each filter is ``column: condition`` where the condition is one of: a list of codes (the
    value is one of them), ``true``/``false`` (boolean column), ``{in: [...]}``,
    ``{not_in: [...]}`` (missing values match), ``{missing: true|false}``,
    ``{contains_any: [...]}`` (multi-valued column holds one of them). Codes are those of the
    column's vocabulary in ``analysis.model`` (``publishable``), or a named set of
    :data:`CODE_SETS`.

    Args:
        df: the table.
        table: its name (to find each column's vocabulary).
        where: the filters.

    Returns:
        The matching rows.

    Raises:
        RuleError: unknown column, operator or code (French message).
    """
    mask = pd.Series(True, index=df.index)
    for column, cond in (where or {}).items():
        if column not in df.columns:
            raise RuleError(f"colonne « {column} » absente de la table « {table} »")
        col = df[column]
        if isinstance(cond, bool):
            mask &= col.fillna(not cond).astype(bool) == cond
            continue
        if isinstance(cond, list):
            cond = {"in": cond}
        if not isinstance(cond, dict):
            raise RuleError(f"filtre invalide pour « {column} » : {cond!r}")
        for op, arg in cond.items():
            if op == "in":
                mask &= col.isin(_labels(table, column, arg))
            elif op == "not_in":
                mask &= ~col.isin(_labels(table, column, arg))
            elif op == "missing":
                blank = col.isna() | (col.astype("string").str.strip() == "")
                mask &= blank if arg else ~blank
            elif op == "contains_any":
                wanted = set(_labels(table, column, arg))
                mask &= col.map(lambda v, w=frozenset(wanted): bool(w & set(split_multi(v))))
            else:
                raise RuleError(f"opérateur « {op} » inconnu pour « {column} » (attendus : in, not_in, missing, contains_any)")
    return df[mask.fillna(False).astype(bool)]


split_multi = ind.split_multi


def share_text(share: float | None) -> str:
    """A share as French text, with one decimal below 1 % so that a small share never reads « 0 % »."""
    if share is not None and 0 < share < 0.01:
        return fmt.percent(share, 1)
    return fmt.percent(share)


def arrangement_summary(tables: Tables) -> pd.DataFrame:
    """One row per arrangement (:func:`analysis.partnerships.arrangement_summary`, chapter 4's rules)."""
    return partnerships.arrangement_summary(tables.arrangements, tables.reference_arrangements,
                                            tables.reference_services)


def arrangement_rows(tables: Tables, keys: dict[str, str]) -> pd.DataFrame:
    """The participation rows of some arrangements, as evidence.

    Args:
        tables: the tables.
        keys: arrangement key (summary ``key``) -> display name.

    Returns:
        Evidence rows (``arrangement_id`` is the summary key, ``label`` the arrangement name).
    """
    arr = tables.arrangements
    if arr.empty or not keys:
        return evidence_frame(arr.iloc[0:0])
    k = partnerships._keys(arr)
    hits = arr[k.isin(list(keys))].assign(arrangement_id=k[k.isin(list(keys))].astype(object))
    return evidence_frame(hits, hits["arrangement_id"].map(keys))


def arrangement_names(tables: Tables) -> dict[str, str]:
    """Arrangement key -> name (reference list first, then the names given in the answers)."""
    names: dict[str, str] = {}
    arr = tables.arrangements
    if len(arr):
        names.update(dict(zip(partnerships._keys(arr).astype(str), partnerships._names(arr).astype(str), strict=True)))
    ref = tables.reference_arrangements
    if len(ref) and {"id", "name"} <= set(ref.columns):
        names.update({str(i): str(n) for i, n in ref[["id", "name"]].dropna().itertuples(index=False, name=None)})
    return names


# ---------------------------------------------------------------------------------------------
# Detectors
# ---------------------------------------------------------------------------------------------


@detector("rows_where")
def rows_where(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Rows of ``params['table']`` matching ``params['where']`` (see :func:`filter_rows`).

    Args:
        tables: the edition's tables.
        params: ``table`` (categories, tools, arrangements, services), ``where`` filters,
            ``label`` column shown as the item's name (default: title / name).
    """
    table = params.get("table", "categories")
    df = getattr(tables, table, None)
    if df is None:
        raise RuleError(f"table « {table} » inconnue")
    hits = filter_rows(df, table, params.get("where"))
    label_col = params.get("label", {"categories": "title", "tools": "name", "arrangements": "arrangement"}.get(table))
    ev = evidence_frame(hits, label_col if label_col in hits.columns else None)
    total = float(len(df))
    share = fmt.share(len(ev), total)
    return detection(ev, total=total, share=share, values={"total": int(total), "share": share_text(share)})


def _names_items(groups: list[tuple[str, int]], n: int = 5) -> str:
    """"A (3 services), B (2 services) et 2 autres" from (label, number of services) pairs."""
    parts = [f"{label} ({fmt.plural(k, 'service')})" for label, k in groups[:n]]
    if len(groups) > n:
        parts.append(fmt.plural(len(groups) - n, "autre"))
    return fmt.enumerate_fr(parts)


@detector("duplicate_acquisitions")
def duplicate_acquisitions(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """The same external data acquired separately by several services (a pooled purchase to make).

    Reuses :func:`analysis.indicators.pooling_opportunities` (acquired categories grouped by
    supplier, then by title similarity), so that chapters 2 and 5 count the same groups;
    ``modes`` (optional) keeps only some acquisition modes. Categories whose supplier is masked
    (public edition) cannot be grouped.

    Returns:
        Evidence: one row per category of each group (``group`` column: supplier);
        indicators ``groups`` and ``cost`` (sum of declared annual costs).
    """
    cats = tables.categories
    if params.get("modes"):
        cats = filter_rows(cats, "categories", {"acquisition_mode": params["modes"]})
    opp = ind.pooling_opportunities(cats, threshold=params.get("threshold", ind.POOLING_THRESHOLD))
    opp = opp[opp["n_services"] >= params.get("min_services", 2)]
    acq = cats[(cats["origin"] == model.ORIGIN.acquired) & cats["supplier"].notna()]
    frames = []
    for rec in opp.itertuples(index=False):
        titles = set(split_multi(rec.titles))
        same = acq["supplier"].map(ind._supplier_key) == ind._supplier_key(rec.supplier)
        frames.append(acq[same & acq["title"].isin(titles)].assign(group=rec.supplier))
    ev = pd.concat(frames, ignore_index=True) if frames else acq.iloc[0:0].assign(group=pd.Series(dtype=object))
    cost = float(ev["annual_cost"].sum())
    items = [(f"{_first_title(r.titles)} — {r.supplier}", int(r.n_services)) for r in opp.itertuples(index=False)]
    return detection(evidence_frame(ev, "title"), groups=len(opp), cost=cost,
                     values={"items": _names_items(items), "cost": fmt.money(cost)})


def _first_title(titles: str) -> str:
    items = split_multi(titles)
    return min(items, key=lambda t: (len(t), t)) if items else ""


@detector("duplicate_tools")
def duplicate_tools(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """The same tool paid for separately by several services (a shared licence to negotiate).

    Reuses :func:`analysis.indicators.same_tool_licensed_separately` (tool families: "ArcGIS
    Desktop 10.8", "Arcgis" and "ArcGIS Pro" are one product; a service pays when the cost is
    positive or the licence proprietary; spreadsheets and generic names such as « Site internet
    du service » left out), so that chapters 3 and 5 agree. ``exclude_types`` (tool type codes)
    and ``exclude_names`` may replace those exclusions (defaults:
    :data:`analysis.indicators.NOT_POOLED_TOOL_TYPES` and :data:`analysis.indicators.GENERIC_TOOL_NAMES`).

    Returns:
        Evidence: one row per paying tool row of each family (``group`` column); indicators
        ``groups`` and ``cost``.
    """
    types = params.get("exclude_types")
    if types is not None:  # codes, code sets or labels, checked: back to codes
        types = [model.TOOL_TYPE.code_of(label) for label in _labels("tools", "tool_type", types)]
    tools = ind.poolable_tools(tables.tools, types, params.get("exclude_names"))
    same = ind.same_tool_licensed_separately(tools, exclude_types=(), exclude_names=())
    same = same[same["n_services_paying"] >= params.get("min_services", 2)]
    paying = tools[ind._paying(tools)]
    frames = [paying[paying["name"].isin(set(split_multi(r.names)))].assign(group=r.family)
              for r in same.itertuples(index=False)]
    ev = pd.concat(frames, ignore_index=True) if frames else paying.iloc[0:0].assign(group=pd.Series(dtype=object))
    cost = float(ev["annual_cost"].sum())
    items = [(str(r.family), int(r.n_services_paying)) for r in same.itertuples(index=False)]
    return detection(evidence_frame(ev, "name"), groups=len(same), cost=cost,
                     values={"items": _names_items(items), "cost": fmt.money(cost)})


def _service_evidence(services: pd.DataFrame) -> pd.DataFrame:
    label = services["service_acronym"] if "service_acronym" in services else services["service_id"]
    return evidence_frame(services, label.fillna(services["service_id"]))


@detector("missing_referent")
def missing_referent(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Responding services that named no data referent (neither name nor e-mail).

    Not evaluable when no service has any referent detail: that is the public edition, where
    personal fields are emptied (or a survey without the question).
    """
    serv = tables.services
    cols = [c for c in ("referent_name", "referent_email", "referent_phone") if c in serv.columns]
    if serv.empty or not cols or serv[cols].isna().all().all():
        return not_evaluable("les coordonnées des référents ne figurent pas dans ces tables (édition publique)")
    hits = serv[serv[["referent_name", "referent_email"]].isna().all(axis=1)]
    return detection(_service_evidence(hits), total=len(serv))


@detector("services_without_fte")
def services_without_fte(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Responding services declaring no staff devoted to data (FTE missing or below ``max_fte``)."""
    serv = tables.services
    fte = serv["data_fte"].astype(float)
    hits = serv[fte.isna() | (fte <= params.get("max_fte", 0))]
    return detection(_service_evidence(hits), total=len(serv))


@detector("non_respondents")
def non_respondents(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Services of the reference list that did not return the questionnaire."""
    ref = tables.reference_services
    answered = set(tables.services["service_id"].dropna())
    hits = ref[~ref["id"].isin(answered)].rename(columns={"id": "service_id"})
    ev = evidence_frame(hits, hits["acronym"].fillna(hits["service_id"]) if "acronym" in hits else None)
    total = len(ref)
    share = fmt.share(len(ev), total)
    return detection(ev, total=total, share=share, values={"total": total, "share": share_text(share)})


GAPS = ("no_formal_frame", "no_state_in_bodies")


@detector("arrangement_gaps")
def arrangement_gaps(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Arrangements with a governance gap (:func:`analysis.partnerships.governance_table`).

    Args:
        params: ``gap``: ``no_formal_frame`` (the participants' most frequent answer is no
            frame, or none given) or ``no_state_in_bodies`` (no participant says the State sits
            in the bodies, or no body at all).

    Returns:
        Evidence: every participation row of the arrangements concerned.
    """
    gap = params.get("gap")
    if gap not in GAPS:
        raise RuleError(f"« gap » doit valoir {' ou '.join(GAPS)} (reçu : {gap!r})")
    summary = arrangement_summary(tables)
    if summary.empty:
        return detection(evidence_frame(tables.arrangements.iloc[0:0]))
    gov = partnerships.governance_table(summary)
    hit = summary[gov[gap].to_numpy()]
    ev = arrangement_rows(tables, dict(zip(hit["key"], hit["name"], strict=True)))
    return detection(ev, total=len(summary), values={"arrangement_list": fmt.enumerate_fr(sorted(hit["name"]))})


@detector("agreements_ending")
def agreements_ending(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Arrangements whose agreement ends within ``months`` (default 12) of the reference date.

    Reuses :func:`analysis.partnerships.ending_soon` (latest end date reported). The reference
    date is the edition's (never the clock), or ``params['reference_date']``.
    """
    ref = params.get("reference_date") or (edition.reference_date if edition is not None else None)
    if ref is None:
        return not_evaluable("date de référence de l'édition inconnue")
    months = int(params.get("months", 12))
    summary = arrangement_summary(tables)
    if summary.empty:
        return detection(evidence_frame(tables.arrangements.iloc[0:0]))
    soon = partnerships.ending_soon(summary, pd.Timestamp(ref).date(), months)
    hit = summary[summary["name"].isin(set(soon["name"]))]
    ev = arrangement_rows(tables, dict(zip(hit["key"], hit["name"], strict=True)))
    listed = [f"{r.name} ({fmt.date(r.end_date)})" for r in soon.itertuples(index=False)]
    horizon = (pd.Timestamp(ref) + pd.DateOffset(months=months)).date()
    return detection(ev, values={"arrangement_list": fmt.enumerate_fr(listed), "horizon_date": fmt.date(horizon)})


@detector("overlapping_arrangements")
def overlapping_arrangements(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Pairs of arrangements with overlapping partners and productions (to coordinate or merge).

    Reuses :func:`analysis.partnerships.overlaps` (Jaccard index of the sets of partner types,
    productions and participating services); a pair counts when its index is above
    ``min_jaccard`` (default 0.5) and it shares at least one partner type and one production.

    Returns:
        Evidence: the rows of both arrangements of each pair; indicator ``pairs``.
    """
    arr = tables.arrangements
    pairs = partnerships.overlaps(arr, tables.reference_services, min_jaccard=params.get("min_jaccard", 0.5))
    pairs = pairs[pairs["shared_partners"].notna() & pairs["shared_productions"].notna()]
    if arr.empty or pairs.empty:
        return detection(evidence_frame(arr.iloc[0:0]), pairs=0)
    key_of = dict(zip(partnerships._names(arr).astype(str), partnerships._keys(arr).astype(str), strict=True))
    names = {key_of[n]: n for n in set(pairs["name_a"]) | set(pairs["name_b"]) if n in key_of}
    ev = arrangement_rows(tables, names)
    listed = [f"{r.name_a} et {r.name_b}" for r in pairs.itertuples(index=False)]
    return detection(ev, pairs=len(pairs), values={"pair_list": "; ".join(listed)})


@detector("services_without_arrangement")
def services_without_arrangement(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Responding services that take part in no partnership arrangement."""
    serv = tables.services
    inside = set(tables.arrangements["service_id"].dropna())
    hits = serv[~serv["service_id"].isin(inside)]
    return detection(_service_evidence(hits), total=len(serv))


@detector("state_credits_concentration")
def state_credits_concentration(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Share of the State credits going to the ``top_n`` (default 3) best-funded arrangements.

    Reuses :func:`analysis.partnerships.state_money` and ``top_share`` (an arrangement's
    credits are the median of what its participants report). Not computed when no more than
    ``top_n`` arrangements receive State credits (the share would be 100 % by construction).

    Returns:
        Evidence: rows of the top arrangements; indicators ``share`` (0-1), ``funded``, ``credits``.
    """
    top_n = int(params.get("top_n", 3))
    summary = arrangement_summary(tables)
    money = partnerships.state_money(summary) if len(summary) else pd.DataFrame()
    if len(money) <= top_n:
        return detection(evidence_frame(tables.arrangements.iloc[0:0]), funded=len(money))
    share = partnerships.top_share(money, top_n)
    top = money.head(top_n)
    hit = summary[summary["name"].isin(set(top["name"]))]
    ev = arrangement_rows(tables, dict(zip(hit["key"], hit["name"], strict=True)))
    total = float(money["state_credits"].sum())
    return detection(ev, share=share, funded=len(money), credits=total, values={
        "top_n": top_n,
        "share": fmt.percent(share),
        "credits": fmt.money(total, short=True),
        "arrangement_list": fmt.enumerate_fr(
            [f"{r.name} ({fmt.money(r.state_credits, short=True)})" for r in top.itertuples(index=False)]),
    })


@detector("external_tools_without_published_data")
def external_tools_without_published_data(tables: Tables, params: dict, edition=None,
                                          previous: Tables | None = None) -> Detection:
    """External-valorisation tools of services that publish no data category as open data."""
    tools = filter_rows(tables.tools, "tools", params.get("where", {"use": ["external", "both"]}))
    cats = tables.categories
    published = set(cats.loc[cats["diffusion"] == model.DIFFUSION.published, "service_id"])
    hits = tools[~tools["service_id"].isin(published)]
    return detection(evidence_frame(hits, "name"))


def _maturity_levels(tables: Tables, edition=None, spec_path=None) -> tuple[Any, pd.DataFrame]:
    from analysis import maturity, paths

    path = spec_path or (edition.maturity_spec if edition is not None else paths.CONFIG_DIR / "maturite-questionnaire.yaml")
    spec = maturity.load_spec(path)
    table = getattr(tables, spec.table)
    return spec, maturity.score(spec, table)


@detector("low_maturity")
def low_maturity(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Maturity dimensions whose regional mean level is below ``max_mean`` (default 2.5).

    Returns:
        Evidence: one row per service and weak dimension where the service's level is at most
        ``low_level`` (default 2); indicator ``dimensions`` (weak dimensions).
    """
    spec, levels = _maturity_levels(tables, edition, params.get("spec"))
    if levels.empty:
        return not_evaluable("aucune auto-évaluation de maturité exploitable")
    means = levels.groupby("dimension")["level"].mean()
    weak = means[means < params.get("max_mean", 2.5)]
    hits = levels[levels["dimension"].isin(weak.index) & (levels["level"] <= params.get("low_level", 2))]
    hits = hits.rename(columns={"respondent": "service_id"})
    labels = spec.dimension_labels
    ev = evidence_frame(hits, hits["dimension"].map(labels))
    weak_txt = [f"{labels[d]} (niveau moyen {fmt.number(v, 1)})" for d, v in weak.items()]
    return detection(ev, dimensions=len(weak), values={"dimension_list": fmt.enumerate_fr(weak_txt)})


@detector("open_gap_increase")
def open_gap_increase(tables: Tables, params: dict, edition=None, previous: Tables | None = None) -> Detection:
    """Services whose open-by-default gap (publishable, not published) grew since the previous edition.

    Returns:
        Evidence: the current gap rows of those services; indicators ``services`` and ``growth``.
    """
    if previous is None:
        return not_evaluable("pas d'édition précédente à comparer")
    label = model.DIFFUSION.publishable
    now = tables.categories[tables.categories["diffusion"] == label]
    before = previous.categories[previous.categories["diffusion"] == label]
    # Only services that answered both editions can be compared.
    both = set(tables.services["service_id"]) & set(previous.services["service_id"])
    n_now = now.groupby("service_id").size().reindex(sorted(both), fill_value=0)
    n_before = before.groupby("service_id").size().reindex(sorted(both), fill_value=0)
    grew = (n_now - n_before)[lambda d: d > 0]
    hits = now[now["service_id"].isin(grew.index)]
    names = ind.service_labels(tables)
    order = sorted(grew.index, key=lambda s: (-grew[s], names.get(s, s).lower()))
    listed = [f"{names.get(s, s)} {fmt.number(n_before[s])} → {fmt.number(n_now[s])}" for s in order]
    if len(listed) > 10:
        listed = listed[:10] + [fmt.plural(len(listed) - 10, "autre")]
    return detection(evidence_frame(hits, "title"), growth=float(grew.sum()),
                     values={"growth_list": ", ".join(listed)})

