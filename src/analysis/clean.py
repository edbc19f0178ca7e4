"""Parse the messy French values of the survey returns into clean typed values.

Respondents type numbers the French way (``12 500 €``, ``1,5 k€``, ``0,5 ETP``), tick boxes with
``X``, write dates as ``février 2019`` and pick vocabulary values with their own spelling. Each
``parse_*`` function turns one raw cell (a string, a number, a date or ``None`` as read by openpyxl
or python-calamine) into a clean value, returns ``None`` for an empty answer and raises
``CleanError`` with a French reason, shown to analysts next to the file, sheet, row and column,
when the value cannot be read.

``clean_value`` dispatches on the kind of a ``analysis.model.Field`` and also says, in French, how
the value was recoded when the recoding changed its substance (a ``k€`` multiplier, a percentage
of full time, a synonym replaced by the vocabulary label…); these rules feed the corrections table
and the methodology chapter.

Every parser works on a single value and keeps per-vocabulary lookup tables in a cache, so that it
can be applied to hundreds of thousands of cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from numbers import Real

from rapidfuzz import fuzz, process

from analysis import model
from analysis.model import Field, Vocabulary

__all__ = [
    "EMPTY_MARKERS",
    "CleanError",
    "Cleaned",
    "clean_text",
    "clean_value",
    "is_empty",
    "normalise_key",
    "parse_bool",
    "parse_choice",
    "parse_date",
    "parse_email",
    "parse_fte",
    "parse_integer",
    "parse_money",
    "parse_multichoice",
    "parse_number",
    "parse_phone",
    "parse_url",
]


class CleanError(ValueError):
    """A raw value that cannot be read.

    ``str(exc)`` and ``exc.reason`` hold a French reason that quotes the raw value, e.g.
    « montant illisible : « douze » ».

    Attributes:
        reason: the French reason, meant for the rejects table.
        raw: the raw value that could not be read.
    """

    def __init__(self, reason: str, raw: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


@dataclass(frozen=True)
class Cleaned:
    """The result of ``clean_value``.

    Attributes:
        value: the cleaned value (``None`` when the answer is empty).
        rule: short French description of the recoding when the cleaned value differs from the
            raw text in substance (e.g. « montant « 1,5 k€ » converti en 1500 »), ``None`` when
            the value was already clean or is empty.
    """

    value: object
    rule: str | None = None


# ---------------------------------------------------------------------------------------------
# Keys, empties and text
# ---------------------------------------------------------------------------------------------

#: Answers meaning "no answer", compared after lower-casing and, except the Excel error codes
#: (``#...``), after ``normalise_key`` too (so that "N.C.", "n. c." and "Non renseignée" match).
#: Any answer made only of punctuation ("-", "?", "/", "…") is empty as well.
EMPTY_MARKERS: frozenset[str] = frozenset({
    "", "-", "--", "—", "–", "_", ".", "..", "...", "…", "?", "??", "/", "//", "*",
    "n.c.", "n.c", "nc", "non communiqué", "non communiquée", "non connu", "non connue",
    "inconnu", "inconnue", "non renseigné", "non renseignée", "non renseignés", "nr", "n.r.",
    "ne sait pas", "je ne sais pas", "nsp", "ne se prononce pas", "néant", "sans objet", "so",
    "s.o.", "n/a", "na", "n.a.", "nd", "n.d.", "non disponible", "non applicable",
    "non concerné", "non concernée", "pas concerné", "pas concernée", "vide", "à compléter",
    "à préciser", "à définir", "à venir", "aucune idée", "nan", "none", "null", "nat", "<na>",
    "#n/a", "#n/d", "#na", "#div/0!", "#valeur!", "#value!", "#ref!", "#nom?", "#name?",
    "#nombre!", "#num!", "#null!",
})

_COMBINING_RE = re.compile(r"[\u0300-\u036f]+")
_NON_WORD_RE = re.compile(r"[\W_]+")
_KEY_TRANS = str.maketrans({"œ": "oe", "æ": "ae"})
_WS_RE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    s = unicodedata.normalize("NFKD", text)
    s = _COMBINING_RE.sub("", s).casefold().translate(_KEY_TRANS)
    return _NON_WORD_RE.sub(" ", s).strip()


def normalise_key(text: str) -> str:
    """Reduce a text to a key for matching headers and vocabulary values.

    Lower-cases, removes accents, turns apostrophes and punctuation into spaces, collapses
    whitespace and strips.

    Args:
        text: any text (non-strings are converted with ``str``).

    Returns:
        The key, e.g. ``"mode d acquisition"`` for ``"Mode d’acquisition "``.
    """
    return _key(text if isinstance(text, str) else str(text))


def _loose(text: str) -> str:
    """Lower-case, whitespace-collapsed form (keeps punctuation)."""
    return _WS_RE.sub(" ", text).strip().casefold()


_EMPTY_LOOSE = frozenset(_loose(m) for m in EMPTY_MARKERS)
_EMPTY_KEYS = frozenset(_key(m) for m in EMPTY_MARKERS if not m.startswith("#"))
_EMPTY_MAX_LEN = max(len(m) for m in EMPTY_MARKERS) + 4


def _is_missing(raw: object) -> bool:
    """None, NaN, pandas NA/NaT (no string analysis)."""
    if raw is None:
        return True
    kind = type(raw)
    if kind is str or kind is int or kind is bool:  # the usual cells, without the ABC check below
        return False
    if isinstance(raw, float):
        return math.isnan(raw)
    if isinstance(raw, Real) and not isinstance(raw, int):
        try:
            return math.isnan(raw)
        except (TypeError, ValueError):
            return False
    return type(raw).__name__ in ("NAType", "NaTType")


def _is_empty_str(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return True
    if len(stripped) > _EMPTY_MAX_LEN:
        return False
    return _loose(stripped) in _EMPTY_LOOSE or _key(stripped) in _EMPTY_KEYS


def is_empty(raw: object) -> bool:
    """Tell whether a raw cell holds no answer.

    Args:
        raw: the raw cell value.

    Returns:
        True for ``None``, NaN, pandas NA/NaT, an empty or blank string, a string made only of
        punctuation, or one of ``EMPTY_MARKERS`` ("n.c.", "non renseigné", "néant"…).
    """
    if _is_missing(raw):
        return True
    if isinstance(raw, str):
        return _is_empty_str(raw)
    return False


_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HSPACE_RE = re.compile(r"[^\S\n]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_QUOTE_PAIRS = {'"': '"', "'": "'", "«": "»", "“": "”", "„": "“", "‘": "’", "»": "«"}


def _to_text(raw: object) -> str:
    """Render a non-empty raw cell as text."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "Oui" if raw else "Non"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


