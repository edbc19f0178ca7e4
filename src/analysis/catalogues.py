"""Cross-check of the inventory with what the services' published catalogues already hold.

Two input forms are accepted (the edition file's optional ``published_catalogues`` parameter):

- a CSV of **records**, one per published dataset, with columns organisation, titre, plateforme,
  url (French or English headers, ``;`` or ``,``);
- a JSON of **harvest sources** in the format of the ecology ministry's ``moissonnages.json``
  (one entry per catalogue harvest: title "CSW <platform> : <service> [lots|jeux de données]",
  notes "N fiches à date"), which gives record counts per service and platform.

Both are reduced to counts per (service, platform), then compared with the categories services
declared as published on that platform. A category is not a dataset (a category may be published
as several records), so the comparison flags orders of magnitude, not exact equalities.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from analysis import model
from analysis.clean import CleanError, normalise_key, parse_choice
from analysis.referential import Resolver

COUNT_COLUMNS = ("service_id", "service_raw", "platform", "records", "source")

_HARVEST_TITLE = re.compile(r"^\s*(?:CSW\s+)?(?P<platform>.+?)\s*:\s*(?P<service>.+?)\s*(?:\[(?P<kind>[^\]]+)\])?\s*$")
_RECORDS = re.compile(r"(\d[\d\s\u202f\u00a0]*)\s*fiches?", re.IGNORECASE)

_HEADERS = {
    "organisation": ("organisation", "service", "nom orga", "nom_orga", "organization", "producteur"),
    "title": ("titre", "title", "intitule"),
    "platform": ("plateforme", "platform", "catalogue"),
    "url": ("url", "lien", "adresse"),
}


class CatalogueError(ValueError):
    """A catalogue input that cannot be read (French message naming the file)."""


def platform_label(raw: str) -> str:
    """Map a catalogue's name to the survey's platform vocabulary ("Autre plateforme" if unknown)."""
    key = normalise_key(raw)
    for term in model.PLATFORM.terms:
        for form in (term.label, term.code, *term.synonyms):
            if normalise_key(form) and normalise_key(form) in key:
                return term.label
    try:
        return parse_choice(raw, model.PLATFORM) or model.PLATFORM.other
    except CleanError:
        return model.PLATFORM.other


def _resolve(resolver: Resolver, raw: str) -> str | None:
    match = resolver.resolve(raw)
    return match.id if match.id and match.method != "none" else None


def read_harvest_sources(path: Path, resolver: Resolver) -> pd.DataFrame:
    """Record counts per service and platform from a ``moissonnages.json``-like file.

    Only harvests whose service resolves against the reference list are kept (the file covers
    every region); ``service_raw`` keeps the label as written.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path.name} : fichier de moissonnages illisible ({exc})") from exc
    entries = data.values() if isinstance(data, dict) else data
    rows = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        m = _HARVEST_TITLE.match(str(entry.get("title", "")))
        n = _RECORDS.search(str(entry.get("notes", "")))
        if not m or not n:
            continue
        service_id = _resolve(resolver, m["service"])
        if service_id is None:
            continue
        rows.append(
            {
                "service_id": service_id,
                "service_raw": m["service"],
                "platform": platform_label(m["platform"]),
                "records": int(re.sub(r"\D", "", n.group(1))),
                "source": "moissonnage",
            }
        )
    return _sum_counts(pd.DataFrame(rows, columns=COUNT_COLUMNS))


def read_records(path: Path, resolver: Resolver) -> pd.DataFrame:
    """Record counts per service and platform from a CSV listing published records."""
    try:
        df = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogueError(f"{path.name} : catalogue illisible ({exc})") from exc
    columns = {}
    for name, synonyms in _HEADERS.items():
        for col in df.columns:
            if normalise_key(col) in {normalise_key(s) for s in synonyms}:
                columns[name] = col
                break
    missing = {"organisation", "platform"} - set(columns)
    if missing:
        labels = ", ".join(sorted(missing))
        raise CatalogueError(f"{path.name} : colonne(s) absente(s) : {labels}")
    rows = []
    for org, platform in zip(df[columns["organisation"]], df[columns["platform"]], strict=True):
        if not isinstance(org, str) or not org.strip():
            continue
        service_id = _resolve(resolver, org)
        if service_id is None:
            continue
        rows.append(
            {"service_id": service_id, "service_raw": org.strip(), "platform": platform_label(str(platform)),
             "records": 1, "source": "catalogue"}
        )
    return _sum_counts(pd.DataFrame(rows, columns=COUNT_COLUMNS))


