"""Value normalisers of the parse contract."""

from __future__ import annotations

import pytest

from mailbot.parse.normalise import (
    checked_options,
    clean_text,
    is_blank,
    normalise_date,
    normalise_email,
    normalise_hours,
    normalise_phone,
    normalise_positions,
    normalise_siret,
    split_duration,
)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("Tél : 03-22-71-50-00 (standard)", "+33322715000"),
        ("+33 7 14 97 04 15", "+33714970415"),  # unassigned in the plan: kept anyway
        ("0033 6 12 34 56 78", "+33612345678"),
        ("02/35847712", "+33235847712"),
        # overseas departments dial like France but have their own country codes
        ("0692 14 86 02", "+262692148602"),  # La Réunion, mobile
        ("02 62 46 18 93", "+262262461893"),  # La Réunion, fixed
        ("05 90 91 57 26", "+590590915726"),  # Guadeloupe, fixed
        ("06 90 35 27 81", "+590690352781"),  # Guadeloupe, mobile
        ("0596 12 34 56", "+596596123456"),  # Martinique
        ("+33 6 92 14 86 02", "+33692148602"),  # written with +33: kept as written
    ],
)
def test_phone_is_e164(raw: str, want: str) -> None:
    assert normalise_phone(raw) == want


@pytest.mark.parametrize("raw", ["", "pas de téléphone", "12", None])
def test_phone_unreadable_is_none(raw) -> None:
    assert normalise_phone(raw) is None


def test_email_is_lowercased_and_extracted() -> None:
    assert normalise_email("Courriel : Remi.MARECHAL@Elec-Dury.fr.") == "remi.marechal@elec-dury.fr"
    assert normalise_email("pas d'adresse") is None


def test_siret_valid_invalid_and_short() -> None:
    assert normalise_siret("967 897 158 000 77") == ("96789715800077", None)
    value, problem = normalise_siret("666 915 954 00052")
    assert value == "66691595400052" and "Luhn" in problem
    value, problem = normalise_siret("123 456 789")
    assert value == "123456789" and "14 chiffres" in problem
    assert normalise_siret("1 62795879600047") == ("62795879600047", None)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("15/01/2027", "2027-01-15"),
        ("15 janvier 2027", "2027-01-15"),
        ("lun. 15/01/27", "2027-01-15"),
        ("1er mars 2027", "2027-03-01"),
        ("15.02.2027", "2027-02-15"),
        ("2027-03-18", "2027-03-18"),
        ("Lundi 5 avril 2027", "2027-04-05"),
        ("dès le 3 févr. 2027", "2027-02-03"),
        ("mer. 21/04/27", "2027-04-21"),
    ],
)
def test_dates_are_iso(raw: str, want: str) -> None:
    assert normalise_date(raw) == (want, None)


@pytest.mark.parametrize("raw", ["semaine du lundi", "ASAP", "31/02/2027", "mars"])
def test_unreadable_date_is_a_problem(raw: str) -> None:
    value, problem = normalise_date(raw)
    assert value is None and problem and "date" in problem


def test_blank_date_is_neither_value_nor_problem() -> None:
    assert normalise_date("……………") == (None, None)


@pytest.mark.parametrize(
    ("raw", "want"), [("Deux (2)", 2), ("3 postes", 3), ("02", 2), ("Quatre", 4), ("une", 1)]
)
def test_positions(raw: str, want: int) -> None:
    assert normalise_positions(raw) == (want, None)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("24,5 h", 24.5),
        ("35h hebdo", 35),
        ("39 heures", 39),
        ("24h30", 24.5),
        ("35", 35),
        ("151,67 h par mois", 35),
        ("7h/jour", 35),
    ],
)
def test_weekly_hours(raw: str, want: float) -> None:
    assert normalise_hours(raw) == (want, None)


def test_text_cleaning() -> None:
    assert clean_text("• a\n- b\n* c\n– d") == "a b c d"
    assert clean_text("  Mme  Hélène Dupré – Responsable RH ") == "Mme Hélène Dupré – Responsable RH"
    assert clean_text("……………………") is None
    assert clean_text("CAP\n\n  Cuisine") == "CAP Cuisine"
    assert is_blank("....  ") and is_blank("") and not is_blank("x")


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("CDD de 6 mois", "6 mois"),
        ("CDD 3 mois renouvelable", "3 mois renouvelable"),
        ("Contrat de professionnalisation – 18 mois", "18 mois"),
        ("CDI", None),
    ],
)
def test_duration_split(raw: str, want: str | None) -> None:
    assert split_duration(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("☐ CDI ☒ CDD ☐ Intérim", "CDD"),
        ("[ ] CDI [x] CDDI 4 mois", "CDDI 4 mois"),
        ("☐ CDI ☐ CDD", ""),
        ("CDD de 6 mois", "CDD de 6 mois"),
    ],
)
def test_checked_options(raw: str, want: str) -> None:
    assert checked_options(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("CDD / 9 mois", "9 mois"),
        ("Apprentissage, durée : 2 ans", "2 ans"),
        ("Contrat à durée déterminée d'insertion (CDDI) – 4 mois renouvelable", "4 mois renouvelable"),
        ("CDD d'insertion (6 mois)", "6 mois"),
        ("CDD 6 mois (renouvelable)", "6 mois (renouvelable)"),
    ],
)
def test_duration_after_the_contract_type(raw: str, want: str) -> None:
    assert split_duration(raw) == want
