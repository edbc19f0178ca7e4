"""Tests of the progress-axes rule engine (analysis.recommendations, analysis.rules).

Every rule of config/regles.yaml is evaluated on the tiny hand-written tables of
tests/factories.py, once where it must fire and once, after a small hand edit, where it must not.
What the tiny tables contain (and hence why each rule fires) is described in factories.py.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from factories import tiny_public_tables, tiny_tables

from analysis import model, paths, rules
from analysis import recommendations as reco

RULES = paths.CONFIG_DIR / "regles.yaml"
D = model.DIFFUSION


def edition(**kw) -> SimpleNamespace:
    """A stand-in for an Edition: the attributes the engine reads."""
    base = dict(rules=RULES, recommendations=None, reference_date=dt.date(2021, 9, 30),
                maturity_spec=paths.CONFIG_DIR / "maturite-questionnaire.yaml", year=2021)
    base.update(kw)
    return SimpleNamespace(**base)


def fired(tables, previous=None, ed=None) -> set[str]:
    return {f.rule_id for f in reco.evaluate_rules(ed or edition(), tables, previous).findings}


def _set(df: pd.DataFrame, key: str, value: str, **cols) -> None:
    """Set columns of the rows whose ``row_id`` ends with ``key`` (e.g. ``"Données:4"``)."""
    mask = df["row_id"].str.endswith(key)
    assert mask.any(), key
    for col, v in cols.items():
        df.loc[mask, col] = v


def _cat(t, sid: str, row: int, **cols):
    _set(t.categories, f"{tiny_file(sid)}:Données:{row}", "", **cols)


def tiny_file(sid: str) -> str:
    return {"DREAL-HDF": "DREAL.xlsx", "DDTM-62": "DDTM62.xlsx", "PREF-59": "PREF59.xlsx", "ARS-HDF": "ARS.xlsx"}[sid]


def _extra_arrangements(t, credits: list[float]) -> None:
    """Replace the arrangements by one row per amount, each a distinct arrangement of ARS."""
    base = t.arrangements.iloc[[4]]
    rows = []
    for i, amount in enumerate(credits):
        r = base.copy()
        r["arrangement_id"] = f"ARR-{i}"
        r["arrangement_name"] = f"Dispositif {i}"
        r["arrangement"] = f"Dispositif {i}"
        r["state_credits"] = amount
        r["row_id"] = f"ARS.xlsx:Dispositifs:{10 + i}"
        rows.append(r)
    t.arrangements = pd.concat(rows, ignore_index=True)


# --- one (fire, no-fire) pair per rule --------------------------------------------------------
# Each case returns (tables, previous tables or None, edition or None).


def base():
    return tiny_tables()


def case(rule_id: str, fire: bool):
    t = tiny_tables()
    prev = None
    ed = edition()
    if rule_id == "restriction_sans_fondement":
        # C06 (DDTM 62, restricted) gives no legal ground.
        if not fire:
            _cat(t, "DDTM-62", 3, legal_ground=model.LEGAL_GROUND.third_party_ip)
    elif rule_id == "donnees_personnelles_sans_fondement":
        # C08 (DDTM 62) holds personal data, no ground.
        if not fire:
            _cat(t, "DDTM-62", 5, personal_data=False)
    elif rule_id == "frequence_absente":
        # C05 (DREAL) has no frequency.
        if not fire:
            t.categories["frequency"] = model.FREQUENCY.annual
    elif rule_id == "services_sans_referent":
        # PREF-59 named no referent.
        if not fire:
            t.services.loc[t.services["service_id"] == "PREF-59", "referent_email"] = "x@example.org"
    elif rule_id == "services_sans_etp":
        # PREF-59 gave no FTE.
        if not fire:
            t.services["data_fte"] = 1.0
    elif rule_id == "services_non_repondants":
        # DRAAF and DDPP 80 did not answer.
        if not fire:
            t.reference_services = t.reference_services[t.reference_services["id"].isin(t.services["service_id"])]
    elif rule_id == "dispositifs_sans_cadre":
        # Every arrangement has a frame (convention, charter, association).
        if fire:
            t.arrangements.loc[t.arrangements["arrangement_id"] == "OR2S", "governance_frame"] = (
                model.GOVERNANCE_FRAME.none)
    elif rule_id == "etat_absent_des_instances":
        # OR2S: the State does not sit in the general assembly.
        if not fire:
            t.arrangements.loc[t.arrangements["arrangement_id"] == "OR2S", "state_in_bodies"] = True
    elif rule_id == "maturite_faible":
        # Opening: levels 2 and 1, mean 1.5 < 2.5.
        if not fire:
            t.maturity.loc[t.maturity["dimension"] == model.MATURITY_DIMENSION.opening, "level"] = (
                model.MATURITY_LEVEL.label_of("3"))
    elif rule_id == "credits_concentres":
        # 4 funded arrangements: top 3 = 370 / 380 = 97 %; 8 equal ones: top 3 = 37,5 % < 50 %.
        _extra_arrangements(t, [150000.0, 120000.0, 100000.0, 10000.0] if fire else [50000.0] * 8)
    elif rule_id == "achats_mutualisables":
        # The orthophotography is bought from IGN by DREAL and DDTM 62.
        if not fire:
            _cat(t, "DDTM-62", 3, supplier="Région")
    elif rule_id == "licences_outils_multiples":
        # ArcGIS is paid for by DREAL, DDTM 62 and ARS.
        if not fire:
            t.tools = t.tools[~t.tools["name"].isin(["Arcgis", "ArcGIS Pro"])]
    elif rule_id == "dispositifs_redondants":
        # ORB {Région, Associations, Atlas, DREAL} vs OR2S made {Région, Associations, Atlas, ARS}:
        # 3 shared of 5 = 0.6 > 0.5.
        if fire:
            m = t.arrangements["arrangement_id"] == "OR2S"
            t.arrangements.loc[m, "partners"] = "Région; Associations"
            t.arrangements.loc[m, "productions"] = "Atlas et cartes"
    elif rule_id == "conventions_a_echeance":
        # Géo2France ends 2022-12-31, 15 months after the reference date.
        if fire:
            t.arrangements.loc[t.arrangements["arrangement_id"] == "GEO2FRANCE", "end_date"] = pd.Timestamp("2022-03-31")
    elif rule_id == "services_hors_dispositifs":
        # PREF-59 takes part in no arrangement.
        if not fire:
            t.services = t.services[t.services["service_id"] != "PREF-59"]
    elif rule_id == "ecart_ouverture_par_defaut":
        # C04 C05 C08 C11 are publishable.
        if not fire:
            t.categories.loc[t.categories["diffusion"] == D.publishable, "diffusion"] = D.published
            t.categories["licence"] = model.LICENCE.lo2
    elif rule_id == "geo_hors_plateforme_regionale":
        # C04 (publishable), C07 (GéoIDE), C12 (data.gouv.fr) are geographic, not on Géo2France.
        if not fire:
            for sid, row in (("DREAL-HDF", 6), ("DDTM-62", 4), ("ARS-HDF", 3)):
                _cat(t, sid, row, platform=model.PLATFORM.geo2france)
            _cat(t, "DREAL-HDF", 6, diffusion=D.published)
    elif rule_id == "publiees_sans_licence_ouverte":
        # Every published category is under Licence Ouverte.
        if fire:
            _cat(t, "ARS-HDF", 3, licence=None)
    elif rule_id == "outils_externes_sans_donnees_publiees":
        # GéoIDE (DDTM 62) and ArcGIS Pro (ARS) are external; both services publish.
        if fire:
            _cat(t, "ARS-HDF", 3, diffusion=D.publishable)
    elif rule_id == "ecart_ouverture_en_hausse":
        # Previously ARS had published C11: its gap grew from 0 to 1.
        prev = tiny_tables()
        if fire:
            _cat(prev, "ARS-HDF", 2, diffusion=D.published)
    else:
        raise KeyError(rule_id)
    return t, prev, ed


RULE_IDS = [r["id"] for r in reco.load_rules(RULES)["rules"]]


def test_the_shipped_rules_file_has_at_least_15_rules_all_tested():
    assert len(RULE_IDS) >= 15
    for rid in RULE_IDS:  # every rule has its pair of cases
        case(rid, True)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_fires_on_its_table(rule_id):
    t, prev, ed = case(rule_id, True)
    assert rule_id in fired(t, prev, ed)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_does_not_fire_on_its_counter_example(rule_id):
    t, prev, ed = case(rule_id, False)
    assert rule_id not in fired(t, prev, ed)


# --- what a finding says ----------------------------------------------------------------------


def _finding(rule_id: str, tables=None, previous=None):
    run = reco.evaluate_rules(edition(), tables or tiny_tables(), previous)
    return next(f for f in run.findings if f.rule_id == rule_id)


def test_open_gap_finding_cites_services_and_rows():
    f = _finding("ecart_ouverture_par_defaut")
    # C04 C05 (DREAL), C08 (DDTM 62), C11 (ARS): 4 of 12 categories.
    assert f.text == "4 catégories publiables non publiées (33 % de l'inventaire) : DREAL 2, ARS 1, DDTM 62 1."
    assert f.count == 4
    assert f.services == ["ARS-HDF", "DDTM-62", "DREAL-HDF"]
    assert sorted(f.evidence["row_id"]) == ["ARS.xlsx:Données:2", "DDTM62.xlsx:Données:5",
                                            "DREAL.xlsx:Données:6", "DREAL.xlsx:Données:7"]
    assert f.axis == "valorisation" and f.axis_label == "Valorisation des données"
    assert f.owner == "service" and f.horizon == "court terme (< 6 mois)"
    # impact: 4 < 5 (first breakpoint) -> 1; ease 4 -> priority 4
    assert (f.impact, f.ease, f.priority, f.priority_label) == (1, 4, 4, "basse")


def test_singular_agreement_in_texts():
    f = _finding("restriction_sans_fondement")
    assert f.text.startswith("1 catégorie restreinte ou non communicable n'indique aucun fondement")
    assert f.text.endswith(": DDTM 62 1.")


def test_pooled_purchase_names_the_data_the_cost_and_the_services():
    f = _finding("achats_mutualisables")
    assert "2 achats, 20\u202f000 € par an" in f.text
    assert "Orthophotographie — IGN (2 services)" in f.text
    assert f.services == ["DDTM-62", "DREAL-HDF"]


def test_tools_finding_counts_the_licences():
    f = _finding("licences_outils_multiples")
    assert "(3 licences, 9\u202f500 € par an) : ArcGIS (3 services)" in f.text


def test_non_respondents_finding_uses_the_share_for_impact():
    f = _finding("services_non_repondants")
    # 2 of 6: share 0.33 reaches 0.1, 0.2 and 0.3 -> impact 4; ease 4
    assert f.text == ("2 services de la liste de référence n'ont pas répondu (33 % des services sollicités) : "
                      "DDPP 80 et DRAAF.")
    assert (f.impact, f.priority, f.priority_label) == (4, 16, "haute")
    assert f.owner == "niveau régional"


def test_arrangement_findings_cite_arrangements():
    f = _finding("etat_absent_des_instances")
    assert f.evidence["arrangement_id"].unique().tolist() == ["OR2S"]
    assert f.services == ["ARS-HDF"]
    assert f.text.endswith(": Observatoire régional de la santé et du social (OR2S).")


def test_low_maturity_finding_lists_the_weak_dimension():
    f = _finding("maturite_faible")
    assert "Ouverture et diffusion (niveau moyen 1,5)" in f.text
    assert f.count == 2 and f.services == ["DDTM-62", "DREAL-HDF"]


# --- public edition ---------------------------------------------------------------------------


def test_public_tables_cannot_say_who_has_no_referent():
    run = reco.evaluate_rules(edition(), tiny_public_tables())
    status = run.status.set_index("Règle")
    assert status.loc["services_sans_referent", "Statut"] == "non évaluable"
    assert "services_sans_referent" not in {f.rule_id for f in run.findings}


def test_public_findings_never_show_a_protected_title():
    internal = tiny_tables()
    protected = internal.categories.loc[internal.categories["diffusion"].isin(
        [D.restricted, D.not_communicable]), "title"].tolist()
    findings = reco.evaluate(edition(), tiny_public_tables())
    shown = " ".join(f.text + f.recommendation + " ".join(f.service_names) for f in findings)
    shown += reco.findings_html(findings) + reco.recommendations_table(findings).to_csv()
    for title in protected:
        assert title not in shown


# --- priority, ordering, templates ------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (4, 1), (5, 2), (12, 2), (15, 3), (59, 4), (60, 5), (900, 5)])
def test_impact_from_breakpoints(value, expected):
    assert reco.impact_from({"from": "count", "breakpoints": [5, 15, 30, 60]}, {"count": value}) == expected


def test_fixed_impact_and_missing_indicator():
    assert reco.impact_from(3, {}) == 3
    assert reco.impact_from({"from": "share", "breakpoints": [0.1, 0.2, 0.3, 0.4]}, {}) == 1


def test_condition_thresholds():
    assert reco.condition_met({"min_count": 2}, {"count": 2})
    assert not reco.condition_met({"min_count": 3}, {"count": 2})
    assert not reco.condition_met({"min_share": 0.6, "max_count": 5}, {"share": 0.7, "count": 6})
    assert not reco.condition_met({"min_share": 0.6}, {"count": 6})


def _f(rule_id, axis, impact, ease, source=reco.SOURCE_RULE):
    return reco.Finding(rule_id=rule_id, axis=axis, axis_label=reco.AXIS.label_of(axis), title=rule_id,
                        text="t", priority=impact * ease, impact=impact, ease=ease, owner="service",
                        horizon="long terme", evidence=rules.evidence_frame(pd.DataFrame()), services=[],
                        source=source, count=1)


def test_findings_grouped_by_axis_then_priority():
    fs = [_f("v1", "valorisation", 5, 5), _f("p1", "politique_integree", 2, 2), _f("s1", "synergie", 3, 3),
          _f("p2", "politique_integree", 4, 2), _f("p3", "politique_integree", 2, 4)]
    # p2 and p3 both 8: impact breaks the tie (4 > 2)
    assert [f.rule_id for f in reco.sort_findings(fs)] == ["p2", "p3", "p1", "s1", "v1"]
    assert [f.rule_id for f in reco.top(fs, 2)] == ["v1", "s1"]
    table = reco.recommendations_table(fs)
    assert table["Règle"].tolist() == ["p2", "p3", "p1", "s1", "v1"]
    assert table["Priorité"].tolist() == [8, 8, 4, 9, 25]


def test_priority_bands_from_the_rules_file():
    formula = reco.priority_formula(RULES)
    assert formula["formula"] == "priorité = impact × facilité"
    assert [reco.priority_label(p, formula["bands"]) for p in (25, 15, 14, 8, 7, 1)] == [
        "haute", "haute", "moyenne", "moyenne", "basse", "basse"]


def test_template_plural_and_safety():
    assert reco.fill_template("[[n: catégorie | catégories]] : {x}", {"n": 1, "x": "a"}) == "1 catégorie : a"
    assert reco.fill_template("[[n: catégorie | catégories]]", {"n": 12.0}) == "12 catégories"
    with pytest.raises(reco.RulesError, match="inconnue"):
        reco.fill_template("{absent}", {"n": 1})
    with pytest.raises(reco.RulesError, match="invalide"):
        reco.fill_template("{n.__class__}", {"n": 1})


def test_breakdown_names_services_by_acronym_largest_first():
    ev = pd.DataFrame({"service_id": ["B", "A", "B", "C", "B", "A"]})
    assert reco.breakdown(ev, {"A": "DDTM 59", "B": "DREAL", "C": "DDT 60"}) == "DREAL 3, DDTM 59 2, DDT 60 1"
    assert reco.breakdown(ev, {}, top=1) == "B 3, 2 autres (3)"


def test_declarative_filters_reject_unknown_codes_in_french():
    with pytest.raises(rules.RuleError, match="inconnue pour la colonne « diffusion »"):
        rules.filter_rows(tiny_tables().categories, "categories", {"diffusion": ["secret"]})


def test_rules_file_errors_are_listed_in_french(tmp_path):
    bad = tmp_path / "regles.yaml"
    bad.write_text(
        "rules:\n"
        "  - id: r1\n    axis: autre\n    title: T\n    detector: inexistant\n    text: x\n"
        "    recommendation: y\n    owner: service\n    horizon: short\n    impact: 9\n    ease: 2\n",
        encoding="utf-8")
    with pytest.raises(reco.RulesError) as err:
        reco.load_rules(bad)
    msg = str(err.value)
    assert "« axis »" in msg and "détecteur « inexistant » inconnu" in msg and "« impact »" in msg


# --- analysts' recommendations ----------------------------------------------------------------


def test_analysts_recommendations_are_shown_beside_the_rules(tmp_path):
    path = tmp_path / "reco.yaml"
    path.write_text(
        "recommendations:\n"
        "  - id: a1\n    axis: synergie\n    title: Mutualiser\n    text: Constat des analystes.\n"
        "    recommendation: Faire ensemble.\n    owner: niveau régional\n    horizon: medium\n"
        "    impact: 5\n    ease: 5\n    services: [DREAL-HDF]\n",
        encoding="utf-8")
    findings = reco.evaluate(edition(recommendations=path), tiny_tables())
    mine = [f for f in findings if f.source == reco.SOURCE_ANALYST]
    assert len(mine) == 1
    a = mine[0]
    assert (a.priority, a.owner, a.horizon, a.service_names) == (25, "niveau régional", "moyen terme (6-18 mois)", ["DREAL"])
    # grouped with its axis, first of it (25 is the highest priority)
    syn = [f.rule_id for f in findings if f.axis == "synergie"]
    assert syn[0] == "a1"
    table = reco.recommendations_table(findings)
    assert table.loc[table["Règle"] == "a1", "Origine"].item() == "Recommandation des analystes"
    assert "Recommandation des analystes" in reco.findings_html(findings, axis="synergie")


def test_malformed_analysts_file_gives_a_french_error(tmp_path):
    path = tmp_path / "reco.yaml"
    path.write_text(
        "recommendations:\n"
        "  - id: a1\n    axis: synergie\n    text: Sans titre.\n    recommendation: R.\n"
        "    owner: préfet\n    horizon: short\n    impact: 7\n    ease: 2\n",
        encoding="utf-8")
    with pytest.raises(reco.RulesError) as err:
        reco.load_analyst_recommendations(path)
    msg = str(err.value)
    assert msg.startswith("Fichier de recommandations reco.yaml invalide")
    assert "« title » obligatoire" in msg and "« porteur » invalide" in msg and "« impact »" in msg


def test_analysts_file_without_a_list_is_rejected(tmp_path):
    path = tmp_path / "reco.yaml"
    path.write_text("- juste une liste\n", encoding="utf-8")
    with pytest.raises(reco.RulesError, match="une liste « recommendations » est attendue"):
        reco.load_analyst_recommendations(path)


def test_shipped_analysts_file_loads():
    found = reco.load_analyst_recommendations(paths.CONFIG_DIR / "recommandations-analystes-2021.yaml")
    assert len(found) >= 3 and all(f.source == reco.SOURCE_ANALYST for f in found)


# --- comparison with the previous edition -----------------------------------------------------


def test_compare_findings_statuses():
    prev = [_f("a", "valorisation", 2, 2), _f("b", "synergie", 3, 3)]
    cur = [_f("a", "valorisation", 3, 2), _f("c", "politique_integree", 1, 1)]
    cmp = reco.compare_findings(cur, prev).set_index("Règle")
    assert cmp.loc["a", "Statut"] == "persistant"
    assert cmp.loc["b", "Statut"] == "résolu"
    assert cmp.loc["c", "Statut"] == "nouveau"
    assert (cmp.loc["a", "Priorité précédente"], cmp.loc["a", "Priorité actuelle"]) == (4, 6)
    assert pd.isna(cmp.loc["b", "Nombre actuel"])
    # ordered by axis: politique_integree (c), synergie (b), valorisation (a)
    assert list(cmp.index) == ["c", "b", "a"]


def test_compare_indicators_region_and_services():
    now = tiny_tables()
    prev = tiny_tables()
    # Previously ARS had published C11 (so the gap grew by 1) and DREAL's opening level was 1.
    _cat(prev, "ARS-HDF", 2, diffusion=D.published)
    prev.maturity.loc[(prev.maturity["service_id"] == "DREAL-HDF")
                      & (prev.maturity["dimension"] == model.MATURITY_DIMENSION.opening), "level"] = (
        model.MATURITY_LEVEL.label_of("1"))
    cmp = reco.compare_indicators(edition(year=2021), now, edition(year=2019), prev)
    assert cmp.attrs["years"] == (2019, 2021)
    region = cmp[cmp["service_id"].isna()].set_index("indicator")
    assert (region.loc["open_gap", "Précédent"], region.loc["open_gap", "Actuel"], region.loc["open_gap", "Évolution"]) == (3, 4, 1)
    # published: 5/12 before, 4/12 now
    assert region.loc["share_published", "Précédent"] == pytest.approx(5 / 12)
    assert region.loc["share_published", "Évolution"] == pytest.approx(-1 / 12)
    assert region.loc["pooled_purchases", "Actuel"] == 2
    # opening: mean (1 + 1) / 2 before, (2 + 1) / 2 now
    assert region.loc["maturity:opening", "Précédent"] == pytest.approx(1.0)
    assert region.loc["maturity:opening", "Actuel"] == pytest.approx(1.5)
    ars = cmp[cmp["service_id"] == "ARS-HDF"].set_index("indicator")
    assert (ars.loc["open_gap", "Précédent"], ars.loc["open_gap", "Actuel"]) == (0, 1)
    assert ars["Périmètre"].iloc[0] == "ARS"
    display = reco.indicators_display(cmp, region=True, indicators=["open_gap", "share_published"])
    assert list(display.columns) == ["Indicateur", "2019", "2021", "Évolution"]
    assert display["Évolution"].tolist() == ["+1", "-8 pts"]


def test_evolution_figure_pairs_bars_per_service():
    cmp = reco.compare_indicators(edition(year=2021), tiny_tables(), edition(year=2019), tiny_tables())
    fig = reco.evolution_figure(cmp, "open_gap")
    # 4 responding services, two bars each
    assert len(fig.axes[0].patches) == 8
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["2019", "2021"]


def test_findings_html_escapes_values():
    f = _f("x", "synergie", 1, 1)
    f.text = "<script>alert(1)</script>"
    html = reco.findings_html([f])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_tools_rule_leaves_out_spreadsheets_and_generic_names():
    t = tiny_tables()
    extra = t.tools.iloc[[4, 4, 4]].copy()  # Excel, proprietary
    extra["service_id"] = ["DREAL-HDF", "DDTM-62", "ARS-HDF"]
    extra["row_id"] = ["x:1", "x:2", "x:3"]
    site = extra.copy()
    site["name"] = "Site internet du service"
    site["tool_type"] = model.TOOL_TYPE.opendata_portal
    site["row_id"] = ["y:1", "y:2", "y:3"]
    t.tools = pd.concat([t.tools, extra, site], ignore_index=True)
    f = _finding("licences_outils_multiples", t)
    assert f.text.endswith(": ArcGIS (3 services).")
    assert not f.evidence["row_id"].str.startswith(("x:", "y:")).any()


def test_open_gap_increase_says_by_how_much_per_service():
    prev = tiny_tables()
    _cat(prev, "ARS-HDF", 2, diffusion=D.published)
    f = _finding("ecart_ouverture_en_hausse", tiny_tables(), prev)
    assert f.text == ("Dans 1 service, le nombre de catégories publiables non publiées a augmenté depuis "
                      "l'édition précédente (1 de plus au total) : ARS 0 → 1.")


def test_small_shares_keep_a_decimal():
    # 1 / 560 = 0,18 %: one decimal instead of « 0 % »
    assert rules.share_text(1 / 560).replace("\u00a0", " ").replace("\u202f", " ") == "0,2 %"
    assert rules.share_text(0.33).replace("\u00a0", " ").replace("\u202f", " ") == "33 %"


def test_status_summary_reads_well_with_zero_and_one():
    assert reco.status_summary({"résolu": 0, "persistant": 16, "nouveau": 1}) == (
        "aucun constat n'est résolu, 16 constats persistent et 1 constat est nouveau")


class _Recorder:
    """Records what a chapter would show."""

    def __init__(self, tables):
        self.edition = edition(year=2021)
        self.tables = tables
        self.public = False
        self.shown: list[tuple[str, str]] = []

    def text(self, template, **values):
        self.shown.append(("text", reco.fill_template(template, values) if "[[" in template else template.format(**values)))

    def note(self, text):
        self.shown.append(("note", text))

    def table(self, df, title, **kw):
        self.shown.append(("table", title))

    def figure(self, fig, title, **kw):
        self.shown.append(("figure", title))


def test_comparison_section_says_when_previous_tables_are_missing():
    ch = _Recorder(tiny_tables())
    prev = edition(year=2019, path=paths.CONFIG_DIR / "hauts-de-france-2019.yaml")
    reco.show_comparison(ch, [], prev, None)
    assert ch.shown == [("note", "Les tables traitées de l'édition 2019 sont absentes : lancez "
                                 "« python -m analysis ingest --edition hauts-de-france-2019.yaml » pour afficher la comparaison.")]


def test_comparison_section_shows_indicators_and_statuses():
    now, prev = tiny_tables(), tiny_tables()
    _cat(prev, "ARS-HDF", 2, diffusion=D.published)
    ch = _Recorder(now)
    findings = reco.evaluate(ch.edition, now, prev)
    reco.show_comparison(ch, findings, edition(year=2019), prev)
    kinds = [k for k, _ in ch.shown]
    assert kinds.count("figure") == 2 and kinds.count("table") == 3
    texts = [v for k, v in ch.shown if k == "text"]
    assert "l'écart à l'ouverture par défaut passe de 3 à 4" in texts[0]
    # the open-gap increase rule could not be evaluated on 2019 (no edition before it)
    assert ("note", "Non comparées, car non évaluables sur l'édition 2019 : "
                    "Écart à l'ouverture en hausse depuis l'édition précédente.") in ch.shown


def test_analysts_recommendations_are_not_compared_between_editions():
    prev = [_f("a", "valorisation", 2, 2)]
    cur = [_f("a", "valorisation", 2, 2), _f("x", "synergie", 3, 3, source=reco.SOURCE_ANALYST)]
    cmp = reco.compare_findings(cur, prev)
    assert list(cmp["Règle"]) == ["a"]