def _sum_counts(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df.astype({"records": "int64"})
    out = (
        df.groupby(["service_id", "platform", "source"], as_index=False)
        .agg(records=("records", "sum"), service_raw=("service_raw", "first"))
        .sort_values(["service_id", "platform"], kind="stable")
        .reset_index(drop=True)
    )
    return out[list(COUNT_COLUMNS)]


def read_published_catalogues(path: Path, resolver: Resolver) -> pd.DataFrame:
    """Read either input form (by file extension: ``.json`` harvests, otherwise a records CSV)."""
    if not path.is_file():
        raise CatalogueError(f"Catalogue publié introuvable : {path}")
    if path.suffix.lower() == ".json":
        return read_harvest_sources(path, resolver)
    return read_records(path, resolver)


def compare_declared(categories: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Compare, per service and platform, the categories declared published with catalogue records.

    Args:
        categories: cleaned categories (service_id, diffusion, platform).
        counts: output of :func:`read_published_catalogues`.

    Returns:
        one row per (service_id, platform) present on either side, for the platforms the
        catalogues cover (a category declared on a service's own website cannot be looked for in
        a harvest of Géo2France): declared (categories declared published there), records
        (catalogue records), and a French ``constat``.
    """
    covered = set(counts["platform"])
    published = categories[
        (categories["diffusion"] == model.DIFFUSION.published) & categories["platform"].isin(covered)
    ]
    declared = (
        published.assign(platform=published["platform"].fillna("Plateforme non renseignée"))
        .groupby(["service_id", "platform"]).size().rename("declared")
    )
    records = counts.groupby(["service_id", "platform"])["records"].sum() if len(counts) else pd.Series(dtype="int64")
    out = pd.concat([declared, records.rename("records")], axis=1).fillna(0).astype("int64").reset_index()
    out.columns = ["service_id", "platform", "declared", "records"]

    def verdict(row: pd.Series) -> str:
        if row.declared and not row.records:
            return "déclarées publiées, absentes du catalogue moissonné"
        if row.records and not row.declared:
            return "fiches au catalogue, aucune catégorie déclarée publiée sur cette plateforme"
        return "présentes des deux côtés"

    out["constat"] = out.apply(verdict, axis=1) if len(out) else pd.Series(dtype=str)
    return out.sort_values(["service_id", "platform"], kind="stable").reset_index(drop=True)


def crosscheck(edition, categories: pd.DataFrame) -> pd.DataFrame | None:
    """Compare declared publications with the edition's published catalogues, if it names any.

    Args:
        edition: the edition (``published_catalogues``, ``services_reference``, ``fuzzy_threshold``).
        categories: the audience's cleaned categories.

    Returns:
        the output of :func:`compare_declared`, or ``None`` when the edition names no catalogue.
    """
    if edition.published_catalogues is None:
        return None
    resolver = Resolver.for_services(edition.services_reference, edition.fuzzy_threshold)
    return compare_declared(categories, read_published_catalogues(edition.published_catalogues, resolver))


def crosscheck_table(comparison: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """The comparison with French headers and service acronyms, for the inventory chapter."""
    out = comparison.assign(service_id=comparison["service_id"].map(lambda s: labels.get(s, s)))
    return out.rename(
        columns={
            "service_id": "Service",
            "platform": "Plateforme",
            "declared": "Catégories déclarées publiées",
            "records": "Fiches au catalogue",
            "constat": "Constat",
        }
    )


def crosscheck_summary(comparison: pd.DataFrame) -> dict[str, int]:
    """Counts the chapter's sentence states: services compared, pairs consistent or not."""
    return {
        "services": int(comparison["service_id"].nunique()),
        "pairs": int(len(comparison)),
        "declared_missing": int(((comparison["declared"] > 0) & (comparison["records"] == 0)).sum()),
        "undeclared_records": int(((comparison["records"] > 0) & (comparison["declared"] == 0)).sum()),
        "records": int(comparison["records"].sum()),
        "declared": int(comparison["declared"].sum()),
    }


def show_crosscheck(ch, labels: dict[str, str]) -> None:
    """Write the inventory chapter's cross-check section (sentence, then table or a note).

    Args:
        ch: the chapter (``analysis.report.Chapter``).
        labels: service id -> acronym.
    """
    from analysis import fmt

    comparison = crosscheck(ch.edition, ch.tables.categories)
    if comparison is None:
        ch.note("Aucun catalogue publié n'est désigné dans le fichier d'édition (paramètre "
                "« published_catalogues ») : la comparaison n'est pas faite.")
        return
    s = crosscheck_summary(comparison)
    ch.text(
        "Sur les plateformes moissonnées, les services déclarent **{d}** catégories publiées et les "
        "catalogues comptent **{r}** fiches. Dans {m}, un service déclare des catégories publiées sur "
        "une plateforme qui n'en référence aucune ; dans {u}, des fiches existent sans catégorie "
        "déclarée publiée sur cette plateforme.",
        d=s["declared"], r=s["records"], m=fmt.plural(s["declared_missing"], "cas", "cas"),
        u=fmt.plural(s["undeclared_records"], "cas", "cas"),
    )
    ch.table(
        crosscheck_table(comparison, labels),
        "Publications déclarées et fiches des catalogues publics, par service et plateforme",
        source=f"{ch.source[:-1]} ; catalogues publics moissonnés ({ch.edition.published_catalogues.name}).",
        note="Une catégorie de données peut correspondre à plusieurs fiches de catalogue : l'écart signale "
             "un ordre de grandeur, pas une égalité attendue.",
    )
