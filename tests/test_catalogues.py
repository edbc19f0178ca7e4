"""Cross-check with published catalogues: records CSV, harvest sources JSON, comparison."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import catalogues, model, paths
from analysis.referential import Resolver

HARVESTS = paths.REALDATA_DIR / "ecolab-guichetdonnees" / "moissonnages.json"


@pytest.fixture(scope="module")
def resolver():
    return Resolver.for_services(paths.REFERENCE_DIR / "services-hauts-de-france.csv")


@pytest.mark.parametrize(
    "raw,label",
    [
        ("GéoIDE Catalogue", model.PLATFORM.geoide),
        ("Géo2France", model.PLATFORM.geo2france),
        ("www.data.gouv.fr", model.PLATFORM.datagouv),
        ("Sextant", model.PLATFORM.other),
    ],
)
def test_platform_label(raw, label):
    assert catalogues.platform_label(raw) == label


@pytest.mark.skipif(not HARVESTS.is_file(), reason="../shared/realdata absent : moissonnages.json indisponible")
def test_real_harvest_sources_of_hauts_de_france(resolver):
    counts = catalogues.read_published_catalogues(HARVESTS, resolver)
    got = {(r.service_id, r.platform): r.records for r in counts.itertuples()}
    # Worked out by reading moissonnages.json: "[lots]" and "[jeux de données]" harvests summed.
    geoide, g2f = model.PLATFORM.geoide, model.PLATFORM.geo2france
    assert got[("DDTM-59", g2f)] == 4
    assert got[("DDTM-59", geoide)] == 3 + 25
    assert got[("DDTM-62", geoide)] == 26 + 334
    assert got[("DDTM-80", geoide)] == 153 + 838
    assert got[("DDT-60", geoide)] == 85
    assert got[("DDT-02", geoide)] == 1 + 2
    assert got[("DREAL-HDF", geoide)] == 8 + 113
    # services of other regions (DDT Ain, DDTM 50…) are left out
    assert all(sid in set(resolver.reference["id"]) for sid in counts["service_id"])


def test_records_csv_and_comparison(tmp_path, resolver):
    csv = tmp_path / "catalogue.csv"
    csv.write_text(
        "organisation;titre;plateforme;url\n"
        "DREAL Hauts-de-France;ICPE;data.gouv.fr;https://x\n"
        "DREAL Hauts-de-France;ZNIEFF;Géo2France;https://y\n"
        "DREAL Hauts-de-France;Natura 2000;Géo2France;https://z\n"
        "Mairie de Lille;Bancs;data.gouv.fr;https://w\n",
        encoding="utf-8",
    )
    counts = catalogues.read_published_catalogues(csv, resolver)
    assert list(counts["records"]) == [2, 1]  # Géo2France 2, data.gouv.fr 1 (sorted by platform)
    pub = model.DIFFUSION.published
    categories = pd.DataFrame(
        {
            "service_id": ["DREAL-HDF", "DREAL-HDF", "DREAL-HDF", "DREAL-HDF", "DDTM-62"],
            "diffusion": [pub, pub, pub, model.DIFFUSION.publishable, pub],
            "platform": [model.PLATFORM.geo2france, model.PLATFORM.own_site, model.PLATFORM.own_site, None,
                         model.PLATFORM.geo2france],
        }
    )
    out = catalogues.compare_declared(categories, counts)
    rows = {(r.service_id, r.platform): (r.declared, r.records, r.constat) for r in out.itertuples()}
    assert rows[("DREAL-HDF", model.PLATFORM.geo2france)][:2] == (1, 2)
    assert rows[("DREAL-HDF", model.PLATFORM.datagouv)][:2] == (0, 1)
    assert rows[("DREAL-HDF", model.PLATFORM.datagouv)][2].startswith("fiches au catalogue")
    assert rows[("DDTM-62", model.PLATFORM.geo2france)][:2] == (1, 0)
    assert rows[("DDTM-62", model.PLATFORM.geo2france)][2].startswith("déclarées publiées")
    # the services' own websites are not in the catalogues: not compared
    assert not any(platform == model.PLATFORM.own_site for _, platform in rows)
    summary = catalogues.crosscheck_summary(out)
    assert summary == {"services": 2, "pairs": 3, "declared_missing": 1, "undeclared_records": 1,
                       "records": 3, "declared": 2}


def test_unreadable_inputs_give_french_errors(tmp_path, resolver):
    with pytest.raises(catalogues.CatalogueError, match="introuvable"):
        catalogues.read_published_catalogues(tmp_path / "absent.csv", resolver)
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(catalogues.CatalogueError, match="colonne"):
        catalogues.read_published_catalogues(bad, resolver)


def test_crosscheck_follows_the_edition_file():
    from dataclasses import replace

    from analysis.edition import load_edition

    edition = load_edition()
    cats = pd.DataFrame({"service_id": ["DREAL-HDF"], "diffusion": [model.DIFFUSION.published],
                         "platform": [model.PLATFORM.geo2france]})
    assert catalogues.crosscheck(replace(edition, published_catalogues=None), cats) is None
    out = catalogues.crosscheck(edition, cats)  # the sample's fictional catalogue records
    assert set(out.columns) == {"service_id", "platform", "declared", "records", "constat"}
    assert out.loc[out["service_id"] == "DREAL-HDF", "declared"].sum() == 1
