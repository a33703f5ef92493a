"""Where an offer's work is: a small reader of French postcodes, départements and communes in an
address as companies write it ("80000 Amiens", "80 000 AMIENS", "Amiens (80)", "F-80480 Dury",
"80026 Amiens Cedex 1"). No network, no commune table: territories list their communes in
rules/routing.toml, found in the text by `mentions`."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Place", "fold", "mentions", "read_place"]

# A postcode: two digits of a département (01-98; 20 is Corsica), maybe a space, three digits.
_POSTCODE = re.compile(r"(?<![\w])(?:F\s?-\s?)?((?:0[1-9]|[1-8]\d|9[0-8])\s?\d{3})(?![\d])")
# "Amiens (80)", "Ajaccio (2A)", "Cayenne (973)", "Amiens (80000)".
_DEPT_IN_BRACKETS = re.compile(r"\(\s*(0[1-9]|[1-8]\d|9[0-5]|2[AaBb]|97[1-6]|\d{2}\s?\d{3})\s*\)")
_COMMUNE_END = re.compile(r"[,;()\n\r\d]|\b[Cc][Ee][Dd][Ee][Xx]\b")


@dataclass(frozen=True)
class Place:
    """What an address says of where it is; every part may be None."""

    postcode: str | None = None  # 5 digits, no space
    departement: str | None = None  # "80", "2A", "974"
    commune: str | None = None  # as written

    def __bool__(self) -> bool:
        return bool(self.postcode or self.departement)

    def describe(self) -> str:
        """"postcode 80480 Dury", "département 80 (Amiens)", or ""."""
        if self.postcode:
            return f"postcode {self.postcode}" + (f" {self.commune}" if self.commune else "")
        if self.departement:
            return f"département {self.departement}" + (f" ({self.commune})" if self.commune else "")
        return ""


def _departement(postcode: str) -> str:
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def _commune_after(text: str) -> str | None:
    words = _COMMUNE_END.split(text, maxsplit=1)[0].strip(" -–.")
    return " ".join(words.split()) or None


def _commune_before(text: str) -> str | None:
    segment = re.split(r"[,;\n\r]", text)[-1]
    words = re.split(r"\d+\S*", segment)[-1].strip(" -–.")  # drop "12 rue ..." before the last number
    return " ".join(words.split()) or None


def read_place(text: str | None) -> Place:
    """The last postcode of `text` (addresses end with it) and the commune after it; else a
    département or postcode in brackets after a commune; else an empty Place."""
    if not text:
        return Place()
    found = list(_POSTCODE.finditer(text))
    if found:
        match = found[-1]
        postcode = re.sub(r"\s", "", match.group(1))
        in_brackets = text[: match.start()].rstrip().endswith("(")  # "Amiens (80000)"
        commune = (_commune_before(text[: match.start()].rstrip().removesuffix("("))
                   if in_brackets else _commune_after(text[match.end():]))
        return Place(postcode, _departement(postcode), commune)
    bracket = list(_DEPT_IN_BRACKETS.finditer(text))
    if bracket:
        match = bracket[-1]
        code = re.sub(r"\s", "", match.group(1)).upper()
        commune = _commune_before(text[: match.start()])
        if len(code) == 5:
            return Place(code, _departement(code), commune)
        return Place(None, code, commune)
    return Place()


def fold(text: str | None) -> str:
    """Lowercase, no accents, œ → oe, punctuation and hyphens as spaces, "St"/"Ste" as "saint(e)":
    the form in which place names and job words are compared."""
    text = (text or "").replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    words = ["saint" if w == "st" else "sainte" if w == "ste" else w for w in words]
    return " ".join(words)


def mentions(text: str | None, name: str) -> bool:
    """Whether `text` names the place `name` as whole words ("ZI Nord, Amiens" names "Amiens";
    "Saint-Ouen" = "St Ouen"; "Amiens" is not in "Amiénoise")."""
    folded, wanted = fold(text), fold(name)
    return bool(wanted) and f" {wanted} " in f" {folded} "
