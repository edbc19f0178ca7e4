"""Tests of analysis.partnerships on a hand-written arrangements table (expected values by hand)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from analysis import model, partnerships

NAMES = {"GEO": "Géo2France", "ORB": "Observatoire régional de la biodiversité", "CONV": "Convention DREAL–Région"}

REF_ARRANGEMENTS = pd.DataFrame({
    "id": ["GEO", "ORB", "CONV", "ATMO"],
    "name": [NAMES["GEO"], NAMES["ORB"], NAMES["CONV"], "Atmo Hauts-de-France"],
    "kind": [model.ARRANGEMENT_KIND.platform, model.ARRANGEMENT_KIND.observatory, model.ARRANGEMENT_KIND.bilateral,
             model.ARRANGEMENT_KIND.association],
    "variants": [None, None, None, None],
    "lead": ["Région et SGAR", "DREAL", "DREAL", "Atmo"],
    "description": [None, None, None, None],
})

REF_SERVICES = pd.DataFrame({
    "id": ["S1", "S2", "S3"],
    "acronym": ["DREAL", "DDTM 59", "OFB"],
    "name": ["Direction régionale", "Direction départementale", "Office"],
    "ministry": ["TE", "TE", "TE"],
    "type": [model.SERVICE_TYPE.regional, model.SERVICE_TYPE.departmental, "operator"],
    "departement": [None, "59", None],
    "variants": [None, None, None],
})

R, P = model.PARTNER, model.PRODUCTION


def _row(service, key, **values):
    row = {name: None for name in model.ARRANGEMENTS.field_names}
    row.update({
        "service_id": service, "source_file": f"{service}.xlsx", "source_sheet": "Dispositifs", "source_row": 2,
        "row_id": f"{service}-{key}", "arrangement": NAMES.get(key, key), "arrangement_id": key if key in NAMES else None,
        "arrangement_name": NAMES.get(key), "arrangement_match_method": "exact", "arrangement_match_score": 100.0,
    })
    row.update(values)
    return row


def _arrangements(extra=()):
    rows = [
        _row("S1", "GEO", kind=model.ARRANGEMENT_KIND.platform, partners=f"{R.region}; {R.departements}",
             role=model.ROLE.lead, total_budget=100_000.0, state_credits=40_000.0, own_contribution=10_000.0,
             governance_frame=model.GOVERNANCE_FRAME.convention, governance_bodies=model.GOVERNANCE_BODY.steering,
             state_in_bodies=True, fte=1.0, audiences=model.AUDIENCE.local_authorities,
             productions=f"{P.portal}; {P.datasets}", start_date="2018-01-01", end_date="2021-12-31"),
        _row("S2", "GEO", partners=f"{R.region}; {R.epci}", role=model.ROLE.contributor, total_budget=120_000.0,
             state_credits=40_000.0, own_contribution=5_000.0, governance_frame=model.GOVERNANCE_FRAME.convention,
             governance_bodies=model.GOVERNANCE_BODY.technical, state_in_bodies=False, fte=0.5,
             audiences=model.AUDIENCE.public, productions=P.datasets, start_date="2019-01-01", end_date="2022-06-30"),
        _row("S3", "GEO", partners=R.region, role=model.ROLE.user, total_budget=100_000.0, state_credits=50_000.0,
             governance_frame=model.GOVERNANCE_FRAME.charter, productions=P.atlases),
        _row("S2", "ORB", kind=model.ARRANGEMENT_KIND.observatory, partners=f"{R.region}; {R.associations}",
             role=model.ROLE.colead, total_budget=50_000.0, state_credits=20_000.0, own_contribution=2_000.0,
             governance_frame=model.GOVERNANCE_FRAME.none, governance_bodies=model.GOVERNANCE_BODY.steering,
             state_in_bodies=False, fte=0.2, audiences=model.AUDIENCE.public, productions=f"{P.datasets}; {P.dashboards}",
             start_date="2020-01-01", end_date="2023-01-01"),
        _row("S3", "ORB", partners=R.associations, role=model.ROLE.contributor, total_budget=52_000.0,
             state_credits=20_000.0, governance_frame=model.GOVERNANCE_FRAME.none, state_in_bodies=False, fte=0.3,
             productions=P.dashboards, end_date="2022-03-31"),
        _row("S1", "CONV", kind=model.ARRANGEMENT_KIND.bilateral, partners=R.universities, role=model.ROLE.lead,
             total_budget=10_000.0, state_credits=10_000.0, own_contribution=10_000.0,
             governance_frame=model.GOVERNANCE_FRAME.convention, governance_bodies=model.GOVERNANCE_BODY.technical,
             state_in_bodies=True, fte=0.1, audiences=model.AUDIENCE.research, productions=P.publications,
             start_date="2021-01-01", end_date="2024-12-31"),
        *extra,
    ]
    df = pd.DataFrame(rows)
    for col in ("total_budget", "state_credits", "own_contribution", "fte"):
        df[col] = df[col].astype("float64")
    df["state_in_bodies"] = df["state_in_bodies"].astype("boolean")
    for col in ("start_date", "end_date"):
        df[col] = pd.to_datetime(df[col])
    return df


@pytest.fixture
def summary():
    return partnerships.arrangement_summary(_arrangements(), REF_ARRANGEMENTS, REF_SERVICES)


def test_summary_one_row_per_arrangement_sorted_by_participants(summary):
    assert list(summary["key"]) == ["GEO", "ORB", "CONV"]
    assert list(summary["n_services"]) == [3, 2, 1]
    assert list(summary["name"]) == [NAMES["GEO"], NAMES["ORB"], NAMES["CONV"]]


def test_summary_budget_median_and_discrepancy_flag(summary):
    geo, orb, conv = (summary.iloc[i] for i in range(3))
    # Géo2France: 100 000, 120 000, 100 000 -> median 100 000; spread 20 000 > 10 % of 100 000.
    assert geo["total_budget"] == 100_000
    assert geo["budget_discrepancy"]
    assert (geo["budget_min"], geo["budget_max"], geo["budget_reports"]) == (100_000, 120_000, 3)
    # ORB: 50 000 and 52 000 -> median 51 000; spread 2 000 <= 5 100: not flagged.
    assert orb["total_budget"] == 51_000
    assert not orb["budget_discrepancy"]
    # a single report is never discrepant
    assert not conv["budget_discrepancy"]
    # State credits: median of 40 000, 40 000, 50 000.
    assert geo["state_credits"] == 40_000
    assert geo["state_share"] == pytest.approx(0.4)


def test_summary_sums_unions_and_modes(summary):
    geo, orb = summary.iloc[0], summary.iloc[1]
    assert geo["own_contribution"] == 15_000
    assert geo["fte"] == pytest.approx(1.5)
    assert orb["own_contribution"] == 2_000
    assert orb["fte"] == pytest.approx(0.5)
    assert geo["partners"] == f"{R.region}; {R.departements}; {R.epci}"
    assert geo["n_partners"] == 3
    assert geo["productions"] == f"{P.portal}; {P.datasets}; {P.atlases}"
    assert geo["audiences"] == f"{model.AUDIENCE.local_authorities}; {model.AUDIENCE.public}"
    assert geo["governance_frame"] == model.GOVERNANCE_FRAME.convention  # 2 conventions, 1 charter
    assert geo["governance_bodies"] == f"{model.GOVERNANCE_BODY.steering}; {model.GOVERNANCE_BODY.technical}"
    assert bool(geo["state_in_bodies"]) is True  # one "yes" is enough
    assert bool(orb["state_in_bodies"]) is False
    assert geo["kind"] == model.ARRANGEMENT_KIND.platform


def test_summary_leads_acronyms_and_dates(summary):
    geo, orb = summary.iloc[0], summary.iloc[1]
    assert geo["lead_services"] == "DREAL"
    assert orb["lead_services"] == "DDTM 59"  # co-pilote counts as lead
    assert geo["services"] == "DDTM 59; DREAL; OFB"
    assert geo["reference_lead"] == "Région et SGAR"
    assert geo["start_date"] == pd.Timestamp("2018-01-01")
    assert geo["end_date"] == pd.Timestamp("2022-06-30")
    assert orb["end_date"] == pd.Timestamp("2023-01-01")


def test_summary_keeps_unmatched_arrangement_under_its_raw_name():
    extra = [_row("S3", "Club SIG local", role=model.ROLE.user)]
    summary = partnerships.arrangement_summary(_arrangements(extra), REF_ARRANGEMENTS, REF_SERVICES)
    club = summary.loc[summary["name"] == "Club SIG local"].iloc[0]
    assert club["arrangement_id"] is None
    assert club["key"] == "?Club SIG local"
    assert math.isnan(club["total_budget"])
    assert not club["budget_discrepancy"]
    assert pd.isna(club["state_in_bodies"])


def test_summary_missing_column_raises():
    with pytest.raises(KeyError, match="partners"):
        partnerships.arrangement_summary(_arrangements().drop(columns="partners"), REF_ARRANGEMENTS)


def test_unreported_arrangements():
    out = partnerships.unreported_arrangements(_arrangements(), REF_ARRANGEMENTS)
    assert list(out["id"]) == ["ATMO"]


def test_totals(summary):
    totals = partnerships.partnership_totals(summary, _arrangements())
    assert totals["arrangements"] == 3
    assert totals["participations"] == 6
    assert totals["services"] == 3
    assert totals["total_budget"] == 161_000  # 100 000 + 51 000 + 10 000
    assert totals["state_credits"] == 70_000  # 40 000 + 20 000 + 10 000
    assert totals["discrepancies"] == 1


def test_overlaps_jaccard_by_hand():
    pairs = partnerships.overlaps(_arrangements(), REF_SERVICES)
    # GEO = {Région, Départements, EPCI, Portail, Jeux, Atlas, S1, S2, S3} (9 items)
    # ORB = {Région, Associations, Jeux, Tableaux, S2, S3} (6 items); shared 4, union 11.
    # CONV = {Universités, Publications, S1} (3 items): shares S1 with GEO (union 11), nothing with ORB.
    assert len(pairs) == 2
    first, second = pairs.iloc[0], pairs.iloc[1]
    assert (first["name_a"], first["name_b"]) == (NAMES["GEO"], NAMES["ORB"])
    assert first["jaccard"] == pytest.approx(4 / 11)
    assert first["n_shared"] == 4
    assert first["shared_partners"] == R.region
    assert first["shared_productions"] == P.datasets
    assert first["shared_services"] == "DDTM 59; OFB"
    assert (second["name_a"], second["name_b"]) == (NAMES["CONV"], NAMES["GEO"])
    assert second["jaccard"] == pytest.approx(1 / 11)
    assert second["shared_partners"] is None
    assert partnerships.overlaps(_arrangements(), min_jaccard=0.2)["jaccard"].tolist() == [pytest.approx(4 / 11)]


def test_state_money_shares(summary):
    money = partnerships.state_money(summary)
    assert list(money["name"]) == [NAMES["GEO"], NAMES["ORB"], NAMES["CONV"]]
    assert money["share"].tolist() == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert money["cumulative_share"].tolist() == pytest.approx([4 / 7, 6 / 7, 1.0])
    assert partnerships.top_share(money, 2) == pytest.approx(6 / 7)


def test_concentration_top3_excludes_arrangements_without_credits():
    summary = pd.DataFrame({
        "name": list("ABCDEFG"),
        "state_credits": [5.0, 50.0, 10.0, 30.0, 5.0, 0.0, float("nan")],
        "total_budget": [10.0] * 7,
    })
    money = partnerships.state_money(summary)
    assert list(money["name"]) == ["B", "D", "C", "A", "E"]  # ties broken by name
    assert list(money["rank"]) == [1, 2, 3, 4, 5]
    assert partnerships.top_share(money, 3) == pytest.approx(0.9)  # (50 + 30 + 10) / 100
    assert partnerships.top_share(partnerships.state_money(summary.iloc[5:]), 3) is None


def test_ending_soon_with_reference_date(summary):
    ending = partnerships.ending_soon(summary, dt.date(2021, 9, 30), months=12)
    # GEO ends 30 June 2022 (273 days later); ORB (1 Jan 2023) and CONV (2024) are beyond the horizon.
    assert list(ending["name"]) == [NAMES["GEO"]]
    assert ending["days_left"].tolist() == [273]
    # the horizon is inclusive: 1 January 2023 is exactly 12 months after 1 January 2022
    assert list(partnerships.ending_soon(summary, dt.date(2022, 1, 1))["name"]) == [NAMES["GEO"], NAMES["ORB"]]
    # agreements already over are not "ending soon" but "expired"
    assert partnerships.ending_soon(summary, dt.date(2023, 6, 1)).empty
    assert list(partnerships.expired(summary, dt.date(2023, 6, 1))["name"]) == [NAMES["GEO"], NAMES["ORB"]]


def test_governance_gaps(summary):
    gov = partnerships.governance_table(summary)
    assert gov["no_formal_frame"].tolist() == [False, True, False]
    assert gov["no_state_in_bodies"].tolist() == [False, True, False]
    gaps = partnerships.governance_gaps(summary)
    assert list(gaps["name"]) == [NAMES["ORB"]]
    assert gaps["gap"].iloc[0] == "sans cadre formel, État absent des instances"


def test_presence_matrix_has_every_production(summary):
    matrix = partnerships.presence_matrix(summary, "productions")
    assert list(matrix.columns) == model.PRODUCTION.labels
    assert matrix.loc[NAMES["ORB"]].tolist() == [False, True, False, True, False, False]


def test_network_graph_tripartite():
    graph = partnerships.network_graph(_arrangements(), REF_SERVICES, REF_ARRANGEMENTS)
    layers = pd.Series(dict(graph.nodes(data="layer"))).value_counts().to_dict()
    assert layers == {"service": 3, "arrangement": 3, "partner": 5}
    assert graph.number_of_edges() == 6 + 6
    assert graph.edges["S:S1", "A:GEO"]["role"] == model.ROLE.lead
    assert graph.edges["A:GEO", f"P:{R.region}"]["weight"] == 3
    assert graph.edges["A:ORB", f"P:{R.associations}"]["weight"] == 2
    assert graph.nodes["S:S2"]["label"] == "DDTM 59"
    assert graph.nodes["S:S3"]["group"] == model.SERVICE_TYPE.operator  # code in the reference -> label
    assert graph.nodes["A:GEO"]["n_services"] == 3
    assert graph.nodes[f"P:{R.region}"]["n_arrangements"] == 2


def test_french_tables(summary):
    table = partnerships.summary_table(summary)
    assert table["Budget total"].iloc[0].endswith("*")
    assert table["Pilote(s)"].tolist() == ["DREAL", "DDTM 59", "DREAL"]
    details = partnerships.details_table(summary, max_services=2)
    assert details["Budgets déclarés"].iloc[0].startswith("100 k€ à 120 k€ (3 déclarations)")
    assert details["Services participants"].tolist()[:2] == ["3 services dont DDTM 59, DREAL…", "DDTM 59, OFB"]
    assert details["Gouvernance"].iloc[0] == (
        "Convention (1 janvier 2018 → 30 juin 2022) ; Comité de pilotage, Comité technique ; État : présent")


def test_narrative_sentences(summary):
    story = partnerships.narrative(summary, _arrangements(), dt.date(2021, 9, 30), reference_services=REF_SERVICES)
    assert story["overview"].values == {"participations": "6 participations", "services": "3 services répondants",
                                        "arrangements": "3 dispositifs partenariaux"}
    assert story["most_shared"].values["name"] == NAMES["GEO"]
    assert story["most_shared"].values["single"] == "1 dispositif"  # the convention
    assert story["discrepancies"].values["n"] == "1 dispositif"
    assert story["ending"].values["name"] == NAMES["GEO"]  # the only one within 12 months
    assert story["ending"].values["gone"].startswith("0 ")
    assert story["governance"].values["no_frame"].startswith("1 ")
    assert story["overlaps"].values["a"] == NAMES["GEO"]
    assert story["kinds"].values["detail"] == "plateforme de données (1), observatoire (1) et convention bilatérale (1)"


def test_narrative_on_empty_tables_has_no_figures_to_invent():
    empty = _arrangements().iloc[0:0]
    story = partnerships.narrative(partnerships.arrangement_summary(empty), empty, dt.date(2021, 9, 30))
    assert story["overlaps"].values == {}
    assert story["concentration"].values == {}
    assert story["ending"].values["n"].startswith("0 ")


def test_item_counts(summary):
    counts = partnerships.item_counts(summary, "productions")
    # Jeux de données: GEO and ORB (2); every other production once, in questionnaire order.
    assert counts.index[0] == P.datasets and counts.iloc[0] == 2
    assert list(counts.index[1:]) == [P.portal, P.atlases, P.dashboards, P.publications]


def test_tables_fall_back_on_the_reference_lead(summary):
    no_lead = summary.assign(lead_services=None)
    ending = partnerships.ending_table(partnerships.ending_soon(no_lead, dt.date(2021, 9, 30)))
    assert ending["Pilote(s)"].tolist() == ["Région et SGAR (référentiel)"]
    assert ending["Jours restants"].tolist() == [273]
    gaps = partnerships.gaps_table(partnerships.governance_gaps(no_lead))
    assert gaps["Pilote(s)"].tolist() == ["DREAL (référentiel)"]
