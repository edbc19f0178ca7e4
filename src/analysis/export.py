"""Exports that others can reuse.

For one edition and audience, :func:`write_exports` writes into a folder:

- ``repertoire/repertoire-region.csv`` and ``repertoire/repertoire-<service>.csv``: the
  "répertoire des principales informations publiques" (CRPA L322-6), i.e. the publishable
  categories (published, or publishable but not published), as CSV conforming to Etalab's Table
  Schema "Catalogue de données" v0.3.0; ``repertoire/schema-catalogue-donnees.json`` is the
  project's own restatement of that schema (:data:`CATALOGUE_FIELDS`), and
  ``repertoire/correspondance.csv`` documents how each schema field is filled from the survey;
- ``catalogue-dcat.ttl`` and ``catalogue-dcat.jsonld``: the same catalogue in DCAT-AP, with the
  access rights of each item; the internal edition also lists restricted items, with the legal
  ground of their restriction; the public edition never does;
- ``indicateurs.csv`` / ``indicateurs.json`` (key figures of the region),
  ``indicateurs-services.csv`` (per service) and ``dictionnaire-indicateurs.csv`` (name,
  definition, unit, formula);
- ``inventaire.xlsx``: the cleaned tables for analysts, one sheet per table, French headers,
  filters, frozen header, and spreadsheet formula injection neutralised.

Every CSV is UTF-8, comma-separated for the Etalab répertoire (as in the schema's example) and
``;``-separated for the others; every text cell that a spreadsheet would read as a formula is
prefixed with an apostrophe.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import model
from analysis.edition import Edition
from analysis.tables import Tables, load_tables, neutralise, neutralise_frame  # noqa: F401

# ------------------------------------------------------------------------------------------------
# Formula injection
# ------------------------------------------------------------------------------------------------

# Spreadsheet formula injection: see analysis.tables.neutralise (re-exported here).


# ------------------------------------------------------------------------------------------------
# The Etalab "Catalogue de données" répertoire
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueField:
    """A field of Etalab's Table Schema "Catalogue de données" v0.3.0 and how the survey fills it."""

    name: str
    type: str
    required: bool
    source: str  # French description of the mapping from the survey (data dictionary)
    format: str | None = None


CATALOGUE_FIELDS: tuple[CatalogueField, ...] = (
    CatalogueField("titre", "string", True, "Intitulé de la catégorie de données"),
    CatalogueField("description", "string", True, "Description ; à défaut, l'intitulé"),
    CatalogueField("mots_cles", "string", True,
                   "Thème, thème INSPIRE, « donnée géographique », « open data » selon les réponses (séparés par des virgules)"),
    CatalogueField("nom_orga", "string", True, "Nom complet du service dans la liste de référence"),
    CatalogueField("siret_orga", "string", False, "Non collecté par l'enquête (vide)"),
    CatalogueField("id_alt_orga", "string", False, "Identifiant du service dans la liste de référence"),
    CatalogueField("service", "string", True, "Sigle du service dans la liste de référence"),
    CatalogueField("si", "string", False, "Outils utilisés déclarés pour la catégorie"),
    CatalogueField("contact_service", "string", False, "Adresse de contact de l'édition (boîte fonctionnelle)", "email"),
    CatalogueField("contact_personne", "string", True,
                   "Édition interne : courriel du référent données ; édition publique : adresse de contact de l'édition (jamais une personne)",
                   "email"),
    CatalogueField("date_pub", "date", False, "Non collecté par l'enquête (vide)"),
    CatalogueField("date_maj", "date", False, "Non collecté par l'enquête (vide)"),
    CatalogueField("freq_maj", "string", False, "Fréquence de mise à jour"),
    CatalogueField("couv_geo", "string", True, "Couverture géographique et territoire du service (région ou département)"),
    CatalogueField("url", "string", False, "Adresse de publication, si c'est une URL http(s) valide", "uri"),
    CatalogueField("format", "string", True, "Formats déclarés (séparés par des virgules) ; « Non renseigné » à défaut"),
    CatalogueField("licence", "string", False, "Licence déclarée"),
)

CATALOGUE_COLUMNS = [f.name for f in CATALOGUE_FIELDS]

DEPARTEMENTS = {"02": "Aisne", "59": "Nord", "60": "Oise", "62": "Pas-de-Calais", "80": "Somme"}

