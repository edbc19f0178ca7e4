"""Tests of the reference lists and of name resolution (analysis.referential)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import paths
from analysis.model import ARRANGEMENT_KIND, SERVICE_TYPE
from analysis.referential import (
    ARRANGEMENT_COLUMNS,
    SERVICE_COLUMNS,
    Match,
    ReferenceError,
    Resolver,
    load_arrangements,
    load_services,
)

SERVICES_CSV = paths.REFERENCE_DIR / "services-hauts-de-france.csv"
ARRANGEMENTS_CSV = paths.REFERENCE_DIR / "dispositifs-hauts-de-france.csv"
ORGS_JSON = paths.REALDATA_DIR / "ecospheres-organisations" / "orgsavectype.json"


@pytest.fixture(scope="module")
def services() -> Resolver:
    return Resolver.for_services(SERVICES_CSV)


@pytest.fixture(scope="module")
def arrangements() -> Resolver:
    return Resolver.for_arrangements(ARRANGEMENTS_CSV)


# ---------------------------------------------------------------------------------------------
# The shipped lists
# ---------------------------------------------------------------------------------------------


def test_shipped_services_list_covers_the_region():
    df = load_services(SERVICES_CSV)
    assert tuple(df.columns) == SERVICE_COLUMNS
    assert len(df) >= 50
    assert set(df["type"]) == set(SERVICE_TYPE.labels)
    ids = set(df["id"])
    assert {"PREF-HDF", "SGAR-HDF", "DREAL-HDF", "DRAAF-HDF", "DREETS-HDF", "DRAC-HDF", "DRAJES-HDF",
            "DRFIP-HDF", "ARS-HDF", "ADEME-HDF", "AEAP", "OFB-HDF", "CEREMA-HDF", "INSEE-HDF"} <= ids
    for dep in ("02", "59", "60", "62", "80"):
        assert {f"PREF-{dep}", f"DDETS-{dep}", f"DDPP-{dep}", f"DSDEN-{dep}"} <= ids
    assert {"DDT-02", "DDTM-59", "DDT-60", "DDTM-62", "DDTM-80"} <= ids
    # Regional services carry no département; departmental directorates always do.
    assert (df.loc[df["id"] == "DREAL-HDF", "departement"] == "").all()
    assert (df.loc[df["type"] == SERVICE_TYPE.departmental, "departement"] != "").all()


def test_shipped_arrangements_list():
    df = load_arrangements(ARRANGEMENTS_CSV)
    assert tuple(df.columns) == ARRANGEMENT_COLUMNS
    assert len(df) >= 20
    assert set(df["kind"]) == set(ARRANGEMENT_KIND.labels)
    assert (df["description"] != "").all() and (df["lead"] != "").all()


# ---------------------------------------------------------------------------------------------
# Services: each spelling style
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected_id", "method"),
    [
        # exact: the official name or the id, character for character
        ("Direction départementale des territoires de l'Aisne", "DDT-02", "exact"),
        ("DREAL-HDF", "DREAL-HDF", "exact"),
        # acronym, whatever the case, the accents and the way the département is written
        ("DREAL", "DREAL-HDF", "acronym"),
        ("dreal", "DREAL-HDF", "acronym"),
        ("DREAL Hauts-de-France", "DREAL-HDF", "acronym"),
        ("DDTM59", "DDTM-59", "acronym"),
        ("DDTM 59", "DDTM-59", "acronym"),
        ("DDTM du Nord", "DDTM-59", "acronym"),
        ("DDTM (62)", "DDTM-62", "acronym"),
        ("DDTM Somme", "DDTM-80", "acronym"),
        ("DDT de l'Oise", "DDT-60", "acronym"),
        ("DDETS Pas de Calais", "DDETS-62", "acronym"),
        ("Prefecture du Nord", "PREF-59", "acronym"),
        # former names and usual spellings
        ("DREAL Picardie", "DREAL-HDF", "variant"),
        ("DREAL Nord-Pas-de-Calais", "DREAL-HDF", "variant"),
        ("DIREN Nord-Pas-de-Calais", "DREAL-HDF", "variant"),
        ("DIRECCTE Hauts-de-France", "DREETS-HDF", "variant"),
        ("Cerema Nord-Picardie", "CEREMA-HDF", "variant"),
        ("DDFiP du Nord", "DRFIP-HDF", "variant"),
        ("Inspection académique de la Somme", "DSDEN-80", "variant"),
        ("Agence régionale de santé", "ARS-HDF", "variant"),
        ("Direction régionale des affaires culturelles", "DRAC-HDF", "variant"),
        # misspellings: accepted, but flagged for review
        ("DREAL Haut de France", "DREAL-HDF", "fuzzy"),
        ("Direction départementale du territoire de l'Aisne", "DDT-02", "fuzzy"),
        ("Direction departementale des territoire de l'Oise", "DDT-60", "fuzzy"),
    ],
)
def test_service_spellings(services, raw, expected_id, method):
    m = services.resolve(raw)
    assert (m.id, m.method) == (expected_id, method)
    assert m.raw == raw
    assert m.needs_review is (method == "fuzzy")
    if method != "fuzzy":
        assert m.score == 100.0


@pytest.mark.parametrize(
    ("raw", "likely"),
    [
        ("DDTM", {"DDTM-59", "DDTM-62", "DDTM-80"}),  # which département?
        ("Direction départementale des territoires", {"DDT-02", "DDT-60"}),
        ("Préfecture", None),
        ("Préfecture de Lille", None),  # Lille is both the Nord's and the region's prefecture
        ("DDTM Nord-Pas-de-Calais", {"DDTM-59", "DDTM-62"}),
        ("Mairie de Lille", None),
        ("Conseil départemental du Nord", None),
        ("Université de Lille", None),
    ],
)
def test_ambiguous_or_foreign_names_are_not_matched(services, raw, likely):
    m = services.resolve(raw)
    assert m.id is None
    assert m.method == "none"
    assert m.needs_review
    assert m.score < 100
    if likely is not None:
        assert m.candidate in likely


def test_wrong_departement_is_never_picked(services):
    # "DDT 59" does not exist (the Nord has a DDTM): the Nord's directorate is proposed, not the Aisne's.
    m = services.resolve("DDT 59")
    assert m.id == "DDTM-59" and m.method == "fuzzy"


@pytest.mark.parametrize("raw", ["", "   ", None, float("nan")])
def test_empty_names(services, raw):
    m = services.resolve(raw)
    assert (m.id, m.method, m.score, m.candidate) == (None, "none", 0.0, None)


def test_cached_results_keep_each_raw_spelling(services):
    a, b = services.resolve("ddtm59"), services.resolve("DDTM-59 ")
    assert a.raw == "ddtm59" and b.raw == "DDTM-59 "
    assert a.id == b.id == "DDTM-59"


# ---------------------------------------------------------------------------------------------
# Arrangements
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected_id", "method"),
    [
        ("Géo2France", "GEO2FRANCE", "exact"),
        ("Geo2France", "GEO2FRANCE", "variant"),
        ("geo 2 france", "GEO2FRANCE", "variant"),
        ("plateforme Géo2France", "GEO2FRANCE", "variant"),
        ("PPIGE", "GEO2FRANCE", "variant"),
        ("GéoPicardie", "GEO2FRANCE", "variant"),
        ("Géo2France (plateforme)", "GEO2FRANCE", "fuzzy"),
        ("ORB HdF", "ORB-HDF", "variant"),
        ("Observatoire de la biodiversité des Hauts de France", "ORB-HDF", "variant"),
        ("Atmo", "ATMO-HDF", "variant"),
        ("ATMO Hauts-de-France", "ATMO-HDF", "variant"),
        ("Observatoire des dechets Hauts-de-France", "ORDEC-HDF", "variant"),
    ],
)
def test_arrangement_spellings(arrangements, raw, expected_id, method):
    m = arrangements.resolve(raw)
    assert (m.id, m.method) == (expected_id, method)


@pytest.mark.parametrize("raw", ["Observatoire régional", "DREAL", "Convention"])
def test_vague_arrangement_names_are_not_matched(arrangements, raw):
    assert arrangements.resolve(raw).id is None


# ---------------------------------------------------------------------------------------------
# Threshold and ambiguity on a tiny hand-written list
# ---------------------------------------------------------------------------------------------


def _tiny() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["OBS-EAU", "OBS-AIR", "RESEAU", "OBS-MARTIN", "OBS-MARTON"],
            "name": ["Observatoire de l'eau", "Observatoire de l'air", "Réseau des géomaticiens",
                     "Observatoire Martin", "Observatoire Marton"],
            "kind": [ARRANGEMENT_KIND.observatory] * 2 + [ARRANGEMENT_KIND.network] + [ARRANGEMENT_KIND.observatory] * 2,
            "variants": ["", "Atmo", "Club SIG|Réseau SIG", "", ""],
            "lead": [""] * 5,
            "description": [""] * 5,
        }
    )


def test_fuzzy_threshold_and_margin():
    r = Resolver(_tiny(), threshold=85.0, acronym_col=None)
    # "geomaticien" vs "geomaticiens": one letter, far from every other entry.
    m = r.resolve("Réseau des géomaticien")
    assert (m.id, m.method) == ("RESEAU", "fuzzy") and 85 <= m.score < 100
    # "Martan" is one letter away from both "Martin" and "Marton": same score, no winner.
    m = r.resolve("Observatoire Martan")
    assert m.id is None and m.method == "none" and m.candidate in {"OBS-MARTIN", "OBS-MARTON"}
    assert m.score >= 85
    # "aie" is close to "air" as a whole string, but the word itself is not "air": rejected.
    m = r.resolve("Observatoire de l'aie")
    assert m.id is None and m.candidate == "OBS-AIR"
    # A stricter threshold turns the accepted typo into a review item.
    strict = Resolver(_tiny(), threshold=99.0, acronym_col=None)
    m = strict.resolve("Réseau des géomaticien")
    assert m.id is None and m.candidate == "RESEAU"


def test_match_needs_review():
    assert Match("x", None, "none", 0.0, None).needs_review
    assert Match("x", "A", "fuzzy", 90.0, "A").needs_review
    for method in ("exact", "acronym", "variant"):
        assert not Match("x", "A", method, 100.0, "A").needs_review


# ---------------------------------------------------------------------------------------------
# Loader errors (French messages naming the file)
# ---------------------------------------------------------------------------------------------

_HEADER = "id,acronym,name,ministry,type,departement,variants\n"
_DREAL = "DREAL-HDF,DREAL,Direction régionale,Transition écologique,Direction régionale,,DREAL HdF\n"


def _write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "services-test.csv"
    path.write_text(text, encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("id,acronym,name,ministry,type,variants\n", "colonne(s) manquante(s) : departement"),
        (_HEADER.replace("\n", ",extra\n"), "colonne(s) inattendue(s) : extra"),
        (_HEADER + _DREAL + _DREAL.replace("DREAL,", "DREAL2,").replace("DREAL HdF", ""),
         "identifiant(s) en double : DREAL-HDF"),
        (_HEADER + _DREAL + "DDTM-59,DREAL,DDTM du Nord,Transition écologique,Direction départementale,59,\n",
         "sigle(s) en double : DREAL"),
        (_HEADER + "DDTM-59,DDTM 59,DDTM du Nord,Transition écologique,DDI,59,\n",
         "valeur(s) de « type » inconnue(s) : DDI (ligne(s) 2)"),
        (_HEADER + "DDTM-59,DDTM 59,DDTM du Nord,Transition écologique,Direction départementale,Nord,\n",
         "code(s) de département invalide(s) : Nord"),
        (_HEADER + "ddtm 59,DDTM 59,DDTM du Nord,Transition écologique,Direction départementale,59,\n",
         "identifiant(s) mal formé(s)"),
        (_HEADER + ",DDTM 59,DDTM du Nord,Transition écologique,Direction départementale,59,\n",
         "colonne « id » vide (ligne(s) 2)"),
        (_HEADER + _DREAL + "DDTM-59,DDTM 59,DDTM du Nord,Transition écologique,Direction départementale,59,dreal hdf\n",
         "« dreal hdf » désigne à la fois DREAL-HDF et DDTM-59"),
    ],
)
def test_load_services_errors(tmp_path, text, fragment):
    path = _write(tmp_path, text)
    with pytest.raises(ReferenceError) as err:
        load_services(path)
    assert "services-test.csv" in str(err.value)
    assert fragment in str(err.value)


def test_load_services_missing_file_and_encoding(tmp_path):
    with pytest.raises(ReferenceError, match="introuvable"):
        load_services(tmp_path / "absent.csv")
    with pytest.raises(ReferenceError, match="n'est pas encodé en UTF-8"):
        load_services(_write(tmp_path, _HEADER + _DREAL, encoding="cp1252"))


def test_load_arrangements_rejects_unknown_kind(tmp_path):
    path = tmp_path / "dispositifs-test.csv"
    path.write_text("id,name,kind,variants,lead,description\nX,Plateforme X,Portail,,,\n", encoding="utf-8")
    with pytest.raises(ReferenceError, match="dispositifs-test.csv : valeur\\(s\\) de « kind » inconnue\\(s\\) : Portail"):
        load_arrangements(path)


def test_loaded_cells_are_stripped(tmp_path):
    path = _write(tmp_path, _HEADER + " DREAL-HDF , DREAL ,Direction régionale,TE,Direction régionale,, DREAL HdF \n")
    df = load_services(path)
    assert df.loc[0, "id"] == "DREAL-HDF" and df.loc[0, "acronym"] == "DREAL"
    assert Resolver(df).resolve("DREAL HDF").id == "DREAL-HDF"


# ---------------------------------------------------------------------------------------------
# Real labels (ecospheres-organisations, 137 services of the ecology ministry)
# ---------------------------------------------------------------------------------------------

_HDF_TERRITORIES = {"HDF", "D02", "D59", "D60", "D62", "D80"}

# Worked out by hand from orgsavectype.json: each Hauts-de-France service's label and title.
_REAL_LABELS = {
    "Direction départementale des territoires et de la mer (DDTM) - Nord": "DDTM-59",
    "DDTM 59": "DDTM-59",
    "Direction départementale des territoires et de la mer (DDTM) - Pas-de-Calais": "DDTM-62",
    "DDTM 62": "DDTM-62",
    "Direction départementale des territoires (DDT) - Oise": "DDT-60",
    "DDT 60": "DDT-60",
    "Direction départementale des territoires (DDT) - Aisne": "DDT-02",
    "DDT 02": "DDT-02",
    "Direction départementale des territoires et de la mer (DDTM) - Somme": "DDTM-80",
    "DDTM 80": "DDTM-80",
    "Direction régionale de l'environnement, de l'aménagement et du logement (DREAL) - Hauts-de-France": "DREAL-HDF",
    "DREAL Hauts-de-France": "DREAL-HDF",
    "Direction interdépartementale des routes (DIR) - Nord": "DIR-NORD",
    "DIR Nord": "DIR-NORD",
    "Direction interdépartementale des routes (DIR) - Nord-Ouest": "DIR-NORD-OUEST",
    "DIR Nord-Ouest": "DIR-NORD-OUEST",
    # Territory "ZM-FX-MMN" (sea front), not a département code: added by hand.
    "Direction interrégionale de la mer (DIRM) - Manche-Est, Mer-du-Nord": "DIRM-MEMN",
    "DIRM Manche-Est, Mer-du-Nord": "DIRM-MEMN",
    # Spellings of organisations_statistiques.md (same repository).
    "DDT Aisne (02)": "DDT-02",
    "DDTM Nord (59)": "DDTM-59",
    "DDTM Pas-de-Calais (62)": "DDTM-62",
    "DDTM Somme (80)": "DDTM-80",
}


def _real_organisations() -> dict:
    if not ORGS_JSON.exists():
        pytest.skip(f"données réelles absentes : {ORGS_JSON}")
    return json.loads(ORGS_JSON.read_text(encoding="utf-8"))


def _territories(org: dict) -> set[str]:
    for extra in org.get("extras", []):
        if extra["key"] == "Territoire":
            return set(extra["value"])
    return set()


def test_real_hauts_de_france_labels_resolve(services):
    orgs = _real_organisations()
    in_region = [o for o in orgs.values() if _territories(o) & _HDF_TERRITORIES]
    assert len(in_region) == 8
    for org in in_region:  # the hand-written mapping covers every service of the region
        assert org["label"] in _REAL_LABELS and org["title"] in _REAL_LABELS
    for label, expected in _REAL_LABELS.items():
        m = services.resolve(label)
        assert (m.id, m.needs_review) == (expected, False), label


def test_real_services_of_other_regions_do_not_match(services):
    orgs = _real_organisations()
    others = [
        o for o in orgs.values()
        if not _territories(o) & _HDF_TERRITORIES and o["title"] not in _REAL_LABELS
    ]
    assert len(others) > 100
    for org in others:
        for raw in (org["label"], org["title"]):
            assert services.resolve(raw).id is None, raw
