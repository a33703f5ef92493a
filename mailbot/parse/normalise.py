"""Value normalisers of the parse contract: text, SIRET, phone, e-mail, dates, numbers, contracts.

Each returns the normalised value or None; those that can find a problem return it as a French
sentence for the référent (``(value, problem)``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import phonenumbers
from stdnum.fr import siret as stdnum_siret

__all__ = [
    "checked_options",
    "clean_text",
    "is_blank",
    "is_instruction",
    "normalise_date",
    "normalise_email",
    "normalise_hours",
    "normalise_phone",
    "normalise_positions",
    "normalise_siret",
    "split_duration",
]

_BULLET = re.compile(r"^\s*(?:[-•–—*·▪►●○◦→✓]|\d+[.)](?=\s))\s*")
_LEADERS = re.compile(r"^[\s.…_·\-–—:/]*$")
# Words that stand for no answer: 'Néant', 'N/A', 'NC', 'Non communiqué', 'À compléter'.
_NO_ANSWER = re.compile(
    r"^\W*(?:néant|neant|n\s*/\s*a|n\.?\s?c\.?|non\s+(?:communiqué|renseigné|précisé|connu)|"
    r"à\s+(?:compléter|préciser|définir|renseigner)|a\s+(?:completer|preciser|definir))\W*$",
    re.IGNORECASE,
)


# OCR confusions, undone where the field's shape says which reading is right.
_STRAY_QUOTE = re.compile(r"(?:(?<=\s)|^)[‘’`´'\u201c\u201d\"]\s*(?=\d)")  # '‘35 h' -> '35 h'
_IRE = re.compile(r"\b[iIl][rR][eE]\b(?=\s+(?:[a-zA-Zéû]{3,}))")  # 'ire mars' -> '1re mars'


def _ocr_number(text: str) -> str:
    """A number's text with a stray quote before it removed ('‘2' read for '2')."""
    return _STRAY_QUOTE.sub("", text)


def is_blank(text: str | None) -> bool:
    """True for None, whitespace, dotted leaders ('……', '....', '____', '/') or a word standing
    for no answer ('Néant', 'N/A', 'Non communiqué')."""
    return text is None or bool(_LEADERS.match(text)) or bool(_NO_ANSWER.match(text))


def clean_text(text: str | None) -> str | None:
    """Lines joined with single spaces, bullets stripped, dotted leaders removed; None if empty."""
    if text is None:
        return None
    joined = " ".join(_clean_lines(text)[0]).strip()
    return joined or None


def list_items(text: str | None) -> list[str] | None:
    """The items of a multi-line answer written as a list (bullets, or one capitalised item per
    line), cleaned like `clean_text`; None for a single line or a wrapped paragraph."""
    if text is None:
        return None
    lines, bulleted = _clean_lines(text)
    if len(lines) < 2:
        return None
    if bulleted >= len(lines) - 1:
        return lines
    wrapped = any(line[:1].islower() or line[:1].isdigit() for line in lines[1:]) or any(
        line.endswith((",", "-", "/")) or line.rsplit(" ", 1)[-1].lower() in _JOINERS
        for line in lines[:-1])
    return None if wrapped else lines


_JOINERS = {"et", "ou", "de", "des", "du", "la", "le", "les", "à", "au", "aux", "en", "pour",
            "avec", "sur", "d'un", "d'une", "un", "une"}


# A form's own instruction in brackets, left under a label: '(indiquez la base)', '(3 ou 4 lignes
# maximum)', '(nom, prénom, fonction)', '[facultatif]'.
_INSTRUCTION_WORDS = re.compile(
    r"\b(?:indiquez|indiquer|précisez|préciser|mentionnez|cochez|cocher|complétez|compléter|détaillez|"
    r"décrivez|joindre|facultatif|obligatoire|maximum|max|lignes?|exemple|ex)\b|\bjj\s*/\s*mm",
    re.IGNORECASE,
)


def is_instruction(line: str) -> bool:
    """A whole line in brackets that tells how to answer, not an answer."""
    line = line.strip()
    if len(line) < 3 or (line[0], line[-1]) not in (("(", ")"), ("[", "]")) or line.count("(") > 1:
        return False
    inner = line[1:-1].strip()
    if _INSTRUCTION_WORDS.search(inner):
        return True
    items = [x.split() for x in inner.split(",")]  # '(nom, prénom, fonction)'
    return len(items) >= 2 and all(1 <= len(x) <= 2 and x[0][:1].islower() for x in items)


