"""Figure builders of the report chapters: a DataFrame or Series in, a matplotlib Figure out.

Generic builders, reused by every chapter:

- :func:`barh`: horizontal bars with their values written at the end (long labels wrapped,
  top N kept and the rest summed into « Autres »);
- :func:`stacked_barh`: horizontal stacked bars (one bar per row, one colour per column);
- :func:`share_bar`: a single 100 % bar split into parts (instead of a pie);
- :func:`heatmap`: a counts matrix, rows (service acronyms) by columns (wrapped themes),
  cells annotated, colour map ``cividis``; its height grows with the number of rows so that
  40 services or more stay legible;
- :func:`funnel`: the diffusion funnel (centred bars, count and share written).

Every figure is at most 7 inches wide (A4 portrait), uses the colour-blind-safe palette of
:mod:`analysis.report`, French number formats (:mod:`analysis.fmt`) and no title inside the
image unless one is passed (the chapter's caption states the finding). Figures are built with
``matplotlib.figure.Figure`` (not pyplot), so that a notebook never shows them twice.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis import fmt
from analysis.report import PALETTE, SEQUENTIAL, setup_matplotlib

setup_matplotlib()

#: Widest figure (inches): the text width of an A4 portrait page.
MAX_WIDTH = 7.0
#: Height per bar or heatmap row (inches).
ROW_HEIGHT = 0.28
#: Largest figure height (inches).
MAX_HEIGHT = 10.0
OTHERS = "Autres"

ValueFormat = Callable[[float], str]


def wrap(label: object, width: int = 32) -> str:
    """Wrap a long label on several lines (``textwrap``), at most three lines (ellipsis after)."""
    lines = textwrap.wrap(str(label), width=width, break_long_words=False) or [""]
    if len(lines) > 3:
        lines = [*lines[:2], textwrap.shorten(" ".join(lines[2:]), width=width, placeholder="…")]
    return "\n".join(lines)


def _int_format(x: float) -> str:
    return fmt.number(x)


def _axis_formatter(value_format: ValueFormat | None) -> FuncFormatter:
    def f(x: float, _pos: int) -> str:
        if value_format is fmt.money or value_format is money_short:
            return _money_axis(x)
        if value_format is percent:
            return percent(x)
        return fmt.number(x, 0 if float(x).is_integer() else 1)

    return FuncFormatter(f)


def _money_axis(x: float) -> str:
    if abs(x) >= 1_000_000:
        return f"{fmt.number(x / 1_000_000, 0 if (x / 1_000_000).is_integer() else 1)} M€"
    if abs(x) >= 1_000:
        return f"{fmt.number(x / 1_000, 0 if (x / 1_000).is_integer() else 1)} k€"
    return f"{fmt.number(x)} €"


def money_short(x: float) -> str:
    """Short euros for axes and bar labels ("12 k€", "1,2 M€")."""
    return fmt.money(x, short=True)


def percent(x: float) -> str:
    """A share (0.38) as "38 %"."""
    return fmt.percent(x)


def top_n(series: pd.Series, n: int, others: str = OTHERS) -> pd.Series:
    """Keep the ``n - 1`` largest values and sum the rest into an ``others`` bucket.

    Args:
        series: values indexed by label.
        n: the number of bars shown (the bucket included).
        others: label of the bucket.

    Returns:
        the series itself when it has at most ``n`` values; else the top ``n - 1`` (largest
        first) and the bucket, labelled « Autres (k) ».
    """
    if len(series) <= n:
        return series
    s = series.sort_values(ascending=False, kind="mergesort")
    head, rest = s.iloc[: n - 1], s.iloc[n - 1:]
    return pd.concat([head, pd.Series({f"{others} ({len(rest)})": rest.sum()})])


def _height(n_rows: int, extra: float = 0.9, minimum: float = 1.6) -> float:
    return float(min(MAX_HEIGHT, max(minimum, n_rows * ROW_HEIGHT + extra)))


def _new(width: float, height: float) -> tuple[Figure, object]:
    fig = Figure(figsize=(min(width, MAX_WIDTH), height), layout="constrained")
    ax = fig.subplots()
    return fig, ax


def _empty(fig: Figure, ax, message: str = "Aucune donnée à représenter") -> Figure:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555555")
    return fig


def barh(
    series: pd.Series,
    title: str | None = None,
    xlabel: str = "Nombre",
    value_format: ValueFormat | None = None,
    top: int | None = 15,
    color: str = PALETTE[0],
    highlight: Sequence[str] = (),
    wrap_width: int = 34,
    sort: bool = True,
) -> Figure:
    """Horizontal bars, largest at the top, each value written at the end of its bar.

    Args:
        series: values indexed by label (French labels).
        title: optional title inside the figure (the caption usually carries it).
        xlabel: axis label (unit).
        value_format: how bar values are written (default: French integer/decimal).
        top: keep this many bars at most, the rest summed into « Autres (k) » (``None``: all).
        color: bar colour.
        highlight: labels drawn in the palette's second colour (e.g. a total, a gap).
        wrap_width: characters per line of the labels.
        sort: sort by value (largest first); ``False`` keeps the series order.

    Returns:
        the figure (one bar patch per kept value, in display order from top to bottom).
    """
    s = pd.Series(series).dropna()
    if sort:
        s = s.sort_values(ascending=False, kind="mergesort")
    if top is not None:
        s = top_n(s, top) if sort else s
    labels = [wrap(i, wrap_width) for i in s.index]
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    fig, ax = _new(MAX_WIDTH, _height(len(s)) * (1 + 0.35 * (lines - 1)))
    if s.empty:
        return _empty(fig, ax)
    value_format = value_format or _int_format
    colors = [PALETTE[1] if i in highlight else color for i in s.index]
    y = np.arange(len(s))[::-1]
    bars = ax.barh(y, s.to_numpy(dtype=float), color=colors, height=0.7)
    ax.set_yticks(y, labels)
    for bar, value in zip(bars, s.to_numpy(dtype=float), strict=True):
        ax.annotate(value_format(value), (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_xlim(0, max(float(s.max()), 1e-9) * 1.15)
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_formatter(_axis_formatter(value_format))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=value_format is _int_format))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, loc="left")
    return fig


def stacked_barh(
    df: pd.DataFrame,
    title: str | None = None,
    xlabel: str = "Nombre",
    colors: Sequence[str] | None = None,
    wrap_width: int = 30,
    legend_title: str | None = None,
    normalize: bool = False,
    annotate: bool = True,
    sort: bool = False,
    bar_height: float = 0.7,
) -> Figure:
    """Horizontal stacked bars: one bar per row of ``df``, one segment per column.

    Args:
        df: counts, rows = bars (labels in the index), columns = segments (legend, in order).
        title: optional title inside the figure.
        xlabel: axis label.
        colors: one colour per column (default: the palette).
        wrap_width: characters per line of row labels.
        legend_title: title of the legend (placed under the plot, never over the bars).
        normalize: draw shares of each row (100 % bars) instead of counts.
        annotate: write each segment's value when it is wide enough.
        sort: sort rows by total (largest at the top); otherwise the first row is at the top.
        bar_height: thickness of the bars (0 to 1).

    Returns:
        the figure (``len(df) * len(df.columns)`` bar patches).
    """
    data = df.fillna(0).astype(float)
    if sort:
        data = data.loc[data.sum(axis=1).sort_values(ascending=False, kind="mergesort").index]
    n_cols = len(data.columns)
    legend_rows = int(np.ceil(n_cols / 3)) if n_cols else 0
    fig, ax = _new(MAX_WIDTH, _height(len(data), extra=1.0 + 0.25 * legend_rows))
    if data.empty or data.to_numpy().sum() == 0:
        return _empty(fig, ax)
    values = data.div(data.sum(axis=1).replace(0, np.nan), axis=0).fillna(0) if normalize else data
    colors = list(colors or PALETTE)
    y = np.arange(len(values))[::-1]
    left = np.zeros(len(values))
    span = float(values.sum(axis=1).max()) or 1.0
    for i, col in enumerate(values.columns):
        vals = values[col].to_numpy()
        color = colors[i % len(colors)]
        bars = ax.barh(y, vals, left=left, color=color, height=bar_height, label=wrap(col, 28),
                       edgecolor="white", linewidth=0.5)
        if annotate:
            text_color = "white" if color in (PALETTE[0], PALETTE[5], PALETTE[7], PALETTE[2]) else "black"
            for bar, v, raw in zip(bars, vals, data[col].to_numpy(), strict=True):
                if v / span >= 0.06:
                    label = percent(v) if normalize else fmt.number(raw)
                    ax.text(bar.get_x() + v / 2, bar.get_y() + bar.get_height() / 2, label,
                            ha="center", va="center", fontsize=7.5, color=text_color)
        left += vals
    ax.set_yticks(y, [wrap(i, wrap_width) for i in values.index])
    ax.set_xlabel("Part" if normalize and xlabel == "Nombre" else xlabel)
    if normalize:
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: percent(x)))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.xaxis.set_major_formatter(_axis_formatter(None))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.legend(loc="outside lower center", ncols=min(3, n_cols), frameon=False, fontsize=8,
               title=legend_title, title_fontsize=8)
    if title:
        ax.set_title(title, loc="left")
    return fig


def share_bar(series: pd.Series, title: str | None = None, colors: Sequence[str] | None = None) -> Figure:
    """One 100 % horizontal bar split into the parts of ``series`` (a readable pie).

    Args:
        series: counts indexed by label, in display order.
        title: optional title inside the figure.
        colors: one colour per part.

    Returns:
        the figure (one patch per non-zero part), each part labelled with its share.
    """
    s = pd.Series(series).dropna()
    s = s[s > 0]
    frame = pd.DataFrame([s.to_numpy()], columns=list(s.index), index=[""])
    fig = stacked_barh(frame, title=title, colors=colors, normalize=True, xlabel="Part", bar_height=0.8)
    fig.set_size_inches(MAX_WIDTH, 1.5 + 0.25 * int(np.ceil(len(s) / 3)))
    for side in ("left",):
        fig.axes[0].spines[side].set_visible(False)
    fig.axes[0].set_yticks([])
    return fig


def _text_color(rgba: tuple[float, ...]) -> str:
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def heatmap(
    matrix: pd.DataFrame,
    title: str | None = None,
    cmap: str = SEQUENTIAL + "_r",
    annotate: bool = True,
    value_format: ValueFormat | None = None,
    col_wrap: int = 14,
    row_wrap: int = 24,
    colorbar_label: str = "Nombre",
    zero_blank: bool = True,
) -> Figure:
    """A matrix as a heatmap: rows (e.g. service acronyms) by columns (e.g. themes).

    Column labels are wrapped and rotated; cells are annotated (zeros and missing cells left
    blank); the height grows with the number of rows (readable with 40 services or more).

    Args:
        matrix: numbers, rows and columns labelled.
        title: optional title inside the figure.
        cmap: colour map (perceptually uniform, colour-blind-safe; reversed ``cividis`` by
            default: light for few, dark for many; zero cells are drawn light grey).
        annotate: write each cell's value.
        value_format: cell format (default: integer; :func:`percent` for shares).
        col_wrap: characters per line of column labels.
        row_wrap: characters per line of row labels.
        colorbar_label: label of the colour bar.
        zero_blank: leave zero cells without text.

    Returns:
        the figure (one image; ``len(ax.texts)`` cell annotations).
    """
    m = matrix.astype(float)
    n_rows, n_cols = m.shape
    rotate = n_cols > 8
    if rotate:  # one line per rotated label: wrapped lines would overlap their neighbours
        col_labels = [textwrap.shorten(str(c), width=30, placeholder="…") for c in m.columns]
        label_height = max((len(c) for c in col_labels), default=1) * 0.065
    else:
        col_labels = [wrap(c, col_wrap) for c in m.columns]
        label_height = max((len(c.split("\n")) for c in col_labels), default=1) * 0.16
    height = min(MAX_HEIGHT + 4, max(2.2, n_rows * 0.24 + label_height + 0.8))
    fig, ax = _new(MAX_WIDTH, height)
    if m.empty or np.isnan(m.to_numpy()).all():
        return _empty(fig, ax)
    value_format = value_format or _int_format
    cm = colormaps[cmap]
    vmax = np.nanmax(m.to_numpy()) or 1.0
    shown = m.to_numpy().copy()
    if zero_blank:
        shown[shown == 0] = np.nan
    cm = cm.with_extremes(bad="#f0f0f0")
    image = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cm, vmin=0, vmax=vmax,
                      interpolation="nearest")
    ax.set_xticks(np.arange(n_cols), col_labels, rotation=90 if rotate else 0, fontsize=7.5,
                  ha="center", va="top")
    ax.set_yticks(np.arange(n_rows), [wrap(r, row_wrap) for r in m.index], fontsize=8 if n_rows < 30 else 7)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks(np.arange(-0.5, n_cols, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="minor", length=0)
    if annotate:
        size = 7 if n_rows < 30 else 6
        for i in range(n_rows):
            for j in range(n_cols):
                v = m.iat[i, j]
                if np.isnan(v) or (zero_blank and v == 0):
                    continue
                ax.text(j, i, value_format(v), ha="center", va="center", fontsize=size,
                        color=_text_color(cm(v / vmax)))
    cbar = fig.colorbar(image, ax=ax, shrink=min(1.0, 6 / max(n_rows, 1)) if n_rows > 12 else 0.8, pad=0.02)
    cbar.set_label(colorbar_label, fontsize=8)
    cbar.ax.tick_params(labelsize=7)
    if value_format is percent:
        cbar.ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _p: percent(x)))
    else:
        cbar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if title:
        ax.set_title(title, loc="left")
    return fig


def funnel(stages: pd.DataFrame, title: str | None = None, colors: Sequence[str] | None = None) -> Figure:
    """A funnel: centred horizontal bars narrowing from the first stage to the last.

    Args:
        stages: ``stage`` (label), ``n`` (count) and optionally ``share_of_held`` (share of the
            first stage), in funnel order (e.g. :func:`analysis.indicators.diffusion_funnel`).
        title: optional title inside the figure.
        colors: one colour per stage.

    Returns:
        the figure (one bar per stage), each labelled "n (share)".
    """
    fig, ax = _new(MAX_WIDTH, _height(len(stages), extra=0.6, minimum=1.8) + 0.3)
    if stages.empty:
        return _empty(fig, ax)
    colors = list(colors or [PALETTE[0], PALETTE[4], PALETTE[2]])
    n = stages["n"].to_numpy(dtype=float)
    top = float(n.max()) or 1.0
    share = stages["share_of_held"] if "share_of_held" in stages else pd.Series(n / top)
    y = np.arange(len(stages))[::-1]
    for k, (yy, v) in enumerate(zip(y, n, strict=True)):
        color = colors[k % len(colors)]
        ax.barh(yy, v, left=(top - v) / 2, color=color, height=0.75)
        label = f"{fmt.number(v)} ({percent(share.iloc[k])})" if k else fmt.number(v)
        ax.text(top / 2, yy, label, ha="center", va="center", fontsize=9,
                color="white" if color in (PALETTE[0], PALETTE[2]) else "black", fontweight="bold")
    ax.set_yticks(y, [wrap(s, 24) for s in stages["stage"]])
    ax.set_xlim(0, top)
    ax.set_xticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title, loc="left")
    return fig