_URL_RE = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def catalogue_table_schema() -> dict:
    """The project's restatement of Etalab's "Catalogue de données" v0.3.0 as a Table Schema."""
    fields = []
    for f in CATALOGUE_FIELDS:
        field: dict = {"name": f.name, "type": f.type, "description": f.source}
        if f.format:
            field["format"] = f.format
        if f.required:
            field["constraints"] = {"required": True}
        fields.append(field)
    return {"name": "catalogue-donnees", "title": "Catalogue de données", "version": "0.3.0", "fields": fields}


def _short_theme(label: object) -> str | None:
    if not isinstance(label, str):
        return None
    for term in model.THEME.terms:
        if term.label == label:
            return term.synonyms[0] if term.synonyms else term.label
    return label


def _keywords(row: pd.Series) -> str:
    words = [_short_theme(row.get("theme"))]
    inspire = row.get("inspire_theme")
    if isinstance(inspire, str):
        words.append(inspire.lower())
    if row.get("geographic") is True:
        words.append("donnée géographique")
    if row.get("diffusion") == model.DIFFUSION.published:
        words.append("open data")
    words = [str(w).replace(",", " ").strip() for w in words if isinstance(w, str) and w.strip()]
    return ",".join(dict.fromkeys(words)) or "données publiques"


def publishable_mask(categories: pd.DataFrame) -> pd.Series:
    """Categories of the répertoire: published, or publishable but not yet published."""
    return categories["diffusion"].isin([model.DIFFUSION.published, model.DIFFUSION.publishable])


def catalogue_rows(tables: Tables, edition: Edition, audience: str) -> pd.DataFrame:
    """The répertoire of publishable categories in the Etalab "Catalogue de données" columns.

    Args:
        tables: the audience's tables (public-filtered for the public edition).
        edition: gives the region and the contact address.
        audience: ``interne`` (the referent's e-mail may be the contact) or ``public`` (never).

    Returns:
        one row per publishable category, sorted by service and title, plus ``service_id``.
    """
    cats = tables.categories
    cats = cats[publishable_mask(cats)] if len(cats) else cats
    ref = tables.reference_services.set_index("id") if len(tables.reference_services) else pd.DataFrame()
    services = tables.services.set_index("service_id") if len(tables.services) else pd.DataFrame()
    rows = []
    for _, c in cats.iterrows():
        sid = c["service_id"]
        info = ref.loc[sid] if sid in ref.index else pd.Series(dtype=object)
        referent = services.loc[sid].get("referent_email") if sid in services.index else None
        contact = edition.contact_email
        if audience == "interne" and isinstance(referent, str) and _EMAIL_RE.match(referent):
            contact = referent
        dep = info.get("departement")
        territory = f"{DEPARTEMENTS.get(dep, dep)} ({dep})" if isinstance(dep, str) and dep else edition.region
        coverage = c.get("coverage")
        url = c.get("url") if isinstance(c.get("url"), str) and _URL_RE.match(c.get("url")) else None
        formats = c.get("formats")
        rows.append(
            {
                "titre": c["title"],
                "description": c.get("description") if isinstance(c.get("description"), str) else c["title"],
                "mots_cles": _keywords(c),
                "nom_orga": info.get("name", sid),
                "siret_orga": None,
                "id_alt_orga": sid,
                "service": info.get("acronym", sid),
                "si": c.get("tools") if isinstance(c.get("tools"), str) else None,
                "contact_service": edition.contact_email,
                "contact_personne": contact,
                "date_pub": None,
                "date_maj": None,
                "freq_maj": c.get("frequency") if isinstance(c.get("frequency"), str) else None,
                "couv_geo": f"{coverage} — {territory}" if isinstance(coverage, str) else territory,
                "url": url,
                "format": formats.replace(model.MULTI_SEPARATOR, ", ") if isinstance(formats, str) else "Non renseigné",
                "licence": c.get("licence") if isinstance(c.get("licence"), str) else None,
                "service_id": sid,
            }
        )
    out = pd.DataFrame(rows, columns=[*CATALOGUE_COLUMNS, "service_id"])
    return out.sort_values(["service_id", "titre"], kind="stable").reset_index(drop=True)


#: French headers of :func:`mapping_table` for the report's data dictionary.
MAPPING_HEADERS = {
    "champ_etalab": "Champ du schéma",
    "type": "Type",
    "obligatoire": "Obligatoire",
    "origine_dans_l_enquete": "Renseigné à partir de",
}


