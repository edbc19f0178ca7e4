"""Public-edition filtering and the leak scanner, on hand-written tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import model, public
from analysis.tables import Tables

PUB = model.DIFFUSION.published
RESTR = model.DIFFUSION.restricted
SECRET = model.DIFFUSION.not_communicable


def _tables() -> Tables:
    services = pd.DataFrame(
        {
            "service_id": ["DREAL-HDF", "ARS-HDF"],
            "service": ["DREAL", "ARS"],
            "referent_name": ["Camille Verdier", None],
            "referent_email": ["camille.verdier@example.gouv.fr", None],
            "referent_phone": ["03 20 11 22 33", None],
            "comment": ["Joindre Paul au 06 12 34 56 78", "RAS"],
        }
    )
    categories = pd.DataFrame(
        {
            "service_id": ["DREAL-HDF", "DREAL-HDF", "ARS-HDF", "ARS-HDF"],
            "row_id": ["c1", "c2", "c3", "c4"],
            "title": ["Installations classées", "Sites sensibles Vigipirate", "Signalements maladies", "Qualité des eaux"],
            "description": ["Liste des ICPE", "Points d'importance vitale", "Cas déclarés nominatifs", "Contrôles"],
            "diffusion": [PUB, SECRET, RESTR, PUB],
            "supplier": [None, "Ministère de l'Intérieur", "Santé publique France", None],
            "url": ["https://data.gouv.fr/icpe", None, "https://intranet.ars/sig", None],
            "tools": ["QGIS", "ArcGIS", "ArcGIS", "QGIS"],
            "comment": [None, "Contact : jean.secret@interieur.gouv.fr", "Voir Dr Martin", None],
            "theme": [model.THEME.risks, model.THEME.security, model.THEME.health, model.THEME.health],
        }
    )
    tools = pd.DataFrame(
        {"service_id": ["ARS-HDF"], "name": ["ArcGIS"], "categories": ["Signalements maladies; Qualité des eaux"], "comment": [None]}
    )
    empty = pd.DataFrame()
    return Tables(
        services=services, categories=categories, tools=tools,
        arrangements=pd.DataFrame({"service_id": ["ARS-HDF"], "comment": ["appeler le 03.22.33.44.55"]}),
        maturity=pd.DataFrame({"service_id": [], "comment": []}),
        rejects=pd.DataFrame({"source_file": ["a.xlsx"], "raw_value": ["Signalements maladies"], "reason": ["doublon"]}),
        review=pd.DataFrame({"raw_value": ["DREAL HdF"]}),
        corrections=pd.DataFrame({"raw_value": ["1,5 k€"], "cleaned_value": ["1500"], "rule": ["montant"]}),
        accounting=empty, reference_services=empty, reference_arrangements=empty,
        log={"messages": ["ligne 4 : « Sites sensibles Vigipirate » en double", "référent camille.verdier@example.gouv.fr"]},
    )


def test_personal_fields_are_dropped_and_contacts_redacted():
    pub = public.public_tables(_tables())
    assert pub.services["referent_name"].isna().all()
    assert pub.services["referent_email"].isna().all()
    assert pub.services["referent_phone"].isna().all()
    assert pub.services.loc[0, "comment"] == "Joindre Paul au [téléphone masqué]"
    assert pub.arrangements.loc[0, "comment"] == "appeler le [téléphone masqué]"


def test_restricted_categories_keep_counts_but_lose_their_content():
    pub = public.public_tables(_tables())
    cats = pub.categories
    assert len(cats) == 4  # aggregate counts stay right
    hidden = cats[cats["diffusion"].isin([RESTR, SECRET])]
    assert set(hidden["title"]) == {public.PROTECTED_TITLE}
    for col in ("description", "supplier", "url", "tools", "comment"):
        assert hidden[col].isna().all(), col
    assert list(hidden["theme"]) == [model.THEME.security, model.THEME.health]
    shown = cats[cats["diffusion"] == PUB]
    assert list(shown["title"]) == ["Installations classées", "Qualité des eaux"]
    assert shown.loc[0, "url"] == "https://data.gouv.fr/icpe"


def test_tool_links_to_restricted_categories_are_masked():
    pub = public.public_tables(_tables())
    assert pub.tools.loc[0, "categories"] == f"{public.PROTECTED_TITLE}; Qualité des eaux"


def test_raw_values_of_rejects_and_corrections_are_blanked_and_log_scrubbed():
    pub = public.public_tables(_tables())
    assert pub.rejects["raw_value"].isna().all()
    assert pub.corrections["raw_value"].isna().all()
    text = json.dumps(pub.log, ensure_ascii=False)
    assert "Vigipirate" not in text
    assert "camille.verdier" not in text


def test_internal_tables_are_not_modified():
    t = _tables()
    public.public_tables(t)
    assert t.services.loc[0, "referent_name"] == "Camille Verdier"
    assert t.categories.loc[1, "title"] == "Sites sensibles Vigipirate"


def test_protected_values_list_every_field_but_not_public_ones():
    values = {(v.field, v.value) for v in public.protected_values(_tables())}
    assert ("services.referent_name", "Camille Verdier") in values
    assert ("services.referent_email", "camille.verdier@example.gouv.fr") in values
    assert ("categories.title", "Sites sensibles Vigipirate") in values
    assert ("categories.description", "Cas déclarés nominatifs") in values
    assert ("categories.supplier", "Santé publique France") in values
    assert ("categories.url", "https://intranet.ars/sig") in values
    assert ("services.comment (téléphone)", "06 12 34 56 78") in values
    # tool names are public things; the published category's content is public
    assert not any(v == "ArcGIS" for _, v in values)
    assert not any(v == "Installations classées" for _, v in values)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("écrire à a.b@c.fr", "écrire à [courriel masqué]"),
        ("tel 0320305959.", "tel [téléphone masqué]."),
        ("+33 3 20 30 59 59", "[téléphone masqué]"),
        ("+33 (0)3 20 30 59 59", "[téléphone masqué]"),
        ("budget 2019 : 12 500 €", "budget 2019 : 12 500 €"),
        ("SIRET 13000123456789", "SIRET 13000123456789"),
    ],
)
def test_redact_text(text, expected):
    assert public.redact_text(text) == expected


def test_scanner_finds_leaks_in_html_notebook_csv_and_embedded_svg(tmp_path):
    import base64

    values = public.protected_values(_tables())
    (tmp_path / "ok.html").write_text("<p>Installations classées</p>", encoding="utf-8")
    (tmp_path / "bad.html").write_text("<p>Sites sensibles &amp; Vigipirate</p><p>Sites sensibles Vigipirate</p>", encoding="utf-8")
    svg = base64.b64encode("<svg><text>Cas déclarés nominatifs</text></svg>".encode()).decode()
    (tmp_path / "fig.ipynb").write_text(json.dumps({"x": f"data:image/svg+xml;base64,{svg}"}), encoding="utf-8")
    (tmp_path / "t.csv").write_text("referent\nCamille Verdier\n", encoding="utf-8")
    problems = public.scan_folder(tmp_path, values)
    joined = "\n".join(problems)
    assert "bad.html" in joined and "categories.title" in joined
    assert "fig.ipynb" in joined and "categories.description" in joined
    assert "t.csv" in joined and "services.referent_name" in joined
    assert "ok.html" not in joined


def test_scanner_reads_pdf_text_despite_hyphenation(tmp_path):
    weasyprint = pytest.importorskip("weasyprint")
    html_doc = '<html lang="fr"><body style="width:3cm;hyphens:auto"><p>Sites sensibles Vigipirate</p></body></html>'
    weasyprint.HTML(string=html_doc).write_pdf(tmp_path / "r.pdf")
    problems = public.scan_folder(tmp_path, public.protected_values(_tables()))
    assert any("r.pdf" in p and "categories.title" in p for p in problems)


def test_scanner_reads_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "Santé publique France"
    wb.save(tmp_path / "x.xlsx")
    problems = public.scan_folder(tmp_path, public.protected_values(_tables()))
    assert any("x.xlsx" in p and "categories.supplier" in p for p in problems)


def test_public_preparation_and_scan_cover_the_previous_edition(tmp_path, monkeypatch):
    """The comparison chapter reads the previous wave: its public copy is refreshed, its secrets scanned."""
    from factories import tiny_tables

    from analysis.edition import load_edition
    from analysis.tables import audience_dir, read_tables, save_tables

    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(tmp_path / "processed"))
    (tmp_path / "survey").mkdir()
    for name in ("s.csv", "a.csv"):
        (tmp_path / name).write_text("id\n", encoding="utf-8")
    common = (f"region: R\nreference_date: 2021-01-01\nsurvey_dir: {tmp_path / 'survey'}\n"
              f"reference:\n  services: {tmp_path / 's.csv'}\n  arrangements: {tmp_path / 'a.csv'}\n")
    (tmp_path / "old.yaml").write_text("edition: old-2019\nyear: 2019\n" + common, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(f"edition: new-2021\nyear: 2021\nprevious_edition: {tmp_path / 'old.yaml'}\n" + common,
                                       encoding="utf-8")
    old, new = tiny_tables(), tiny_tables()
    old.categories.loc[1, "title"] = "Secret de la vague précédente"  # C02, restricted
    save_tables(old, audience_dir("old-2019"))
    save_tables(new, audience_dir("new-2021"))
    edition = load_edition(tmp_path / "new.yaml")
    public.prepare_audience_tables(edition, "public")
    previous_public = read_tables(audience_dir("old-2019", "public"))
    assert "Secret de la vague précédente" not in set(previous_public.categories["title"])
    leak = tmp_path / "reports"
    leak.mkdir()
    (leak / "rapport.html").write_text("<p>Secret de la vague précédente</p>", encoding="utf-8")
    problems = public.scan_public_artefacts(edition, leak)
    assert any("categories.title" in p for p in problems)


def test_unmatched_names_are_masked_in_the_public_review_table():
    t = _tables()
    t.review = pd.DataFrame({"raw_value": ["DREAL HdF", "Cabinet de Camille Verdier", "dreal@example.gouv.fr"],
                             "status": ["accepté", "non rapproché", "accepté"]})
    pub = public.public_tables(t)
    assert pub.review["raw_value"].tolist() == ["DREAL HdF", public.VALUE_MASK, public.EMAIL_MASK]
    assert t.review.loc[1, "raw_value"] == "Cabinet de Camille Verdier"  # the internal table is untouched
