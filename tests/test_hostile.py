"""Hostile and broken input: escaping, formula injection, file names, oversized files, and the
holes of the public filter and scanner that hostile input revealed.

The end-to-end checks share the canary edition built by ``hostile_edition`` (real notebooks).
"""

from __future__ import annotations

import csv
import io
import os
import time
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest
from hostile_edition import (
    EDITION_ID,
    FORMULAS,
    HOSTILE_REFUSED_NAMES,
    HOSTILE_RETURN_NAME,
    built_edition,
)
from returns_factory import full_return, make_edition

from analysis import export, ingest, model, paths, public, report
from analysis.tables import Tables

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------------------------------------
# Ingestion messages quote raw input: masked in the public edition, searched by the scanner
# ---------------------------------------------------------------------------------------------


def _tables_with_messages() -> Tables:
    empty = pd.DataFrame()
    restricted = model.DIFFUSION.restricted
    return Tables(
        services=pd.DataFrame({"service_id": ["S1"], "referent_name": ["Camille Verdier"], "comment": [None]}),
        categories=pd.DataFrame({"service_id": ["S1", "S1"], "title": ["Fichier des sources", "Relevés publics"],
                                 "diffusion": [restricted, model.DIFFUSION.published], "supplier": ["Préfecture", None]}),
        tools=pd.DataFrame({"name": ["QGIS"], "categories": ["Fichier des sources"], "comment": [None]}),
        arrangements=pd.DataFrame({"comment": [None]}), maturity=pd.DataFrame({"comment": []}),
        rejects=pd.DataFrame({
            "source_file": ["a.xlsx", "a.xlsx"], "column": ["Thème", "Service"],
            "raw_value": ["voir jean.dupont@exemple.fr", "Cabinet de Mme Durand"],
            "reason": ["colonne « Thème » : valeur « voir jean.dupont@exemple.fr » absente du vocabulaire",
                       "service « Cabinet de Mme Durand » non reconnu dans la liste de référence"],
        }),
        corrections=pd.DataFrame({
            "column": ["Référent données (courriel)"], "raw_value": ["Jean Dupont, tél. 06 12 34 56 78"],
            "cleaned_value": [None],
            "rule": ["valeur illisible ignorée : adresse électronique invalide : « Jean Dupont, tél. 06 12 34 56 78 »"],
        }),
        review=pd.DataFrame({"raw_value": []}), accounting=empty, reference_services=empty,
        reference_arrangements=empty, log={},
    )


def test_quoted_raw_values_are_masked_but_questionnaire_labels_stay():
    assert public.mask_quoted("colonne « Thème » : valeur « Divers ??? » absente du vocabulaire") == (
        "colonne « Thème » : valeur « [masqué] » absente du vocabulaire"
    )
    assert public.mask_quoted("onglet « Données » : valeur « Non communicable » acceptée") == (
        "onglet « Données » : valeur « Non communicable » acceptée"
    )
    assert public.mask_quoted("doublon de la ligne 4, joindre a.b@c.fr") == "doublon de la ligne 4, joindre [courriel masqué]"
    assert public.mask_quoted(None) is None


def test_public_rejects_and_corrections_quote_no_raw_value():
    pub = public.public_tables(_tables_with_messages())
    assert list(pub.rejects["reason"]) == [
        "colonne « Thème » : valeur « [masqué] » absente du vocabulaire",
        "service « [masqué] » non reconnu dans la liste de référence",
    ]
    assert list(pub.corrections["rule"]) == ["valeur illisible ignorée : adresse électronique invalide : « [masqué] »"]


def test_scanner_searches_contacts_and_personal_values_quoted_by_messages():
    values = {(v.field, v.value) for v in public.protected_values(_tables_with_messages())}
    assert ("rejects.raw_value (courriel)", "jean.dupont@exemple.fr") in values
    assert ("corrections.rule (téléphone)", "06 12 34 56 78") in values
    assert ("corrections.raw_value (donnée personnelle)", "Jean Dupont, tél. 06 12 34 56 78") in values


def test_a_leaking_filter_does_not_blind_the_scanner(monkeypatch):
    expected = {(v.field, v.value) for v in public.protected_values(_tables_with_messages())}
    monkeypatch.setattr(public, "public_tables", lambda tables: tables)
    found = {(v.field, v.value) for v in public.protected_values(_tables_with_messages())}
    assert found == expected
    assert ("categories.title", "Fichier des sources") in found
    assert ("categories.supplier", "Préfecture") in found
    assert ("services.referent_name", "Camille Verdier") in found


# ---------------------------------------------------------------------------------------------
# Escaping in report text and tables
# ---------------------------------------------------------------------------------------------


