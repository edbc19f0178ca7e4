"""The public edition: filter the data before any public chapter runs, then scan what was produced.

Rules of the public edition (see MISSION.md):

- no personal data: the referent's name, e-mail and phone are dropped, and e-mail addresses and
  phone numbers typed into any free-text field are redacted;
- a data category whose diffusion status is restricted or not communicable appears only through
  aggregate counts: its row is kept (service, theme, diffusion, legal ground… so that counts stay
  right) but its title is replaced by a mask and its description, supplier, URL, tool links and
  comment are emptied; its title is also removed from the tools' lists of exploited data;
- raw values of the rejects and corrections tables are blanked (they may be anything), and the
  values their messages quote (« … ») are masked, questionnaire labels excepted.

The public chapters read the filtered copy (``data/processed/<edition>/public/``), so the public
notebooks, HTML, PDF and exports cannot contain what they never received. After a public build,
:func:`scan_public_artefacts` searches every artefact for every protected value of the internal
data (defence in depth) and the build fails if one is found.
"""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis import model
from analysis.edition import Edition
from analysis.tables import Tables, audience_dir, read_tables, save_tables

PROTECTED_TITLE = "[catégorie à diffusion restreinte]"
EMAIL_MASK = "[courriel masqué]"
PHONE_MASK = "[téléphone masqué]"
VALUE_MASK = "[masqué]"

EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# French numbers: 03 20 30 59 59, 03.20.30.59.59, 0320305959, +33 3 20 30 59 59, +33 (0)3 20…
PHONE_RE = re.compile(r"(?<![\w+])(?:\+33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")

#: Free-text fields redacted everywhere in the public edition.
FREE_TEXT_KINDS = ("text", "longtext", "service", "arrangement", "url")

#: Shortest protected value the scanner looks for (shorter strings match by chance).
MIN_SCAN_LENGTH = 5


def redact_text(value: object) -> object:
    """Mask e-mail addresses and phone numbers in a free-text value (other values unchanged)."""
    if not isinstance(value, str):
        return value
    return PHONE_RE.sub(PHONE_MASK, EMAIL_RE.sub(EMAIL_MASK, value))


_QUOTED_RE = re.compile(r"«\s*([^»]*?)\s*»")


def _known_labels() -> set[str]:
    """Texts of the questionnaire itself (sheet names, column labels, vocabulary labels), casefolded."""
    known: set[str] = set()
    for section in model.SECTIONS:
        known |= {section.sheet.casefold(), section.label.casefold()}
        for f in section.fields:
            known.add(f.label.casefold())
            if f.vocab is not None:
                known |= {label.casefold() for label in f.vocab.labels}
    return known


def mask_quoted(value: object) -> object:
    """Mask, in an ingestion message (reject reason, correction rule), every quoted raw value.

    Messages quote what the respondent typed (« … »), which may be anything: a name, a restricted
    title, a contact. Quoted questionnaire texts (sheet, column and vocabulary labels) stay, so
    that the message still says what went wrong; contact details elsewhere are redacted too.

    Args:
        value: the message (other values are returned unchanged).

    Returns:
        the message with ``« [masqué] »`` in place of each quoted raw value.
    """
    if not isinstance(value, str):
        return value
    known = _known_labels()

    def sub(m: re.Match[str]) -> str:
        return m.group(0) if m.group(1).casefold() in known else f"« {VALUE_MASK} »"

    return redact_text(_QUOTED_RE.sub(sub, value))


def _protected_labels() -> list[str]:
    return [model.DIFFUSION.label_of(code) for code in model.PROTECTED_DIFFUSION]


def protected_mask(categories: pd.DataFrame) -> pd.Series:
    """Rows of the categories table whose diffusion status keeps them out of the public edition."""
    return categories["diffusion"].isin(_protected_labels())


