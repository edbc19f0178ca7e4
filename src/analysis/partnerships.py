"""The partnership arrangements: one row per arrangement, the network, overlaps and State money.

The cleaned ``arrangements`` table has one row per *participation* (a service reporting an
arrangement it takes part in). Several services report the same arrangement, each with its own
view of the budget, the partners or the governance: this module consolidates them into one row
per arrangement (:func:`arrangement_summary`) and derives what chapter 4 shows (network, overlaps,
concentration of State credits, agreements ending soon, governance gaps).

Consolidation rules (stated in the chapter):

- total budget and State credits: the **median** of the amounts reported by the participants;
  the budget is flagged when the reports differ by more than 10 % of that median;
- the services' own contributions and FTE: **summed** (each service reports its own);
- partners, governance bodies, audiences, productions: the **union** of what was reported;
- governance frame: the most frequent answer (ties broken in questionnaire order);
- State represented in the bodies: yes when **any** participant says so;
- agreement dates: earliest start, latest end.
"""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from collections import Counter
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from analysis import fmt, model

#: Relative spread of reported budgets above which the budget is flagged as discrepant.
BUDGET_TOLERANCE = 0.10

#: Roles that make a service a lead of the arrangement (pilote, co-pilote).
LEAD_ROLES = (model.ROLE.lead, model.ROLE.colead)

_SEP = model.MULTI_SEPARATOR

SUMMARY_COLUMNS = (
    "key", "arrangement_id", "name", "kind", "n_services", "services", "lead_services", "reference_lead",
    "partners", "n_partners", "total_budget", "budget_reports", "budget_min", "budget_max",
    "budget_discrepancy", "state_credits", "state_share", "own_contribution", "governance_frame",
    "governance_bodies", "state_in_bodies", "fte", "audiences", "productions", "start_date", "end_date",
)


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


_missing = fmt.is_missing


def split_multi(value: object) -> list[str]:
    """Split a multichoice cell ``"a; b"`` into its items (empty list when missing).

    Args:
        value: the cell.

    Returns:
        The stripped, non-empty items in cell order.
    """
    if _missing(value):
        return []
    return [item.strip() for item in str(value).split(_SEP.strip()) if item.strip()]


def _ordered(items: Iterable[str], vocab: model.Vocabulary | None = None) -> list[str]:
    """Unique items, in vocabulary order first, then unknown items alphabetically."""
    unique = set(items)
    order = vocab.labels if vocab is not None else []
    known = [label for label in order if label in unique]
    return known + sorted(unique - set(known))


def _union(values: Iterable[object], vocab: model.Vocabulary | None = None) -> str | None:
    items = _ordered((i for v in values for i in split_multi(v)), vocab)
    return _SEP.join(items) if items else None


def _mode(values: Iterable[object], vocab: model.Vocabulary | None = None) -> str | None:
    counts = Counter(str(v) for v in values if not _missing(v))
    if not counts:
        return None
    best = max(counts.values())
    tied = [v for v, c in counts.items() if c == best]
    return _ordered(tied, vocab)[0]


def _kind_label(value: object) -> str | None:
    """An arrangement kind as its French label (accepts a code or a label)."""
    if _missing(value):
        return None
    value = str(value)
    return model.ARRANGEMENT_KIND.label_of(value) if value in model.ARRANGEMENT_KIND.codes else value


def service_type_label(value: object) -> str:
    """A service type as its French label (accepts a code or a label; missing -> "other")."""
    if _missing(value):
        return model.SERVICE_TYPE.other
    value = str(value)
    return model.SERVICE_TYPE.label_of(value) if value in model.SERVICE_TYPE.codes else value


def service_acronyms(reference_services: pd.DataFrame | None) -> dict[str, str]:
    """Map service ids to their acronym (the id itself when the acronym is missing)."""
    if reference_services is None or reference_services.empty:
        return {}
    out = {}
    for rec in reference_services[["id", "acronym"]].itertuples(index=False):
        out[str(rec.id)] = str(rec.acronym) if not _missing(rec.acronym) else str(rec.id)
    return out


def _keys(arrangements: pd.DataFrame) -> pd.Series:
    """The arrangement each row belongs to: its reference id, or its raw name when unmatched."""
    raw = arrangements["arrangement"].astype("string").str.strip()
    if "arrangement_id" in arrangements:
        ids = arrangements["arrangement_id"].astype("string")
        return ids.where(ids.notna() & (ids.str.len() > 0), "?" + raw)
    return "?" + raw


def _names(arrangements: pd.DataFrame) -> pd.Series:
    raw = arrangements["arrangement"].astype("string").str.strip()
    if "arrangement_name" in arrangements:
        names = arrangements["arrangement_name"].astype("string")
        return names.where(names.notna() & (names.str.len() > 0), raw)
    return raw


