"""The processed tables of an edition: what ingestion writes and what every chapter reads.

Layout of ``data/processed/<edition>/`` (the internal audience) and of
``data/processed/<edition>/public/`` (the public-filtered copy, same layout):

- ``services``: one row per responding service (service sheet, resolved against the reference list);
- ``categories``, ``tools``, ``arrangements``, ``maturity``: one row per cleaned answer row;
- ``rejects``: one row per rejected raw row (file, sheet, row, column, raw value, French reason);
- ``review``: names matched with low confidence or not matched, to be checked by an analyst;
- ``corrections``: values recoded during cleaning (raw value, cleaned value, rule);
- ``accounting``: per file and sheet, raw rows = cleaned + rejected + blank;
- ``reference_services``, ``reference_arrangements``: the reference lists used (who did not answer);
- ``ingestion_log.json``: the data log (files read, counts, rules applied, caveats).

Each table is written as Parquet (read by the code) and CSV (UTF-8 with BOM, ``;``, for people).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import paths

TABLE_NAMES = (
    "services",
    "categories",
    "tools",
    "arrangements",
    "maturity",
    "rejects",
    "review",
    "corrections",
    "accounting",
    "reference_services",
    "reference_arrangements",
)

LOG_NAME = "ingestion_log.json"

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text a spreadsheet would evaluate (``=…``, ``+…``, ``-…``, ``@…``, tab, CR) with ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every text cell neutralised (numbers, dates and booleans untouched).

    Used for every CSV or XLSX file written for people: a cell typed ``=HYPERLINK(…)`` by a
    respondent must not become a live formula in the analyst's spreadsheet.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) == "string":
            out[col] = out[col].map(neutralise).astype(object)
    return out


@dataclass
class Tables:
    """All processed tables of one edition and audience."""

    services: pd.DataFrame
    categories: pd.DataFrame
    tools: pd.DataFrame
    arrangements: pd.DataFrame
    maturity: pd.DataFrame
    rejects: pd.DataFrame
    review: pd.DataFrame
    corrections: pd.DataFrame
    accounting: pd.DataFrame
    reference_services: pd.DataFrame
    reference_arrangements: pd.DataFrame
    log: dict[str, Any] = field(default_factory=dict)

    def items(self) -> list[tuple[str, pd.DataFrame]]:
        """(name, table) pairs, in ``TABLE_NAMES`` order."""
        return [(f.name, getattr(self, f.name)) for f in fields(self) if f.name in TABLE_NAMES]


def audience_dir(edition_id: str, audience: str = "interne") -> Path:
    """Folder holding the tables of one audience."""
    base = paths.processed_dir(edition_id)
    return base if audience == "interne" else base / "public"


def save_tables(tables: Tables, folder: Path) -> None:
    """Write every table as Parquet and CSV, and the log as JSON, into ``folder``.

    Writing is deterministic: rows keep their order, CSV uses ``;`` and UTF-8 with BOM. Parquet
    keeps the values as cleaned; the CSV copies, meant to be opened in a spreadsheet, have
    formula-like texts neutralised (:func:`neutralise`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df = df.reset_index(drop=True)
        df.to_parquet(folder / f"{name}.parquet", index=False)
        neutralise_frame(df).to_csv(folder / f"{name}.csv", index=False, sep=";", encoding="utf-8-sig")
    (folder / LOG_NAME).write_text(
        json.dumps(tables.log, ensure_ascii=False, indent=2, sort_keys=True, default=str), encoding="utf-8"
    )


def read_tables(folder: Path) -> Tables:
    """Read the tables written by :func:`save_tables`.

    Raises:
        FileNotFoundError: with a French message telling to run the ingestion first.
    """
    missing = [n for n in TABLE_NAMES if not (folder / f"{n}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"Tables traitées absentes dans {folder} ({', '.join(missing)}) : "
            "lancez d'abord « python -m analysis ingest --edition … »."
        )
    data = {n: pd.read_parquet(folder / f"{n}.parquet") for n in TABLE_NAMES}
    log_path = folder / LOG_NAME
    log = json.loads(log_path.read_text(encoding="utf-8")) if log_path.is_file() else {}
    return Tables(**data, log=log)


def load_tables(edition_id: str, audience: str = "interne") -> Tables:
    """Read an edition's processed tables for an audience (``interne`` or ``public``)."""
    return read_tables(audience_dir(edition_id, audience))
