"""The blank Excel questionnaire, generated from the survey model.

One sheet per section of ``model.SECTIONS`` (headers = field labels, help as header comments,
dropdowns from the vocabularies), an « Instructions » sheet in French and a hidden « Listes »
sheet holding every dropdown list (inline lists are limited to 255 characters by Excel, so the
validations reference ranges of that sheet). The file is byte-for-byte reproducible for a given
edition: document properties and zip timestamps are set to the edition's reference date.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from analysis import model
from analysis.edition import Edition

#: Rows pre-sized with data validations on each multi-row sheet.
TEMPLATE_ROWS = 500
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Listes"
#: Sheets of the template that hold no answers (ignored by the ingestion).
AUXILIARY_SHEETS = (INSTRUCTIONS_SHEET, LISTS_SHEET)
#: Fields the template pre-fills (a row holding only these values is an unanswered row).
PREFILLED_FIELDS: dict[str, tuple[str, ...]] = {"maturity": ("dimension",)}
YES_NO = ("Oui", "Non")
#: Separator between a service's acronym and name in the service dropdown.
SERVICE_LABEL_SEPARATOR = " — "

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
SUBTITLE_FONT = Font(bold=True, size=12)

MISSION_QUOTE = (
    "« Il est indispensable que l'État en région se dote d'une stratégie de la donnée afin d'améliorer "
    "l'efficacité des politiques publiques conduites en Hauts-de-France et de valoriser ce nouveau bien "
    "public. Un état des lieux des dispositifs et pratiques en cours dans les services de l'État devra être "
    "réalisé, à partir duquel des propositions stratégiques et opérationnelles devront être élaborées et mises "
    "en œuvre. » (lettre de mission du préfet de région, juillet 2019)"
)


def service_choice_label(acronym: str | None, name: str) -> str:
    """The text of a service in the questionnaire's dropdown (``"DREAL — Direction régionale…"``).

    Args:
        acronym: the service's acronym (may be empty).
        name: the service's full name.

    Returns:
        ``"<acronym> — <name>"``, or the name alone without an acronym.
    """
    acronym = (acronym or "").strip()
    return f"{acronym}{SERVICE_LABEL_SEPARATOR}{name}" if acronym and acronym != name else name


def service_choices(services: pd.DataFrame) -> list[str]:
    """Dropdown texts of the services reference list, in list order.

    Args:
        services: the reference list (columns ``acronym``, ``name``).

    Returns:
        One text per service.
    """
    return [service_choice_label(a if isinstance(a, str) else None, n)
            for a, n in zip(services["acronym"], services["name"], strict=True)]


def _load_references(edition: Edition) -> tuple[list[str], list[str]]:
    from analysis.referential import load_arrangements, load_services

    services = service_choices(load_services(edition.services_reference))
    arrangements = [str(n) for n in load_arrangements(edition.arrangements_reference)["name"]]
    return services, arrangements


def _lists(services: list[str], arrangements: list[str]) -> dict[str, list[str]]:
    """Every dropdown list, keyed by list name, in column order of the « Listes » sheet."""
    lists: dict[str, list[str]] = {"service": services, "arrangement": arrangements, "oui_non": list(YES_NO)}
    for section in model.SECTIONS:
        for f in section.fields:
            if f.vocab is not None:
                lists.setdefault(f.vocab.name, f.vocab.labels)
    return lists


def _write_lists(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """Write the hidden lists sheet; return the absolute range of each list."""
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=value)
        last = max(len(values) + 1, 2)
        ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
        defined = f"liste_{name}"
        wb.defined_names[defined] = DefinedName(defined, attr_text=ref)
        ranges[name] = ref
        ws.column_dimensions[letter].width = min(60, max(12, max((len(v) for v in values), default=8)))
    return ranges


def _validation_for(f: model.Field, ranges: dict[str, str]) -> DataValidation | None:
    """The data validation of a field's column, or ``None`` for free text."""
    title = f.label[:32]
    if f.kind == "choice" and f.vocab is not None:
        dv = DataValidation(type="list", formula1=f"={ranges[f.vocab.name]}", allow_blank=True,
                            error=f"Choisissez une valeur de la liste « {f.vocab.label} ».", errorTitle=title)
    elif f.kind == "service":
        dv = DataValidation(type="list", formula1=f"={ranges['service']}", allow_blank=True,
                            error="Choisissez votre service dans la liste.", errorTitle=title)
    elif f.kind == "arrangement":
        # The list helps, but a dispositif missing from it may be typed freely.
        dv = DataValidation(type="list", formula1=f"={ranges['arrangement']}", allow_blank=True,
                            showErrorMessage=False)
        dv.prompt = "Choisissez dans la liste ou saisissez le nom d'un dispositif absent de la liste."
    elif f.kind == "bool":
        dv = DataValidation(type="list", formula1=f"={ranges['oui_non']}", allow_blank=True,
                            error="Répondez « Oui » ou « Non ».", errorTitle=title)
    elif f.kind == "date":
        low, high = (int(to_excel(dt.datetime(y, 1, 1))) for y in (1950, 2101))
        dv = DataValidation(type="date", operator="between", formula1=str(low), formula2=str(high - 1),
                            allow_blank=True, error="Saisissez une date (JJ/MM/AAAA).", errorTitle=title)
    elif f.kind in ("money", "fte", "integer"):
        kind = "whole" if f.kind == "integer" else "decimal"
        low = f.min_value if f.min_value is not None else 0
        if f.max_value is not None:
            dv = DataValidation(type=kind, operator="between", formula1=f"{low:g}", formula2=f"{f.max_value:g}",
                                allow_blank=True, errorTitle=title,
                                error=f"Saisissez un nombre entre {low:g} et {f.max_value:g}.")
        else:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{low:g}",
                                allow_blank=True, errorTitle=title, error=f"Saisissez un nombre supérieur ou égal à {low:g}.")
    elif f.kind == "multichoice" and f.vocab is not None:
        dv = DataValidation(allow_blank=True, showErrorMessage=False)
        dv.prompt = (f"Une ou plusieurs valeurs de la liste « {f.vocab.label} » (onglet Instructions), "
                     f"séparées par « {model.MULTI_SEPARATOR.strip()} ».")
    else:
        return None
    dv.showInputMessage = True
    dv.promptTitle = title
    if dv.prompt is None:
        dv.prompt = f.help[:255]
    dv.prompt = dv.prompt[:255]
    return dv