def _check_columns(df: pd.DataFrame, columns: Iterable[str], table: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"table {table}: missing columns {missing}")


# ---------------------------------------------------------------------------------------------
# One row per arrangement
# ---------------------------------------------------------------------------------------------


def arrangement_summary(
    arrangements: pd.DataFrame,
    reference_arrangements: pd.DataFrame | None = None,
    reference_services: pd.DataFrame | None = None,
    tolerance: float = BUDGET_TOLERANCE,
) -> pd.DataFrame:
    """Consolidate the participations into one row per arrangement (rules in the module doc).

    Args:
        arrangements: the cleaned ``arrangements`` table (one row per participation).
        reference_arrangements: the reference list (id, name, kind, variants, lead, description),
            used for the name, the kind when no participant gave it, and the declared lead.
        reference_services: the reference list of services, to show acronyms instead of ids.
        tolerance: relative spread of the reported budgets above which they are flagged.

    Returns:
        One row per arrangement, columns ``SUMMARY_COLUMNS`` (``key`` is the reference id, or
        ``"?<raw name>"`` for an arrangement not in the reference list), sorted by number of participating
        services (descending) then name. Multi-valued cells are ``"a; b"`` strings.

    Raises:
        KeyError: when a column of the model is missing.
    """
    _check_columns(arrangements, ["service_id", *model.ARRANGEMENTS.field_names], "arrangements")
    if arrangements.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    acronyms = service_acronyms(reference_services)
    ref = (
        reference_arrangements.set_index("id")
        if reference_arrangements is not None and not reference_arrangements.empty
        else pd.DataFrame(columns=["name", "kind", "lead"])
    )
    df = arrangements.assign(_key=_keys(arrangements), _name=_names(arrangements))
    rows = []
    for key, g in df.groupby("_key", sort=True):
        in_ref = key in ref.index
        services = sorted({acronyms.get(s, s) for s in g["service_id"].astype(str)})
        leads = sorted({acronyms.get(s, s) for s in g.loc[g["role"].isin(LEAD_ROLES), "service_id"].astype(str)})
        budgets = g["total_budget"].dropna().astype(float)
        credits = g["state_credits"].dropna().astype(float)
        median = float(budgets.median()) if len(budgets) else float("nan")
        spread = float(budgets.max() - budgets.min()) if len(budgets) else 0.0
        state = float(credits.median()) if len(credits) else float("nan")
        kind = _mode(g["kind"], model.ARRANGEMENT_KIND) or (_kind_label(ref.at[key, "kind"]) if in_ref else None)
        in_bodies = g["state_in_bodies"].astype("boolean")
        partners = _union(g["partners"], model.PARTNER)
        rows.append({
            "key": str(key),
            "arrangement_id": None if str(key).startswith("?") else str(key),
            "name": str(ref.at[key, "name"]) if in_ref and not _missing(ref.at[key, "name"]) else str(g["_name"].iloc[0]),
            "kind": kind,
            "n_services": len(services),
            "services": _SEP.join(services),
            "lead_services": _SEP.join(leads) if leads else None,
            "reference_lead": str(ref.at[key, "lead"]) if in_ref and not _missing(ref.at[key, "lead"]) else None,
            "partners": partners,
            "n_partners": len(split_multi(partners)),
            "total_budget": median,
            "budget_reports": len(budgets),
            "budget_min": float(budgets.min()) if len(budgets) else float("nan"),
            "budget_max": float(budgets.max()) if len(budgets) else float("nan"),
            "budget_discrepancy": bool(len(budgets) > 1 and spread > tolerance * median),
            "state_credits": state,
            "state_share": state / median if median and not pd.isna(median) and not pd.isna(state) else float("nan"),
            "own_contribution": float(g["own_contribution"].sum(min_count=1)),
            "governance_frame": _mode(g["governance_frame"], model.GOVERNANCE_FRAME),
            "governance_bodies": _union(g["governance_bodies"], model.GOVERNANCE_BODY),
            "state_in_bodies": bool(in_bodies.any()) if in_bodies.notna().any() else pd.NA,
            "fte": float(g["fte"].sum(min_count=1)),
            "audiences": _union(g["audiences"], model.AUDIENCE),
            "productions": _union(g["productions"], model.PRODUCTION),
            "start_date": g["start_date"].min(),
            "end_date": g["end_date"].max(),
        })
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    out["state_in_bodies"] = out["state_in_bodies"].astype("boolean")
    for col in ("start_date", "end_date"):
        out[col] = pd.to_datetime(out[col])
    return out.sort_values(["n_services", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def unreported_arrangements(arrangements: pd.DataFrame, reference_arrangements: pd.DataFrame) -> pd.DataFrame:
    """Arrangements of the reference list that no responding service reported.

    Args:
        arrangements: the cleaned ``arrangements`` table.
        reference_arrangements: the reference list.

    Returns:
        The reference rows (id, name, kind, lead) not reported, sorted by name.
    """
    reported = set(_keys(arrangements).dropna()) if not arrangements.empty else set()
    out = reference_arrangements.loc[~reference_arrangements["id"].isin(reported), ["id", "name", "kind", "lead"]]
    return out.sort_values("name").reset_index(drop=True)


def partnership_totals(summary: pd.DataFrame, arrangements: pd.DataFrame) -> dict[str, float]:
    """Headline figures of the partnership mapping.

    Args:
        summary: the output of :func:`arrangement_summary`.
        arrangements: the cleaned ``arrangements`` table.

    Returns:
        ``arrangements``, ``participations``, ``services`` (distinct participating services),
        ``total_budget``, ``state_credits`` (sums over arrangements), ``state_share``,
        ``fte`` (sum), ``discrepancies`` (arrangements whose reported budgets differ),
        ``without_budget`` (no budget reported).
    """
    total = float(summary["total_budget"].sum()) if len(summary) else 0.0
    state = float(summary["state_credits"].sum()) if len(summary) else 0.0
    return {
        "arrangements": len(summary),
        "participations": len(arrangements),
        "services": int(arrangements["service_id"].nunique()) if len(arrangements) else 0,
        "total_budget": total,
        "state_credits": state,
        "state_share": fmt.share(state, total),
        "fte": float(summary["fte"].sum()) if len(summary) else 0.0,
        "discrepancies": int(summary["budget_discrepancy"].sum()) if len(summary) else 0,
        "without_budget": int(summary["total_budget"].isna().sum()) if len(summary) else 0,
    }


# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------


def network_graph(
    arrangements: pd.DataFrame,
    services_ref: pd.DataFrame | None = None,
    reference_arrangements: pd.DataFrame | None = None,
) -> nx.Graph:
    """The tripartite graph services – arrangements – partner types.

    Node ids are ``"S:<service id>"``, ``"A:<arrangement id>"`` and ``"P:<partner label>"``; every
    node has ``layer`` (``service`` / ``arrangement`` / ``partner``) and ``label``. Services also
    carry ``group`` (service type label) and ``degree_arrangements``; arrangements ``kind``,
    ``n_services`` and ``total_budget`` (from :func:`arrangement_summary`); partners
    ``n_arrangements``.

    Edges service–arrangement carry ``role`` and ``weight`` (1 + the FTE reported);
    edges arrangement–partner carry ``weight`` = number of services that reported the partner.

    Args:
        arrangements: the cleaned ``arrangements`` table.
        services_ref: the reference list of services (acronym and type).
        reference_arrangements: the reference list of arrangements (names).

    Returns:
        An undirected ``networkx.Graph``.
    """
    graph = nx.Graph()
    if arrangements.empty:
        return graph
    summary = arrangement_summary(arrangements, reference_arrangements, None)
    acronyms = service_acronyms(services_ref)
    types = {}
    if services_ref is not None and not services_ref.empty:
        types = {str(r.id): service_type_label(r.type) for r in services_ref[["id", "type"]].itertuples(index=False)}
    df = arrangements.assign(_key=_keys(arrangements))
    for rec in summary.itertuples(index=False):
        graph.add_node(f"A:{rec.key}", layer="arrangement", label=rec.name, kind=rec.kind,
                       n_services=int(rec.n_services), total_budget=rec.total_budget)
    for (key, service), g in df.groupby(["_key", "service_id"], sort=True):
        sid = str(service)
        if f"S:{sid}" not in graph:
            graph.add_node(f"S:{sid}", layer="service", label=acronyms.get(sid, sid),
                           group=types.get(sid, model.SERVICE_TYPE.other))
        role = _mode(g["role"], model.ROLE)
        fte = float(g["fte"].sum(min_count=1)) if g["fte"].notna().any() else 0.0
        graph.add_edge(f"S:{sid}", f"A:{key}", role=role, weight=1.0 + fte)
    partner_counts: Counter = Counter()
    for key, cell in zip(df["_key"], df["partners"], strict=True):
        for partner in set(split_multi(cell)):
            partner_counts[(key, partner)] += 1
    for (key, partner), n in sorted(partner_counts.items()):
        node = f"P:{partner}"
        if node not in graph:
            graph.add_node(node, layer="partner", label=partner)
        graph.add_edge(f"A:{key}", node, weight=float(n), role=None)
    for node, data in graph.nodes(data=True):
        if data["layer"] == "service":
            data["degree_arrangements"] = graph.degree(node)
        elif data["layer"] == "partner":
            data["n_arrangements"] = graph.degree(node)
    return graph


# ---------------------------------------------------------------------------------------------
# Overlaps
# ---------------------------------------------------------------------------------------------


def overlaps(
    arrangements: pd.DataFrame,
    reference_services: pd.DataFrame | None = None,
    min_jaccard: float = 0.0,
) -> pd.DataFrame:
    """Pairs of arrangements that share partner types, productions or participating services.

    Each arrangement is described by one set mixing its partner types, its productions and its
    participating services; two arrangements overlap by the Jaccard index of these sets
    (shared items / items of either).

    Args:
        arrangements: the cleaned ``arrangements`` table.
        reference_services: the reference list of services (acronyms for the shared services).
        min_jaccard: keep pairs whose index is strictly above this value.

    Returns:
        One row per pair: ``name_a``, ``name_b`` (alphabetical within the pair), ``jaccard``,
        ``n_shared``, ``shared_partners``, ``shared_productions``, ``shared_services`` (``"a; b"``
        or None), sorted by Jaccard index (descending), then names.
    """
    columns = ["name_a", "name_b", "jaccard", "n_shared", "shared_partners", "shared_productions", "shared_services"]
    if arrangements.empty:
        return pd.DataFrame(columns=columns)
    acronyms = service_acronyms(reference_services)
    df = arrangements.assign(_key=_keys(arrangements), _name=_names(arrangements))
    profiles: dict[str, tuple[str, set, set, set]] = {}
    for key, g in df.groupby("_key", sort=True):
        partners = {p for v in g["partners"] for p in split_multi(v)}
        productions = {p for v in g["productions"] for p in split_multi(v)}
        services = {acronyms.get(str(s), str(s)) for s in g["service_id"]}
        profiles[key] = (str(g["_name"].iloc[0]), partners, productions, services)
    rows = []
    for ka, kb in itertools.combinations(sorted(profiles), 2):
        (na, pa, ra, sa), (nb, pb, rb, sb) = profiles[ka], profiles[kb]
        items_a = {("p", x) for x in pa} | {("r", x) for x in ra} | {("s", x) for x in sa}
        items_b = {("p", x) for x in pb} | {("r", x) for x in rb} | {("s", x) for x in sb}
        union = items_a | items_b
        shared = items_a & items_b
        jaccard = len(shared) / len(union) if union else 0.0
        if jaccard <= min_jaccard:
            continue
        if nb < na:
            na, nb = nb, na
        rows.append({
            "name_a": na,
            "name_b": nb,
            "jaccard": jaccard,
            "n_shared": len(shared),
            "shared_partners": _SEP.join(_ordered(pa & pb, model.PARTNER)) or None,
            "shared_productions": _SEP.join(_ordered(ra & rb, model.PRODUCTION)) or None,
            "shared_services": _SEP.join(sorted(sa & sb)) or None,
        })
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["jaccard", "name_a", "name_b"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


# ---------------------------------------------------------------------------------------------
# State money, agreements, governance
# ---------------------------------------------------------------------------------------------


def state_money(summary: pd.DataFrame) -> pd.DataFrame:
    """State credits per arrangement, their share of all State credits and the cumulative share.

    Args:
        summary: the output of :func:`arrangement_summary`.

    Returns:
        Arrangements with State credits reported (> 0): ``name``, ``state_credits``,
        ``total_budget``, ``share`` (of all State credits), ``cumulative_share``, ``rank``
        (1 = largest), sorted by State credits (descending), then name.
    """
    columns = ["name", "state_credits", "total_budget", "share", "cumulative_share", "rank"]
    money = summary.loc[summary["state_credits"].fillna(0) > 0, ["name", "state_credits", "total_budget"]]
    if money.empty:
        return pd.DataFrame(columns=columns)
    money = money.sort_values(["state_credits", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    total = money["state_credits"].sum()
    money["share"] = money["state_credits"] / total
    money["cumulative_share"] = money["share"].cumsum()
    money["rank"] = range(1, len(money) + 1)
    return money[columns]


def top_share(money: pd.DataFrame, n: int = 3) -> float | None:
    """Share of all State credits held by the ``n`` best-funded arrangements.

    Args:
        money: the output of :func:`state_money`.
        n: how many arrangements.

    Returns:
        The cumulative share at rank ``n`` (or at the last rank when fewer), None when empty.
    """
    if money.empty:
        return None
    return float(money["cumulative_share"].iloc[min(n, len(money)) - 1])


def ending_soon(summary: pd.DataFrame, reference_date: dt.date, months: int = 12) -> pd.DataFrame:
    """Arrangements whose agreement ends within ``months`` after the reference date.

    Args:
        summary: the output of :func:`arrangement_summary`.
        reference_date: the edition's reference date (never the clock).
        months: the horizon.

    Returns:
        ``name``, ``end_date``, ``days_left``, ``lead_services``, ``reference_lead``, ``state_credits`` for agreements
        ending on or after the reference date and on or before the horizon, soonest first.
    """
    start = pd.Timestamp(reference_date)
    horizon = start + pd.DateOffset(months=months)
    ends = pd.to_datetime(summary["end_date"])
    sel = summary.loc[ends.notna() & (ends >= start) & (ends <= horizon)].copy()
    sel["days_left"] = (pd.to_datetime(sel["end_date"]) - start).dt.days.astype(int)
    sel = sel.sort_values(["end_date", "name"], kind="stable")
    return sel[["name", "end_date", "days_left", "lead_services", "reference_lead", "state_credits"]].reset_index(
        drop=True
    )


def expired(summary: pd.DataFrame, reference_date: dt.date) -> pd.DataFrame:
    """Arrangements whose latest reported agreement already ended before the reference date.

    Args:
        summary: the output of :func:`arrangement_summary`.
        reference_date: the edition's reference date.

    Returns:
        ``name``, ``end_date``, ``lead_services``, sorted by end date.
    """
    ends = pd.to_datetime(summary["end_date"])
    sel = summary.loc[ends.notna() & (ends < pd.Timestamp(reference_date))]
    return sel.sort_values(["end_date", "name"], kind="stable")[["name", "end_date", "lead_services"]].reset_index(
        drop=True
    )


def governance_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Governance of each arrangement, with its gaps.

    Args:
        summary: the output of :func:`arrangement_summary`.

    Returns:
        ``name``, ``governance_frame``, ``governance_bodies``, ``state_in_bodies``,
        ``no_formal_frame`` (frame missing or "Aucun cadre formel"), ``no_state_in_bodies``
        (State not represented, or no body at all), in the summary's order.
    """
    frame = summary["governance_frame"]
    bodies = summary["governance_bodies"]
    no_bodies = bodies.isna() | (bodies == model.GOVERNANCE_BODY.none)
    state = summary["state_in_bodies"].astype("boolean")
    out = summary[["name", "governance_frame", "governance_bodies", "state_in_bodies"]].copy()
    out["no_formal_frame"] = (frame.isna() | (frame == model.GOVERNANCE_FRAME.none)).astype(bool)
    out["no_state_in_bodies"] = (no_bodies | (state == False)).fillna(False).astype(bool)  # noqa: E712
    return out.reset_index(drop=True)


def governance_gaps(summary: pd.DataFrame) -> pd.DataFrame:
    """Arrangements without a formal frame or without the State in their bodies.

    Args:
        summary: the output of :func:`arrangement_summary`.

    Returns:
        ``name``, ``gap`` (French reason(s)), ``state_credits``, ``lead_services``, ``reference_lead``.
    """
    gov = governance_table(summary)
    reasons = []
    for rec in gov.itertuples(index=False):
        parts = []
        if rec.no_formal_frame:
            parts.append("sans cadre formel")
        if rec.no_state_in_bodies:
            parts.append("État absent des instances")
        reasons.append(", ".join(parts) or None)
    out = pd.DataFrame({
        "name": gov["name"], "gap": reasons, "state_credits": summary["state_credits"].to_numpy(),
        "lead_services": summary["lead_services"].to_numpy(), "reference_lead": summary["reference_lead"].to_numpy(),
    })
    return out.loc[out["gap"].notna()].reset_index(drop=True)


def presence_matrix(summary: pd.DataFrame, column: str) -> pd.DataFrame:
    """Arrangements × vocabulary items of a multichoice column (productions, audiences, partners).

    Args:
        summary: the output of :func:`arrangement_summary`.
        column: ``productions``, ``audiences`` or ``partners``.

    Returns:
        A boolean DataFrame indexed by arrangement name, one column per label of the column's
        vocabulary (questionnaire order), plus unknown items at the end.
    """
    vocab = model.ARRANGEMENTS.field(column).vocab
    items = [split_multi(v) for v in summary[column]]
    labels = _ordered([*vocab.labels, *(i for row in items for i in row)], vocab)
    data = [[label in row for label in labels] for row in items]
    return pd.DataFrame(data, index=pd.Index(summary["name"], name="name"), columns=labels, dtype=bool)


# ---------------------------------------------------------------------------------------------
# Tables for the chapter (French headers)
# ---------------------------------------------------------------------------------------------


def _short(text: object, width: int) -> str | None:
    if _missing(text):
        return None
    return textwrap.shorten(str(text), width=width, placeholder="…")


def _leads(rec: pd.Series) -> str | None:
    if not _missing(rec["lead_services"]):
        return str(rec["lead_services"])
    if not _missing(rec["reference_lead"]):
        return f"{rec['reference_lead']} (référentiel)"
    return None


def _period(start: object, end: object) -> str:
    s = fmt.date(start) if not _missing(start) else "?"
    e = fmt.date(end) if not _missing(end) else "?"
    return fmt.MISSING if s == e == "?" else f"{s} → {e}"


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The page-sized table of the arrangements (French headers, formatted values).

    Args:
        summary: the output of :func:`arrangement_summary`.

    Returns:
        One row per arrangement: Dispositif, Nature, Services, Pilote(s), Budget total,
        Dont État, ETP, Fin de convention. A "*" after the budget marks discrepant reports.
    """
    rows = []
    for _, rec in summary.iterrows():
        budget = fmt.money(rec["total_budget"], short=True)
        rows.append({
            "Dispositif": _short(rec["name"], 48),
            "Nature": rec["kind"],
            "Services": int(rec["n_services"]),
            "Pilote(s)": _short(_leads(rec), 40),
            "Budget total": budget + (" *" if rec["budget_discrepancy"] else ""),
            "Dont État": fmt.money(rec["state_credits"], short=True),
            "ETP": fmt.fte(rec["fte"]),
            "Fin de convention": fmt.date(rec["end_date"]) if not _missing(rec["end_date"]) else fmt.MISSING,
        })
    return pd.DataFrame(rows, columns=["Dispositif", "Nature", "Services", "Pilote(s)", "Budget total", "Dont État",
                                       "ETP", "Fin de convention"])


def _list(value: object, limit: int | None = None, noun: str = "service") -> str:
    """A multichoice cell as a comma list; beyond ``limit`` items, the count and the first ones."""
    items = split_multi(value)
    if not items:
        return fmt.MISSING
    if limit is not None and len(items) > limit:
        return f"{fmt.plural(len(items), noun)} dont " + ", ".join(items[:limit]) + "…"
    return ", ".join(items)


def _governance(rec: pd.Series) -> str:
    state = rec["state_in_bodies"]
    state_text = "État : " + (fmt.MISSING if _missing(state) else ("présent" if state else "absent"))
    frame = rec["governance_frame"] if not _missing(rec["governance_frame"]) else "cadre non précisé"
    period = _period(rec["start_date"], rec["end_date"])
    period_text = "" if period == fmt.MISSING else f" ({period})"
    return f"{frame}{period_text} ; {_list(rec['governance_bodies'])} ; {state_text}"


def details_table(summary: pd.DataFrame, max_services: int = 8) -> pd.DataFrame:
    """The full description of each arrangement (French headers, formatted values).

    Args:
        summary: the output of :func:`arrangement_summary`.
        max_services: beyond this number of participating services, show the count and the first
            ones (the full list is in the membership figure).

    Returns:
        One row per arrangement: Dispositif, Services participants, Partenaires, Gouvernance
        (frame, agreement period, bodies, State presence), Publics visés, Productions, Budgets
        déclarés (range of the reports and the services' own contributions).
    """
    rows = []
    for _, rec in summary.iterrows():
        if rec["budget_reports"] > 1:
            reports = f"{fmt.money(rec['budget_min'], short=True)} à {fmt.money(rec['budget_max'], short=True)}"
            reports += f" ({rec['budget_reports']} déclarations)"
        else:
            reports = fmt.money(rec["total_budget"], short=True)
        rows.append({
            "Dispositif": rec["name"],
            "Services participants": _list(rec["services"], max_services),
            "Partenaires": _list(rec["partners"]),
            "Gouvernance": _governance(rec),
            "Publics visés": _list(rec["audiences"]),
            "Productions": _list(rec["productions"]),
            "Budgets déclarés": f"{reports} ; contributions des services : "
                                f"{fmt.money(rec['own_contribution'], short=True)}",
        })
    return pd.DataFrame(rows, columns=["Dispositif", "Services participants", "Partenaires", "Gouvernance",
                                       "Publics visés", "Productions", "Budgets déclarés"])


def overlaps_table(pairs: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The ``top`` overlapping pairs with French headers.

    Args:
        pairs: the output of :func:`overlaps`.
        top: how many pairs to keep.

    Returns:
        Dispositif A, Dispositif B, Recouvrement (percentage), Partenaires communs,
        Productions communes, Services communs.
    """
    head = pairs.head(top)
    return pd.DataFrame({
        "Dispositif A": [_short(n, 70) for n in head["name_a"]],
        "Dispositif B": [_short(n, 70) for n in head["name_b"]],
        "Recouvrement": [fmt.percent(j) for j in head["jaccard"]],
        "Partenaires communs": [_list(v) for v in head["shared_partners"]],
        "Productions communes": [_list(v) for v in head["shared_productions"]],
        "Services communs": [_list(v) for v in head["shared_services"]],
    })


def state_money_table(money: pd.DataFrame) -> pd.DataFrame:
    """State credits per arrangement with French headers.

    Args:
        money: the output of :func:`state_money`.

    Returns:
        Rang, Dispositif, Crédits de l'État, Part, Part cumulée, Budget total.
    """
    return pd.DataFrame({
        "Rang": money["rank"].astype(int).to_numpy(),
        "Dispositif": [_short(n, 50) for n in money["name"]],
        "Crédits de l'État": [fmt.money(x) for x in money["state_credits"]],
        "Part": [fmt.percent(x) for x in money["share"]],
        "Part cumulée": [fmt.percent(x) for x in money["cumulative_share"]],
        "Budget total": [fmt.money(x) for x in money["total_budget"]],
    })


def ending_table(ending: pd.DataFrame) -> pd.DataFrame:
    """Agreements ending soon with French headers.

    Args:
        ending: the output of :func:`ending_soon`.

    Returns:
        Dispositif, Fin de convention, Jours restants, Pilote(s), Crédits de l'État.
    """
    return pd.DataFrame({
        "Dispositif": ending["name"].to_numpy(),
        "Fin de convention": [fmt.date(d) for d in ending["end_date"]],
        "Jours restants": ending["days_left"].astype(int).to_numpy(),
        "Pilote(s)": [_leads(r) for _, r in ending.iterrows()],
        "Crédits de l'État": [fmt.money(x) for x in ending["state_credits"]],
    })


def gaps_table(gaps: pd.DataFrame) -> pd.DataFrame:
    """Governance gaps with French headers.

    Args:
        gaps: the output of :func:`governance_gaps`.

    Returns:
        Dispositif, Constat, Crédits de l'État, Pilote(s).
    """
    return pd.DataFrame({
        "Dispositif": gaps["name"].to_numpy(),
        "Constat": gaps["gap"].to_numpy(),
        "Crédits de l'État": [fmt.money(x) for x in gaps["state_credits"]],
        "Pilote(s)": [_leads(r) for _, r in gaps.iterrows()],
    })


# ---------------------------------------------------------------------------------------------
# Narrative sentences of the chapter (French templates, values from the data)
# ---------------------------------------------------------------------------------------------


class Sentence:
    """A French sentence template and its values, shown through ``Chapter.text``.

    Args:
        template: a ``str.format`` template (``**bold**`` allowed).
        values: the values to insert (formatted strings for money and percentages).
    """

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values

    def show(self, chapter) -> None:
        """Display the sentence in a chapter (``chapter.text``, values escaped)."""
        chapter.text(self.template, **self.values)

    def __repr__(self) -> str:
        return f"Sentence({self.template!r}, {self.values!r})"


def item_counts(summary: pd.DataFrame, column: str) -> pd.Series:
    """Number of arrangements reporting each item of a multichoice column, most frequent first.

    Args:
        summary: the output of :func:`arrangement_summary`.
        column: ``productions``, ``audiences`` or ``partners``.

    Returns:
        Counts indexed by label (ties in questionnaire order), items never reported left out.
    """
    matrix = presence_matrix(summary, column)
    counts = matrix.sum(axis=0).astype(int)
    counts = counts[counts > 0]
    order = {label: i for i, label in enumerate(matrix.columns)}
    return counts.iloc[sorted(range(len(counts)), key=lambda i: (-counts.iloc[i], order[counts.index[i]]))]


def narrative(
    summary: pd.DataFrame,
    arrangements: pd.DataFrame,
    reference_date: dt.date,
    months: int = 12,
    reference_services: pd.DataFrame | None = None,
) -> dict[str, Sentence]:
    """The chapter's finding sentences, each computed from the data and robust to empty results.

    Args:
        summary: the output of :func:`arrangement_summary`.
        arrangements: the cleaned ``arrangements`` table.
        reference_date: the edition's reference date.
        months: horizon of the agreements ending soon.
        reference_services: the reference list of services (acronyms in the overlaps).

    Returns:
        Sentences keyed ``overview``, ``most_shared``, ``kinds``, ``budget``, ``discrepancies``,
        ``fte``, ``productions``, ``overlaps``, ``concentration``, ``ending``, ``governance``.
    """
    totals = partnership_totals(summary, arrangements)
    out: dict[str, Sentence] = {}
    out["overview"] = Sentence(
        "On recense **{participations}** de **{services}** à **{arrangements}** distincts.",
        services=fmt.plural(totals["services"], "service répondant", "services répondants"),
        participations=fmt.plural(totals["participations"], "participation"),
        arrangements=fmt.plural(totals["arrangements"], "dispositif partenarial", "dispositifs partenariaux"),
    )
    if len(summary):
        top = summary.iloc[0]
        single = int((summary["n_services"] == 1).sum())
        out["most_shared"] = Sentence(
            "Le dispositif le plus partagé est **{name}**, cité par {n} ; {single} ne {verb} qu'un seul service "
            "de l'État.",
            name=top["name"], n=fmt.plural(int(top["n_services"]), "service"),
            single=fmt.plural(single, "dispositif"), verb="mobilise" if single < 2 else "mobilisent",
        )
        kinds = summary["kind"].fillna("Nature non précisée").value_counts()
        kinds = kinds.reindex([k for k in [*model.ARRANGEMENT_KIND.labels, "Nature non précisée"] if k in kinds])
        out["kinds"] = Sentence(
            "Par nature : {detail}.",
            detail=fmt.enumerate_fr([f"{k.lower()} ({fmt.number(v)})" for k, v in kinds.items()]),
        )
    else:
        out["most_shared"] = Sentence("Aucun service n'a déclaré de dispositif partenarial.")
        out["kinds"] = Sentence("Aucune nature de dispositif à détailler.")
    out["budget"] = Sentence(
        "Les budgets annuels déclarés totalisent **{total}**, dont **{state}** de crédits de l'État ({share}) ; "
        "{without} sans budget renseigné.",
        total=fmt.money(totals["total_budget"]), state=fmt.money(totals["state_credits"]),
        share=fmt.percent(totals["state_share"]),
        without=fmt.plural(totals["without_budget"], "dispositif reste", "dispositifs restent"),
    )
    n_disc = totals["discrepancies"]
    out["discrepancies"] = (
        Sentence(
            "Pour {n}, les montants déclarés par les services participants diffèrent de plus de {tol} : le "
            "budget retenu est la médiane des déclarations (astérisque dans le tableau).",
            n=fmt.plural(n_disc, "dispositif"), tol=fmt.percent(BUDGET_TOLERANCE),
        )
        if n_disc
        else Sentence("Les services participant à un même dispositif en déclarent des budgets concordants "
                      "(écart inférieur à {tol}).", tol=fmt.percent(BUDGET_TOLERANCE))
    )
    out["fte"] = Sentence(
        "Les services de l'État y consacrent au total **{fte}** déclarés.", fte=fmt.fte(totals["fte"])
    )
    productions, audiences = item_counts(summary, "productions"), item_counts(summary, "audiences")
    if len(productions) and len(audiences):
        out["productions"] = Sentence(
            "La production la plus fréquente est « {prod} » ({n_prod}) ; le public le plus visé est « {aud} » "
            "({n_aud}).",
            prod=productions.index[0], n_prod=fmt.plural(int(productions.iloc[0]), "dispositif"),
            aud=audiences.index[0], n_aud=fmt.plural(int(audiences.iloc[0]), "dispositif"),
        )
    else:
        out["productions"] = Sentence("Les productions et les publics visés ne sont pas renseignés.")
    pairs = overlaps(arrangements, reference_services)
    strong = pairs.loc[pairs["jaccard"] >= 0.5] if len(pairs) else pairs
    if len(pairs):
        first = pairs.iloc[0]
        out["overlaps"] = Sentence(
            "{n_pairs} partagent au moins un partenaire, une production ou un service, dont {n_strong} à 50 % "
            "ou plus. Le recouvrement le plus fort ({j}) associe **{a}** et **{b}**.",
            n_pairs=fmt.plural(len(pairs), "paire de dispositifs", "paires de dispositifs"),
            n_strong=fmt.number(len(strong)), j=fmt.percent(first["jaccard"]), a=first["name_a"], b=first["name_b"],
        )
    else:
        out["overlaps"] = Sentence("Aucun dispositif ne partage de partenaire, de production ou de service avec "
                                   "un autre.")
    money = state_money(summary)
    if len(money):
        n_top = min(3, len(money))
        out["concentration"] = Sentence(
            "Les crédits de l'État se répartissent entre {n} ; les {n_top} premiers en reçoivent **{share}**.",
            n=fmt.plural(len(money), "dispositif"), n_top=fmt.number(n_top), share=fmt.percent(top_share(money, 3)),
        )
    else:
        out["concentration"] = Sentence("Aucun crédit de l'État n'est déclaré dans les dispositifs.")
    ending = ending_soon(summary, reference_date, months)
    gone = expired(summary, reference_date)
    gone_text = fmt.plural(len(gone), "convention est déjà échue", "conventions sont déjà échues")
    out["ending"] = Sentence(
        "Dans les {months} mois qui suivent le {date}, {n} à échéance ; {gone} sans renouvellement déclaré.",
        date=fmt.date(reference_date), months=months, gone=gone_text,
        n=fmt.plural(len(ending), "convention arrive", "conventions arrivent"),
    ) if len(ending) != 1 else Sentence(
        "Dans les {months} mois qui suivent le {date}, une convention arrive à échéance (**{name}**, le {end}) ; "
        "{gone} sans renouvellement déclaré.",
        date=fmt.date(reference_date), months=months, name=ending["name"].iloc[0],
        end=fmt.date(ending["end_date"].iloc[0]), gone=gone_text,
    )
    gov = governance_table(summary)
    out["governance"] = Sentence(
        "{no_frame} sans cadre formel ; {no_state} aucun représentant de l'État dans leurs instances.",
        no_frame=fmt.plural(int(gov["no_formal_frame"].sum()), "dispositif fonctionne",
                            "dispositifs fonctionnent"),
        no_state=fmt.plural(int(gov["no_state_in_bodies"].sum()), "dispositif ne compte",
                            "dispositifs ne comptent"),
    )
    return out