def mapping_table() -> pd.DataFrame:
    """How each field of the Etalab schema is filled from the survey (for the data dictionary)."""
    return pd.DataFrame(
        [{"champ_etalab": f.name, "type": f.type, "obligatoire": "oui" if f.required else "non",
          "origine_dans_l_enquete": f.source} for f in CATALOGUE_FIELDS]
    )


def _safe_name(text: str) -> str:
    """A file-name-safe slug (never a path)."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", str(text))[:80].strip("-").lower()
    return slug or "service"


def _write_csv(df: pd.DataFrame, path: Path, sep: str = ";") -> None:
    neutralise_frame(df).to_csv(path, index=False, sep=sep, encoding="utf-8", lineterminator="\n")


def write_repertoire(rows: pd.DataFrame, folder: Path) -> list[Path]:
    """Write the region's répertoire, one per service, the schema restatement and the mapping."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    region = folder / "repertoire-region.csv"
    _write_csv(rows[CATALOGUE_COLUMNS], region, sep=",")
    written.append(region)
    used: set[str] = set()
    for sid, group in rows.groupby("service_id", sort=True):
        stem, n = f"repertoire-{_safe_name(sid)}", 1
        while (stem if n == 1 else f"{stem}-{n}") in used:  # two ids may share a slug
            n += 1
        stem = stem if n == 1 else f"{stem}-{n}"
        used.add(stem)
        path = folder / f"{stem}.csv"
        _write_csv(group[CATALOGUE_COLUMNS], path, sep=",")
        written.append(path)
    schema = folder / "schema-catalogue-donnees.json"
    schema.write_text(json.dumps(catalogue_table_schema(), ensure_ascii=False, indent=2), encoding="utf-8")
    _write_csv(mapping_table(), folder / "correspondance.csv")
    return written


# ------------------------------------------------------------------------------------------------
# DCAT-AP
# ------------------------------------------------------------------------------------------------

_EU = "http://publications.europa.eu/resource/authority/"
ACCESS_RIGHTS = {
    "published": _EU + "access-right/PUBLIC",
    "publishable": _EU + "access-right/PUBLIC",
    "restricted": _EU + "access-right/RESTRICTED",
    "not_communicable": _EU + "access-right/NON_PUBLIC",
}
FREQUENCIES = {
    "continuous": "CONT", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY",
    "semiannual": "ANNUAL_2", "annual": "ANNUAL", "pluriannual": "OTHER", "irregular": "IRREG", "none": "NEVER",
}
LICENCES = {
    "lo2": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "odbl": "https://opendatacommons.org/licenses/odbl/1-0/",
    "cc_by": "https://creativecommons.org/licenses/by/4.0/",
}


