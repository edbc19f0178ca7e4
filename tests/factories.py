"""Tiny, hand-written processed tables shared by the indicator, figure and chapter tests.

Fake, static and readable (Duck Book): every value is written by hand below, so that a test can
work its expected figures out with pencil and paper. The tables have the columns of the processed
tables contract (``analysis.model`` fields + provenance columns, see ``analysis.tables``).

Content at a glance (worked-out figures that tests rely on):

- reference list: 6 services (DREAL-HDF, DRAAF-HDF, DDTM-62, DDPP-80, PREF-59, ARS-HDF);
  4 respond (DREAL, DDTM 62, Préfecture 59, ARS) -> response rate 4/6; DRAAF and DDPP 80 do not.
- 12 categories: 5 DREAL (C01-C05), 3 DDTM 62 (C06-C08), 2 Préfecture 59 (C09-C10), 2 ARS (C11-C12).
  Diffusion: published C01 C07 C09 C12 (4); publishable C04 C05 C08 C11 (4);
  restricted C02 C06 (2); not communicable C03 C10 (2).
  Origin: produced 7 (C01 C05 C07 C08 C09 C10 C12), acquired 4 (C02 C03 C06 C11), coproduced 1 (C04).
  Legal ground: third-party IP C02; privacy C03 C10; none given C06.
  Personal data: C03 C08 C10 (3). Geographic: C01 C02 C03 C04 C06 C07 C12 (7).
  Acquisition costs: C02 12 000 €, C06 8 000 € (total 20 000 €); C02 (IGN) and C06 (I.G.N.)
  are the same orthophotography bought by two services (one pooling opportunity, 20 000 €).
- 6 tools: DREAL "QGIS 3.16" (free, 0 €) and "ArcGIS Desktop 10.8" (3 000 €); DDTM 62 "Arcgis"
  (2 500 €) and "GéoIDE" (free, 0 €); Préfecture 59 "Excel" (proprietary, cost unknown); ARS
  "ArcGIS Pro" (4 000 €). ArcGIS is licensed separately by 3 services for 9 500 €.
- 5 arrangement rows: Géo2France x3 (DREAL, DDTM 62, ARS), ORB (DREAL), OR2S (ARS); the reference
  list has 4 arrangements (Club géomatique: nobody takes part).
- 6 maturity rows; 4 rejects (4 rejected rows: 2 "Valeur hors liste…", 1 "Ligne en double", 1 "Dispositif
  absent…"); 4 corrections (2 amounts, 1 FTE, 1 synonym); 3 review rows (1 "non rapproché");
  accounting of 4 files: 39 raw rows = 33 cleaned + 4 rejected + 2 blank.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis import model
from analysis.tables import Tables

D = model.DIFFUSION
O = model.ORIGIN  # noqa: E741
T = model.THEME
LG = model.LEGAL_GROUND
TT = model.TOOL_TYPE
SL = model.SOFTWARE_LICENCE
U = model.USE
ST = model.SERVICE_TYPE

_DTYPES = {
    "money": "float64",
    "fte": "float64",
    "integer": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

# Service id -> (file name, acronym) of the four respondents.
FILES = {
    "DREAL-HDF": "DREAL.xlsx",
    "DDTM-62": "DDTM62.xlsx",
    "PREF-59": "PREF59.xlsx",
    "ARS-HDF": "ARS.xlsx",
}


def _section_frame(section: model.Section, rows: list[dict], extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Build a cleaned table with every column of ``section`` (missing values -> null)."""
    columns = [*section.field_names, *model.PROVENANCE_COLUMNS, *extra]
    df = pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=columns)
    for f in section.fields:
        dtype = _DTYPES.get(f.kind)
        if dtype:
            df[f.name] = df[f.name].astype(dtype)
        else:
            df[f.name] = df[f.name].astype(object).where(df[f.name].notna(), None)
    df["source_row"] = df["source_row"].astype("int64")
    return df


def _prov(service_id: str, sheet: str, row: int) -> dict:
    file = FILES[service_id]
    return {
        "service_id": service_id,
        "source_file": file,
        "source_sheet": sheet,
        "source_row": row,
        "row_id": f"{file}:{sheet}:{row}",
    }


