"""Figure builders: the figure has the expected bars, labels and annotations."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import tiny_tables
from matplotlib.patches import Rectangle

from analysis import figures as F
from analysis import indicators as ind
from analysis import model


def _bars(fig):
    ax = fig.axes[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_barh_sorted_with_values_and_wrapped_labels():
    s = pd.Series({"Court": 2, "Un libellé vraiment très long qui doit passer à la ligne": 5, "Moyen": 3})
    fig = F.barh(s, xlabel="Catégories")
    bars = _bars(fig)
    assert len(bars) == 3
    # Largest at the top: the bar with the highest y has width 5.
    assert max(bars, key=lambda b: b.get_y()).get_width() == 5
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("\n" in lab for lab in labels)
    assert [t.get_text() for t in fig.axes[0].texts] == ["5", "3", "2"]
    assert fig.get_size_inches()[0] <= 7


def test_barh_top_n_buckets_the_rest():
    s = pd.Series({f"S{i}": i for i in range(1, 8)})  # 1..7
    fig = F.barh(s, top=4)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # Top 3 (7, 6, 5) then "Autres (4)" = 1 + 2 + 3 + 4 = 10.
    # Tick labels are listed top bar first: the bucket is last (at the bottom).
    assert labels == ["S7", "S6", "S5", "Autres (4)"]
    assert sorted(b.get_width() for b in _bars(fig)) == [5, 6, 7, 10]


def test_barh_money_format():
    fig = F.barh(pd.Series({"IGN": 20000.0}), value_format=F.money_short)
    assert _texts(fig) == ["20\u202fk€"] or _texts(fig) == ["20 k€"]


def test_barh_empty_series_says_so():
    fig = F.barh(pd.Series(dtype=float))
    assert "Aucune donnée" in _texts(fig)[0]


def test_stacked_barh_segments_and_legend():
    t = tiny_tables()
    m = ind.diffusion_by_service(t.categories, ind.service_labels(t))
    fig = F.stacked_barh(m, legend_title="Statut de diffusion")
    # 4 services x 4 statuses = 16 patches (zero-width ones included).
    assert len(_bars(fig)) == 16
    legend = fig.legends[0]
    assert [x.get_text() for x in legend.get_texts()][0] == model.DIFFUSION.published
    # DREAL (top bar) totals 5 categories.
    top = max(b.get_y() for b in _bars(fig))
    assert sum(b.get_width() for b in _bars(fig) if b.get_y() == top) == 5


def test_share_bar_parts_sum_to_one():
    fig = F.share_bar(pd.Series({"Produite": 7, "Acquise": 4, "Coproduite": 1}))
    widths = [b.get_width() for b in _bars(fig)]
    assert sum(widths) == pytest.approx(1)
    assert "58 %" in _texts(fig)  # 7 / 12


def test_heatmap_annotates_non_zero_cells_only():
    m = pd.DataFrame([[1, 0], [0, 3]], index=["DREAL", "ARS"], columns=["Eau", "Santé"])
    fig = F.heatmap(m)
    assert sorted(_texts(fig)) == ["1", "3"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["DREAL", "ARS"]


def test_heatmap_many_rows_grows_and_rotates_single_line_labels():
    rows = [f"Service {i}" for i in range(45)]
    cols = model.THEME.labels
    m = pd.DataFrame(1, index=rows, columns=cols)
    fig = F.heatmap(m)
    w, h = fig.get_size_inches()
    assert w <= 7 and h > 10
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert all("\n" not in lab for lab in labels)
    assert all(len(lab) <= 30 for lab in labels)


def test_funnel_labels_counts_and_shares():
    t = tiny_tables()
    fig = F.funnel(ind.diffusion_funnel(t.categories))
    assert _texts(fig) == ["12", "8 (67 %)", "4 (33 %)"]
    widths = [b.get_width() for b in _bars(fig)]
    assert widths == [12, 8, 4]


def test_top_n_keeps_small_series():
    s = pd.Series({"a": 1, "b": 2})
    assert F.top_n(s, 5) is s


def test_wrap_limits_lines():
    text = " ".join(["mot"] * 60)
    assert len(F.wrap(text, 10).split("\n")) == 3
