"""Tests of analysis.clean: French value parsers. Expected values are worked out by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import clean, model
from analysis.clean import (
    EMPTY_MARKERS,
    Cleaned,
    CleanError,
    clean_text,
    clean_value,
    is_empty,
    normalise_key,
    parse_bool,
    parse_choice,
    parse_date,
    parse_email,
    parse_fte,
    parse_integer,
    parse_money,
    parse_multichoice,
    parse_number,
    parse_phone,
    parse_url,
)

NBSP, NNBSP = "\u00a0", "\u202f"

# ---------------------------------------------------------------------------------------------
# Keys, empties, text
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mode d’acquisition ", "mode d acquisition"),
        ("  ÉNERGIE   et  Climat", "energie et climat"),
        ("3 - Défini", "3 defini"),
        ("Cœur de métier", "coeur de metier"),
        ("data.gouv.fr", "data gouv fr"),
    ],
)
def test_normalise_key(text, expected):
    assert normalise_key(text) == expected


@pytest.mark.parametrize(
    "raw",
    [None, math.nan, "", "   ", "-", "?", "/", "n.c.", "N.C.", "nc", "Non renseigné", "NON RENSEIGNEE",
     "ne sait pas", "NSP", "néant", "Néant.", f"{NBSP}n.c.{NNBSP}", "#N/A", "sans objet", "…"],
)
def test_is_empty_true(raw):
    assert is_empty(raw)


@pytest.mark.parametrize("raw", [0, 0.0, "0", "x", "Non", "Nom", "valeur", "nombre", False, dt.date(2019, 2, 1)])
def test_is_empty_false(raw):
    assert not is_empty(raw)


def test_empty_markers_hold_the_documented_markers():
    assert {"", "-", "n.c.", "nc", "non renseigné", "ne sait pas", "nsp", "?", "/", "néant"} <= EMPTY_MARKERS


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Base   des  adresses ", "Base des adresses"),
        (f"Plan{NBSP}local{NNBSP}d'urbanisme", "Plan local d'urbanisme"),
        ('"Inventaire ZNIEFF"', "Inventaire ZNIEFF"),
        ("« Inventaire »", "Inventaire"),
        ('Inventaire"', "Inventaire"),
        ("'0320", "0320"),  # Excel's text apostrophe
        ("L'eau potable", "L'eau potable"),
        ('Le "Plan vélo" régional', 'Le "Plan vélo" régional'),
        ("ligne 1\nligne 2", "ligne 1 ligne 2"),
        (12500.0, "12500"),
        ("n.c.", None),
        (None, None),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_keeps_single_newlines_on_request():
    assert clean_text("  ligne 1  \n\n  ligne   2 ", keep_newlines=True) == "ligne 1\nligne 2"


# ---------------------------------------------------------------------------------------------
# Numbers and money
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 500", 12500.0),
        ("12 500,50", 12500.5),
        (f"12{NBSP}500,50", 12500.5),
        (f"1{NNBSP}234{NNBSP}567,8", 1234567.8),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("12.500", 12500.0),  # a single dot before three digits groups thousands
        ("0.500", 0.5),
        ("1.5", 1.5),
        ("0,25", 0.25),
        ("-3,5", -3.5),
        ("−3,5", -3.5),  # U+2212 minus sign
        (",5", 0.5),
        ("~50", 50.0),
        ("environ 30", 30.0),
        (42, 42.0),
        (2.5, 2.5),
        ("", None),
        ("nc", None),
    ],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1 2", "1.2.3", "12,5,3", "1,2.3,4", "3 pommes", "10 à 20"])
def test_parse_number_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_number(raw)
    assert raw in excinfo.value.reason
    assert "nombre illisible" in str(excinfo.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12 500 €", 12500.0),
        (f"12{NNBSP}500{NBSP}€", 12500.0),
        ("12 500,50 €", 12500.5),
        ("12500€", 12500.0),
        ("€ 500", 500.0),
        ("1,5 k€", 1500.0),
        ("1,5 K€", 1500.0),
        ("1.5k", 1500.0),
        ("30 keur", 30000.0),
        ("12 milliers d'euros", 12000.0),
        ("2 M€", 2_000_000.0),
        ("2M", 2_000_000.0),
        ("1,2 million d'euros", 1_200_000.0),
        ("3 millions €", 3_000_000.0),
        ("12 500 € HT", 12500.0),
        ("8 000 EUR TTC", 8000.0),
        ("1 000 euros / an", 1000.0),
        ("12.500 €", 12500.0),
        ("1.234,56 €", 1234.56),
        ("environ 10 k€", 10000.0),
        ("gratuit", 0.0),
        (15000, 15000.0),
        (1234.5, 1234.5),
        ("n.c.", None),
        ("€", None),
        (None, None),
    ],
)
def test_parse_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["douze", "beaucoup", "10 à 20 k€", "12 500 $ et plus", "1,5 kg"])
def test_parse_money_rejects_with_the_raw_value(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_money(raw)
    assert f"« {raw} »" in excinfo.value.reason
    assert excinfo.value.reason.startswith("montant illisible")


def test_parse_money_explains_ranges():
    with pytest.raises(CleanError, match="fourchette"):
        parse_money("10 000 - 20 000 €")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0,5 ETP", 0.5),
        ("0,5 etp", 0.5),
        ("1,5 E.T.P.", 1.5),
        ("1/2", 0.5),
        ("1/2 ETP", 0.5),
        ("3/4 ETP", 0.75),
        ("50 %", 0.5),
        ("50%", 0.5),
        (f"20{NNBSP}%", 0.2),
        ("0.5", 0.5),
        ("2 ETP", 2.0),
        ("un demi", 0.5),
        ("mi-temps", 0.5),
        ("temps plein", 1.0),
        ("1 équivalent temps plein", 1.0),
        ("deux ETP", 2.0),
        (0.8, 0.8),
        (3, 3.0),
        ("non renseigné", None),
    ],
)
def test_parse_fte(raw, expected):
    assert parse_fte(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["ETP", "quelques agents", "1/0", "beaucoup d'ETP"])
def test_parse_fte_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_fte(raw)
    assert raw in excinfo.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1 200", 1200),
        ("1.200", 1200),
        ("environ 30", 30),
        ("~50", 50),
        ("env. 15", 15),
        ("plus de 100", 100),
        ("30 utilisateurs", 30),
        ("12,0", 12),
        (12.0, 12),
        (7, 7),
        ("aucun", 0),
        ("-", None),
    ],
)
def test_parse_integer(raw, expected):
    result = parse_integer(raw)
    assert result == expected
    assert result is None or type(result) is int


@pytest.mark.parametrize("raw", ["12,5", 12.5, "2.5", "une dizaine"])
def test_parse_integer_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_integer(raw)
    assert str(raw) in excinfo.value.reason


def test_parse_integer_names_the_problem_of_a_decimal():
    with pytest.raises(CleanError, match="nombre entier attendu : « 12,5 »"):
        parse_integer("12,5")


# ---------------------------------------------------------------------------------------------
# Yes / no
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Oui", True), ("oui", True), ("OUI ", True), ("O", True), ("X", True), ("x", True),
        ("Vrai", True), ("VRAI", True), ("1", True), ("✓", True), (1, True), (True, True),
        ("Oui, pour partie", True),
        ("non", False), ("Non", False), ("N", False), ("Faux", False), ("0", False), (0, False),
        (0.0, False), (False, False), ("Non.", False),
        ("non renseigné", None), ("", None), (None, None), ("n.c.", None),
    ],
)
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize("raw", ["peut-être", "en cours", "2", 2])
def test_parse_bool_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_bool(raw)
    assert str(raw) in excinfo.value.reason


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

FEB_1_2019 = dt.date(2019, 2, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01/02/2019", FEB_1_2019),  # day first
        ("1/2/2019", FEB_1_2019),
        ("1/2/19", FEB_1_2019),
        ("01-02-2019", FEB_1_2019),
        ("01.02.2019", FEB_1_2019),
        ("2019-02-01", FEB_1_2019),
        ("2019-02-01 00:00:00", FEB_1_2019),
        ("2019-02-01T10:30:00", FEB_1_2019),
        ("01/02/2019 14h30", FEB_1_2019),
        ("février 2019", FEB_1_2019),
        ("Février 2019", FEB_1_2019),
        ("fév. 2019", FEB_1_2019),
        ("fevrier 2019", FEB_1_2019),
        ("1er février 2019", FEB_1_2019),
        ("1 février 2019", FEB_1_2019),
        ("vendredi 1er février 2019", FEB_1_2019),
        ("15 août 2020", dt.date(2020, 8, 15)),
        ("02/2019", FEB_1_2019),
        ("2019", dt.date(2019, 1, 1)),
        (2019, dt.date(2019, 1, 1)),
        (43497, FEB_1_2019),  # Excel serial
        (43497.0, FEB_1_2019),
        (43497.75, FEB_1_2019),
        ("43497", FEB_1_2019),
        (1, dt.date(1900, 1, 1)),
        (59, dt.date(1900, 2, 28)),
        (60, dt.date(1900, 2, 28)),  # Excel's fictitious 29/02/1900, read like openpyxl
        (61, dt.date(1900, 3, 1)),
        (dt.datetime(2019, 2, 1, 8, 30), FEB_1_2019),
        (dt.date(2019, 2, 1), FEB_1_2019),
        ("31/12/99", dt.date(1999, 12, 31)),
        ("ne sait pas", None),
        (None, None),
    ],
)
def test_parse_date(raw, expected):
    result = parse_date(raw)
    assert result == expected
    assert result is None or type(result) is dt.date


@pytest.mark.parametrize(
    ("raw", "reason_start"),
    [
        ("31/02/2019", "date impossible"),
        ("02/13/2019", "date impossible"),  # month first is not accepted
        ("13/2019", "date impossible"),
        ("bientôt", "date illisible"),
        ("début 2019", "date illisible"),
        ("01/02/0219", "année invraisemblable"),
        (0, "date illisible"),
        (90000, "date illisible"),
    ],
)
def test_parse_date_rejects(raw, reason_start):
    with pytest.raises(CleanError) as excinfo:
        parse_date(raw)
    assert excinfo.value.reason.startswith(reason_start)
    assert str(raw) in excinfo.value.reason


def test_excel_serials_agree_with_openpyxl():
    from openpyxl.utils.datetime import from_excel

    for serial in (1, 2, 59, 60, 61, 100, 36526, 43497, 45000, 79999):
        if 1900 <= serial <= 2100:
            continue
        assert parse_date(serial) == from_excel(serial).date(), serial


# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "vocab", "expected"),
    [
        ("Logement et habitat", model.THEME, "Logement et habitat"),
        ("logement ET habitat ", model.THEME, "Logement et habitat"),
        ("Energie et climat", model.THEME, "Énergie et climat"),
        ("urbanisme", model.THEME, "Aménagement, urbanisme et foncier"),
        ("URBANISME", model.THEME, "Aménagement, urbanisme et foncier"),
        ("Biodiversite", model.THEME, "Biodiversité, nature et paysages"),
        ("housing", model.THEME, "Logement et habitat"),  # the code
        ("Logement et habitats", model.THEME, "Logement et habitat"),  # fuzzy, one letter off
        ("habitat et logement", model.THEME, "Logement et habitat"),  # fuzzy, word order
        ("publiee", model.DIFFUSION, "Publiée en open data"),
        ("Confidentiel", model.DIFFUSION, "Non communicable"),
        ("à diffuser", model.DIFFUSION, "Publiable, non publiée"),
        ("Acquise auprès d’un tiers", model.ORIGIN, "Acquise auprès d'un tiers"),
        ("Néant", model.GOVERNANCE_FRAME, "Aucun cadre formel"),  # vocabulary value, not empty
        ("Géo2France", model.PLATFORM, "Géo2France"),
        ("geo 2 france", model.PLATFORM, "Géo2France"),
        ("QGIS", model.TOOL_TYPE, "SIG bureautique"),
        ("n.c.", model.THEME, None),
        (None, model.THEME, None),
    ],
)
def test_parse_choice(raw, vocab, expected):
    assert parse_choice(raw, vocab) == expected


@pytest.mark.parametrize("raw", ["3", 3, 3.0, "3.0", "niveau 3", "Niveau 3", "3 - Défini", "3 - defini", "défini",
                                 "Niveau 3 - Défini"])
def test_maturity_levels(raw):
    assert parse_choice(raw, model.MATURITY_LEVEL) == "3 - Défini"


@pytest.mark.parametrize(
    ("raw", "vocab"),
    [
        ("pas publiée", model.DIFFUSION),  # a negation never fuzzy-matches "publiée"
        ("non publiée en open data", model.DIFFUSION),
        ("niveau 6", model.MATURITY_LEVEL),
        ("Astronomie", model.THEME),
        ("eau", model.FORMAT),
    ],
)
def test_parse_choice_rejects(raw, vocab):
    with pytest.raises(CleanError) as excinfo:
        parse_choice(raw, vocab)
    reason = excinfo.value.reason
    assert f"« {raw} »" in reason
    assert f"absente de la liste « {vocab.label} »" in reason


def test_parse_choice_suggests_the_closest_value():
    with pytest.raises(CleanError, match="valeur la plus proche : « Logement et habitat »"):
        parse_choice("Logements et habitats sociaux", model.THEME)


@pytest.mark.parametrize(
    ("raw", "vocab", "expected"),
    [
        ("CSV; Shapefile", model.FORMAT, "CSV; Shapefile"),
        ("shp, csv", model.FORMAT, "CSV; Shapefile"),  # vocabulary order
        ("csv, SHP et Excel", model.FORMAT, "CSV; Tableur (XLSX/ODS); Shapefile"),
        ("CSV / PDF / csv", model.FORMAT, "CSV; PDF"),  # deduplicated
        ("wms/wfs", model.FORMAT, "Flux WMS/WFS"),  # a synonym containing a separator
        ("Tableur (XLSX/ODS)\nCSV", model.FORMAT, "CSV; Tableur (XLSX/ODS)"),
        ("GeoJSON + API", model.FORMAT, "GeoJSON; API"),
        ("Chercheurs et universités; élus", model.AUDIENCE, "Élus; Chercheurs et universités"),
        ("collectivités et associations", model.AUDIENCE, "Collectivités territoriales; Associations"),
        ("COPIL, cotech", model.GOVERNANCE_BODY, "Comité de pilotage; Comité technique"),
        ("csv; ; n.c.", model.FORMAT, "CSV"),
        ("-", model.FORMAT, None),
    ],
)
def test_parse_multichoice(raw, vocab, expected):
    assert parse_multichoice(raw, vocab) == expected


def test_parse_multichoice_keeps_labels_with_commas_whole():
    assert parse_multichoice("Air, bruit et nuisances", model.THEME) == "Air, bruit et nuisances"
    assert parse_multichoice("Air, bruit et nuisances; eau", model.THEME) == (
        "Air, bruit et nuisances; Eau et milieux aquatiques"
    )


def test_parse_multichoice_names_every_unknown_item():
    with pytest.raises(CleanError) as excinfo:
        parse_multichoice("csv; DOCX; shp; Papier", model.FORMAT)
    reason = excinfo.value.reason
    assert "« DOCX »" in reason and "« Papier »" in reason
    assert "absentes de la liste « Format »" in reason
    assert "csv" not in reason


# ---------------------------------------------------------------------------------------------
# E-mails, phones, URLs
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jean.Dupont@developpement-durable.gouv.fr", "jean.dupont@developpement-durable.gouv.fr"),
        ("  marie.martin@hauts-de-france.gouv.fr ", "marie.martin@hauts-de-france.gouv.fr"),
        ("mailto:ddtm@pas-de-calais.gouv.fr", "ddtm@pas-de-calais.gouv.fr"),
        ("Jean Dupont <jean.dupont@agriculture.gouv.fr>", "jean.dupont@agriculture.gouv.fr"),
        ("jean.dupont [at] interieur.gouv.fr", "jean.dupont@interieur.gouv.fr"),
        ("n.c.", None),
    ],
)
def test_parse_email(raw, expected):
    assert parse_email(raw) == expected


@pytest.mark.parametrize("raw", ["jean.dupont", "jean@", "jean@@x.fr", "a@b.fr; c@d.fr", "jean dupont@x.fr"])
def test_parse_email_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_email(raw)
    assert raw in excinfo.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("03 20 30 59 59", "03 20 30 59 59"),
        ("0320305959", "03 20 30 59 59"),
        ("03.20.30.59.59", "03 20 30 59 59"),
        ("03-20-30-59-59", "03 20 30 59 59"),
        ("+33 3 20 30 59 59", "03 20 30 59 59"),
        ("+33 (0)3 20 30 59 59", "03 20 30 59 59"),
        ("0033 3 20 30 59 59", "03 20 30 59 59"),
        (f"06{NBSP}12{NBSP}34{NBSP}56{NBSP}78", "06 12 34 56 78"),
        ("Tél. : 03 22 33 44 55", "03 22 33 44 55"),
        (320305959, "03 20 30 59 59"),  # Excel dropped the leading zero
        ("320305959", "03 20 30 59 59"),
        ("", None),
    ],
)
def test_parse_phone(raw, expected):
    assert parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12 34", "03 20 30 59", "00 00 00 00 00", "appeler le standard",
                                 "03 20 30 59 59 / 06 12 34 56 78"])
def test_parse_phone_rejects(raw):
    with pytest.raises(CleanError) as excinfo:
        parse_phone(raw)
    assert raw in excinfo.value.reason


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.data.gouv.fr/fr/datasets/abc/", "https://www.data.gouv.fr/fr/datasets/abc/"),
        ("http://geo2france.fr", "http://geo2france.fr"),
        ("www.geo2france.fr", "https://www.geo2france.fr"),
        ("WWW.Geo2France.fr/Portail", "https://www.geo2france.fr/Portail"),
        ("data.gouv.fr/fr/datasets/abc", "https://data.gouv.fr/fr/datasets/abc"),
        ("<https://www.hauts-de-france.developpement-durable.gouv.fr/>",
         "https://www.hauts-de-france.developpement-durable.gouv.fr/"),
        ("https://www.geo2france.fr.", "https://www.geo2france.fr"),
        ("néant", None),
    ],
)
def test_parse_url(raw, expected):
    assert parse_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason_start"),
    [
        ("ftp://ftp.ign.fr/donnees", "adresse web non prise en charge"),
        ("file:///C:/donnees/plu.shp", "adresse web non prise en charge"),
        ("sur le site de la DREAL", "adresse web invalide"),
        ("rapport.pdf", "adresse web invalide"),
        ("https://", "adresse web invalide"),
        ("\\\\serveur\\partage", "adresse web invalide"),
    ],
)
def test_parse_url_rejects(raw, reason_start):
    with pytest.raises(CleanError) as excinfo:
        parse_url(raw)
    assert excinfo.value.reason.startswith(reason_start)
    assert raw in excinfo.value.reason


# ---------------------------------------------------------------------------------------------
# clean_value
# ---------------------------------------------------------------------------------------------


def _field(section, name):
    return model.SECTIONS_BY_NAME[section].field(name)


COST = _field("categories", "annual_cost")
THEME = _field("categories", "theme")
FORMATS = _field("categories", "formats")
DATA_FTE = _field("services", "data_fte")
USERS = _field("tools", "users")
PERSONAL = _field("categories", "personal_data")
ANSWER_DATE = _field("services", "answer_date")
URL = _field("categories", "url")
EMAIL = _field("services", "referent_email")
PHONE = _field("services", "referent_phone")
SERVICE = _field("services", "service")
COMMENT = _field("services", "comment")
LEVEL = _field("maturity", "level")


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        (COST, "1,5 k€", 1500.0),
        (COST, "12 500 €", 12500.0),
        (THEME, "urbanisme", "Aménagement, urbanisme et foncier"),
        (FORMATS, "csv, shp", "CSV; Shapefile"),
        (DATA_FTE, "50 %", 0.5),
        (USERS, "environ 30", 30),
        (PERSONAL, "X", True),
        (ANSWER_DATE, "février 2019", FEB_1_2019),
        (URL, "www.geo2france.fr", "https://www.geo2france.fr"),
        (EMAIL, "Jean.Dupont@x.gouv.fr", "jean.dupont@x.gouv.fr"),
        (PHONE, "+33 3 20 30 59 59", "03 20 30 59 59"),
        (SERVICE, "  DREAL  Hauts-de-France ", "DREAL Hauts-de-France"),
        (COMMENT, "Première ligne  \n seconde ligne", "Première ligne\nseconde ligne"),
        (LEVEL, 3, "3 - Défini"),
        (COST, "n.c.", None),
    ],
)
def test_clean_value_dispatches_on_the_kind(field, raw, value):
    assert clean_value(field, raw).value == value


@pytest.mark.parametrize(
    ("field", "raw", "fragment"),
    [
        (COST, "1,5 k€", "montant « 1,5 k€ » converti en 1500"),
        (DATA_FTE, "50 %", "converti en 0,5"),
        (DATA_FTE, "1/2 ETP", "converti en 0,5"),
        (USERS, "environ 30", "retenue comme 30"),
        (COST, "12.500", "point séparateur des milliers"),
        (THEME, "urbanisme", "« urbanisme » remplacé par « Aménagement, urbanisme et foncier »"),
        (THEME, "Logement et habitats", "rapproché de « Logement et habitat »"),
        (PERSONAL, "X", "« Oui »"),
        (ANSWER_DATE, "février 2019", "01/02/2019"),
        (ANSWER_DATE, 43497, "série Excel"),
        (URL, "www.geo2france.fr", "https://www.geo2france.fr"),
        (PHONE, 320305959, "zéro initial"),
    ],
)
def test_clean_value_describes_substantial_recodings(field, raw, fragment):
    cleaned = clean_value(field, raw)
    assert cleaned.rule is not None and fragment in cleaned.rule


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        (COST, "12 500 €"),
        (COST, 12500),
        (COST, None),
        (THEME, "Logement et habitat"),
        (THEME, "logement et habitat"),
        (PERSONAL, "Oui"),
        (PERSONAL, "non"),
        (ANSWER_DATE, "01/02/2019"),
        (ANSWER_DATE, dt.datetime(2019, 2, 1)),
        (EMAIL, "Jean.Dupont@x.gouv.fr"),
        (PHONE, "03.20.30.59.59"),
        (SERVICE, " DREAL "),
        (LEVEL, "3 - Défini"),
    ],
)
def test_clean_value_gives_no_rule_for_clean_values(field, raw):
    assert clean_value(field, raw).rule is None


def test_clean_value_returns_cleaned():
    assert clean_value(COST, "2 M€") == Cleaned(2_000_000.0, "montant « 2 M€ » converti en 2000000")


@pytest.mark.parametrize(
    ("field", "raw"),
    [(DATA_FTE, "250"), (DATA_FTE, "-1"), (COST, "60 M€"), (USERS, "-5")],
)
def test_clean_value_enforces_bounds(field, raw):
    with pytest.raises(CleanError) as excinfo:
        clean_value(field, raw)
    assert excinfo.value.reason.startswith("valeur hors bornes")
    assert raw in excinfo.value.reason


def test_clean_value_bounds_message_is_readable():
    with pytest.raises(CleanError, match=r"attendu entre 0 et 200"):
        clean_value(DATA_FTE, "250")


def test_clean_value_raises_clean_error_for_unreadable_values():
    with pytest.raises(CleanError, match="montant illisible : « douze »"):
        clean_value(COST, "douze")


def test_every_model_field_kind_is_handled():
    for section in model.SECTIONS:
        for field in section.fields:
            assert clean_value(field, None) == Cleaned(None, None)


def test_clean_error_is_a_value_error_with_reason():
    error = CleanError("montant illisible : « douze »", "douze")
    assert isinstance(error, ValueError)
    assert str(error) == error.reason == "montant illisible : « douze »"
    assert error.raw == "douze"


def test_vocabulary_cache_follows_a_changed_vocabulary():
    first = model.Vocabulary("test_cache", "Essai", (model.Term("a", "Alpha"),))
    second = model.Vocabulary("test_cache", "Essai", (model.Term("b", "Bêta"),))
    assert parse_choice("alpha", first) == "Alpha"
    assert parse_choice("beta", second) == "Bêta"
    with pytest.raises(CleanError):
        parse_choice("alpha", second)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------

FEW = settings(max_examples=200, deadline=None)


@FEW
@given(st.decimals(min_value=-10_000_000, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False))
def test_money_in_french_format_round_trips(x):
    text = format_decimal(x, locale="fr_FR") + " €"
    assert parse_money(text) == pytest.approx(float(x), abs=0.006)


@FEW
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_money_of_any_float_in_french_format(x):
    text = format_decimal(x, locale="fr_FR") + " €"
    # babel rounds to three decimals
    assert parse_money(text) == pytest.approx(x, abs=0.0006)


@FEW
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_number_of_integer_text_round_trips(n):
    assert parse_number(str(n)) == float(n)
    assert parse_integer(str(n)) == n


_TEXT_PARSERS = [
    clean_text, parse_number, parse_money, parse_fte, parse_integer, parse_bool, parse_date,
    parse_email, parse_phone, parse_url,
    lambda raw: parse_choice(raw, model.THEME),
    lambda raw: parse_choice(raw, model.MATURITY_LEVEL),
    lambda raw: parse_multichoice(raw, model.FORMAT),
    lambda raw: parse_multichoice(raw, model.AUDIENCE),
]


@FEW
@given(st.text(max_size=40))
def test_parsers_raise_only_clean_error_on_any_text(text):
    for parser in _TEXT_PARSERS:
        try:
            parser(text)
        except CleanError as error:
            assert error.reason


@FEW
@given(st.text(alphabet="0123456789 ,.-/%€kKmM+~eE'" + NBSP + NNBSP, max_size=16))
def test_parsers_raise_only_clean_error_on_number_like_text(text):
    for parser in _TEXT_PARSERS:
        try:
            parser(text)
        except CleanError as error:
            assert error.reason


@FEW
@given(st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), st.dates(), st.datetimes()))
def test_parsers_raise_only_clean_error_on_any_scalar(raw):
    for parser in _TEXT_PARSERS:
        try:
            parser(raw)
        except CleanError as error:
            assert error.reason


def test_module_exports_the_public_interface():
    for name in ("CleanError", "EMPTY_MARKERS", "normalise_key", "is_empty", "clean_text", "parse_number",
                 "parse_money", "parse_fte", "parse_integer", "parse_bool", "parse_date", "parse_choice",
                 "parse_multichoice", "parse_email", "parse_phone", "parse_url", "Cleaned", "clean_value"):
        assert name in clean.__all__