def reference_services() -> pd.DataFrame:
    """Six services of the region: four respondents and two non-respondents."""
    rows = [
        ("DREAL-HDF", "DREAL", "Direction régionale de l'environnement, de l'aménagement et du logement",
         "Transition écologique", ST.regional, None, "DREAL Hauts-de-France|DREAL Nord-Pas-de-Calais|DIREN"),
        ("DRAAF-HDF", "DRAAF", "Direction régionale de l'alimentation, de l'agriculture et de la forêt",
         "Agriculture et alimentation", ST.regional, None, "DRAAF Hauts-de-France"),
        ("DDTM-62", "DDTM 62", "Direction départementale des territoires et de la mer du Pas-de-Calais",
         "Transition écologique", ST.departmental, "62", "DDTM62|DDTM Pas-de-Calais"),
        ("DDPP-80", "DDPP 80", "Direction départementale de la protection des populations de la Somme",
         "Agriculture et alimentation", ST.departmental, "80", "DDPP80|DDPP Somme"),
        ("PREF-59", "Préfecture 59", "Préfecture du Nord", "Intérieur", ST.prefecture, "59",
         "Préfecture Nord|Pref 59"),
        ("ARS-HDF", "ARS", "Agence régionale de santé Hauts-de-France", "Santé", ST.operator, None,
         "ARS Hauts-de-France"),
    ]
    return pd.DataFrame(rows, columns=["id", "acronym", "name", "ministry", "type", "departement", "variants"])


def reference_arrangements() -> pd.DataFrame:
    """Four arrangements; nobody reports the Club géomatique."""
    rows = [
        ("GEO2FRANCE", "Géo2France", model.ARRANGEMENT_KIND.platform, "Geo2France|Geo 2 France",
         "Région et SGAR", "Plateforme régionale de données géographiques."),
        ("ORB-HDF", "Observatoire régional de la biodiversité", model.ARRANGEMENT_KIND.observatory, "ORB",
         "DREAL et Région", "Observatoire de la biodiversité."),
        ("OR2S", "Observatoire régional de la santé et du social (OR2S)", model.ARRANGEMENT_KIND.observatory,
         "OR2S|ORS", "OR2S", "Observation sanitaire et sociale."),
        ("CLUB-GEOMATIQUE-ETAT", "Club géomatique de l'État", model.ARRANGEMENT_KIND.network, "Club géomatique",
         "DREAL", "Réseau des géomaticiens de l'État."),
    ]
    return pd.DataFrame(rows, columns=["id", "name", "kind", "variants", "lead", "description"])


def services() -> pd.DataFrame:
    """The four respondents' service sheets (data FTE: 2 + 0,5 + unknown + 1 = 3,5)."""
    ref = reference_services().set_index("id")
    answers = [
        ("DREAL-HDF", "DREAL Nord-Pas-de-Calais", "Anne Martin", "anne.martin@example.org", 2.0,
         dt.datetime(2021, 6, 1), "fuzzy", 90.0),
        ("DDTM-62", "DDTM62", "Paul Durand", None, 0.5, dt.datetime(2021, 6, 15), "exact", 100.0),
        ("PREF-59", "Préf. Nord", None, None, None, None, "fuzzy", 86.0),
        ("ARS-HDF", "ARS", "Lea Petit", "lea.petit@example.org", 1.0, dt.datetime(2021, 7, 2), "exact", 100.0),
    ]
    rows = []
    for sid, raw, name, email, fte, date, method, score in answers:
        r = ref.loc[sid]
        rows.append({
            "service": raw, "referent_name": name, "referent_email": email, "data_fte": fte,
            "answer_date": date, **_prov(sid, "Service", 2),
            "service_acronym": r["acronym"], "service_name": r["name"], "ministry": r["ministry"],
            "service_type": r["type"], "departement": r["departement"], "match_method": method,
            "match_score": score,
        })
    df = _section_frame(model.SERVICE, rows, model.SERVICE_REFERENCE_COLUMNS)
    df["match_score"] = df["match_score"].astype("float64")
    return df