def _clean_lines(text: str) -> tuple[list[str], int]:
    """The non-blank lines of `text`, cleaned, and how many carried a bullet."""
    lines = []
    bulleted = 0
    for line in text.replace("\r", "\n").replace("\u2028", "\n").split("\n"):
        line = line.replace("\xa0", " ").replace("\u202f", " ").replace("\t", " ")
        line = re.sub(r"[.…_]{4,}\s*$", "", line)
        line = re.sub(r"^\s*[.…_]{4,}\s*[:：]?\s*", "", line)  # '........ : value' (leaders)
        line, bullets = _BULLET.subn("", line)
        line = _STRAY_QUOTE.sub("", line, count=1) if _STRAY_QUOTE.match(line) else line
        line = " ".join(line.split())
        if line and not is_blank(line) and not is_instruction(line):
            lines.append(line)
            bulleted += bool(bullets)
    return lines, bulleted


def normalise_siret(text: str) -> tuple[str | None, str | None]:
    """14 digits (spaces, dots and dashes dropped), and a problem if the checksum fails."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    if not digits:
        return None, f"company.siret: numéro SIRET illisible « {text.strip()} »"
    if len(digits) != 14:
        groups = re.findall(r"\d+", unicodedata.normalize("NFKC", text))
        for start in range(len(groups)):
            for end in range(start + 1, len(groups) + 1):
                window = "".join(groups[start:end])
                if len(window) == 14 and stdnum_siret.is_valid(window):
                    return window, None  # a stray digit around it (scan noise, 'n° 1')
        return digits, f"company.siret: le SIRET doit compter 14 chiffres (lu : {len(digits)})"
    if not stdnum_siret.is_valid(digits):
        return digits, "company.siret: numéro SIRET invalide (clé de contrôle Luhn incorrecte)"
    return digits, None


# Overseas departments dial like France ('0692 …') but have their own country codes.
_OVERSEAS = (("262", "RE"), ("263", "RE"), ("692", "RE"), ("693", "RE"), ("269", "YT"),
             ("639", "YT"), ("590", "GP"), ("690", "GP"), ("691", "GP"), ("594", "GF"),
             ("694", "GF"), ("596", "MQ"), ("696", "MQ"), ("697", "MQ"))


def _overseas(number: phonenumbers.PhoneNumber, written: str) -> phonenumbers.PhoneNumber:
    """'0692 14 86 02' read as +33 692…: La Réunion's +262 692… (a national number whose
    prefix belongs to an overseas department; '+33 6 92…' written with +33 stays)."""
    if number.country_code != 33 or "+" in written or "0033" in written.replace(" ", ""):
        return number
    national = str(number.national_number)
    region = next((r for prefix, r in _OVERSEAS if national.startswith(prefix)), None)
    if region is None:
        return number
    try:
        return phonenumbers.parse("0" + national, region)
    except phonenumbers.NumberParseException:
        return number


def normalise_phone(text: str | None) -> str | None:
    """E.164 ('+33612345678') of the first phone number in text (region FR, or an overseas
    department's code for its own prefixes: '0692…' is +262 692…), or None.

    Numbers that are well formed but unassigned are kept: only the format matters.
    """
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\(0\)", "", text)
    for match in phonenumbers.PhoneNumberMatcher(text, "FR", leniency=phonenumbers.Leniency.POSSIBLE):
        number = _overseas(match.number, match.raw_string)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    candidate = re.search(r"\+?\d[\d\s./\-]{7,}\d", text)
    if candidate:
        try:
            number = phonenumbers.parse(candidate.group(0), "FR")
        except phonenumbers.NumberParseException:
            return None
        if phonenumbers.is_possible_number(number) or len(str(number.national_number)) == 9:
            number = _overseas(number, candidate.group(0))
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# Addresses written against spam robots: 'prenom.nom [at] entreprise.fr', '(arobase)', '[dot]'.
_AT = re.compile(r"\s*(?:[\[({]\s*(?:at|arobase)\s*[\])}]|\barobase\b)\s*", re.IGNORECASE)
_DOT = re.compile(r"\s*[\[({]\s*(?:dot|point)\s*[\])}]\s*", re.IGNORECASE)


def normalise_email(text: str | None) -> str | None:
    """The first e-mail address in text, lowercased, or None."""
    if not text:
        return None
    text = _DOT.sub(".", _AT.sub("@", unicodedata.normalize("NFKC", text)))
    match = _EMAIL.search(text)
    return match.group(0).strip(".'").lower() if match else None


_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12,
    "dec": 12,
}  # fmt: skip


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def normalise_date(text: str | None) -> tuple[str | None, str | None]:
    """ISO date of a French date ('15/01/2027', 'lun. 15/01/27', '1er mars 2027', '2027-03-18').

    Returns (None, problem) when a value is present but no full date can be read.
    """
    if is_blank(text):
        return None, None
    assert text is not None
    folded = _fold(_IRE.sub("1re", _ocr_number(text)))
    iso = re.search(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", folded)
    if iso:
        value = _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if value:
            return value, None
    numeric = re.search(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\b", folded)
    if numeric:
        value = _date(_year(numeric.group(3)), int(numeric.group(2)), int(numeric.group(1)))
        if value:
            return value, None
    words = re.search(r"\b(\d{1,2})\s*(?:er|re|e|eme)?\s+([a-z]+)\.?\s+(\d{4}|\d{2})\b", folded)
    if words and words.group(2) in _MONTHS:
        value = _date(_year(words.group(3)), _MONTHS[words.group(2)], int(words.group(1)))
        if value:
            return value, None
    month = re.search(r"(?:^|\bdebut\s+|\bdes\s+|\bcourant\s+|\ben\s+)([a-z]+)\s+(\d{4})\b", folded.strip())
    if month and month.group(1) in _MONTHS and not re.search(r"\b(?:mi|fin)\b", folded):
        value = _date(int(month.group(2)), _MONTHS[month.group(1)], 1)  # 'début mai 2027', 'Avril 2027'
        written = " ".join(text.split())
        return value, f"job.recruitment_date: « {written} » lu comme le 1er du mois"
    return None, f"job.recruitment_date: date illisible « {' '.join(text.split())} »"


_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14,
    "quinze": 15, "seize": 16, "vingt": 20, "trente": 30,
}  # fmt: skip


def normalise_positions(text: str | None) -> tuple[int | None, str | None]:
    """Number of positions: '02' -> 2, 'Deux (2)' -> 2, '3 postes' -> 3."""
    if is_blank(text):
        return None, None
    assert text is not None
    text = _ocr_number(text)
    if re.search(r"\d+\s*(?:à|a|-|–|ou|/)\s*\d+", text):  # '1 à 2 postes': not one number
        return None, f"job.positions: nombre de postes imprécis « {' '.join(text.split())} »"
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group(0)), None
    for word in re.findall(r"[a-z]+", _fold(text)):
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word], None
    return None, f"job.positions: nombre de postes illisible « {' '.join(text.split())} »"


def normalise_hours(text: str | None) -> tuple[float | int | None, str | None]:
    """Weekly hours: '35h' -> 35, '24,5 h' -> 24.5, '24h30' -> 24.5, '39 heures' -> 39."""
    if is_blank(text):
        return None, None
    assert text is not None
    text = _ocr_number(text)
    match = re.search(r"(\d+(?:[.,]\d+)?)(?:\s*h\s*(\d{2})\b)?", text)
    if not match:
        return (
            None,
            f"conditions.weekly_hours: durée hebdomadaire illisible « {' '.join(text.split())} »",
        )
    value = float(match.group(1).replace(",", "."))
    if match.group(2):
        value += int(match.group(2)) / 60
    after = _fold(text[match.end() : match.end() + 25])
    if value > 60 and re.search(r"\bmois\b|mensuel", after):
        value = value * 12 / 52  # 151,67 h par mois -> 35 h par semaine
    elif value <= 12 and re.search(r"(?:/|par\s+)jour|quotidien", after):
        value *= 5  # 7 h par jour -> 35 h par semaine
    value = round(value, 1) if abs(value - round(value)) > 0.01 else float(round(value))
    return (int(value) if value.is_integer() else value), None


_DURATION = re.compile(
    r"(\d+(?:[.,]\d+)?\s*(?:mois|semaines?|jours?|ans?|années?|heures?|h)\b.*)", re.IGNORECASE
)


_CHECKED = re.compile(r"[☒☑■▣✓✔✗✘⊠]|\[\s*[xX✓]\s*\]|\(\s*[xX]\s*\)")
_BOX = re.compile(r"[☒☑■▣✓✔✗✘⊠☐□▢○◯]|\[\s*[xX✓]?\s*\]|\(\s*[xX]?\s*\)")


def checked_options(text: str) -> str:
    """The options ticked in a checkbox answer ('☐ CDI ☒ CDD 6 mois' -> 'CDD 6 mois').

    Text without checkbox marks is returned as is; with marks but none ticked, ''.
    """
    marks = list(_BOX.finditer(text))
    if not marks:
        return text
    chosen = []
    for index, mark in enumerate(marks):
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        if _CHECKED.fullmatch(mark.group(0)):
            chosen.append(text[mark.end() : end].strip(" ,;/"))
    return " ".join(chosen)


_AFTER_CONTRACT = re.compile(
    r"\b(?:CDDI?|CTT|int[ée]rim(?:aire)?|apprentissage|professionnalisation|contrat\s+pro|temporaire|"
    r"d[ée]termin[ée]e(?:\s+d['’]\s*insertion)?)\)?(?:\s*\([^()]{1,25}\))?"  # 'temporaire (intérim) – …'
    r"(?:\s+(?:de|d['’])|\s*[–—:,/]|\s+-)\s*(.+)$",
    re.IGNORECASE,
)
_DURATION_WORDS = re.compile(r"\d|jusqu|\bfin\b|mois|semaine|\bans?\b|ann[ée]e|saison", re.IGNORECASE)


_INNER_DE = re.compile(r"\s(?:de|d['’])\s*", re.IGNORECASE)
_QUALIFIER = re.compile(  # 'insertion – 4 mois', 'insertion (CDDI) – 4 mois'
    r"(?:[^\W\d_]+['’\s]+){1,2}(?:\([^()\d]{1,12}\)\s*)?(?:[–—:/-]\s*)?(?=\d)")
_BRACKETED_DURATION = re.compile(r"^[^\W\d_]+\s*\((\d[^()]*)\)\s*$")
_ABOUT = re.compile(r"environ|moins|plus|minimum|maximum|pr[eè]s|approx|entre", re.IGNORECASE)


def _past_qualifier(text: str) -> str:
    """Skip a qualifier of the contract before its duration: 'insertion de 6 mois' -> '6 mois'
    ('CDD d'insertion de 6 mois', 'CDD d'usage de 3 mois', 'CDD d'insertion 4 mois'); a duration
    already begun is kept ('jusqu'à fin de chantier', 'la saison 2027', 'environ 6 mois')."""
    for inner in _INNER_DE.finditer(text):
        head, rest = text[: inner.start()], text[inner.end():]
        if _DURATION_WORDS.search(head):
            break
        if _DURATION_WORDS.search(rest):
            return rest
    bracketed = _BRACKETED_DURATION.match(text)  # 'insertion (6 mois)'
    if bracketed:
        return bracketed.group(1)
    qualifier = _QUALIFIER.match(text)  # 'insertion 4 mois' (no 'de' before the number)
    if qualifier and not (_DURATION_WORDS.search(qualifier.group(0)) or _ABOUT.search(qualifier.group(0))):
        return text[qualifier.end():]
    return text


def split_duration(text: str) -> str | None:
    """The duration inside a contract answer: 'CDD de 6 mois renouvelable' -> '6 mois renouvelable',
    'CDD de jusqu'à fin de chantier (environ 5 mois)' -> 'jusqu'à fin de chantier (environ 5 mois)'."""
    after = _AFTER_CONTRACT.search(text)
    if after and _DURATION_WORDS.search(after.group(1)):
        value = _past_qualifier(after.group(1)).strip(" .,;")
        return value or None
    match = _DURATION.search(text)
    if not match:
        return None
    value = match.group(1).strip(" .,;")
    while value.endswith(")") and value.count(")") > value.count("("):
        value = value[:-1].rstrip()  # 'CDD (6 mois (renouvelable))' -> '6 mois (renouvelable)'
    if value.count("(") != value.count(")"):
        value = value.strip("()")  # '6 mois (renouvelable)' keeps its brackets, '(6 mois)' not
    return value or None
