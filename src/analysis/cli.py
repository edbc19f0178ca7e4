"""Command line: ``python -m analysis …`` (help texts in French, for the analysts who use it).

Every command takes ``--edition FICHIER`` and defaults to the shipped sample's latest edition.
Modules are imported inside commands so that ``--help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analysis import cli_fr, paths
from analysis.edition import EditionError, load_edition

cli_fr.install()

app = typer.Typer(
    help="Stratégie de la donnée de l'État en région : questionnaire, ingestion des réponses, rapports et exports.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

EditionOpt = Annotated[
    Path,
    typer.Option("--edition", "-e", help="Fichier d'édition YAML (config/…).", show_default=True),
]


def _edition(path: Path):
    try:
        return load_edition(path)
    except EditionError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command("template")
def template_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Fichier Excel à écrire.")] = Path(
        "reports/questionnaire.xlsx"
    ),
    edition: EditionOpt = paths.DEFAULT_EDITION,
) -> None:
    """Écrit le questionnaire Excel vierge (onglet d'instructions, listes déroulantes)."""
    from analysis.template import write_template

    written = write_template(paths.resolve(out, Path.cwd()), _edition(edition))
    typer.echo(f"Questionnaire écrit : {written}")


CampaignOpt = Annotated[
    Path | None, typer.Option("--campaign", metavar="FICHIER", help="Fichier de campagne listant des éditions (editions: […]).")
]


def _campaign(campaign: Path) -> list[Path]:
    from analysis.build import BuildError, load_campaign

    try:
        return load_campaign(paths.resolve(campaign, Path.cwd()))
    except BuildError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


@app.command("ingest")
def ingest_cmd(edition: EditionOpt = paths.DEFAULT_EDITION, campaign: CampaignOpt = None) -> None:
    """Lit, valide et nettoie toutes les réponses d'une édition vers data/processed/<édition>/.

    Avec --campaign, ingère chaque édition de la campagne l'une après l'autre ; une édition en
    échec n'arrête pas les suivantes.
    """
    from analysis.ingest import ingest_edition

    files = _campaign(campaign) if campaign else [edition]
    failed = []
    for path in files:
        try:
            ed = load_edition(path)
        except EditionError as exc:
            typer.echo(str(exc), err=True)
            if not campaign:
                raise typer.Exit(2) from exc
            failed.append(path.stem)
            continue
        result = ingest_edition(ed)
        typer.echo(result.summary())
        if not result.ok:
            failed.append(result.edition_id)
    if campaign:
        typer.echo(f"Campagne : {len(files) - len(failed)} édition(s) ingérée(s) sur {len(files)}"
                   + (f" ; en échec : {', '.join(failed)}." if failed else "."))
    if failed:
        raise typer.Exit(1)


@app.command("sample")
def sample_cmd(
    out_dir: Annotated[
        Path | None, typer.Option("--out-dir", help="Dossier racine des réponses (défaut : data/raw).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Graine du générateur pseudo-aléatoire.")] = 2019,
    scale: Annotated[float, typer.Option(help="Facteur de volume (1 = échantillon livré).")] = 1.0,
    national: Annotated[
        bool, typer.Option("--national", help="Campagne nationale fictive (bancs d'essai) dans --out-dir.")
    ] = False,
    regions: Annotated[int, typer.Option(help="Avec --national : nombre de régions.")] = 18,
    returns: Annotated[int, typer.Option(help="Avec --national : nombre total de retours.")] = 700,
    categories: Annotated[int, typer.Option(help="Avec --national : nombre total de catégories.")] = 100_000,
) -> None:
    """Génère les réponses FICTIVES de l'échantillon (éditions 2019 et 2021), ou une campagne nationale.

    Avec --national (et --out-dir obligatoire) : une enquête par région, ses listes de référence,
    son fichier d'édition et un fichier de campagne campagne.yml, à passer à
    « ingest --campaign » puis « build --campaign ».
    """
    if national:
        from analysis.sample import write_national

        if out_dir is None:
            typer.echo("--national demande --out-dir (la campagne ne s'écrit pas dans data/raw).", err=True)
            raise typer.Exit(2)
        folder = paths.resolve(out_dir, Path.cwd())
        editions = write_national(folder, regions=regions, returns=returns, categories=categories, seed=seed)
        typer.echo(f"Campagne nationale fictive : {len(editions)} régions écrites dans {folder}")
        typer.echo(f"    → {folder / 'campagne.yml'}")
        return
    from analysis.sample import write_sample

    for folder in write_sample(out_dir=paths.resolve(out_dir) if out_dir else paths.RAW_DIR, seed=seed, scale=scale):
        typer.echo(f"Réponses fictives écrites dans {folder}")


@app.command("build")
def build_cmd(
    edition: Annotated[
        list[Path] | None, typer.Option("--edition", "-e", metavar="FICHIER", help="Fichier(s) d'édition YAML (option répétable).")
    ] = None,
    campaign: Annotated[
        Path | None, typer.Option("--campaign", metavar="FICHIER", help="Fichier de campagne listant des éditions (editions: […]).")
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", metavar="N", help="Processus en parallèle (défaut : nombre de cœurs).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Réexécute tous les chapitres.")] = False,
    audience: Annotated[
        list[str] | None, typer.Option("--audience", metavar="AUDIENCE", help="interne ou public (défaut : celles de l'édition).")
    ] = None,
    chapters: Annotated[
        Path | None, typer.Option("--chapters", metavar="FICHIER", help="Liste de chapitres à utiliser à la place de celle de l'édition.")
    ] = None,
    reports_root: Annotated[
        Path | None, typer.Option("--reports-root", metavar="DOSSIER", help="Dossier racine des rapports (défaut : reports/).")
    ] = None,
) -> None:
    """Construit les rapports HTML et PDF (éditions interne et publique), en parallèle et en incrémental.

    Avec plusieurs éditions (--campaign, ou --edition répété), écrit en fin de construction la
    synthèse de la campagne : les indicateurs clés de chaque région, dans reports/campagne/.
    """
    from analysis.build import build_editions
    from analysis.edition import AUDIENCES

    files = [paths.resolve(e, Path.cwd()) for e in edition or []]
    files += _campaign(campaign) if campaign else []
    bad = [a for a in audience or [] if a not in AUDIENCES]
    if bad:
        typer.echo(f"Audience inconnue : {', '.join(bad)} (attendu : {', '.join(AUDIENCES)})", err=True)
        raise typer.Exit(2)
    root = paths.resolve(reports_root, Path.cwd()) if reports_root else paths.reports_root()
    result = build_editions(
        [_edition(f) for f in files or [paths.DEFAULT_EDITION]],
        reports_root=root,
        jobs=jobs,
        force=force,
        audiences=audience or None,
        chapters_file=paths.resolve(chapters, Path.cwd()) if chapters else None,
    )
    typer.echo(result.summary())
    from analysis.campaign import write_campaign_summary

    for line in write_campaign_summary(result.audiences, root).lines():
        typer.echo(line)
    if not result.ok:
        raise typer.Exit(1)


@app.command("summary")
def summary_cmd(
    campaign: Annotated[Path, typer.Option("--campaign", metavar="FICHIER", help="Fichier de campagne (editions: […]).")],
    reports_root: Annotated[
        Path | None, typer.Option("--reports-root", metavar="DOSSIER", help="Dossier racine des rapports (défaut : reports/).")
    ] = None,
) -> None:
    """Rassemble les indicateurs clés des régions d'une campagne déjà construite (reports/campagne/).

    Pour une campagne construite région par région (une machine ou un job par région) : une fois
    les dossiers reports/<édition>/ réunis, écrit la même synthèse que « build --campaign ».
    """
    from analysis.campaign import built_regions, write_campaign_summary

    root = paths.resolve(reports_root, Path.cwd()) if reports_root else paths.reports_root()
    summary = write_campaign_summary(built_regions([_edition(f) for f in _campaign(campaign)], root), root)
    for line in summary.lines() or ["Synthèse non écrite : la campagne doit compter au moins deux éditions."]:
        typer.echo(line)
    if summary.missing or not summary.files:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    edition: EditionOpt = paths.DEFAULT_EDITION,
    audience: Annotated[
        list[str] | None, typer.Option("--audience", metavar="AUDIENCE", help="interne ou public (défaut : celles de l'édition).")
    ] = None,
) -> None:
    """Écrit les exports réutilisables : répertoire (schéma Etalab), DCAT-AP, indicateurs, classeur XLSX."""
    from analysis.export import export_edition

    ed = _edition(edition)
    failed = False
    for aud in audience or list(ed.audiences):
        try:
            folder = export_edition(ed, aud)
        except (RuntimeError, FileNotFoundError) as exc:
            typer.echo(f"Exports {aud} : {exc}", err=True)
            failed = True
            continue
        typer.echo(f"Exports {aud} écrits dans {folder}")
    if failed:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