def categories() -> pd.DataFrame:
    """Twelve categories covering every diffusion status, origin and legal-ground case."""
    rows = [
        # DREAL-HDF
        dict(title="Installations classées (ICPE)", description="Inventaire des ICPE", theme=T.risks,
             origin=O.produced, diffusion=D.published, personal_data=False, geographic=True,
             inspire_theme=model.INSPIRE_THEME.pf, formats="CSV; Flux WMS/WFS", frequency=model.FREQUENCY.monthly,
             coverage=model.COVERAGE.region, platform=model.PLATFORM.geo2france, url="https://www.geo2france.fr/icpe",
             licence=model.LICENCE.lo2, tools="QGIS; GéoIDE", **_prov("DREAL-HDF", "Données", 3)),
        dict(title="Orthophotographie régionale", theme=T.territory, origin=O.acquired, supplier="IGN",
             acquisition_mode=model.ACQUISITION_MODE.paid_licence, annual_cost=12000.0, diffusion=D.restricted,
             legal_ground=LG.third_party_ip, personal_data=False, geographic=True,
             inspire_theme=model.INSPIRE_THEME.oi, frequency=model.FREQUENCY.pluriannual,
             coverage=model.COVERAGE.region, tools="ArcGIS", **_prov("DREAL-HDF", "Données", 4)),
        dict(title="Fichiers fonciers (MAJIC)", theme=T.urbanism, origin=O.acquired, supplier="DGFiP",
             acquisition_mode=model.ACQUISITION_MODE.regulatory, diffusion=D.not_communicable,
             legal_ground=LG.privacy, personal_data=True, geographic=True, inspire_theme=model.INSPIRE_THEME.cp,
             frequency=model.FREQUENCY.annual, coverage=model.COVERAGE.region, **_prov("DREAL-HDF", "Données", 5)),
        dict(title="Suivi de la qualité des cours d'eau", theme=T.water, origin=O.coproduced,
             diffusion=D.publishable, personal_data=False, geographic=True, inspire_theme=model.INSPIRE_THEME.hy,
             frequency=model.FREQUENCY.annual, coverage=model.COVERAGE.basin, **_prov("DREAL-HDF", "Données", 6)),
        dict(title="Aides au logement", theme=T.housing, origin=O.produced, diffusion=D.publishable,
             personal_data=False, geographic=False, **_prov("DREAL-HDF", "Données", 7)),
        # DDTM-62
        dict(title="Orthophotographie", theme=T.territory, origin=O.acquired, supplier="I.G.N.",
             acquisition_mode=model.ACQUISITION_MODE.paid_licence, annual_cost=8000.0, diffusion=D.restricted,
             personal_data=False, geographic=True, inspire_theme=model.INSPIRE_THEME.oi,
             frequency=model.FREQUENCY.pluriannual, coverage=model.COVERAGE.departement,
             **_prov("DDTM-62", "Données", 3)),
        dict(title="Plans de prévention des risques", theme=T.risks, origin=O.produced, diffusion=D.published,
             personal_data=False, geographic=True, inspire_theme=model.INSPIRE_THEME.nz,
             frequency=model.FREQUENCY.irregular, coverage=model.COVERAGE.departement,
             platform=model.PLATFORM.geoide, licence=model.LICENCE.lo2, tools="GéoIDE",
             **_prov("DDTM-62", "Données", 4)),
        dict(title="Permis de construire (Sitadel)", theme=T.urbanism, origin=O.produced,
             diffusion=D.publishable, personal_data=True, geographic=False,
             frequency=model.FREQUENCY.monthly, **_prov("DDTM-62", "Données", 5)),
        # PREF-59
        dict(title="Résultats des élections", theme=T.administration, origin=O.produced, diffusion=D.published,
             personal_data=False, geographic=False, frequency=model.FREQUENCY.irregular,
             platform=model.PLATFORM.datagouv, licence=model.LICENCE.lo2, **_prov("PREF-59", "Données", 2)),
        dict(title="Fichier des titres de séjour", theme=T.administration, origin=O.produced,
             diffusion=D.not_communicable, legal_ground=LG.privacy, personal_data=True, geographic=False,
             frequency=model.FREQUENCY.continuous, **_prov("PREF-59", "Données", 3)),
        # ARS-HDF
        dict(title="Offre de soins hospitalière", theme=T.health, origin=O.acquired, supplier="ATIH",
             acquisition_mode=model.ACQUISITION_MODE.free_agreement, diffusion=D.publishable,
             personal_data=False, geographic=False, frequency=model.FREQUENCY.annual, tools="ArcGIS Pro",
             **_prov("ARS-HDF", "Données", 2)),
        dict(title="Qualité de l'eau potable", theme=T.health, origin=O.produced, diffusion=D.published,
             personal_data=False, geographic=True, inspire_theme=model.INSPIRE_THEME.hh,
             frequency=model.FREQUENCY.monthly, platform=model.PLATFORM.datagouv, licence=model.LICENCE.lo2,
             **_prov("ARS-HDF", "Données", 3)),
    ]
    return _section_frame(model.CATEGORIES, rows)