def _strip_quotes(s: str) -> str:
    """Remove wrapping quotes, Excel's leading text apostrophe and lone stray double quotes."""
    while len(s) >= 2 and _QUOTE_PAIRS.get(s[0]) == s[-1]:
        s = s[1:-1].strip()
    if s.startswith("'") and s.count("'") == 1:
        s = s[1:].lstrip()
    if s.count('"') == 1 and (s.startswith('"') or s.endswith('"')):
        s = s.strip('"').strip()
    for opening, closing in (("«", "»"), ("“", "”")):
        if s.startswith(opening) and closing not in s:
            s = s[1:].lstrip()
        if s.endswith(closing) and opening not in s:
            s = s[:-1].rstrip()
    return s


def clean_text(raw: object, *, keep_newlines: bool = False) -> str | None:
    """Clean a free-text answer.

    Args:
        raw: the raw cell value.
        keep_newlines: keep line breaks (single ones, trimmed) for long texts; by default every
            run of whitespace becomes one space.

    Returns:
        The text with whitespace collapsed, stripped, wrapping or stray quotes removed, invisible
        characters and Excel's ``_x000D_`` escapes removed; ``None`` when empty.
    """
    if is_empty(raw):
        return None
    s = _to_text(raw)
    if "_x000" in s:
        s = s.replace("_x000D_", "").replace("_x000A_", "\n")
    s = unicodedata.normalize("NFC", _CONTROL_RE.sub(" ", _INVISIBLE_RE.sub("", s)))
    if keep_newlines:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
        s = _NEWLINES_RE.sub("\n", _HSPACE_RE.sub(" ", s)).strip()
    else:
        s = _WS_RE.sub(" ", s).strip()
    s = _strip_quotes(s)
    if _is_empty_str(s):
        return None
    return s


def _show(raw: object) -> str:
    """The raw value as quoted in French messages (« … »)."""
    text = _to_text(raw)
    text = _WS_RE.sub(" ", text).strip()
    if len(text) > 80:
        text = text[:77] + "…"
    return f"« {text} »"


