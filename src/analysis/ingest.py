"""Read every returned questionnaire of an edition, clean it and write the processed tables.

The pipeline, file by file (one bad file never stops the others):

1. guard the file: hidden and lock files (``~$…``) are skipped; the size is checked before
   reading; an OLE2 file (password-protected workbook or old ``.xls``), an empty file, a corrupt
   zip or a zip bomb is refused with a French message;
2. read it: ``.xlsx``/``.xlsm`` with python-calamine (cached values of formulas; merged cells give
   their value in the first cell), ``.csv`` with the encoding detected among UTF-8, UTF-8 with
   BOM and cp1252 and the delimiter ``;`` or ``,``;
3. match sheets to sections (names and synonyms, accents and case ignored), find the header row
   among the first rows, match headers to fields (labels, names and synonyms);
4. clean every row field by field with :func:`analysis.clean.clean_value` (each distinct raw
   value of a field is cleaned once); a row missing a required value or with an unreadable
   required value is rejected; an unreadable optional value is emptied and recorded in the
   corrections table;
5. resolve the answering service against the reference list (a return whose service is not
   recognised is rejected whole) and each arrangement's name against the list of arrangements
   (an unknown arrangement is kept under an ``AUTRE-…`` identifier and listed for review);
6. drop duplicate rows within a return and returns replaced by a later return of the same
   service.

Every raw row ends in a cleaned table, in the rejects (with a French reason) or among the blank
rows, and the accounting table checks ``raw = cleaned + rejected + blank`` per file and sheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import os
import re
import shutil
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import model
from analysis.edition import Edition
from analysis.schemas import (
    ACCOUNTING_COLUMNS,
    CORRECTION_COLUMNS,
    REVIEW_COLUMNS,
    TableValidationError,
    validate_tables,
)
from analysis.tables import Tables, save_tables
from analysis.template import AUXILIARY_SHEETS, PREFILLED_FIELDS, service_choice_label

#: Largest file read (bytes); larger files are refused before being opened.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Largest number of rows read in one sheet or CSV export.
MAX_ROWS_PER_SHEET = 20_000
#: Largest total uncompressed size of an .xlsx archive (zip-bomb guard).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Largest ratio uncompressed / compressed of an .xlsx archive (zip-bomb guard).
MAX_COMPRESSION_RATIO = 100
#: Number of rows searched for the header row.
HEADER_SEARCH_ROWS = 10

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
CSV_ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
#: Notes left in a survey folder by whoever collected the returns: skipped, not refused.
README_STEMS = ("readme", "lisezmoi")

OPTIONAL_ERROR_RULE = "valeur illisible ignorée : {reason}"

RULES = (
    "Une ligne sans valeur dans une colonne obligatoire, ou dont la valeur obligatoire est illisible, est rejetée.",
    "Une valeur illisible dans une colonne facultative est vidée ; la ligne est conservée et la valeur "
    "figure dans la table des corrections (« valeur illisible ignorée »).",
    "Dans un même retour et un même onglet, les lignes identiques sur toutes les colonnes du questionnaire "
    "(après nettoyage) sont des doublons : la première est conservée, les suivantes sont rejetées.",
    "Lorsqu'un service a envoyé plusieurs retours couvrant les mêmes onglets, seul le plus récent (date de "
    "réponse la plus tardive, puis nom de fichier le plus grand dans l'ordre alphabétique) est conservé ; "
    "toutes les lignes des autres retours sont rejetées.",
    "Un retour dont le service n'est pas reconnu dans la liste de référence est rejeté en entier : aucun "
    "service n'est rapproché en dessous du seuil de similarité.",
    "Un dispositif absent de la liste de référence est conservé sous un identifiant « AUTRE-… » et listé "
    "dans la table des rapprochements à vérifier.",
    "Les lignes vides sont comptées et écartées ; les lignes vides en fin d'onglet ne sont pas comptées.",
)

CAVEATS = (
    "Les formules Excel sont lues par leur dernière valeur calculée enregistrée dans le fichier ; une formule "
    "jamais calculée donne une cellule vide.",
    "Dans une plage de cellules fusionnées, seule la première cellule porte la valeur ; les autres sont lues vides.",
    "Une valeur illisible dans une colonne facultative est ignorée (vidée) plutôt que de faire rejeter toute la ligne.",
    "Un export CSV ne contient qu'un onglet ; son service est lu dans une colonne « Service » ou, à défaut, "
    "dans le nom du fichier.",
    "Dans l'onglet Maturité, une ligne qui ne contient que la dimension pré-remplie par le modèle est "
    "considérée comme vide (dimension non évaluée).",
)


class FileRefused(Exception):
    """A file that cannot be read as a questionnaire; ``reason`` is in French."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _clean_module():
    from analysis import clean

    return clean


def _norm(text: Any) -> str:
    return _clean_module().normalise_key(str(text))


def _is_empty(raw: Any) -> bool:
    if raw is None or raw == "":
        return True
    return bool(_clean_module().is_empty(raw))


