"""Figures of the partnership chapter: the network map, the membership matrix and bar charts.

The network map is a deterministic three-column drawing, never a force layout (which turns 60
services and 20 arrangements into a hairball):

- centre: the arrangements, sorted by number of participating services (most shared on top),
  each a box coloured by kind;
- left: the services, grouped by service type (the questionnaire's order), each group sorted by
  the barycentre of its arrangements' heights so that edges cross as little as possible;
- right: the partner types, sorted the same way.

Edges are light grey; a service's edge to an arrangement it leads (pilote, co-pilote) is coloured.
Font sizes follow the number of nodes so that labels never overlap (tested with the renderer).

Every function takes DataFrames or the graph of :func:`analysis.partnerships.network_graph` and
returns a ``matplotlib.figure.Figure`` sized for an A4 page (at most 7 in wide).
"""

from __future__ import annotations

import textwrap

import matplotlib.colors as mcolors
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis import model, partnerships
from analysis.report import PALETTE

#: Size of the network map and of the matrix (inches): a full A4 page with its caption.
MAP_SIZE = (7.0, 9.5)

#: Colour of the edges of a lead (pilote) and a co-lead.
ROLE_COLOURS = {model.ROLE.lead: PALETTE[5], model.ROLE.colead: PALETTE[1]}
EDGE_GREY = "#b3b3b3"
#: gid given to every node label (the layout test finds them by it).
LABEL_GID = "node-label"

_X_SERVICE, _X_ARRANGEMENT, _X_PARTNER = 0.25, 0.52, 0.78
_LEGEND_IN, _TITLE_IN = 1.0, 0.35  # room below the map for the legend, above it for the column titles


def _new_figure(size: tuple[float, float]) -> Figure:
    """A figure outside pyplot (never shown twice by Jupyter) with an Agg canvas for measuring."""
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def _empty(fig: Figure, ax, message: str) -> Figure:
    """The figure of an empty table: no axes, one centred message."""
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center")
    return fig


def _wrap(text: str, width: int, lines: int = 2) -> str:
    """Wrap a label on at most ``lines`` lines, with an ellipsis when cut."""
    wrapped = textwrap.wrap(str(text), width=width, max_lines=lines, placeholder="…", break_on_hyphens=False)
    return "\n".join(wrapped) or str(text)


def _tint(colour: str, amount: float = 0.65) -> tuple[float, float, float]:
    """A lighter shade of a colour (mixed with white)."""
    r, g, b = mcolors.to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _ordered_groups(groups: set[str]) -> list[str]:
    known = [label for label in model.SERVICE_TYPE.labels if label in groups]
    return known + sorted(groups - set(known))


def _group_colours() -> dict[str, str]:
    return dict(zip(model.SERVICE_TYPE.labels, PALETTE, strict=False))


def _kind_colours() -> dict[str, tuple[float, float, float]]:
    kinds = model.ARRANGEMENT_KIND.labels
    base = [PALETTE[4], PALETTE[2], PALETTE[3], PALETTE[6], PALETTE[5], "#999999"]
    return {k: _tint(c, 0.6) for k, c in zip(kinds, base, strict=True)}


# ---------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------


def _nodes(graph: nx.Graph, layer: str) -> list[str]:
    return [n for n, d in graph.nodes(data=True) if d.get("layer") == layer]


def _barycentre(graph: nx.Graph, node: str, y: dict[str, float]) -> float:
    pos = [(y[m], graph.edges[node, m].get("weight", 1.0)) for m in graph.neighbors(node) if m in y]
    if not pos:
        return 0.5
    return float(np.average([p for p, _ in pos], weights=[w for _, w in pos]))


