"""Tests of analysis.template: the blank questionnaire generated from the model."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from returns_factory import DREAL_LABEL, make_edition

from analysis import model, template


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    return make_edition(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def saved(edition, tmp_path_factory):
    """The template written to disk and read back with openpyxl."""
    out = template.write_template(tmp_path_factory.mktemp("out") / "sub" / "questionnaire.xlsx", edition)
    return out, openpyxl.load_workbook(out)


def _list_values(wb, formula: str) -> list[str]:
    """The values of a ``=Listes!$C$2:$C$9`` range."""
    sheet, cells = formula.lstrip("=").split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[cells.replace("$", "")] for c in row]


def test_sheets_in_order_with_lists_hidden(saved):
    _, wb = saved
    assert wb.sheetnames == ["Instructions", "Service", "Données", "Outils", "Dispositifs", "Maturité", "Listes"]
    assert wb["Listes"].sheet_state == "hidden"
    assert wb.active.title == "Instructions"


def test_headers_are_labels_with_help_comments_bold_frozen_and_sized(saved):
    _, wb = saved
    for section in model.SECTIONS:
        ws = wb[section.sheet]
        headers = [c.value for c in ws[1]]
        assert headers == [f.label for f in section.fields]
        for cell, f in zip(ws[1], section.fields, strict=True):
            assert cell.comment is not None and f.help in cell.comment.text
            assert cell.font.bold
            assert ws.column_dimensions[cell.column_letter].width == f.width
        assert ws.freeze_panes == "A2"


def _validation_of(ws, column_letter: str):
    found = [dv for dv in ws.data_validations.dataValidation
             if any(str(rng).split(":")[0] == f"{column_letter}2" for rng in dv.sqref.ranges)]
    assert len(found) == 1, column_letter
    return found[0]


def test_choice_columns_drop_down_their_vocabulary_from_the_lists_sheet(saved):
    _, wb = saved
    ws = wb["Données"]
    theme = _validation_of(ws, "C")  # Thème
    assert theme.type == "list"
    assert "Listes" in theme.formula1
    assert _list_values(wb, theme.formula1) == model.THEME.labels
    assert str(theme.sqref) == "C2:C501"
    # A vocabulary longer than Excel's 255-character inline limit is still complete.
    assert len(",".join(model.LEGAL_GROUND.labels)) > 255
    legal = _validation_of(ws, "I")
    assert _list_values(wb, legal.formula1) == model.LEGAL_GROUND.labels


def test_service_dropdown_lists_acronym_and_name_from_the_reference(saved):
    _, wb = saved
    dv = _validation_of(wb["Service"], "A")
    values = _list_values(wb, dv.formula1)
    assert DREAL_LABEL in values
    assert len(values) == 4  # the factory's reference list has four services
    assert str(dv.sqref) == "A2"  # one answer row


def test_other_kinds_get_their_validation(saved):
    _, wb = saved
    ws = wb["Données"]
    personal = _validation_of(ws, "J")  # Données personnelles (bool)
    assert _list_values(wb, personal.formula1) == ["Oui", "Non"]
    cost = _validation_of(ws, "G")  # Coût annuel (money)
    assert cost.type == "decimal" and cost.formula1 == "0"
    formats = _validation_of(ws, "M")  # Formats (multichoice): a prompt, no strict list
    assert formats.type is None and formats.showErrorMessage is False
    assert "séparées par « ; »" in formats.prompt
    users = _validation_of(wb["Outils"], "F")  # integer
    assert users.type == "whole"
    start = _validation_of(wb["Dispositifs"], "N")  # date
    assert start.type == "date"
    arrangement = _validation_of(wb["Dispositifs"], "A")  # free text allowed beside the list
    assert arrangement.type == "list" and arrangement.showErrorMessage is False
    assert _list_values(wb, arrangement.formula1) == ["Géo2France", "Observatoire régional du climat",
                                                      "Réseau des géomaticiens"]


def test_maturity_rows_are_prefilled_with_the_dimensions(saved):
    _, wb = saved
    ws = wb["Maturité"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 9)] == model.MATURITY_DIMENSION.labels
    assert ws.cell(row=9, column=1).value is None


def test_instructions_quote_the_mission_and_list_legal_grounds(saved):
    _, wb = saved
    text = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "stratégie de la donnée" in text
    assert "Ne modifiez pas les en-têtes" in text
    assert "Date limite de retour" in text
    for label in model.LEGAL_GROUND.labels:
        assert label in text
    for section in model.SECTIONS:
        assert section.help in text


def test_properties_carry_the_reference_date_and_output_is_reproducible(saved, edition, tmp_path):
    out, wb = saved
    assert wb.properties.created == dt.datetime(2021, 9, 30)
    assert wb.properties.modified == dt.datetime(2021, 9, 30)
    again = template.write_template(tmp_path / "again.xlsx", edition)
    assert again.read_bytes() == out.read_bytes()


def test_service_choice_label():
    assert template.service_choice_label("DREAL", "Direction régionale") == "DREAL — Direction régionale"
    assert template.service_choice_label("", "Préfecture du Nord") == "Préfecture du Nord"
