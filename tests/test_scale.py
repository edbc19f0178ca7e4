"""Structure of the national-scale fictional campaign (analysis.sample.write_national), at a tiny scale.

The benchmarks (benchmarks/bench_ingest.py, bench_campaign.py) run it at 18 regions, 700 returns
and 100 000 data categories; here 3 regions and 7 returns keep the test fast, and every count is
worked out from the arguments by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import sample as s
from analysis.build import load_campaign
from analysis.edition import load_edition
from analysis.ingest import ingest_files, list_survey_files


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    editions = s.write_national(out, regions=3, returns=7, categories=700, seed=5)
    ingested = {}
    for path in editions:
        edition = load_edition(path)
        files, skipped = list_survey_files(edition.survey_dir)
        ingested[edition.id] = (edition, files, ingest_files(files, edition, skipped))
    return out, editions, ingested


def test_one_edition_per_region_with_its_own_reference(national):
    out, editions, ingested = national
    assert [p.name for p in editions] == [
        "auvergne-rhone-alpes-2021.yaml", "bourgogne-franche-comte-2021.yaml", "bretagne-2021.yaml"]
    assert [ed.region for ed, _, _ in ingested.values()] == [
        "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne"]
    for edition, _, _ in ingested.values():
        assert edition.survey_dir.parent == out
        assert edition.services_reference.is_file() and edition.arrangements_reference.is_file()
        services = pd.read_csv(edition.services_reference, dtype=str)
        # 69 services in the Hauts-de-France list, renamed: none keeps the model region's name
        assert len(services) == 69
        assert not services["name"].str.contains("Hauts-de-France").any()


def test_returns_spread_evenly_and_every_return_resolved(national):
    _, _, ingested = national
    # 7 returns over 3 regions: 7 // 3 = 2 each, the remainder (1) to the first region
    expected = [3, 2, 2]
    for (edition, _, tables), n in zip(ingested.values(), expected, strict=True):
        assert len(tables.services) == n, edition.id
        # each region's services are resolved against its own renamed list
        suffix = {"auvergne-rhone-alpes-2021": "ARA", "bourgogne-franche-comte-2021": "BFC"}.get(edition.id)
        if suffix:
            assert any(sid.endswith(suffix) for sid in tables.services["service_id"])


def test_categories_proportional_to_returns(national):
    _, _, ingested = national
    # 700 categories for 7 returns: about 100 per return (±15 % per return, drawn before the mess);
    # the mess adds at most one provisional version of a return and the unknown service's 3 rows
    targets = [300, 200, 200]
    raw = [int(t.accounting.query("section == 'categories'")["raw_rows"].sum()) for _, _, t in ingested.values()]
    for got, target in zip(raw, targets, strict=True):
        assert 0.8 * target <= got <= 1.5 * target + 3
    assert 0.8 * 700 <= sum(raw) <= 1.5 * 700


def test_the_sample_mess_is_carried(national):
    _, _, ingested = national
    for edition, files, tables in ingested.values():
        suffixes = {p.suffix for p in files}
        assert {".xlsx", ".csv", ".docx"} <= suffixes, edition.id
        assert any("Mairie" in p.name for p in files)  # the unknown service's return
        totals = tables.log["totals"]
        assert totals["files_refused"] >= 1  # the meeting notes (.docx)
        assert totals["rejected_rows"] > 0 and totals["corrections"] > 0
        acc = tables.accounting
        assert (acc["raw_rows"] == acc["cleaned_rows"] + acc["rejected_rows"] + acc["blank_rows"]).all()


def test_the_campaign_file_written_lists_the_editions(national):
    out, editions, _ = national
    assert load_campaign(out / "campagne.yml") == editions


def test_ingest_campaign_ingests_every_region_and_goes_on_after_a_bad_one(national, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from analysis import cli

    out, editions, _ = national
    campaign = tmp_path / "campagne.yml"
    missing = tmp_path / "absente-2021.yaml"
    campaign.write_text("editions:\n" + "".join(f"  - {p}\n" for p in [editions[0], missing, editions[1]]),
                        encoding="utf-8")
    monkeypatch.setenv("ANALYSIS_PROCESSED_DIR", str(tmp_path / "processed"))
    result = CliRunner().invoke(cli.app, ["ingest", "--campaign", str(campaign)])
    assert result.exit_code == 1  # one edition failed
    assert "Campagne : 2 édition(s) ingérée(s) sur 3 ; en échec : absente-2021." in result.output
    for path in (editions[0], editions[1]):
        assert (tmp_path / "processed" / path.stem / "categories.parquet").is_file()


def test_sample_national_command_writes_a_campaign(tmp_path):
    from typer.testing import CliRunner

    from analysis import cli

    runner = CliRunner()
    refused = runner.invoke(cli.app, ["sample", "--national"])
    assert refused.exit_code == 2 and "--national demande --out-dir" in refused.output
    out = tmp_path / "campagne"
    done = runner.invoke(cli.app, ["sample", "--national", "--out-dir", str(out), "--regions", "2",
                                   "--returns", "4", "--categories", "40"])
    assert done.exit_code == 0, done.output
    assert "Campagne nationale fictive : 2 régions écrites" in done.output
    assert [p.name for p in load_campaign(out / "campagne.yml")] == [
        "auvergne-rhone-alpes-2021.yaml", "bourgogne-franche-comte-2021.yaml"]
