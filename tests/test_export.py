"""Exports: Etalab répertoire, DCAT-AP, XLSX workbook, formula injection, editions."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from factories import tiny_tables
from openpyxl import load_workbook

from analysis import export, model, paths, public
from analysis.edition import load_edition

OFFICIAL_SCHEMA = paths.REALDATA_DIR / "etalab-schema-catalogue-donnees" / "schema.json"


def _validate(path, schema):
    from frictionless import system, validate

    with system.use_context(trusted=True):  # files written by the test in its own tmp folder
        return validate(str(path), schema=schema)


@pytest.fixture(scope="module")
def edition():
    return load_edition()


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+33 3 20", "'+33 3 20"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Qualité de l'air", "Qualité de l'air"),
        (12.5, 12.5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert export.neutralise(value) == expected


def test_catalogue_rows_hold_publishable_categories_only(edition):
    rows = export.catalogue_rows(tiny_tables(), edition, "interne")
    # 4 published + 4 publishable in the tiny tables (see tests/factories.py)
    assert len(rows) == 8
    assert list(rows.columns[:17]) == export.CATALOGUE_COLUMNS
    icpe = rows[rows["titre"] == "Installations classées (ICPE)"].iloc[0]
    assert icpe["service"] == "DREAL"
    assert icpe["format"] == "CSV, Flux WMS/WFS"
    assert icpe["url"] == "https://www.geo2france.fr/icpe"
    assert "open data" in icpe["mots_cles"].split(",")
    housing = rows[rows["titre"] == "Aides au logement"].iloc[0]
    assert housing["description"] == "Aides au logement"  # no description: the title
    assert housing["format"] == "Non renseigné"


def test_public_catalogue_never_names_a_person(edition):
    tables = tiny_tables()
    internal = export.catalogue_rows(tables, edition, "interne")
    pub = export.catalogue_rows(public.public_tables(tables), edition, "public")
    referents = set(tables.services["referent_email"].dropna())
    assert referents & set(internal["contact_personne"])  # internal: the referent
    assert set(pub["contact_personne"]) == {edition.contact_email}
    assert not referents & set(pub.astype(str).stack())


def test_restatement_matches_the_official_schema():
    if not OFFICIAL_SCHEMA.is_file():
        pytest.skip("../shared/realdata absent : schéma officiel Etalab indisponible")
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))
    mine = export.catalogue_table_schema()
    strip = lambda f: (f["name"], f["type"], f.get("format"), bool(f.get("constraints", {}).get("required")))  # noqa: E731
    assert [strip(f) for f in mine["fields"]] == [strip(f) for f in official["fields"]]


@pytest.mark.parametrize("audience", ["interne", "public"])
def test_repertoire_files_validate_against_both_schemas(tmp_path, edition, audience):
    from frictionless import Schema

    tables = tiny_tables() if audience == "interne" else public.public_tables(tiny_tables())
    files = export.write_repertoire(export.catalogue_rows(tables, edition, audience), tmp_path)
    assert {f.name for f in files} >= {"repertoire-region.csv", "repertoire-dreal-hdf.csv"}
    schemas = [Schema.from_descriptor(export.catalogue_table_schema())]
    if OFFICIAL_SCHEMA.is_file():
        schemas.append(Schema.from_descriptor(json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8"))))
    for path in files:
        for schema in schemas:
            report = _validate(path, schema)
            assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_an_invalid_row_is_caught_by_the_validation(tmp_path, edition):
    """The validation above can fail: a row without a required field is refused."""
    from frictionless import Schema

    rows = export.catalogue_rows(tiny_tables(), edition, "interne")
    rows.loc[0, "couv_geo"] = None
    files = export.write_repertoire(rows, tmp_path)
    report = _validate(files[0], Schema.from_descriptor(export.catalogue_table_schema()))
    assert not report.valid


def test_dcat_internal_has_restricted_items_with_legal_ground_public_does_not(edition):
    from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS

    internal = export.dcat_graph(tiny_tables(), edition, "interne")
    pub = export.dcat_graph(public.public_tables(tiny_tables()), edition, "public")
    assert len(list(internal.subjects(RDF.type, DCAT.Dataset))) == 12
    assert len(list(pub.subjects(RDF.type, DCAT.Dataset))) == 8
    grounds = {str(o) for o in internal.objects(None, RDFS.label)}
    assert model.LEGAL_GROUND.privacy in grounds and "Fondement non renseigné" in grounds
    assert not list(pub.objects(None, DCTERMS.rights))
    rights = {str(o).rsplit("/", 1)[-1] for o in internal.objects(None, DCTERMS.accessRights)}
    assert rights == {"PUBLIC", "RESTRICTED", "NON_PUBLIC"}


def test_workbook_has_french_headers_filters_and_no_formula(tmp_path):
    tables = tiny_tables()
    tables.categories.loc[0, "title"] = "=1+1"
    path = export.write_workbook(tables, tmp_path / "inv.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [s.sheet for s in model.SECTIONS] + ["Rejets"]
    ws = wb[model.CATEGORIES.sheet]
    headers = [c.value for c in ws[1]]
    assert "Intitulé" in headers and "Statut de diffusion" in headers and "Fichier source" in headers
    assert ws.auto_filter.ref and ws.freeze_panes == "A2"
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row]
    assert "'=1+1" in values
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_public_exports_hold_no_protected_value(tmp_path, edition):
    pytest.importorskip("analysis.indicators")
    tables = tiny_tables()
    files = export.write_exports(edition, "public", tmp_path, tables=public.public_tables(tables))
    assert files
    problems = public.scan_folder(tmp_path, public.protected_values(tables))
    assert problems == []
    # and the same scan does find them in the internal exports
    internal = tmp_path.parent / "internal"
    export.write_exports(edition, "interne", internal, tables=tables)
    assert public.scan_folder(internal, public.protected_values(tables))


def test_service_indicators_by_hand():
    out = export.service_indicators(tiny_tables()).set_index("service_id")
    dreal = out.loc["DREAL-HDF"]
    # DREAL: C01 published, C04 C05 publishable, C02 restricted, C03 not communicable
    assert (dreal.categories, dreal.published, dreal.publishable_not_published, dreal.restricted) == (5, 1, 2, 2)
    assert dreal.share_published == pytest.approx(1 / 3, abs=1e-4)
    assert dreal.acquisition_cost == 12000.0
    assert out.loc["PREF-59"].share_published == 1.0
    assert pd.isna(out.loc["ARS-HDF"].share_published) is False


def test_regional_indicators_carry_their_own_unit_and_definition(tmp_path, edition):
    from analysis.indicators import indicator_dictionary, key_figures

    tables = tiny_tables()
    written = export.write_indicators(tables, edition, tmp_path)
    df = pd.read_csv(written[0], sep=";", dtype=str, keep_default_na=False)
    regional = indicator_dictionary().set_index("name")
    assert df["indicateur"].tolist() == list(key_figures(tables))
    for row in df.itertuples(index=False):
        # share_published is also a per-service indicator, defined differently
        assert row.unite == regional.loc[row.indicateur, "unit"], row.indicateur
        assert row.definition == regional.loc[row.indicateur, "definition"], row.indicateur
        assert "\n" not in row.unite + row.definition
    values = df.set_index("indicateur")["valeur"]
    figures = key_figures(tables)
    # counts are written as integers, shares in full precision
    assert values["n_categories"] == str(int(figures["n_categories"]))
    assert float(values["share_published"]) == pytest.approx(figures["share_published"])
