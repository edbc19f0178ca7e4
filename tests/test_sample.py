"""Tests of the fictional sample generator (analysis.sample)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from analysis import model, paths
from analysis import sample as s
from analysis.edition import load_edition


@pytest.fixture(scope="module")
def reference():
    return s.load_reference()


@pytest.fixture(scope="module")
def waves(reference):
    services, arrangements = reference
    s19 = s.generate_edition(2019, 2019, 1.0, services, arrangements, None)
    s21 = s.generate_edition(2021, 2019, 1.0, services, arrangements, s19)
    return s19, s21


@pytest.fixture(scope="module")
def written_2021(waves, tmp_path_factory):
    _, s21 = waves
    folder = tmp_path_factory.mktemp("sample") / s21.edition_id
    files = s.write_returns(s21, folder, mess=True)
    return s21, folder, files


def _norm(text) -> str:
    return " ".join(str(text).lower().split())


def _allowed_headers(section: model.Section) -> set[str]:
    return {_norm(h) for f in section.fields for h in (f.label, *f.synonyms)}


def _section_of_sheet(name: str) -> model.Section | None:
    for section in model.SECTIONS:
        if _norm(name) in {_norm(section.sheet), *(_norm(x) for x in section.sheet_synonyms)}:
            return section
    return None


def _header_row(rows: list[tuple]) -> tuple:
    """First row with at least two filled cells (a title line above the header has one)."""
    for row in rows:
        if sum(v not in (None, "") for v in row) >= 2:
            return row
    return ()


# --- small pure helpers, expected values worked out by hand ------------------------------------------


def test_french_number_formatting():
    assert s._fr_number(12500) == "12 500"
    assert s._fr_number(1.5, 1) == "1,5"
    assert s._fr_number(1234567.891, 2) == "1 234 567,89"


def test_misspelled_service_name():
    # "Hauts de France" without its 5th character (the "s" of "Hauts").
    assert s._misspell("DREAL", "Hauts-de-France") == "DREAL Haut de France"


@pytest.mark.parametrize(
    ("acronym", "name", "expected"),
    [
        ("DDTM 59", "Direction départementale des territoires et de la mer du Nord", "ddtm"),
        ("DDT 02", "Direction départementale des territoires de l'Aisne", "ddt"),
        ("Préfecture 02", "Préfecture de l'Aisne", "prefecture"),
        ("Préfecture de région", "Préfecture de la région Hauts-de-France", "sgar"),
        ("DIR Nord", "Direction interdépartementale des routes Nord", "dir"),
        ("DIRM MEMN", "Direction interrégionale de la mer Manche Est-mer du Nord", "dirm"),
        ("AEAP", "Agence de l'eau Artois-Picardie", "aeap"),
        ("Crous Lille", "Crous de Lille Nord-Pas-de-Calais", "other"),
    ],
)
def test_service_profile(acronym, name, expected):
    assert s.service_profile(acronym, name) == expected


def test_formatter_without_mess_keeps_canonical_values():
    fmt = s._Formatter(s._rng(1, 2021, 0), mess=False)
    assert fmt.money(12500) == 12500
    assert fmt.boolean(True) == "Oui"
    assert fmt.boolean(False) == "Non"
    assert fmt.choice(model.DIFFUSION, model.DIFFUSION.published) == "Publiée en open data"
    text = s._Formatter(s._rng(1, 2021, 0), mess=False, text_only=True)
    assert text.money(12500) == "12 500"
    assert text.fte(0.5) == "0,50"


# --- generation ------------------------------------------------------------------------------------------


def test_generate_edition_is_reproducible(reference):
    services, arrangements = reference
    a = s.generate_edition(2019, 7, 1.0, services, arrangements, None)
    b = s.generate_edition(2019, 7, 1.0, services, arrangements, None)
    c = s.generate_edition(2019, 8, 1.0, services, arrangements, None)
    for section in ("services", "categories", "tools", "arrangements", "maturity"):
        pd.testing.assert_frame_equal(a.table(section), b.table(section))
    assert not a.table("categories").equals(c.table("categories"))


def test_volume_targets_of_2021(waves):
    s19, s21 = waves
    categories, tools, arrangements = s21.table("categories"), s21.table("tools"), s21.table("arrangements")
    assert len(s21.returns) >= 30
    assert len(categories) >= 500
    assert len(tools) >= 120
    assert arrangements["_arrangement_id"].nunique() >= 15
    assert len(arrangements) >= 80
    # 2019 is smaller, and most of its respondents answer again in 2021.
    assert len(s19.returns) < len(s21.returns)
    assert len(s19.table("categories")) < len(categories)
    assert len(set(s19.respondents) & set(s21.respondents)) >= 0.8 * len(s19.returns)
    # Not everyone answers: the non-response analysis has content.
    assert len(s21.returns) < len(s21.services)


def test_diffusion_mix_and_legal_grounds(waves):
    _, s21 = waves
    cats = s21.table("categories")
    assert set(cats["diffusion"]) == set(model.DIFFUSION.labels)
    protected = cats[cats["diffusion"].isin([model.DIFFUSION.restricted, model.DIFFUSION.not_communicable])]
    missing = protected["legal_ground"].isna().sum()
    assert 1 <= missing <= 0.1 * len(protected)  # a few restricted categories without legal ground
    published = cats[cats["diffusion"] == model.DIFFUSION.published]
    assert published["platform"].notna().all()
    assert published["licence"].isna().any()  # a few published without licence


def test_several_services_buy_the_same_external_data(waves):
    _, s21 = waves
    cats = s21.table("categories")
    paid = cats[cats["acquisition_mode"] == model.ACQUISITION_MODE.paid_licence]
    buyers = paid.groupby(["title", "supplier"])["service_id"].nunique()
    assert buyers.max() >= 3
    assert (paid["annual_cost"] > 0).all()


def test_every_category_and_tool_cross_reference_exists(waves):
    _, s21 = waves
    for ret in s21.returns:
        titles = set(ret.categories["title"])
        names = set(ret.tools["name"])
        for cats in ret.tools["categories"].dropna():
            assert set(cats.split(model.MULTI_SEPARATOR)) <= titles
        for tools in ret.categories["tools"].dropna():
            assert set(tools.split(model.MULTI_SEPARATOR)) <= names


def test_arrangements_have_one_lead_and_evolve(waves):
    s19, s21 = waves
    arr = s21.table("arrangements")
    geo = arr[arr["_arrangement_id"] == "GEO2FRANCE"]
    assert len(geo) >= 15
    assert (geo["role"] == model.ROLE.lead).sum() <= 1
    # Facts of an arrangement carry over between waves (same start unless renewed).
    for aid, f21 in s21.facts.items():
        f19 = s19.facts[aid]
        assert f21["start"] == f19["start"] or f21["renewed"]


# --- writing ---------------------------------------------------------------------------------------------


def test_every_written_header_belongs_to_the_model(written_2021):
    _, folder, files = written_2021
    renamed = 0
    for path in files:
        if path.suffix == ".csv":
            text = path.read_bytes().decode("cp1252")
            header = next(csv.reader(io.StringIO(text), delimiter=";"))
            assert {_norm(h) for h in header} <= _allowed_headers(model.CATEGORIES)
            continue
        if path.suffix != ".xlsx":
            continue
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            section = _section_of_sheet(ws.title)
            if section is None:
                assert ws.title in ("Notes", "Feuil1"), f"{path.name}: unexpected sheet {ws.title}"
                continue
            header = [v for v in _header_row(list(ws.iter_rows(max_row=4, values_only=True))) if v]
            assert header, f"{path.name}/{ws.title}: no header"
            assert {_norm(h) for h in header} <= _allowed_headers(section), f"{path.name}/{ws.title}"
            renamed += sum(_norm(h) not in {_norm(f.label) for f in section.fields} for h in header)
        wb.close()
    assert renamed >= 3


def test_planted_mess_is_logged_and_present(written_2021):
    sample, folder, files = written_2021
    log = sample.mess_log
    counts = log["kind"].value_counts()
    for kind in ("export CSV", "service inconnu", "fichier hors questionnaire", "nom du service mal orthographié"):
        assert counts.get(kind) == 1, kind
    assert counts.get("deux versions") == 2
    assert counts.get("ligne dupliquée", 0) >= 1
    assert counts.get("titre au-dessus de l'en-tête", 0) >= 2
    misspelled = log[log["kind"] == "nom du service mal orthographié"].iloc[0]
    wb = openpyxl.load_workbook(folder / misspelled["file"], read_only=True)
    service_sheet = next(ws for ws in wb.worksheets if _section_of_sheet(ws.title) is model.SERVICE)
    assert list(service_sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0][0] == "DREAL Haut de France"
    assert any(p.suffix == ".docx" for p in files)
    assert all(p.is_file() for p in files)


def test_clean_write_has_canonical_cells(waves, tmp_path):
    _, s21 = waves
    files = s.write_returns(s21, tmp_path, mess=False)
    assert len(files) == len(s21.returns)
    dreal = next(r for r in s21.returns if r.profile == "dreal")
    wb = openpyxl.load_workbook(tmp_path / "dreal.xlsx", read_only=True)
    assert wb.sheetnames == [sec.sheet for sec in model.SECTIONS]
    rows = list(wb[model.CATEGORIES.sheet].iter_rows(values_only=True))
    assert list(rows[0]) == [f.label for f in model.CATEGORIES.fields]
    assert [r[0] for r in rows[1:]] == dreal.categories["title"].tolist()
    assert list(wb[model.SERVICE.sheet].iter_rows(min_row=2, values_only=True))[0][0] == (
        "Direction régionale de l'environnement, de l'aménagement et du logement des Hauts-de-France")


def _cells(path):
    if path.suffix == ".csv":
        return path.read_bytes().decode("cp1252").splitlines()
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    wb.close()
    return out


def test_committed_sample_matches_the_generator(tmp_path):
    committed = paths.RAW_DIR / "hauts-de-france-2021"
    if not any(committed.glob("*.xlsx")):
        pytest.skip("no committed sample in data/raw")
    s.write_sample(tmp_path, seed=2019)
    for edition in ("hauts-de-france-2019", "hauts-de-france-2021"):
        ours = sorted(p.name for p in (tmp_path / edition).iterdir())
        theirs = sorted(p.name for p in (paths.RAW_DIR / edition).iterdir())
        assert ours == theirs, edition
    fresh = tmp_path / "hauts-de-france-2021"
    for pattern in ("*DREAL*.xlsx", "*.csv", "*DDTM 59 VF.xlsx"):
        for path in sorted(fresh.glob(pattern)):
            assert _cells(path) == _cells(committed / path.name), path.name


def test_write_national_produces_loadable_editions(tmp_path):
    editions = s.write_national(tmp_path, regions=2, returns=6, categories=60, seed=3)
    assert len(editions) == 2
    regions = set()
    for path in editions:
        edition = load_edition(path)
        regions.add(edition.region)
        xlsx = list(edition.survey_dir.glob("*.xlsx"))
        assert len(xlsx) >= 3 + 1  # three returns plus the unknown service's
        services = pd.read_csv(edition.services_reference, dtype=str)
        assert services["id"].is_unique and services["name"].is_unique
        assert (services["acronym"] == "DREAL").sum() == 1
        assert not services["name"].str.contains("Hauts-de-France").any()
    assert regions == {"Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté"}