def tools() -> pd.DataFrame:
    """Six tools; the ArcGIS family is paid for by three services."""
    rows = [
        dict(name="QGIS 3.16", tool_type=TT.desktop_gis, software_licence=SL.free, use=U.internal, users=20,
             annual_cost=0.0, categories="Installations classées (ICPE); Suivi de la qualité des cours d'eau",
             **_prov("DREAL-HDF", "Outils", 2)),
        dict(name="ArcGIS Desktop 10.8", tool_type=TT.desktop_gis, software_licence=SL.proprietary,
             use=U.internal, users=5, annual_cost=3000.0, categories="Orthophotographie régionale",
             **_prov("DREAL-HDF", "Outils", 3)),
        dict(name="Arcgis", tool_type=TT.desktop_gis, software_licence=SL.proprietary, use=U.internal, users=3,
             annual_cost=2500.0, categories="Orthophotographie", **_prov("DDTM-62", "Outils", 2)),
        dict(name="GéoIDE", tool_type=TT.sdi, software_licence=SL.free, use=U.external,
             audience="Grand public; Collectivités territoriales", annual_cost=0.0,
             categories="Plans de prévention des risques", shared_with="DREAL", **_prov("DDTM-62", "Outils", 3)),
        dict(name="Excel", tool_type=TT.spreadsheet, software_licence=SL.proprietary, use=U.internal, users=40,
             categories="Résultats des élections", **_prov("PREF-59", "Outils", 2)),
        dict(name="ArcGIS Pro", tool_type=TT.desktop_gis, software_licence=SL.proprietary, use=U.both, users=4,
             annual_cost=4000.0, categories="Qualité de l'eau potable", **_prov("ARS-HDF", "Outils", 2)),
    ]
    return _section_frame(model.TOOLS, rows)


def arrangements() -> pd.DataFrame:
    """Five participations in three arrangements."""
    ref = reference_arrangements().set_index("id")
    rows = [
        dict(arrangement="Géo2France", kind=model.ARRANGEMENT_KIND.platform, partners="Région; EPCI et communes",
             role=model.ROLE.colead, total_budget=500000.0, state_credits=150000.0, own_contribution=50000.0,
             governance_frame=model.GOVERNANCE_FRAME.convention,
             governance_bodies="Comité de pilotage; Comité technique", state_in_bodies=True, fte=1.5,
             audiences="Collectivités territoriales; Grand public", productions="Portail ou plateforme; Jeux de données",
             start_date=dt.datetime(2018, 1, 1), end_date=dt.datetime(2022, 12, 31),
             _id="GEO2FRANCE", _method="exact", _score=100.0, **_prov("DREAL-HDF", "Dispositifs", 2)),
        dict(arrangement="Geo 2 France", kind=model.ARRANGEMENT_KIND.platform, partners="Région",
             role=model.ROLE.contributor, total_budget=500000.0, own_contribution=5000.0, fte=0.2,
             _id="GEO2FRANCE", _method="fuzzy", _score=88.0, **_prov("DDTM-62", "Dispositifs", 2)),
        dict(arrangement="Geo2France", role=model.ROLE.user, fte=0.1,
             _id="GEO2FRANCE", _method="variant", _score=100.0, **_prov("ARS-HDF", "Dispositifs", 2)),
        dict(arrangement="ORB", kind=model.ARRANGEMENT_KIND.observatory, partners="Région; Associations",
             role=model.ROLE.lead, total_budget=200000.0, state_credits=120000.0, own_contribution=30000.0,
             governance_frame=model.GOVERNANCE_FRAME.charter, governance_bodies="Comité de pilotage",
             state_in_bodies=True, fte=1.0, audiences="Grand public", productions="Atlas et cartes",
             _id="ORB-HDF", _method="variant", _score=100.0, **_prov("DREAL-HDF", "Dispositifs", 3)),
        dict(arrangement="OR2S", kind=model.ARRANGEMENT_KIND.observatory, partners="Région; Universités et recherche",
             role=model.ROLE.contributor, total_budget=300000.0, state_credits=100000.0, own_contribution=20000.0,
             governance_frame=model.GOVERNANCE_FRAME.association, governance_bodies="Assemblée générale",
             state_in_bodies=False, fte=0.5, audiences="Élus; Grand public", productions="Publications et études",
             _id="OR2S", _method="exact", _score=100.0, **_prov("ARS-HDF", "Dispositifs", 3)),
    ]
    for r in rows:
        r["arrangement_id"] = r.pop("_id")
        r["arrangement_name"] = ref.loc[r["arrangement_id"], "name"]
        r["arrangement_match_method"] = r.pop("_method")
        r["arrangement_match_score"] = r.pop("_score")
    df = _section_frame(model.ARRANGEMENTS, rows, model.ARRANGEMENT_REFERENCE_COLUMNS)
    df["arrangement_match_score"] = df["arrangement_match_score"].astype("float64")
    return df