def dcat_graph(tables: Tables, edition: Edition, audience: str):
    """The catalogue as an rdflib graph in DCAT-AP.

    The public edition holds the publishable categories only. The internal edition also holds the
    restricted and not-communicable ones, with their access rights and the legal ground.
    """
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

    base = Namespace(f"urn:strategie-donnee:{edition.id}:")
    g = Graph()
    g.bind("dcat", DCAT)
    g.bind("dct", DCTERMS)
    g.bind("foaf", FOAF)
    catalog = base["catalogue"]
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"{edition.title} — {audience}", lang="fr")))
    g.add((catalog, DCTERMS.issued, Literal(edition.reference_date.isoformat(), datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))))
    cats = tables.categories
    if audience == "public" and len(cats):
        cats = cats[publishable_mask(cats)]
    ref = tables.reference_services.set_index("id") if len(tables.reference_services) else pd.DataFrame()
    for _, c in cats.sort_values("row_id", kind="stable").iterrows():
        ds = base[urllib.parse.quote(str(c["row_id"]), safe="")]
        g.add((catalog, DCAT.dataset, ds))
        g.add((ds, RDF.type, DCAT.Dataset))
        g.add((ds, DCTERMS.identifier, Literal(str(c["row_id"]))))
        g.add((ds, DCTERMS.title, Literal(str(c["title"]), lang="fr")))
        if isinstance(c.get("description"), str):
            g.add((ds, DCTERMS.description, Literal(c["description"], lang="fr")))
        for kw in _keywords(c).split(","):
            g.add((ds, DCAT.keyword, Literal(kw, lang="fr")))
        publisher = base[f"service-{_safe_name(c['service_id'])}"]
        g.add((ds, DCTERMS.publisher, publisher))
        g.add((publisher, RDF.type, FOAF.Agent))
        name = ref.loc[c["service_id"]].get("name") if c["service_id"] in ref.index else c["service_id"]
        g.add((publisher, FOAF.name, Literal(str(name), lang="fr")))
        code = model.DIFFUSION.code_of(c["diffusion"])
        g.add((ds, DCTERMS.accessRights, URIRef(ACCESS_RIGHTS[code])))
        if audience == "interne" and code in model.PROTECTED_DIFFUSION:
            rights = BNode(f"rights-{_safe_name(c['row_id'])}")
            ground = c.get("legal_ground") if isinstance(c.get("legal_ground"), str) else "Fondement non renseigné"
            g.add((ds, DCTERMS.rights, rights))
            g.add((rights, RDF.type, DCTERMS.RightsStatement))
            g.add((rights, RDFS.label, Literal(ground, lang="fr")))
        if isinstance(c.get("frequency"), str):
            freq = FREQUENCIES[model.FREQUENCY.code_of(c["frequency"])]
            g.add((ds, DCTERMS.accrualPeriodicity, URIRef(_EU + "frequency/" + freq)))
        if isinstance(c.get("coverage"), str):
            g.add((ds, DCTERMS.spatial, Literal(c["coverage"], lang="fr")))
        if isinstance(c.get("theme"), str):
            g.add((ds, DCAT.theme, Literal(c["theme"], lang="fr")))
        url = c.get("url")
        if isinstance(url, str) and _URL_RE.match(url):
            g.add((ds, DCAT.landingPage, URIRef(url)))
        formats = c.get("formats")
        licence = c.get("licence")
        if isinstance(formats, str) or isinstance(licence, str):
            dist = base[urllib.parse.quote(str(c["row_id"]), safe="") + "-distribution"]
            g.add((ds, DCAT.distribution, dist))
            g.add((dist, RDF.type, DCAT.Distribution))
            g.add((dist, DCTERMS.accessRights, URIRef(ACCESS_RIGHTS[code])))
            for f in (formats or "").split(model.MULTI_SEPARATOR):
                if f:
                    g.add((dist, DCTERMS.format, Literal(f)))
            if isinstance(licence, str):
                lic_code = model.LICENCE.code_of(licence)
                g.add((dist, DCTERMS.license, URIRef(LICENCES[lic_code]) if lic_code in LICENCES else Literal(licence)))
    return g


def write_dcat(tables: Tables, edition: Edition, audience: str, folder: Path) -> list[Path]:
    """Write the DCAT-AP catalogue as Turtle and JSON-LD (deterministic ordering)."""
    g = dcat_graph(tables, edition, audience)
    ttl = folder / "catalogue-dcat.ttl"
    ttl.write_text(g.serialize(format="turtle"), encoding="utf-8")
    doc = json.loads(g.serialize(format="json-ld"))
    if isinstance(doc, list):
        doc = sorted(doc, key=lambda node: str(node.get("@id", "")))
    jsonld = folder / "catalogue-dcat.jsonld"
    jsonld.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    return [ttl, jsonld]


# ------------------------------------------------------------------------------------------------
# Indicators
# ------------------------------------------------------------------------------------------------

SERVICE_INDICATORS = (
    ("categories", "Catégories de données déclarées", "nombre", "nombre de lignes de l'onglet Données du service"),
    ("published", "Catégories publiées en open data", "nombre", "catégories au statut « Publiée en open data »"),
    ("publishable_not_published", "Catégories publiables non publiées (écart à l'ouverture par défaut)", "nombre",
     "catégories au statut « Publiable, non publiée »"),
    ("restricted", "Catégories restreintes ou non communicables", "nombre",
     "catégories aux statuts « Restreinte aux partenaires » ou « Non communicable »"),
    ("share_published", "Part des catégories publiables effectivement publiées", "part (0-1)",
     "publiées / (publiées + publiables non publiées)"),
    ("acquired", "Catégories acquises auprès de tiers", "nombre", "catégories d'origine « Acquise auprès d'un tiers »"),
    ("acquisition_cost", "Coût annuel des acquisitions", "euros par an", "somme des coûts annuels des catégories acquises"),
    ("tools", "Outils déclarés", "nombre", "nombre de lignes de l'onglet Outils"),
    ("tool_cost", "Coût annuel des outils", "euros par an", "somme des coûts annuels des outils"),
    ("arrangements", "Dispositifs partenariaux", "nombre", "nombre de dispositifs distincts auxquels le service participe"),
    ("data_fte", "ETP consacrés à la donnée", "ETP", "ETP déclarés dans l'onglet Service"),
)


