"""Pandera schemas of every processed table, derived from the survey model.

Nothing here restates a vocabulary or a field: the schemas of the cleaned tables are built by
looping over ``model.SECTIONS`` (kind -> dtype and checks, ``required`` -> not nullable, bounds ->
range checks, vocabularies -> ``isin`` checks). The bookkeeping tables (rejects, review,
corrections, accounting) have hand-written schemas because they are not survey sections.

Column dtypes of the cleaned tables:

- text-like kinds (text, longtext, url, email, phone, service, arrangement), choice and
  multichoice: Python ``str`` in an ``object`` column;
- money and fte: ``float64``; integer: ``Int64``; bool: ``boolean``;
- date: ``datetime64[ns]`` normalised to midnight;
- ``source_row``: ``int64`` (the 1-based Excel row number).
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache

import pandas as pd
import pandera.pandas as pa

from analysis import model

# pandera asks, for every column it validates, whether its dtype is a geopandas one by trying
# ``from geopandas.array import GeometryDtype``; without geopandas each attempt searches the whole
# import path again (about 10 ms per ingested edition). Geopandas is not a dependency: when it is
# not installed, record it as absent so that the attempt fails at once.
if "geopandas" not in sys.modules and importlib.util.find_spec("geopandas") is None:
    sys.modules["geopandas"] = None  # type: ignore[assignment]

#: Dtype of each field kind in the cleaned tables.
KIND_DTYPES: dict[str, object] = {
    "text": str,
    "longtext": str,
    "url": str,
    "email": str,
    "phone": str,
    "service": str,
    "arrangement": str,
    "choice": str,
    "multichoice": str,
    "money": "float64",
    "fte": "float64",
    "integer": "Int64",
    "bool": "boolean",
    "date": "datetime64[ns]",
}

#: Values of the ``kind`` column of the review table.
REVIEW_KINDS = ("service", "dispositif")
#: Values of the ``status`` column of the review table.
REVIEW_STATUSES = ("accepté", "non rapproché")

#: Columns of the review, corrections and accounting tables (rejects: ``model.REJECT_COLUMNS``).
REVIEW_COLUMNS = (
    "source_file", "source_sheet", "source_row", "column", "raw_value", "kind", "candidate_id",
    "candidate_name", "score", "method", "status", "assigned_id",
)
CORRECTION_COLUMNS = ("source_file", "source_sheet", "source_row", "column", "raw_value", "cleaned_value", "rule")
ACCOUNTING_COLUMNS = ("source_file", "source_sheet", "section", "raw_rows", "cleaned_rows", "rejected_rows",
                      "blank_rows")


class TableValidationError(ValueError):
    """A processed table that does not match its schema; the message is in French."""


def _text_failures(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame | bool:
    # Fast path: one pass in C per column says it holds only strings (or nulls); only a failing
    # column is checked value by value, so that the error names the offending values.
    present = [c for c in columns if c in df.columns]
    bad = [c for c in present if pd.api.types.infer_dtype(df[c], skipna=True) not in ("string", "empty")]
    if not bad:
        return True
    ok = pd.DataFrame(True, index=df.index, columns=df.columns)
    for c in bad:
        ok[c] = df[c].map(type).eq(str) | df[c].isna()
    return ok


def _texts_check(columns: tuple[str, ...]) -> pa.Check:
    """One table-wide check that the text columns hold ``str`` (or nulls).

    Text columns are ``object`` columns holding ``str``. One check for all of a table's text
    columns, rather than one per column, spares pandera's fixed cost per check (about a third
    of a millisecond, paid 130 times per ingested edition) while still naming failing columns.
    """
    return pa.Check(lambda df: _text_failures(df, columns), name="is_text", error="valeurs textuelles attendues")


#: Metadata marking the columns that :func:`frame_schema` checks for text values.
_TEXT = {"text": True}


def text_column(*checks: pa.Check, nullable: bool = False, unique: bool = False, **kwargs) -> pa.Column:
    """A text column: ``object`` dtype, every non-null value a ``str`` (checked by the table).

    Args:
        checks: further checks.
        nullable: nulls allowed.
        unique: values must be distinct.
        kwargs: passed to ``pa.Column`` (title, description).

    Returns:
        The column, marked for the table-wide text check of :func:`frame_schema`.
    """
    return pa.Column(object, checks=list(checks), nullable=nullable, unique=unique, metadata=_TEXT, **kwargs)


def frame_schema(columns: dict[str, pa.Column], checks: list[pa.Check] | None = None, **kwargs) -> pa.DataFrameSchema:
    """A table schema whose :func:`text_column` columns are checked to hold text.

    Args:
        columns: the columns.
        checks: further table-wide checks.
        kwargs: passed to ``pa.DataFrameSchema`` (strict, ordered, name).

    Returns:
        The schema.
    """
    texts = tuple(name for name, col in columns.items() if col.metadata == _TEXT)
    return pa.DataFrameSchema(columns, checks=[_texts_check(texts), *(checks or [])], **kwargs)


def _multichoice_check(vocab: model.Vocabulary) -> pa.Check:
    labels = frozenset(vocab.labels)

    def known(value: object) -> bool:
        return all(item.strip() in labels for item in str(value).split(model.MULTI_SEPARATOR.strip()))

    def items_known(series: pd.Series) -> pd.Series | bool:
        # answers repeat a lot: check each distinct value once
        verdict = {v: known(v) for v in series.dropna().unique()}
        if all(verdict.values()):
            return True
        return series.map(lambda v: v is None or (isinstance(v, float) and pd.isna(v)) or verdict[v])

    return pa.Check(items_known, element_wise=False, name=f"items_in_{vocab.name}",
                    error=f"chaque valeur doit appartenir à la liste « {vocab.label} »")


def _midnight_check() -> pa.Check:
    return pa.Check(lambda s: s.isna() | (s == s.dt.normalize()), name="date_at_midnight",
                    error="les dates doivent être à minuit (sans heure)")


def field_column(field: model.Field) -> pa.Column:
    """Return the pandera column of one survey field.

    Args:
        field: a field of ``model``.

    Returns:
        A column with the kind's dtype, nullable unless the field is required, with the
        vocabulary and bound checks.
    """
    checks: list[pa.Check] = []
    if field.kind == "choice" and field.vocab is not None:
        checks.append(pa.Check.isin(field.vocab.labels))
    elif field.kind == "multichoice" and field.vocab is not None:
        checks.append(_multichoice_check(field.vocab))
    if field.kind in ("money", "fte", "integer"):
        if field.min_value is not None:
            checks.append(pa.Check.ge(field.min_value))
        if field.max_value is not None:
            checks.append(pa.Check.le(field.max_value))
    if field.kind == "date":
        checks.append(_midnight_check())
    if KIND_DTYPES[field.kind] is str:
        if field.required:
            checks.append(pa.Check.str_length(min_value=1))
        return text_column(*checks, nullable=not field.required, title=field.label, description=field.help)
    return pa.Column(KIND_DTYPES[field.kind], checks=checks, nullable=not field.required,
                     title=field.label, description=field.help)


def _provenance_columns() -> dict[str, pa.Column]:
    return {
        "service_id": text_column(pa.Check.str_length(min_value=1)),
        "source_file": text_column(pa.Check.str_length(min_value=1)),
        "source_sheet": text_column(),
        "source_row": pa.Column("int64", pa.Check.ge(1)),
        "row_id": text_column(unique=True),
    }


@cache
def schema_for(section_name: str) -> pa.DataFrameSchema:
    """Return the schema of a processed table.

    Args:
        section_name: a section name (``services``, ``categories``…) or a bookkeeping table
            name (``rejects``, ``review``, ``corrections``, ``accounting``,
            ``reference_services``, ``reference_arrangements``).

    Returns:
        The pandera schema; cleaned tables are strict (no column beyond the model's).

    Raises:
        KeyError: for an unknown table name.
    """
    if section_name in model.SECTIONS_BY_NAME:
        section = model.SECTIONS_BY_NAME[section_name]
        columns = {f.name: field_column(f) for f in section.fields}
        columns.update(_provenance_columns())
        if section is model.SERVICE:
            columns.update({
                "service_acronym": text_column(nullable=True),
                "service_name": text_column(),
                "ministry": text_column(nullable=True),
                "service_type": text_column(nullable=True),
                "departement": text_column(nullable=True),
                "match_method": text_column(),
                "match_score": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
            })
            assert tuple(columns)[-len(model.SERVICE_REFERENCE_COLUMNS):] == model.SERVICE_REFERENCE_COLUMNS
        if section is model.ARRANGEMENTS:
            columns.update({
                "arrangement_id": text_column(pa.Check.str_length(min_value=1)),
                "arrangement_name": text_column(),
                "arrangement_match_method": text_column(),
                "arrangement_match_score": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
            })
            assert tuple(columns)[-len(model.ARRANGEMENT_REFERENCE_COLUMNS):] == model.ARRANGEMENT_REFERENCE_COLUMNS
        return frame_schema(columns, strict=True, ordered=True, name=section_name)

    if section_name == "rejects":
        return frame_schema({
            "source_file": text_column(pa.Check.str_length(min_value=1)),
            "source_sheet": text_column(nullable=True),
            "source_row": pa.Column("Int64", pa.Check.ge(1), nullable=True),
            "column": text_column(nullable=True),
            "raw_value": text_column(nullable=True),
            "reason": text_column(pa.Check.str_length(min_value=1)),
        }, strict=True, ordered=True, name="rejects")
    if section_name == "review":
        return frame_schema({
            "source_file": text_column(),
            "source_sheet": text_column(nullable=True),
            "source_row": pa.Column("Int64", nullable=True),
            "column": text_column(),
            "raw_value": text_column(),
            "kind": text_column(pa.Check.isin(REVIEW_KINDS)),
            "candidate_id": text_column(nullable=True),
            "candidate_name": text_column(nullable=True),
            "score": pa.Column("float64", pa.Check.in_range(0, 100), nullable=True),
            "method": text_column(),
            "status": text_column(pa.Check.isin(REVIEW_STATUSES)),
            "assigned_id": text_column(nullable=True),
        }, strict=True, ordered=True, name="review")
    if section_name == "corrections":
        return frame_schema({
            "source_file": text_column(),
            "source_sheet": text_column(),
            "source_row": pa.Column("int64", pa.Check.ge(1)),
            "column": text_column(),
            "raw_value": text_column(),
            "cleaned_value": text_column(nullable=True),
            "rule": text_column(pa.Check.str_length(min_value=1)),
        }, strict=True, ordered=True, name="corrections")
    if section_name == "accounting":
        count = pa.Column("int64", pa.Check.ge(0))
        return frame_schema(
            {
                "source_file": text_column(),
                "source_sheet": text_column(nullable=True),
                "section": text_column(pa.Check.isin(list(model.SECTIONS_BY_NAME)), nullable=True),
                "raw_rows": count,
                "cleaned_rows": count,
                "rejected_rows": count,
                "blank_rows": count,
            },
            checks=[pa.Check(
                lambda df: df["raw_rows"] == df["cleaned_rows"] + df["rejected_rows"] + df["blank_rows"],
                name="raw_equals_cleaned_plus_rejected_plus_blank",
                error="lignes lues ≠ lignes retenues + rejetées + vides",
            )],
            strict=True, ordered=True, name="accounting",
        )
    if section_name == "reference_services":
        return frame_schema({
            "id": text_column(unique=True),
            "acronym": text_column(nullable=True),
            "name": text_column(),
        }, strict=False, name="reference_services")
    if section_name == "reference_arrangements":
        return frame_schema({
            "id": text_column(unique=True),
            "name": text_column(),
        }, strict=False, name="reference_arrangements")
    raise KeyError(f"no schema for table {section_name!r}")


def _describe(exc: pa.errors.SchemaErrors, limit: int = 10) -> str:
    cases = exc.failure_cases
    lines = []
    for row in cases.head(limit).itertuples(index=False):
        # a table-wide check reports {column: value} for the failing cells of a row
        pairs = row.failure_case.items() if isinstance(row.failure_case, dict) else [(row.column, row.failure_case)]
        for column, value in pairs:
            lines.append(f"  colonne {column!s} : contrôle {row.check!s} non respecté "
                         f"(valeur {value!r}, ligne d'index {row.index!s})")
    if len(cases) > limit:
        lines.append(f"  … et {len(cases) - limit} autre(s) écart(s)")
    return "\n".join(lines)


def validate_table(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Validate one processed table against its schema.

    Args:
        name: table name (see :func:`schema_for`).
        df: the table.

    Returns:
        The table, unchanged.

    Raises:
        TableValidationError: in French, naming the table, columns and failing values.
    """
    try:
        return schema_for(name).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise TableValidationError(f"Table « {name} » non conforme à son schéma :\n{_describe(exc)}") from exc


def validate_tables(tables) -> None:
    """Validate every table of an :class:`analysis.tables.Tables`.

    Args:
        tables: the processed tables.

    Raises:
        TableValidationError: listing, in French, every table that fails and why.
    """
    problems = []
    for name, df in tables.items():
        try:
            validate_table(name, df)
        except TableValidationError as exc:
            problems.append(str(exc))
    if problems:
        raise TableValidationError("\n".join(problems))
