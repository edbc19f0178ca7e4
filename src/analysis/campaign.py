"""The national summary of a campaign: every built region's key figures side by side.

When one ``python -m analysis build`` command builds several editions (a campaign file, or
several ``--edition``), each region's build writes its key figures (``exports/indicateurs.csv``,
see :func:`analysis.export.write_indicators`). This module gathers them, once every region is
done, into one table per audience, a row per region::

    reports/campagne/indicateurs-public.csv
    reports/campagne/indicateurs-interne.csv

and into the few lines the command prints at the end. It reads nothing but those exports: the
public table is made of public figures only. A region whose build failed is left out and named.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import fmt

#: Folder of the national summary, under the reports root.
CAMPAIGN_DIR = "campagne"
#: Key figures quoted, region by region, in the printed summary.
HEADLINE = ("n_respondents", "n_categories", "share_published")


@dataclass
class CampaignSummary:
    """What :func:`write_campaign_summary` wrote.

    Attributes:
        tables: audience -> the table written (one row per region).
        files: the files written.
        missing: ``"edition / audience"`` of the regions left out (build failed, no figures).
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """French lines for the end of the build's summary (nothing when nothing was written)."""
        failed = [f"    ✗ sans chiffres (construction en échec) : {m}" for m in self.missing]
        if not self.files:
            return ["Synthèse de la campagne non écrite : aucune région n'a de chiffres.", *failed] if failed else []
        audience = "public" if "public" in self.tables else sorted(self.tables)[0]
        table = self.tables[audience]
        # several waves of one region (2019 and 2021) are told apart by their edition
        by_region = table["region"].is_unique
        count = fmt.plural(len(table), "région", "régions") if by_region else fmt.plural(len(table), "édition", "éditions")
        out = [f"Synthèse de la campagne ({count}, chiffres de l'édition {audience}) :"]
        for row in table.to_dict("records"):
            respondents, categories, published = (pd.to_numeric(row.get(k), errors="coerce") for k in HEADLINE)
            label = row["region"] if by_region else f"{row['region']} ({row['edition']})"
            out.append(f"    {label} : {fmt.plural(respondents, 'service répondant', 'services répondants')}, "
                       f"{fmt.plural(categories, 'catégorie', 'catégories')}, {fmt.percent(published)} publiées")
        out += [f"    → {f}" for f in self.files]
        return out + failed


def region_table(figure_files: Sequence[Path]) -> pd.DataFrame:
    """One row per region from regional key-figure files (``indicateurs.csv``).

    Args:
        figure_files: the files, one per region, in the campaign's order.

    Returns:
        ``edition``, ``region``, then one column per indicator (in the files' order), values as
        written (text, full precision).
    """
    rows = []
    order: list[str] = []
    for path in figure_files:
        df = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        order += [n for n in df["indicateur"] if n not in order]
        row = {"edition": df["edition"].iloc[0], "region": df["region"].iloc[0]} if len(df) else {}
        row.update(zip(df["indicateur"], df["valeur"], strict=True))
        rows.append(row)
    return pd.DataFrame(rows, columns=["edition", "region", *order])


@dataclass
class BuiltRegion:
    """A region's reports for one audience, as :func:`write_campaign_summary` needs them."""

    edition: str
    audience: str
    folder: Path
    ok: bool


def built_regions(editions: Sequence, root: Path) -> list[BuiltRegion]:
    """The reports already built under ``root`` for these editions (every audience of each).

    Used when each region was built by its own job (one machine per region): the final job
    gathers their ``reports/<edition>/`` folders under one root, then writes the summary.

    Args:
        editions: :class:`analysis.edition.Edition` objects, in the campaign's order.
        root: the reports root.

    Returns:
        One entry per edition and audience; ``ok`` when its key figures are there.
    """
    out = []
    for ed in editions:
        for audience in ed.audiences:
            folder = Path(root) / ed.id / audience
            out.append(BuiltRegion(ed.id, audience, folder, (folder / "exports" / "indicateurs.csv").is_file()))
    return out


def write_campaign_summary(results: Sequence, root: Path) -> CampaignSummary:
    """Write the national summary of a build covering several editions.

    Args:
        results: the build's :class:`analysis.build.AudienceResult` (edition, audience, folder, ok).
        root: the reports root (the summary goes to ``root / "campagne"``).

    Returns:
        What was written; nothing when the build covered fewer than two editions.
    """
    summary = CampaignSummary()
    if len({r.edition for r in results}) < 2:
        return summary
    for audience in sorted({r.audience for r in results}):
        files = []
        for r in results:
            if r.audience != audience:
                continue
            figures = Path(r.folder) / "exports" / "indicateurs.csv"
            if r.ok and figures.is_file():
                files.append(figures)
            else:
                summary.missing.append(f"{r.edition} / {audience}")
        target = Path(root) / CAMPAIGN_DIR / f"indicateurs-{audience}.csv"
        if not files:
            target.unlink(missing_ok=True)  # no stale table from an earlier build
            continue
        table = region_table(files)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        table.to_csv(partial, sep=";", index=False, encoding="utf-8", lineterminator="\n")
        partial.replace(target)  # a reader never sees half a file
        summary.tables[audience] = table
        summary.files.append(target)
    return summary