def service_indicators(tables: Tables) -> pd.DataFrame:
    """Per-service indicators (one row per responding service, columns of :data:`SERVICE_INDICATORS`)."""
    services = tables.services[["service_id"]].drop_duplicates().set_index("service_id")
    cats = tables.categories
    d = model.DIFFUSION

    def count(mask: pd.Series) -> pd.Series:
        return cats[mask].groupby("service_id").size()

    out = pd.DataFrame(index=services.index)
    out["categories"] = cats.groupby("service_id").size()
    out["published"] = count(cats["diffusion"] == d.published)
    out["publishable_not_published"] = count(cats["diffusion"] == d.publishable)
    out["restricted"] = count(cats["diffusion"].isin([d.restricted, d.not_communicable]))
    out = out.fillna(0).astype("int64")
    denominator = out["published"] + out["publishable_not_published"]
    out["share_published"] = (out["published"] / denominator.where(denominator > 0)).round(4)
    acquired = cats["origin"] == model.ORIGIN.acquired
    out["acquired"] = count(acquired).reindex(out.index).fillna(0).astype("int64")
    out["acquisition_cost"] = cats[acquired].groupby("service_id")["annual_cost"].sum().reindex(out.index).fillna(0.0)
    out["tools"] = tables.tools.groupby("service_id").size().reindex(out.index).fillna(0).astype("int64")
    out["tool_cost"] = tables.tools.groupby("service_id")["annual_cost"].sum().reindex(out.index).fillna(0.0)
    arr = tables.arrangements
    out["arrangements"] = (
        arr.groupby("service_id")["arrangement_id"].nunique().reindex(out.index).fillna(0).astype("int64")
        if len(arr) else 0
    )
    out["data_fte"] = tables.services.drop_duplicates("service_id").set_index("service_id")["data_fte"]
    return out.reset_index().sort_values("service_id", kind="stable").reset_index(drop=True)


def indicator_dictionary() -> pd.DataFrame:
    """Data dictionary of every exported indicator: name, definition, unit, formula, level."""
    rows = []
    try:
        from analysis.indicators import indicator_dictionary as regional

        region = regional().copy()
        region["niveau"] = "région"
        rows.append(region.rename(columns={"definition": "definition", "unit": "unit", "formula": "formula"}))
    except ImportError:  # pragma: no cover - the indicators module ships with the package
        pass
    per_service = pd.DataFrame(
        [{"name": n, "definition": d, "unit": u, "formula": f, "niveau": "service"} for n, d, u, f in SERVICE_INDICATORS]
    )
    rows.append(per_service)
    return pd.concat(rows, ignore_index=True)


