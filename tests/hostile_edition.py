"""One small fictional edition full of canaries and hostile input, ingested and built once.

Not a conftest: ``test_public_edition_e2e`` and ``test_hostile`` import :func:`built_edition`.
Four returns, one per service of ``returns_factory``'s reference list:

- DREAL (``dreal.xlsx``): the canary return. A unique marker in every protected field: the
  referent's name, e-mail and phone; title, description, supplier, URL, tools and comment of a
  restricted and of a not-communicable category; an e-mail and a phone typed into the free-text
  fields of public rows (service, category description and comment, tool, arrangement and
  maturity comments) and into a controlled field (quoted back by the rejects' reason).
- DRAAF (``draaf.xlsx``): hostile HTML / Markdown / format strings in published texts; each
  script payload would set ``window.__xss`` if it ever ran.
- INSEE (``insee.xlsx``): texts starting with ``=``, ``+``, ``-``, ``@`` (formula injection).
- DDTM 62: a return whose file name is hostile, plus refused files with hostile names.

The edition is ingested into a temporary ``processed`` folder (``ANALYSIS_PROCESSED_DIR``) and
both audiences are built with the project's real chapter notebooks into a temporary ``reports``
folder. The build is cached for the test session (both modules share it).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from returns_factory import ARRANGEMENTS_CSV, SERVICES_CSV, valid_row, write_return

from analysis import model

EDITION_ID = "canari-2021"
TOKEN = "7f3a"

# ---------------------------------------------------------------------------------------------
# Canary markers: field -> unique marker (phones compared on their digits)
# ---------------------------------------------------------------------------------------------

CANARIES: dict[str, str] = {
    "services.referent_name": "CANARI-NOM-7F3A",
    "services.referent_email": "canari.referent7f3a@exemple.gouv.fr",
    "services.referent_phone": "03 22 71 73 07",
    "services.comment (courriel)": "canari.servcom7f3a@exemple.gouv.fr",
    "services.comment (téléphone)": "03 22 71 73 01",
    "restreinte.title": "CANARI-TITRE-R-7F3A",
    "restreinte.description": "CANARI-DESC-R-7F3A",
    "restreinte.supplier": "CANARI-FOURN-R-7F3A",
    "restreinte.url": "https://canari-url-r-7f3a.exemple.fr/jeu",
    "restreinte.tools": "CANARI-OUTILS-R-7F3A",
    "restreinte.comment": "CANARI-COMM-R-7F3A",
    "non_communicable.title": "CANARI-TITRE-N-7F3A",
    "non_communicable.description": "CANARI-DESC-N-7F3A",
    "non_communicable.supplier": "CANARI-FOURN-N-7F3A",
    "non_communicable.url": "https://canari-url-n-7f3a.exemple.fr/jeu",
    "non_communicable.tools": "CANARI-OUTILS-N-7F3A",
    "non_communicable.comment": "CANARI-COMM-N-7F3A",
    "categories.description (courriel)": "canari.catdesc7f3a@exemple.gouv.fr",
    "categories.description (téléphone)": "03 22 71 73 02",
    "categories.comment (courriel)": "canari.catcom7f3a@exemple.gouv.fr",
    "categories.comment (téléphone)": "03 22 71 73 03",
    "tools.comment (courriel)": "canari.outil7f3a@exemple.gouv.fr",
    "tools.comment (téléphone)": "03 22 71 73 04",
    "arrangements.comment (courriel)": "canari.disp7f3a@exemple.gouv.fr",
    "arrangements.comment (téléphone)": "03 22 71 73 05",
    "maturity.comment (courriel)": "canari.mat7f3a@exemple.gouv.fr",
    "maturity.comment (téléphone)": "03 22 71 73 06",
    # a contact typed into a controlled field: the row is rejected and the reason quotes it
    "rejects.reason (courriel)": "canari.rejet7f3a@exemple.gouv.fr",
    "rejects.reason (téléphone)": "03 22 71 73 08",
}

# ---------------------------------------------------------------------------------------------
# Hostile strings
# ---------------------------------------------------------------------------------------------

XSS_TITLE = "<script>alert(1)</script>"
XSS_TITLE_SETTER = "<script>window.__xss='titre';alert(1)</script>"
XSS_TOOL = "<img src=x onerror=\"window.__xss='outil';alert(2)\">"
XSS_ARRANGEMENT = "\"><svg onload=\"window.__xss='dispositif';alert(3)\">"
XSS_ARRANGEMENT_COMMENT = "'><svg/onload=window.__xss='commentaire'>"
XSS_URL = "javascript:window.__xss='url';alert(4)"
MD_LINK = "[clic](javascript:window.__xss='markdown')"
MD_BOLD = "**gras** et __souligné__"
BRACES = "Catégorie {n} {0} %s %(x)s $x^2$ et 5 $"
XSS_SERVICE_COMMENT = "<iframe src=\"javascript:window.__xss='iframe'\"></iframe>"
HOSTILE_TEXTS = [XSS_TITLE, XSS_TITLE_SETTER, XSS_TOOL, MD_LINK, MD_BOLD, BRACES]

FORMULAS = {
    "title_eq": "=HYPERLINK(\"http://exemple.invalid\";\"clic\")",
    "title_plus": "+33 cmd",
    "title_minus": "-2+3",
    "title_at": "@SUM(A1:A2)",
    "description": "=1+1",
    "tool": "=cmd|' /C calc'!A0",
    "comment": "@risque",
    "arrangement_comment": "-1+1",
}

#: Hostile file names in the survey folder (the DDTM 62 return, then refused files).
HOSTILE_RETURN_NAME = "<img src=x onerror=window.__xss='fichier'>;rm -rf ~ $(id) ..xlsx"
HOSTILE_REFUSED_NAMES = [
    "..xlsx",
    "a;rm -rf.pdf",
    "<script>alert(8)<\\script>.docx",
    "ligne1\nligne2.txt",
    "x" * 240 + ".txt",
    "Réponse ✓ ÉTAT 🚀 ‮gnp.exe.docx",
]


def _labels() -> dict[str, str]:
    d = model.DIFFUSION
    return {
        "published": d.published, "publishable": d.publishable,
        "restricted": d.restricted, "not_communicable": d.not_communicable,
    }


def _category(index: int, diffusion: str, **values: Any) -> dict[str, Any]:
    row = valid_row(model.CATEGORIES, index) | {"diffusion": _labels()[diffusion]}
    if diffusion in ("published", "publishable"):
        row["legal_ground"] = None
    return row | values


def _protected(kind: str, index: int) -> dict[str, Any]:
    key = "restreinte" if kind == "restricted" else "non_communicable"
    c = {f: CANARIES[f"{key}.{f}"] for f in ("title", "description", "supplier", "url", "tools", "comment")}
    return _category(index, kind, origin=model.ORIGIN.acquired, **c)


def _service(acronym: str, **values: Any) -> dict[str, Any]:
    return valid_row(model.SERVICE) | {"service": acronym, "answer_date": "15/03/2021"} | values


def _maturity(comment: str | None = None) -> list[dict[str, Any]]:
    dims = model.MATURITY.field("dimension").vocab.labels
    levels = model.MATURITY.field("level").vocab.labels
    rows = [{"dimension": d, "level": levels[i % len(levels)], "comment": None} for i, d in enumerate(dims)]
    rows[0]["comment"] = comment
    return rows


def canary_return(path: Path) -> Path:
    """The DREAL return: a marker in every protected field."""
    c = CANARIES
    service = _service(
        "DREAL", referent_name=c["services.referent_name"], referent_email=c["services.referent_email"],
        referent_phone=c["services.referent_phone"],
        comment=f"Joindre {c['services.comment (courriel)']} ou le {c['services.comment (téléphone)']}.",
    )
    categories = [
        _category(0, "published", title="Qualité de l'air mesurée",
                  description=f"Mesures horaires ; contact {c['categories.description (courriel)']}, "
                              f"tél. {c['categories.description (téléphone)']}",
                  comment=f"Écrire à {c['categories.comment (courriel)']} ou appeler le "
                          f"{c['categories.comment (téléphone)']}"),
        _category(1, "publishable", title="Zonages réglementaires"),
        _category(4, "published", title="Installations classées"),
        _protected("restricted", 2),
        _protected("not_communicable", 3),
        _category(5, "published", title="Ligne refusée",
                  theme=f"voir {c['rejects.reason (courriel)']} {c['rejects.reason (téléphone)']}"),
    ]
    tools = [
        valid_row(model.TOOLS, 0) | {
            "name": "QGIS",
            "categories": f"{c['restreinte.title']}; Qualité de l'air mesurée",
            "comment": f"Référent outil : {c['tools.comment (courriel)']}, {c['tools.comment (téléphone)']}",
        },
        valid_row(model.TOOLS, 1) | {"name": "PostGIS", "categories": c["non_communicable.title"]},
    ]
    arrangements = [
        valid_row(model.ARRANGEMENTS, 0) | {
            "arrangement": "Géo2France",
            "comment": f"Animatrice : {c['arrangements.comment (courriel)']} — {c['arrangements.comment (téléphone)']}",
        },
        valid_row(model.ARRANGEMENTS, 1) | {"arrangement": "Observatoire régional du climat"},
    ]
    maturity = _maturity(f"Auto-évaluation par {c['maturity.comment (courriel)']} ({c['maturity.comment (téléphone)']})")
    return write_return(path, {"services": [service], "categories": categories, "tools": tools,
                               "arrangements": arrangements, "maturity": maturity})


def xss_return(path: Path) -> Path:
    """The DRAAF return: hostile HTML and Markdown in texts that every edition shows."""
    categories = [
        _category(0, "published", title=XSS_TITLE, description=MD_LINK, url=XSS_URL),
        _category(1, "published", title=XSS_TITLE_SETTER, description=XSS_TOOL),
        _category(2, "publishable", title=MD_BOLD, comment=MD_LINK),
        _category(3, "published", title=BRACES, supplier=BRACES, origin=model.ORIGIN.acquired),
        _category(4, "restricted", title="Contrôles sanitaires nominatifs"),
    ]
    tools = [
        valid_row(model.TOOLS, 0) | {"name": XSS_TOOL, "categories": XSS_TITLE, "comment": MD_LINK},
        valid_row(model.TOOLS, 2) | {"name": BRACES, "shared_with": XSS_TITLE},
    ]
    arrangements = [
        valid_row(model.ARRANGEMENTS, 0) | {"arrangement": XSS_ARRANGEMENT, "comment": XSS_ARRANGEMENT_COMMENT},
        valid_row(model.ARRANGEMENTS, 2) | {"arrangement": "Géo2France", "comment": MD_BOLD},
    ]
    return write_return(path, {
        "services": [_service("DRAAF", comment=XSS_SERVICE_COMMENT)],
        "categories": categories, "tools": tools, "arrangements": arrangements,
        "maturity": _maturity(XSS_TITLE),
    })


def formula_return(path: Path) -> Path:
    """The INSEE return: published texts that a spreadsheet would evaluate."""
    f = FORMULAS
    categories = [
        _category(0, "published", title=f["title_eq"], description=f["description"], comment=f["comment"]),
        _category(1, "published", title=f["title_plus"]),
        _category(2, "publishable", title=f["title_minus"]),
        _category(3, "published", title=f["title_at"]),
        _category(4, "not_communicable", title="Fichier des entreprises enquêtées"),
    ]
    tools = [valid_row(model.TOOLS, 3) | {"name": f["tool"], "comment": f["comment"]}]
    arrangements = [valid_row(model.ARRANGEMENTS, 1) | {"arrangement": "Réseau des géomaticiens",
                                                        "comment": f["arrangement_comment"]}]
    write_return(path, {"services": [_service("INSEE")], "categories": categories, "tools": tools,
                        "arrangements": arrangements, "maturity": _maturity()})
    # openpyxl stores a text starting with "=" as a formula: force every such cell to text.
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    wb.save(path)
    return path


def ddtm_return(path: Path) -> Path:
    """The DDTM 62 return (its file name is hostile; its content is ordinary)."""
    categories = [_category(i, d) for i, d in enumerate(["published", "publishable", "restricted", "published"])]
    return write_return(path, {
        "services": [_service("DDTM 62")], "categories": categories,
        "tools": [valid_row(model.TOOLS, i) for i in range(2)],
        "arrangements": [valid_row(model.ARRANGEMENTS, 2) | {"arrangement": "Club SIG"}],
        "maturity": _maturity(),
    })


def write_edition(root: Path) -> Path:
    """Write the returns, the reference lists and a real edition file under ``root``.

    Returns:
        the edition file.
    """
    survey = root / "retours"
    survey.mkdir(parents=True)
    ref = root / "reference"
    ref.mkdir()
    (ref / "services.csv").write_text(SERVICES_CSV, encoding="utf-8")
    (ref / "dispositifs.csv").write_text(ARRANGEMENTS_CSV, encoding="utf-8")
    canary_return(survey / "dreal.xlsx")
    xss_return(survey / "draaf.xlsx")
    formula_return(survey / "insee.xlsx")
    ddtm_return(survey / HOSTILE_RETURN_NAME)
    for name in HOSTILE_REFUSED_NAMES:
        (survey / name).write_bytes(b"pas un questionnaire")
    path = root / "canari.yaml"
    path.write_text(
        f"edition: {EDITION_ID}\n"
        "region: Hauts-de-France\n"
        "year: 2021\n"
        "title: \"Édition canari <b>2021</b>\"\n"
        "reference_date: 2021-09-30\n"
        f"survey_dir: {survey}\n"
        f"reference: {{services: {ref / 'services.csv'}, arrangements: {ref / 'dispositifs.csv'}}}\n"
        "audiences: [interne, public]\n"
        "fictional: true\n"
        "contact_email: strategie-donnee@example.gouv.fr\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Built:
    """The result of the shared build."""

    root: Path
    edition: Any
    ingest: Any
    result: Any
    seconds: float

    @property
    def reports(self) -> Path:
        return self.root / "reports" / EDITION_ID

    def audience(self, name: str) -> Path:
        return self.reports / name


_CACHE: dict[str, Built] = {}


def built_edition(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Ingest and build the hostile edition once per session (both audiences, real notebooks)."""
    if "built" in _CACHE:
        return _CACHE["built"]
    from analysis import build, ingest
    from analysis.edition import load_edition

    root = tmp_path_factory.mktemp("canari")
    edition = load_edition(write_edition(root))
    start = time.perf_counter()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_PROCESSED_DIR", str(root / "processed"))
        mp.setenv("ANALYSIS_REPORTS_DIR", str(root / "reports"))
        result_ingest = ingest.ingest_edition(edition)
        assert result_ingest.ok, result_ingest.summary()
        result = build.build_edition(edition, reports_root=root / "reports", jobs=min(2, os.cpu_count() or 1),
                                     force=True, progress=False)
    _CACHE["built"] = Built(root, edition, result_ingest, result, time.perf_counter() - start)
    return _CACHE["built"]


def reference_date() -> dt.date:
    """The edition's reference date (as written in :func:`write_edition`)."""
    return dt.date(2021, 9, 30)
