"""French words for what the parser and the database say in codes or English.

Used by the email templates (as Jinja filters) so that company bosses and social workers only
ever read plain French: field labels, contract types, reasons why an attachment was unreadable.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent
from jinja2 import Undefined

__all__ = [
    "CONTRACT_LABELS",
    "FIELD_LABELS",
    "LOCALE",
    "TIMEZONE",
    "contract_label",
    "count_fr",
    "date_fr",
    "datetime_fr",
    "day_fr",
    "money_fr",
    "percent_fr",
    "field_label",
    "hours_fr",
    "number_fr",
    "company_rows",
    "offer_rows",
    "phone_fr",
    "problem_fr",
    "reason_fr",
]

LOCALE = "fr_FR"
TIMEZONE = ZoneInfo("Europe/Paris")

FIELD_LABELS: dict[str, str] = {
    "company.legal_name": "Raison sociale",
    "company.siret": "SIRET",
    "company.address": "Adresse de l'entreprise",
    "company.contact_name": "Personne à contacter",
    "company.phone": "Téléphone",
    "company.email": "Adresse e-mail",
    "job.title": "Intitulé du poste",
    "job.positions": "Nombre de postes",
    "job.recruitment_date": "Date de recrutement souhaitée",
    "job.main_activities": "Principales activités",
    "job.required_skills": "Compétences requises",
    "job.experience": "Expérience demandée",
    "job.training": "Formation ou diplôme",
    "job.special_requirements": "Contraintes particulières du poste",
    "conditions.contract_type": "Type de contrat",
    "conditions.contract_duration": "Durée du contrat",
    "conditions.weekly_hours": "Durée hebdomadaire de travail",
    "conditions.gross_salary": "Salaire brut",
    "conditions.workplace": "Lieu de travail",
    "market": "Marché",
}

CONTRACT_LABELS: dict[str, str] = {
    "CDI": "CDI",
    "CDD": "CDD",
    "INTERIM": "Intérim",
    "CONTRAT_PRO": "Contrat de professionnalisation",
    "APPRENTISSAGE": "Apprentissage",
    "CDDI": "CDDI (contrat à durée déterminée d'insertion)",
    "AUTRE": "Autre",
}


def field_label(dotted: str | None) -> str:
    """'company.siret' → 'SIRET'; also accepts a bare field name ('siret'); unknown → readable."""
    if not dotted:
        return ""
    key = str(dotted).strip()
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    for name, label in FIELD_LABELS.items():
        if name.rsplit(".", 1)[-1] == key:
            return label
    return key.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def contract_label(code: str | None) -> str:
    """'CONTRAT_PRO' → 'Contrat de professionnalisation'; unknown codes are shown as written."""
    if not code:
        return ""
    return CONTRACT_LABELS.get(str(code).strip().upper(), str(code))


def _mb(match: re.Match[str]) -> str:
    return f"fichier trop volumineux ({match['size']} Mo, maximum {match['limit']} Mo)"


def _message_mb(match: re.Match[str]) -> str:
    return (f"message trop volumineux ({match['size']} Mo, maximum {match['limit']} Mo) : "
            "pièces jointes non lues")


def _pages(match: re.Match[str]) -> str:
    return f"document trop long ({match['pages']} pages, maximum {match['limit']})"


# (English reason pattern, French wording or builder); matched case-insensitively at the END of a
# problem string, so "Fiche.pdf: PDF is password-protected" keeps its file name.
_REASONS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (r"PDF is password[- ]protected", "fichier PDF protégé par un mot de passe"),
    (r"(?:password|encrypted)[^:]*", "fichier protégé par un mot de passe"),
    (r"corrupt or truncated PDF(?: \(.*\))?", "fichier PDF endommagé ou incomplet"),
    (r"corrupt(?: or truncated)? DOCX(?: \(.*\))?", "document Word endommagé ou incomplet"),
    (
        r"file too large \((?P<size>\d+) MB > (?P<limit>\d+) MB limit\)",
        _mb,
    ),
    (r"file too large.*", "fichier trop volumineux"),
    (r"message too large \((?P<size>\d+) MB > (?P<limit>\d+) MB limit\).*", _message_mb),
    (r"message too large.*", "message trop volumineux : pièces jointes non lues"),
    (r"PDF has no pages", "fichier PDF vide (aucune page)"),
    (r"PDF has (?P<pages>\d+) pages \(limit (?P<limit>\d+)\)", _pages),
    (r"DOCX inflates to .*", "document Word anormalement volumineux une fois décompressé"),
    (r".*refused as a decompression bomb", "fichier PDF anormalement volumineux une fois décompressé"),
    (r"not a Word document.*", "ce fichier n'est pas un document Word valide"),
    (r"not a PDF or DOCX document", "ce fichier n'est ni un PDF ni un document Word"),
    (r"empty file", "fichier vide"),
    (r"no form could be read", "aucun formulaire n'a pu être lu"),
    (r"(?:timed? ?out|took too long|(?:reading )?took longer than).*",
     "le fichier n'a pas pu être lu dans un délai raisonnable"),
    (r"(?:invalid|bad) SIRET.*", "numéro SIRET invalide"),
    (r"(?:invalid|unreadable) (?:recruitment )?date.*", "date illisible"),
]
_COMPILED = [(re.compile(rf"(?P<reason>{pattern})\s*$", re.I), fr) for pattern, fr in _REASONS]
_FIELD_PREFIX = re.compile(r"^(?P<field>[a-z_]+\.[a-z_]+)\s*:\s*(?P<rest>.*)$", re.S)
_FILE_PREFIX = re.compile(r"^(?P<name>[^:]+\.[A-Za-z0-9]{2,5})\s*:\s*(?P<rest>.+)$", re.S)
_FRENCH_HINT = re.compile(
    r"[àâçéèêëîïôûùœ]"
    r"|\b(?:le|la|les|de|du|des|un|une|est|non|fichier|illisible|vide|invalide|manquante?)\b",
    re.I,
)


def reason_fr(text: str) -> str | None:
    """The French wording of one English reason from the parser, or None if it is not known."""
    for pattern, french in _COMPILED:
        match = pattern.search(text)
        if match and match.start() == 0:
            return french if isinstance(french, str) else french(match)
    return None


def problem_fr(text: str | None) -> str:
    """A parser problem in plain French, keeping a leading file name or field label.

    "Fiche.pdf: PDF is password-protected" → "Fiche.pdf : fichier PDF protégé par un mot de passe";
    "company.siret: invalid SIRET checksum" → "SIRET : numéro SIRET invalide". A text already in
    French is kept; an unknown English reason becomes a generic French sentence, never English.
    """
    if not text:
        return ""
    text = " ".join(str(text).split())
    prefix = ""
    field_match = _FIELD_PREFIX.match(text)
    is_field = bool(field_match and field_match["field"] in FIELD_LABELS)
    if field_match and is_field:
        prefix, text = field_label(field_match["field"]), field_match["rest"]
    else:
        for pattern, _ in _COMPILED:
            match = pattern.search(text)
            if match and match.start() == 0:
                break
            if match:
                head = text[: match.start()].rstrip(" :-–")
                if head:
                    prefix, text = head, text[match.start() :]
                break
        else:
            name_match = _FILE_PREFIX.match(text)
            if name_match:
                prefix, text = name_match["name"], name_match["rest"]
    french = reason_fr(text)
    if french is None:
        french = text if _FRENCH_HINT.search(text) else "ce document n'a pas pu être lu"
        if is_field:
            french = text if _FRENCH_HINT.search(text) else "valeur à vérifier"
    return f"{prefix} : {french}" if prefix else french


def _blank(value: Any) -> bool:
    return (
        value is None
        or isinstance(value, Undefined)
        or (isinstance(value, str) and not value.strip())
    )


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


_PATTERNS: dict[str, str] = {}


def _pattern(width: str) -> str:
    """The French locale's date pattern of `width` ('full', 'long') with the day as '1er' ready:
    the day field `d` followed by the quoted ordinal suffix the caller fills in."""
    if width not in _PATTERNS:
        _PATTERNS[width] = str(Locale.parse(LOCALE).date_formats[width].pattern)
    return _PATTERNS[width]


def _french_date(day: date, width: str) -> str:
    """babel's date of `width`, with '1er' for the first day of a month (which babel writes
    '1'): 'mercredi 1er décembre 2027', '15 janvier 2027'."""
    pattern = _pattern(width)
    if day.day == 1:
        # the lone day field (not 'dd', not inside quotes) gets the ordinal suffix
        pattern = re.sub(r"(?<![d'])d(?![d'])", "d'er'", pattern, count=1)
    return format_date(day, format=pattern, locale=LOCALE)


def date_fr(value: Any) -> str:
    """ISO string, date or datetime → '15 janvier 2027', '1er mars 2027'; anything unreadable is
    shown as written."""
    if _blank(value):
        return ""
    parsed = _as_date(value)
    return _french_date(parsed, "long") if parsed else str(value)


def day_fr(value: Any) -> str:
    """A date with its weekday: 'vendredi 15 janvier 2027', 'mercredi 1er décembre 2027'."""
    if _blank(value):
        return ""
    parsed = _as_date(value)
    return _french_date(parsed, "full") if parsed else str(value)


def datetime_fr(value: Any) -> str:
    """A datetime (naive = UTC, as stored) → '15 janvier 2027 à 10:32', Paris time."""
    if not isinstance(value, datetime):
        return date_fr(value)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(TIMEZONE)
    day = _french_date(local.date(), "long")
    return f"{day} à {format_time(local, 'HH:mm', locale=LOCALE)}"


def number_fr(value: Any) -> str:
    """39.0 → '39', 24.5 → '24,5'; non-numbers are shown as written."""
    if _blank(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return format_decimal(value, locale=LOCALE)


def hours_fr(value: Any) -> str:
    """Weekly hours: 35 → '35 h', 24.5 → '24,5 h'; text is shown as written."""
    text = number_fr(value)
    return f"{text} h" if text and isinstance(value, int | float) else text


def money_fr(value: Any) -> str:
    """An amount in euros: 1850 → '1 850,00 €' (narrow no-break space between thousands,
    no-break space before the sign, as the French locale writes them)."""
    if _blank(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return "" if _blank(value) else str(value)
    return format_currency(value, "EUR", locale=LOCALE)


def count_fr(value: Any, singular: str = "", plural: str | None = None, *, decimals: int = 0) -> str:
    """A whole quantity with its unit: (12345, 'heure') → '12 345 heures', (1, 'heure') →
    '1 heure' (French keeps 0 and 1 singular); rounded to `decimals`; no unit: the number alone."""
    if _blank(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return "" if _blank(value) else str(value)
    rounded = round(float(value), decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    text = format_decimal(rounded, format=pattern, locale=LOCALE)
    if not singular:
        return text
    unit = singular if abs(rounded) < 2 else (plural or f"{singular}s")
    return f"{text}\u00a0{unit}"


def percent_fr(value: Any) -> str:
    """A share (0.255) → '25,5 %' (one decimal at most, no-break space before the sign)."""
    if _blank(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return "" if _blank(value) else str(value)
    return format_percent(value, format="#,##0.#\u00a0%", locale=LOCALE)


# Offer dict key → (label key or label, formatter); the order is the order shown in emails.
_OFFER_ROWS: list[tuple[str, str, Callable[[Any], str]]] = [
    ("title", "job.title", str),
    ("company_name", "Entreprise", str),
    ("positions", "job.positions", number_fr),
    ("contract_type", "conditions.contract_type", contract_label),
    ("contract_duration", "conditions.contract_duration", str),
    ("recruitment_date", "job.recruitment_date", date_fr),
    ("weekly_hours", "conditions.weekly_hours", hours_fr),
    ("gross_salary", "conditions.gross_salary", str),
    ("workplace", "conditions.workplace", str),
    ("main_activities", "job.main_activities", str),
    ("required_skills", "job.required_skills", str),
    ("experience", "job.experience", str),
    ("training", "job.training", str),
    ("special_requirements", "job.special_requirements", str),
    ("market", "market", str),
]


def offer_rows(offer: Any, *, company: bool = False) -> list[tuple[str, str]]:
    """(French label, French value) pairs for the filled fields of an offer dict, display order.

    `company=True` includes the company name (for partners; a company knows its own name).
    """
    if not isinstance(offer, dict):
        return []
    rows = []
    for key, label_key, fmt in _OFFER_ROWS:
        if key == "company_name" and not company:
            continue
        value = offer.get(key)
        if _blank(value):
            continue
        multiline = key in _MULTILINE
        text = "\n".join(_lines(fmt(value))) if multiline else " ".join(fmt(value).split())
        if text:
            rows.append((FIELD_LABELS.get(label_key, label_key), text))
    return rows


# Answers people often write as several lines (one activity, skill... per line): their lines
# are kept ("\n"-separated) so the templates show them as a list.
_MULTILINE = frozenset({"main_activities", "required_skills", "experience", "training",
                        "special_requirements", "workplace"})
_BULLET = re.compile(r"^\s*(?:[-–—•·▪●◦*>]|\d{1,2}[.)])\s+")


def _lines(text: str) -> list[str]:
    """The non-empty lines of `text`, spaces collapsed and a leading bullet ('-', '•', '1.')
    dropped."""
    out = []
    for line in text.splitlines():
        line = " ".join(_BULLET.sub("", line).split())
        if line:
            out.append(line)
    return out


def phone_fr(value: Any) -> str:
    """'+33612345678' → '06 12 34 56 78' (French numbers), international format otherwise."""
    if _blank(value):
        return ""
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        return text
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def _siret(value: Any) -> str:
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    if len(digits) != 14:
        return str(value)
    return f"{digits[:3]} {digits[3:6]} {digits[6:9]} {digits[9:]}"


_COMPANY_ROWS: list[tuple[str, Callable[[Any], str]]] = [
    ("legal_name", str),
    ("siret", _siret),
    ("address", str),
    ("contact_name", str),
    ("phone", phone_fr),
    ("email", str),
]


def company_rows(company: Any) -> list[tuple[str, str]]:
    """(French label, value) pairs for the filled fields of a company dict, display order."""
    if not isinstance(company, dict):
        return []
    rows = []
    for key, fmt in _COMPANY_ROWS:
        value = company.get(key)
        if _blank(value):
            continue
        text = " ".join(fmt(value).split())
        if text:
            rows.append((FIELD_LABELS[f"company.{key}"], text))
    return rows
