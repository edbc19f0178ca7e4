"""French formatting of figures for the reports (babel, locale fr_FR).

Every number a sentence or a table states goes through these helpers so that the report reads
"1 234,5", "12 %", "12 500 €", "4 décembre 2026" whatever the machine's locale.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LOCALE = "fr_FR"
MISSING = "—"


def is_missing(x: object) -> bool:
    """True for ``None``, NaN, ``pd.NA`` and ``NaT``: a cell left empty (strings never are)."""
    if x is None:
        return True
    if isinstance(x, str):
        return False
    try:
        import pandas as pd

        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False




def number(x: float | int | None, decimals: int = 0) -> str:
    """Format a number the French way: ``number(1234.5, 1) == "1 234,5"`` (narrow no-break space).

    Args:
        x: the number (``None``/NaN gives an em dash).
        decimals: digits after the decimal comma (trailing zeros kept).
    """
    if is_missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(float(x), decimals), format=pattern, locale=LOCALE)


def percent(share: float | None, decimals: int = 0) -> str:
    """Format a share (0.38) as a French percentage ("38 %")."""
    if is_missing(share):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + " %"
    return format_percent(share, format=pattern, locale=LOCALE)


def share(part: float, whole: float) -> float | None:
    """``part / whole``, or ``None`` when ``whole`` is zero."""
    return part / whole if whole else None


def money(x: float | None, short: bool = False) -> str:
    """Format euros: ``money(12500) == "12 500 €"``; ``short`` gives "1,2 M€" / "350 k€"."""
    if is_missing(x):
        return MISSING
    x = float(x)
    if short and abs(x) >= 1_000_000:
        return f"{number(x / 1_000_000, 1)} M€"
    if short and abs(x) >= 10_000:
        return f"{number(x / 1_000)} k€"
    return f"{number(x)} €"


def fte(x: float | None) -> str:
    """Format full-time equivalents: ``fte(1.5) == "1,5 ETP"``."""
    if is_missing(x):
        return MISSING
    return f"{number(x, 0 if float(x).is_integer() else 1)} ETP"


def date(d: dt.date | dt.datetime | None) -> str:
    """Format a date in full: ``date(date(2026, 12, 4)) == "4 décembre 2026"``."""
    if d is None or (not isinstance(d, dt.date) and is_missing(d)):
        return MISSING
    if isinstance(d, dt.datetime):
        d = d.date()
    return format_date(d, format="d MMMM y", locale=LOCALE)


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """Number and noun agreed the French way (0 and 1 take the singular): ``plural(2, "service")``."""
    word = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{number(n)} {word}"


def enumerate_fr(items: list[str], last: str = "et") -> str:
    """Join words as French prose: ``["a", "b", "c"]`` -> ``"a, b et c"``."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]