def test_values_are_never_read_as_markup_or_format_fields():
    html = report.render_text("Le titre **{t}** compte {n} lignes.", t="**gras** <b>x</b> {n} %s", n=3)
    assert html == ("<p>Le titre <strong>**gras** &lt;b&gt;x&lt;/b&gt; {n} %s</strong> compte 3 lignes.</p>")
    link = report.render_text("{t}", t="[clic](javascript:alert(5))")
    assert link == "<p>[clic](javascript:alert(5))</p>"


def test_table_cells_and_headers_are_escaped():
    df = pd.DataFrame({"<th onclick=x>": ['"><svg onload=alert(3)>', "<script>alert(1)</script>"]})
    html = report.table_html(df)
    assert "<svg" not in html and "<script" not in html and "<th onclick" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ---------------------------------------------------------------------------------------------
# PDF text as the scanner reads it
# ---------------------------------------------------------------------------------------------


def test_pdf_text_keeps_ligatures_and_dashes(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    if not public.shutil.which("pdftotext"):
        pytest.skip("pdftotext absent : paquet Debian « poppler-utils » requis")
    doc = '<html lang="fr"><body><p>Diffusion interne — ne pas diffuser ; fiche officielle</p></body></html>'
    weasyprint.HTML(string=doc).write_pdf(tmp_path / "r.pdf")
    text = public.pdf_text(tmp_path / "r.pdf")
    assert "Diffusion interne — ne pas diffuser ; fiche officielle" in " ".join(text.split())


# ---------------------------------------------------------------------------------------------
# Shared canary build: formula injection, file names
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    b = built_edition(tmp_path_factory)
    assert b.result.ok, b.result.summary()
    return b


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["interne", "public"])
def test_built_csv_exports_neutralise_formulas(built, audience):
    files = sorted((built.audience(audience) / "exports").rglob("*.csv"))
    assert len(files) >= 5
    cells: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        sep = "," if path.parent.name == "repertoire" and path.name != "correspondance.csv" else ";"
        cells += [c for row in csv.reader(io.StringIO(text), delimiter=sep) for c in row]
    dangerous = [c for c in cells if c.startswith(FORMULA_START) and not _is_number(c)]
    assert dangerous == []
    for value in (FORMULAS["title_eq"], FORMULAS["title_plus"], FORMULAS["title_minus"], FORMULAS["title_at"]):
        assert "'" + value in cells, value


@pytest.mark.slow
@pytest.mark.parametrize("audience", ["interne", "public"])
def test_built_workbook_holds_no_formula(built, audience):
    wb = openpyxl.load_workbook(built.audience(audience) / "exports" / "inventaire.xlsx")
    formulas, texts = [], set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    formulas.append(f"{ws.title}!{cell.coordinate}")
                if isinstance(cell.value, str):
                    texts.add(cell.value)
    assert formulas == []
    assert all("'" + v in texts for v in (FORMULAS["title_eq"], FORMULAS["tool"], FORMULAS["description"]))
    assert not [t for t in texts if t.startswith(FORMULA_START)]