def layered_layout(graph: nx.Graph, group_gap: float = 0.6) -> dict[str, tuple[float, float]]:
    """Deterministic positions of the three columns (x in [0, 1], y in [0, 1], top = 1).

    Args:
        graph: the graph of :func:`analysis.partnerships.network_graph`.
        group_gap: blank space between two service groups, in service slots.

    Returns:
        ``{node: (x, y)}`` for every node.
    """
    arrangements = sorted(
        _nodes(graph, "arrangement"),
        key=lambda n: (-graph.nodes[n].get("n_services", 0), str(graph.nodes[n].get("label", n))),
    )
    pos: dict[str, tuple[float, float]] = {}
    y_arr = {n: 1 - (i + 0.5) / len(arrangements) for i, n in enumerate(arrangements)}
    pos.update({n: (_X_ARRANGEMENT, y) for n, y in y_arr.items()})

    services = _nodes(graph, "service")
    groups: dict[str, list[str]] = {}
    for n in services:
        groups.setdefault(str(graph.nodes[n].get("group", model.SERVICE_TYPE.other)), []).append(n)
    order = _ordered_groups(set(groups))
    slots = len(services) + group_gap * max(len(order) - 1, 0)
    cursor = 0.0
    for g in order:
        members = sorted(groups[g], key=lambda n: (-_barycentre(graph, n, y_arr), str(graph.nodes[n]["label"])))
        for n in members:
            pos[n] = (_X_SERVICE, 1 - (cursor + 0.5) / slots)
            cursor += 1
        cursor += group_gap

    partners = sorted(_nodes(graph, "partner"), key=lambda n: (-_barycentre(graph, n, y_arr), str(n)))
    # partners spread over the middle of the height (few nodes: no need to use the full column)
    span = min(1.0, 0.12 + 0.09 * len(partners))
    for i, n in enumerate(partners):
        pos[n] = (_X_PARTNER, 0.5 + span / 2 - (i + 0.5) * span / max(len(partners), 1))
    return pos


def _font_size(slot_points: float, lines: int, ceiling: float, floor: float = 3.5) -> float:
    """Largest font (points) whose ``lines`` lines fit in a slot, with a margin."""
    return float(max(floor, min(ceiling, slot_points / (1.25 * lines + 0.6))))


# ---------------------------------------------------------------------------------------------
# Network map
# ---------------------------------------------------------------------------------------------


def map_size(graph: nx.Graph) -> tuple[float, float]:
    """Figure size of the network map: 7 in wide, as tall as the nodes need, at most ``MAP_SIZE``.

    Args:
        graph: the graph of :func:`analysis.partnerships.network_graph`.

    Returns:
        (width, height) in inches.
    """
    counts = {layer: len(_nodes(graph, layer)) for layer in ("service", "arrangement", "partner")}
    needed_pt = max(counts["service"] * 13, counts["arrangement"] * 30, counts["partner"] * 24, 120)
    height = needed_pt / 72 + _LEGEND_IN + _TITLE_IN
    return (MAP_SIZE[0], float(min(MAP_SIZE[1], max(4.0, round(height, 1)))))