def _write_section(wb: Workbook, section: model.Section, ranges: dict[str, str]) -> None:
    ws = wb.create_sheet(section.sheet)
    last_row = 2 if section.one_row else TEMPLATE_ROWS + 1
    for col, f in enumerate(section.fields, start=1):
        letter = get_column_letter(col)
        cell = ws.cell(row=1, column=col, value=f.label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = f.help + (" (obligatoire)" if f.required else "")
        cell.comment = Comment(note, "Questionnaire", width=300, height=110)
        ws.column_dimensions[letter].width = f.width
        dv = _validation_for(f, ranges)
        if dv is not None:
            dv.add(f"{letter}2:{letter}{last_row}")
            ws.add_data_validation(dv)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    if section.name in PREFILLED_FIELDS:
        for fname in PREFILLED_FIELDS[section.name]:
            f = section.field(fname)
            col = section.field_names.index(fname) + 1
            for row, label in enumerate(f.vocab.labels if f.vocab else [], start=2):
                ws.cell(row=row, column=col, value=label)


def _write_instructions(wb: Workbook, edition: Edition) -> None:
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 120
    lines: list[tuple[str, Font | None]] = [
        (f"{edition.title}", TITLE_FONT),
        (f"Questionnaire à l'attention des services de l'État en {edition.region} — édition {edition.year}", None),
        ("", None),
        ("Objet de l'enquête", SUBTITLE_FONT),
        ("Le préfet de région a confié à la DREAL une mission interministérielle pour doter l'État en région "
         "d'une stratégie de la donnée :", None),
        (MISSION_QUOTE, None),
        ("Vos réponses alimentent l'inventaire des données et des outils des services, la cartographie des "
         "dispositifs partenariaux et les axes de progrès proposés.", None),
        ("", None),
        ("Comment remplir ce classeur", SUBTITLE_FONT),
        ("1. Remplissez un classeur par service ; commencez par l'onglet « Service » (une seule ligne).", None),
        ("2. Dans les autres onglets, saisissez une ligne par élément ; laissez vide ce qui ne vous concerne pas.", None),
        ("3. Utilisez les listes déroulantes ; pour les cellules à choix multiples, séparez les valeurs par "
         f"« {model.MULTI_SEPARATOR.strip()} ».", None),
        ("4. Les montants sont en euros par an, les effectifs en équivalents temps plein (ETP), les dates au "
         "format JJ/MM/AAAA.", None),
        ("5. Ne modifiez pas les en-têtes des colonnes, ni le nom des onglets : ils permettent la lecture "
         "automatique des réponses.", Font(bold=True)),
        ("6. Survolez un en-tête pour afficher l'aide de la colonne.", None),
        ("", None),
        ("Les onglets", SUBTITLE_FONT),
    ]
    for section in model.SECTIONS:
        lines.append((f"« {section.sheet} » — {section.label} : {section.help}", None))
    lines += [("", None), ("Fondements légaux d'une restriction de diffusion", SUBTITLE_FONT)]
    lines += [(f"• {label}", None) for label in model.LEGAL_GROUND.labels]
    lines += [("", None), ("Listes de valeurs des cellules à choix multiples", SUBTITLE_FONT)]
    seen = set()
    for section in model.SECTIONS:
        for f in section.fields:
            if f.kind == "multichoice" and f.vocab is not None and f.vocab.name not in seen:
                seen.add(f.vocab.name)
                lines.append((f"{f.vocab.label} : {' ; '.join(f.vocab.labels)}", None))
    lines += [
        ("", None),
        ("Retour", SUBTITLE_FONT),
        ("Date limite de retour : ", Font(bold=True)),
        ("Renvoyez le classeur complété au format .xlsx, sans mot de passe.", None),
    ]
    for row, (text, font) in enumerate(lines, start=1):
        cell = ws.cell(row=row, column=1, value=text or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font


def build_workbook(edition: Edition, services: list[str] | None = None,
                   arrangements: list[str] | None = None) -> Workbook:
    """Build the blank questionnaire of an edition.

    Args:
        edition: the survey wave (title, region, reference lists, reference date).
        services: dropdown texts of the services; read from the edition's reference list when
            ``None``.
        arrangements: names of the known arrangements; read from the edition's reference list
            when ``None``.

    Returns:
        The workbook: « Instructions », one sheet per section, hidden « Listes ».
    """
    if services is None or arrangements is None:
        ref_services, ref_arrangements = _load_references(edition)
        services = ref_services if services is None else services
        arrangements = ref_arrangements if arrangements is None else arrangements
    wb = Workbook()
    _write_instructions(wb, edition)
    ranges = _write_lists(wb, _lists(services, arrangements))
    for section in model.SECTIONS:
        _write_section(wb, section, ranges)
    # Keep « Listes » last, hidden; the first sheet is the instructions.
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    stamp = dt.datetime.combine(edition.reference_date, dt.time())
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "analysis (stratégie de la donnée)"
    wb.properties.lastModifiedBy = None
    wb.properties.title = edition.title
    return wb


def workbook_bytes(wb: Workbook, stamp: dt.datetime) -> bytes:
    """Serialise a workbook reproducibly (fixed document dates and zip timestamps).

    Args:
        wb: the workbook.
        stamp: the date written in the document properties and the zip entries.

    Returns:
        The .xlsx content.
    """
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        wb.properties.created = stamp
        wb.properties.modified = stamp
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_template(out: Path, edition: Edition) -> Path:
    """Write the blank questionnaire to ``out``.

    Args:
        out: the .xlsx file to write (its folder is created).
        edition: the survey wave.

    Returns:
        The path written.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = build_workbook(edition)
    out.write_bytes(workbook_bytes(wb, dt.datetime.combine(edition.reference_date, dt.time())))
    return out
