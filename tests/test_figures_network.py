"""Tests of analysis.figures_network: deterministic layout, no overlapping labels, expected bars."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import figures_network, model, partnerships
from analysis.report import figure_to_svg


def _generated(n_services: int = 45, n_arrangements: int = 18, seed: int = 7):
    """A generated arrangements table: services of every type, long arrangement names, leads."""
    rng = np.random.default_rng(seed)
    types = model.SERVICE_TYPE.labels
    ref_services = pd.DataFrame({
        "id": [f"S{i:02d}" for i in range(n_services)],
        "acronym": [f"DDTM {i:02d}" if i % 3 else f"Préfecture de région {i:02d}" for i in range(n_services)],
        "name": [f"Service {i}" for i in range(n_services)],
        "ministry": "Transition écologique",
        "type": [types[i % len(types)] for i in range(n_services)],
        "departement": None,
        "variants": None,
    })
    kinds = model.ARRANGEMENT_KIND.labels
    ref_arr = pd.DataFrame({
        "id": [f"A{j:02d}" for j in range(n_arrangements)],
        "name": [f"Observatoire régional numéro {j} de la biodiversité et des paysages des Hauts-de-France"
                 for j in range(n_arrangements)],
        "kind": [kinds[j % len(kinds)] for j in range(n_arrangements)],
        "variants": None, "lead": None, "description": None,
    })
    rows = []
    for j in range(n_arrangements):
        drawn = rng.choice(n_services, size=min(int(rng.integers(1, 9)), n_services), replace=False)
        members = set(drawn) | {i for i in range(n_services) if i % n_arrangements == j}  # everyone takes part
        partners = model.MULTI_SEPARATOR.join(rng.choice(model.PARTNER.labels, size=3, replace=False))
        for k, i in enumerate(sorted(members)):
            row = {f: None for f in model.ARRANGEMENTS.field_names}
            row.update({
                "service_id": f"S{i:02d}", "arrangement": f"A{j:02d}", "arrangement_id": f"A{j:02d}",
                "arrangement_name": ref_arr["name"][j], "kind": kinds[j % len(kinds)], "partners": partners,
                "role": model.ROLE.lead if k == 0 else model.ROLE.contributor,
                "total_budget": 10_000.0 * (j + 1), "state_credits": 4_000.0 * (j + 1), "fte": 0.5,
                "productions": model.PRODUCTION.datasets, "audiences": model.AUDIENCE.public,
            })
            rows.append(row)
    df = pd.DataFrame(rows)
    df["state_in_bodies"] = df["state_in_bodies"].astype("boolean")
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col])
    return df, ref_services, ref_arr


@pytest.fixture(scope="module")
def generated():
    arrangements, ref_services, ref_arr = _generated()
    graph = partnerships.network_graph(arrangements, ref_services, ref_arr)
    return arrangements, ref_services, ref_arr, graph


def _overlapping_labels(fig):
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for ax in fig.axes for t in ax.texts
             if t.get_gid() == figures_network.LABEL_GID]
    return boxes, [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def test_network_map_labels_never_overlap(generated):
    *_, graph = generated
    assert sum(1 for _, d in graph.nodes(data=True) if d["layer"] == "service") >= 40
    fig = figures_network.network_map(graph)
    assert tuple(fig.get_size_inches()) == figures_network.MAP_SIZE  # 45 services need the full page
    boxes, overlapping = _overlapping_labels(fig)
    assert len(boxes) == graph.number_of_nodes()
    assert overlapping == []


def test_network_map_labels_never_overlap_with_many_services():
    arrangements, ref_services, ref_arr = _generated(n_services=70, n_arrangements=24, seed=3)
    graph = partnerships.network_graph(arrangements, ref_services, ref_arr)
    _, overlapping = _overlapping_labels(figures_network.network_map(graph))
    assert overlapping == []


def test_small_network_gets_a_smaller_figure():
    arrangements, ref_services, ref_arr = _generated(n_services=4, n_arrangements=2, seed=2)
    graph = partnerships.network_graph(arrangements, ref_services, ref_arr)
    width, height = figures_network.network_map(graph).get_size_inches()
    assert width == 7.0
    assert 4.0 <= height < figures_network.MAP_SIZE[1]
    _, overlapping = _overlapping_labels(figures_network.network_map(graph))
    assert overlapping == []


def test_layout_is_deterministic_and_layered(generated):
    *_, graph = generated
    pos = figures_network.layered_layout(graph)
    assert pos == figures_network.layered_layout(graph)
    xs = {d["layer"]: set() for _, d in graph.nodes(data=True)}
    for n, d in graph.nodes(data=True):
        xs[d["layer"]].add(pos[n][0])
    assert all(len(v) == 1 for v in xs.values())  # one column per layer
    assert xs["service"].pop() < xs["arrangement"].pop() < xs["partner"].pop()
    # arrangements top-down by number of participating services
    arr = sorted((n for n, d in graph.nodes(data=True) if d["layer"] == "arrangement"), key=lambda n: -pos[n][1])
    counts = [graph.nodes[n]["n_services"] for n in arr]
    assert counts == sorted(counts, reverse=True)
    # services grouped by type, in the questionnaire's order of types
    svc = sorted((n for n, d in graph.nodes(data=True) if d["layer"] == "service"), key=lambda n: -pos[n][1])
    groups = [graph.nodes[n]["group"] for n in svc]
    firsts = list(dict.fromkeys(groups))
    assert firsts == [t for t in model.SERVICE_TYPE.labels if t in firsts]
    assert len(firsts) == len([g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]])


def test_barycentre_ordering_puts_a_service_next_to_its_arrangement():
    # two services of the same type: S_low only in the least shared arrangement (bottom), S_top
    # in the most shared one (top): S_top must be drawn above S_low although "S_low" < "S_top".
    import networkx as nx

    graph = nx.Graph()
    graph.add_node("A:big", layer="arrangement", label="Big", n_services=3, kind=None)
    graph.add_node("A:small", layer="arrangement", label="Small", n_services=1, kind=None)
    for s in ("S_low", "S_top"):
        graph.add_node(s, layer="service", label=s, group=model.SERVICE_TYPE.regional, degree_arrangements=1)
    graph.add_edge("S_top", "A:big", role=None, weight=1)
    graph.add_edge("S_low", "A:small", role=None, weight=1)
    pos = figures_network.layered_layout(graph)
    assert pos["A:big"][1] > pos["A:small"][1]
    assert pos["S_top"][1] > pos["S_low"][1]


def test_network_map_svg_is_deterministic(generated):
    *_, graph = generated
    assert figure_to_svg(figures_network.network_map(graph)) == figure_to_svg(figures_network.network_map(graph))


def test_lead_edges_are_coloured(generated):
    *_, graph = generated
    fig = figures_network.network_map(graph)
    collections = fig.axes[0].collections
    n_leads = sum(1 for *_, d in graph.edges(data=True) if d.get("role") == model.ROLE.lead)
    assert any(len(c.get_segments()) == n_leads for c in collections)


def test_membership_matrix_one_marker_per_participation(generated):
    arrangements, *_, graph = generated
    fig = figures_network.membership_matrix(graph)
    points = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert points == len(arrangements.drop_duplicates(["service_id", "arrangement_id"]))


def _summary():
    return pd.DataFrame({
        "name": ["Géo2France", "ORB", "Club"],
        "total_budget": [300_000.0, 50_000.0, float("nan")],
        "state_credits": [100_000.0, 20_000.0, float("nan")],
        "budget_discrepancy": [True, False, False],
        "fte": [2.5, 0.0, 0.5],
        "productions": [f"{model.PRODUCTION.portal}; {model.PRODUCTION.datasets}", model.PRODUCTION.atlases, None],
        "audiences": [model.AUDIENCE.public, None, model.AUDIENCE.agents],
    })


def test_budget_bars_k_euros_and_discrepancy_star():
    fig = figures_network.budget_bars(_summary())
    ax = fig.axes[0]
    widths = sorted(round(p.get_width()) for p in ax.patches)
    assert widths == [20, 50, 100, 300]  # k€; the arrangement without budget is left out
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["ORB", "Géo2France *"]


def test_fte_bars_leave_out_zero():
    fig = figures_network.fte_bars(_summary())
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Club", "Géo2France"]


def test_presence_figure_dots():
    fig = figures_network.presence_figure(_summary())
    prod_ax, aud_ax = fig.axes
    assert len(prod_ax.collections[0].get_offsets()) == 3
    assert len(aud_ax.collections[0].get_offsets()) == 2
    assert len(prod_ax.get_xticklabels()) == len(model.PRODUCTION.labels)


def test_state_share_figure_bars():
    money = partnerships.state_money(_summary())
    fig = figures_network.state_share_figure(money)
    assert sorted(round(p.get_width()) for p in fig.axes[0].patches) == [17, 83]  # 20/120 and 100/120


def test_empty_inputs_give_a_message():
    empty = partnerships.arrangement_summary(_generated(2, 1)[0].iloc[0:0])
    for fig in (figures_network.budget_bars(empty), figures_network.fte_bars(empty),
                figures_network.presence_figure(empty)):
        assert fig.axes[0].texts
    import networkx as nx

    assert figures_network.network_map(nx.Graph()).axes[0].texts
