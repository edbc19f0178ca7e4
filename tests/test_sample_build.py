"""End to end on the shipped sample: ingest both editions, build every chapter for both audiences.

One module-scoped build serves every test here (it is the slow part of the suite): chapters run
without error, traceback or warning; two clean builds give byte-identical HTML; a rebuild with
nothing changed reuses everything; the exports validate against Etalab's schema.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from analysis import paths
from analysis.build import build_edition
from analysis.edition import load_edition
from analysis.ingest import ingest_edition

pytestmark = pytest.mark.slow

WARNING_RE = re.compile(r"Traceback \(most recent call last\)|\b\w*Warning\b|Error:", re.MULTILINE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample-build")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ANALYSIS_PROCESSED_DIR", str(root / "processed"))
        mp.setenv("ANALYSIS_REPORTS_DIR", str(root / "reports"))
        edition = load_edition()
        for ed in (edition.previous_edition(), edition):
            result = ingest_edition(ed)
            assert result.ok, result.summary()
        first = build_edition(edition, jobs=2, force=True, progress=False)
        assert first.ok, first.summary()
        base = paths.reports_dir(edition.id)
        snapshot = root / "first"
        shutil.copytree(base, snapshot)
        second = build_edition(edition, jobs=2, force=True, progress=False)
        assert second.ok, second.summary()
        third = build_edition(edition, jobs=2, progress=False)
        yield {"edition": edition, "base": base, "first": snapshot, "third": third, "root": root}


@pytest.mark.parametrize("audience", ["interne", "public"])
def test_every_chapter_runs_without_error_traceback_or_warning(built, audience):
    carnets = sorted((built["base"] / audience / "carnets").glob("*.ipynb"))
    assert len(carnets) == 7
    for carnet in carnets:
        nb = json.loads(carnet.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            for out in cell.get("outputs", []):
                assert out["output_type"] != "error", f"{carnet.name} cell {i}: {out.get('ename')}"
                if out["output_type"] == "stream":
                    text = "".join(out["text"])
                    assert out["name"] != "stderr" or not text.strip(), f"{carnet.name} cell {i}: {text[:300]}"
                    assert not WARNING_RE.search(text), f"{carnet.name} cell {i}: {text[:300]}"
                for mime in ("text/plain", "text/html"):
                    text = "".join(out.get("data", {}).get(mime, ""))
                    assert "Traceback (most recent call last)" not in text, f"{carnet.name} cell {i}"


@pytest.mark.parametrize("audience", ["interne", "public"])
def test_two_clean_builds_give_byte_identical_html(built, audience):
    now, before = built["base"] / audience, built["first"] / audience
    assert (now / "rapport.html").read_bytes() == (before / "rapport.html").read_bytes()
    pages = sorted(p.name for p in (now / "chapitres").glob("*.html"))
    assert len(pages) == 7
    for name in pages:
        assert (now / "chapitres" / name).read_bytes() == (before / "chapitres" / name).read_bytes(), name


def test_a_rebuild_with_nothing_changed_reuses_everything(built):
    third = built["third"]
    assert third.ok
    statuses = {c.status for a in third.audiences for c in a.chapters}
    assert statuses == {"réutilisé"} or all(a.up_to_date for a in third.audiences)


def test_reports_say_their_edition_and_fictional_nature(built):
    for audience, banner in (("interne", "Diffusion interne — ne pas diffuser"), ("public", "Édition publique")):
        html = (built["base"] / audience / "rapport.html").read_text(encoding="utf-8")
        assert banner in html
        assert "Données fictives" in html
        assert "30 septembre 2021" in html
        assert (built["base"] / audience / "rapport.pdf").stat().st_size > 100_000


def test_public_repertoire_of_the_sample_validates_against_etalab_schema(built):
    from frictionless import Schema, system, validate

    from analysis.export import catalogue_table_schema

    folder = built["base"] / "public" / "exports" / "repertoire"
    files = sorted(folder.glob("repertoire-*.csv"))
    assert len(files) > 10
    schemas = [Schema.from_descriptor(catalogue_table_schema())]
    official = paths.REALDATA_DIR / "etalab-schema-catalogue-donnees" / "schema.json"
    if official.is_file():
        schemas.append(Schema.from_descriptor(json.loads(official.read_text(encoding="utf-8"))))
    with system.use_context(trusted=True):
        for path in files:
            for schema in schemas:
                report = validate(str(path), schema=schema)
                assert report.valid, (path.name, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])


def test_every_raw_row_of_the_sample_is_accounted_for(built):
    import pandas as pd

    for edition in (built["edition"].previous_edition(), built["edition"]):
        acc = pd.read_parquet(paths.processed_dir(edition.id) / "accounting.parquet")
        assert (acc["raw_rows"] == acc["cleaned_rows"] + acc["rejected_rows"] + acc["blank_rows"]).all()
        rejects = pd.read_parquet(paths.processed_dir(edition.id) / "rejects.parquet")
        # one reject per rejected raw row, plus one per file refused as a whole (no row number)
        assert acc["rejected_rows"].sum() == rejects["source_row"].notna().sum()
        assert rejects["reason"].str.len().min() > 5


@pytest.mark.browser
@pytest.mark.parametrize("audience", ["interne", "public"])
def test_sample_report_opens_offline_in_chromium(built, audience):
    from test_html_browser import CHROMIUM, _open

    if not CHROMIUM.exists():
        pytest.skip("Chromium absent (/usr/bin/chromium) : paquet Debian « chromium » requis")
    seen = _open(built["base"] / audience / "rapport.html")
    assert [u for u in seen["requests"] if not u.startswith(("file://", "data:"))] == []
    assert seen["dialogs"] == []
    assert len(seen["images"]) >= 20
    assert all(img["complete"] and img["width"] > 0 and img["alt"] for img in seen["images"])
    assert len(seen["links"]) >= 40 and seen["missing"] == []
