"""Edition files: one YAML per survey wave holds everything a run depends on.

An edition file is validated on load; every problem is reported in French, all at once, with the
file name, so that an analyst can fix it without reading code.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis import paths

AUDIENCES = ("interne", "public")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class EditionError(ValueError):
    """An edition file that cannot be used; the message is in French and lists every problem."""


@dataclass(frozen=True)
class Edition:
    """A survey wave's parameters, with every path made absolute.

    Attributes:
        id: short identifier used in output folders (``hauts-de-france-2021``).
        path: the edition file itself.
        region: region name as printed in the reports.
        year: survey year.
        title: report title.
        reference_date: the report's date (never the clock).
        survey_dir: folder of the returned questionnaires.
        services_reference: CSV list of the region's State services.
        arrangements_reference: CSV list of the region's partnership arrangements.
        previous: edition file of the previous wave, if any.
        audiences: editions to build (``interne``, ``public``).
        fictional: the returns are fictional (the shipped sample); said on the cover.
        chapters: YAML list of report notebooks and their parameters.
        rules: YAML file of the progress-axes rules.
        recommendations: analysts' own recommendations (YAML), optional.
        maturity_spec: questionnaire specification for maturity scoring.
        published_catalogues: optional input listing what services already publish.
        fuzzy_threshold: minimal similarity (0-100) for a fuzzy name match to be accepted.
        contact_email: functional address of the mission, the contact of the public exports.
        raw: the YAML content as read.
    """

    id: str
    path: Path
    region: str
    year: int
    title: str
    reference_date: dt.date
    survey_dir: Path
    services_reference: Path
    arrangements_reference: Path
    previous: Path | None = None
    audiences: tuple[str, ...] = AUDIENCES
    fictional: bool = False
    chapters: Path = paths.NOTEBOOKS_DIR / "chapters.yml"
    rules: Path = paths.CONFIG_DIR / "regles.yaml"
    recommendations: Path | None = None
    maturity_spec: Path = paths.CONFIG_DIR / "maturite-questionnaire.yaml"
    published_catalogues: Path | None = None
    fuzzy_threshold: float = 85.0
    contact_email: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def processed_dir(self) -> Path:
        """``data/processed/<edition>/``."""
        return paths.processed_dir(self.id)

    @property
    def reports_dir(self) -> Path:
        """``reports/<edition>/``."""
        return paths.reports_dir(self.id)

    def previous_edition(self) -> Edition | None:
        """Load the previous wave's edition file, if one is named."""
        return load_edition(self.previous) if self.previous else None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def load_edition(path: str | Path | None = None) -> Edition:
    """Read and validate an edition file.

    Args:
        path: the YAML file; the shipped sample's latest edition when ``None``.

    Returns:
        The validated edition, paths made absolute (relative paths are taken from the project root).

    Raises:
        EditionError: listing, in French, every problem found.
    """
    path = paths.resolve(path) if path is not None else paths.DEFAULT_EDITION
    if not path.is_file():
        raise EditionError(f"Fichier d'édition introuvable : {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise EditionError(f"{path.name} : YAML illisible ({exc})") from exc
    if not isinstance(data, dict):
        raise EditionError(f"{path.name} : le fichier doit contenir un dictionnaire de paramètres.")

    errors: list[str] = []

    def need(key: str) -> Any:
        if data.get(key) in (None, ""):
            errors.append(f"paramètre obligatoire manquant : « {key} »")
        return data.get(key)

    known = {
        "edition", "region", "year", "title", "reference_date", "survey_dir", "reference", "previous_edition",
        "audiences", "fictional", "chapters", "rules", "recommendations", "maturity_spec",
        "published_catalogues", "fuzzy_threshold", "contact_email",
    }
    for key in sorted(set(data) - known):
        errors.append(f"paramètre inconnu : « {key} » (attendus : {', '.join(sorted(known))})")

    edition_id = need("edition")
    if edition_id is not None and not (isinstance(edition_id, str) and _ID_RE.match(edition_id)):
        errors.append(f"« edition » doit être un identifiant en minuscules, chiffres et tirets (reçu : {edition_id!r})")
    region = need("region")
    year = need("year")
    if year is not None and not (isinstance(year, int) and 1990 <= year <= 2100):
        errors.append(f"« year » doit être une année (reçu : {year!r})")
    ref_date = _as_date(need("reference_date"))
    if data.get("reference_date") not in (None, "") and ref_date is None:
        errors.append(f"« reference_date » doit être une date AAAA-MM-JJ (reçu : {data.get('reference_date')!r})")

    def path_param(value: Any, key: str, must_exist: bool = True, is_dir: bool = False) -> Path | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            errors.append(f"« {key} » doit être un chemin (reçu : {value!r})")
            return None
        p = paths.resolve(value)
        if must_exist and not (p.is_dir() if is_dir else p.is_file()):
            kind = "dossier" if is_dir else "fichier"
            errors.append(f"« {key} » : {kind} introuvable ({value})")
        return p

    survey_dir = path_param(need("survey_dir"), "survey_dir", is_dir=True)
    reference = data.get("reference") or {}
    if not isinstance(reference, dict):
        errors.append("« reference » doit contenir « services » et « arrangements »")
        reference = {}
    services_ref = path_param(reference.get("services"), "reference.services")
    arrangements_ref = path_param(reference.get("arrangements"), "reference.arrangements")
    if services_ref is None:
        errors.append("paramètre obligatoire manquant : « reference.services »")
    if arrangements_ref is None:
        errors.append("paramètre obligatoire manquant : « reference.arrangements »")

    previous = path_param(data.get("previous_edition"), "previous_edition")
    if previous is not None and previous == path:
        errors.append("« previous_edition » ne peut pas désigner l'édition elle-même")

    audiences = data.get("audiences", list(AUDIENCES))
    if not isinstance(audiences, list) or not audiences or any(a not in AUDIENCES for a in audiences):
        errors.append(f"« audiences » doit être une liste parmi {', '.join(AUDIENCES)} (reçu : {audiences!r})")
        audiences = list(AUDIENCES)

    fictional = data.get("fictional", False)
    if not isinstance(fictional, bool):
        errors.append(f"« fictional » doit valoir true ou false (reçu : {fictional!r})")

    threshold = data.get("fuzzy_threshold", 85)
    if not isinstance(threshold, int | float) or not 50 <= threshold <= 100:
        errors.append(f"« fuzzy_threshold » doit être un nombre entre 50 et 100 (reçu : {threshold!r})")
        threshold = 85

    contact = data.get("contact_email")
    if contact is not None and not (isinstance(contact, str) and re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", contact)):
        errors.append(f"« contact_email » doit être une adresse électronique (reçu : {contact!r})")

    defaults = Edition.__dataclass_fields__
    chapters = path_param(data.get("chapters"), "chapters") or defaults["chapters"].default
    rules = path_param(data.get("rules"), "rules") or defaults["rules"].default
    maturity_spec = path_param(data.get("maturity_spec"), "maturity_spec") or defaults["maturity_spec"].default
    recommendations = path_param(data.get("recommendations"), "recommendations")
    catalogues = path_param(data.get("published_catalogues"), "published_catalogues")

    if errors:
        raise EditionError(f"Fichier d'édition {path.name} invalide :\n- " + "\n- ".join(errors))

    return Edition(
        id=edition_id,
        path=path,
        region=str(region),
        year=int(year),
        title=str(data.get("title") or f"Stratégie de la donnée de l'État en {region} — état des lieux {year}"),
        reference_date=ref_date,
        survey_dir=survey_dir,
        services_reference=services_ref,
        arrangements_reference=arrangements_ref,
        previous=previous,
        audiences=tuple(audiences),
        fictional=bool(fictional),
        chapters=chapters,
        rules=rules,
        recommendations=recommendations,
        maturity_spec=maturity_spec,
        published_catalogues=catalogues,
        fuzzy_threshold=float(threshold),
        contact_email=contact,
        raw=data,
    )
