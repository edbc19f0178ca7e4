"""What a chapter notebook calls to show text, figures and tables.

A chapter notebook is a handful of cells::

    from analysis.report import Chapter
    edition_file = "config/hauts-de-france-2021.yaml"   # parameters cell
    audience = "interne"
    ch = Chapter("02", edition_file, audience)
    ch.text("Sur {n} catégories recensées, {p} sont acquises auprès de tiers.", n=612, p=0.38)
    ch.figure(fig, "Catégories par thème", alt="Barres horizontales…")
    ch.table(df, "Principales catégories acquises")

Everything is emitted as HTML display outputs. Every value coming from the data is escaped, so a
category titled ``<script>`` shows as text. Figures are SVG made deterministic (no date, fixed
ids) so that two builds of the same inputs give byte-identical reports.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import fmt  # noqa: E402
from analysis.edition import Edition, load_edition  # noqa: E402
from analysis.tables import Tables, load_tables  # noqa: E402

#: Okabe–Ito colour-blind-safe palette (qualitative).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
#: Sequential colour map for heatmaps (perceptually uniform, colour-blind-safe).
SEQUENTIAL = "cividis"

AUDIENCE_LABELS = {"interne": "Diffusion interne — ne pas diffuser", "public": "Édition publique"}


def setup_matplotlib() -> None:
    """Deterministic, legible figure defaults shared by every chapter."""
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "analysis-report",
            "svg.fonttype": "none",  # keep text as text: searchable by the public-edition scanner
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.labelsize": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
            "figure.dpi": 100,
            "figure.figsize": (7.0, 3.8),
            "axes.formatter.use_locale": False,
        }
    )


setup_matplotlib()


def figure_to_svg(fig: matplotlib.figure.Figure) -> bytes:
    """Render a figure as deterministic SVG bytes (no date metadata, salted stable ids)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buf.getvalue()