def _raw_text(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _value_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return model.MULTI_SEPARATOR.join(map(str, value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _q(text: str) -> str:
    return f"« {text} »"


def slug(text: str) -> str:
    """An identifier made of the normalised words of ``text`` joined by dashes (``"observatoire-climat"``)."""
    return "-".join(_norm(text).split())[:60] or "sans-nom"



# ---------------------------------------------------------------------------------------------
# What was read
# ---------------------------------------------------------------------------------------------


@dataclass
class SheetData:
    """One sheet (or CSV export) matched to a section, as read."""

    source_file: str
    sheet: str
    section: model.Section
    rows: list[list[Any]]
    header_index: int = 0
    columns: dict[int, model.Field] = field(default_factory=dict)
    service_column: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    missing_required: list[model.Field] = field(default_factory=list)
    raw_rows: int = 0
    blank_rows: int = 0


@dataclass
class FileData:
    """One file of the survey folder, as read (or refused)."""

    name: str
    meta: dict[str, Any]
    is_csv: bool = False
    status: str = "lu"
    messages: list[str] = field(default_factory=list)
    sheets: list[SheetData] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    refused: str | None = None


@dataclass(slots=True)
class Row:
    """One non-blank raw row, cleaned."""

    file: str
    sheet: str
    section: str
    excel_row: int
    values: dict[str, Any]
    corrections: list[tuple[str, Any, Any, str]]
    service_raw: Any = None
    service_id: str | None = None


@dataclass
class _Resolved:
    id: str | None
    method: str
    score: float | None
    candidate_id: str | None
    candidate_name: str | None
    needs_review: bool


class _Rejects:
    """Accumulates reject rows, and remembers which raw rows were rejected."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, file: str, sheet: str | None, row: int | None, column: str | None, raw: Any, reason: str) -> None:
        self.rows.append({"source_file": file, "source_sheet": sheet, "source_row": row, "column": column,
                          "raw_value": _raw_text(raw), "reason": reason})

    def reject_row(self, row: Row, reason: str, column: str | None = None, raw: Any = None) -> None:
        self.add(row.file, row.sheet, row.excel_row, column, raw, reason)


# ---------------------------------------------------------------------------------------------
# Header and sheet matching, derived from the model
# ---------------------------------------------------------------------------------------------


def _header_map(section: model.Section) -> dict[str, model.Field]:
    """Normalised header -> field; labels win over names, names over synonyms."""
    mapping: dict[str, model.Field] = {}
    for pass_ in ("label", "name", "synonyms"):
        for f in section.fields:
            keys = f.synonyms if pass_ == "synonyms" else (getattr(f, pass_),)
            for key in keys:
                mapping.setdefault(_norm(key), f)
    return mapping


def _sheet_map() -> dict[str, model.Section]:
    mapping: dict[str, model.Section] = {}
    for section in model.SECTIONS:
        for key in (section.sheet, *section.sheet_synonyms):
            mapping.setdefault(_norm(key), section)
    return mapping


def _service_header_keys() -> set[str]:
    f = model.SERVICE.field("service")
    return {_norm(k) for k in (f.label, f.name, *f.synonyms)}


class _Matcher:
    """Caches of normalised keys (built once per ingestion)."""

    def __init__(self) -> None:
        self.headers = {s.name: _header_map(s) for s in model.SECTIONS}
        self.sheets = _sheet_map()
        self.auxiliary = {_norm(n) for n in AUXILIARY_SHEETS}
        self.service_keys = _service_header_keys()
        self._norm_cache: dict[str, str] = {}

    def norm(self, text: Any) -> str:
        if not isinstance(text, str):
            text = _raw_text(text) or ""
        try:
            return self._norm_cache[text]
        except KeyError:
            key = self._norm_cache[text] = _norm(text) if text.strip() else ""
            return key

    def header_score(self, row: list[Any], section: model.Section) -> int:
        mapping = self.headers[section.name]
        return len({mapping[k].name for k in (self.norm(c) for c in row if isinstance(c, str)) if k in mapping})

    def find_header(self, rows: list[list[Any]], section: model.Section) -> tuple[int, int]:
        """(row index, number of fields matched) of the best header row among the first rows."""
        best, best_index = 0, 0
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            score = self.header_score(row, section)
            if score > best:
                best, best_index = score, i
        return best_index, best


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def list_survey_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The files of a survey folder to read, sorted by name, and the names skipped.

    Args:
        folder: the edition's survey folder.

    Returns:
        (files to read, names skipped: hidden files, Office lock files ``~$…``, sub-folders, the
        folder's own README / LISEZMOI).
    """
    files, skipped = [], []
    for p in sorted(Path(folder).iterdir(), key=lambda q: q.name):
        if p.name.startswith((".", "~$")) or not p.is_file() or p.stem.lower() in README_STEMS:
            skipped.append(p.name)
        else:
            files.append(p)
    return files, skipped


def _guard_zip(data: bytes) -> int:
    """Refuse corrupt archives and zip bombs; return the number of formula cells found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused("fichier Excel endommagé ou tronqué (archive illisible)") from exc
    total = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileRefused(f"fichier refusé : contenu décompressé trop volumineux ({total / 1e6:.0f} Mo, "
                          f"maximum {MAX_UNCOMPRESSED_BYTES / 1e6:.0f} Mo)")
    if total / compressed > MAX_COMPRESSION_RATIO:
        raise FileRefused(f"fichier refusé : taux de compression anormal ({total / compressed:.0f} pour 1, "
                          f"maximum {MAX_COMPRESSION_RATIO}) — archive suspecte")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise FileRefused("ce fichier n'est pas un classeur Excel (.xlsx) : aucun classeur dans l'archive")
    formulas = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            try:
                formulas += _count_formulas(archive, info)
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile, zlib.error) as exc:
                raise FileRefused("fichier Excel endommagé ou tronqué (onglet illisible)") from exc
    return formulas


#: Bytes decompressed at a time when a worksheet is scanned (bounds memory whatever the archive claims).
ZIP_CHUNK_BYTES = 1 << 20


def _count_formulas(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Count the formula cells of a worksheet, decompressing it chunk by chunk.

    ``ZipFile.read`` would inflate a whole member in one call, whatever size the archive declares:
    a bomb lying about its size would fill the memory before its checksum is found wrong. Read in
    chunks, the declared size caps what is inflated and the checksum error comes at its end.
    """
    count, tail = 0, b""
    with archive.open(info) as member:
        while chunk := member.read(ZIP_CHUNK_BYTES):
            window = tail + chunk
            count += window.count(b"<f>") + window.count(b"<f ")
            tail = window[-2:]  # a 3-byte tag cut between two chunks is whole in the next window only
    return count


def _read_excel(data: bytes, fd: FileData) -> list[tuple[str, list[list[Any]], int]]:
    """(sheet name, rows, merged ranges) of every worksheet."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError as exc:
        raise FileRefused("fichier protégé par mot de passe ou ancien format .xls : enregistrez-le au format "
                          ".xlsx sans mot de passe") from exc
    except Exception as exc:  # calamine raises several error types for damaged files
        raise FileRefused(f"fichier Excel illisible ({type(exc).__name__})") from exc
    sheets = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
        except Exception as exc:
            fd.messages.append(f"onglet {_q(name)} illisible ({type(exc).__name__}) : ignoré")
            fd.ignored_sheets.append(name)
            continue
        last_row = (sheet.end or (0, 0))[0] + 1
        if last_row > MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS:
            raise FileRefused(f"onglet {_q(name)} trop long ({last_row} lignes, maximum "
                              f"{MAX_ROWS_PER_SHEET}) : fichier refusé")
        rows = sheet.to_python(skip_empty_area=False)
        try:
            merged = len(sheet.merged_cell_ranges or ())
        except Exception:  # merged ranges are only reported, never needed
            merged = 0
        sheets.append((name, rows, merged))
    return sheets


def _decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRefused("encodage du fichier CSV non reconnu (attendu : UTF-8 ou Windows-1252)")


def _read_csv(data: bytes, fd: FileData) -> list[list[Any]]:
    text, encoding = _decode_csv(data)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS_PER_SHEET + HEADER_SEARCH_ROWS:
        raise FileRefused(f"export CSV trop long ({len(lines)} lignes, maximum {MAX_ROWS_PER_SHEET}) : fichier refusé")
    head = "\n".join(lines[:HEADER_SEARCH_ROWS])
    delimiter = ";" if head.count(";") >= head.count(",") else ","
    fd.meta.update(encoding=encoding, delimiter=delimiter)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _guess_section_from_name(stem: str, matcher: _Matcher) -> model.Section | None:
    words = f" {matcher.norm(stem)} "
    for key, section in matcher.sheets.items():
        if key and f" {key} " in words:
            return section
    for section in model.SECTIONS:
        if f" {_norm(section.name)} " in words:
            return section
    return None


def _match_columns(sd: SheetData, matcher: _Matcher, allow_service_column: bool) -> None:
    mapping = matcher.headers[sd.section.name]
    header = sd.rows[sd.header_index] if sd.rows else []
    seen: set[str] = set()
    for idx, cell in enumerate(header):
        key = matcher.norm(cell)
        if not key:
            continue
        f = mapping.get(key)
        if f is not None and f.name not in seen:
            sd.columns[idx] = f
            seen.add(f.name)
        elif allow_service_column and sd.service_column is None and key in matcher.service_keys:
            sd.service_column = idx
        else:
            sd.ignored_columns.append(str(cell))
    sd.missing_required = [f for f in sd.section.fields if f.required and f.name not in seen]


def read_file(path: Path, matcher: _Matcher | None = None) -> FileData:
    """Read one returned file into sheets matched to sections, or refuse it.

    Args:
        path: the file.
        matcher: header/sheet lookup caches (built when ``None``).

    Returns:
        The file as read; ``refused`` holds the French reason when it cannot be used.
    """
    matcher = matcher or _Matcher()
    fd = FileData(name=path.name, meta={"name": path.name})
    try:
        size = path.stat().st_size
        fd.meta["size"] = size
        suffix = path.suffix.lower()
        fd.meta["format"] = suffix.lstrip(".") or "inconnu"
        if size > MAX_FILE_BYTES:
            raise FileRefused(f"fichier trop volumineux ({size / 1e6:.1f} Mo, maximum {MAX_FILE_BYTES / 1e6:.0f} Mo)")
        if suffix not in EXCEL_SUFFIXES + CSV_SUFFIXES + (".xls",):
            raise FileRefused(f"format non pris en charge ({suffix or 'sans extension'}) : seuls les "
                              "questionnaires .xlsx, .xlsm et les exports .csv sont lus")
        data = path.read_bytes()
        fd.meta["sha256"] = hashlib.sha256(data).hexdigest()
        if not data:
            raise FileRefused("fichier vide (0 octet)")
        if data.startswith(OLE2_MAGIC):
            raise FileRefused("fichier protégé par mot de passe ou ancien format .xls : enregistrez-le au format "
                              ".xlsx sans mot de passe")
        if suffix == ".xls":
            raise FileRefused("ancien format .xls non pris en charge : enregistrez le fichier au format .xlsx")
        if suffix in CSV_SUFFIXES:
            fd.is_csv = True
            _read_csv_sheets(path, data, fd, matcher)
        else:
            _read_excel_sheets(data, fd, matcher)
    except FileRefused as exc:
        fd.refused, fd.status = exc.reason, "refusé"
        fd.sheets = []
    except Exception as exc:  # one bad file never stops the others
        fd.refused, fd.status = f"erreur inattendue à la lecture : {type(exc).__name__}", "refusé"
        fd.messages.append(f"détail technique : {exc}"[:300])
        fd.sheets = []
    return fd


def _read_excel_sheets(data: bytes, fd: FileData, matcher: _Matcher) -> None:
    if not data.startswith(b"PK"):
        raise FileRefused("fichier Excel endommagé ou d'un autre format (signature .xlsx absente)")
    formulas = _guard_zip(data)
    sheets = _read_excel(data, fd)
    used: set[str] = set()
    merged_total = 0
    for name, rows, merged in sheets:
        key = matcher.norm(name)
        section = matcher.sheets.get(key)
        if section is None or key in matcher.auxiliary:
            fd.ignored_sheets.append(name)
            if key not in matcher.auxiliary:
                fd.messages.append(f"onglet {_q(name)} non reconnu : ignoré")
            continue
        if section.name in used:
            fd.ignored_sheets.append(name)
            fd.messages.append(f"onglet {_q(name)} : deuxième onglet {_q(section.sheet)}, ignoré")
            continue
        used.add(section.name)
        merged_total += merged
        sd = SheetData(fd.name, name, section, rows)
        sd.header_index, _ = matcher.find_header(rows, section)
        _match_columns(sd, matcher, allow_service_column=False)
        fd.sheets.append(sd)
    if not fd.sheets:
        found = ", ".join(_q(n) for n, _, _ in sheets) or "aucun"
        raise FileRefused(f"ce fichier n'est pas un questionnaire : aucun onglet du questionnaire reconnu "
                          f"(onglets trouvés : {found})")
    for section in model.SECTIONS:
        if section.name not in used:
            extra = " (facultatif)" if section.optional else ""
            fd.messages.append(f"onglet {_q(section.sheet)} absent{extra}")
    if formulas:
        fd.messages.append(f"{formulas} cellule(s) contenant une formule : valeur calculée enregistrée utilisée")
    if merged_total:
        fd.messages.append(f"{merged_total} plage(s) de cellules fusionnées : valeur lue dans la première cellule")
    fd.meta.update(formulas=formulas, merged_ranges=merged_total)


def _read_csv_sheets(path: Path, data: bytes, fd: FileData, matcher: _Matcher) -> None:
    rows = _read_csv(data, fd)
    best: tuple[int, model.Section | None, int] = (0, None, 0)
    for section in model.SECTIONS:
        index, score = matcher.find_header(rows, section)
        if score > best[0]:
            best = (score, section, index)
    score, section, index = best
    if section is None or score < 2:
        by_name = _guess_section_from_name(path.stem, matcher)
        if by_name is not None:
            section, index = by_name, matcher.find_header(rows, by_name)[0]
            fd.messages.append(f"export CSV rattaché à l'onglet {_q(by_name.sheet)} d'après le nom du fichier")
    if section is None:
        raise FileRefused("ce fichier CSV n'est pas un export du questionnaire : aucun en-tête reconnu")
    sd = SheetData(fd.name, section.sheet, section, rows, header_index=index)
    _match_columns(sd, matcher, allow_service_column=section is not model.SERVICE)
    fd.sheets.append(sd)


# ---------------------------------------------------------------------------------------------
# Cleaning rows
# ---------------------------------------------------------------------------------------------

_EMPTY = object()


class _Cleaner:
    """Cleans raw cells, each distinct (field, raw value) pair once."""

    def __init__(self) -> None:
        self.clean = _clean_module()
        self._cache: dict[tuple[str, str], dict[tuple[type, Any], Any]] = defaultdict(dict)
        self._empty: dict[tuple[type, Any], bool] = {}
        self._empty_str: dict[str, bool] = {}

    def is_empty(self, raw: Any) -> bool:
        if raw is None or raw == "":
            return True
        kind = type(raw)
        if kind is float:
            return raw != raw  # NaN
        if kind is int or kind is bool or kind is dt.datetime or kind is dt.date:
            return False
        if kind is str:
            try:
                return self._empty_str[raw]
            except KeyError:
                result = self._empty_str[raw] = bool(self.clean.is_empty(raw))
                return result
        key = (type(raw), raw)
        try:
            return self._empty[key]
        except KeyError:
            result = self._empty[key] = bool(self.clean.is_empty(raw))
            return result
        except TypeError:
            return bool(self.clean.is_empty(raw))

    def field_cache(self, section: str, f: model.Field) -> dict[tuple[type, Any], Any]:
        """The cache of one field's results, keyed by ``(type(raw), raw)``."""
        return self._cache[(section, f.name)]

    def filled_cell(self, section: str, f: model.Field, raw: Any) -> Any:
        """The ``Cleaned`` result or a ``CleanError`` of a cell known to be non-empty."""
        cache = self._cache[(section, f.name)]
        key = (type(raw), raw)
        try:
            return cache[key]
        except KeyError:
            pass
        try:
            result = self.clean.clean_value(f, raw)
        except self.clean.CleanError as exc:
            # kept without its traceback: the traceback's frames would hold the whole run (the
            # cache is reachable from them), a cycle only the garbage collector could free
            result = exc.with_traceback(None)
        cache[key] = result
        return result


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _clean_sheet(sd: SheetData, cleaner: _Cleaner, rejects: _Rejects, csv_stem: str | None) -> list[Row]:
    """Clean the rows of one sheet; reject the unusable ones; count blank rows.

    Args:
        sd: the sheet as read.
        cleaner: the shared cleaning cache.
        rejects: where rejected rows go.
        csv_stem: for a CSV export, the file's stem (fallback service name).

    Returns:
        The kept rows.
    """
    section = sd.section
    data = sd.rows[sd.header_index + 1:]
    while data and all(cleaner.is_empty(c) for c in data[-1]):
        data.pop()
    sd.raw_rows = len(data)
    prefilled = {i for i, f in sd.columns.items() if f.name in PREFILLED_FIELDS.get(section.name, ())}
    first_row = sd.header_index + 2
    kept: list[Row] = []
    missing = sd.missing_required
    required = [(i, f) for i, f in sd.columns.items() if f.required]
    CleanError = cleaner.clean.CleanError
    is_empty = cleaner.is_empty
    empty_str = cleaner._empty_str
    columns = [(idx, f, cleaner.field_cache(section.name, f)) for idx, f in sd.columns.items()]
    for offset, cells in enumerate(data):
        # the cells holding an answer; strings (most cells) through a plain dict of known strings
        filled = set()
        for i, c in enumerate(cells):
            if c is None or c == "":
                continue
            if (empty_str.get(c) if type(c) is str else None) is False or not is_empty(c):
                filled.add(i)
        if not filled or (prefilled and filled <= prefilled):
            sd.blank_rows += 1
            continue
        excel_row = first_row + offset
        if missing:
            f = missing[0]
            names = ", ".join(_q(m.label) for m in missing)
            word = "colonne obligatoire" if len(missing) == 1 else "colonnes obligatoires"
            rejects.add(sd.source_file, sd.sheet, excel_row, f.label, None,
                        f"{word} {names} absente{'s' if len(missing) > 1 else ''} de l'onglet")
            continue
        values: dict[str, Any] = dict.fromkeys(section.field_names)
        corrections: list[tuple[str, Any, Any, str]] = []
        problems: list[tuple[model.Field, Any, str]] = []
        width = len(cells)
        for idx, f, cache in columns:
            if idx not in filled:
                # a vocabulary value wins over an empty marker (« néant » is « Aucun cadre formel »)
                if f.vocab is None or idx >= width:
                    continue
                raw = cells[idx]
                if type(raw) is not str or not raw.strip():
                    continue
            raw = cells[idx]
            result = cache.get((type(raw), raw), _EMPTY)
            if result is _EMPTY:
                result = cleaner.filled_cell(section.name, f, raw)
            if isinstance(result, CleanError):
                if f.required:
                    problems.append((f, raw, f"colonne {_q(f.label)} : {result.reason}"))
                else:
                    corrections.append((f.label, raw, None, OPTIONAL_ERROR_RULE.format(reason=result.reason)))
                continue
            values[f.name] = result.value
            if result.rule:
                corrections.append((f.label, raw, result.value, result.rule))
        for idx, f in required:
            if values[f.name] is None and not any(p[0] is f for p in problems):
                raw = cells[idx] if idx < width else None
                problems.append((f, raw, f"valeur obligatoire manquante dans la colonne {_q(f.label)}"))
        if problems:
            first = problems[0]
            rejects.add(sd.source_file, sd.sheet, excel_row, first[0].label, first[1],
                        " ; ".join(p[2] for p in problems))
            continue
        row = Row(sd.source_file, sd.sheet, section.name, excel_row, values, corrections)
        if csv_stem is not None and section is not model.SERVICE:
            raw_service = cells[sd.service_column] if sd.service_column is not None and sd.service_column < width else None
            row.service_raw = raw_service if not cleaner.is_empty(raw_service) else None
        kept.append(row)
    return kept


# ---------------------------------------------------------------------------------------------
# Name resolution
# ---------------------------------------------------------------------------------------------


class _Names:
    """Resolves service and arrangement names, each distinct name once."""

    def __init__(self, edition: Edition) -> None:
        from analysis import referential

        self.services_ref = referential.load_services(edition.services_reference)
        self.arrangements_ref = referential.load_arrangements(edition.arrangements_reference)
        # the lists just loaded (each CSV read and checked once), as Resolver.for_services/for_arrangements
        self._services = referential.Resolver(self.services_ref, threshold=edition.fuzzy_threshold,
                                              name_col="name", acronym_col="acronym")
        self._arrangements = referential.Resolver(self.arrangements_ref, threshold=edition.fuzzy_threshold,
                                                  name_col="name", acronym_col=None)
        self.service_names = dict(zip(self.services_ref["id"], self.services_ref["name"], strict=True))
        self.arrangement_names = dict(zip(self.arrangements_ref["id"], self.arrangements_ref["name"], strict=True))
        acronyms = self.services_ref["acronym"].where(self.services_ref["acronym"].notna(), None)
        # The questionnaire's dropdown texts (« sigle — nom »), compared after normalisation so that
        # « DDPP 59 - Direction… » typed by hand matches « DDPP 59 — Direction… ».
        self._labels = {_norm(service_choice_label(a, n)): i for a, n, i in
                        zip(acronyms, self.services_ref["name"], self.services_ref["id"], strict=True)}
        self._cache: dict[tuple[str, str], _Resolved] = {}
        self.log: dict[str, list[dict[str, Any]]] = {"services": [], "dispositifs": []}

    def _convert(self, match: Any, names: dict[str, str]) -> _Resolved:
        candidate = getattr(match, "candidate", None)
        if candidate is not None and not isinstance(candidate, str):
            candidate = getattr(candidate, "id", None) or str(candidate)
        cand_id, cand_name = None, None
        if candidate in names:
            cand_id, cand_name = candidate, names[candidate]
        elif candidate:
            cand_name = candidate
            cand_id = next((i for i, n in names.items() if n == candidate), None)
        mid = match.id if match.id in names else None
        if mid is not None and cand_id is None:
            cand_id, cand_name = mid, names[mid]
        score = None if match.score is None else float(match.score)
        return _Resolved(mid, str(match.method or "none"), score, cand_id, cand_name,
                         bool(match.needs_review) or mid is None)

    def service(self, raw: str) -> _Resolved:
        key = ("service", raw)
        if key not in self._cache:
            sid = self._labels.get(_norm(raw))
            if sid is not None:
                res = _Resolved(sid, "liste", 100.0, sid, self.service_names[sid], False)
            else:
                res = self._convert(self._services.resolve(raw), self.service_names)
                if res.needs_review:
                    res = self._by_parts(raw) or res
            self._cache[key] = res
            self.log["services"].append({"raw": raw, "id": res.id, "method": res.method, "score": res.score,
                                         "needs_review": res.needs_review})
        return self._cache[key]

    def _by_parts(self, raw: str) -> _Resolved | None:
        """Resolve « sigle - nom » typed by hand: both sides must designate the same service, or
        one side resolve without doubt while the other resolves to nothing."""
        parts = [p.strip() for p in re.split(r"\s+[-–—:/]\s+", raw, maxsplit=1)]
        if len(parts) != 2 or not all(parts):
            return None
        found = [self._convert(self._services.resolve(p), self.service_names) for p in parts]
        sure = {r.id for r in found if r.id is not None and not r.needs_review}
        other = {r.id for r in found if r.id is not None and r.needs_review}
        if len(sure) == 1 and other <= sure:
            sid = sure.pop()
            best = next(r for r in found if r.id == sid and not r.needs_review)
            return _Resolved(sid, f"{best.method} (sigle — nom)", best.score, sid, self.service_names[sid], False)
        return None

    def service_from_stem(self, stem: str) -> tuple[str, _Resolved]:
        """Resolve a service from a file name: the whole stem, then each part of it."""
        res = self.service(stem)
        if res.id is not None:
            return stem, res
        for part in re.split(r"[_\s.\-]+", stem):
            if len(part) >= 2 and not part.isdigit():
                candidate = self.service(part)
                if candidate.id is not None and not candidate.needs_review:
                    return part, candidate
        return stem, res

    def arrangement(self, raw: str) -> _Resolved:
        key = ("arrangement", raw)
        if key not in self._cache:
            res = self._convert(self._arrangements.resolve(raw), self.arrangement_names)
            self._cache[key] = res
            self.log["dispositifs"].append({"raw": raw, "id": res.id, "method": res.method, "score": res.score,
                                            "needs_review": res.needs_review})
        return self._cache[key]


def _review_row(row: Row, column: str, raw: str, kind: str, res: _Resolved, assigned: str | None) -> dict[str, Any]:
    return {"source_file": row.file, "source_sheet": row.sheet, "source_row": row.excel_row, "column": column,
            "raw_value": raw, "kind": kind, "candidate_id": res.candidate_id, "candidate_name": res.candidate_name,
            "score": res.score, "method": res.method,
            "status": "accepté" if assigned is not None else "non rapproché", "assigned_id": assigned}


# ---------------------------------------------------------------------------------------------
# Assembling the tables
# ---------------------------------------------------------------------------------------------

_TEXT_KINDS = {"text", "longtext", "url", "email", "phone", "service", "arrangement", "choice", "multichoice"}


def _typed(f: model.Field, values: list[Any]) -> Any:
    """A column of cleaned values with the dtype of the field's kind (see ``schemas.KIND_DTYPES``)."""
    if f.kind in _TEXT_KINDS:
        return pd.Series([v if type(v) is str else None if v is None
                          else (_value_text(v) if isinstance(v, list | tuple) else str(v))
                          for v in values], dtype=object)
    if f.kind in ("money", "fte"):
        return pd.Series([float("nan") if v is None else float(v) for v in values], dtype="float64")
    if f.kind == "integer":
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    if f.kind == "bool":
        return pd.array([None if v is None else bool(v) for v in values], dtype="boolean")
    if f.kind == "date":
        series = pd.to_datetime(pd.Series([None if v is None else pd.Timestamp(v) for v in values], dtype=object))
        return series.dt.normalize().astype("datetime64[ns]")
    raise ValueError(f"unknown field kind {f.kind!r}")


def _section_frame(section: model.Section, rows: list[Row], extra: dict[str, list[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {f.name: _typed(f, [r.values[f.name] for r in rows]) for f in section.fields}
    data["service_id"] = pd.Series([r.service_id for r in rows], dtype=object)
    data["source_file"] = pd.Series([r.file for r in rows], dtype=object)
    data["source_sheet"] = pd.Series([r.sheet for r in rows], dtype=object)
    data["source_row"] = pd.Series([r.excel_row for r in rows], dtype="int64")
    data["row_id"] = pd.Series([""] * len(rows), dtype=object)
    data.update(extra)
    df = pd.DataFrame(data)
    df = df.sort_values(["service_id", "source_file", "source_sheet", "source_row"], kind="stable").reset_index(drop=True)
    n = df.groupby("service_id", sort=False).cumcount() + 1
    df["row_id"] = pd.Series([f"{s}-{section.name}-{i:04d}" for s, i in zip(df["service_id"], n, strict=True)],
                             index=df.index, dtype=object)
    return df


def _str_or_none(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    return str(value)


class _Run:
    """State of one ingestion: rows kept, rejects, review entries, log."""

    def __init__(self, edition: Edition) -> None:
        self.edition = edition
        self.matcher = _Matcher()
        self.cleaner = _Cleaner()
        self.rejects = _Rejects()
        self.names = _Names(edition)
        self.review: list[dict[str, Any]] = []
        self.files: list[FileData] = []
        self.rows: list[Row] = []
        self.service_match: dict[tuple[str, str], _Resolved] = {}
        self.rules_applied: Counter[str] = Counter()
        self.replaced: list[dict[str, Any]] = []

    # -- reading and cleaning ------------------------------------------------------------------

    def read(self, path: Path) -> None:
        fd = read_file(path, self.matcher)
        self.files.append(fd)
        if fd.refused:
            self.rejects.add(fd.name, None, None, None, None, fd.refused)
            return
        mark = len(self.rejects.rows)
        try:
            rows: list[Row] = []
            for sd in fd.sheets:
                rows += _clean_sheet(sd, self.cleaner, self.rejects, Path(fd.name).stem if fd.is_csv else None)
            rows = self._assign_service(fd, rows)
        except Exception as exc:  # a bug or an unforeseen value: the file is refused, the others go on
            del self.rejects.rows[mark:]
            self.review = [r for r in self.review if r["source_file"] != fd.name]
            fd.sheets, fd.status = [], "refusé"
            fd.refused = f"erreur inattendue à la lecture : {type(exc).__name__}"
            fd.messages.append(f"détail technique : {exc}"[:300])
            self.rejects.add(fd.name, None, None, None, None, fd.refused)
            return
        self.rows += rows

    def _reject_all(self, rows: list[Row], reason: str, column: str | None = None, raw: Any = None) -> list[Row]:
        for row in rows:
            self.rejects.reject_row(row, reason, column, raw)
        return []

    def _assign_service(self, fd: FileData, rows: list[Row]) -> list[Row]:
        label = model.SERVICE.field("service").label
        service_sheets = [sd for sd in fd.sheets if sd.section is model.SERVICE]
        if service_sheets:
            service_rows = [r for r in rows if r.section == model.SERVICE.name]
            if not service_rows:
                return self._reject_all(rows, f"service répondant non identifié : onglet {_q(service_sheets[0].sheet)} "
                                              "vide ou sa ligne est rejetée", label)
            first = service_rows[0]
            for extra in service_rows[1:]:
                self.rejects.reject_row(extra, f"ligne en trop dans l'onglet {_q(first.sheet)} : une seule ligne "
                                               f"attendue (ligne {first.excel_row} retenue)")
                self.rules_applied["ligne de service en trop"] += 1
            rows = [r for r in rows if r.section != model.SERVICE.name or r is first]
            raw = str(first.values["service"])
            res = self.names.service(raw)
            return self._apply_service(fd, rows, {id(r): (raw, res, first) for r in rows}, label)
        if fd.is_csv:
            stem = Path(fd.name).stem
            per_row = {}
            for r in rows:
                if r.service_raw is not None:
                    raw = str(r.service_raw)
                    per_row[id(r)] = (raw, self.names.service(raw), r)
                else:
                    raw, res = self.names.service_from_stem(stem)
                    per_row[id(r)] = (raw, res, r)
            return self._apply_service(fd, rows, per_row, label)
        return self._reject_all(rows, f"onglet {_q(model.SERVICE.sheet)} absent : service répondant non identifié",
                                label)

    def _apply_service(self, fd: FileData, rows: list[Row], per_row: dict[int, tuple[str, _Resolved, Row]],
                       label: str) -> list[Row]:
        kept, reviewed = [], set()
        for r in rows:
            raw, res, source = per_row[id(r)]
            if res.needs_review and raw not in reviewed:
                reviewed.add(raw)
                self.review.append(_review_row(source, label, raw, "service", res, res.id))
            if res.id is None:
                self.rejects.reject_row(r, f"service {_q(raw)} non reconnu dans la liste de référence", label, raw)
                continue
            r.service_id = res.id
            self.service_match.setdefault((fd.name, res.id), res)
            kept.append(r)
        return kept

    # -- rules across rows ---------------------------------------------------------------------

    def drop_duplicates(self) -> None:
        seen: dict[tuple, Row] = {}
        kept = []
        for r in self.rows:
            key = (r.file, r.service_id, r.section, tuple(r.values.values()))
            try:
                first = seen.setdefault(key, r)
            except TypeError:  # a list among the values: freeze it, or give up (never a duplicate)
                try:
                    first = seen.setdefault((*key[:3], tuple(map(_freeze, key[3]))), r)
                except TypeError:
                    first = r
            if first is not r:
                self.rejects.reject_row(r, f"doublon de la ligne {first.excel_row}")
                self.rules_applied["doublons"] += 1
                continue
            kept.append(r)
        self.rows = kept

    def drop_replaced_returns(self) -> None:
        returns: dict[tuple[str, str], dict[str, Any]] = {}
        for r in self.rows:
            info = returns.setdefault((r.file, r.service_id), {"sections": set(), "date": None})
            info["sections"].add(r.section)
            if r.section == model.SERVICE.name and r.values.get("answer_date") is not None:
                info["date"] = pd.Timestamp(r.values["answer_date"])
        by_service: dict[str, list[str]] = defaultdict(list)
        for file, sid in returns:
            by_service[sid].append(file)
        replaced: dict[tuple[str, str], str] = {}
        for sid, files in by_service.items():
            if len(files) < 2:
                continue
            order = sorted(files, key=lambda f: (returns[(f, sid)]["date"] or pd.Timestamp.min, f), reverse=True)
            accepted: list[str] = []
            for f in order:
                winner = next((a for a in accepted if returns[(a, sid)]["sections"] & returns[(f, sid)]["sections"]), None)
                if winner is None:
                    accepted.append(f)
                else:
                    replaced[(f, sid)] = winner
                    self.replaced.append({"service_id": sid, "fichier_remplace": f, "fichier_retenu": winner})
        if not replaced:
            return
        kept = []
        for r in self.rows:
            winner = replaced.get((r.file, r.service_id))
            if winner is None:
                kept.append(r)
            else:
                self.rejects.reject_row(r, f"retour remplacé par le retour plus récent {winner} du même service")
                self.rules_applied["retours remplacés (lignes)"] += 1
        self.rows = kept

    def resolve_arrangements(self) -> dict[int, tuple[str, str, str, float | None]]:
        label = model.ARRANGEMENTS.field("arrangement").label
        out = {}
        for r in self.rows:
            if r.section != model.ARRANGEMENTS.name:
                continue
            raw = str(r.values["arrangement"])
            res = self.names.arrangement(raw)
            if res.id is not None:
                out[id(r)] = (res.id, self.names.arrangement_names[res.id], res.method, res.score)
                if res.needs_review:
                    self.review.append(_review_row(r, label, raw, "dispositif", res, res.id))
            else:
                new_id = f"AUTRE-{slug(raw)}"
                out[id(r)] = (new_id, raw, "none", None)
                self.review.append(_review_row(r, label, raw, "dispositif", res, new_id))
                self.review[-1]["status"] = "non rapproché"
                self.rules_applied["dispositifs hors liste (lignes)"] += 1
        return out

    # -- tables --------------------------------------------------------------------------------

    def tables(self) -> Tables:
        arrangement_info = self.resolve_arrangements()
        by_section: dict[str, list[Row]] = defaultdict(list)
        for r in self.rows:
            by_section[r.section].append(r)
        ref = self.names.services_ref.set_index("id")
        frames = {}
        for section in model.SECTIONS:
            rows = by_section.get(section.name, [])
            extra: dict[str, list[Any]] = {}
            if section is model.SERVICE:
                def refcol(col: str, rows: list[Row] = rows) -> pd.Series:
                    values = [_str_or_none(ref.at[r.service_id, col]) if col in ref.columns else None for r in rows]
                    return pd.Series(values, dtype=object)
                matches = [self.service_match[(r.file, r.service_id)] for r in rows]
                extra = {
                    "service_acronym": refcol("acronym"),
                    "service_name": refcol("name"),
                    "ministry": refcol("ministry"),
                    "service_type": refcol("type"),
                    "departement": refcol("departement"),
                    "match_method": pd.Series([m.method for m in matches], dtype=object),
                    "match_score": pd.Series([m.score for m in matches], dtype="float64"),
                }
            elif section is model.ARRANGEMENTS:
                info = [arrangement_info[id(r)] for r in rows]
                extra = {
                    "arrangement_id": pd.Series([i[0] for i in info], dtype=object),
                    "arrangement_name": pd.Series([i[1] for i in info], dtype=object),
                    "arrangement_match_method": pd.Series([i[2] for i in info], dtype=object),
                    "arrangement_match_score": pd.Series([i[3] for i in info], dtype="float64"),
                }
            frames[section.name] = _section_frame(section, rows, extra)

        corrections = [
            {"source_file": r.file, "source_sheet": r.sheet, "source_row": r.excel_row, "column": column,
             "raw_value": _raw_text(raw) or "", "cleaned_value": _value_text(value), "rule": str(rule)}
            for r in self.rows for column, raw, value, rule in r.corrections
        ]
        corrections_df = pd.DataFrame(corrections, columns=list(CORRECTION_COLUMNS)).astype({"source_row": "int64"})
        corrections_df = corrections_df.sort_values(["source_file", "source_sheet", "source_row"], kind="stable")

        rejects_df = pd.DataFrame(self.rejects.rows, columns=list(model.REJECT_COLUMNS))
        rejects_df["source_row"] = rejects_df["source_row"].astype("Int64")
        rejects_df = rejects_df.sort_values(["source_file", "source_sheet", "source_row"], kind="stable",
                                            na_position="first")

        review_df = pd.DataFrame(self.review, columns=list(REVIEW_COLUMNS))
        review_df["source_row"] = review_df["source_row"].astype("Int64")
        review_df["score"] = review_df["score"].astype("float64")
        review_df = review_df.sort_values(["source_file", "source_sheet", "source_row"], kind="stable")

        accounting_df = self._accounting(rejects_df)
        tables = Tables(
            services=frames["services"], categories=frames["categories"], tools=frames["tools"],
            arrangements=frames["arrangements"], maturity=frames["maturity"],
            rejects=rejects_df.reset_index(drop=True), review=review_df.reset_index(drop=True),
            corrections=corrections_df.reset_index(drop=True), accounting=accounting_df,
            reference_services=self.names.services_ref.reset_index(drop=True),
            reference_arrangements=self.names.arrangements_ref.reset_index(drop=True),
        )
        tables.log = self._log(tables)
        return tables

    def _accounting(self, rejects_df: pd.DataFrame) -> pd.DataFrame:
        cleaned = Counter((r.file, r.sheet) for r in self.rows)
        row_rejects = rejects_df[rejects_df["source_row"].notna()]
        rejected = Counter(zip(row_rejects["source_file"], row_rejects["source_sheet"], strict=True))
        records = []
        for fd in self.files:
            if fd.refused:
                records.append({"source_file": fd.name, "source_sheet": None, "section": None, "raw_rows": 0,
                                "cleaned_rows": 0, "rejected_rows": 0, "blank_rows": 0})
                continue
            for sd in fd.sheets:
                key = (fd.name, sd.sheet)
                rec = {"source_file": fd.name, "source_sheet": sd.sheet, "section": sd.section.name,
                       "raw_rows": sd.raw_rows, "cleaned_rows": cleaned[key], "rejected_rows": rejected[key],
                       "blank_rows": sd.blank_rows}
                if rec["raw_rows"] != rec["cleaned_rows"] + rec["rejected_rows"] + rec["blank_rows"]:
                    raise RuntimeError(f"accounting identity broken for {fd.name} / {sd.sheet}: {rec}")
                records.append(rec)
        df = pd.DataFrame(records, columns=list(ACCOUNTING_COLUMNS))
        return df.astype({c: "int64" for c in ACCOUNTING_COLUMNS[3:]})

    def _log(self, tables: Tables) -> dict[str, Any]:
        acc = tables.accounting
        files = []
        for fd in self.files:
            entry = dict(fd.meta)
            entry.update(status=fd.status, messages=list(fd.messages))
            if fd.refused:
                entry["reason"] = fd.refused
            entry["ignored_sheets"] = list(fd.ignored_sheets)
            entry["sheets"] = [{"sheet": sd.sheet, "section": sd.section.name, "header_row": sd.header_index + 1,
                                "ignored_columns": sd.ignored_columns,
                                "missing_required_columns": [f.label for f in sd.missing_required]}
                               for sd in fd.sheets]
            files.append(entry)
        cleaned_by_section = {s.name: len(getattr(tables, s.name)) for s in model.SECTIONS}
        return {
            "edition": self.edition.id,
            "reference_date": self.edition.reference_date.isoformat(),
            "survey_dir": self.edition.survey_dir.name,
            "files": files,
            "skipped_files": [],
            "totals": {
                "files": len(self.files),
                "files_read": sum(1 for f in self.files if not f.refused),
                "files_refused": sum(1 for f in self.files if f.refused),
                "raw_rows": int(acc["raw_rows"].sum()),
                "cleaned_rows": int(acc["cleaned_rows"].sum()),
                "rejected_rows": int(acc["rejected_rows"].sum()),
                "blank_rows": int(acc["blank_rows"].sum()),
                "cleaned_by_section": cleaned_by_section,
                "corrections": len(tables.corrections),
                "review": len(tables.review),
                "services": int(pd.concat([getattr(tables, s.name)["service_id"] for s in model.SECTIONS]).nunique()),
            },
            "rules": list(RULES),
            "rules_applied": dict(self.rules_applied),
            "replaced_returns": self.replaced,
            "caveats": list(CAVEATS),
            "matches": self.names.log,
            "limits": {"max_file_bytes": MAX_FILE_BYTES, "max_rows_per_sheet": MAX_ROWS_PER_SHEET,
                       "max_uncompressed_bytes": MAX_UNCOMPRESSED_BYTES,
                       "max_compression_ratio": MAX_COMPRESSION_RATIO},
        }


def ingest_files(files: list[Path], edition: Edition, skipped: list[str] | None = None) -> Tables:
    """Read, clean and validate a set of returned files.

    Args:
        files: the files to read (read in file-name order; names are only used as labels).
        edition: the survey wave (reference lists, fuzzy threshold).
        skipped: names of files skipped before reading (hidden, lock files), for the log.

    Returns:
        The processed tables, validated against their schemas.

    Raises:
        TableValidationError: a produced table does not match its schema (a bug, reported in French).
    """
    with _gc_paused():
        run = _Run(edition)
        for path in sorted(files, key=lambda p: (p.name, str(p))):
            run.read(Path(path))
        run.drop_duplicates()
        run.drop_replaced_returns()
        tables = run.tables()
        tables.log["skipped_files"] = list(skipped or [])
        validate_tables(tables)
    return tables


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one edition's ingestion.

    Ingestion allocates hundreds of thousands of small, short-lived, acyclic objects (cells,
    rows, cleaned values): reference counting frees them, but their number keeps triggering
    the cyclic collector, which then walks every live object of the process, about 15 % of the
    ingestion time. The collector is switched back on afterwards (it was on), so any cycle
    left behind is collected as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# The edition-level entry point
# ---------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What :func:`ingest_edition` did.

    Attributes:
        edition_id: the edition.
        tables: the processed tables (``None`` when validation failed).
        out_dir: where the tables were written (``None`` when nothing was written).
        ok: ``False`` only when nothing usable was read or a table failed validation.
        error: the French reason when ``ok`` is ``False``.
    """

    edition_id: str
    tables: Tables | None
    out_dir: Path | None
    ok: bool
    error: str | None = None

    def summary(self) -> str:
        """A French, multi-line summary for the command line."""
        lines = [f"Ingestion de l'édition {self.edition_id}"]
        if self.tables is not None:
            totals = self.tables.log.get("totals", {})
            lines.append(f"Fichiers : {totals.get('files', 0)} ({totals.get('files_read', 0)} lus, "
                         f"{totals.get('files_refused', 0)} refusés)")
            lines.append(f"Lignes lues : {totals.get('raw_rows', 0)} — retenues : {totals.get('cleaned_rows', 0)}, "
                         f"rejetées : {totals.get('rejected_rows', 0)}, vides : {totals.get('blank_rows', 0)}")
            per = totals.get("cleaned_by_section", {})
            lines.append("Lignes retenues par onglet : " + ", ".join(
                f"{s.sheet} {per.get(s.name, 0)}" for s in model.SECTIONS))
            lines.append(f"Services répondants reconnus : {totals.get('services', 0)} ; corrections : "
                         f"{totals.get('corrections', 0)} ; rapprochements à vérifier : {totals.get('review', 0)}")
            refused = [f for f in self.tables.log.get("files", []) if f.get("status") == "refusé"]
            if refused:
                lines.append("Fichiers refusés :")
                lines += [f"  - {f['name']} : {f.get('reason', '')}" for f in refused]
        if self.out_dir is not None:
            lines.append(f"Tables écrites dans {self.out_dir}")
        if not self.ok:
            lines.append(f"ÉCHEC : {self.error} (les tables précédentes sont conservées)")
        return "\n".join(lines)


def _replace_dir(tmp: Path, final: Path) -> None:
    """Move ``tmp`` to ``final``, replacing it, so that a reader never sees a half-written folder."""
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        if old.exists():
            old.rename(final)
        raise
    if old.exists():
        shutil.rmtree(old)


def ingest_edition(edition: Edition) -> IngestResult:
    """Ingest every returned file of an edition into ``data/processed/<edition>/``.

    Bad files are refused and reported; they never make the ingestion fail. The tables are
    written into a temporary folder beside the destination and moved into place at the end, so
    a failed ingestion leaves the previous tables intact.

    Args:
        edition: the survey wave.

    Returns:
        The result; ``result.summary()`` is a French summary, ``result.ok`` is ``False`` only when
        nothing usable was read or a table failed validation.
    """
    files, skipped = list_survey_files(edition.survey_dir)
    try:
        tables = ingest_files(files, edition, skipped)
    except TableValidationError as exc:
        return IngestResult(edition.id, None, None, False, f"tables non conformes : {exc}")
    cleaned = tables.log["totals"]["cleaned_rows"]
    if cleaned == 0:
        reason = "aucune réponse exploitable" + ("" if files else f" : aucun fichier dans {edition.survey_dir}")
        return IngestResult(edition.id, tables, None, False, reason)
    final = edition.processed_dir
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        save_tables(tables, tmp)
        _replace_dir(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return IngestResult(edition.id, tables, final, True)