def network_map(graph: nx.Graph, size: tuple[float, float] | None = None) -> Figure:
    """Draw the services – arrangements – partners map (layout: :func:`layered_layout`).

    Args:
        graph: the graph of :func:`analysis.partnerships.network_graph`.
        size: figure size in inches (default: :func:`map_size`).

    Returns:
        The figure; every node label is a ``Text`` with gid ``LABEL_GID``.
    """
    size = size or map_size(graph)
    fig = _new_figure(size)
    axes_height = size[1] - _LEGEND_IN - _TITLE_IN
    ax = fig.add_axes((0.0, _LEGEND_IN / size[1], 1.0, axes_height / size[1]))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    if graph.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "Aucun dispositif déclaré", ha="center", va="center")
        return fig
    pos = layered_layout(graph)
    height_pt = axes_height * 72
    services, arrangements, partners = (_nodes(graph, layer) for layer in ("service", "arrangement", "partner"))
    n_groups = len({graph.nodes[n].get("group") for n in services})
    fs_service = _font_size(height_pt / max(len(services) + 0.6 * (n_groups - 1), 1), 1, 7.0)
    slot_arr = height_pt / max(len(arrangements), 1)
    arr_lines = 2 if _font_size(slot_arr, 2, 7.5) >= 5.5 else 1
    fs_arr = _font_size(slot_arr, arr_lines, 7.5)
    fs_partner = 7.0

    # edges: grey first, then the leads' coloured edges on top
    grey, grey_w, lead, lead_c = [], [], [], []
    for u, v, d in graph.edges(data=True):
        segment = [pos[u], pos[v]]
        role = d.get("role")
        if role in ROLE_COLOURS:
            lead.append(segment)
            lead_c.append(ROLE_COLOURS[role])
        else:
            grey.append(segment)
            is_partner = "partner" in (graph.nodes[u]["layer"], graph.nodes[v]["layer"])
            grey_w.append(0.25 + 0.15 * min(d.get("weight", 1.0), 8) if is_partner else 0.5)
    ax.add_collection(LineCollection(grey, colors=EDGE_GREY, linewidths=grey_w, alpha=0.6, zorder=1))
    ax.add_collection(LineCollection(lead, colors=lead_c, linewidths=1.3, alpha=0.9, zorder=2))

    # services: dot sized by number of arrangements, coloured by type, acronym on the left
    colours = _group_colours()
    for n in services:
        d = graph.nodes[n]
        x, y = pos[n]
        ax.scatter([x], [y], s=6 + 5 * d.get("degree_arrangements", 1), color=colours.get(d["group"], PALETTE[7]),
                   zorder=3, linewidths=0)
        ax.text(x - 0.012, y, _wrap(d["label"], 26, 1), ha="right", va="center", fontsize=fs_service, gid=LABEL_GID)

    # arrangements: a box coloured by kind, "(n)" = participating services
    kinds = _kind_colours()
    for n in arrangements:
        d = graph.nodes[n]
        x, y = pos[n]
        label = f"{_wrap(d['label'], 34 if arr_lines > 1 else 44, arr_lines)} ({d.get('n_services', 0)})"
        ax.text(x, y, label, ha="center", va="center", fontsize=fs_arr, zorder=4, gid=LABEL_GID, linespacing=1.05,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": kinds.get(d.get("kind"), "#eeeeee"),
                      "edgecolor": "#666666", "linewidth": 0.5})

    # partner types: dot sized by number of arrangements, label on the right
    for n in partners:
        d = graph.nodes[n]
        x, y = pos[n]
        ax.scatter([x], [y], s=10 + 6 * d.get("n_arrangements", 1), color="#555555", zorder=3, linewidths=0)
        ax.text(x + 0.015, y, _wrap(d["label"], 26, 2), ha="left", va="center", fontsize=fs_partner, gid=LABEL_GID)

    for x, title, ha in ((_X_SERVICE, "Services (par type)", "right"), (_X_ARRANGEMENT, "Dispositifs (nb de services)",
                         "center"), (_X_PARTNER, "Types de partenaires", "left")):
        ax.text(x, 1.015, title, ha=ha, va="bottom", fontsize=8, fontweight="bold")

    groups = _ordered_groups({graph.nodes[n]["group"] for n in services})
    handles = [Line2D([], [], marker="o", linestyle="", color=colours.get(g, PALETTE[7]), label=g) for g in groups]
    used_kinds = [k for k in model.ARRANGEMENT_KIND.labels if any(graph.nodes[n].get("kind") == k for n in arrangements)]
    handles += [Patch(facecolor=kinds[k], edgecolor="#666666", linewidth=0.5, label=k) for k in used_kinds]
    handles += [Line2D([], [], color=c, linewidth=1.5, label=f"Lien : {r.lower()}") for r, c in ROLE_COLOURS.items()]
    handles += [Line2D([], [], color=EDGE_GREY, linewidth=1, label="Lien : contributeur, utilisateur, partenaire")]
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=6.5, frameon=False,
               handlelength=1.4, columnspacing=1.2)
    return fig


