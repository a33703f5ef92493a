"""French formatting helpers (babel, fr_FR): dates with '1er', amounts, counts, shares."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mailbot.outbox.labels_fr import count_fr, date_fr, datetime_fr, day_fr, money_fr, percent_fr

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator
NBSP = "\u00a0"  # no-break space: before a unit, '€' or '%'


def test_weekday_dates_and_the_first_of_the_month():
    assert day_fr(date(2027, 1, 15)) == "vendredi 15 janvier 2027"
    assert day_fr("2027-12-01") == "mercredi 1er décembre 2027"
    assert day_fr(datetime(2027, 3, 1, 9, 0, tzinfo=UTC)) == "lundi 1er mars 2027"
    assert date_fr(date(2027, 12, 1)) == "1er décembre 2027"
    assert date_fr(date(2027, 12, 11)) == "11 décembre 2027"  # only the day 1 takes 'er'
    assert date_fr(date(2027, 12, 21)) == "21 décembre 2027"
    assert datetime_fr(datetime(2027, 1, 31, 23, 30, tzinfo=UTC)) == "1er février 2027 à 00:30"
    assert day_fr(None) == "" and day_fr("plus tard") == "plus tard"


def test_amounts_counts_and_shares_use_the_locale_spaces():
    assert money_fr(1850) == f"1{NNBSP}850,00{NBSP}€"
    assert money_fr(12.5) == f"12,50{NBSP}€"
    assert count_fr(12345, "heure") == f"12{NNBSP}345{NBSP}heures"
    assert count_fr(12345.6, "heure") == f"12{NNBSP}346{NBSP}heures"
    assert count_fr(1, "heure") == f"1{NBSP}heure" and count_fr(0, "heure") == f"0{NBSP}heure"
    assert count_fr(3, "contrat de professionnalisation", "contrats de professionnalisation") == \
        f"3{NBSP}contrats de professionnalisation"
    assert count_fr(1234567) == f"1{NNBSP}234{NNBSP}567"
    assert count_fr(919.99, "heure", decimals=1) == f"920,0{NBSP}heures"
    assert percent_fr(0.25) == f"25{NBSP}%" and percent_fr(1 / 3) == f"33,3{NBSP}%"
    assert money_fr(None) == count_fr(None) == percent_fr(None) == ""
    assert money_fr("sur devis") == "sur devis"


@pytest.mark.parametrize("month", range(1, 13))
def test_every_first_of_month_has_its_ordinal(month):
    assert date_fr(date(2028, month, 1)).startswith("1er ")
    assert " 1er " in day_fr(date(2028, month, 1))
    assert "er" not in date_fr(date(2028, month, 2)).split()[0]
