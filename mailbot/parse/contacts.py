"""People's contact data in free text: e-mail addresses, phone numbers, and names
("Jean DUPONT", "DUPONT Jean", "Mme Fatima El Amrani", "Cédric LE GOFF")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "find_emails",
    "find_phones",
    "fold",
    "normalise_email",
    "normalise_phone",
    "split_name",
    "title_surname",
]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.I)
_PHONE = re.compile(
    r"(?<![\d+])(?:\(?(?:\+|00)\s?33\)?[\s.\-]?(?:\(0\)[\s.\-]?)?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)"
)

try:  # the forms engineer's normaliser, when it exists
    from mailbot.parse.normalise import normalise_email as _norm_email  # type: ignore
    from mailbot.parse.normalise import normalise_phone as _norm_phone  # type: ignore
except ImportError:  # pragma: no cover - depends on the other module landing
    _norm_email = None
    _norm_phone = None


def normalise_phone(text: str) -> str | None:
    """E.164 (`+33612345678`) of a French-style number, format only (no validity check)."""
    text = re.sub(r"\((\+|00)\s?33\)", r"\g<1>33", text)
    if _norm_phone is not None:
        try:
            return _norm_phone(text)
        except Exception:
            pass
    import phonenumbers

    try:
        number = phonenumbers.parse(text.replace("(0)", ""), "FR")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str) -> str | None:
    """Lowercase address, trimmed of brackets and a `mailto:`; None if it is not an address."""
    if _norm_email is not None:
        try:
            return _norm_email(text)
        except Exception:
            pass
    value = text.strip().strip("<>").removeprefix("mailto:").strip().rstrip(".").lower()
    return value if _EMAIL.fullmatch(value) else None


def find_emails(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """Lowercase addresses in `text`, in order, without duplicates or `exclude`d ones."""
    excluded = {e.lower() for e in exclude if e}
    out: list[str] = []
    for match in _EMAIL.finditer(text or ""):
        address = normalise_email(match.group(0))
        if address and address not in excluded and address not in out:
            out.append(address)
    return out


def find_phones(text: str, exclude: Iterable[str] = ()) -> list[str]:
    """E.164 phone numbers in `text`, in order, without duplicates or `exclude`d ones."""
    excluded = set(exclude)
    out: list[str] = []
    for match in _PHONE.finditer(text or ""):
        number = normalise_phone(match.group(0))
        if number and number not in excluded and number not in out:
            out.append(number)
    return out


def fold(text: str) -> str:
    """Lowercase ASCII letters only: 'Aïcha LE-GOFF' -> 'aichalegoff' (for loose matching)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if c.isalpha() and c.isascii()).lower()


_CIVILITY = re.compile(
    r"^(m\.|mr\.?|mme\.?|mlle\.?|melle|monsieur|madame|mademoiselle)\s+", re.IGNORECASE
)
_PARTICLES = {
    "de",
    "du",
    "des",
    "le",
    "la",
    "d'",
    "van",
    "von",
    "der",
    "den",
    "ben",
    "bin",
    "el",
    "al",
    "da",
    "dos",
    "di",
    "ter",
    "ten",
}
_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*\.?$")


def _is_caps(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def title_surname(name: str) -> str:
    """'LE GOFF' -> 'Le Goff', "D'ARTAGNAN" -> "D'Artagnan"; a mixed-case name is kept."""
    if not any(c.islower() for c in name):
        return re.sub(
            r"[^\W\d_]+",
            lambda m: m.group(0)[0].upper() + m.group(0)[1:].lower(),
            name,
        )
    return name


def split_name(line: str) -> tuple[str, str] | None:
    """(first name, last name) of a line that is a person's name, else None.

    The surname is the ALL-CAPS part when there is one ('DUPONT Jean', 'Cédric LE GOFF');
    otherwise the first word is the first name and the rest the surname ('Fatima El Amrani').
    """
    text = " ".join((line or "").replace("\u00a0", " ").split()).strip(" ,;:")
    text = _CIVILITY.sub("", text)
    tokens = text.split(" ")
    if not 2 <= len(tokens) <= 5 or len(text) > 60:
        return None
    for token in tokens:
        if not _TOKEN.match(token):
            return None
        if token[0].islower() and token.lower() not in _PARTICLES:
            return None
    caps = [_is_caps(t) for t in tokens]
    if any(caps) and not all(caps):
        # one contiguous all-caps run (particles in caps belong to it) is the surname
        first_idx = caps.index(True)
        last_idx = len(caps) - 1 - caps[::-1].index(True)
        if not all(caps[first_idx : last_idx + 1]):
            return None
        if first_idx not in (0,) and last_idx != len(tokens) - 1:
            return None
        surname = " ".join(tokens[first_idx : last_idx + 1])
        given = " ".join(tokens[:first_idx] + tokens[last_idx + 1 :])
        if not given:
            return None
        return given, title_surname(surname)
    if all(caps):
        return title_surname(tokens[0]), title_surname(" ".join(tokens[1:]))
    if tokens[0].lower() in _PARTICLES:
        return None
    return tokens[0], " ".join(tokens[1:])