def maturity() -> pd.DataFrame:
    """Six self-assessment rows (DREAL 3, DDTM 62 2, ARS 1; the préfecture skipped the sheet)."""
    MD, ML = model.MATURITY_DIMENSION, model.MATURITY_LEVEL
    answers = [
        ("DREAL-HDF", MD.strategy, "3"), ("DREAL-HDF", MD.opening, "2"), ("DREAL-HDF", MD.sharing, "4"),
        ("DDTM-62", MD.strategy, "2"), ("DDTM-62", MD.opening, "1"),
        ("ARS-HDF", MD.strategy, "4"),
    ]
    rows = [
        dict(dimension=dim, level=ML.label_of(level), **_prov(sid, "Maturité", i + 2))
        for i, (sid, dim, level) in enumerate(answers)
    ]
    return _section_frame(model.MATURITY, rows)


def rejects() -> pd.DataFrame:
    """Four rejected rows, one line each (three reasons)."""
    rows = [
        ("DREAL.xlsx", "Données", 15, "theme", "Divers", "Valeur hors liste pour un champ obligatoire"),
        ("DDTM62.xlsx", "Outils", 8, "tool_type", "Logiciel", "Valeur hors liste pour un champ obligatoire"),
        ("ARS.xlsx", "Données", 5, None, None, "Ligne en double"),
        ("ARS.xlsx", "Dispositifs", 4, "arrangement", "Observatoire du littoral",
         "Dispositif absent de la liste de référence"),
    ]
    df = pd.DataFrame(rows, columns=list(model.REJECT_COLUMNS))
    df["source_row"] = df["source_row"].astype("Int64")
    return df


def corrections() -> pd.DataFrame:
    """Four recoded values (two amounts, one FTE, one vocabulary synonym)."""
    rows = [
        ("DREAL.xlsx", "Données", 4, "annual_cost", "12 000 €", "12000.0", "montant « 12 000 € » converti en 12000"),
        ("DDTM62.xlsx", "Données", 3, "annual_cost", "8 k€", "8000.0", "montant « 8 k€ » converti en 8000"),
        ("DDTM62.xlsx", "Service", 2, "data_fte", "1/2 ETP", "0.5", "ETP « 1/2 ETP » converti en 0,5"),
        ("PREF59.xlsx", "Données", 2, "diffusion", "open data", D.published,
         f"« open data » remplacé par « {D.published} »"),
    ]
    df = pd.DataFrame(rows, columns=["source_file", "source_sheet", "source_row", "column", "raw_value",
                                     "cleaned_value", "rule"])
    df["source_row"] = df["source_row"].astype("int64")
    return df