def _redact_frame(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    df = df.copy()
    for col in columns:
        if col in df.columns:
            df[col] = df[col].map(redact_text)
    return df


def _text_columns(section: model.Section) -> list[str]:
    return [f.name for f in section.fields if f.kind in FREE_TEXT_KINDS]


def _split(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in re.split(r"[;\n]", value) if p.strip()]


def _scrub_titles(value: object, titles: set[str]) -> object:
    """Replace, in a list of category titles ("a; b"), those of protected categories by the mask."""
    if not isinstance(value, str) or not titles:
        return value
    parts = _split(value)
    kept = [PROTECTED_TITLE if p.casefold() in titles else p for p in parts]
    return model.MULTI_SEPARATOR.join(dict.fromkeys(kept))


def public_tables(tables: Tables) -> Tables:
    """Return the public-edition copy of an edition's tables (see the module docstring).

    Args:
        tables: the internal tables.

    Returns:
        new tables, safe for the public edition; the input is not modified.
    """
    services = tables.services.copy()
    for section, name in model.personal_fields():
        if section == model.SERVICE.name and name in services.columns:
            services[name] = pd.Series([None] * len(services), index=services.index, dtype="object")
    services = _redact_frame(services, _text_columns(model.SERVICE))

    categories = tables.categories.copy()
    restricted = protected_mask(categories) if len(categories) else pd.Series(dtype=bool)
    restricted_titles = {
        str(t).casefold() for t in categories.loc[restricted, "title"].dropna()
    } if len(categories) else set()
    # A title also used by a publishable category elsewhere is public information already.
    if len(categories):
        open_titles = {str(t).casefold() for t in categories.loc[~restricted, "title"].dropna()}
        restricted_titles -= open_titles
    for col in model.protected_fields(model.CATEGORIES):
        if col in categories.columns:
            categories[col] = categories[col].astype("object")
            categories.loc[restricted, col] = None
    if len(categories):
        categories.loc[restricted, "title"] = PROTECTED_TITLE
    categories = _redact_frame(categories, _text_columns(model.CATEGORIES))

    tools = _redact_frame(tables.tools, _text_columns(model.TOOLS))
    if "categories" in tools.columns:
        tools["categories"] = tools["categories"].map(lambda v: _scrub_titles(v, restricted_titles))

    arrangements = _redact_frame(tables.arrangements, _text_columns(model.ARRANGEMENTS))
    maturity = _redact_frame(tables.maturity, _text_columns(model.MATURITY))

    rejects = tables.rejects.copy()
    if "raw_value" in rejects.columns:
        rejects["raw_value"] = None
    if "reason" in rejects.columns:
        rejects["reason"] = rejects["reason"].map(mask_quoted)
    corrections = tables.corrections.copy()
    for col in ("raw_value", "cleaned_value"):
        if col in corrections.columns:
            corrections[col] = None
    if "rule" in corrections.columns:
        corrections["rule"] = corrections["rule"].map(mask_quoted)
    # A name matched to the reference lists is one of their spellings; an unmatched one is
    # whatever was typed, masked as in the reject reasons.
    review = _redact_frame(tables.review, ["raw_value"])
    if "status" in review.columns and "raw_value" in review.columns:
        review.loc[review["status"] != "accepté", "raw_value"] = VALUE_MASK

    public = replace(
        tables,
        services=services,
        categories=categories,
        tools=tools,
        arrangements=arrangements,
        maturity=maturity,
        rejects=rejects,
        corrections=corrections,
        review=review,
        log={},
    )
    public.log = scrub_log(tables.log, _candidate_values(tables))
    return public


def scrub_log(log: object, values: list[ProtectedValue]) -> object:
    """Copy of the ingestion log with every protected value and contact detail masked."""
    needles = sorted({v.value for v in values}, key=len, reverse=True)

    def scrub(obj: object) -> object:
        if isinstance(obj, dict):
            return {k: scrub(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [scrub(v) for v in obj]
        if isinstance(obj, str):
            text = str(redact_text(obj))
            for needle in needles:
                if needle in text:
                    text = text.replace(needle, VALUE_MASK)
            return text
        return obj

    return scrub(log)


@dataclass(frozen=True)
class ProtectedValue:
    """A value of the internal data that must never reach a public artefact."""

    field: str  # "categories.title", "services.referent_email"…
    value: str


#: Protected category fields whose values are names of public things (the tools' names): the
#: link is hidden in the public tables, but the names themselves are not searched for.
NOT_SCANNED = ("tools",)


def protected_values(tables: Tables, context: Iterable[Tables] = ()) -> list[ProtectedValue]:
    """Every protected value of the internal tables that the scanner searches for: personal fields,
    contact details typed in free text, and the protected fields of restricted or
    not-communicable categories.

    Values that are legitimately public are left out: those found in a publishable cell of the
    internal tables (e.g. a restricted category whose title is also the title of a published one,
    or a supplier whose name is part of an arrangement's name) or of the ``context`` tables (the
    other edition a report also shows), and values shorter than ``MIN_SCAN_LENGTH``: the scanner
    cannot tell such a value's legitimate occurrences from a leak. Publishable cells are worked
    out from the internal tables and the rules, never from :func:`public_tables`'s output: a
    filter that leaked a value would otherwise also hide it from the scanner.

    Args:
        tables: the internal tables whose protected values are listed.
        context: other internal tables whose publishable content the public report also shows.
    """
    cells = _publishable_cells(tables)
    for other in context:
        cells |= _publishable_cells(other)
    haystack = "\n".join(sorted(cells))
    return [v for v in _candidate_values(tables) if v.value.casefold() not in haystack]


#: Tables whose cells quote raw input (anything a respondent typed): never a source of public text.
RAW_INPUT_TABLES = ("rejects", "corrections", "review")


def _publishable_cells(tables: Tables) -> set[str]:
    """Casefolded text cells of the internal tables that the public edition may show as they are.

    Left out: personal columns, the protected columns of restricted and not-communicable
    categories, the tools' lists of exploited categories, and the tables quoting raw input;
    free text counts with its contact details redacted.
    """
    personal = set(model.personal_fields())
    cats = tables.categories
    restricted = protected_mask(cats) if len(cats) else pd.Series(dtype=bool)
    protected_cols = set(model.protected_fields(model.CATEGORIES))
    cells: set[str] = set()
    for name, df in tables.items():
        if name in RAW_INPUT_TABLES or not len(df):
            continue
        for col in df.columns:
            if (name, col) in personal or (name, col) == ("tools", "categories"):
                continue
            if not (df[col].dtype == object or str(df[col].dtype) == "string"):
                continue
            values = df[col]
            if name == "categories" and col in protected_cols:
                values = values[~restricted]
            cells |= {str(redact_text(v)).strip().casefold() for v in values.dropna()}
    return cells


def _candidate_values(tables: Tables) -> list[ProtectedValue]:
    found: dict[tuple[str, str], None] = {}

    def add(field: str, value: object) -> None:
        if isinstance(value, str):
            value = value.strip()
            if len(value) >= MIN_SCAN_LENGTH:
                found[(field, value)] = None

    def add_contacts(field: str, values: pd.Series) -> None:
        """Every e-mail address and phone number typed in a column's values."""
        for v in values.dropna():
            for m in EMAIL_RE.findall(str(v)):
                add(f"{field} (courriel)", m)
            for m in PHONE_RE.findall(str(v)):
                add(f"{field} (téléphone)", m)

    for section, name in model.personal_fields():
        df = getattr(tables, section, None)
        if df is not None and name in df.columns:
            for v in df[name].dropna():
                add(f"{section}.{name}", v)

    cats = tables.categories
    public_text: set[str] = set()
    if len(cats):
        restricted = protected_mask(cats)
        for col in model.protected_fields(model.CATEGORIES):
            if col in cats.columns and col not in NOT_SCANNED:
                for v in cats.loc[restricted, col].dropna():
                    add(f"categories.{col}", v)
                public_text |= {str(v).strip() for v in cats.loc[~restricted, col].dropna()}

    for section in model.SECTIONS:
        df = getattr(tables, section.name, None)
        if df is None:
            continue
        for col in _text_columns(section):
            if col not in df.columns:
                continue
            add_contacts(f"{section.name}.{col}", df[col])

    # Raw values quoted by the ingestion's messages: contacts anywhere, and whatever was typed
    # into a personal column (a malformed e-mail may hold the referent's name).
    personal_labels = {
        model.SECTIONS_BY_NAME[section].field(name).label for section, name in model.personal_fields()
    }
    for table, columns in (
        ("rejects", ("raw_value", "reason")),
        ("corrections", ("raw_value", "cleaned_value", "rule")),
        ("review", ("raw_value",)),
    ):
        df = getattr(tables, table, None)
        if df is None or not len(df):
            continue
        for col in columns:
            if col not in df.columns:
                continue
            add_contacts(f"{table}.{col}", df[col])
        if "column" in df.columns and "raw_value" in df.columns:
            for v in df.loc[df["column"].isin(personal_labels), "raw_value"].dropna():
                add(f"{table}.raw_value (donnée personnelle)", v)

    public_text |= {PROTECTED_TITLE}
    return [ProtectedValue(f, v) for (f, v) in found if v not in public_text]


def prepare_audience_tables(edition: Edition, audience: str) -> Path:
    """Make sure the tables of an audience exist and return their folder.

    For ``interne`` this is the ingestion's output; for ``public`` the filtered copy is (re)written
    from the internal tables into ``data/processed/<edition>/public/``, and so is the previous
    edition's, which the comparison chapter reads.
    """
    internal = audience_dir(edition.id, "interne")
    if audience == "interne":
        return internal
    if audience != "public":
        raise ValueError(f"audience inconnue : {audience!r}")
    folder = audience_dir(edition.id, "public")
    save_tables(public_tables(read_tables(internal)), folder)
    previous = edition.previous_edition() if edition.previous else None
    if previous is not None and (audience_dir(previous.id, "interne") / "categories.parquet").is_file():
        # the public comparison chapter reads the previous wave's public copy: never a stale one
        save_tables(public_tables(read_tables(audience_dir(previous.id, "interne"))),
                    audience_dir(previous.id, "public"))
    return folder


# ------------------------------------------------------------------------------------------------
# Scanner
# ------------------------------------------------------------------------------------------------

_DATA_URI_RE = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=\\n]+)")
TEXT_SUFFIXES = {".html", ".htm", ".ipynb", ".json", ".jsonld", ".csv", ".md", ".txt", ".ttl", ".xml", ".svg", ".yaml"}


def _decode_embedded_svgs(text: str) -> str:
    parts = []
    for payload in _DATA_URI_RE.findall(text):
        try:
            parts.append(base64.b64decode(payload.replace("\\n", "")).decode("utf-8", "replace"))
        except ValueError:
            continue
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    """The text layer of a PDF file.

    Poppler's ``pdftotext`` (Debian ``poppler-utils``) when installed: pypdf misreads the fonts
    WeasyPrint embeds (NUL bytes between letters, ligatures such as « ff » and the em dash decoded
    as other glyphs), so that a protected value printed in the PDF could go unseen. pypdf, with
    the NUL bytes removed, is the fallback.
    """
    exe = shutil.which("pdftotext")
    if exe:
        done = subprocess.run([exe, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=300,
                              check=True)
        return done.stdout.decode("utf-8", "replace")
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join(page.extract_text() or "" for page in reader.pages).replace("\x00", "")


def artefact_text(path: Path) -> str:
    """The searchable text of an artefact: text files (with embedded SVG figures decoded and
    HTML/JSON escapes undone), the XML parts of XLSX files, the text layer of PDF files."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return pdf_text(path)
    if suffix in {".xlsx", ".xlsm", ".docx", ".odt", ".ods"}:
        with zipfile.ZipFile(path) as zf:
            chunks = [zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml")]
        return html.unescape("\n".join(chunks))
    if suffix == ".parquet":
        df = pd.read_parquet(path)
        return df.astype(str).to_csv(index=False)
    if suffix not in TEXT_SUFFIXES:
        return ""
    raw = path.read_text(encoding="utf-8", errors="replace")
    text = raw + "\n" + _decode_embedded_svgs(raw)
    if suffix in {".ipynb", ".json", ".jsonld"}:
        try:
            text += "\n" + json.dumps(json.loads(raw), ensure_ascii=False)
        except json.JSONDecodeError:
            pass
    return html.unescape(text)


def _squash(text: str) -> str:
    """Whitespace-, hyphen- and case-insensitive form, for text extracted from PDF pages."""
    return re.sub(r"[\s\x00\u00ad\-‐‑]+", "", text).casefold()


def find_leaks(text: str, values: list[ProtectedValue], squash: bool = False) -> list[ProtectedValue]:
    """The protected values found in ``text``."""
    if squash:
        hay = _squash(text)
        return [v for v in values if _squash(v.value) and _squash(v.value) in hay]
    hay = text.casefold()
    return [v for v in values if v.value.casefold() in hay]


def scan_folder(folder: Path, values: list[ProtectedValue]) -> list[str]:
    """Search every file under ``folder`` for protected values.

    Returns:
        one French message per (artefact, value) found; empty when the folder is clean.
    """
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            text = artefact_text(path)
        except Exception as exc:  # an unreadable artefact cannot be certified clean
            problems.append(f"{path.relative_to(folder)} : illisible par le contrôle de diffusion ({exc})")
            continue
        for leak in find_leaks(text, values, squash=path.suffix.lower() == ".pdf"):
            problems.append(
                f"{path.relative_to(folder)} contient une valeur protégée du champ {leak.field} "
                f"(« {leak.value[:60]} »)"
            )
    return problems


def scan_public_artefacts(edition: Edition, folder: Path) -> list[str]:
    """Scan a public build's artefacts against the protected values of the edition's internal data,
    and of the previous edition's when there is one (the comparison reads it)."""
    current = read_tables(audience_dir(edition.id, "interne"))
    previous = edition.previous_edition() if edition.previous else None
    if previous is None or not (audience_dir(previous.id, "interne") / "categories.parquet").is_file():
        return scan_folder(folder, protected_values(current))
    # the comparison chapter reads the previous wave's public copy: its secrets count too, except
    # what the current wave has made public since (a category restricted in 2019, published in 2021)
    before = read_tables(audience_dir(previous.id, "interne"))
    values = protected_values(current, [before]) + protected_values(before, [current])
    return scan_folder(folder, list(dict.fromkeys(values)))
