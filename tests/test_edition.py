"""Edition files: validation with French messages."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis import paths
from analysis.edition import EditionError, load_edition

GOOD = """
edition: test-2021
region: Hauts-de-France
year: 2021
reference_date: 2021-09-30
survey_dir: {survey}
reference:
  services: {services}
  arrangements: {arrangements}
"""


@pytest.fixture
def files(tmp_path):
    survey = tmp_path / "survey"
    survey.mkdir()
    (tmp_path / "s.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "a.csv").write_text("id\n", encoding="utf-8")
    return {"survey": survey, "services": tmp_path / "s.csv", "arrangements": tmp_path / "a.csv"}


def _write(tmp_path, text, **kw):
    path = tmp_path / "edition.yaml"
    path.write_text(text.format(**kw), encoding="utf-8")
    return path


def test_valid_edition_is_loaded_with_absolute_paths_and_defaults(tmp_path, files):
    ed = load_edition(_write(tmp_path, GOOD, **files))
    assert ed.id == "test-2021"
    assert ed.reference_date == dt.date(2021, 9, 30)
    assert ed.survey_dir == files["survey"]
    assert ed.audiences == ("interne", "public")
    assert ed.previous is None and ed.fictional is False
    assert ed.processed_dir == paths.PROCESSED_DIR / "test-2021"
    assert ed.title.endswith("2021")


def test_every_problem_is_listed_in_french(tmp_path, files):
    text = GOOD.replace("year: 2021", "year: deux-mille") + "audiences: [tous]\ncolour: bleu\n"
    text = text.replace("reference_date: 2021-09-30", "reference_date: 30/09/2021")
    with pytest.raises(EditionError) as exc:
        load_edition(_write(tmp_path, text, **files))
    msg = str(exc.value)
    assert "edition.yaml" in msg
    assert "« year » doit être une année" in msg
    assert "« reference_date » doit être une date" in msg
    assert "« audiences »" in msg
    assert "paramètre inconnu : « colour »" in msg


def test_missing_folder_and_parameters_are_reported(tmp_path, files):
    text = "edition: x\nregion: R\nyear: 2021\nreference_date: 2021-01-01\nsurvey_dir: nowhere/at/all\n"
    with pytest.raises(EditionError) as exc:
        load_edition(_write(tmp_path, text))
    msg = str(exc.value)
    assert "« survey_dir » : dossier introuvable" in msg
    assert "« reference.services »" in msg


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(EditionError, match="introuvable"):
        load_edition(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("edition: [unclosed", encoding="utf-8")
    with pytest.raises(EditionError, match="YAML illisible"):
        load_edition(bad)


def test_shipped_editions_load_and_chain():
    latest = load_edition()
    assert latest.path == paths.DEFAULT_EDITION
    previous = latest.previous_edition()
    assert previous is not None and previous.year < latest.year
    assert latest.fictional and previous.fictional