def _figure_text(value: object) -> str | None:
    """A key figure as written in the CSV: counts without a decimal part (``38``, not ``38.0``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_indicators(tables: Tables, edition: Edition, folder: Path) -> list[Path]:
    """Write the regional key figures (CSV, JSON), the per-service indicators and their dictionary."""
    from analysis.indicators import key_figures

    figures = key_figures(tables)
    dictionary = indicator_dictionary()
    # regional definitions only: a name may also be a per-service indicator (share_published)
    meta = dictionary[dictionary["niveau"] == "région"].set_index("name")
    regional = pd.DataFrame(
        [
            {
                "edition": edition.id,
                "region": edition.region,
                "indicateur": name,
                "valeur": _figure_text(value),
                "unite": meta.loc[name, "unit"] if name in meta.index else None,
                "definition": meta.loc[name, "definition"] if name in meta.index else None,
            }
            for name, value in figures.items()
        ]
    )
    paths_written = [folder / "indicateurs.csv", folder / "indicateurs.json",
                     folder / "indicateurs-services.csv", folder / "dictionnaire-indicateurs.csv"]
    _write_csv(regional, paths_written[0])
    payload = {
        "edition": edition.id,
        "region": edition.region,
        "date_de_reference": edition.reference_date.isoformat(),
        "indicateurs": {k: (None if pd.isna(v) else v) for k, v in figures.items()},
        "services": json.loads(service_indicators(tables).to_json(orient="records", force_ascii=False)),
    }
    paths_written[1].write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
    per_service = service_indicators(tables).assign(edition=edition.id)
    _write_csv(per_service, paths_written[2])
    _write_csv(dictionary, paths_written[3])
    return paths_written


# ------------------------------------------------------------------------------------------------
# XLSX workbook for analysts
# ------------------------------------------------------------------------------------------------

EXTRA_LABELS = {
    "service_id": "Identifiant du service",
    "source_file": "Fichier source",
    "source_sheet": "Onglet source",
    "source_row": "Ligne source",
    "row_id": "Identifiant de ligne",
    "service_acronym": "Sigle du service",
    "service_name": "Nom du service",
    "ministry": "Ministère",
    "service_type": "Type de service",
    "departement": "Département",
    "match_method": "Méthode de rapprochement",
    "match_score": "Score de rapprochement",
    "arrangement_id": "Identifiant du dispositif",
    "arrangement_name": "Nom du dispositif (référence)",
    "arrangement_match_method": "Méthode de rapprochement du dispositif",
    "arrangement_match_score": "Score de rapprochement du dispositif",
    "column": "Colonne",
    "raw_value": "Valeur brute",
    "reason": "Motif",
}


def french_headers(section: model.Section | None, columns: list[str]) -> list[str]:
    """French header of each column: the field's questionnaire label, else a provenance label."""
    labels = {f.name: f.label for f in section.fields} if section else {}
    return [labels.get(c) or EXTRA_LABELS.get(c, c) for c in columns]


def write_workbook(tables: Tables, path: Path) -> Path:
    """Write the cleaned tables as an XLSX workbook for analysts (formula injection neutralised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    sheets = [(s, getattr(tables, s.name)) for s in model.SECTIONS] + [(None, tables.rejects)]
    for section, df in sheets:
        ws = wb.create_sheet(section.sheet if section else "Rejets")
        frame = neutralise_frame(df)
        ws.append(french_headers(section, list(frame.columns)))
        for row in frame.itertuples(index=False, name=None):
            ws.append([_excel_value(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor="1F4E79")
        ws.freeze_panes = "A2"
        if ws.max_column and ws.max_row:
            ws.auto_filter.ref = f"A1:{get_column_letter(max(ws.max_column, 1))}{max(ws.max_row, 1)}"
        for i, col in enumerate(frame.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(50, max(12, len(str(col)) + 4))
    wb.save(path)
    return path


def _excel_value(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


# ------------------------------------------------------------------------------------------------
# Entry points
# ------------------------------------------------------------------------------------------------


def write_exports(edition: Edition, audience: str, folder: Path, tables: Tables | None = None) -> list[Path]:
    """Write every export of an edition and audience into ``folder`` (created if needed).

    Args:
        edition: the edition.
        audience: ``interne`` or ``public``; the public edition reads the public-filtered tables.
        folder: the destination (the build gives ``reports/<edition>/<audience>/exports``).
        tables: the audience's tables (read from ``data/processed`` when omitted).

    Returns:
        the files written.
    """
    tables = tables if tables is not None else load_tables(edition.id, audience)
    folder.mkdir(parents=True, exist_ok=True)
    written = write_repertoire(catalogue_rows(tables, edition, audience), folder / "repertoire")
    written += write_dcat(tables, edition, audience, folder)
    written += write_indicators(tables, edition, folder)
    written.append(write_workbook(tables, folder / "inventaire.xlsx"))
    return written


def export_edition(edition: Edition, audience: str, reports_root: Path | None = None) -> Path:
    """Regenerate the exports of one audience in place, atomically (``python -m analysis export``).

    The public exports are scanned for protected values before they replace the previous ones.

    Raises:
        RuntimeError: when the public scanner finds a protected value (French message).
    """
    from analysis import public

    public.prepare_audience_tables(edition, audience)
    root = (reports_root or edition.reports_dir) / audience
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".exports-", dir=root))
    try:
        write_exports(edition, audience, staging)
        if audience == "public":
            problems = public.scan_public_artefacts(edition, staging)
            if problems:
                raise RuntimeError("Exports publics refusés :\n- " + "\n- ".join(problems))
        target = root / "exports"
        old = root / ".exports-old"
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
