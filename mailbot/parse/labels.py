"""Form labels as data: load `rules/labels.toml` and match printed labels tolerantly.

A label is reduced to a tuple of key words (accents, case, punctuation, stop words, plural and
listed abbreviations removed); it matches a synonym when its key words equal the synonym's or
begin with them. The longest synonym wins.

A label no synonym fits may still be understood by its meaning words (`[meaning.*]` in the
rules): each field lists the words (lightly stemmed, anywhere in the label) that point to it;
the field whose words weigh most wins, a tie goes to the word written first (French puts the
head noun first: "Expérience dans le métier" is about experience).
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
    "FIELD_NAMES_FR",
    "LabelMatch",
    "LabelRules",
    "label_key",
    "load_rules",
    "stem",
]

#: Pseudo-field for a label holding both contract type and duration.
COMBINED_CONTRACT = "conditions.contract_type_duration"

#: How a problem names a field for the référent ("« Tâches confiées » lu comme Activités principales").
FIELD_NAMES_FR: dict[str, str] = {
    "company.legal_name": "Raison sociale",
    "company.siret": "SIRET",
    "company.address": "Adresse",
    "company.contact_name": "Personne à contacter",
    "company.phone": "Téléphone",
    "company.email": "Courriel",
    "job.title": "Intitulé du poste",
    "job.positions": "Nombre de postes",
    "job.recruitment_date": "Date de recrutement",
    "job.main_activities": "Activités principales",
    "job.required_skills": "Compétences requises",
    "job.experience": "Expérience",
    "job.training": "Formation",
    "job.special_requirements": "Exigences particulières",
    "conditions.contract_type": "Type de contrat",
    "conditions.contract_duration": "Durée du contrat",
    "conditions.weekly_hours": "Durée hebdomadaire",
    "conditions.gross_salary": "Salaire brut",
    "conditions.workplace": "Lieu de travail",
}

_STOPWORDS = frozenset(
    {"de", "du", "des", "d", "l", "la", "le", "les", "a", "au", "aux", "en", "et", "un", "une"}
    | {"pour", "par", "sur", "votre", "vos", "son", "sa", "ses", "the", "of", "and", "numero", "entre"}
)


@dataclass(frozen=True)
class LabelMatch:
    """What a label was recognised as: kind is 'field', 'ignore' or 'heading'."""

    kind: str
    key: str  # dotted field name for 'field', else ''
    size: int  # number of key words of the synonym that matched
    exact: bool  # the whole label matched, not only its beginning
    by: str = "phrase"  # 'phrase' (a listed synonym) or 'meaning' (its meaning words)
    weight: float = 0.0  # for 'meaning': how much its meaning words weigh (a weak word: 0.5)


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


def stem(word: str) -> str:
    """French light stemming of a folded, singular key word: 'taches' -> 'tach', 'confiees' -> 'confi'."""
    for suffix in ("ees", "ee", "es", "er", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
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
        #: The entries by their first word (a label's first word picks the few it may begin with).
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
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
        #: Words that open a section heading ('Modalités d'embauche', 'Conditions proposées').
        self.heading_words = frozenset(
            w for x in data.get("headings", {}).get("words", []) for w in self.key(x)
        )
        self._meaning: list[tuple[tuple[str, ...], str]] = []  # (stems, field)
        meaning = data.get("meaning", {})
        self._weak = {stem(w) for x in meaning.get("weak", []) for w in self.key(x)}
        self._never = {stem(w) for x in meaning.get("never", []) for w in self.key(x)}
        for section, names in FORM_FIELDS.items():
            table = meaning.get(section, {})
            for name in names:
                for entry in table.get(name, []):
                    stems = tuple(stem(w) for w in self.key(entry))
                    if stems:
                        self._meaning.append((stems, f"{section}.{name}"))
        self.contract_types: list[tuple[str, list[str]]] = [
            (code, [_fold(w) for w in words]) for code, words in data.get("contract_types", {}).items()
        ]

    def _add(self, synonym: str, kind: str, key: str) -> None:
        words = label_key(synonym, self.abbreviations)
        if words:
            self._entries.append((words, kind, key))
            self._by_first.setdefault(words[0], []).append((words, kind, key))

    def key(self, text: str) -> tuple[str, ...]:
        cache = self.__dict__.setdefault("_keys", {})
        found = cache.get(text)
        if found is None:
            if len(cache) >= 20_000:  # a bound on memory across many documents
                cache.clear()
            found = cache[text] = label_key(text, self.abbreviations)
        return found

    def match(self, text: str, *, prefer_heading: bool = False, prefix: bool = True) -> LabelMatch | None:
        """Best rule for a printed label, or None. Ties go to fields unless prefer_heading."""
        words = self.key(text)
        if not words:
            return None
        best: LabelMatch | None = None
        best_rank: tuple = ()
        for syn, kind, key in self._by_first.get(words[0], ()):
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

    def meaning(self, text: str, exclude: frozenset[str] | set[str] = frozenset()) -> LabelMatch | None:
        """The field a label's meaning words point to, or None (no word, a tie, a 'never' word).

        Each field scores its entries found in the label (an entry of several words needs them
        all; a weak word counts half); the best score wins, a tie goes to the entry whose first
        word comes first in the label.
        """
        words = [stem(w) for w in self.key(text)]
        if not words or len(words) > 10 or self._never & set(words):
            return None
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        for stems, key in self._meaning:
            if key in exclude or not all(s in words for s in stems):
                continue
            weight = sum(0.5 if s in self._weak else 1.0 for s in stems)
            scores[key] = scores.get(key, 0.0) + weight
            position = min(words.index(s) for s in stems)
            first[key] = min(first.get(key, position), position)
        if not scores:
            return None
        ranked = sorted(scores, key=lambda k: (-scores[k], first[k]))
        best = ranked[0]
        if len(ranked) > 1 and (scores[ranked[1]], first[ranked[1]]) == (scores[best], first[best]):
            return None
        return LabelMatch(
            kind="field", key=best, size=len(words), exact=False, by="meaning", weight=scores[best]
        )

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
def _load(path: str, mtime_ns: int, size: int) -> LabelRules:
    with open(path, "rb") as fh:
        return LabelRules(tomllib.load(fh))


def load_rules(path: Path | None = None) -> LabelRules:
    """The label rules of `path` (default: the shipped rules/labels.toml), cached until it changes."""
    if path is None:
        from mailbot.resources import rule_file

        path = rule_file("labels.toml")
    stat = path.stat()  # a wording added within the same clock tick still changes the size
    return _load(str(path), stat.st_mtime_ns, stat.st_size)
