"""Indicators on the tiny hand-written tables of tests/factories.py (expected values by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from factories import tiny_public_tables, tiny_tables

from analysis import indicators as ind
from analysis import model

D = model.DIFFUSION


@pytest.fixture()
def t():
    return tiny_tables()


@pytest.fixture()
def labels(t):
    return ind.service_labels(t)


# -- chapter 01 ---------------------------------------------------------------------------------


def test_service_labels_use_reference_acronyms(t):
    labels = ind.service_labels(t)
    assert labels["PREF-59"] == "Préfecture 59"
    assert labels["DRAAF-HDF"] == "DRAAF"  # non-respondent, from the reference list


def test_response_rate_by_type(t):
    out = ind.response_rate(t.reference_services, t.services, by="type").set_index("type")
    # Direction régionale: DREAL answered, DRAAF did not -> 1/2; opérateur: ARS -> 1/1.
    assert out.loc[model.SERVICE_TYPE.regional, ["n_reference", "n_respondents"]].tolist() == [2, 1]
    assert out.loc[model.SERVICE_TYPE.regional, "response_rate"] == pytest.approx(0.5)
    assert out.loc[model.SERVICE_TYPE.operator, "response_rate"] == pytest.approx(1.0)
    # Total: 4 of 6.
    assert out.loc["Total", "response_rate"] == pytest.approx(4 / 6)
    # Types in vocabulary order: préfecture first.
    assert out.index[0] == model.SERVICE_TYPE.prefecture


def test_response_rate_by_ministry(t):
    out = ind.response_rate(t.reference_services, t.services, by="ministry").set_index("ministry")
    # DRAAF and DDPP 80 (Agriculture) did not answer; DREAL and DDTM 62 (Transition écologique) did.
    assert out.loc["Agriculture et alimentation", "response_rate"] == 0
    assert out.loc["Transition écologique", "n_respondents"] == 2


def test_response_rate_unknown_column(t):
    with pytest.raises(KeyError):
        ind.response_rate(t.reference_services, t.services, by="region")


def test_non_respondents(t):
    out = ind.non_respondents(t.reference_services, t.services)
    assert out["acronym"].tolist() == ["DRAAF", "DDPP 80"]  # régionale before départementale


def test_completeness_counts_applicable_fields_only():
    # Two categories of one service. Expected optional fields of categories (not required, not
    # personal, not free text): description supplier acquisition_mode annual_cost legal_ground
    # personal_data geographic inspire_theme formats frequency coverage platform url licence tools.
    # Row 1 (produced, published, not geographic): applicable = description personal_data
    #   geographic formats frequency coverage platform url licence tools = 10; filled: personal_data,
    #   geographic, platform = 3.
    # Row 2 (acquired by paid licence, restricted): protected free text (description, supplier, url,
    #   tools) not counted; applicable = acquisition_mode annual_cost legal_ground personal_data
    #   geographic formats frequency coverage = 8; filled: acquisition_mode, annual_cost = 2.
    # Total 5 / 18.
    t = tiny_tables()
    cats = t.categories.iloc[:0].copy()
    cats = pd.concat([cats, pd.DataFrame([
        dict(title="A", theme=model.THEME.water, origin=model.ORIGIN.produced, diffusion=D.published,
             personal_data=False, geographic=False, platform=model.PLATFORM.datagouv, service_id="X", row_id="1"),
        dict(title="B", theme=model.THEME.water, origin=model.ORIGIN.acquired, diffusion=D.restricted,
             acquisition_mode=model.ACQUISITION_MODE.paid_licence, annual_cost=10.0, service_id="X", row_id="2"),
    ])], ignore_index=True)
    t.categories = cats
    t.services = t.services.iloc[:0]
    t.tools = t.tools.iloc[:0]
    t.arrangements = t.arrangements.iloc[:0]
    out = ind.completeness(t, {"X": "Service X"})
    assert out[["service", "expected", "filled"]].values.tolist() == [["Service X", 18, 5]]
    assert out["share_filled"].iloc[0] == pytest.approx(5 / 18)


def test_completeness_same_for_both_audiences(t):
    internal = ind.completeness(t)
    public = ind.completeness(tiny_public_tables())
    # Personal fields and the protected free text are never counted, so masking changes nothing.
    pd.testing.assert_frame_equal(internal, public)


def test_completeness_service_sheet(t):
    out = ind.completeness(t).set_index(["service_id", "section"])
    # Service sheet: data_fte and answer_date expected; the préfecture filled neither.
    assert out.loc[("PREF-59", model.SERVICE.label), "filled"] == 0
    assert out.loc[("DREAL-HDF", model.SERVICE.label), "share_filled"] == 1


def test_completeness_matrix_has_missing_cells(t):
    m = ind.completeness_matrix(ind.completeness(t))
    # The préfecture reported no arrangement: no cell, not zero.
    assert math.isnan(m.loc["Préfecture 59", model.ARRANGEMENTS.label])
    assert list(m.columns)[0] == model.SERVICE.label


def test_accounting_summary(t):
    out = ind.accounting_summary(t.accounting).set_index("source_file")
    # ARS: 1+4+1+3+1 = 10 read = 7 kept + 2 rejected + 1 blank.
    assert out.loc["ARS.xlsx", ["raw_rows", "cleaned_rows", "rejected_rows", "blank_rows"]].tolist() == [10, 7, 2, 1]
    assert out.loc["Total", ["raw_rows", "cleaned_rows", "rejected_rows", "blank_rows"]].tolist() == [39, 33, 4, 2]
    assert out["balanced"].all()


def test_accounting_summary_flags_imbalance(t):
    acc = t.accounting.copy()
    acc.loc[0, "raw_rows"] = 5  # DREAL service sheet: 5 read, 1 kept
    out = ind.accounting_summary(acc).set_index("source_file")
    assert not out.loc["DREAL.xlsx", "balanced"]
    assert out.loc["DDTM62.xlsx", "balanced"]


def test_rejects_by_reason(t):
    out = ind.rejects_by_reason(t.rejects)
    assert out.iloc[0].tolist() == ["Valeur hors liste pour un champ obligatoire", 2, 2, 2]
    assert out["n"].sum() == 4


def test_rejects_detail_uses_field_labels(t):
    out = ind.rejects_detail(t.rejects)
    assert "Thème" in out["column"].tolist()
    assert out["source_file"].tolist()[0] == "ARS.xlsx"
    assert len(out) == 4


def test_rejects_detail_compacts_row_ranges(t):
    # A replaced return: rows 2, 3, 4 and 7 of one sheet, same reason -> one line "2–4, 7".
    rej = pd.DataFrame({"source_file": ["B.xlsx"] * 4, "source_sheet": ["Données"] * 4,
                        "source_row": pd.array([7, 2, 3, 4], dtype="Int64"), "column": [None] * 4,
                        "raw_value": [None] * 4, "reason": ["retour remplacé"] * 4})
    out = ind.rejects_detail(rej)
    assert out[["source_row", "n_rows"]].values.tolist() == [["2–4, 7", 4]]


def test_corrections_by_rule(t):
    out = ind.corrections_by_rule(t.corrections)
    first = out.iloc[0]
    # Two amounts (DREAL, DDTM 62), grouped whatever value they quote.
    assert (first["rule"], first["n"], first["n_files"]) == ("Montant converti en euros", 2, 2)
    assert first["column"] == "Coût annuel (€)"
    assert out["n"].tolist() == [2, 1, 1]


@pytest.mark.parametrize(
    ("rule", "family"),
    [("« annuel » remplacé par « Annuelle »", "Synonyme ramené à une valeur de la liste"),
     ("montant « 283 k€ » converti en 283000", "Montant converti en euros"),
     ("valeur illisible ignorée : montant illisible : « beaucoup »", "Valeur illisible ignorée (colonne facultative)"),
     ("réponse « X » interprétée comme « oui »", "Réponse libre interprétée (oui / non…)"),
     ("arrondi « 3,7 » à 4", "arrondi « … » à …")],
)
def test_rule_family_never_quotes_values(rule, family):
    assert ind.rule_family(rule) == family


def test_low_confidence_matches_lowest_first(t):
    out = ind.low_confidence_matches(t.review)
    assert out["score"].tolist() == [62.0, 86.0, 88.0]
    assert out["kind"].iloc[0] == "Dispositif"


def test_caveats_merge_file_and_log(t, tmp_path):
    f = tmp_path / "caveats.md"
    f.write_text("# Titre\n\n- Première hypothèse\n  sur deux lignes.\n- Seconde.\n", encoding="utf-8")
    out = ind.caveats(t, f)
    assert out[:2] == ["Première hypothèse sur deux lignes.", "Seconde."]
    assert len(out) == 4  # + the two caveats of the ingestion log


# -- chapter 02 ---------------------------------------------------------------------------------


def test_categories_by_service_theme(t, labels):
    m = ind.categories_by_service_theme(t.categories, labels)
    assert m.index[0] == "DREAL"  # 5 categories
    assert m.loc["DREAL"].sum() == 5
    assert m.loc["ARS", model.THEME.health] == 2
    assert m.values.sum() == 12
    # Themes in vocabulary order: urbanism comes before housing.
    cols = list(m.columns)
    assert cols.index(model.THEME.urbanism) < cols.index(model.THEME.housing)


def test_origin_split(t):
    out = ind.origin_split(t.categories).set_index("origin")
    assert out["n"].tolist() == [7, 4, 1]
    assert out.loc[model.ORIGIN.acquired, "share"] == pytest.approx(4 / 12)


def test_acquisition_modes_and_costs(t):
    out = ind.acquisition_modes(t.categories).set_index("acquisition_mode")
    assert out.loc[model.ACQUISITION_MODE.paid_licence, "n"] == 2
    assert out.loc[model.ACQUISITION_MODE.paid_licence, "total_cost"] == 20000
    assert math.isnan(out.loc[model.ACQUISITION_MODE.regulatory, "total_cost"])  # no cost stated


def test_top_suppliers_groups_spellings(t):
    out = ind.top_suppliers(t.categories)
    # "IGN" and "I.G.N." are one supplier: 2 categories, 2 services, 12 000 + 8 000 €.
    assert out.iloc[0].tolist() == ["IGN", 2, 2, 20000.0]
    assert len(out) == 3


def test_top_suppliers_others_bucket(t):
    out = ind.top_suppliers(t.categories, n=1)
    assert out["supplier"].tolist() == ["IGN", "Autres fournisseurs (2)"]
    assert out["n_categories"].tolist() == [2, 2]


def test_diffusion_funnel(t):
    out = ind.diffusion_funnel(t.categories)
    # 12 held; 4 published + 4 publishable = 8 publishable; 4 published.
    assert out["n"].tolist() == [12, 8, 4]
    assert out["share_of_held"].tolist() == pytest.approx([1, 8 / 12, 4 / 12])


def test_funnel_by_service(t, labels):
    out = ind.funnel_by_service(t.categories, labels).set_index("service")
    assert out.loc["DREAL", ["held", "publishable", "published"]].tolist() == [5, 3, 1]
    assert out.loc["DREAL", "share_published"] == pytest.approx(0.2)


def test_restrictions_by_ground_counts_missing_ground(t):
    out = ind.restrictions_by_ground(t.categories).set_index("legal_ground")
    assert out.loc[model.LEGAL_GROUND.privacy, "n"] == 2
    assert out.loc[ind.NO_GROUND, "n"] == 1  # C06, restricted without ground
    assert out.loc[ind.NO_GROUND, "n_restricted"] == 1
    assert out.index[-1] == ind.NO_GROUND
    assert out["share"].sum() == pytest.approx(1)


def test_personal_data_by_diffusion(t):
    m = ind.personal_data_by_diffusion(t.categories)
    assert m.loc[D.not_communicable, "Oui"] == 2
    assert m.loc[D.publishable, "Oui"] == 1
    assert m.values.sum() == 12


def test_inspire_themes(t):
    out = ind.inspire_themes(t.categories).set_index("inspire_theme")
    assert out.loc[model.INSPIRE_THEME.oi, "n"] == 2
    assert out.loc[model.INSPIRE_THEME.oi, "published"] == 0
    assert out["n"].sum() == 7


def test_update_frequencies_missing_last(t):
    out = ind.update_frequencies(t.categories)
    assert out["frequency"].iloc[-1] == ind.NOT_STATED_F
    assert out["n"].iloc[-1] == 1  # C05
    assert out.set_index("frequency").loc[model.FREQUENCY.monthly, "n"] == 3


def test_open_by_default_gap(t, labels):
    out = ind.open_by_default_gap(t.categories, labels).set_index("service")
    # DREAL: publishable C01 C04 C05, not published C04 C05 -> 2/3.
    assert out.loc["DREAL", ["publishable", "not_published"]].tolist() == [3, 2]
    assert out.loc["DREAL", "gap_share"] == pytest.approx(2 / 3)
    assert out.loc["Préfecture 59", "not_published"] == 0
    assert out.index[0] == "DREAL"


def test_pooling_opportunities(t, labels):
    out = ind.pooling_opportunities(t.categories, labels)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["supplier"] == "IGN"
    assert row["services"] == "DDTM 62, DREAL"
    assert (row["n_services"], row["n_purchases"], row["total_cost"]) == (2, 2, 20000.0)


def test_pooling_needs_similar_titles(t, labels):
    cats = t.categories.copy()
    cats.loc[cats["title"] == "Orthophotographie", "title"] = "Bâtiments 3D"
    assert ind.pooling_opportunities(cats, labels).empty


def test_pooling_same_service_twice_is_not_pooling(t, labels):
    cats = t.categories.copy()
    cats.loc[cats["title"] == "Orthophotographie", "service_id"] = "DREAL-HDF"
    assert ind.pooling_opportunities(cats, labels).empty


# -- chapter 03 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "family"),
    [("ArcGIS Desktop 10.8", "arcgis"), ("Arcgis", "arcgis"), ("ArcGIS Pro", "arcgis"), ("QGIS 3.16", "qgis"),
     ("Microsoft Excel 2016", "excel"), ("Business Objects", "business objects"), ("Pro", "pro"), (None, "")],
)
def test_tool_family(name, family):
    assert ind.tool_family(name) == family


def test_tools_by_type(t):
    out = ind.tools_by_type(t.tools).set_index("tool_type")
    gis = model.TOOL_TYPE.desktop_gis
    # 4 desktop GIS (QGIS, ArcGIS Desktop, Arcgis, ArcGIS Pro) in 3 services; 1 free; 3000+2500+4000.
    assert out.loc[gis, ["n", "n_services"]].tolist() == [4, 3]
    assert out.loc[gis, "share_free"] == pytest.approx(0.25)
    assert out.loc[gis, "total_cost"] == 9500


def test_tool_use_and_licence(t):
    use = ind.tool_use_split(t.tools).set_index("use")["n"]
    assert use.tolist() == [4, 1, 1]
    lic = ind.licence_split(t.tools).set_index("software_licence")
    assert lic.loc[model.SOFTWARE_LICENCE.free, "n"] == 2
    assert lic.loc[model.SOFTWARE_LICENCE.proprietary, "total_cost"] == 9500


def test_tool_costs_by_type(t):
    out = ind.tool_costs_by_type(t.tools).set_index("tool_type")
    assert out.loc[model.TOOL_TYPE.desktop_gis, "n_paying"] == 3
    assert out.loc[model.TOOL_TYPE.desktop_gis, "mean_cost"] == pytest.approx(9500 / 3)
    assert model.TOOL_TYPE.spreadsheet not in out.index  # Excel: no cost stated


def test_same_tool_licensed_separately(t, labels):
    out = ind.same_tool_licensed_separately(t.tools, labels)
    assert out["family"].tolist() == ["ArcGIS"]
    assert out.iloc[0]["services"] == "ARS, DDTM 62, DREAL"
    assert out.iloc[0]["n_services_paying"] == 3
    assert out.iloc[0]["total_cost"] == 9500


def test_spreadsheets_and_services_own_websites_are_not_licences_to_pool(t, labels):
    tools = t.tools.copy()
    # Excel, proprietary, now in a second service; and each of two services pays for its own website
    excel = tools[tools["name"] == "Excel"].iloc[0]
    other = next(s for s in tools["service_id"].unique() if s != excel["service_id"])
    site = excel.copy()
    site["name"], site["tool_type"], site["annual_cost"] = "Site internet du service", model.TOOL_TYPE.opendata_portal, 1200.0
    extra = pd.DataFrame([excel.to_dict() | {"service_id": other},
                          site.to_dict(), site.to_dict() | {"service_id": other}])
    tools = pd.concat([tools, extra], ignore_index=True)
    assert ind.same_tool_licensed_separately(tools, labels)["family"].tolist() == ["ArcGIS"]
    everything = ind.same_tool_licensed_separately(tools, labels, exclude_types=(), exclude_names=())
    assert sorted(everything["family"]) == ["ArcGIS", "Excel", "Site internet du service"]


def test_free_tool_in_two_services_is_not_licensed_separately(t, labels):
    tools = t.tools.copy()
    tools.loc[tools["name"] == "GéoIDE", "name"] = "QGIS"  # DDTM 62 now uses QGIS too, free, 0 €
    out = ind.same_tool_licensed_separately(tools, labels)
    assert "QGIS" not in out["family"].tolist()


def test_tool_category_links(t):
    links = ind.tool_category_links(t.tools, t.categories)
    # QGIS -> C01 C04; ArcGIS Desktop -> C02 (both ways); Arcgis -> C06; GéoIDE -> C07;
    # Excel -> C09; ArcGIS Pro -> C12 (listed by the tool) and C11 (C11 lists "ArcGIS Pro").
    assert len(links) == 8
    m = ind.tool_type_by_theme(links)
    assert m.loc[model.TOOL_TYPE.desktop_gis, model.THEME.health] == 2
    assert m.loc[model.TOOL_TYPE.desktop_gis, model.THEME.territory] == 2
    assert m.loc[model.TOOL_TYPE.spreadsheet, model.THEME.administration] == 1


def test_tool_category_links_public_never_match_masked_titles():
    p = tiny_public_tables()
    links = ind.tool_category_links(p.tools, p.categories)
    # The two protected ortho categories (C02, C06) drop out: 8 - 2 links.
    assert len(links) == 6
    assert not links["category_row"].isin(["DREAL.xlsx:Données:4", "DREAL.xlsx:Données:5"]).any()


# -- chapter 06 ---------------------------------------------------------------------------------


def test_inventory_table_public_lists_only_open_categories(labels):
    p = tiny_public_tables()
    inv = ind.inventory_table(p.categories, labels, public=True)
    assert len(inv) == 8
    assert not inv["diffusion"].isin([D.restricted, D.not_communicable]).any()
    counts = ind.protected_counts_by_service(p.categories, labels).set_index("service")
    assert counts.loc["DREAL", ["n_restricted", "n_not_communicable", "n_protected"]].tolist() == [1, 1, 2]
    assert counts.loc["Total", "n_protected"] == 4


def test_inventory_table_joins_supplier_to_origin_and_ground_to_diffusion():
    origin = model.ORIGIN
    cats = pd.DataFrame({
        "service_id": ["S2", "S1", "S1"],
        "title": ["Zonages", "Effectifs", "Adresses"],
        "theme": ["Eau", "Emploi", "Emploi"],
        "origin": [origin.acquired, origin.produced, origin.acquired],
        "supplier": ["IGN", None, "  "],
        "diffusion": [D.restricted, D.published, D.not_communicable],
        "legal_ground": ["Secret défense", None, None],
        "frequency": ["Annuelle", None, "En continu"],
        "geographic": pd.array([True, False, None], dtype="boolean"),
    })
    inv = ind.inventory_table(cats, {"S1": "DDETS 59", "S2": "DDTM 62"})
    assert list(inv.columns) == ["service", "title", "theme", "origin_supplier", "diffusion_ground", "frequency", "geo"]
    # sorted by service label, then theme and title
    assert inv["title"].tolist() == ["Adresses", "Effectifs", "Zonages"]
    assert inv["origin_supplier"].tolist() == ["Acquise auprès d'un tiers", "Produite en interne",
                                               "Acquise auprès d'un tiers (IGN)"]
    assert inv["diffusion_ground"].tolist() == ["Non communicable", "Publiée en open data",
                                                "Restreinte aux partenaires — Secret défense"]
    public = ind.inventory_table(cats, {"S1": "DDETS 59", "S2": "DDTM 62"}, public=True)
    assert public["title"].tolist() == ["Effectifs"] and "diffusion_ground" not in public.columns
    assert "Secret défense" not in public.to_string()


def test_data_dictionary_covers_every_field():
    dd = ind.data_dictionary()
    assert len(dd) == sum(len(s.fields) for s in model.SECTIONS)
    row = dd[dd["name"] == "diffusion"].iloc[0]
    assert row["values"].split("; ") == model.DIFFUSION.labels
    assert bool(row["required"]) is True


def test_glossary_sorted_and_complete():
    entries = ind.glossary()
    terms = [e["term"] for e in entries]
    for needed in ("CRPA", "INSPIRE", "ETP", "DCAT", "Géo2France", "SGAR", "DREAL"):
        assert any(needed in term for term in terms), needed
    assert terms == sorted(terms, key=ind.normalise)
    html = ind.glossary_html([{"term": "<b>", "definition": "a & b"}])
    assert "<dt>&lt;b&gt;</dt>" in html and "a &amp; b" in html


def test_glossary_rejects_incomplete_entry(tmp_path):
    f = tmp_path / "g.yaml"
    f.write_text("termes:\n  - terme: X\n", encoding="utf-8")
    with pytest.raises(ValueError, match="definition"):
        ind.glossary(f)


# -- key figures --------------------------------------------------------------------------------


def test_key_figures(t):
    k = ind.key_figures(t)
    assert k["n_services_reference"] == 6
    assert k["n_respondents"] == 4
    assert k["response_rate"] == pytest.approx(4 / 6)
    assert k["n_categories"] == 12
    assert (k["share_acquired"], k["share_produced"], k["share_coproduced"]) == pytest.approx((4 / 12, 7 / 12, 1 / 12))
    assert k["n_published"] == 4
    assert k["n_publishable_not_published"] == 4
    assert k["share_restricted_or_not_communicable"] == pytest.approx(4 / 12)
    assert (k["n_personal"], k["n_geographic"]) == (3, 7)
    assert (k["n_tools"], k["n_tool_types"]) == (6, 3)
    assert k["share_free_tools"] == pytest.approx(2 / 6)
    assert k["total_tool_cost"] == 9500
    assert k["n_same_tool_licensed_separately"] == 1
    assert k["n_pooling_opportunities"] == 1
    assert k["total_acquisition_cost"] == 20000
    assert (k["n_rejected_rows"], k["n_raw_rows"]) == (4, 39)
    assert k["data_fte_total"] == pytest.approx(3.5)


def test_key_figures_public_differ_only_by_pooling(t):
    internal, public = ind.key_figures(t), ind.key_figures(tiny_public_tables())
    diff = {k for k in internal if internal[k] != public[k]}
    assert diff == {"n_pooling_opportunities"}  # the IGN suppliers are masked (restricted categories)


def test_indicator_dictionary_defines_every_key(t):
    dd = ind.indicator_dictionary()
    assert dd["name"].tolist() == list(ind.key_figures(t))
    assert dd[["definition", "unit", "formula"]].notna().all().all()


def test_french_headers_and_formats(t, labels):
    out = ind.french(ind.open_by_default_gap(t.categories, labels))
    assert list(out.columns) == ["Service", "Publiables", "Publiables non publiées", "Part non publiée"]
    assert ind.FORMATS["Part non publiée"](2 / 3) == "67 %"
    assert ind.FORMATS["Coût annuel total"](20000) == "20\u202f000 €"


def test_small_helpers(t):
    # lookup: one line of a result; default when absent.
    gap = ind.open_by_default_gap(t.categories, ind.service_labels(t))
    assert ind.lookup(gap, "service", "DREAL", "not_published") == 2
    assert ind.lookup(gap, "service", "DRAAF", "not_published") == 0
    # completeness_overall: (1 + 3) filled of (2 + 4) expected = 4/6, not the mean of shares (0.625).
    long = pd.DataFrame({"filled": [1, 3], "expected": [2, 4]})
    assert ind.completeness_overall(long) == pytest.approx(4 / 6)
    assert ind.audience_note(True) != ind.audience_note(False)


def test_personal_geographic_summary(t):
    s = ind.personal_geographic_summary(t.categories)
    # Personal: C03 C08 C10, none published. Geographic: 7, of which C01 C07 C12 published; all have
    # an INSPIRE theme.
    assert s == {"n_personal": 3, "n_personal_published": 0, "n_geographic": 7, "n_geographic_published": 3,
                 "share_geographic_published": pytest.approx(3 / 7), "n_geographic_no_inspire": 0}
