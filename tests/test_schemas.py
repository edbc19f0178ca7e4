"""Tests of analysis.schemas: schemas derived from the model, on tiny hand-written tables."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from analysis import model, schemas


def _maturity(**overrides) -> pd.DataFrame:
    """A valid two-row maturity table, written by hand."""
    data = {
        "dimension": ["Stratégie et gouvernance", "Compétences et moyens"],
        "level": ["2 - Reproductible", "4 - Maîtrisé"],
        "comment": ["Feuille de route en cours", None],
        "service_id": ["DREAL-HDF", "DREAL-HDF"],
        "source_file": ["dreal.xlsx", "dreal.xlsx"],
        "source_sheet": ["Maturité", "Maturité"],
        "source_row": pd.Series([2, 3], dtype="int64"),
        "row_id": ["DREAL-HDF-maturity-0001", "DREAL-HDF-maturity-0002"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def _tools(**overrides) -> pd.DataFrame:
    """A valid one-row tools table, written by hand."""
    data = {
        "name": ["QGIS"],
        "tool_type": ["SIG bureautique"],
        "software_licence": ["Libre"],
        "use": ["Interne et externe"],
        "audience": ["Agents du service; Grand public"],
        "users": pd.array([25], dtype="Int64"),
        "annual_cost": pd.Series([0.0], dtype="float64"),
        "shared_with": [None],
        "categories": ["Zonages"],
        "comment": [None],
        "service_id": ["DREAL-HDF"],
        "source_file": ["dreal.xlsx"],
        "source_sheet": ["Outils"],
        "source_row": pd.Series([2], dtype="int64"),
        "row_id": ["DREAL-HDF-tools-0001"],
    }
    data.update(overrides)
    return pd.DataFrame(data)


def test_cleaned_schemas_hold_the_model_fields_then_provenance():
    for section in model.SECTIONS:
        columns = list(schemas.schema_for(section.name).columns)
        expected = section.field_names + list(model.PROVENANCE_COLUMNS)
        if section is model.SERVICE:
            expected += list(model.SERVICE_REFERENCE_COLUMNS)
        if section is model.ARRANGEMENTS:
            expected += list(model.ARRANGEMENT_REFERENCE_COLUMNS)
        assert columns == expected


def test_required_fields_are_not_nullable_and_kinds_give_dtypes():
    categories = schemas.schema_for("categories").columns
    assert categories["title"].nullable is False
    assert categories["supplier"].nullable is True
    assert str(categories["annual_cost"].dtype) == "float64"
    assert str(categories["personal_data"].dtype) == "boolean"
    assert str(schemas.schema_for("tools").columns["users"].dtype) == "Int64"
    assert str(schemas.schema_for("arrangements").columns["start_date"].dtype) == "datetime64[ns]"


def test_valid_hand_written_tables_pass():
    schemas.validate_table("maturity", _maturity())
    schemas.validate_table("tools", _tools())


def test_label_outside_the_vocabulary_fails():
    with pytest.raises(schemas.TableValidationError, match="level"):
        schemas.validate_table("maturity", _maturity(level=["2 - Reproductible", "6 - Parfait"]))


def test_missing_required_value_fails():
    with pytest.raises(schemas.TableValidationError, match="dimension"):
        schemas.validate_table("maturity", _maturity(dimension=["Stratégie et gouvernance", None]))


def test_multichoice_item_outside_the_vocabulary_fails():
    with pytest.raises(schemas.TableValidationError, match="audience"):
        schemas.validate_table("tools", _tools(audience=["Agents du service; Martiens"]))


def test_number_above_the_field_bound_fails():
    # users: max 1 000 000 in the model.
    with pytest.raises(schemas.TableValidationError, match="users"):
        schemas.validate_table("tools", _tools(users=pd.array([2_000_000], dtype="Int64")))


def test_wrong_dtype_and_duplicate_row_id_fail():
    with pytest.raises(schemas.TableValidationError, match="annual_cost"):
        schemas.validate_table("tools", _tools(annual_cost=["12 500 €"]))
    with pytest.raises(schemas.TableValidationError, match="row_id"):
        schemas.validate_table("maturity", _maturity(row_id=["X", "X"]))


def test_a_number_in_a_text_column_fails_naming_the_column():
    with pytest.raises(schemas.TableValidationError,
                       match=r"colonne comment : contrôle valeurs textuelles attendues non respecté \(valeur 3.5"):
        schemas.validate_table("maturity", _maturity(comment=["Bien", 3.5]))
    with pytest.raises(schemas.TableValidationError, match="colonne source_file : contrôle valeurs textuelles"):
        schemas.validate_table("maturity", _maturity(source_file=["a.xlsx", 7]))
    # nulls are allowed where the column is nullable
    schemas.validate_table("maturity", _maturity(comment=["Bien", None]))


def test_extra_column_fails_on_strict_cleaned_tables():
    df = _maturity()
    df["surprise"] = 1
    with pytest.raises(schemas.TableValidationError):
        schemas.validate_table("maturity", df)


def test_date_with_a_time_fails():
    arrangements = schemas.schema_for("arrangements")
    column = arrangements.columns["end_date"]
    ok = pd.DataFrame({"end_date": pd.to_datetime(["2021-01-01", None])})
    bad = pd.DataFrame({"end_date": pd.to_datetime(["2021-01-01 13:30"])})
    pa.DataFrameSchema({"end_date": column}).validate(ok)
    with pytest.raises(pa.errors.SchemaError):
        pa.DataFrameSchema({"end_date": column}).validate(bad)


def _accounting(raw: int, cleaned: int, rejected: int, blank: int) -> pd.DataFrame:
    return pd.DataFrame({
        "source_file": ["a.xlsx"], "source_sheet": ["Données"], "section": ["categories"],
        "raw_rows": [raw], "cleaned_rows": [cleaned], "rejected_rows": [rejected], "blank_rows": [blank],
    }).astype({"raw_rows": "int64", "cleaned_rows": "int64", "rejected_rows": "int64", "blank_rows": "int64"})


def test_accounting_identity_is_checked():
    schemas.validate_table("accounting", _accounting(10, 6, 3, 1))
    with pytest.raises(schemas.TableValidationError, match="accounting"):
        schemas.validate_table("accounting", _accounting(10, 6, 3, 0))


def test_rejects_need_a_reason_and_allow_file_level_rows():
    ok = pd.DataFrame({
        "source_file": ["a.pdf", "b.xlsx"], "source_sheet": [None, "Données"],
        "source_row": pd.array([None, 4], dtype="Int64"), "column": [None, "Thème"],
        "raw_value": [None, "Astrologie"], "reason": ["format non pris en charge (.pdf)", "thème inconnu"],
    })
    schemas.validate_table("rejects", ok)
    with pytest.raises(schemas.TableValidationError):
        schemas.validate_table("rejects", ok.assign(reason=["", "x"]))


def test_review_status_is_controlled():
    row = pd.DataFrame({
        "source_file": ["a.xlsx"], "source_sheet": ["Service"], "source_row": pd.array([2], dtype="Int64"),
        "column": ["Service"], "raw_value": ["DREAL Picardie"], "kind": ["service"],
        "candidate_id": ["DREAL-HDF"], "candidate_name": ["DREAL"], "score": [66.7], "method": ["none"],
        "status": ["non rapproché"], "assigned_id": [None],
    })
    schemas.validate_table("review", row)
    with pytest.raises(schemas.TableValidationError):
        schemas.validate_table("review", row.assign(status=["peut-être"]))


def test_unknown_table_name_raises_key_error():
    with pytest.raises(KeyError):
        schemas.schema_for("nope")