def _fmt(value: float | int) -> str:
    """A number the French way, without thousands separators: 1500, 0,5."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(value)


def _fmt_date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_MINUS_TRANS = str.maketrans({"−": "-", "–": "-", "‐": "-", "‑": "-", "’": "'", "′": "'"})
_NUM_BODY_RE = re.compile(r"(?:\d|[.,]\d)[\d.,' ]*")
_INT_GROUPS_RE = re.compile(r"[ '.,]")
_SCI_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)e[+-]?\d{1,4}")
_APPROX_PREFIX_RE = re.compile(
    r"^(?:environ|env\.?|approx(?:\.|imativement)?|~|≈|\+/-|ca\.|circa|à peu près|a peu pres|"
    r"près de|pres de|autour de|plus de|\+ de|au moins|au minimum|minimum|min\.?|>=|>|≥|"
    r"moins de|au maximum|maximum|max\.?|<=|<|≤|jusqu'à|jusqu'a)\s*"
)
_APPROX_SUFFIX_RE = re.compile(r"\s*(?:environ|env\.?|\+|ou plus|et plus|maxi?(?:mum)?\.?|mini?(?:mum)?\.?)$")
_RANGE_RE = re.compile(r"\d\s*(?:à|a|-|/)\s*\d|\bentre\b")


def _prep(text: str) -> str:
    """NFKC (no-break spaces become spaces), unify minus signs, collapse spaces, lower-case."""
    s = unicodedata.normalize("NFKC", text).translate(_MINUS_TRANS)
    return _WS_RE.sub(" ", s).strip().casefold()


def _parse_decimal(text: str) -> tuple[Decimal, bool] | None:
    """Read a bare French or English formatted number.

    Spaces and apostrophes group thousands; a comma is the decimal mark unless several commas
    group thousands; a single dot is a thousands separator only when followed by exactly three
    digits after a 1-3 digit non-zero integer part ("12.500"), else it is a decimal mark.

    Args:
        text: the prepared text (``_prep``), units already removed.

    Returns:
        (value, dot_grouping) or ``None`` when the text is not a number; ``dot_grouping`` tells that
        a dot was read as a thousands separator.
    """
    s = text.strip()
    sign = ""
    if s[:1] in ("+", "-"):
        sign = "-" if s[0] == "-" else ""
        s = s[1:].lstrip()
    if not s:
        return None
    if _SCI_RE.fullmatch(s):
        try:
            return Decimal(sign + s.replace(",", ".")), False
        except InvalidOperation:  # pragma: no cover - the regex only lets valid literals through
            return None
    if not _NUM_BODY_RE.fullmatch(s) or not s[-1].isdigit():
        return None
    n_comma, n_dot = s.count(","), s.count(".")
    spaced = " " in s or "'" in s
    dot_grouping = False
    if n_comma and n_dot:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        grp = "." if dec == "," else ","
        if s.count(dec) > 1 or grp in s[s.rfind(dec):]:
            return None
    elif n_comma:
        dec, grp = (",", "") if n_comma == 1 else ("", ",")
    elif n_dot == 1:
        int_part, frac_part = s.split(".")
        if not spaced and len(frac_part) == 3 and len(int_part) <= 3 and int_part[:1] not in ("", "0"):
            dec, grp, dot_grouping = "", ".", True
        else:
            dec, grp = ".", ""
    elif n_dot:
        dec, grp = "", "."
    else:
        dec, grp = "", ""
    int_s, frac_s = s.split(dec) if dec else (s, "")
    if frac_s and not frac_s.isdigit():
        return None
    other = {",", "."} - {grp}
    if any(c in int_s for c in other):
        return None
    groups = _INT_GROUPS_RE.split(int_s) if int_s else ["0"]
    if len(groups) > 1:
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            return None
    digits = "".join(groups)
    if not digits.isdigit():
        return None
    literal = sign + digits + ("." + frac_s if frac_s else "")
    return Decimal(literal), dot_grouping


def _strip_approx(s: str) -> tuple[str, bool]:
    """Remove "environ", "~", "plus de"… around a number; tell whether one was removed."""
    stripped = _APPROX_PREFIX_RE.sub("", s, count=1)
    stripped = _APPROX_SUFFIX_RE.sub("", stripped, count=1).strip()
    return stripped, stripped != s


def _finite(value: Decimal, raw: object, what: str) -> float:
    result = float(value)
    if not math.isfinite(result):
        raise CleanError(f"{what} trop grand : {_show(raw)}", raw)
    return result


def _unreadable(what: str, raw: object, text: str | None = None) -> CleanError:
    """A CleanError for an unreadable number, with a hint for ranges ("10 à 20")."""
    if text is not None and _RANGE_RE.search(text) and any(c.isdigit() for c in text):
        return CleanError(f"{what} illisible : {_show(raw)} (une seule valeur attendue, pas une fourchette)", raw)
    return CleanError(f"{what} illisible : {_show(raw)}", raw)


def _number_from_raw(raw: object, what: str) -> tuple[float | None, str | None]:
    """Shared handling of non-string raw numbers (raw is not missing).

    Returns:
        (value, None) when raw is a number, or (None, text) when raw must be parsed as ``text``.
    """
    if isinstance(raw, bool):
        raise CleanError(f"{what} attendu, case à cocher trouvée : {_show(raw)}", raw)
    if isinstance(raw, (int, float, Decimal)) or isinstance(raw, Real):
        value = float(raw)
        if not math.isfinite(value):
            raise CleanError(f"{what} illisible : {_show(raw)}", raw)
        return value, None
    if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        raise CleanError(f"{what} attendu, date trouvée : {_show(raw)}", raw)
    return None, str(raw)


def _number_text(raw: object, text: str, what: str) -> tuple[Decimal, list[str]]:
    """Parse a number in free text (approximations allowed); return the value and notes."""
    s = _prep(text)
    notes: list[str] = []
    s, approx = _strip_approx(s)
    parsed = _parse_decimal(s.rstrip(".").rstrip()) if s else None
    if parsed is None:
        raise _unreadable(what, raw, s)
    value, dot_grouping = parsed
    if approx:
        notes.append(f"valeur approchée {_show(raw)} retenue comme {_fmt(float(value))}")
    elif dot_grouping:
        notes.append(f"{_show(raw)} lu comme {_fmt(float(value))} (point séparateur des milliers)")
    return value, notes


def _number(raw: object) -> tuple[float | None, list[str]]:
    if _is_missing(raw):
        return None, []
    value, text = _number_from_raw(raw, "nombre")
    if text is None:
        return value, []
    if _is_empty_str(text):
        return None, []
    dec, notes = _number_text(raw, text, "nombre")
    return _finite(dec, raw, "nombre"), notes


def parse_number(raw: object) -> float | None:
    """Read a number written the French (or English) way.

    Args:
        raw: the raw cell value: "12 500,50", "1.234,5", "12.500" (= 12500), "0.5", "~50", 3.

    Returns:
        The number, or ``None`` when empty.

    Raises:
        CleanError: « nombre illisible : « … » ».
    """
    return _number(raw)[0]


# Money -------------------------------------------------------------------------------------

_CURRENCY_RE = re.compile(
    r"(?:(?<![a-z])(?:d'\s*|de\s+))?(?:€|(?<![a-z])eur(?:os?)?\b)"
    r"|(?<![a-z])(?:h\.t\.?|t\.t\.c\.?|ht|ttc|hors taxes?|toutes taxes comprises)(?![a-z])"
    r"|(?:/\s*|par\s+)an\b|\bannuel(?:s|le|les)?\b"
)
_MONEY_RE = re.compile(
    r"(?P<num>.*?\d)\s*(?P<mult>k|ke|keur|kilo|milliers?|mille|m|me|meur|mio|millions?|mds?|milliards?)?\.?"
)
_MULTIPLIERS = {
    "k": 1_000, "ke": 1_000, "keur": 1_000, "kilo": 1_000, "millier": 1_000, "milliers": 1_000,
    "mille": 1_000, "m": 1_000_000, "me": 1_000_000, "meur": 1_000_000, "mio": 1_000_000,
    "million": 1_000_000, "millions": 1_000_000, "md": 1_000_000_000, "mds": 1_000_000_000,
    "milliard": 1_000_000_000, "milliards": 1_000_000_000,
}
_FREE_KEYS = frozenset({"gratuit", "gratuite", "gratuits", "gratuites", "gratuitement", "aucun cout",
                        "sans cout", "pas de cout", "cout nul", "zero"})


def _money(raw: object) -> tuple[float | None, list[str]]:
    if _is_missing(raw):
        return None, []
    value, text = _number_from_raw(raw, "montant")
    if text is None:
        return value, []
    if _is_empty_str(text):
        return None, []
    if _key(text) in _FREE_KEYS:
        return 0.0, [f"montant {_show(raw)} converti en 0"]
    s, approx = _strip_approx(_prep(text))
    s = _WS_RE.sub(" ", _CURRENCY_RE.sub(" ", s)).strip(" .,;")
    s, approx2 = _strip_approx(s)
    match = _MONEY_RE.fullmatch(s)
    parsed = _parse_decimal(match["num"]) if match else None
    if parsed is None:
        raise _unreadable("montant", raw, s)
    amount, dot_grouping = parsed
    notes: list[str] = []
    if match["mult"]:
        amount *= _MULTIPLIERS[match["mult"]]
        approximate = " (valeur approchée)" if approx or approx2 else ""
        notes.append(f"montant {_show(raw)} converti en {_fmt(float(amount))}{approximate}")
    elif approx or approx2:
        notes.append(f"valeur approchée {_show(raw)} retenue comme {_fmt(float(amount))}")
    elif dot_grouping:
        notes.append(f"{_show(raw)} lu comme {_fmt(float(amount))} (point séparateur des milliers)")
    return _finite(amount, raw, "montant"), notes


def parse_money(raw: object) -> float | None:
    """Read an amount in euros.

    "k€", "K€", "k", "milliers" multiply by 1 000; "M€", "M", "millions" by 1 000 000; "€", "EUR",
    "euros", "HT", "TTC", "/an" are ignored; "gratuit" is 0.

    Args:
        raw: the raw cell value: "12 500 €", "1,5 k€", "2 M€", 12500.

    Returns:
        The amount in euros, or ``None`` when empty.

    Raises:
        CleanError: « montant illisible : « … » ».
    """
    return _money(raw)[0]


# FTE ---------------------------------------------------------------------------------------

_FTE_UNIT_RE = re.compile(
    r"\b(?:e\.?\s?t\.?\s?p\.?\s?t?|e\.?\s?p\.?\s?t|f\.?t\.?e|[ée]quivalents? temps pleins?)(?![a-z])\.?"
)
_FRACTION_RE = re.compile(r"(\d+)\s*/\s*(\d+)")
_PERCENT_RE = re.compile(r"(?P<num>.*?)\s*%")
_FTE_WORDS = {
    "demi": 0.5, "un demi": 0.5, "une demi": 0.5, "mi temps": 0.5, "un mi temps": 0.5, "demi temps": 0.5,
    "un demi temps": 0.5, "temps partiel 50": 0.5,
    "temps plein": 1.0, "plein temps": 1.0, "temps complet": 1.0, "un temps plein": 1.0,
    "quart": 0.25, "un quart": 0.25, "quart temps": 0.25, "un quart temps": 0.25, "quart de temps": 0.25,
    "trois quarts": 0.75, "trois quart": 0.75, "trois quarts temps": 0.75, "trois quart temps": 0.75,
    "tiers": 1 / 3, "un tiers": 1 / 3, "tiers temps": 1 / 3, "un tiers temps": 1 / 3,
    "deux tiers": 2 / 3, "zero": 0.0, "aucun": 0.0, "un": 1.0, "une": 1.0, "deux": 2.0, "trois": 3.0,
    "quatre": 4.0, "cinq": 5.0, "six": 6.0, "sept": 7.0, "huit": 8.0, "neuf": 9.0, "dix": 10.0,
}


def _fte(raw: object) -> tuple[float | None, list[str]]:
    if _is_missing(raw):
        return None, []
    value, text = _number_from_raw(raw, "nombre d'ETP")
    if text is None:
        return value, []
    if _is_empty_str(text):
        return None, []
    s = _prep(text)
    s = _WS_RE.sub(" ", _FTE_UNIT_RE.sub(" ", s)).strip(" .")
    if not s:
        raise CleanError(f"nombre d'ETP illisible : {_show(raw)}", raw)
    word = _FTE_WORDS.get(_key(s))
    if word is not None:
        note = [] if _key(s) in ("un", "une") else [f"ETP {_show(raw)} converti en {_fmt(round(word, 4))}"]
        return word, note
    if (m := _FRACTION_RE.fullmatch(s)) is not None:
        num, den = int(m[1]), int(m[2])
        if den == 0:
            raise CleanError(f"nombre d'ETP illisible : {_show(raw)}", raw)
        result = num / den
        return result, [f"ETP {_show(raw)} converti en {_fmt(round(result, 4))}"]
    if (m := _PERCENT_RE.fullmatch(s)) is not None:
        dec, _notes = _number_text(raw, m["num"], "nombre d'ETP")
        result = _finite(dec / 100, raw, "nombre d'ETP")
        return result, [f"ETP {_show(raw)} converti en {_fmt(result)}"]
    dec, notes = _number_text(raw, s, "nombre d'ETP")
    return _finite(dec, raw, "nombre d'ETP"), notes


def parse_fte(raw: object) -> float | None:
    """Read a number of full-time equivalents (ETP).

    Args:
        raw: the raw cell value: "0,5 ETP", "1/2", "1/2 ETP", "50 %", "0.5", "mi-temps", 2.

    Returns:
        The number of FTE ("50 %" is 0.5, "1/2" is 0.5, "2 ETP" is 2.0), or ``None`` when empty.

    Raises:
        CleanError: « nombre d'ETP illisible : « … » ».
    """
    return _fte(raw)[0]


# Integers ----------------------------------------------------------------------------------

_INT_UNIT_RE = re.compile(
    r"\s*(?:utilisateurs?|usagers?|agents?|personnes?|pers\.?|users?|postes?|licences?|comptes?|"
    r"inscrits?|membres?)$"
)
_INT_WORDS = {"aucun": 0, "aucune": 0, "zero": 0, "personne": 0}
_INT_LIMIT = Decimal(10) ** 15


def _integer(raw: object) -> tuple[int | None, list[str]]:
    if _is_missing(raw):
        return None, []
    if isinstance(raw, bool):
        raise CleanError(f"nombre entier attendu, case à cocher trouvée : {_show(raw)}", raw)
    if isinstance(raw, int):
        return raw, []
    value, text = _number_from_raw(raw, "nombre entier")
    if text is None:
        if not float(value).is_integer():
            raise CleanError(f"nombre entier attendu : {_show(raw)}", raw)
        return int(value), []
    if _is_empty_str(text):
        return None, []
    word = _INT_WORDS.get(_key(text))
    if word is not None:
        return word, [f"{_show(raw)} converti en {word}"]
    s = _INT_UNIT_RE.sub("", _prep(text))
    dec, notes = _number_text(raw, s, "nombre entier")
    if abs(dec) > _INT_LIMIT:
        raise CleanError(f"nombre entier trop grand : {_show(raw)}", raw)
    if dec != dec.to_integral_value():
        raise CleanError(f"nombre entier attendu : {_show(raw)}", raw)
    return int(dec), notes


def parse_integer(raw: object) -> int | None:
    """Read a whole number.

    Args:
        raw: the raw cell value: "1 200", "environ 30", "~50", "30 utilisateurs", 12.0.

    Returns:
        The integer, or ``None`` when empty.

    Raises:
        CleanError: « nombre entier attendu : « 12,5 » » or « nombre entier illisible : « … » ».
    """
    return _integer(raw)[0]


# ---------------------------------------------------------------------------------------------
# Yes / no
# ---------------------------------------------------------------------------------------------

_TRUE_KEYS = frozenset({"oui", "o", "x", "xx", "vrai", "1", "yes", "y", "true", "ok", "v", "1 0", "oui oui"})
_FALSE_KEYS = frozenset({"non", "n", "faux", "0", "no", "false", "0 0", "aucun", "aucune", "sans", "pas"})
_CHECK_MARKS = frozenset("✓✔☑☒✗✘✅✕■●")
_BOOL_PREFIX_RE = re.compile(r"(oui|non)\b\s*[,;:(\-–—.]\s*\S")


def _bool(raw: object) -> tuple[bool | None, list[str]]:
    if _is_missing(raw):
        return None, []
    if isinstance(raw, bool):
        return raw, []
    if isinstance(raw, Real):
        if raw == 1 or raw == 0:
            result = raw == 1
            return result, [f"réponse {_show(raw)} interprétée comme « {'Oui' if result else 'Non'} »"]
        raise CleanError(f"réponse oui/non illisible : {_show(raw)}", raw)
    text = _to_text(raw)
    stripped = text.strip()
    if stripped and all(c in _CHECK_MARKS or c.isspace() for c in stripped):
        return True, [f"réponse {_show(raw)} interprétée comme « Oui »"]
    key = _key(text)
    if key not in _TRUE_KEYS and key not in _FALSE_KEYS and _is_empty_str(text):
        return None, []
    if key in _TRUE_KEYS or key in _FALSE_KEYS:
        result = key in _TRUE_KEYS
        note = [] if key in ("oui", "non") else [
            f"réponse {_show(raw)} interprétée comme « {'Oui' if result else 'Non'} »"]
        return result, note
    m = _BOOL_PREFIX_RE.match(_loose(unicodedata.normalize("NFKC", text)))
    if m is not None:
        result = m[1] == "oui"
        return result, [f"réponse {_show(raw)} lue comme « {'Oui' if result else 'Non'} » (précision ignorée)"]
    raise CleanError(f"réponse oui/non illisible : {_show(raw)} (attendu : Oui ou Non)", raw)


def parse_bool(raw: object) -> bool | None:
    """Read a yes/no answer.

    Args:
        raw: the raw cell value: "Oui", "O", "X", "✓", "Vrai", "1", "non", "N", "0", True.

    Returns:
        True or False, or ``None`` when empty ("non renseigné").

    Raises:
        CleanError: « réponse oui/non illisible : « … » ».
    """
    return _bool(raw)[0]


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TIME_SUFFIX_RE = re.compile(r"(?:[ t]|\s*à\s*)\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:z|[+-]\d{2}:?\d{2})?$")
_ISO_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DMY_RE = re.compile(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4}|\d{2})")
_MY_RE = re.compile(r"(\d{1,2})[-/.](\d{4})")
_YM_RE = re.compile(r"(\d{4})[-/](\d{1,2})")
_YEAR_RE = re.compile(r"\d{4}")
_SERIAL_RE = re.compile(r"\d{1,5}(?:[.,]\d+)?")
_DAY_TOKEN_RE = re.compile(r"(\d{1,2})(?:er|e|eme)?")
_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}
_DATE_FILLERS = frozenset({"le", "en", "mois", "de", "d", "du", "lundi", "mardi", "mercredi", "jeudi",
                           "vendredi", "samedi", "dimanche"})
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _make_date(raw: object, year: int, month: int, day: int) -> dt.date:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise CleanError(f"année invraisemblable : {_show(raw)}", raw)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CleanError(f"date impossible : {_show(raw)} (format attendu JJ/MM/AAAA)", raw) from None


def _from_serial(raw: object, serial: float) -> tuple[dt.date, list[str]]:
    """An Excel serial (1900 date system) or, for 1900-2100, a year typed alone."""
    if serial.is_integer() and _MIN_YEAR <= serial <= _MAX_YEAR:
        result = dt.date(int(serial), 1, 1)
        return result, [f"date {_show(raw)} lue comme le {_fmt_date(result)} (année seule)"]
    if not 1 <= serial < 80001:
        raise CleanError(f"date illisible : {_show(raw)} (format attendu JJ/MM/AAAA)", raw)
    days = int(serial)
    if days < 60:  # Excel counts a fictitious 29 February 1900 (serial 60), as openpyxl does
        days += 1
    result = _EXCEL_EPOCH + dt.timedelta(days=days)
    return result, [f"numéro de série Excel {_show(raw)} converti en date {_fmt_date(result)}"]


def _two_digit_year(yy: int) -> int:
    return 2000 + yy if yy < 70 else 1900 + yy


def _date_text(raw: object, text: str) -> tuple[dt.date, list[str]]:
    s = _prep(text)
    s = _TIME_SUFFIX_RE.sub("", s).strip()
    if (m := _ISO_RE.fullmatch(s)) is not None:
        return _make_date(raw, int(m[1]), int(m[2]), int(m[3])), []
    if (m := _DMY_RE.fullmatch(s)) is not None:
        year = int(m[3])
        notes = []
        if len(m[3]) == 2:
            year = _two_digit_year(year)
        result = _make_date(raw, year, int(m[2]), int(m[1]))
        if len(m[3]) == 2:
            notes.append(f"date {_show(raw)} lue comme le {_fmt_date(result)} (année sur deux chiffres)")
        return result, notes
    if (m := _MY_RE.fullmatch(s)) is not None or (m2 := _YM_RE.fullmatch(s)) is not None:
        year, month = (int(m[2]), int(m[1])) if m is not None else (int(m2[1]), int(m2[2]))
        if not 1 <= month <= 12:
            raise CleanError(f"date impossible : {_show(raw)} (format attendu JJ/MM/AAAA)", raw)
        result = _make_date(raw, year, month, 1)
        return result, [f"date {_show(raw)} lue comme le {_fmt_date(result)} (jour non précisé)"]
    if _YEAR_RE.fullmatch(s) is not None and _MIN_YEAR <= int(s) <= _MAX_YEAR:
        result = dt.date(int(s), 1, 1)
        return result, [f"date {_show(raw)} lue comme le {_fmt_date(result)} (année seule)"]
    if _SERIAL_RE.fullmatch(s) is not None:
        return _from_serial(raw, float(s.replace(",", ".")))
    return _date_words(raw, s)


def _date_words(raw: object, s: str) -> tuple[dt.date, list[str]]:
    """Dates with a month name: "février 2019", "fév. 2019", "1er février 2019"."""
    tokens = [t for t in _key(s).split() if t not in _DATE_FILLERS]
    day: int | None = None
    if tokens and tokens[0] == "premier":
        tokens[0] = "1"
    if len(tokens) == 3 and (d := _DAY_TOKEN_RE.fullmatch(tokens[0])) is not None:
        day = int(d[1])
        tokens = tokens[1:]
    if len(tokens) != 2 or tokens[0] not in _MONTHS or not tokens[1].isdigit() or len(tokens[1]) not in (2, 4):
        raise CleanError(f"date illisible : {_show(raw)} (format attendu JJ/MM/AAAA)", raw)
    month = _MONTHS[tokens[0]]
    year = int(tokens[1]) if len(tokens[1]) == 4 else _two_digit_year(int(tokens[1]))
    result = _make_date(raw, year, month, day or 1)
    notes = []
    if day is None:
        notes.append(f"date {_show(raw)} lue comme le {_fmt_date(result)} (jour non précisé)")
    elif len(tokens[1]) == 2:
        notes.append(f"date {_show(raw)} lue comme le {_fmt_date(result)} (année sur deux chiffres)")
    return result, notes


def _date(raw: object) -> tuple[dt.date | None, list[str]]:
    if _is_missing(raw):
        return None, []
    if isinstance(raw, dt.datetime):
        return raw.date(), []
    if isinstance(raw, dt.date):
        return raw, []
    if isinstance(raw, bool):
        raise CleanError(f"date attendue, case à cocher trouvée : {_show(raw)}", raw)
    if isinstance(raw, Real):
        value = float(raw)
        if not math.isfinite(value):
            raise CleanError(f"date illisible : {_show(raw)}", raw)
        return _from_serial(raw, value)
    if isinstance(raw, (dt.time, dt.timedelta)):
        raise CleanError(f"date attendue, heure trouvée : {_show(raw)}", raw)
    text = str(raw)
    if _is_empty_str(text):
        return None, []
    return _date_text(raw, text)


def parse_date(raw: object) -> dt.date | None:
    """Read a date, day first as the French write it.

    A month without day is its first day, a year alone is 1 January; two-digit years 00-69 are
    20xx and 70-99 are 19xx. Numbers 1-80000 are Excel serial dates (1900 date system, serial 60,
    Excel's fictitious 29 February 1900, read as 28 February like openpyxl does), except whole
    numbers 1900-2100, read as a year typed alone.

    Args:
        raw: the raw cell value: "01/02/2019" (1 February 2019), "1/2/19", "2019-02-01",
            "février 2019", "fév. 2019", "1er février 2019", "2019", 43497, "43497",
            ``datetime.date`` or ``datetime.datetime``.

    Returns:
        The date, or ``None`` when empty.

    Raises:
        CleanError: « date illisible : « … » », « date impossible : « 31/02/2019 » »…
    """
    return _date(raw)[0]


# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------

_MULTI_SPLIT_RE = re.compile(r"(\s*[;,/+\n\r&•|]\s*|\s+et\s+|\s+-\s+)")
_NEGATIONS = frozenset({"non", "pas", "sans", "aucun", "aucune", "ni", "hors", "not", "no"})
_LEADING_WORDS_RE = re.compile(r"^(?:niveau|note|level|score|valeur)\s+")
_FUZZY_MIN_SCORE = 90.0
_FUZZY_MARGIN = 5.0
_FUZZY_MIN_LEN = 4


@dataclass(frozen=True)
class _VocabTable:
    """Lookup tables of one vocabulary."""

    vocab: Vocabulary
    labels: frozenset[str]
    by_key: dict[str, str]  # key -> label (unambiguous keys)
    ambiguous: dict[str, tuple[str, ...]]  # key -> candidate labels
    synonym_keys: frozenset[str]  # keys that are not a label's own key
    order: dict[str, int]  # label -> position in the vocabulary
    fuzzy_keys: tuple[str, ...]
    fuzzy_labels: tuple[str, ...]
    max_span: int  # most separator-delimited fragments in one label, code or synonym
    resolved: dict[str, tuple[str | None, str | None, str | None]]  # key -> (label, how, error)


_TABLES: dict[str, _VocabTable] = {}


def _build_table(vocab: Vocabulary) -> _VocabTable:
    by_key: dict[str, str] = {}
    ambiguous: dict[str, set[str]] = {}
    label_keys = set()
    for term in vocab.terms:
        k = _key(term.label)
        by_key.setdefault(k, term.label)
        label_keys.add(k)
    for term in vocab.terms:
        for alias in (term.code, *term.synonyms):
            k = _key(alias)
            if not k or k in label_keys:
                continue
            if k in by_key and by_key[k] != term.label:
                ambiguous.setdefault(k, {by_key[k]}).add(term.label)
            else:
                by_key[k] = term.label
    for k in ambiguous:
        del by_key[k]
    order = {t.label: i for i, t in enumerate(vocab.terms)}
    fuzzy = [(k, label) for k, label in by_key.items() if len(k) >= _FUZZY_MIN_LEN]
    return _VocabTable(
        vocab=vocab,
        labels=frozenset(order),
        by_key=by_key,
        ambiguous={k: tuple(sorted(v, key=order.__getitem__)) for k, v in ambiguous.items()},
        synonym_keys=frozenset(set(by_key) - label_keys),
        order=order,
        fuzzy_keys=tuple(k for k, _ in fuzzy),
        fuzzy_labels=tuple(label for _, label in fuzzy),
        max_span=max(
            (len(_MULTI_SPLIT_RE.split(alias)[0::2]) for t in vocab.terms for alias in (t.label, t.code, *t.synonyms)),
            default=1,
        ),
        resolved={},
    )


def _table(vocab: Vocabulary) -> _VocabTable:
    table = _TABLES.get(vocab.name)
    if table is None or (table.vocab is not vocab and table.vocab != vocab):
        table = _build_table(vocab)
        _TABLES[vocab.name] = table
    return table


def _digit_tokens(key: str) -> frozenset[str]:
    return frozenset(t for t in key.split() if t.isdigit())


def _fuzzy(table: _VocabTable, key: str) -> tuple[str | None, float, str | None]:
    """Prudent fuzzy match: (label or None, score, closest label for the error message)."""
    if not table.fuzzy_keys:
        return None, 0.0, None
    hits = process.extract(key, table.fuzzy_keys, scorer=fuzz.token_sort_ratio, limit=12, score_cutoff=60)
    best: dict[str, float] = {}
    for choice, score, index in hits:
        label = table.fuzzy_labels[index]
        tokens = set(key.split())
        choice_tokens = set(choice.split())
        if (tokens & _NEGATIONS) - choice_tokens or (choice_tokens & _NEGATIONS) - tokens:
            continue
        if _digit_tokens(key) != _digit_tokens(choice):
            continue
        if score > best.get(label, -1.0):
            best[label] = score
    if not best:
        return None, 0.0, None
    ranked = sorted(best.items(), key=lambda item: -item[1])
    label, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    if len(key) >= _FUZZY_MIN_LEN and score >= _FUZZY_MIN_SCORE and score - second >= _FUZZY_MARGIN:
        return label, score, label
    return None, score, label if score >= 70 else None


def _resolve_key(table: _VocabTable, key: str) -> tuple[str | None, str | None, str | None]:
    """Map a key to (label, how, error); how is "exact", "synonym" or "fuzzy:<score>"."""
    cached = table.resolved.get(key)
    if cached is not None:
        return cached
    result: tuple[str | None, str | None, str | None]
    label = table.by_key.get(key)
    if label is None:
        stripped = _LEADING_WORDS_RE.sub("", key)
        if stripped != key:
            label = table.by_key.get(stripped)
    if label is None:
        num = _parse_decimal(key.replace(" ", ".")) if key.replace(" ", "").isdigit() else None
        if num is not None and num[0] == num[0].to_integral_value() and " " in key:
            label = table.by_key.get(str(int(num[0])))
    if label is not None:
        how = "exact" if key not in table.synonym_keys and key == _key(label) else "synonym"
        result = (label, how, None)
    elif key in table.ambiguous:
        options = " ou ".join(f"« {o} »" for o in table.ambiguous[key])
        result = (None, None, f"ambiguë dans la liste « {table.vocab.label} » : {options}")
    else:
        label, score, closest = _fuzzy(table, key)
        if label is not None:
            result = (label, f"fuzzy:{score:.0f}", None)
        else:
            hint = f" (valeur la plus proche : « {closest} »)" if closest else ""
            result = (None, None, f"absente de la liste « {table.vocab.label} »{hint}")
    if len(table.resolved) < 50_000:
        table.resolved[key] = result
    return result


def _choice_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return _to_text(raw)


def _recode_note(raw_text: str, label: str, how: str) -> str | None:
    if how == "exact":
        return None
    if how.startswith("fuzzy:"):
        return f"« {_WS_RE.sub(' ', raw_text).strip()} » rapproché de « {label} » (similarité {how[6:]} %)"
    return f"« {_WS_RE.sub(' ', raw_text).strip()} » remplacé par « {label} »"


def _choice(raw: object, vocab: Vocabulary) -> tuple[str | None, list[str]]:
    if _is_missing(raw):
        return None, []
    table = _table(vocab)
    text = _choice_text(raw)
    if text in table.labels:
        return text, []
    key = _key(text)
    label = table.by_key.get(key)
    if label is None and _is_empty_str(text):
        return None, []
    label, how, error = _resolve_key(table, key)
    if label is None:
        raise CleanError(f"valeur {_show(raw)} {error}", raw)
    note = _recode_note(text, label, how)
    return label, [note] if note else []


def parse_choice(raw: object, vocab: Vocabulary) -> str | None:
    """Map an answer to a label of a controlled vocabulary.

    Tries, in order: the exact label; the label, code or a synonym compared with
    ``normalise_key`` (accents, case, punctuation and spacing ignored, a leading "niveau" dropped,
    a number such as 3 or 3.0 read as "3"); then a prudent fuzzy match (rapidfuzz
    ``token_sort_ratio`` ≥ 90, clearly ahead of the next label, same numbers and negations).
    A vocabulary value wins over an empty marker ("néant" is a value of some vocabularies).

    Args:
        raw: the raw cell value.
        vocab: the vocabulary (from ``analysis.model``).

    Returns:
        The French label of the term, or ``None`` when empty.

    Raises:
        CleanError: « valeur « X » absente de la liste « <vocab.label> » ».
    """
    return _choice(raw, vocab)[0]



def _multichoice(raw: object, vocab: Vocabulary) -> tuple[str | None, list[str]]:
    if _is_missing(raw):
        return None, []
    table = _table(vocab)
    text = _choice_text(raw)
    whole = table.by_key.get(_key(text))
    if whole is None and _is_empty_str(text):
        return None, []
    pieces = _MULTI_SPLIT_RE.split(text)
    fragments = pieces[0::2]
    found: set[str] = set()
    notes: list[str] = []
    unknown: list[str] = []
    i, n = 0, len(fragments)
    while i < n:
        # Longest run of fragments that is a term by itself ("Air, bruit et nuisances").
        matched = False
        for j in range(min(n - 1, i + table.max_span - 1), i, -1):
            candidate = "".join(pieces[2 * i: 2 * j + 1])
            label = table.by_key.get(_key(candidate))
            if label is not None:
                found.add(label)
                note = _recode_note(candidate, label, "exact" if _key(candidate) == _key(label) else "synonym")
                if note:
                    notes.append(note)
                i, matched = j + 1, True
                break
        if matched:
            continue
        fragment = fragments[i].strip()
        i += 1
        key = _key(fragment)
        if not key or (key not in table.by_key and _is_empty_str(fragment)):
            continue
        label, how, _error = _resolve_key(table, key)
        if label is None:
            unknown.append(fragment)
            continue
        found.add(label)
        note = _recode_note(fragment, label, how)
        if note:
            notes.append(note)
    if unknown:
        shown = ", ".join(_show(u) for u in unknown[:5])
        if len(unknown) > 5:
            shown += f" et {len(unknown) - 5} autres"
        if len(unknown) == 1:
            raise CleanError(f"valeur {shown} absente de la liste « {vocab.label} »", raw)
        raise CleanError(f"valeurs {shown} absentes de la liste « {vocab.label} »", raw)
    if not found:
        return None, []
    return model.MULTI_SEPARATOR.join(sorted(found, key=table.order.__getitem__)), notes


def parse_multichoice(raw: object, vocab: Vocabulary) -> str | None:
    """Map a multi-valued answer to labels of a controlled vocabulary.

    Items are separated by ";", ",", "/", "+", "&", new lines, " et " or " - " (a label that
    contains a separator, such as "Air, bruit et nuisances", is kept whole); each item is mapped
    like ``parse_choice``; duplicates are dropped and labels are listed in vocabulary order.

    Args:
        raw: the raw cell value, e.g. "csv, SHP et Excel".
        vocab: the vocabulary (from ``analysis.model``).

    Returns:
        The labels joined with ``model.MULTI_SEPARATOR``, or ``None`` when empty.

    Raises:
        CleanError: naming every item absent from the vocabulary.
    """
    return _multichoice(raw, vocab)[0]


# ---------------------------------------------------------------------------------------------
# Contacts and addresses
# ---------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}"
)
_EMAIL_SEARCH_RE = re.compile(r"[^\s<>()\[\],;:\"'«»]+@[^\s<>()\[\],;:\"'«»]+")
_AT_RE = re.compile(r"\s*(?:\[at\]|\(at\)|\[arobase\]|\(arobase\)| arobase | at )\s*")


def _email(raw: object) -> tuple[str | None, list[str]]:
    if is_empty(raw):
        return None, []
    text = unicodedata.normalize("NFKC", _to_text(raw)).strip().casefold()
    notes: list[str] = []
    if text.startswith("mailto:"):
        text = text[7:].strip()
    if "@" not in text and _AT_RE.search(text):
        text = _AT_RE.sub("@", text, count=1)
        notes.append(f"adresse {_show(raw)} lue comme « {text} »")
    text = _WS_RE.sub(" ", text).strip(" <>\"'«».,;")
    if _EMAIL_RE.fullmatch(text):
        return text, notes
    found = list(_EMAIL_SEARCH_RE.finditer(text))
    if len(found) > 1:
        raise CleanError(f"plusieurs adresses électroniques : {_show(raw)} (une seule attendue)", raw)
    if len(found) == 1:
        # Only an address set apart from the rest: "Nom <adresse>", "Courriel : adresse".
        candidate = found[0][0].strip(".")
        before = text[: found[0].start()].rstrip()
        after = text[found[0].end():].lstrip()
        if (
            _EMAIL_RE.fullmatch(candidate)
            and (not before or before[-1] in "<([:")
            and (not after or after[0] in ">)](")
        ):
            return candidate, [f"adresse « {candidate} » extraite de {_show(raw)}"]
    raise CleanError(f"adresse électronique invalide : {_show(raw)}", raw)


def parse_email(raw: object) -> str | None:
    """Read an e-mail address.

    Args:
        raw: the raw cell value: "Jean.Dupont@developpement-durable.gouv.fr",
            "mailto:…", "Jean Dupont <jean.dupont@x.fr>", "jean.dupont [at] x.fr".

    Returns:
        The address in lower case, or ``None`` when empty.

    Raises:
        CleanError: « adresse électronique invalide : « … » ».
    """
    return _email(raw)[0]


_PHONE_JUNK_RE = re.compile(r"[\s.\-/()\u00a0\u202f]+")
_PHONE_LABEL_RE = re.compile(r"^(?:t[ée]l[ée]?phone|t[ée]l|tel|t[ée]l\.|portable|mobile|fixe|ligne directe)[\s.:]*")


def _phone(raw: object) -> tuple[str | None, list[str]]:
    if is_empty(raw):
        return None, []
    notes: list[str] = []
    if isinstance(raw, bool):
        raise CleanError(f"numéro de téléphone invalide : {_show(raw)}", raw)
    if isinstance(raw, Real):
        value = float(raw)
        if not value.is_integer() or value < 0:
            raise CleanError(f"numéro de téléphone invalide : {_show(raw)}", raw)
        text = str(int(value))
    else:
        text = unicodedata.normalize("NFKC", _to_text(raw)).strip().casefold()
        text = _PHONE_LABEL_RE.sub("", text)
    text = text.replace("(0)", "")
    compact = _PHONE_JUNK_RE.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+33"):
        compact = "0" + compact[3:]
    if compact.startswith("+"):
        digits = compact[1:]
        if digits.isdigit() and 8 <= len(digits) <= 15 and digits[0] != "0":
            return "+" + digits, notes
        raise CleanError(f"numéro de téléphone invalide : {_show(raw)}", raw)
    if not compact.isdigit():
        if sum(c.isdigit() for c in compact) >= 18:
            raise CleanError(f"plusieurs numéros de téléphone : {_show(raw)} (un seul attendu)", raw)
        raise CleanError(f"numéro de téléphone invalide : {_show(raw)}", raw)
    if len(compact) == 9 and compact[0] != "0":
        compact = "0" + compact
        notes.append(f"zéro initial rétabli dans le numéro {_show(raw)}")
    if len(compact) != 10 or compact[0] != "0" or compact[1] == "0":
        if len(compact) >= 18:
            raise CleanError(f"plusieurs numéros de téléphone : {_show(raw)} (un seul attendu)", raw)
        raise CleanError(f"numéro de téléphone invalide : {_show(raw)} (10 chiffres attendus)", raw)
    return " ".join(compact[k:k + 2] for k in range(0, 10, 2)), notes


def parse_phone(raw: object) -> str | None:
    """Read a French phone number.

    Args:
        raw: the raw cell value: "03 20 30 59 59", "+33 3 20 30 59 59", "0320305959",
            "03.20.30.59.59", 320305959 (leading zero lost by Excel).

    Returns:
        The number as "03 20 30 59 59" (foreign numbers as "+<digits>"), or ``None`` when empty.

    Raises:
        CleanError: « numéro de téléphone invalide : « … » ».
    """
    return _phone(raw)[0]


_URL_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_HOST_RE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3}", re.IGNORECASE
)
_BARE_DOMAIN_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,})(?::\d+)?(?:[/?#]\S*)?$",
                             re.IGNORECASE)
_BARE_TLDS = frozenset({"fr", "com", "org", "net", "eu", "info", "io", "gouv", "int", "be", "de", "uk"})


def _url(raw: object) -> tuple[str | None, list[str]]:
    if is_empty(raw):
        return None, []
    text = unicodedata.normalize("NFKC", _to_text(raw)).strip().strip("<>\"'«» ").rstrip(".,;")
    notes: list[str] = []
    if " " in text or "\n" in text or "\t" in text:
        raise CleanError(f"adresse web invalide : {_show(raw)} (une seule adresse, sans espace)", raw)
    scheme = _URL_SCHEME_RE.match(text)
    if scheme is not None and scheme[1].lower() not in ("http", "https"):
        if not (scheme[1].isdigit() or _BARE_DOMAIN_RE.match(text)):
            raise CleanError(f"adresse web non prise en charge : {_show(raw)} (http ou https attendu)", raw)
        scheme = None
    if scheme is None:
        if text.lower().startswith("www.") or (
            (m := _BARE_DOMAIN_RE.match(text)) is not None and m[1].lower() in _BARE_TLDS
        ):
            completed = "https://" + text
            notes.append(f"adresse {_show(raw)} complétée en « {completed} »")
            text = completed
        else:
            raise CleanError(f"adresse web invalide : {_show(raw)}", raw)
    scheme_name, rest = text.split(":", 1)
    if not rest.startswith("//"):
        raise CleanError(f"adresse web invalide : {_show(raw)}", raw)
    rest = rest[2:]
    cut = min((p for p in (rest.find("/"), rest.find("?"), rest.find("#")) if p >= 0), default=len(rest))
    netloc, tail = rest[:cut], rest[cut:]
    host = netloc.rsplit("@", 1)[-1]
    port = ""
    if ":" in host:
        host, port = host.split(":", 1)
        if not port.isdigit():
            raise CleanError(f"adresse web invalide : {_show(raw)}", raw)
    if not _HOST_RE.fullmatch(host):
        raise CleanError(f"adresse web invalide : {_show(raw)}", raw)
    return f"{scheme_name.lower()}://{host.lower()}{':' + port if port else ''}{tail}", notes


def parse_url(raw: object) -> str | None:
    """Read a web address (http or https).

    Args:
        raw: the raw cell value: "https://www.data.gouv.fr/…", "www.geo2france.fr",
            "data.gouv.fr/fr/datasets/…".

    Returns:
        The URL with scheme and host in lower case, "https://" added to "www.…" and to bare
        domains, or ``None`` when empty.

    Raises:
        CleanError: « adresse web invalide : « … » » or, for ftp:, file:…, « adresse web non
        prise en charge ».
    """
    return _url(raw)[0]


# ---------------------------------------------------------------------------------------------
# Dispatch on the field kind
# ---------------------------------------------------------------------------------------------


def _text_kind(raw: object) -> tuple[object, list[str]]:
    return clean_text(raw), []


def _longtext_kind(raw: object) -> tuple[object, list[str]]:
    return clean_text(raw, keep_newlines=True), []


_PARSERS = {
    "text": _text_kind,
    "longtext": _longtext_kind,
    "service": _text_kind,
    "arrangement": _text_kind,
    "integer": _integer,
    "money": _money,
    "fte": _fte,
    "bool": _bool,
    "date": _date,
    "url": _url,
    "email": _email,
    "phone": _phone,
}


def _check_bounds(field: Field, raw: object, value: float | int) -> None:
    low, high = field.min_value, field.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            expected = f"entre {_fmt_bound(low)} et {_fmt_bound(high)}"
        elif low is not None:
            expected = f"au moins {_fmt_bound(low)}"
        else:
            expected = f"au plus {_fmt_bound(high)}"
        shown = _show(raw)
        if shown != f"« {_fmt(value)} »":
            shown += f" lu comme {_fmt_bound(value)}"
        raise CleanError(f"valeur hors bornes : {shown} (attendu {expected})", raw)


def _fmt_bound(value: float) -> str:
    text = _fmt(value)
    if "," in text or len(text) <= 4:
        return text
    sign = "-" if text.startswith("-") else ""
    digits = text.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return sign + " ".join(groups)


def clean_value(field: Field, raw: object) -> Cleaned:
    """Clean one raw cell according to its field.

    Args:
        field: the questionnaire field (``analysis.model.Field``); its ``kind`` chooses the parser,
            its ``vocab`` the vocabulary of choice fields, its ``min_value`` / ``max_value`` the
            accepted range of numbers.
        raw: the raw cell value.

    Returns:
        ``Cleaned(value, rule)``: the clean value (``None`` when empty) and, when the recoding
        changed the value's substance, a short French description of it.

    Raises:
        CleanError: the value cannot be read, or is out of bounds (« valeur hors bornes … »).
    """
    kind = field.kind
    if kind in ("choice", "multichoice"):
        if field.vocab is None:
            raise ValueError(f"field {field.name} of kind {kind} has no vocabulary")
        value, notes = (_choice if kind == "choice" else _multichoice)(raw, field.vocab)
    else:
        parser = _PARSERS.get(kind)
        if parser is None:
            raise ValueError(f"unknown field kind {kind!r} for field {field.name}")
        value, notes = parser(raw)
    if value is not None and kind in ("integer", "money", "fte"):
        _check_bounds(field, raw, value)
    return Cleaned(value, "; ".join(notes) if notes else None)