def review() -> pd.DataFrame:
    """Three low-confidence matches: two accepted, one left unmatched."""
    rows = [
        ("PREF59.xlsx", "Service", 2, "service", "Préf. Nord", "service", "PREF-59", "Préfecture du Nord",
         86.0, "fuzzy", "accepté", "PREF-59"),
        ("DDTM62.xlsx", "Dispositifs", 2, "arrangement", "Geo 2 France", "dispositif", "GEO2FRANCE", "Géo2France",
         88.0, "fuzzy", "accepté", "GEO2FRANCE"),
        ("ARS.xlsx", "Dispositifs", 4, "arrangement", "Observatoire du littoral", "dispositif", "ORB-HDF",
         "Observatoire régional de la biodiversité", 62.0, "fuzzy", "non rapproché", None),
    ]
    df = pd.DataFrame(rows, columns=["source_file", "source_sheet", "source_row", "column", "raw_value", "kind",
                                     "candidate_id", "candidate_name", "score", "method", "status", "assigned_id"])
    df["source_row"] = df["source_row"].astype("Int64")
    return df


def accounting() -> pd.DataFrame:
    """Per file and sheet: raw = cleaned + rejected + blank (totals: 39 = 33 + 4 + 2)."""
    rows = [
        ("DREAL.xlsx", "Service", "services", 1, 1, 0, 0),
        ("DREAL.xlsx", "Données", "categories", 7, 5, 1, 1),
        ("DREAL.xlsx", "Outils", "tools", 2, 2, 0, 0),
        ("DREAL.xlsx", "Dispositifs", "arrangements", 2, 2, 0, 0),
        ("DREAL.xlsx", "Maturité", "maturity", 3, 3, 0, 0),
        ("DDTM62.xlsx", "Service", "services", 1, 1, 0, 0),
        ("DDTM62.xlsx", "Données", "categories", 3, 3, 0, 0),
        ("DDTM62.xlsx", "Outils", "tools", 3, 2, 1, 0),
        ("DDTM62.xlsx", "Dispositifs", "arrangements", 1, 1, 0, 0),
        ("DDTM62.xlsx", "Maturité", "maturity", 2, 2, 0, 0),
        ("PREF59.xlsx", "Service", "services", 1, 1, 0, 0),
        ("PREF59.xlsx", "Données", "categories", 2, 2, 0, 0),
        ("PREF59.xlsx", "Outils", "tools", 1, 1, 0, 0),
        ("ARS.xlsx", "Service", "services", 1, 1, 0, 0),
        ("ARS.xlsx", "Données", "categories", 4, 2, 1, 1),
        ("ARS.xlsx", "Outils", "tools", 1, 1, 0, 0),
        ("ARS.xlsx", "Dispositifs", "arrangements", 3, 2, 1, 0),
        ("ARS.xlsx", "Maturité", "maturity", 1, 1, 0, 0),
    ]
    df = pd.DataFrame(rows, columns=["source_file", "source_sheet", "section", "raw_rows", "cleaned_rows",
                                     "rejected_rows", "blank_rows"])
    for c in ("raw_rows", "cleaned_rows", "rejected_rows", "blank_rows"):
        df[c] = df[c].astype("int64")
    return df


def log() -> dict:
    """A minimal ingestion log with two caveats."""
    return {
        "edition": "test-2021",
        "files": sorted(FILES.values()),
        "caveats": [
            "Le fichier ARS.xlsx contenait une ligne en double, retirée.",
            "La Préfecture 59 n'a pas rempli l'onglet Maturité.",
        ],
    }


def tiny_tables() -> Tables:
    """All processed tables of a tiny fictional edition (internal audience).

    Returns:
        a :class:`analysis.tables.Tables`; every call builds fresh DataFrames (safe to mutate).
    """
    return Tables(
        services=services(),
        categories=categories(),
        tools=tools(),
        arrangements=arrangements(),
        maturity=maturity(),
        rejects=rejects(),
        review=review(),
        corrections=corrections(),
        accounting=accounting(),
        reference_services=reference_services(),
        reference_arrangements=reference_arrangements(),
        log=log(),
    )



def tiny_public_tables() -> Tables:
    """The tiny tables as the public audience receives them (``analysis.public.public_tables``).

    Personal fields are null; restricted and not-communicable categories (C02 C03 C06 C10) keep
    their classification columns but their title is masked and their protected free-text fields
    are null; raw values of rejects and corrections are blanked.

    Returns:
        a :class:`analysis.tables.Tables` of the public audience.
    """
    from analysis.public import public_tables

    return public_tables(tiny_tables())