def esc(value: Any) -> str:
    """HTML-escape any value (``None`` -> empty string)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return fmt.number(value)
    if isinstance(value, float):
        return fmt.number(value, 0 if value.is_integer() else 1)
    if isinstance(value, dt.date):
        return fmt.date(value)
    return str(value)


_BOLD = re.compile(r"\*\*(.+?)\*\*")


def render_text(template: str, **values: Any) -> str:
    """Fill a French sentence template and return safe HTML.

    The template is trusted (written by the project) and may use ``**bold**``; the values come
    from the data: they are formatted the French way (ints, floats, dates) and escaped. Pass
    already formatted strings (``fmt.percent(x)``) for percentages and money.

    Args:
        template: ``str.format`` template, e.g. ``"Sur {n} catégories…"``.
        values: the values to insert.

    Returns:
        an HTML ``<p>`` paragraph.
    """
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = fields - set(values)
    if missing:
        raise KeyError(f"template values missing: {sorted(missing)}")
    safe = {k: esc(_format_value(v)) for k, v in values.items()}
    # Escape the template's own text too (it may contain < or &), keeping the {fields}. Bold is
    # the template's markup only: applied before the values go in, so that a value written
    # "**gras**" shows as typed.
    body = _BOLD.sub(r"<strong>\1</strong>", esc(template).replace("&#x27;", "'"))
    body = body.format(**safe)
    return f"<p>{body}</p>"


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def table_html(
    df: pd.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    index: bool = False,
    total_row: bool = False,
    group_by: str | None = None,
    group_count: tuple[str, str] | None = None,
) -> str:
    """Render a DataFrame as an escaped HTML table.

    Args:
        df: the table (column names are the French headers).
        formats: per-column formatter (e.g. ``{"Coût": fmt.money}``); numbers default to French format.
        index: include the index as the first column.
        total_row: style the last row as a total.
        group_by: a column whose runs of equal values become row groups: the column is not
            shown, each run opens with a heading row carrying its value (the table must be sorted
            on it). Long inventories read by service this way, without repeating the service on
            every row.
        group_count: singular and plural nouns (``("catégorie", "catégories")``): the group's
            heading row then also gives its number of rows.

    Returns:
        ``<table>`` markup.
    """
    formats = dict(formats or {})
    frame = df.reset_index() if index else df
    groups = frame[group_by].tolist() if group_by else None
    if group_by:
        frame = frame.drop(columns=group_by)
    long = len(frame) > LONG_TABLE_ROWS
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in frame.columns)
    rows = []
    texts: list[list[str]] = []
    for i, rec in enumerate(frame.itertuples(index=False, name=None)):
        cells, words = [], []
        for col, value in zip(frame.columns, rec, strict=True):
            if col in formats:
                text = formats[col](value)
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                text = fmt.MISSING
            else:
                text = _format_value(value.item() if hasattr(value, "item") else value)
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cls = ' class="num"' if numeric else ""
            shown = esc(text)
            cells.append(f"<td{cls}>{shown}</td>")
            # a number is never wrapped (``td.num``): for the widths, it is one word
            words.append(shown.replace(" ", "\u00a0") if numeric else shown)
        cls = ' class="total"' if total_row and i == len(frame) - 1 else ""
        rows.append(f"<tr{cls}>{''.join(cells)}</tr>")
        if long:
            texts.append(words)
    body = _grouped_body(rows, groups, len(frame.columns), group_count) if groups is not None \
        else f"<tbody>{''.join(rows)}</tbody>"
    if long:
        # Long tables (annexes) get fixed column widths worked out from their content: the PDF
        # engine then lays them out without measuring every cell of every row, the slowest part
        # of printing the report, and the widths stay sensible.
        cols = "".join(f'<col style="width:{w}%"/>' for w in column_widths(list(frame.columns), texts))
        return f'<table class="fixed"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>{body}</table>'
    return f"<table><thead><tr>{head}</tr></thead>{body}</table>"


def _grouped_body(rows: list[str], groups: list[Any], width: int, count: tuple[str, str] | None) -> str:
    """One ``<tbody>`` per run of equal group values, opened by a heading row."""
    bodies = []
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and (groups[end] == groups[start]
                                or (fmt.is_missing(groups[end]) and fmt.is_missing(groups[start]))):
            continue
        label = fmt.MISSING if fmt.is_missing(groups[start]) else str(groups[start])
        if count:
            label += f" — {fmt.plural(end - start, *count)}"
        bodies.append(f'<tbody><tr class="groupe"><th colspan="{width}" scope="rowgroup">{esc(label)}</th></tr>'
                      f"{''.join(rows[start:end])}</tbody>")
        start = end
    return "".join(bodies)


#: Tables longer than this get fixed column widths (see :func:`column_widths`).
LONG_TABLE_ROWS = 40
#: Characters one line of a long table holds across the page (A4 portrait, the print style's
#: margins and table font, cell padding deducted): the scale :func:`column_widths` works in.
LINE_CHARACTERS = 105
#: Share of a column's excess added to its floor when the floors alone overflow the line.
OVERFLOW_SHARE = 0.25


def column_widths(headers: list[str], rows: list[list[str]], line: int = LINE_CHARACTERS) -> list[int]:
    """Column widths (percent, summing to 100) fitted to their content.

    Every column first gets its floor: the longest word of nine cells in ten (capped at 12
    characters: longer words are hyphenated) plus one, or its header's longest word plus three
    (headers are bold), whichever is longer, so that words are seldom cut in the middle without
    one odd long word widening the whole column. What is left of the line is then shared among the columns whose cells are longer on average
    than their floor, in proportion to that excess: a title column gets the room, a yes/no column
    keeps just what it needs. When the floors alone overflow the line, each column weighs its
    floor plus a quarter of its excess, and all shrink in proportion.

    Args:
        headers: column headers.
        rows: the cells' texts (HTML-escaped), row by row.
        line: characters one line of the table holds.

    Returns:
        one integer percentage per column.
    """
    def longest_word(text: str) -> int:
        # words are cut at ordinary spaces only: "12\u202f500 €" with no-break spaces is one word
        return max((len(w) for w in re.split(r"[ \t\n]+", text)), default=0)

    floors, excess = [], []
    for j, header in enumerate(headers):
        cells = [html.unescape(r[j]) for r in rows] or [""]
        mean = sum(map(len, cells)) / len(cells)
        words = sorted(min(12, longest_word(c)) for c in cells)
        floor = max(words[(9 * len(words) - 1) // 10] + 1, longest_word(str(header)) + 3)
        floors.append(floor)
        excess.append(max(0.0, mean - floor))
    room = line - sum(floors)
    # the room left is shared in proportion to the excess; when the floors alone overflow the
    # line, long-text columns still get a quarter of their excess and every column shrinks a bit
    share = room / sum(excess) if room > 0 and sum(excess) > 0 else OVERFLOW_SHARE
    weights = [f + share * e for f, e in zip(floors, excess, strict=True)]
    total = sum(weights)
    widths = [max(1, int(100 * w / total)) for w in weights]
    widths[widths.index(max(widths))] += 100 - sum(widths)
    return widths


class Chapter:
    """A report chapter: the edition, the audience's tables, and numbered figures and tables.

    Args:
        chapter_id: two-digit chapter number ("02"), used to number figures ("Figure 2.3").
        edition_file: the edition YAML (absolute, or relative to the project root).
        audience: ``"interne"`` or ``"public"``; decides which processed tables are read.
        tables: tables to use instead of reading them (tests).
    """

    def __init__(
        self,
        chapter_id: str,
        edition_file: str | Path,
        audience: str = "interne",
        tables: Tables | None = None,
        edition: Edition | None = None,
    ) -> None:
        if audience not in AUDIENCE_LABELS:
            raise ValueError(f"audience inconnue : {audience!r} (attendu : interne ou public)")
        self.id = chapter_id
        self.number = int(chapter_id)
        self.audience = audience
        self.public = audience == "public"
        self.edition = edition or load_edition(edition_file)
        self.tables = tables if tables is not None else load_tables(self.edition.id, audience)
        self._figures = 0
        self._tables = 0

    # -- provenance ----------------------------------------------------------------------------
    @property
    def respondents(self) -> int:
        """Number of responding services in the cleaned data."""
        return int(self.tables.services["service_id"].nunique()) if len(self.tables.services) else 0

    @property
    def source(self) -> str:
        """The default source line of figures and tables."""
        fictional = ", données fictives" if self.edition.fictional else ""
        return (
            f"Source : enquête « Stratégie de la donnée de l'État » — {self.edition.region} "
            f"{self.edition.year} ({fmt.plural(self.respondents, 'service répondant', 'services répondants')}"
            f"{fictional})."
        )

    # -- output ----------------------------------------------------------------------------------
    def html(self, markup: str) -> None:
        """Show trusted HTML built by package code (values must already be escaped)."""
        _display_html(markup)

    def text(self, template: str, **values: Any) -> None:
        """Show a French sentence whose figures come from the data (see :func:`render_text`)."""
        _display_html(render_text(template, **values))

    def heading(self, title: str, level: int = 2) -> None:
        """Show a section heading (escaped)."""
        _display_html(f"<h{level}>{esc(title)}</h{level}>")

    def bullets(self, items: list[str]) -> None:
        """Show a bullet list of plain-text items (escaped)."""
        _display_html("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")

    def key_figures(self, items: list[tuple[str, str]]) -> None:
        """Show key figures as boxes: ``[("catégories recensées", "612"), …]``."""
        boxes = "".join(
            f'<div class="kf"><span class="kf-value">{esc(v)}</span><span class="kf-label">{esc(k)}</span></div>'
            for k, v in items
        )
        _display_html(f'<div class="key-figures">{boxes}</div>')

    def note(self, text: str) -> None:
        """Show a reader's note (caveat, reading advice)."""
        _display_html(f'<p class="note">{esc(text)}</p>')

    def _caption(self, kind: str, n: int, title: str, source: str | None, note: str | None) -> str:
        notes = f'<p class="fig-note">{esc(note)}</p>' if note else ""
        return (
            f'<figcaption><span class="fig-num">{kind} {self.number}.{n}</span> '
            f'<span class="fig-title">{esc(title)}</span></figcaption>'
            f'{notes}<p class="source">{esc(source or self.source)}</p>'
        )

    def figure(
        self,
        fig: matplotlib.figure.Figure,
        title: str,
        alt: str,
        source: str | None = None,
        note: str | None = None,
    ) -> str:
        """Show a numbered figure with its title, alternative text and source line.

        Returns:
            the figure's id (``fig-02-3``), to refer to it in the text.
        """
        self._figures += 1
        fig_id = f"fig-{self.id}-{self._figures}"
        data = base64.b64encode(figure_to_svg(fig)).decode("ascii")
        markup = (
            f'<figure class="figure" id="{fig_id}">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{esc(alt)}"/>'
            f"{self._caption('Figure', self._figures, title, source, note)}</figure>"
        )
        _display_html(markup)
        return fig_id

    def table(
        self,
        df: pd.DataFrame,
        title: str,
        source: str | None = None,
        note: str | None = None,
        formats: Mapping[str, Callable[[Any], str]] | None = None,
        index: bool = False,
        total_row: bool = False,
        empty_text: str = "Aucune ligne à afficher.",
        group_by: str | None = None,
        group_count: tuple[str, str] | None = None,
    ) -> str:
        """Show a numbered table with its title and source line (values escaped).

        ``group_by`` and ``group_count`` split the rows into groups with heading rows (see
        :func:`table_html`).

        Returns:
            the table's id (``tab-02-1``).
        """
        self._tables += 1
        tab_id = f"tab-{self.id}-{self._tables}"
        body = table_html(df, formats, index, total_row, group_by, group_count) if len(df) else f'<p class="empty">{esc(empty_text)}</p>'
        markup = (
            f'<figure class="table" id="{tab_id}">'
            f"{self._caption('Tableau', self._tables, title, source, note)}{body}</figure>"
        )
        _display_html(markup)
        return tab_id
