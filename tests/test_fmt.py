"""French formatting of figures (expected strings written by hand)."""

import datetime as dt

import pytest

from analysis import fmt

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator in CLDR


@pytest.mark.parametrize(
    "value,decimals,expected",
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1234.5, 0, f"1{NNBSP}234"),
        (0, 0, "0"),
        (12, 2, "12,00"),
        (-3.25, 1, "-3,2"),
        (1_000_000, 0, f"1{NNBSP}000{NNBSP}000"),
        (None, 0, "—"),
        (float("nan"), 0, "—"),
    ],
)
def test_number(value, decimals, expected):
    assert fmt.number(value, decimals) == expected


def test_percent_money_fte_date_plural():
    assert fmt.percent(0.38).replace("\xa0", " ").replace(NNBSP, " ") == "38 %"
    assert fmt.percent(0.125, 1).replace("\xa0", " ").replace(NNBSP, " ") == "12,5 %"
    assert fmt.money(12500) == f"12{NNBSP}500 €"
    assert fmt.money(1_234_567, short=True) == "1,2 M€"
    assert fmt.money(350_000, short=True) == "350 k€"
    assert fmt.money(2_500, short=True) == f"2{NNBSP}500 €"
    assert fmt.fte(1.5) == "1,5 ETP"
    assert fmt.fte(2.0) == "2 ETP"
    assert fmt.date(dt.date(2026, 12, 4)) == "4 décembre 2026"
    assert fmt.date(dt.datetime(2021, 9, 30, 12, 0)) == "30 septembre 2021"
    assert fmt.plural(1, "service") == "1 service"
    assert fmt.plural(0, "service") == "0 service"
    assert fmt.plural(3, "dispositif") == "3 dispositifs"
    assert fmt.plural(2, "réseau", "réseaux") == "2 réseaux"
    assert fmt.share(1, 4) == 0.25 and fmt.share(1, 0) is None
    assert fmt.enumerate_fr(["DREAL", "DDTM 59", "ARS"]) == "DREAL, DDTM 59 et ARS"