def membership_matrix(graph: nx.Graph) -> Figure:
    """Services (rows, in the map's order) × arrangements (columns): who takes part, in which role.

    The figure is 7 in wide at most and as tall as the rows need (at most ``MAP_SIZE``).

    Args:
        graph: the graph of :func:`analysis.partnerships.network_graph`.

    Returns:
        The figure (one marker per participation, coloured by role).
    """
    pos = layered_layout(graph)
    services = sorted(_nodes(graph, "service"), key=lambda n: -pos[n][1])
    arrangements = sorted(_nodes(graph, "arrangement"), key=lambda n: -pos[n][1])
    left, header, footer = 1.5, 2.1, 0.45  # inches: row labels, rotated column labels, legend
    rows_in = min(MAP_SIZE[1] - header - footer, max(1.0, 0.17 * len(services)))
    cols_in = min(MAP_SIZE[0] - left - 0.1, max(1.2, 0.3 * len(arrangements)))
    size = (MAP_SIZE[0], rows_in + header + footer)
    fig = _new_figure(size)
    ax = fig.add_axes((left / size[0], footer / size[1], cols_in / size[0], rows_in / size[1]))
    if not services:
        return _empty(fig, ax, "Aucun dispositif déclaré")
    roles = model.ROLE.labels
    role_colours = {model.ROLE.lead: PALETTE[5], model.ROLE.colead: PALETTE[1], model.ROLE.contributor: PALETTE[0],
                    model.ROLE.user: PALETTE[4]}
    row = {n: i for i, n in enumerate(services)}
    col = {n: j for j, n in enumerate(arrangements)}
    for role in [*roles, None]:
        pts = [(col[v if v in col else u], row[u if u in row else v]) for u, v, d in graph.edges(data=True)
               if d.get("role") == role and (u in row or v in row)]
        if pts:
            xs, ys = zip(*pts, strict=True)
            ax.scatter(xs, ys, s=22, color=role_colours.get(role, "#999999"), label=role or "Non précisé", zorder=3)
    groups = [graph.nodes[n].get("group") for n in services]
    for i in range(1, len(groups)):
        if groups[i] != groups[i - 1]:  # a rule between two service types
            ax.axhline(i - 0.5, color="#888888", linewidth=0.6, zorder=1)
    fs_rows = _font_size(rows_in * 72 / len(services), 1, 7.0)
    ax.set_yticks(range(len(services)), [graph.nodes[n]["label"] for n in services], fontsize=fs_rows)
    ax.set_xticks(range(len(arrangements)), [_wrap(graph.nodes[n]["label"], 38, 1) for n in arrangements],
                  rotation=90, fontsize=6.5)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.6, len(arrangements) - 0.4)
    ax.set_ylim(len(services) - 0.5, -0.5)
    ax.grid(True, color="#e6e6e6", linewidth=0.5, zorder=0)
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top", "right"):
        ax.spines[side].set_visible(False)
    fig.legend(loc="lower left", bbox_to_anchor=(0.02, 0.0), ncol=4, fontsize=7, frameon=False)
    return fig


# ---------------------------------------------------------------------------------------------
# Bars and presence matrix
# ---------------------------------------------------------------------------------------------


def _bar_height(n: int) -> float:
    return min(9.0, 1.1 + 0.32 * n)


def budget_bars(summary: pd.DataFrame) -> Figure:
    """Total annual budget vs State credits per arrangement (horizontal grouped bars, k€).

    Args:
        summary: the output of :func:`analysis.partnerships.arrangement_summary`.

    Returns:
        The figure; arrangements without any budget reported are left out, a "*" marks reports
        that differ by more than the tolerance.
    """
    data = summary.loc[summary["total_budget"].notna() | summary["state_credits"].notna()]
    data = data.sort_values(["total_budget", "name"], ascending=[True, False], na_position="first")
    fig = _new_figure((7.0, _bar_height(len(data))))
    ax = fig.add_subplot()
    if data.empty:
        return _empty(fig, ax, "Aucun budget déclaré")
    y = np.arange(len(data))
    h = 0.38
    total = data["total_budget"].fillna(0).to_numpy() / 1000
    state = data["state_credits"].fillna(0).to_numpy() / 1000
    ax.barh(y + h / 2, total, height=h, color=PALETTE[0], label="Budget annuel total")
    ax.barh(y - h / 2, state, height=h, color=PALETTE[1], label="Dont crédits de l'État")
    labels = [_wrap(n, 34, 2) + (" *" if flag else "") for n, flag in zip(data["name"], data["budget_discrepancy"],
                                                                           strict=True)]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("k€ par an")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}".replace(",", "\u202f"))
    ax.legend(loc="lower right", fontsize=7, frameon=False)
    ax.set_ylim(-0.7, len(data) - 0.3)
    fig.tight_layout()
    return fig


