"""Form labels as data: load `rules/labels.toml` and match printed labels tolerantly.

A label is reduced to a tuple of key words (accents, case, punctuation, stop words, plural and
listed abbreviations removed); it matches a synonym when its key words equal the synonym's or
begin with them. The longest synonym wins.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mailbot.parse.types import FORM_FIELDS

__all__ = [
    "COMBINED_CONTRACT",
    "LabelMatch",
    "LabelRules",
    "label_key",
    "load_rules",
]

#: Pseudo-field for a label holding both contract type and duration.
COMBINED_CONTRACT = "conditions.contract_type_duration"

_STOPWORDS = frozenset(
    {"de", "du", "des", "d", "l", "la", "le", "les", "a", "au", "aux", "en", "et", "un", "une"}
    | {"pour", "par", "sur", "votre", "vos", "son", "sa", "ses", "the", "of", "and", "numero"}
)


@dataclass(frozen=True)
class LabelMatch:
    """What a label was recognised as: kind is 'field', 'ignore' or 'heading'."""

    kind: str
    key: str  # dotted field name for 'field', else ''
    size: int  # number of key words of the synonym that matched
    exact: bool  # the whole label matched, not only its beginning


def _split_identifier(text: str) -> str:
    """'RaisonSociale' / 'raison_sociale' / 'company.legal_name' -> words."""
    text = re.sub(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])", " ", text)
    return re.sub(r"[_.]+", " ", text)


def _fold(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def _singular(word: str) -> str:
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def label_key(text: str, abbreviations: dict[str, str] | None = None) -> tuple[str, ...]:
    """The key words of a label: 'Nb de postes :' -> ('nombre', 'poste')."""
    abbreviations = abbreviations or {}
    folded = _fold(_split_identifier(text))
    folded = re.sub(r"\be[\s\-]?mail", "mail", folded)
    words: list[str] = []
    for raw in re.findall(r"[a-z0-9]+", folded):
        word = abbreviations.get(raw, raw)
        for part in word.split():
            part = _singular(part)
            if part not in _STOPWORDS:
                words.append(part)
    return tuple(words)


class LabelRules:
    """Synonyms of every field, ignored labels, headings and contract-type words."""

    def __init__(self, data: dict) -> None:
        self.abbreviations = {_fold(k): _fold(v) for k, v in data.get("abbreviations", {}).items()}
        self._entries: list[tuple[tuple[str, ...], str, str]] = []
        for section, names in FORM_FIELDS.items():
            table = data.get(section, {})
            for name in (*names, "contract_type_duration"):
                if name not in table:
                    continue
                key = f"{section}.{name}"
                for synonym in (*table[name], name):
                    self._add(synonym, "field", key)
        for synonym in data.get("ignore", {}).get("labels", []):
            self._add(synonym, "ignore", "")
        for synonym in data.get("headings", {}).get("labels", []):
            self._add(synonym, "heading", "")
        self.contract_types: list[tuple[str, list[str]]] = [
            (code, [_fold(w) for w in words]) for code, words in data.get("contract_types", {}).items()
        ]

    def _add(self, synonym: str, kind: str, key: str) -> None:
        words = label_key(synonym, self.abbreviations)
        if words:
            self._entries.append((words, kind, key))

    def key(self, text: str) -> tuple[str, ...]:
        return label_key(text, self.abbreviations)

    def match(self, text: str, *, prefer_heading: bool = False, prefix: bool = True) -> LabelMatch | None:
        """Best rule for a printed label, or None. Ties go to fields unless prefer_heading."""
        words = self.key(text)
        if not words:
            return None
        best: LabelMatch | None = None
        best_rank: tuple = ()
        for syn, kind, key in self._entries:
            n = len(syn)
            if words[:n] != syn:
                continue
            exact = n == len(words)
            if not exact and not prefix:
                continue
            kind_rank = {"heading": 2 if prefer_heading else 0, "field": 1, "ignore": 0}[kind]
            rank = (exact, n, kind_rank)
            if best is None or rank > best_rank:
                best = LabelMatch(kind=kind, key=key, size=n, exact=exact)
                best_rank = rank
        return best

    def field_for_name(self, name: str) -> str | None:
        """Field of an AcroForm field name ('raison_sociale', 'company.legal_name'), or None."""
        name = name.strip()
        for section, names in FORM_FIELDS.items():
            for field in names:
                if name in (f"{section}.{field}", field):
                    return f"{section}.{field}"
        found = self.match(name)
        if found and found.kind == "field":
            return found.key
        return None

    def contract_code(self, text: str) -> str | None:
        """Contract type code of an answer ('Mission d'intérim' -> 'INTERIM'), None if no rule fits."""
        folded = " " + re.sub(r"[’`]", "'", _fold(text)) + " "
        for code, words in self.contract_types:
            for word in words:
                if re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", folded):
                    return code
        return None


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> LabelRules:
    with open(path, "rb") as fh:
        return LabelRules(tomllib.load(fh))


def load_rules(path: Path | None = None) -> LabelRules:
    """The label rules of `path` (default: the shipped rules/labels.toml), cached until it changes."""
    if path is None:
        from mailbot.resources import rule_file

        path = rule_file("labels.toml")
    return _load(str(path), path.stat().st_mtime)