@pytest.mark.slow
def test_hostile_file_names_are_read_and_shown_as_text(built):
    from bs4 import BeautifulSoup

    tables = built.ingest.tables
    assert HOSTILE_RETURN_NAME in set(tables.services["source_file"])
    assert "DDTM-62" in set(tables.services["service_id"])
    refused = {f["name"] for f in tables.log["files"] if f.get("status") == "refusé"}
    assert refused == set(HOSTILE_REFUSED_NAMES) - {"..xlsx"}  # a dot file is skipped, never read
    html = (built.audience("interne") / "rapport.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    text = " ".join(soup.get_text(" ").split())
    assert " ".join(HOSTILE_RETURN_NAME.split()) in text
    assert not soup.find("img", src="x")  # the name's <img> tag is text, not an element


@pytest.mark.slow
def test_nothing_is_written_outside_the_processed_and_reports_folders(built):
    root = built.root
    assert sorted(p.name for p in root.iterdir()) == ["canari.yaml", "processed", "reference", "reports", "retours"]
    assert sorted(p.name for p in (root / "processed").iterdir()) == [EDITION_ID]
    assert sorted(p.name for p in (root / "reports").iterdir()) == [EDITION_ID]
    assert sorted(p.name for p in built.reports.iterdir()) == ["interne", "public"]
    assert sorted(p.name for p in (root / "reference").iterdir()) == ["dispositifs.csv", "services.csv"]
    survey = sorted(p.name for p in (root / "retours").iterdir())
    assert survey == sorted(["dreal.xlsx", "draaf.xlsx", "insee.xlsx", HOSTILE_RETURN_NAME, *HOSTILE_REFUSED_NAMES])
    for folder in (paths.PROCESSED_DIR, paths.REPORTS_DIR):
        assert not (folder / EDITION_ID).exists()
    for audience in ("interne", "public"):
        exports = built.audience(audience) / "exports"
        for path in exports.rglob("*"):
            assert path.resolve().is_relative_to(exports.resolve())
            assert path.name.isascii() and " " not in path.name, path.name


@pytest.mark.parametrize("sid", ["../../evil", "a;rm -rf ~", "<script>", "ligne1\nligne2", "é" * 300, "..", "", "/etc/passwd"])
def test_per_service_file_names_are_slugs(sid):
    name = export._safe_name(sid)
    assert name and set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert not name.startswith("-") and len(name) <= 80


def test_per_service_files_never_overwrite_each_other(tmp_path):
    rows = pd.DataFrame({c: ["x", "y"] for c in export.CATALOGUE_COLUMNS} | {"service_id": ["DDT 62", "DDT-62"]})
    written = export.write_repertoire(rows, tmp_path)
    per_service = [p.name for p in written if p.name != "repertoire-region.csv"]
    assert len(per_service) == 2 and len(set(per_service)) == 2


# ---------------------------------------------------------------------------------------------
# Oversized input: refused with a clear message, within bounded time and memory
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def with_good(tmp_path):
    edition = make_edition(tmp_path)
    full_return(edition.survey_dir / "zz_bon.xlsx", n=1)
    return edition


def _ingest_bounded(edition, seconds: float = 5.0, megabytes: float = 50.0):
    files, skipped = ingest.list_survey_files(edition.survey_dir)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        tables = ingest.ingest_files(files, edition, skipped)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < seconds, f"{elapsed:.1f} s"
    assert peak < megabytes * 1e6, f"{peak / 1e6:.0f} Mo"
    assert "zz_bon.xlsx" in set(tables.services["source_file"])  # the other return is still read
    return {f["name"]: f for f in tables.log["files"]}


def _zero_bomb(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                sheet.write(chunk)
    return buffer.getvalue()


def test_deflate_bomb_disguised_as_xlsx_is_refused_quickly(with_good):
    data = _zero_bomb(100 << 20)  # 100 MB of zeros
    assert len(data) < 1_000_000
    (with_good.survey_dir / "bombe.xlsx").write_bytes(data)
    files = _ingest_bounded(with_good)
    assert files["bombe.xlsx"]["status"] == "refusé"
    assert files["bombe.xlsx"]["reason"].startswith("fichier refusé : taux de compression anormal")


def test_bomb_lying_about_its_size_is_refused_quickly(with_good):
    data = bytearray(_zero_bomb(100 << 20))
    # declare 1 MB instead of 100 MB (central directory and local header): the ratio looks normal
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_len = int.from_bytes(data[start + size_at + 4: start + size_at + 6], "little")
            offset = 46 if signature == b"PK\x01\x02" else 30
            if data[start + offset: start + offset + name_len] == name:
                declared = int.from_bytes(data[start + size_at: start + size_at + 4], "little")
                if declared != 0xFFFFFFFF:
                    data[start + size_at: start + size_at + 4] = (1 << 20).to_bytes(4, "little")
            start += 4
    (with_good.survey_dir / "menteur.xlsx").write_bytes(bytes(data))
    files = _ingest_bounded(with_good)
    assert files["menteur.xlsx"]["status"] == "refusé"
    assert files["menteur.xlsx"]["reason"].startswith("fichier")


def test_huge_sheet_is_refused_quickly(with_good):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Données")
    ws.append([f.label for f in model.CATEGORIES.fields[:3]])
    for i in range(ingest.MAX_ROWS_PER_SHEET + 1_000):
        ws.append([f"Catégorie {i}", None, "Eau"])
    wb.save(with_good.survey_dir / "enorme.xlsx")
    files = _ingest_bounded(with_good, seconds=10.0)
    assert files["enorme.xlsx"]["status"] == "refusé"
    assert files["enorme.xlsx"]["reason"].startswith("onglet « Données » trop long")


def test_file_over_the_size_limit_is_refused_without_reading_it(with_good):
    path = with_good.survey_dir / "geant.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(ingest.MAX_FILE_BYTES + 1)  # sparse: takes no disk space
    files = _ingest_bounded(with_good, seconds=2.0, megabytes=10.0)
    assert files["geant.xlsx"]["status"] == "refusé"
    assert files["geant.xlsx"]["reason"] == (
        f"fichier trop volumineux ({(ingest.MAX_FILE_BYTES + 1) / 1e6:.1f} Mo, "
        f"maximum {ingest.MAX_FILE_BYTES / 1e6:.0f} Mo)"
    )
    assert os.stat(path).st_blocks * 512 < 1_000_000