def fte_bars(summary: pd.DataFrame) -> Figure:
    """Staff (FTE) the responding services devote to each arrangement (horizontal bars).

    Args:
        summary: the output of :func:`analysis.partnerships.arrangement_summary`.

    Returns:
        The figure (arrangements without FTE reported left out).
    """
    data = summary.loc[summary["fte"].fillna(0) > 0].sort_values(["fte", "name"], ascending=[True, False])
    fig = _new_figure((7.0, _bar_height(len(data)) * 0.8))
    ax = fig.add_subplot()
    if data.empty:
        return _empty(fig, ax, "Aucun ETP déclaré")
    y = np.arange(len(data))
    ax.barh(y, data["fte"], height=0.6, color=PALETTE[2])
    for yi, v in zip(y, data["fte"], strict=True):
        ax.text(v, yi, f" {v:.1f}".replace(".", ","), va="center", fontsize=7)
    ax.set_yticks(y, [_wrap(n, 40, 1) for n in data["name"]], fontsize=7)
    ax.set_xlabel("ETP des services de l'État")
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}".replace(".", ","))
    ax.set_ylim(-0.6, len(data) - 0.4)
    fig.tight_layout()
    return fig


def presence_figure(summary: pd.DataFrame) -> Figure:
    """Arrangements × productions and × target audiences, as two dot matrices side by side.

    Args:
        summary: the output of :func:`analysis.partnerships.arrangement_summary`.

    Returns:
        The figure (a dot where at least one participant reported the item).
    """
    prod = partnerships.presence_matrix(summary, "productions")
    aud = partnerships.presence_matrix(summary, "audiences")
    n = len(summary)
    fig = _new_figure((7.0, min(9.0, 2.2 + 0.24 * n)))
    if n == 0:
        ax = fig.add_subplot()
        return _empty(fig, ax, "Aucun dispositif déclaré")
    axes = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [len(prod.columns), len(aud.columns)]})
    for ax, matrix, title in ((axes[0], prod, "Productions"), (axes[1], aud, "Publics visés")):
        ys, xs = np.nonzero(matrix.to_numpy())
        ax.scatter(xs, ys, s=28, color=PALETTE[0] if title == "Productions" else PALETTE[2], zorder=3)
        ax.set_xticks(range(len(matrix.columns)), [_wrap(c, 22, 2) for c in matrix.columns], rotation=90, fontsize=6.5)
        ax.xaxis.tick_top()
        ax.set_title(title, fontsize=8, pad=4, y=-0.02, va="top")
        ax.set_xlim(-0.6, len(matrix.columns) - 0.4)
        ax.grid(True, color="#e6e6e6", linewidth=0.5, zorder=0)
        ax.tick_params(length=0)
        for side in ax.spines:
            ax.spines[side].set_visible(False)
    axes[0].set_yticks(range(n), [_wrap(x, 40, 1) for x in prod.index], fontsize=6.5)
    axes[0].set_ylim(n - 0.5, -0.5)
    fig.tight_layout()
    return fig


def state_share_figure(money: pd.DataFrame) -> Figure:
    """Cumulative share of State credits by arrangement rank (concentration curve with bars).

    Args:
        money: the output of :func:`analysis.partnerships.state_money`.

    Returns:
        The figure: bars of each arrangement's share, line of the cumulative share.
    """
    fig = _new_figure((7.0, _bar_height(len(money)) * 0.85))
    ax = fig.add_subplot()
    if money.empty:
        return _empty(fig, ax, "Aucun crédit de l'État déclaré")
    data = money.iloc[::-1]
    y = np.arange(len(data))
    ax.barh(y, data["share"] * 100, height=0.6, color=PALETTE[1], label="Part des crédits de l'État")
    ax.plot(data["cumulative_share"] * 100, y, marker="o", markersize=3, color=PALETTE[0], linewidth=1,
            label="Part cumulée")
    ax.set_yticks(y, [_wrap(n, 40, 1) for n in data["name"]], fontsize=7)
    ax.set_xlim(0, 105)
    ax.set_xlabel("% des crédits de l'État engagés dans les dispositifs")
    fig.legend(loc="lower center", ncol=2, fontsize=7, frameon=False)
    ax.set_ylim(-0.6, len(data) - 0.4)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


__all__ = [
    "MAP_SIZE", "LABEL_GID", "layered_layout", "network_map", "membership_matrix", "budget_bars", "fte_bars",
    "presence_figure", "state_share_figure",
]
