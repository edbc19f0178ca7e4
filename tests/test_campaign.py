"""The national summary of a campaign, from hand-written regional key-figure files."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis.campaign import CAMPAIGN_DIR, write_campaign_summary

HEADER = "edition;region;indicateur;valeur;unite;definition\n"


def _region(root, edition: str, region: str, audience: str, respondents: int, categories: int, share: float,
            ok: bool = True) -> SimpleNamespace:
    folder = root / edition / audience
    (folder / "exports").mkdir(parents=True)
    (folder / "exports" / "indicateurs.csv").write_text(
        HEADER
        + f"{edition};{region};n_respondents;{respondents}.0;services;Services ayant répondu\n"
        + f"{edition};{region};n_categories;{categories}.0;catégories;Catégories recensées\n"
        + f"{edition};{region};share_published;{share};part (0 à 1);Part publiée\n",
        encoding="utf-8",
    )
    return SimpleNamespace(edition=edition, audience=audience, folder=folder, ok=ok)


def test_one_row_per_region_and_audience_and_failed_regions_named(tmp_path):
    results = [
        _region(tmp_path, "bretagne-2021", "Bretagne", "public", 31, 4200, 0.25),
        _region(tmp_path, "corse-2021", "Corse", "public", 12, 900, 0.5),
        _region(tmp_path, "bretagne-2021", "Bretagne", "interne", 31, 4400, 0.24),
        _region(tmp_path, "corse-2021", "Corse", "interne", 12, 950, 0.48, ok=False),
    ]
    summary = write_campaign_summary(results, tmp_path)
    assert [f.name for f in summary.files] == ["indicateurs-interne.csv", "indicateurs-public.csv"]
    public = pd.read_csv(tmp_path / CAMPAIGN_DIR / "indicateurs-public.csv", sep=";")
    assert public.columns.tolist() == ["edition", "region", "n_respondents", "n_categories", "share_published"]
    assert public["region"].tolist() == ["Bretagne", "Corse"]
    assert public["n_categories"].tolist() == [4200, 900]
    internal = pd.read_csv(tmp_path / CAMPAIGN_DIR / "indicateurs-interne.csv", sep=";")
    assert internal["region"].tolist() == ["Bretagne"]  # Corse's internal build failed
    assert summary.missing == ["corse-2021 / interne"]
    lines = summary.lines()
    assert lines[0] == "Synthèse de la campagne (2 régions, chiffres de l'édition public) :"
    assert "    Bretagne : 31 services répondants, 4\u202f200 catégories, 25 % publiées" in lines
    assert "    Corse : 12 services répondants, 900 catégories, 50 % publiées" in lines
    assert lines[-1] == "    ✗ sans chiffres (construction en échec) : corse-2021 / interne"


def test_a_single_edition_writes_no_campaign_summary(tmp_path):
    results = [_region(tmp_path, "hauts-de-france-2021", "Hauts-de-France", "public", 38, 543, 0.3)]
    summary = write_campaign_summary(results, tmp_path)
    assert summary.files == [] and summary.lines() == []
    assert not (tmp_path / CAMPAIGN_DIR).exists()


def test_the_build_command_prints_and_writes_the_campaign_summary(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from analysis import build, cli

    results = [_region(tmp_path, "bretagne-2021", "Bretagne", "public", 31, 4200, 0.25),
               _region(tmp_path, "corse-2021", "Corse", "public", 12, 900, 0.5)]
    seen = {}

    def fake_build(editions, reports_root=None, **kwargs):
        seen["editions"] = [e.id for e in editions]
        return build.BuildResult(results)

    monkeypatch.setattr(build, "build_editions", fake_build)
    monkeypatch.setattr(build.BuildResult, "summary", lambda self: "Construction réussie.")
    monkeypatch.setattr(cli, "_edition", lambda f: SimpleNamespace(id=f.stem))
    out = CliRunner().invoke(cli.app, ["build", "-e", "bretagne-2021.yaml", "-e", "corse-2021.yaml",
                                       "--reports-root", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert seen["editions"] == ["bretagne-2021", "corse-2021"]
    assert "Synthèse de la campagne (2 régions, chiffres de l'édition public) :" in out.output
    assert (tmp_path / CAMPAIGN_DIR / "indicateurs-public.csv").is_file()


def test_summary_command_gathers_regions_built_separately(tmp_path):
    from typer.testing import CliRunner

    from analysis import cli

    for edition, region, n in (("bretagne-2021", "Bretagne", 31), ("corse-2021", "Corse", 12)):
        _region(tmp_path, edition, region, "public", n, 100 * n, 0.5)
        (tmp_path / f"{edition}.yaml").write_text(
            f"edition: {edition}\nregion: {region}\nyear: 2021\ntitle: Essai\nreference_date: 2021-09-30\n"
            f"survey_dir: {tmp_path}\naudiences: [public]\n"
            f"reference: {{services: {tmp_path / 's.csv'}, arrangements: {tmp_path / 'd.csv'}}}\n", encoding="utf-8")
    (tmp_path / "s.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "d.csv").write_text("id\n", encoding="utf-8")
    campaign = tmp_path / "campagne.yml"
    campaign.write_text(f"editions: [{tmp_path / 'bretagne-2021.yaml'}, {tmp_path / 'corse-2021.yaml'}]\n",
                        encoding="utf-8")
    out = CliRunner().invoke(cli.app, ["summary", "--campaign", str(campaign), "--reports-root", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "    Corse : 12 services répondants, 1\u202f200 catégories, 50 % publiées" in out.output
    table = pd.read_csv(tmp_path / CAMPAIGN_DIR / "indicateurs-public.csv", sep=";")
    assert table["edition"].tolist() == ["bretagne-2021", "corse-2021"]


def test_two_waves_of_one_region_are_told_apart_by_their_edition(tmp_path):
    results = [_region(tmp_path, "hauts-de-france-2019", "Hauts-de-France", "public", 30, 390, 0.34),
               _region(tmp_path, "hauts-de-france-2021", "Hauts-de-France", "public", 38, 543, 0.37)]
    lines = write_campaign_summary(results, tmp_path).lines()
    assert lines[0] == "Synthèse de la campagne (2 éditions, chiffres de l'édition public) :"
    assert lines[1] == "    Hauts-de-France (hauts-de-france-2019) : 30 services répondants, 390 catégories, 34 % publiées"


def test_when_every_region_failed_no_stale_table_is_left(tmp_path):
    ok = [_region(tmp_path, "bretagne-2021", "Bretagne", "public", 31, 4200, 0.25),
          _region(tmp_path, "corse-2021", "Corse", "public", 12, 900, 0.5)]
    assert write_campaign_summary(ok, tmp_path).files
    failed = [SimpleNamespace(**{**vars(r), "ok": False}) for r in ok]
    summary = write_campaign_summary(failed, tmp_path)
    assert not (tmp_path / CAMPAIGN_DIR / "indicateurs-public.csv").exists()
    assert summary.lines() == ["Synthèse de la campagne non écrite : aucune région n'a de chiffres.",
                               "    ✗ sans chiffres (construction en échec) : bretagne-2021 / public",
                               "    ✗ sans chiffres (construction en échec) : corse-2021 / public"]
