"""Small hand-written survey returns, written into a test's temporary folder.

Not a conftest: tests import what they need. Everything is fake, static and readable: a reference
list of four services and three arrangements, and returns built cell by cell with openpyxl or as
CSV text. Values come from ``analysis.model`` vocabularies, never restated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl

from analysis import model
from analysis.edition import Edition

SERVICES_CSV = """id,acronym,name,ministry,type,departement,variants
DREAL-HDF,DREAL,Direction régionale de l'environnement de l'aménagement et du logement,Transition écologique,Direction régionale,,DREAL Hauts-de-France|DREAL Nord-Pas-de-Calais
DRAAF-HDF,DRAAF,Direction régionale de l'alimentation de l'agriculture et de la forêt,Agriculture,Direction régionale,,DRAAF Hauts-de-France
DDTM-62,DDTM 62,Direction départementale des territoires et de la mer du Pas-de-Calais,Transition écologique,Direction départementale,62,DDTM du Pas-de-Calais
INSEE-HDF,INSEE,Direction régionale de l'INSEE Hauts-de-France,Économie,Opérateur de l'État,,INSEE Hauts-de-France
"""

ARRANGEMENTS_CSV = """id,name,kind,variants,lead,description
GEO2FRANCE,Géo2France,Plateforme de données,Geo2France|Géo 2 France|PPIGE,Région et SGAR,Plateforme régionale de données géographiques.
OBS-CLIMAT,Observatoire régional du climat,Observatoire,ORC|Observatoire climat,DREAL,Observatoire du climat.
RESEAU-SIG,Réseau des géomaticiens,Réseau ou club d'acteurs,Club SIG,DREAL,Réseau des géomaticiens de l'État.
"""

DREAL_LABEL = "DREAL — Direction régionale de l'environnement de l'aménagement et du logement"


def make_edition(tmp_path: Path, survey_dir: Path | None = None, threshold: float = 85.0) -> Edition:
    """An edition whose reference lists are the tiny lists above, written into ``tmp_path``.

    Args:
        tmp_path: the test's temporary folder.
        survey_dir: the returns folder (``tmp_path / "returns"``, created, by default).
        threshold: the fuzzy-match threshold.

    Returns:
        The edition (its processed folder is the project's; tests call ``ingest_files``).
    """
    ref = tmp_path / "reference"
    ref.mkdir(exist_ok=True)
    (ref / "services.csv").write_text(SERVICES_CSV, encoding="utf-8")
    (ref / "dispositifs.csv").write_text(ARRANGEMENTS_CSV, encoding="utf-8")
    survey_dir = survey_dir or tmp_path / "returns"
    survey_dir.mkdir(exist_ok=True)
    return Edition(
        id="test-edition", path=tmp_path / "edition.yaml", region="Hauts-de-France", year=2021,
        title="Édition de test", reference_date=dt.date(2021, 9, 30), survey_dir=survey_dir,
        services_reference=ref / "services.csv", arrangements_reference=ref / "dispositifs.csv",
        fuzzy_threshold=threshold,
    )


def valid_row(section: model.Section, index: int = 0) -> dict[str, Any]:
    """A row of valid raw values for every field of a section (as a respondent types them).

    Args:
        section: the section.
        index: varies the values so that rows differ (vocabulary item, numbers, text).

    Returns:
        field name -> raw value.
    """
    row: dict[str, Any] = {}
    for f in section.fields:
        if f.kind == "choice":
            row[f.name] = f.vocab.labels[index % len(f.vocab.labels)]
        elif f.kind == "multichoice":
            labels = f.vocab.labels
            row[f.name] = f"{labels[index % len(labels)]}; {labels[(index + 1) % len(labels)]}"
        elif f.kind == "money":
            row[f.name] = 1000 + index
        elif f.kind == "fte":
            row[f.name] = 0.5 + index
        elif f.kind == "integer":
            row[f.name] = 10 + index
        elif f.kind == "bool":
            row[f.name] = "Oui" if index % 2 == 0 else "Non"
        elif f.kind == "date":
            row[f.name] = dt.datetime(2020, 1 + index % 12, 15)
        elif f.kind == "email":
            row[f.name] = f"agent{index}@example.gouv.fr"
        elif f.kind == "phone":
            row[f.name] = "03 20 00 00 00"
        elif f.kind == "url":
            row[f.name] = f"https://www.data.gouv.fr/datasets/jeu-{index}"
        elif f.kind == "service":
            row[f.name] = DREAL_LABEL
        elif f.kind == "arrangement":
            row[f.name] = "Géo2France"
        else:
            row[f.name] = f"{f.label} {index}"
    return row


def write_return(
    path: Path,
    sections: dict[str, list[dict[str, Any]]],
    *,
    headers: dict[str, dict[str, str]] | None = None,
    sheet_names: dict[str, str] | None = None,
    header_row: int = 1,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    """Write a returned workbook with openpyxl.

    Args:
        path: the .xlsx file.
        sections: section name -> rows (field name -> raw value; ``None`` for a blank row).
        headers: section name -> {field name: header text} to rename columns.
        sheet_names: section name -> sheet name (default ``Section.sheet``).
        header_row: the Excel row of the headers (rows above hold a title).
        extra_sheets: sheet name -> rows of cells, written as they are.

    Returns:
        ``path``.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sections.items():
        section = model.SECTIONS_BY_NAME[name]
        ws = wb.create_sheet((sheet_names or {}).get(name, section.sheet))
        if header_row > 1:
            ws.cell(row=1, column=1, value=f"Questionnaire — {section.label}")
        renamed = (headers or {}).get(name, {})
        names = [f.name for f in section.fields if renamed.get(f.name, "") is not None]
        for col, fname in enumerate(names, start=1):
            ws.cell(row=header_row, column=col, value=renamed.get(fname, section.field(fname).label))
        for r, row in enumerate(rows, start=header_row + 1):
            for col, fname in enumerate(names, start=1):
                if row is not None and row.get(fname) is not None:
                    ws.cell(row=r, column=col, value=row[fname])
    for name, rows in (extra_sheets or {}).items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv(path: Path, section: str, rows: list[dict[str, Any]], *, encoding: str = "cp1252",
              delimiter: str = ";", extra_columns: dict[str, list[str]] | None = None) -> Path:
    """Write a CSV export of one section (labels as headers).

    Args:
        path: the .csv file.
        section: section name.
        rows: rows (field name -> raw value).
        encoding: text encoding.
        delimiter: field separator.
        extra_columns: header -> one value per row, appended after the fields.

    Returns:
        ``path``.
    """
    sec = model.SECTIONS_BY_NAME[section]
    extra = extra_columns or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([f.label for f in sec.fields] + list(extra))
    for i, row in enumerate(rows):
        cells = ["" if row.get(f.name) is None else str(row[f.name]) for f in sec.fields]
        writer.writerow(cells + [values[i] for values in extra.values()])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def full_return(path: Path, service: str = DREAL_LABEL, answer_date: Any = "15/03/2021", n: int = 2) -> Path:
    """A complete, valid return: one service row and ``n`` rows in every other section.

    Args:
        path: the .xlsx file.
        service: the service name as typed.
        answer_date: the answer date as typed.
        n: rows per multi-row section.

    Returns:
        ``path``.
    """
    service_row = valid_row(model.SERVICE) | {"service": service, "answer_date": answer_date}
    sections: dict[str, list[dict[str, Any]]] = {"services": [service_row]}
    for section in model.SECTIONS[1:]:
        sections[section.name] = [valid_row(section, i) for i in range(n)]
    return write_return(path, sections)
