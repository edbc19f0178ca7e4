"""Tests of analysis.ingest: reading, cleaning, resolving and accounting of survey returns.

Every fixture is written into the test's temporary folder by ``returns_factory``; expected counts
are worked out by hand from the rows written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import openpyxl
import pandas as pd
import pytest
from returns_factory import (
    DREAL_LABEL,
    full_return,
    make_edition,
    valid_row,
    write_csv,
    write_return,
)

from analysis import ingest, model, schemas, template
from analysis.tables import read_tables


def _ingest(edition):
    files, _ = ingest.list_survey_files(edition.survey_dir)
    return ingest.ingest_files(files, edition)


def _identity_holds(accounting: pd.DataFrame) -> bool:
    return bool((accounting["raw_rows"] == accounting["cleaned_rows"] + accounting["rejected_rows"]
                 + accounting["blank_rows"]).all())


def _file_rejects(tables, name: str) -> pd.DataFrame:
    return tables.rejects[tables.rejects["source_file"] == name]


# ---------------------------------------------------------------------------------------------
# Round trip through the generated template
# ---------------------------------------------------------------------------------------------


def test_round_trip_through_the_template(tmp_path):
    edition = make_edition(tmp_path)
    wb = template.build_workbook(edition)
    for section in model.SECTIONS:
        ws = wb[section.sheet]
        rows = [valid_row(section, 0)] if section.one_row else [valid_row(section, i) for i in range(3)]
        for r, row in enumerate(rows, start=2):
            for c, f in enumerate(section.fields, start=1):
                ws.cell(row=r, column=c, value=row[f.name])
    wb.save(edition.survey_dir / "retour-dreal.xlsx")

    tables = _ingest(edition)

    assert tables.rejects.empty
    assert tables.review.empty
    assert len(tables.services) == 1 and len(tables.categories) == 3
    # The maturity sheet has seven pre-filled dimensions: the four without a level are unanswered.
    assert len(tables.maturity) == 3
    acc = tables.accounting.set_index("section")
    assert acc.loc["maturity", "blank_rows"] == 4
    service = tables.services.iloc[0]
    assert service["service_id"] == "DREAL-HDF" and service["match_method"] == "liste"
    assert service["service_acronym"] == "DREAL" and service["departement"] is None
    assert service["data_fte"] == 0.5
    assert service["answer_date"] == pd.Timestamp("2020-01-15")
    cat = tables.categories.iloc[1]
    assert cat["theme"] == model.THEME.labels[1]
    assert cat["formats"] == f"{model.FORMAT.labels[1]}; {model.FORMAT.labels[2]}"
    assert cat["annual_cost"] == 1001.0
    assert not cat["personal_data"]  # index 1 → "Non"
    assert tables.categories["source_row"].tolist() == [2, 3, 4]
    assert tables.categories["row_id"].tolist() == [f"DREAL-HDF-categories-000{i}" for i in (1, 2, 3)]
    assert tables.tools["users"].dtype == "Int64" and tables.tools["users"].tolist() == [10, 11, 12]
    arr = tables.arrangements.iloc[0]
    assert arr["arrangement_id"] == "GEO2FRANCE" and arr["arrangement_name"] == "Géo2France"
    assert tables.arrangements["start_date"].dtype == "datetime64[ns]"
    assert _identity_holds(tables.accounting)
    schemas.validate_tables(tables)


# ---------------------------------------------------------------------------------------------
# A folder of messy returns
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def messy(tmp_path):
    """Four messy returns; the expected counts are written next to each row."""
    edition = make_edition(tmp_path)
    folder = edition.survey_dir
    cat = valid_row(model.CATEGORIES, 0)
    service = valid_row(model.SERVICE) | {"service": "DREAL Nord-Pas-de-Calais", "data_fte": "0,5 ETP",
                                          "answer_date": "15/03/2021"}
    write_return(
        folder / "a_dreal.xlsx",
        {
            "services": [service],
            "categories": [
                cat | {"annual_cost": "12 500 €", "personal_data": "X"},  # row 4: kept (X recoded)
                None,                                                      # row 5: blank
                cat | {"annual_cost": "12 500 €", "personal_data": "X"},  # row 6: duplicate of row 4
                cat | {"title": None},                                     # row 7: rejected, no title
                cat | {"title": "Zonages", "annual_cost": "1,5 k€"},       # row 8: kept, k€ recoded
                cat | {"title": "Routes", "frequency": "Toutes les lunes"},  # row 9: kept, frequency emptied
            ],
        },
        sheet_names={"categories": "Inventaire"},
        headers={"categories": {"title": "Titre", "annual_cost": "cout annuel"}},
        header_row=3,
        extra_sheets={"Notes": [["Remarque libre"], ["Rien à signaler"]]},
    )
    tools = [valid_row(model.TOOLS, 0) | {"annual_cost": "2 000 €"}, {},
             valid_row(model.TOOLS, 1), valid_row(model.TOOLS, 2) | {"tool_type": "Tournevis"}]
    write_csv(folder / "b_export_outils.csv", "tools", tools,
              extra_columns={"Service": ["DDTM du Pas-de-Calais", "", "DDTM du Pas-de-Calais", "DDTM 62"]})
    full_return(folder / "c_dreal_ancien.xlsx", service="DREAL Hauts-de-France", answer_date="01/01/2020", n=1)
    full_return(folder / "d_inconnu.xlsx", service="Service inconnu du tout", n=1)
    return edition


def test_messy_returns_are_accounted_row_by_row(messy):
    tables = _ingest(messy)
    acc = tables.accounting.set_index(["source_file", "section"])

    assert _identity_holds(tables.accounting)
    # a_dreal: header on row 3; 6 rows below it: 1 blank, 1 duplicate, 1 without title, 3 kept.
    assert acc.loc[("a_dreal.xlsx", "categories")].to_dict() == {
        "source_sheet": "Inventaire", "raw_rows": 6, "cleaned_rows": 3, "rejected_rows": 2, "blank_rows": 1}
    # The CSV: 4 rows, 1 blank, 1 unknown tool type, 2 kept.
    assert acc.loc[("b_export_outils.csv", "tools")][["raw_rows", "cleaned_rows", "rejected_rows",
                                                        "blank_rows"]].tolist() == [4, 2, 1, 1]
    # The older DREAL return and the unknown service: every row rejected (1 + 4 × 1 rows each).
    for name in ("c_dreal_ancien.xlsx", "d_inconnu.xlsx"):
        sub = tables.accounting[tables.accounting["source_file"] == name]
        assert sub["raw_rows"].sum() == 5 and sub["rejected_rows"].sum() == 5 and sub["cleaned_rows"].sum() == 0
    totals = tables.log["totals"]
    assert totals["raw_rows"] == 1 + 6 + 4 + 5 + 5
    assert totals["cleaned_rows"] == 1 + 3 + 2
    assert totals["blank_rows"] == 2
    assert totals["rejected_rows"] == 2 + 1 + 5 + 5
    assert len(tables.rejects) == totals["rejected_rows"]


def test_an_ingestion_leaves_no_reference_cycle_behind(messy):
    # Whatever the run built (rows, cleaned values, resolvers) must be freed by reference counting
    # alone: a cycle (a cached error's traceback, a cache over a bound method) would keep a whole
    # region's rows alive until the garbage collector runs, and it is paused during ingestion.
    import gc
    from collections import Counter

    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        tables = _ingest(messy)
        assert len(tables.rejects) and len(tables.corrections)  # errors were cached on the way
        del tables
        gc.collect()
        leaked = Counter(type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("analysis"))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert not leaked


def test_messy_returns_reasons_are_french_and_located(messy):
    tables = _ingest(messy)
    a = _file_rejects(tables, "a_dreal.xlsx").set_index("source_row")
    assert a.loc[6, "reason"] == "doublon de la ligne 4"
    assert a.loc[7, "reason"] == "valeur obligatoire manquante dans la colonne « Intitulé »"
    assert a.loc[7, "column"] == "Intitulé" and a.loc[7, "source_sheet"] == "Inventaire"
    b = _file_rejects(tables, "b_export_outils.csv").iloc[0]
    assert b["source_row"] == 5 and b["column"] == "Type d'outil" and b["raw_value"] == "Tournevis"
    assert "absente de la liste" in b["reason"]
    c = _file_rejects(tables, "c_dreal_ancien.xlsx")
    assert set(c["reason"]) == {"retour remplacé par le retour plus récent a_dreal.xlsx du même service"}
    d = _file_rejects(tables, "d_inconnu.xlsx")
    assert set(d["reason"]) == {"service « Service inconnu du tout » non reconnu dans la liste de référence"}


def test_messy_returns_cleaned_values_and_corrections(messy):
    tables = _ingest(messy)
    cats = tables.categories.set_index("source_row")
    assert cats.loc[4, "annual_cost"] == 12500.0 and bool(cats.loc[4, "personal_data"]) is True
    assert cats.loc[8, "annual_cost"] == 1500.0
    assert pd.isna(cats.loc[9, "frequency"])
    assert set(tables.categories["service_id"]) == {"DREAL-HDF"}
    assert tables.services.iloc[0]["match_method"] == "variant"
    assert tables.services.iloc[0]["data_fte"] == 0.5
    tools = tables.tools
    assert set(tools["service_id"]) == {"DDTM-62"} and tools["annual_cost"].iloc[0] == 2000.0
    corr = tables.corrections.set_index(["source_row", "column"])
    assert corr.loc[(8, "Coût annuel (€)"), "rule"] == "montant « 1,5 k€ » converti en 1500"
    assert corr.loc[(8, "Coût annuel (€)"), "cleaned_value"] == "1500"
    frequency = corr.loc[(9, "Fréquence de mise à jour")]
    assert frequency["rule"].startswith("valeur illisible ignorée : valeur « Toutes les lunes »")
    assert pd.isna(frequency["cleaned_value"])
    # Corrections of rejected rows (the duplicate on row 6, the older return) are not listed.
    assert 6 not in tables.corrections["source_row"].tolist()
    assert "c_dreal_ancien.xlsx" not in set(tables.corrections["source_file"])


def test_messy_returns_log_ignored_sheets_columns_and_rules(messy):
    tables = _ingest(messy)
    log = tables.log
    files = {f["name"]: f for f in log["files"]}
    a = files["a_dreal.xlsx"]
    assert a["ignored_sheets"] == ["Notes"]
    assert "onglet « Notes » non reconnu : ignoré" in a["messages"]
    assert "onglet « Outils » absent" in a["messages"]
    assert "onglet « Maturité » absent (facultatif)" in a["messages"]
    assert a["sheets"][1]["header_row"] == 3
    b = files["b_export_outils.csv"]
    assert b["encoding"] == "cp1252" and b["delimiter"] == ";" and b["format"] == "csv"
    assert len(b["sha256"]) == 64
    assert log["replaced_returns"] == [{"service_id": "DREAL-HDF", "fichier_remplace": "c_dreal_ancien.xlsx",
                                        "fichier_retenu": "a_dreal.xlsx"}]
    assert log["rules_applied"]["doublons"] == 1
    assert any("valeur illisible" in c for c in log["caveats"])
    raws = {m["raw"]: m for m in log["matches"]["services"]}
    assert raws["DREAL Nord-Pas-de-Calais"]["id"] == "DREAL-HDF"
    assert raws["Service inconnu du tout"]["id"] is None
    schemas.validate_tables(tables)


def test_unknown_columns_are_logged_as_ignored(tmp_path):
    edition = make_edition(tmp_path)
    path = full_return(edition.survey_dir / "dreal.xlsx", n=1)
    wb = openpyxl.load_workbook(path)
    wb["Outils"].cell(row=1, column=20, value="Colonne perso")
    wb["Outils"].cell(row=2, column=20, value="valeur perso")
    wb.save(path)
    tables = _ingest(edition)
    sheets = {s["sheet"]: s for s in tables.log["files"][0]["sheets"]}
    assert sheets["Outils"]["ignored_columns"] == ["Colonne perso"]
    assert len(tables.tools) == 1


# ---------------------------------------------------------------------------------------------
# Name resolution
# ---------------------------------------------------------------------------------------------


def test_fuzzy_service_below_threshold_goes_to_review_not_to_tables(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "picardie.xlsx", service="DREAL Picardie", n=1)
    full_return(edition.survey_dir / "zz_ddtm.xlsx", service="DDTM 62", n=1)
    tables = _ingest(edition)
    review = tables.review.iloc[0]
    assert len(tables.review) == 1
    assert review["raw_value"] == "DREAL Picardie" and review["kind"] == "service"
    assert review["candidate_id"] == "DREAL-HDF" and review["score"] < edition.fuzzy_threshold
    assert review["status"] == "non rapproché" and pd.isna(review["assigned_id"])
    for section in model.SECTIONS:
        assert "DREAL-HDF" not in set(getattr(tables, section.name)["service_id"])
        assert "picardie.xlsx" not in set(getattr(tables, section.name)["source_file"])
    assert set(tables.services["service_id"]) == {"DDTM-62"}


def test_accepted_fuzzy_service_is_listed_for_review(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "draf.xlsx", service="DRAF", n=1)
    tables = _ingest(edition)
    assert tables.services.iloc[0]["service_id"] == "DRAAF-HDF"
    assert tables.services.iloc[0]["match_method"] == "fuzzy"
    row = tables.review.iloc[0]
    assert row["status"] == "accepté" and row["assigned_id"] == "DRAAF-HDF"


def test_unknown_arrangement_is_kept_under_an_autre_id_and_reviewed(tmp_path):
    edition = make_edition(tmp_path)
    arrangements = [valid_row(model.ARRANGEMENTS, 0) | {"arrangement": "Atlas des paysages"},
                    valid_row(model.ARRANGEMENTS, 1) | {"arrangement": "Observatoire régional climat et énergie"},
                    valid_row(model.ARRANGEMENTS, 2) | {"arrangement": "Geo2France"}]
    write_return(edition.survey_dir / "dreal.xlsx",
                 {"services": [valid_row(model.SERVICE)], "arrangements": arrangements})
    tables = _ingest(edition)
    arr = tables.arrangements.set_index("source_row")
    assert arr.loc[2, "arrangement_id"] == "AUTRE-atlas-des-paysages"
    assert arr.loc[2, "arrangement_name"] == "Atlas des paysages"
    assert arr.loc[2, "arrangement_match_method"] == "none"
    # Close to « Observatoire régional du climat » but below the threshold: not matched silently.
    assert arr.loc[3, "arrangement_id"] == "AUTRE-observatoire-regional-climat-et-energie"
    assert arr.loc[4, "arrangement_id"] == "GEO2FRANCE"
    review = tables.review.set_index("source_row")
    assert list(review.index) == [2, 3]
    assert review.loc[3, "candidate_id"] == "OBS-CLIMAT" and review.loc[3, "status"] == "non rapproché"
    assert review.loc[3, "kind"] == "dispositif"


def test_csv_without_service_column_takes_the_service_from_the_file_name(tmp_path):
    edition = make_edition(tmp_path)
    write_csv(edition.survey_dir / "DRAAF_donnees.csv", "categories", [valid_row(model.CATEGORIES, 0)],
              encoding="utf-8-sig", delimiter=",")
    write_csv(edition.survey_dir / "sans_nom.csv", "categories", [valid_row(model.CATEGORIES, 1)],
              encoding="utf-8")
    write_csv(edition.survey_dir / "questionnaire-donnees-insee_v2.csv", "categories", [valid_row(model.CATEGORIES, 2)],
              encoding="utf-8")
    tables = _ingest(edition)
    assert sorted(tables.categories["service_id"]) == ["DRAAF-HDF", "INSEE-HDF"]
    files = {f["name"]: f for f in tables.log["files"]}
    assert files["DRAAF_donnees.csv"]["encoding"] == "utf-8-sig"
    assert files["DRAAF_donnees.csv"]["delimiter"] == ","
    rejected = _file_rejects(tables, "sans_nom.csv").iloc[0]
    assert rejected["reason"] == "service « sans_nom » non reconnu dans la liste de référence"
    assert rejected["source_sheet"] == "Données" and rejected["source_row"] == 2


# ---------------------------------------------------------------------------------------------
# Bad input: each one refused or rejected with a located French message, the good file still read
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def with_good(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "zz_bon.xlsx", n=1)
    return edition


def _good_file_still_read(tables) -> None:
    assert "zz_bon.xlsx" in set(tables.services["source_file"])
    assert (tables.categories["source_file"] == "zz_bon.xlsx").sum() == 1
    assert _identity_holds(tables.accounting)
    schemas.validate_tables(tables)


def _refusal(tables, name: str) -> str:
    rows = _file_rejects(tables, name)
    assert len(rows) == 1 and pd.isna(rows.iloc[0]["source_row"]) and pd.isna(rows.iloc[0]["column"])
    acc = tables.accounting[tables.accounting["source_file"] == name]
    assert acc[["raw_rows", "cleaned_rows", "rejected_rows", "blank_rows"]].values.tolist() == [[0, 0, 0, 0]]
    entry = next(f for f in tables.log["files"] if f["name"] == name)
    assert entry["status"] == "refusé"
    return rows.iloc[0]["reason"]


def test_non_questionnaire_files_are_refused(with_good):
    folder = with_good.survey_dir
    (folder / "note.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (folder / "lettre.pdf").write_bytes(b"%PDF-1.4\n")
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.active.append(["Poste", "Montant"])
    wb.save(folder / "budget.xlsx")
    tables = _ingest(with_good)
    assert _refusal(tables, "note.docx").startswith("format non pris en charge (.docx)")
    assert _refusal(tables, "lettre.pdf").startswith("format non pris en charge (.pdf)")
    assert _refusal(tables, "budget.xlsx") == ("ce fichier n'est pas un questionnaire : aucun onglet du "
                                               "questionnaire reconnu (onglets trouvés : « Budget »)")
    _good_file_still_read(tables)


def test_missing_service_sheet_rejects_the_return(with_good):
    write_return(with_good.survey_dir / "sans_service.xlsx", {"tools": [valid_row(model.TOOLS)]})
    tables = _ingest(with_good)
    row = _file_rejects(tables, "sans_service.xlsx").iloc[0]
    assert row["reason"] == "onglet « Service » absent : service répondant non identifié"
    assert row["source_sheet"] == "Outils" and row["source_row"] == 2 and row["column"] == "Service"
    _good_file_still_read(tables)


def test_missing_required_column_rejects_the_sheet_rows(with_good):
    cats = [valid_row(model.CATEGORIES, 0), None, valid_row(model.CATEGORIES, 1), valid_row(model.CATEGORIES, 2)]
    write_return(with_good.survey_dir / "sans_theme.xlsx",
                 {"services": [valid_row(model.SERVICE) | {"service": "INSEE"}], "categories": cats},
                 headers={"categories": {"theme": None}})
    tables = _ingest(with_good)
    rows = _file_rejects(tables, "sans_theme.xlsx")
    assert rows["source_row"].tolist() == [2, 4, 5]
    assert set(rows["reason"]) == {"colonne obligatoire « Thème » absente de l'onglet"}
    assert set(rows["column"]) == {"Thème"} and set(rows["source_sheet"]) == {"Données"}
    acc = tables.accounting.set_index(["source_file", "section"]).loc[("sans_theme.xlsx", "categories")]
    assert (acc["raw_rows"], acc["rejected_rows"], acc["blank_rows"]) == (4, 3, 1)
    assert "INSEE-HDF" in set(tables.services["service_id"])
    _good_file_still_read(tables)


def test_wrong_types_reject_required_and_empty_optional_values(with_good):
    tools = [valid_row(model.TOOLS, 0) | {"users": "beaucoup"},
             valid_row(model.TOOLS, 1) | {"tool_type": 42}]
    write_return(with_good.survey_dir / "types.xlsx",
                 {"services": [valid_row(model.SERVICE) | {"service": "INSEE"}], "tools": tools})
    tables = _ingest(with_good)
    kept = tables.tools[tables.tools["source_file"] == "types.xlsx"]
    assert kept["source_row"].tolist() == [2] and pd.isna(kept["users"].iloc[0])
    corr = tables.corrections[tables.corrections["source_file"] == "types.xlsx"].iloc[0]
    assert (corr["source_sheet"], corr["source_row"], corr["column"]) == ("Outils", 2, "Nombre d'utilisateurs")
    assert corr["rule"] == "valeur illisible ignorée : nombre entier illisible : « beaucoup »"
    rej = _file_rejects(tables, "types.xlsx").iloc[0]
    assert (rej["source_sheet"], rej["source_row"], rej["column"], rej["raw_value"]) == ("Outils", 3, "Type d'outil", "42")
    assert rej["reason"].startswith("colonne « Type d'outil » : ")
    _good_file_still_read(tables)


def test_empty_file_is_refused(with_good):
    (with_good.survey_dir / "vide.xlsx").write_bytes(b"")
    (with_good.survey_dir / "vide.csv").write_bytes(b"")
    tables = _ingest(with_good)
    assert _refusal(tables, "vide.xlsx") == "fichier vide (0 octet)"
    assert _refusal(tables, "vide.csv") == "fichier vide (0 octet)"
    _good_file_still_read(tables)


def test_corrupt_workbooks_are_refused(with_good):
    folder = with_good.survey_dir
    (folder / "aleatoire.xlsx").write_bytes(os.urandom(2048))
    good = (folder / "zz_bon.xlsx").read_bytes()
    (folder / "tronque.xlsx").write_bytes(good[: len(good) // 2])
    tables = _ingest(with_good)
    assert "endommagé" in _refusal(tables, "aleatoire.xlsx")
    assert "endommagé ou tronqué" in _refusal(tables, "tronque.xlsx")
    _good_file_still_read(tables)


def test_password_protected_workbook_is_refused(with_good):
    # An encrypted .xlsx is an OLE2 compound file, like an old .xls.
    (with_good.survey_dir / "protege.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    tables = _ingest(with_good)
    assert _refusal(tables, "protege.xlsx").startswith("fichier protégé par mot de passe ou ancien format .xls")
    _good_file_still_read(tables)


def test_too_large_file_is_refused_before_reading(with_good, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 20_000)
    (with_good.survey_dir / "enorme.csv").write_bytes(b"x" * 20_001)
    tables = _ingest(with_good)
    reason = _refusal(tables, "enorme.csv")
    assert reason.startswith("fichier trop volumineux")
    assert "sha256" not in next(f for f in tables.log["files"] if f["name"] == "enorme.csv")
    _good_file_still_read(tables)


def test_too_many_rows_is_refused(with_good, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_ROWS_PER_SHEET", 5)
    cats = [valid_row(model.CATEGORIES, i) for i in range(20)]
    write_return(with_good.survey_dir / "long.xlsx", {"services": [valid_row(model.SERVICE)], "categories": cats})
    write_csv(with_good.survey_dir / "long.csv", "categories", cats)
    tables = _ingest(with_good)
    assert _refusal(tables, "long.xlsx").startswith("onglet « Données » trop long (21 lignes, maximum 5)")
    assert _refusal(tables, "long.csv").startswith("export CSV trop long")
    assert len(tables.categories) == 1  # only the good file's row


def test_zip_bomb_is_refused(with_good):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    (with_good.survey_dir / "bombe.xlsx").write_bytes(buffer.getvalue())
    tables = _ingest(with_good)
    assert _refusal(tables, "bombe.xlsx").startswith("fichier refusé : taux de compression anormal")
    _good_file_still_read(tables)


def test_formulas_and_merged_cells_are_accepted_and_logged(with_good):
    path = with_good.survey_dir / "formules.xlsx"
    service = valid_row(model.SERVICE) | {"service": "INSEE"}
    tools = [valid_row(model.TOOLS, 0), valid_row(model.TOOLS, 1)]
    write_return(path, {"services": [service], "tools": tools})
    wb = openpyxl.load_workbook(path)
    ws = wb["Outils"]
    ws["F3"] = "=F2*2"  # users; openpyxl stores no cached value: read as empty
    ws.merge_cells("H2:I2")
    wb.save(path)
    tables = _ingest(with_good)
    entry = next(f for f in tables.log["files"] if f["name"] == "formules.xlsx")
    assert entry["formulas"] == 1 and entry["merged_ranges"] == 1
    assert any("formule" in m for m in entry["messages"])
    assert any("fusionnées" in m for m in entry["messages"])
    assert len(tables.tools[tables.tools["source_file"] == "formules.xlsx"]) == 2
    _good_file_still_read(tables)


def test_hidden_and_lock_files_are_skipped(with_good):
    (with_good.survey_dir / "~$zz_bon.xlsx").write_bytes(b"lock")
    (with_good.survey_dir / ".cache").write_bytes(b"")
    (with_good.survey_dir / "LISEZMOI.txt").write_text("Réponses reçues", encoding="utf-8")
    (with_good.survey_dir / "sous-dossier").mkdir()
    files, skipped = ingest.list_survey_files(with_good.survey_dir)
    assert [f.name for f in files] == ["zz_bon.xlsx"]
    assert skipped == [".cache", "LISEZMOI.txt", "sous-dossier", "~$zz_bon.xlsx"]


def test_second_service_row_is_rejected(with_good):
    rows = [valid_row(model.SERVICE) | {"service": "INSEE"}, valid_row(model.SERVICE) | {"service": "DRAAF"}]
    write_return(with_good.survey_dir / "deux.xlsx", {"services": rows})
    tables = _ingest(with_good)
    rej = _file_rejects(tables, "deux.xlsx").iloc[0]
    assert rej["source_row"] == 3
    assert rej["reason"] == "ligne en trop dans l'onglet « Service » : une seule ligne attendue (ligne 2 retenue)"
    assert "INSEE-HDF" in set(tables.services["service_id"])


def test_same_date_returns_keep_the_later_file_name(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "dreal_v1.xlsx", answer_date="01/06/2021", n=1)
    full_return(edition.survey_dir / "dreal_v2.xlsx", answer_date="01/06/2021", n=1)
    tables = _ingest(edition)
    assert set(tables.categories["source_file"]) == {"dreal_v2.xlsx"}
    assert set(_file_rejects(tables, "dreal_v1.xlsx")["reason"]) == {
        "retour remplacé par le retour plus récent dreal_v2.xlsx du même service"}


# ---------------------------------------------------------------------------------------------
# The edition-level entry point
# ---------------------------------------------------------------------------------------------


def test_ingest_edition_writes_tables_and_keeps_them_on_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(tmp_path / "processed"))
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "dreal.xlsx", n=2)
    (edition.survey_dir / "lettre.pdf").write_bytes(b"%PDF")

    result = ingest.ingest_edition(edition)

    assert result.ok and result.out_dir == tmp_path / "processed" / "test-edition"
    summary = result.summary()
    assert "Fichiers : 2 (1 lus, 1 refusés)" in summary
    assert "lettre.pdf : format non pris en charge (.pdf)" in summary
    written = read_tables(result.out_dir)
    assert len(written.categories) == 2
    assert written.log["edition"] == "test-edition"
    assert not any(p.name.startswith(".") for p in (tmp_path / "processed").iterdir())

    # Nothing usable: the ingestion fails and the previous tables stay in place.
    (edition.survey_dir / "dreal.xlsx").unlink()
    failed = ingest.ingest_edition(edition)
    assert not failed.ok and "aucune réponse exploitable" in failed.summary()
    assert len(read_tables(result.out_dir).categories) == 2


def test_dates_are_normalised_to_midnight(tmp_path):
    edition = make_edition(tmp_path)
    service = valid_row(model.SERVICE) | {"answer_date": dt.datetime(2021, 3, 15, 14, 30)}
    write_return(edition.survey_dir / "dreal.xlsx", {"services": [service]})
    tables = _ingest(edition)
    assert tables.services["answer_date"].iloc[0] == pd.Timestamp("2021-03-15")


def test_hand_typed_acronym_and_name_resolve_like_the_dropdown(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "a.xlsx", n=1,
                service="DDTM 62 - Direction départementale des territoires et de la mer du Pas-de-Calais")
    full_return(edition.survey_dir / "b.xlsx", n=1, service="DRAAF - Service de l'information statistique")
    full_return(edition.survey_dir / "c.xlsx", n=1,
                service="DRAAF - Direction régionale de l'INSEE Hauts-de-France")  # two services: not matched
    tables = _ingest(edition)
    services = tables.services.set_index("source_file")
    assert services.loc["a.xlsx", "service_id"] == "DDTM-62" and services.loc["a.xlsx", "match_method"] == "liste"
    assert services.loc["b.xlsx", "service_id"] == "DRAAF-HDF"
    assert services.loc["b.xlsx", "match_method"] == "acronym (sigle — nom)"
    assert "c.xlsx" not in services.index
    assert tables.review["raw_value"].tolist() == ["DRAAF - Direction régionale de l'INSEE Hauts-de-France"]


def test_a_vocabulary_value_wins_over_an_empty_marker(tmp_path):
    """« néant » means « Aucun cadre formel » in a governance field, but no answer elsewhere."""
    edition = make_edition(tmp_path)
    arrangement = valid_row(model.ARRANGEMENTS) | {"governance_frame": "néant", "governance_bodies": "Néant",
                                                   "fte": "néant", "comment": "néant"}
    category = valid_row(model.CATEGORIES) | {"annual_cost": "n.c.", "frequency": "n.c."}
    write_return(tmp_path / "returns" / "dreal.xlsx", {
        "services": [valid_row(model.SERVICE) | {"service": DREAL_LABEL}],
        "arrangements": [arrangement],
        "categories": [category],
    })
    tables = ingest.ingest_files(sorted((tmp_path / "returns").iterdir()), edition)
    row = tables.arrangements.iloc[0]
    assert row["governance_frame"] == model.GOVERNANCE_FRAME.none
    assert row["governance_bodies"] == model.GOVERNANCE_BODY.none
    assert pd.isna(row["fte"]) and row["comment"] is None
    cat = tables.categories.iloc[0]
    assert pd.isna(cat["annual_cost"]) and cat["frequency"] is None
    assert len(tables.rejects) == 0


def test_the_garbage_collector_is_paused_during_ingestion_and_restored_after():
    import gc

    from analysis.ingest import _gc_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), _gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("a file's bug")
    assert gc.isenabled()  # switched back on, even after an error
    gc.disable()
    try:
        with _gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
