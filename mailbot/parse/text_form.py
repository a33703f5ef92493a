"""Turn a reading-order stream of lines and label|value pairs into raw liaison forms.

Every layout reader (text PDF, PDF table, DOCX, AcroForm, OCR, e-mail body) produces `Event`s;
`assemble` recognises labels with the rules of `labels.py`, follows multi-line answers, skips
headings, footers and signatures, and starts a new form when a job description repeats or a
numbered job heading ("Poste n° 2", "2.2 Second poste") opens the next job.

A line shaped like a heading (numbered, upper case, a question, a section word, an article) ends
the answer above it. A 'Label : value' line whose label is unknown ends it too; after reading,
such a label standing where the one missing field is expected (between its usual neighbours in
the liaison form's order, with an answer of the right shape) is read as that field, with a
problem saying so; the others are reported in `RawForm.unrecognised`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mailbot.parse.labels import COMBINED_CONTRACT, FIELD_NAMES_FR, LabelMatch, LabelRules, load_rules, stem
from mailbot.parse.normalise import clean_text, is_instruction
from mailbot.parse.sentences import is_need_sentence, sentence_fields
from mailbot.parse.types import dotted_fields

__all__ = [
    "LEGAL_FORM",
    "LETTERHEAD_NAME",
    "Event",
    "RawForm",
    "assemble",
    "is_heading",
    "is_job_heading",
    "is_page_number",
    "line_events",
    "match_label",
    "split_label",
]

MARKET = re.compile(r"^\s*March[ée]s?(?:\s+public)?\s*[:：]\s*(.+)$", re.IGNORECASE)
_COLON = re.compile(r"^(.{1,140}?)\s*[:：]\s*(.*)$")
_JOB_WORD = r"(?:poste|offre|emploi|profil|fiche|besoin|recrutement|m[ée]tier)s?"
_ORDINAL = (
    r"(?:premi[eè]re?|1\s*(?:er|[eè]re?|re)|seconde?|deuxi[eè]me|troisi[eè]me|quatri[eè]me|"
    r"cinqui[eè]me|\d\s*(?:e|[eè]me))"
)
_NUMBERED_HEADING = re.compile(
    r"^\W*(?:(?:\d{1,2}(?:\.\d{1,2})*|[A-Ha-h]|[IVX]{1,4})\s*[.)–—-]?\s+)?(?:"
    + r"(?:(?:votre|notre)\s+)?"  # 'Votre besoin n° 2'
    + _JOB_WORD
    + r"(?:\s+[a-zà-ÿ]{3,}(?=\s+n\s*[°º]))?"  # 'Emploi proposé n° 1'
    + r"\s*(?:n\s*[°ºo]\.?|num[ée]ro)?\s*(?:\d+|[A-H])\b(?:\s*(?:/|sur)\s*\d+)?"  # 'Job 1/2', '1 sur 2'
    + r"(?:\s+[a-zà-ÿ]{3,}){0,2}|"
    + _ORDINAL
    + r"\s+"
    + _JOB_WORD
    + r"\b)[\W_]*$",
    re.IGNORECASE,
)
# 'Besoin 1 – PEINTRE EN BÂTIMENT': a job's heading that names its job.
_TITLED_JOB = re.compile(
    r"^\W*" + _JOB_WORD
    + r"\s*(?:n\s*[°ºo]\.?|num[ée]ro)?\s*(?:\d{1,2}|[A-H])\s*[–—-]\s+(?P<title>\S.{1,60})$",
    re.IGNORECASE,
)
_HEADING_PARTS = re.compile(r"\s[–—-]\s|\s*[:|]\s")
_PAGE_NUMBER = re.compile(
    r"^\W*(?:(?:page\s*)?\d{1,3}\s*(?:/|sur|of)\s*\d{1,3}|page\s*\d{1,3})\W*$", re.IGNORECASE
)  # 'Page 1/2', '2 sur 3', 'Page 2'
# A label inside an answer: 'Tél : 06 12 34 56 78   Mail : a@b.fr' (two columns on one line).
_INLINE_LABEL = re.compile(r"(?:(?<=\s)|(?<=\|))(?=(([A-ZÀ-Ý][\w'’.°/() -]{0,40}?)\s*[:：](?:\s|$)))")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_PARENS = re.compile(r"\([^)]*\)?|\[[^\]]*\]?")
# Numbering before a label: '1. Raison sociale', '2.3 Poste', 'a) Contrat', 'IV. Conditions'.
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}\s*[.)°-]|\d{1,2}/(?=\s)|[a-zA-Z]\)|[a-z]\.|[IVX]{1,4}[.)]"
    r"|(?:Q|Question)\s?\d{1,2}\s*[.)°–—-])\s*(?=\S)"  # 'Q7 – Poste à pourvoir
)
# 'Label<TAB>value', 'Label     value' (pasted table), 'Label ........ value' (dotted leaders).
_GAP = re.compile(r"^(.{1,80}?)(?:\s*\t\s*|\s{3,}|\s*[.…_]{4,}\s*|\s*\.{2,3}\s+|\s+\|\s*)(.*)$")
_LEADER = re.compile(r"[.…_]{4,}")
_PIPE_ROW = re.compile(r"^\|(.*)\|$")  # '| Label | value |': a table pasted as text
# Fields answered on one line: an unknown 'Xxx : yyy' line after them is not their continuation.
_ONE_LINE = frozenset(
    {
        "company.siret", "company.phone", "company.email", "job.title", "job.positions",
        "job.recruitment_date", "conditions.contract_type", "conditions.contract_duration",
        "conditions.weekly_hours",
    }
)  # fmt: skip
_ONE_LINE_ABOVE = _ONE_LINE | {"company.contact_name", "company.legal_name"}
# What a letterhead prints above a form: a later answer to the same label replaces it.
_LETTERHEAD = frozenset({"company.phone", "company.email", "company.address"})
#: Raw key of a company name printed alone at the top of a page header (no label): the legal
#: name when the form gives none.
LETTERHEAD_NAME = "company.letterhead_name"
_LABEL_LIKE = re.compile(r"^[A-ZÀ-Ýa-zà-ÿ][\w'’./ -]{0,40}\s*[:：]")
_COMPANY = "company."


@dataclass
class Event:
    """One reading-order item: a free line of text, or a label with its value (table, field)."""

    kind: str  # "line" | "pair"
    text: str = ""  # the line, or the label of a pair
    value: str | None = None  # the value of a pair
    key: str | None = None  # dotted field already known (AcroForm field names), skips matching


@dataclass
class RawForm:
    """Raw answers of one form: dotted field -> text ('' when the label is there but empty).

    `order` lists the labels in reading order (field or None for an unknown label, the printed
    label, its answer); `notes` are problems for the référent (a field read by its position);
    `unrecognised` the printed labels that matched no field.
    """

    values: dict[str, str] = field(default_factory=dict)
    market: str | None = None
    order: list[tuple[str | None, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    #: (place in the text, field, label) of the repeated answer that opened this form, if any
    opened_by: tuple[tuple[int, int], str, str] | None = None

    def copy_company(self) -> RawForm:
        return RawForm(
            values={k: v for k, v in self.values.items() if k.startswith(_COMPANY)},
            market=self.market,
        )

    def has_job(self) -> bool:
        return any(v for k, v in self.values.items() if not k.startswith(_COMPANY))


def line_events(text: str) -> list[Event]:
    """Events of a plain text: one line each."""
    return [Event("line", line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


_MEANING_MAX_WORDS = 8
# Words that name their field whatever wording stands before them in a label.
_DECISIVE = {
    "siret": "company.siret", "siren": "company.siret", "telephon": "company.phone",
    "telephoniqu": "company.phone", "portabl": "company.phone", "mail": "company.email",
    "courriel": "company.email", "nombr": "job.positions",  # 'Postes (nombre)'
}
_DECISIVE_KEYS = frozenset(_DECISIVE.values())  # 'Téléphone / courriel': the first one named stays


def _listed_wordings(rules: LabelRules, text: str) -> LabelMatch | None:
    """A label listing wordings of one field ('Diplômes, titres, certifications', 'Nom de la
    société / raison sociale'): its first part is that field's exact label and no other part
    points clearly to another field."""
    parts = [p for p in re.split(r"\s*[,/;]\s*", text) if p.strip()]
    if len(parts) < 2 or any(len(rules.key(p)) > 4 for p in parts):
        return None
    first = rules.match(parts[0], prefix=False)
    if first is None or first.kind != "field":
        return None
    for part in parts[1:]:
        other = rules.match(part, prefix=False) or rules.meaning(part)
        if other is not None and other.key != first.key and (other.by != "meaning" or other.weight >= 1):
            return None
    return first


def match_label(rules: LabelRules, label: str, *, whole_line: bool = False) -> LabelMatch | None:
    """Tolerant match of a printed label: parentheses ignored, short extra words allowed.

    A label no listed wording fits is read by its meaning words (`LabelRules.meaning`).
    whole_line: the text is a full line with no colon, so only an exact label (or heading) counts.
    """
    stripped = _PARENS.sub(" ", _NUMBERING.sub("", label)).strip()
    if not stripped or len(stripped) > 120:
        return None
    found = rules.match(stripped, prefer_heading=whole_line)
    bracketed = found is not None and found.kind == "field" and "(" in label
    bracketed = bracketed and (found.exact or not whole_line)
    if bracketed and found.key not in _DECISIVE_KEYS:
        decisive = None
        for part in _PARENS.findall(label):
            words = [stem(w) for w in rules.key(part.strip("()[]"))]
            named = [_DECISIVE[w] for w in words if w in _DECISIVE]
            if len(named) == 1 and len(words) - 1 <= sum(w in ("n", "numero", "no") for w in words):
                decisive = named[0]  # '(SIRET)', '(n° SIRET)': nothing but the decisive word
        if decisive is not None:  # 'N° d'établissement (SIRET)': the word in brackets decides
            return LabelMatch(kind="field", key=decisive, size=found.size + 1, exact=False, by="meaning",
                              weight=1.0)
    if whole_line:
        if found is None or found.exact:
            return found
        listed = _listed_wordings(rules, stripped)  # 'Nom de la société / raison sociale'
        if listed is not None:
            return listed
        if found.kind == "field":
            return rules.match(stripped, prefer_heading=True, prefix=False)
        if found.size < 2 and not _YEAR.search(label):
            return None  # 'Date de fin…', 'Accueil du public…': a value line, not a label
        return found
    if found is not None and not found.exact and found.kind == "field" and found.key not in _DECISIVE_KEYS:
        rest = {stem(w) for w in rules.key(stripped)[found.size :]}
        decisive = next((key for word, key in _DECISIVE.items() if word in rest), None)
        if decisive is not None and decisive != found.key:  # 'Établissement SIRET', 'Contact téléphonique'
            return LabelMatch(kind="field", key=decisive, size=found.size + 1, exact=False, by="meaning",
                              weight=1.0)
    if found is not None:
        if found.kind == "ignore" and not found.exact:
            meant = rules.meaning(stripped)  # 'Date prévue d'embauche': not the signature's 'Date'
            if meant is not None and meant.weight >= 1.5:
                return meant
        if found.exact or found.kind != "field":
            return found
        extra = len(rules.key(stripped)) - found.size
        if found.size >= 2 or extra <= 1:
            return found
    if _DIGIT.search(stripped) or len(rules.key(stripped)) > _MEANING_MAX_WORDS:
        return None
    found = rules.meaning(stripped)
    if found is None and _PARENS.search(label):
        # the explanation in parentheses may be the only known word: 'N° d'immatriculation (SIRET)'
        inner = re.sub(r"[()\[\]]", " ", _NUMBERING.sub("", label)).strip()
        found = rules.match(inner, prefix=False) or rules.meaning(inner)
        if found is not None and found.kind != "field":
            return None
    return found


_JOB_NUMBER = re.compile(
    _JOB_WORD + r"(?:\s+[a-zà-ÿ]{3,}(?=\s+n\s*[°º]))?\s*(?:n\s*[°ºo]\.?|num[ée]ro)?\s*(\d+|[A-H])"
    r"(?:\s*(?:/|sur)\s*\d+)?\s*\W*$",
    re.IGNORECASE,
)


_ORDINAL_NUMBER = re.compile(
    r"^\W*(?:(?P<one>premi[eè]re?|1\s*(?:er|[eè]re?|re))|(?P<two>seconde?|deuxi[eè]me)|(?P<three>troisi[eè]me)|"
    r"(?P<four>quatri[eè]me)|(?P<five>cinqui[eè]me)|(?P<digit>\d)\s*(?:e|[eè]me))\s+" + _JOB_WORD + r"\b",
    re.IGNORECASE,
)


# 'Poste et profil (2/2)': a job's heading numbered as a part of the whole.
_PARTED_JOB = re.compile(r"^\W*" + _JOB_WORD + r"\b[^:?]{0,40}?\(\s*(\d)\s*/\s*\d\s*\)\W*$", re.IGNORECASE)


def _job_number(heading: str) -> str | None:
    """'Conditions – poste 1' -> '1', 'Deuxième poste' -> '2'; None when the heading gives no number."""
    found = _JOB_NUMBER.search(heading.strip()) or _PARTED_JOB.match(_NUMBERING.sub("", heading.strip()))
    if found:
        return found.group(1).upper()
    ordinal = _ORDINAL_NUMBER.match(_HEAD_NUMBER.sub("", heading.strip()))
    if ordinal is None:
        return None
    names = ("one", "two", "three", "four", "five")
    return ordinal.group("digit") or str(next(i + 1 for i, n in enumerate(names) if ordinal.group(n)))


def is_page_number(text: str) -> bool:
    """'2/3', 'Page 1 sur 2': a page footer that lets an answer go on over the page."""
    return bool(_PAGE_NUMBER.match(text.strip()))


def is_job_heading(text: str) -> bool:
    """'Poste n° 2', 'OFFRE 1', '2.2 Second poste': the heading of one job in a multi-job form."""
    text = _RULED.sub("", text.strip())  # '--- Offre A ---'
    if _NUMBERED_HEADING.match(text) or _PARTED_JOB.match(_NUMBERING.sub("", text)):
        return True
    # 'Description du besoin – poste 2', 'Partie B – Offre – poste 2': its last part names the job
    parts = _HEADING_PARTS.split(text)
    if len(parts) > 1 and len(text) <= 70 and _NUMBERED_HEADING.match(parts[-1].strip()):
        return True
    # 'CONDITIONS DU BESOIN N°1': a section of one job, in capitals
    found = _JOB_NUMBER.search(text)
    head = text[: found.start()] if found else ""
    letters = [c for c in head if c.isalpha()]
    return bool(found and len(text) <= 60 and len(letters) >= 4 and all(c.isupper() for c in letters))


_DIGIT = re.compile(r"\d")
# Where and when the form was signed: 'Fait à Caen, le 3 mars 2027', 'À Alençon, le 04/11/2026'.
_PLACE_DATE = re.compile(
    r"^(?i:fait\s+[àa]|[àa])\s+[A-ZÀ-Ý][\w'’ -]{1,40},?\s+(?i:le)\s+(?:\d{1,2}|1er|premier)\b"
)
_CONDITIONAL = re.compile(
    r"^\W*(?:\d{1,2}\s*[.)-]\s*)?(?:si|en\s+cas|le\s+cas\s+échéant|pour\s+un)\b", re.IGNORECASE
)
# A company's legal form: a line holding one names a company, never a label.
LEGAL_FORM = re.compile(r"\b(?:SASU|SAS|SARL|EURL|SA|SNC|SCOP|SCIC|SEM|SPL|GIE|GEIQ|Ets|Établissements)\b")
# Fields whose answer has a shape of its own: a second label for one of them may share a line.
_SHAPED_CONTACT = frozenset({"company.siret", "company.phone", "company.email"})
_JOB_SUFFIX = re.compile(r"(?<=\w)\s*(?:n\s*[°º]\.?|num[ée]ro)\s*\d{1,2}\s*$", re.IGNORECASE)
# '10) Si CDD, durée' -> 10, 'Q7 – Poste' -> 7
_QUESTION_NUMBER = re.compile(r"^\s*(?:Q\s?|Question\s)?(\d{1,2})\s*[.)/°–—-]\s*(?=\S)")
_RULED = re.compile(r"^[-–—=~*_]{2,}\s*|\s*[-–—=~*_]{2,}$")
_DECOR = re.compile(r"^[\s=#*_~>•|▶►▸▪■□◆◇➢➤»›]+|[\s=#*_~<•|:«‹]+$")
_HEAD_NUMBER = re.compile(
    r"^(?:(?:partie|section|rubrique|volet|chapitre|[ée]tape|bloc|cadre)\s+(?:[IVX]{1,4}|\d{1,2}|[A-H])\b"
    r"\s*[.:)–—/-]?|§\s*\d{1,2}\b\s*[.:)–—-]?|(?:[IVX]{1,4}|[A-Ha-h]|\d{1,2})\s*[.)°–—-]|(?:\d{1,2}|[A-H])/(?=\s)|"
    r"\d{1,2}(?:\.\d{1,2})+\.?)\s*",
    re.IGNORECASE,
)
# Numbering only a heading carries ('Partie 3 :', '§ 4', 'II –', a '▶' mark), unlike a list's '1.'.
_SECTION_NUMBER = re.compile(
    r"^(?:(?:partie|section|rubrique|volet|chapitre|[ée]tape|bloc|cadre)\s+\w{1,4}\b|§|[IVX]{1,4}\s*[.)–—-])",
    re.IGNORECASE,
)
_MARK = re.compile(r"^\s*[▶►▸■◆➢➤»›]\s*\S")
# A heading asked as a question without its mark: 'Ce que vous proposez', 'Qui êtes-vous'.
_QUESTION = re.compile(r"^(?:ce\s+que|ce\s+qui|qui|quel(?:le)?s?|comment|pourquoi|o[uù])\b", re.IGNORECASE)
_LIST_BULLET = re.compile(r"^\s*[•·▪●○◦*\-–—]\s")
_ARTICLE = re.compile(r"^(?:(?:les?|la|votre|vos|notre|nos)\s+|l['’]\s*)(?=\w)", re.IGNORECASE)
_VALUE_PUNCT = re.compile(r"[,;!(){}\[\]@/€%]|\.\s*$|\d")


def is_heading(rules: LabelRules, text: str) -> bool:
    """A line that carries no answer and is shaped like a section heading: numbered ('II – Le
    poste', '2.1 Premier poste', 'Partie 3 : le contrat'), upper case ('CONDITIONS PROPOSÉES'), a
    question ('Qui êtes-vous ?'), a section word first ('Modalités d'embauche'), or an article
    before a form word ('Le poste à pourvoir', 'Votre besoin')."""
    line = _DECOR.sub("", text.strip())
    if not line or len(line) > 90 or re.search(r"\S\t+\S", line):
        return False  # 'Votre interlocuteur<TAB>M. Martin': a label and its answer
    leader = _LEADER.search(line)
    if leader and line[leader.end() :].strip(" .…_:"):
        return False  # 'Modalité de recrutement ........ CDI': a label and its answer
    if _LIST_BULLET.match(text) and line != line.upper():
        return False  # '• Présentation soignée': an item of a list, not a heading
    if _NUMBERED_HEADING.match(line):
        return True
    numbered = _HEAD_NUMBER.match(line)
    body = line[numbered.end() :].strip() if numbered else line
    body = _JOB_SUFFIX.sub("", body)  # 'Conditions de l'offre n°1': a section of one job
    if body.endswith(")") and _PARENS.sub(" ", body).strip():
        body = _PARENS.sub(" ", body).strip()  # 'Ce que vous proposez (identique pour les postes)'
    words = rules.key(body)
    if not words or len(words) > 9 or (body[:1].islower() and not numbered):
        return False  # a heading begins with a capital ('* l'outillage…' goes on a list)
    if body.endswith("?"):
        return True
    short = len(words) <= 6 and not _VALUE_PUNCT.search(body) and body[:1].isupper()
    if short and (_SECTION_NUMBER.match(line) or _MARK.match(text) or _QUESTION.match(body)):
        return True
    letters = [c for c in body if c.isalpha()]
    long_words = [w for w in re.findall(r"[^\W\d_]{3,}", body)]
    upper = len(letters) >= 6 and all(c.isupper() for c in letters) and not _DIGIT.search(body)
    if upper and (len(long_words) >= 2 or len(letters) >= 8):
        return True
    if _VALUE_PUNCT.search(body) or len(words) > 6:
        return False
    sectioned = words[0] in rules.heading_words
    meaningful = sectioned or rules.meaning(body) is not None or bool(set(words) & rules.heading_words)
    if numbered:
        return meaningful
    if sectioned and len(words) <= 5:
        return True
    return bool(_ARTICLE.match(body)) and meaningful and len(words) <= 5


def _marked_heading(text: str) -> bool:
    """A line with a heading's mark or section number and no answer ('■ CONTRAT', '§3 Contrat',
    'Partie B – Poste')."""
    if not (_MARK.match(text) or _SECTION_NUMBER.match(text.strip())):
        return False
    body = _HEAD_NUMBER.sub("", _DECOR.sub("", text.strip())).strip()
    if not body or _answer_punct(body) or ":" in body or "?" in body:
        return False
    return len(body.split()) <= 4 and body[:1].isupper()


def _upper_value(text: str) -> bool:
    """An answer written in capitals under its label ('CHAUFFEUR POIDS LOURD'), not a mark."""
    return len(text) <= 60 and not _MARK.match(text) and not _DECOR.match(text) and text == text.upper()


def _label_shaped(rules: LabelRules, text: str) -> bool:
    """A capitalised line of a few words without an answer's punctuation ('/' allowed)."""
    if len(text) > 60 or not text[:1].isupper() or _answer_punct(text):
        return False
    return 1 <= len(rules.key(text)) <= 5


def _answer_punct(text: str) -> bool:
    """An answer's punctuation or digits, outside parentheses ('/' is a label's too)."""
    return bool(_VALUE_PUNCT.search(_PARENS.sub(" ", text).replace("/", " ")))


def _bare_style(rules: LabelRules, lines: list[str]) -> bool:
    """Does the text write its labels alone on their lines, above their answers? (three exact
    labels each followed by a line that is no label)"""
    found = 0
    texts = [x.strip() for x in lines if x.strip()]
    for text, following in zip(texts, texts[1:], strict=False):
        if len(text) > 60 or ":" in text or ":" in following:
            continue
        label = rules.match(_PARENS.sub(" ", _NUMBERING.sub("", text)), prefix=False)  # '2. SIRET'
        if label is not None and label.kind == "field" and rules.match(following, prefix=False) is None:
            found += 1
            if found >= 3:
                return True
    return False


def is_short_title(text: str) -> bool:
    """A capitalised line of at most four words without an answer's punctuation or digits."""
    line = text.strip()
    return bool(line[:1].isupper()) and len(line.split()) <= 4 and not _VALUE_PUNCT.search(line)


def split_label(rules: LabelRules, text: str) -> tuple[str, str] | None:
    """(field, value) of a 'Label : value' text (or 'Question ? answer') whose label is a known
    field with a value, else None."""
    text = text.strip()
    first, _, rest = text.partition("\n")
    colon = _COLON.match(text) or _ASKED.match(_NUMBERING.sub("", text))
    if colon is None and rest.strip():  # 'Qualités recherchées :' then its list, in one cell
        colon = _COLON.match(first) or _ASKED.match(_NUMBERING.sub("", first))
        value = f"{colon.group(2)}\n{rest}".strip() if colon is not None else ""
    else:
        value = colon.group(2) if colon is not None else ""
    if colon is None or not value.strip():
        return None
    found = match_label(rules, colon.group(1))
    if found is None or found.kind != "field":
        return None
    if "\n" not in value.strip() and _names_too(rules, found, value):
        return None  # 'Profil : compétences': one label, not a label and its answer
    return found.key, value


def _names_too(rules: LabelRules, found: LabelMatch | None, words: str) -> bool:
    """Are `words` (a few, in lower case, after a label's colon) another word for the field the
    label names ('Profil : compétences')? Then label and words are one label."""
    words = words.strip()
    if found is None or not words[:1].islower() or len(words.split()) > 3:
        return False
    again = match_label(rules, words)
    return again is not None and again.key == found.key


# One-line answers whose extra lines are never part of them (a footer, a stray note).
# A line ending on a word that needs a next one: the start of a sentence, not a label.
# Fields whose answer is free text, kept as written (a sub-label inside it included).
_FREE_TEXT = frozenset({
    "conditions.workplace", "conditions.gross_salary", "job.main_activities", "job.required_skills",
    "job.experience", "job.training", "job.special_requirements",
})
_EMPTY_TABBED = re.compile(r"\S\t+[ \t]*$")
_DANGLING = re.compile(r"(?:^|\s)(?:en|de|du|des|d['’]|[àa]|au|aux|le|la|les|pour|sur|avec|et|ou)\s*$", re.I)
_TOWN_AFTER = frozenset({"company.address", "conditions.workplace"})
_ENDS_POSTCODE = re.compile(r"\b\d{5}\s*$")
_TOWN = re.compile(r"^[A-ZÀ-Ý][^\d:;@]{1,40}$")
_LIST_FIELDS = frozenset({"job.main_activities", "job.required_skills", "job.special_requirements"})
# Section words that also begin a list's items ('Présentation soignée', 'Description des plans').
_ITEM_WORDS = frozenset({"presentation", "description", "profil", "detail", "caracteristique"})
_SINGLE_LINE = frozenset(
    {"company.siret", "company.phone", "company.email", "job.positions", "conditions.weekly_hours"}
)
_BULLETED = re.compile(r"^\s*(?:[-•–—*·▪►●○◦→✓]|\d+[.)])\s")
_BARE_EMAIL = re.compile(r"^\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*$")
_NUMBERED_ITEM = re.compile(r"^\s*\d{1,2}[.)]\s")
# "Combien ? Cinq (5)", "… ? : 2", "Quel est le nom … ? ... Montluçon Peinture"
_ASKED = re.compile(r"^([A-ZÀ-Ý].{2,80}?\?)\s*(?:[:：]\s*|(?:\.{2,}|…+)\s+)?(\S.*)$")
_SEMICOLON = re.compile(r"^(.{1,60}?)\s*;\s*(\S.*)$")  # OCR read ':' as ';'
_UNKNOWN = "?"
# A company's or the agency's letterhead/footer line: a phone number, a web or e-mail address, RCS.
_FOOTER = re.compile(
    r"(?:\+33|\b0)\s?[1-9](?:[\s.\-]?\d{2}){4}\b|\bwww\.|@[\w-]+\.|\bRCS\b|\bau capital\b",
    re.IGNORECASE,
)


class _Assembler:
    def __init__(self, rules: LabelRules) -> None:
        self.rules = rules
        self.forms: list[RawForm] = [RawForm()]
        self.current: str | None = None  # field collecting continuation lines
        self.current_label = ""
        self.lines: list[str] = []
        self.market: str | None = None
        self.labels_seen: set[str] = set()
        self.letterhead: set[str] = set()  # company fields read before any other label
        self.bare_labels = 0  # labels written alone on their line (value on the next lines)
        self.opened_empty = False  # the current field's label had no answer on its line
        self.reopen: str | None = None  # field whose paragraphs a blank line interrupted
        self.blank_after_empty = False  # a blank line under a label left without answer
        self.colon_label = False  # the current field's 'Label :' was written with its colon
        self.current_line = ""  # the line being read
        self.awaiting = False  # a label alone on its line waits for its answer on the next line
        self.bare_style = False  # the document writes its labels alone above their answers
        self.job_number: str | None = None  # the number of the last job heading ('Poste 2' -> '2')
        self.position = (0, 0)  # (event, line) being read
        self.signed = False  # a closing or signature line was read: no unknown label after it
        self.start_pos = (0, 0)  # where the current field's label was read
        self.label_line = ""  # the line the current field's label was read on
        self.suppressed: set[tuple[int, int]] = set()  # repeated answers that open no new job
        self.numbered_labels = 0  # field labels read with a number ('4. Poste proposé')
        self.leader_labels = 0  # field labels read with dotted leaders ('Poste ........ Maçon')
        self.last_number: int | None = None  # the number of the last numbered label ('4')
        #: (field, heading) of a heading just read that may be a label ('Vos missions'), if any
        self.heading_field: tuple[str, str] | None = None
        #: (id of a form, field) read from a need sentence -> its note: a label's answer replaces it
        self.from_sentence: dict[tuple[int, str], str] = {}
        #: (field, label) of a list's label alone on its line ('Tâches confiées'), if any
        self.list_label: tuple[str, str] | None = None

    @property
    def form(self) -> RawForm:
        return self.forms[-1]

    def close(self) -> None:
        if self.current is not None:
            value = "\n".join(self.lines).strip()
            key = self.current
            if key != _UNKNOWN and value and self.current_label:
                key = self._by_shape(key, value, self.current_label)  # 'Poste à pourvoir', 'Serveur'
            self._store(key, value, self.current_label, self.start_pos)
        self.current = None
        self.lines = []
        self.awaiting = False

    def _store(self, key: str, value: str, label: str = "", where: tuple[int, int] | None = None) -> None:
        where = where or self.position
        if key == _UNKNOWN:
            self.form.order.append((None, label, value))
            return
        email_known = bool(self.form.values.get("company.email"))
        if key == "company.address" and _BARE_EMAIL.match(value) and not email_known:
            key = "company.email"  # 'À quelle adresse e-mail ?' then the address itself
        values = self.form.values
        said = self.from_sentence.pop((id(self.form), key), None)
        if said is not None and value:  # a labelled answer says it better than the sentence
            if said in self.form.notes:
                self.form.notes.remove(said)
            values[key] = value
            self.form.order.append((key, label, value))
            return
        if values.get(key):
            if not value:
                if key in self.letterhead and label:  # 'Tél. :' left empty under a letterhead's
                    self.letterhead.discard(key)  # 'Standard : 03 …': the form has no phone
                    values[key] = ""
                return
            just_read = bool(self.form.order) and self.form.order[-1][0] == key
            same = " ".join(values[key].split()).casefold() == " ".join(value.split()).casefold()
            if just_read and same and not key.startswith(_COMPANY):
                self.form.order.append((key, label, value))  # 'POSTE 1 : Agent de tri', then
                return  # 'Appellation : Agent de tri': the same answer twice, not a next job
            if key == "company.address" and self.form.order and self.form.order[-1][0] == key:
                values[key] += "\n" + value  # 'Adresse (n° et rue)', then 'Code postal – Ville'
                return
            if key.startswith(_COMPANY) and key != "company.legal_name":
                if key in self.letterhead:  # the letterhead's switchboard: the form's own wins
                    self.letterhead.discard(key)
                    values[key] = value
                return  # a second phone/e-mail of the same company: keep the first
            other = self._other_field(key, label)
            if other is not None:  # 'Intitulé du poste : …', then 'Qualification : CACES …'
                values[other] = value
                self.form.order.append((other, label, value))
                return
            moved = self._first_label_other_field(key, label)
            if moved is not None:  # 'Habilitations / diplômes : CAPa …', then 'Conditions
                values[moved] = values[key]  # particulières : …': the first was the training
                values[key] = value
                self.form.order.append((key, label, value))
                return
            if where in self.suppressed:  # no evidence of a next job: read by the form's order
                self.form.order.append((None, label, value))
                return
            new = RawForm() if key.startswith(_COMPANY) else self.form.copy_company()
            new.market = self.market
            if not key.startswith(_COMPANY):
                new.opened_by = (where, key, label)
            self.forms.append(new)
            values = new.values
        values[key] = value
        self.form.order.append((key, label, value))
        if value and key in _LETTERHEAD and self.labels_seen <= _LETTERHEAD:
            self.letterhead.add(key)

    def _note_list_label(self, text: str) -> None:
        """A short line naming a list's field still unanswered ('Tâches confiées'), read between
        answers: kept in `list_label` in case a bulleted list follows it."""
        if len(text) > 40 or not text[:1].isupper() or _VALUE_PUNCT.search(text) or _BULLETED.match(text):
            return
        found = match_label(self.rules, text)
        listed = found is not None and found.kind == "field" and found.key in _LIST_FIELDS
        if listed and not self.form.values.get(found.key):
            self.list_label = (found.key, text)

    def _need_sentence(self, text: str) -> None:
        """The fields a need written as a sentence gives, where the form has no answer yet."""
        short = text if len(text) <= 60 else text[:57].rstrip() + "…"
        for key, value in sentence_fields(text):
            if not self.form.values.get(key):
                self._store(key, value, text)
                note = f"« {short} » lu comme {FIELD_NAMES_FR[key]}"
                self.form.notes.append(note)
                self.from_sentence[id(self.form), key] = note

    def _other_field(self, key: str, label: str) -> str | None:
        """A job's field answered already under another wording, whose new label's meaning
        words also name a field still unanswered ('Qualification' under the title known):
        that field, not the next job (the next job repeats the same labels)."""
        if key.startswith(_COMPANY) or not label:
            return None
        first = next((lab for k, lab, _ in self.form.order if k == key), None)
        if first is None or self.rules.key(first) == self.rules.key(label):
            return None
        answered = {k for k, v in self.form.values.items() if v} | {key}
        found = self.rules.meaning(_PARENS.sub(" ", label), exclude=answered)
        if found is None or found.kind != "field" or found.key.startswith(_COMPANY):
            return None
        return found.key

    def _sub_label_answer(self, found: LabelMatch, colon: re.Match[str]) -> bool:
        """Under a label of a free-text field still unanswered, a short 'Label : value' of that
        same field is the answer as written ('Quelle rémunération ?' then 'Taux horaire : 12 €')."""
        if found.kind != "field" or found.key != self.current or found.key not in _FREE_TEXT:
            return False
        if self.lines or not (self.colon_label or self.awaiting) or not colon.group(2).strip():
            return False
        return len(self.rules.key(colon.group(1))) <= 2 and self.rules.key(colon.group(1)) != self.rules.key(
            self.current_label)

    def _empty_tabbed(self, text: str) -> bool:
        """A label (no colon) followed by a tab and nothing: that field, left empty ('Label :<TAB>'
        may have its answer on the next lines)."""
        if ":" in text or len(text) > 80:
            return False
        found = match_label(self.rules, text)
        if found is None or found.kind != "field":
            return False
        self.start(found.key, "", text)
        self.close()
        return True

    def _label_wraps(self, text: str) -> bool:
        """A bare label ending on a linking word goes on on the next line when that line is a
        few lower-case words with no figure ('… dans le cadre de la' / 'clause sociale')."""
        if not self.awaiting or self.lines or self.current in (None, _UNKNOWN):
            return False
        if not _DANGLING.search(self.label_line) or not text[:1].islower():
            return False
        return len(text.split()) <= 5 and not _DIGIT.search(text) and not re.search(r"[:;,.?!]", text)

    def _job_title_in_heading(self, title: str) -> bool:
        """Whether the words after 'Poste 1 –' name a job (not a section: 'Conditions')."""
        title = title.strip()
        if not title or len(title.split()) > 8 or re.search(r"[@€%:;]|\d{3}", title):
            return False
        words = self.rules.key(title)
        return match_label(self.rules, title) is None and not (words and words[0] in self.rules.heading_words)

    def _first_label_other_field(self, key: str, label: str) -> str | None:
        """A job's field answered under a label whose meaning words also name a field still
        unanswered ('Habilitations / diplômes'), now given by a label naming only it
        ('Conditions particulières'): the first answer belongs to that other field."""
        if key.startswith(_COMPANY) or not label:
            return None
        first = next((lab for k, lab, _ in self.form.order if k == key), None)
        if first is None or self.rules.key(first) == self.rules.key(label):
            return None
        answered = {k for k, v in self.form.values.items() if v} | {key}
        if self.rules.meaning(_PARENS.sub(" ", label), exclude={key}) is not None:
            return None  # the new label is no clearer than the first
        found = self.rules.meaning(_PARENS.sub(" ", first), exclude=answered)
        if found is None or found.kind != "field" or found.key.startswith(_COMPANY):
            return None
        return found.key

    def start(self, key: str, value: str, label: str = "") -> None:
        self.close()
        self.reopen = None
        self.opened_empty = not value.strip()
        self.blank_after_empty = False
        self.colon_label = bool(label) and not value.strip() and label != self.current_line
        self.awaiting = not value.strip() and label == self.current_line
        if key != _UNKNOWN:
            self.labels_seen.add(key)
            self.leader_labels += bool(_LEADER.search(self.current_line))
            number = _QUESTION_NUMBER.match(self.current_line) or _QUESTION_NUMBER.match(label)
            self.numbered_labels += bool(number or _NUMBERING.match(label))
            self.last_number = int(number.group(1)) if number else None
        self.current = key
        self.current_label = label
        self.start_pos = self.position
        self.label_line = self.current_line
        self.lines = [value] if value else []

    def job_heading(self, heading: str = "") -> None:
        """A numbered job heading: the next job's answers go to a new form ('Conditions –
        poste 1' under 'Poste 1' is a section of the same job)."""
        self.close()
        number = _job_number(heading)
        same = number is not None and number == self.job_number
        self.job_number = number if number is not None else self.job_number
        if same:
            return
        job = [k for k, v in self.form.values.items() if v and k.startswith("job.")]
        conditions_only = not job and _keys_of(self.form, "conditions.")  # a job's conditions, after
        conditions_only = conditions_only and any(_keys_of(f, "job.") for f in self.forms)  # the jobs
        if "job.title" in job or len(job) >= 2 or conditions_only:
            new = self.form.copy_company()
            new.market = self.market
            self.forms.append(new)

    def feed_line(self, line: str) -> None:
        text = line.strip()
        pipes = _PIPE_ROW.match(text)
        if pipes:
            text = pipes.group(1).strip()
            if not text.strip("-:| "):
                return  # the '|---|---|' rule under a header row
        if not text:
            if self.current is not None and self.lines:
                # a label alone on its line, then paragraphs: the next paragraph may go on
                self.reopen = self.current if self.opened_empty else None
                self.close()
            elif self.current is not None:
                self.blank_after_empty = True
            return
        if is_instruction(text) and self.current is not None and not self.lines:
            return  # '(nom, prénom, fonction)' under its label: the answer is still to come
        blank_after_empty, self.blank_after_empty = self.blank_after_empty, False
        reopen, self.reopen = self.reopen, None
        heading_field, self.heading_field = self.heading_field, None
        list_label, self.list_label = self.list_label, None
        self.current_line = text
        title = _HEAD_NUMBER.sub("", _DECOR.sub("", text))
        if blank_after_empty and self.colon_label and _ARTICLE.match(title) and is_short_title(title):
            self.close()  # 'Siège :' left empty, a blank line, then 'Le recrutement': a heading
            return
        market = MARKET.match(text)
        if market:
            self.close()
            self.market = self.market or market.group(1).strip()
            if self.form.market is None:
                self.form.market = self.market
            return
        if self.current is None and is_need_sentence(text):
            self._need_sentence(text)  # 'Nous recherchons trois (3) personnes pour le 2 mars…'
            return
        if _EMPTY_TABBED.search(line) and self._empty_tabbed(text):
            return  # 'Si CDD / intérim, durée<TAB>' left empty, in a form of tabbed answers
        if self._label_wraps(text):  # 'Nombre de postes à pourvoir dans le cadre de la' / 'clause sociale'
            self.current_label = f"{self.current_label} {text}"
            return
        colon = _COLON.match(text) or self._ocr_semicolon(text) or self._asked(text)
        if colon is not None and "?" in colon.group(1) and colon.re is _COLON:
            asked = self._asked(text)  # 'Qui suit … ? Mme Becker<TAB><TAB>E-mail : …': the question first
            colon = asked if asked is not None and len(asked.group(1)) < len(colon.group(1)) else colon
        if colon and colon.group(1).count("(") > colon.group(1).count(")"):
            colon = None  # '… pour le chantier (marché : X)': a colon inside a parenthesis
        if colon and self._label_goes_on(colon.group(1)):
            answer = colon.group(2).strip()  # 'Contraintes (permis, port de' / 'charges…) : answer'
            self.lines = [answer] if answer else []
            self.awaiting, self.colon_label = False, not answer
            return
        leader = _LEADER.search(text)
        if colon and leader and leader.start() > colon.end(1):
            colon = None  # 'Précisions : chantier ....... Amiens': the leader ends the label
        elif colon and leader and leader.end() < colon.end(1) and colon.group(2).strip():
            before = match_label(self.rules, text[: leader.start()].strip())
            if before is not None and before.kind == "field":
                colon = None  # 'Lieu de travail ....... Dépôt : Route de Clermont': the answer holds a colon
        contract_awaited = self.current in _CONTRACT_KEYS and self.colon_label and not self.lines
        if colon and contract_awaited and self.rules.contract_code(colon.group(1)):
            self.lines.append(text)  # 'Contrat (type / durée) :' then 'CDD, durée : 6 mois'
            return
        if colon:
            colon = self._qualified(colon)
            found = match_label(self.rules, colon.group(1))
            weak = found is not None and found.by == "meaning"
            weak = weak and (found.weight < 1 or found.key != "job.title")
            dropped = False
            if weak and self.form.values.get(found.key):  # 'Consignes du poste', title known
                found, dropped = None, found.key != "job.title" and found.weight >= 1
            elif found is not None and found.by == "meaning" and found.kind == "field":
                answer = re.split(r"\t+", colon.group(2).strip())[0]  # not a second field on the line
                second = self._second_label(found.key, answer)
                answer = answer[: second[0].start()] if second else answer  # 'SIRET : … Email : …'
                if clean_text(answer) and not shape_fits(found.key, answer):
                    found, dropped = None, True  # "Type d'embauche : CDI": no date; left to the order
            if dropped and self._unknown_label(colon.group(1), text):
                self.start(_UNKNOWN, colon.group(2).strip(), colon.group(1).strip())
                return
            if found is not None:
                if self._sub_label_answer(found, colon):
                    self.lines.append(text)  # 'Adresse du chantier :' then 'Sur site : atelier de Reims'
                    return
                if found.kind == "field":
                    self._start_inline(found.key, colon.group(2), colon.group(1))
                else:
                    self.close()
                return
        titled = _TITLED_JOB.match(_DECOR.sub("", text))
        if titled and self._job_title_in_heading(titled.group("title")):
            self.job_heading(text[: text.index(titled.group("title"))])
            self.start("job.title", titled.group("title").strip(), text)  # 'Besoin 1 – PEINTRE'
            return
        if is_job_heading(_DECOR.sub("", text)):
            self.job_heading(_DECOR.sub("", text))
            return
        if _PAGE_NUMBER.match(text):
            return  # a page footer: the answer may go on over the page
        if _PLACE_DATE.match(text):
            self.close()  # 'Fait à Caen, le 3 mars 2027', 'À Alençon, le 4/11/2026': the signing
            self.signed = True
            return
        going_on = self.current is not None and bool(self.lines) and text[:1].islower()
        # 'Effectif recherché ...... un', 'Nombre de postes<TAB>un': a label and its answer
        tabbed = bool(re.search(r"\S\t+\S", text)) or bool(leader and text[leader.end() :].strip(" .…_:"))
        found = match_label(self.rules, text, whole_line=True) if len(text) <= 90 and not going_on else None
        found = None if tabbed and found is not None and found.kind == "field" else found
        if len(text) > 90 and not going_on:  # a letter's closing sentence ends the answer above it
            closing = match_label(self.rules, text[:90], whole_line=True)
            found = closing if closing is not None and closing.kind == "ignore" else None
        if found is not None and found.kind == "field" and _ARTICLE.match(_NUMBERING.sub("", text)):
            found = None  # 'Le poste à pourvoir': a heading, not the label 'Postes à pourvoir'
        if found is not None and found.kind == "field" and _marked_heading(text):
            found = None  # '■ CONTRAT', '§3 Contrat': a section's heading, not the label 'Contrat'
        words = self.rules.key(text)
        sectioned = bool(words) and words[0] in self.rules.heading_words  # 'CONDITIONS PROPOSÉES'
        styled = self.bare_style or self.bare_labels >= 2  # labels above answers, seen or known
        if found is None and sectioned and styled and not going_on and colon is None:
            found = self._section_word_label(text)  # 'Modalité de recrutement' above 'CDI'
        if found is None and colon is None and not going_on and self.numbered_labels >= 1:
            found = self._numbered_label(text)  # '4. Contenu du poste' above its list
        answer = found is not None or (
            styled and _upper_value(text) and not _HEAD_NUMBER.match(text) and not sectioned
        )
        dangling = found is not None and bool(_DANGLING.search(text))  # 'Expérience en' / 'nacelle…'
        under = self._waiting() or (self.colon_label and not self.lines and dangling)
        relabel = found is not None and found.exact and self.current_label.isupper() and not text.isupper()
        punct = bool(_VALUE_PUNCT.search(_NUMBERING.sub("", text))) and _listed_wordings(
            self.rules, _NUMBERING.sub("", text)) is None  # not '7) Métier / intitulé'
        relabel = relabel or (found is not None and found.exact and not self.lines and not self.colon_label
                              and not self.current_label.isupper() and not punct and not dangling)
        # 'Poste proposé' (a heading), 'Métier', then the title; not 'Expérience exigée (3 ans)'
        if under and found is not None and found.key == self.current and relabel and colon is None:
            self.start(found.key, "", text)  # 'CONTRAT' (a heading), then the label 'Contrat'
            return
        if under and (found is None or found.key == self.current) and answer and colon is None:
            self.lines.append(text)  # 'Expérience souhaitée', then 'Expérience exigée (3 ans)'
            return
        marked = _marked_heading(text) or (text.isupper() and bool(_ARTICLE.match(text)))  # 'LE POSTE'
        asked = text.endswith("?")  # '1. Entreprise ?': a question asks for a field, no heading does
        first_numbered = self.bare_style and bool(_QUESTION_NUMBER.match(text))  # '1) Entreprise'
        first_numbered = first_numbered and not _ARTICLE.match(_NUMBERING.sub("", text))  # not '2. Le poste'
        if found is not None and found.kind == "heading" and (
            self.bare_labels >= 2 and not marked or asked or first_numbered
        ):
            bare = _PARENS.sub(" ", text)
            numbered = asked or first_numbered or self.numbered_labels >= 2  # '7) Poste' among numbered
            bare = _NUMBERING.sub("", bare).rstrip(" ?") if numbered else bare  # not '2. Le poste'
            field = self.rules.match(bare, prefix=False)  # 'Poste' above 'Maçon', '1. Entreprise ?'
            if field is not None and field.kind == "field" and not self.form.values.get(field.key):
                found = field
        if found is not None:
            if found.kind == "field":
                self.bare_labels += 1
                self.start(found.key, "", text)
            else:
                self.close()
                self.signed = self.signed or found.kind == "ignore"
            return
        if self._question(text):
            return
        typed_under = self.colon_label and not blank_after_empty and not self.lines and not sectioned
        typed_under = typed_under and self.current not in (None, _UNKNOWN) and not _HEAD_NUMBER.match(text)
        typed_under = typed_under and not _LEADER.search(self.label_line)  # 'Lieu ………' left blank
        if typed_under and _upper_value(text):
            self.lines.append(text)  # 'Nom de l'entreprise :' then 'ÉLECTRICITÉ GÉNÉRALE BOUTILLIER'
            return
        if is_heading(self.rules, text) and not self._list_item(text, first=not blank_after_empty):
            self.close()
            self.heading_field = self._article_label(text)
            return
        if colon and self._unknown_label(colon.group(1), text):
            awaited = self.current not in (None, _UNKNOWN) and self.colon_label and not self.lines
            short = len(self.rules.key(colon.group(1))) <= 2 and bool(_DIGIT.search(colon.group(2)))
            awaited = awaited and short  # 'Dépôt : 2 rue …', not 'Type d'employeur : …'
            if awaited and not self.current.startswith(_COMPANY):
                self.lines.append(text)  # 'Où se déroule le travail ? :' then 'Dépôt : 2 rue …'
                return
            self.start(_UNKNOWN, colon.group(2).strip(), colon.group(1).strip())
            return
        gap = _GAP.match(text)
        if gap:
            separator = text[len(gap.group(1)) : len(text) - len(gap.group(2))]
            label, answer = self._inner_label(gap.group(1)), gap.group(2)
            found = match_label(self.rules, label)
            tabbed = any(mark in separator for mark in ("\t", "..", "…"))  # 'Label<TAB>value', 'Label ..'
            sure = found is not None and (found.exact or tabbed or found.by == "meaning")
            if found is not None and found.kind == "field" and sure:
                if self._meaning_misfit(found, answer):
                    self.start(_UNKNOWN, answer.strip(), label.strip())
                else:
                    self._start_inline(found.key, answer, label)
                return
            one_line = self.current is None or self.current == _UNKNOWN or self.current in _ONE_LINE
            if found is None and tabbed and one_line and self._unknown_label(label, label):
                self.start(_UNKNOWN, answer.strip(), label.strip())  # 'NIC<TAB>00033'
                return
        if heading_field is not None and self.current is None and not self.form.values.get(heading_field[0]):
            self.start(heading_field[0], text, heading_field[1])  # 'Vos missions', then its first item
            return
        one_line_done = self.current in _ONE_LINE and bool(self.lines)  # 'Effectif<TAB>4', then the label
        if list_label is not None and (self.current is None or one_line_done) and _BULLETED.match(text):
            if self.lines and self.lines[-1] == list_label[1]:
                self.lines.pop()  # the label went on the one-line answer above it
            self.start(list_label[0], text, list_label[1])  # 'Tâches confiées', then '- Curage…'
            return
        styled = self.bare_style or self.bare_labels >= 2  # labels above answers: read as such
        if (self.current is None or one_line_done) and not styled:
            self._note_list_label(text)  # in case a bulleted list follows; read as usual meanwhile
        if self._bare_meaning(text, blank_after_empty):
            return
        if self._bare_unknown(text):
            return
        if self.current is None and reopen is not None and _BULLETED.match(text) and not _FOOTER.search(text):
            if self.form.values.get(reopen):  # 'Activités :', then items with blank lines between
                self.form.values[reopen] += "\n" + text
                self.reopen = reopen
            return
        if self.current is not None:
            above = self.awaiting or self.colon_label  # 'Contact :', its name, 'Numéro où vous joindre'
            if above and self.lines and self.current in _ONE_LINE_ABOVE and _label_shaped(self.rules, text):
                self.start(_UNKNOWN, "", text)  # 'SIRET', its number, then 'Domiciliation': a label
                return
            if self.lines and not self.current.startswith(_COMPANY) and _FOOTER.search(text):
                self.close()  # a letterhead or footer line ('… – Standard 03 22 50 20 00')
                return
            wrapped = self.lines and _ENDS_POSTCODE.search(self.lines[-1]) and _TOWN.match(text)
            if self.current in _TOWN_AFTER and wrapped:
                self.lines.append(text)  # '… 80100' then 'ABBEVILLE': the address wrapped before its town
                return
            if self.current in _SINGLE_LINE and self.lines:
                return  # a footer or a note under a one-line answer
            if self.lines and not self.current.startswith(_COMPANY) and self._signature(text):
                self.close()  # 'Léna Dufresnoy, Cheffe d'équipe' under the last answer
                self.signed = True
                return
            if self.current in _SHAPES and not shape_fits(self.current, text) and not self.lines:
                self.close()  # 'Mail :' left empty, then a line that is no e-mail address
                return
            if self.current in _ONE_LINE and self.lines and _LABEL_LIKE.match(text):
                self.close()  # an unknown label: never glue it to a one-line answer
                return
            self.lines.append(text)

    def _list_item(self, text: str, *, first: bool = False) -> bool:
        """'Présentation soignée' under 'Aptitudes :' (right under it, with `first`, or under its
        first item): an item of the list being read, though its first word may open a section
        ('Présentation de l'entreprise')."""
        if self.current not in _LIST_FIELDS or not self.opened_empty:
            return False
        if not self.lines and not (first and self.colon_label):
            return False
        words = self.rules.key(text)
        plain = not _HEAD_NUMBER.match(text) and not _MARK.match(text) and text != text.upper()
        return plain and bool(words) and words[0] in _ITEM_WORDS and ":" not in text and len(words) <= 4

    def _qualified(self, colon: re.Match[str]) -> re.Match[str]:
        """'Précisions : salaire : 1 900 €': a word no rule knows, then the label, then the answer."""
        inner = _COLON.match(colon.group(2))
        head, tab, tail = colon.group(2).partition("\t")
        one_label = inner is None and tab and tail.strip()  # 'Profil : compétences<TAB>– Utilisation…'
        if one_label and _names_too(self.rules, match_label(self.rules, colon.group(1)), head):
            return _COLON.match(f"{colon.group(1)} {head.strip()} : {tail.strip()}") or colon
        if inner is None and _CONDITIONAL.match(colon.group(1)) and len(colon.group(2).split()) <= 3:
            label = self._inner_label(f"{colon.group(1)} : {colon.group(2)}")  # 'Si CDD : durée'
            return colon if ":" in label else (_COLON.match(f"{label} :") or colon)
        if inner is None or len(inner.group(1)) > 60:
            return colon
        outer = match_label(self.rules, colon.group(1))
        if _names_too(self.rules, outer, inner.group(1)):  # 'Profil : compétences : …': one label
            return _COLON.match(f"{colon.group(1)} {inner.group(1)} : {inner.group(2)}") or colon
        if outer is not None:
            if outer.kind != "field" or not _CONDITIONAL.match(colon.group(1)):
                return colon
            # 'Si contrat temporaire : durée : 6 mois': a short label naming another field
            label = self._inner_label(f"{colon.group(1)} : {inner.group(1)}")
            return colon if ":" in label else (_COLON.match(f"{label} : {inner.group(2)}") or colon)
        found = match_label(self.rules, inner.group(1))
        if found is None or found.kind != "field":
            return colon
        return _COLON.match(f"{colon.group(1)} {inner.group(1)} : {inner.group(2)}") or colon

    def _signature(self, text: str) -> bool:
        """A line that begins with the contact's name (in any order): the sender signs."""
        contact = self.form.values.get("company.contact_name") or ""
        known = {w for w in self.rules.key(contact) if len(w) > 2}
        words = self.rules.key(re.split(r"[,–—(]", text)[0])
        return 2 <= len(words) <= 4 and set(words) <= known

    def _asked(self, text: str) -> re.Match[str] | None:
        """'Combien de postes ? Cinq (5)': a question whose words name a field, then its answer."""
        # '9) À partir de quand ? dès le 27/07', '- Quand le poste démarre-t-il ? …'
        found = _ASKED.match(_NUMBERING.sub("", _LIST_BULLET.sub("", text)))
        heading_question = self.current == _UNKNOWN and self.current_label.endswith("?")
        heading_question = heading_question or is_heading(self.rules, self.current_label)  # 'II. POSTE'
        if found is None or (self._waiting() and not heading_question):  # 'Qui êtes-vous ?' above
            return None
        if is_job_heading(found.group(2).strip(" –—-")):
            return None  # 'Volet B — Pour quel poste ? – Recrutement 1': a job's heading
        label = match_label(self.rules, found.group(1).rstrip(" ?"))
        return found if label is not None and label.kind == "field" else None

    def _ocr_semicolon(self, text: str) -> re.Match[str] | None:
        """'Raison sociale ; X' (OCR read the colon as a semicolon): only for an exact label."""
        found = _SEMICOLON.match(text)
        if found is None:
            return None
        label = match_label(self.rules, found.group(1))
        return found if label is not None and label.kind == "field" and label.exact else None

    def _unknown_label(self, label: str, text: str) -> bool:
        """'Xxx : value' with a label-shaped Xxx that no rule knows (a bullet is a list item)."""
        label = _NUMBERING.sub("", label).strip()  # '15) Type d'embauche : CDI'
        listed = _BULLETED.match(text) and not _NUMBERED_ITEM.match(text)
        if listed or not label or not label[0].isupper():
            return False
        words = self.rules.key(label)
        return 1 <= len(words) <= 6 and len(label) <= 60 and not _DIGIT.search(_NUMBERING.sub("", label))

    def _label_goes_on(self, label: str) -> bool:
        """Does 'charges…) :' end the label above, whose bracket it closes ('Contraintes
        particulières (permis, port de' alone on the line above, no answer yet)?"""
        if self.current in (None, _UNKNOWN) or self.lines or label.count(")") <= label.count("("):
            return False
        return self.label_line.count("(") > self.label_line.count(")") and len(label) <= 40

    def _inner_label(self, label: str) -> str:
        """'Si contrat temporaire : durée' (a label holding a colon) -> 'durée (Si contrat
        temporaire)' when its last part, a few words, names another field than its first."""
        outer, colon, inner = label.rpartition(":")
        if not colon or not outer.strip() or not 1 <= len(inner.split()) <= 3:
            return label
        first, last = match_label(self.rules, outer), match_label(self.rules, inner)
        if last is None or last.kind != "field" or (first is not None and first.key == last.key):
            return label
        return f"{inner.strip()} ({outer.strip()})"

    def _numbered_label(self, text: str) -> LabelMatch | None:
        """In a form whose labels are numbered questions, a numbered line whose words name a
        field still unanswered is that field's label (its answer below), not a heading."""
        number = _NUMBERING.match(text)
        if number is None or _HEAD_NUMBER.match(text) is None or len(text) > 90:
            return None
        body = text[number.end() :].strip()
        counted = _QUESTION_NUMBER.match(text)
        last = self.last_number
        follows = counted is not None and last is not None and int(counted.group(1)) == last + 1
        if not body[:1].isupper() or body == body.upper():
            return None  # '2 – LE POSTE': a heading in capitals
        if _answer_punct(body.rstrip("?")) and not follows:  # '10) Si CDD, durée' after '9)'
            return None
        found = match_label(self.rules, body)
        if found is None or found.kind != "field" or self.form.values.get(found.key):
            return None
        return found

    def _article_label(self, text: str) -> tuple[str, str] | None:
        """In a form of labels above their answers, a mixed-case heading like 'Vos missions',
        'Votre profil' or 'Ce que fera la personne' (a field's meaning words): the field it names,
        still unanswered, in case an answer, not a label, comes right under it."""
        if not (self.bare_style or self.bare_labels >= 2) or text == text.upper() or len(text) > 40:
            return None
        if _marked_heading(text) or _HEAD_NUMBER.match(text):
            return None  # 'Vos missions', 'Ce que fera la personne', not '§3 Contrat'
        found = self.rules.meaning(text)
        if found is None or found.kind != "field" or self.form.values.get(found.key):
            return None
        return found.key, text

    def _section_word_label(self, text: str) -> LabelMatch | None:
        """In a form of labels above their answers, a mixed-case line opened by a section word
        whose meaning names a field still unanswered is that field's label ('Modalité de
        recrutement'), not a heading."""
        if text == text.upper() or _marked_heading(text) or _HEAD_NUMBER.match(text) or text.endswith("?"):
            return None
        if _LEADER.search(text) or "\t" in text:
            return None  # 'Modalité de recrutement ...... CDI': read with its answer below
        found = self.rules.meaning(text)
        if found is None or found.kind != "field" or self.form.values.get(found.key):
            return None
        rest = self.rules.meaning(text.split(None, 1)[1]) if " " in text else None
        if rest is not None and rest.key == found.key and found.key not in _DECISIVE_KEYS:
            return None  # 'Informations employeur': the words after the section word name it alone
        return found

    def _waiting(self) -> bool:
        """A label alone on its line still waits for its answer: the next line is that answer."""
        return self.awaiting and not self.lines

    def _bare_unknown(self, text: str) -> bool:
        """In a form written with labels above their answers, a label-shaped line no rule knows,
        where no answer is awaited ('Numéro où vous joindre'): its answer is read by the form's
        order or shape."""
        bare = self.bare_labels >= 2 or self.bare_style
        if bare and self.current is None and self._signature(text):
            self.signed = True  # 'Agathe Dumoulin, gérante', then the company's name
            return True
        if not bare or self.signed or self.current is not None or not _label_shaped(self.rules, text):
            return False
        if _upper_value(text) or _FOOTER.search(text):
            return False
        self.start(_UNKNOWN, "", text)
        self.awaiting = True
        return True

    def _bare_meaning(self, text: str, after_gap: bool = False) -> bool:
        """A label alone on its line read by its first words or its meaning words, in a form
        written that way (labels above their answers); never the line right under a label,
        unless a blank line left that label empty and this one begins with a listed wording;
        never an unnumbered line in a form that numbers its labels."""
        bare = self.bare_labels or self.bare_style
        if not bare or len(text) > 60 or not text[0].isupper() or LEGAL_FORM.search(text):
            return False  # 'Travaux Publics Ben Saïd SASU': a company's name, not 'Travaux'
        if self.numbered_labels >= 3 and not _NUMBERING.match(text):
            return False  # 'Levage et pose sur chantier' under '18. Missions': an answer's line
        if self.leader_labels >= 3 and not _LEADER.search(text):
            return False  # the same under 'Activités ........', in a form of dotted leaders
        text = _NUMBERING.sub("", text) or text  # '1. Nom de la société / raison sociale'
        found = self.rules.match(_PARENS.sub(" ", text))
        if len(self.rules.key(text)) > 5:
            return False
        listed = _listed_wordings(self.rules, text)  # 'Diplômes, titres, certifications'
        found = listed or found
        if _answer_punct(text) and listed is None:
            # 'Permis / habilitations / contraintes' is a label, '1 850 €' an answer
            listing = found is not None and found.kind == "field" and found.size >= 2  # 'Permis, CACES…'
            if not (listing and not _DIGIT.search(text) and len(self.rules.key(text)) - found.size <= 1):
                return False
        expecting = self.colon_label and self.current not in (None, _UNKNOWN) and not self.lines
        if self._waiting() or expecting:  # 'Adresse du chantier', nothing, then 'Rémunération envisagée'
            extra = len(self.rules.key(text)) - found.size if found is not None else 9
            listed = found is not None and found.kind == "field" and extra <= 1
            meant = self.rules.meaning(text) if after_gap and not listed else None
            list_named = meant is not None and meant.key in _LIST_FIELDS and meant.key != self.current
            list_named = list_named and not self.form.values.get(meant.key)  # 'Contenu du poste'
            if list_named:
                found = meant
            elif not (after_gap and listed and not self.form.values.get(found.key)):
                return False
        loose = found is None or found.kind != "field" or len(self.rules.key(text)) - found.size > 1
        if listed is None and loose:
            if self.colon_label and self.lines and self.current in _LIST_FIELDS:
                return False  # 'Missions principales :' then its lines: 'Contrôle qualité des balles'
            found = self.rules.meaning(text)  # 'Compétences techniques', 'Descriptif des tâches'
        if found is not None and found.kind == "field" and self.form.values.get(found.key):
            answered = {k for k, v in self.form.values.items() if v}  # 'Qualification / diplôme', title known
            found = self.rules.meaning(text, exclude=answered)
        if found is None or found.key == self.current or self.form.values.get(found.key):
            return False
        self.start(found.key, "", text)
        return True

    def _question(self, text: str) -> bool:
        """A question alone on its line is a label ('Quelles seront les missions ?'), read by
        its meaning words, else by the form's order; its answer is on the next lines."""
        text = _NUMBERING.sub("", text)  # '11) Quelles compétences ?'
        if not text.endswith("?") or len(text) > 90 or not text[:1].isupper():
            return False
        words = self.rules.key(text)
        if not 1 <= len(words) <= _MEANING_MAX_WORDS:
            return False
        found = match_label(self.rules, text.rstrip(" ?"))
        if found is not None and found.kind != "field":
            return False
        if found is None or (self.form.values.get(found.key) and found.key != "job.title"):
            self.start(_UNKNOWN, "", text)  # 'Qui suit ce recrutement ?'
        else:
            self.bare_labels += 1
            self.start(found.key, "", text)
        return True

    def _meaning_misfit(self, found: LabelMatch, value: str) -> bool:
        """A label read only by meaning words whose field is answered already (not a job title:
        that opens the next job) or whose answer has not the field's shape."""
        if found.by != "meaning" or not clean_text(value):
            return False
        if self.form.values.get(found.key) and found.key != "job.title":
            return True
        return not shape_fits(found.key, value) and self._by_shape(found.key, value, "") == found.key

    def _second_label(self, key: str, value: str) -> tuple[re.Match[str], LabelMatch] | None:
        """A second 'Label : value' of another field in `value` (two columns on one line)."""
        candidates = list(_INLINE_LABEL.finditer(value))
        for inner in candidates:
            found = match_label(self.rules, inner.group(2))
            tabbed = value[: inner.start()].endswith("\t")  # 'SIRET : …<TAB><TAB>Tél. (portable) : …'
            rest = value[inner.start() + len(inner.group(1)) :]
            shaped = found is not None and found.key in _SHAPED_CONTACT and found.key != key
            shaped = shaped and not re.search(r"\s{2}", inner.group(2))  # not 'Pro Services    SIRET'
            shaped = shaped and (not rest.strip() or shape_fits(found.key, rest))  # '… Messagerie : a@b.fr'
            colon_at = inner.start() + len(inner.group(1))
            shaped = shaped and not any(  # 'M. Olivier Lemaire Tél. :': the shortest label wins
                c.start() > inner.start() and c.start() + len(c.group(1)) == colon_at for c in candidates
            )
            known = found is not None and found.kind == "field" and found.key != key
            if known and (found.exact or tabbed or shaped):
                return inner, found
        return None

    def _start_inline(self, key: str, value: str, label: str = "") -> None:
        """Start `key`; a second 'Label : value' on the same line (two columns) is split off."""
        second = self._second_label(key, value)
        if second is not None:
            inner, found = second
            first = value[: inner.start()]
            self.start(self._by_shape(key, first, label), first.strip(), label)
            self._start_inline(found.key, value[inner.start() + len(inner.group(1)) :], inner.group(2))
            return
        self.start(self._by_shape(key, value, label), value, label)

    def _by_shape(self, key: str, value: str, label: str) -> str:
        """The field a label means when its answer's shape fits another reading of it better
        ('Poste à pourvoir : Agent de quai' is the job title, not a number of positions)."""
        if key in _NEVER_A_DATE and _DATE_ONLY.match(value):
            return "job.recruitment_date"  # 'Poste à pourvoir le : 01/03/2027'
        if clean_text(value) is None or shape_fits(key, value):
            return key
        other = self.rules.meaning(_PARENS.sub(" ", label), exclude={key})
        return other.key if other is not None and shape_fits(other.key, value) else key

    def feed_pair(self, label: str, value: str | None, key: str | None = None) -> None:
        self.close()
        self.reopen = None
        if key is not None:
            if key != LETTERHEAD_NAME:
                self.labels_seen.add(key)
            self._store(key, (value or "").strip(), label)
            return
        if not (value or "").strip() and split_label(self.rules, label):
            self.feed_line(label)  # a whole 'Label : value' cell
            return
        found = match_label(self.rules, label)
        if found is None:
            if value and value.strip():
                self.feed_line(f"{label} : {value}")
            return
        if found.kind != "field":
            return
        if self._meaning_misfit(found, value or ""):
            self._store(_UNKNOWN, (value or "").strip(), label)  # "Type d'embauche | CDI"
            return
        self.labels_seen.add(found.key)
        key = self._by_shape(found.key, value or "", label)
        self._store(key, (value or "").strip(), label)

    def finish(self) -> list[RawForm]:
        self.close()
        forms = [f for f in self.forms if f.values or f.order]
        for form in forms:
            form.market = form.market or self.market
            _resolve_unknown(form, self.rules)
        for previous, form in zip(forms, forms[1:], strict=False):  # company fields read by position
            if previous.values.get("company.legal_name") == form.values.get("company.legal_name"):
                for key, value in previous.values.items():
                    if key.startswith(_COMPANY) and not form.values.get(key):
                        form.values[key] = value
        forms = _condition_columns([f for f in forms if f.values])
        _share_company(forms)
        _share_conditions(forms)
        return forms


_NUMBER_WORD = re.compile(r"\b(?:une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze)\b", re.I)
_DATE = re.compile(
    r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\s*(?:er|re)?\s+"
    r"(?:janv|f[ée]vr|mars|avr|mai|juin|juil|ao[uû]t|sept|oct|nov|d[ée]c)|"
    r"\b(?:janv\w*|f[ée]vr\w*|mars|avr\w*|mai|juin|juil\w*|ao[uû]t|sept\w*|oct\w*|nov\w*|d[ée]c\w*)\.?\s+\d{4}\b",
    re.I,
)
# An answer that is a date and nothing more ('01/03/2027', 'le 1er mars 2027', 'dès le 12/04/27').
_DATE_ONLY = re.compile(
    r"^\W*(?:(?:d[èe]s\s+|[àa]\s+partir\s+du\s+|le\s+|au\s+)*)(?:" + _DATE.pattern + r")[\w\s]{0,12}\W*$",
    re.I,
)
_TIME_UNIT = re.compile(r"\d\s*(?:mois|ans?|ann[ée]es?|semaines?|jours?|h\b|heures?)", re.I)
_NEVER_A_DATE = frozenset({"job.positions", "job.title"})
_SHAPES: dict[str, re.Pattern[str]] = {
    "company.siret": re.compile(r"^\D{0,20}(?:\d[\s.\-/]{0,3}){14}\D{0,20}$"),  # '501 526 107 / 00088'
    "company.email": re.compile(r"@|\[\s*at\s*\]|arobase", re.I),
    "company.phone": re.compile(r"(?:\+|\b0)\s*\d(?:[\s./\-]?(?:\(0\)\s*)?\d){7,}"),  # '+33 (0)6 …'
    "job.recruitment_date": _DATE,
    "conditions.weekly_hours": re.compile(
        r"\d\s*(?:h(?:\s*\d{2})?\b|heures?)|^\s*\d{2}(?:[.,]\d+)?\s*$|temps\s+(?:plein|partiel)", re.I
    ),
}


def shape_fits(key: str, value: str) -> bool:
    """Does the answer have the shape its field needs (a count, a date, hours, a SIRET…)?"""
    if key == "job.positions":  # a count, not a duration ('6 mois renouvelable')
        counted = bool(_DIGIT.search(value) or _NUMBER_WORD.search(value))
        return counted and not _TIME_UNIT.search(value)
    if key == "job.title":
        return not re.fullmatch(r"\W*\d+\W*(?:postes?|personnes?)?\W*", value, re.I)
    pattern = _SHAPES.get(key)
    return pattern is None or bool(pattern.search(value))


_CANON = dotted_fields()


def _canon_index(key: str) -> int | None:
    if key == "conditions.contract_type_duration":
        key = "conditions.contract_type"
    return _CANON.index(key) if key in _CANON else None


_CONTRACT_WORD = re.compile(
    r"\b(?:CDI|CDD|CTT|CUI|PEC|int[ée]rim|apprentissage|alternance|professionnalisation|saisonnier|"
    r"ind[ée]termin[ée]e|d[ée]termin[ée]e)\b",
    re.I,
)
_DURATION_WORD = re.compile(r"\d|\b(?:mois|semaines?|ans?|jours?|ann[ée]es?)\b", re.I)


def _fits_place(key: str, value: str) -> bool:
    """Shape test for a label read by position; a contract type and its duration told apart."""
    if key == "conditions.contract_type":
        return bool(_CONTRACT_WORD.search(value))
    if key == "conditions.contract_duration":
        return bool(_DURATION_WORD.search(value)) and not _CONTRACT_WORD.search(value)
    return shape_fits(key, value)


def _join_siren_nic(form: RawForm) -> None:
    """'SIREN : 971 613 633' then 'NIC : 00033' (9 + 5 digits): the SIRET, when its check passes."""
    if form.values.get("company.siret"):
        return
    from stdnum.fr import siret

    for index in range(len(form.order) - 1):
        (key1, label1, value1), (key2, label2, value2) = form.order[index], form.order[index + 1]
        if key1 not in (None, "company.siret") or key2 is not None:
            continue
        first, second = re.sub(r"[\s.]", "", value1), re.sub(r"[\s.]", "", value2)
        split = re.fullmatch(r"\d{9}", first) and re.fullmatch(r"\d{5}", second)
        if split and siret.is_valid(first + second):
            form.values["company.siret"] = first + second
            form.order[index] = ("company.siret", label1, first + second)
            form.order[index + 1] = ("company.siret", label2, second)
            return


def _resolve_runs(form: RawForm) -> None:
    """Several unknown labels in a row standing exactly where as many fields are missing, each
    answer of its field's shape: read one for one, in the form's order."""
    order = form.order
    index = 0
    while index < len(order):
        if order[index][0] is not None:
            index += 1
            continue
        end = index
        while end < len(order) and order[end][0] is None:
            end += 1
        run = order[index:end]
        before = _canon_index(order[index - 1][0]) if index > 0 else -1
        after = _canon_index(order[end][0]) if end < len(order) else len(_CANON)
        if len(run) >= 2 and before is not None and after is not None and before < after:
            slots = [f for f in _CANON[before + 1 : after] if not form.values.get(f)]
            fits = len(slots) == len(run) and all(
                value.strip() and _fits_place(f, value) for f, (_, _, value) in zip(slots, run, strict=True)
            )
            if fits:
                for offset, (slot, (_, label, value)) in enumerate(zip(slots, run, strict=True)):
                    form.values[slot] = value
                    order[index + offset] = (slot, label, value)
                    form.notes.append(f"« {' '.join(label.split())} » lu comme {FIELD_NAMES_FR[slot]}")
        index = end


_STRICT_SHAPES: dict[str, re.Pattern[str]] = {
    "job.positions": re.compile(
        r"^\W*(?:\d{1,3}|" + _NUMBER_WORD.pattern + r")(?:\s*\(\s*\d{1,3}\s*\))?\s*"
        r"(?:postes?|personnes?|salari[ée]s?|recrutements?|candidats?|embauches?)?\W*$",
        re.I,
    ),
    "company.phone": re.compile(r"^\W*(?:\+\s*33\s*(?:\(0\))?|\b0)\s*[1-9](?:[\s.\-]?\d{2}){4}\W*$"),
    "company.email": _BARE_EMAIL,
    "conditions.weekly_hours": re.compile(r"^\W*\d{1,2}(?:[.,]\d{1,2})?\s*(?:h|heures?)\b.{0,30}$", re.I),
    "conditions.contract_type": re.compile(
        r"^\W*(?:contrat\s+(?:[àa]|de|d['’])\s*)?(?:C\.?\s?D\.?\s?[DI]\.?(?:\s?I\.?)?|CTT|int[ée]rim|"
        r"apprentissage|alternance|professionnalisation|dur[ée]e\s+(?:in)?d[ée]termin[ée]e|"
        r"mission\s+d['’]\s*int[ée]rim|(?:mission\s+)?int[ée]rimaire|travail\s+temporaire)(?![\w])(?:\s.{0,40})?$",
        re.I,
    ),
}


def _by_strict_shape(form: RawForm, value: str) -> str | None:
    """The one missing field whose unmistakable shape the answer has (a count, a phone number,
    an e-mail address, weekly hours), wherever the label stands."""
    value = value.strip()
    fits = [k for k, shape in _STRICT_SHAPES.items() if shape.match(value)]
    fits = [k for k in fits if not clean_text(form.values.get(k))]
    return fits[0] if len(fits) == 1 else None


def _by_other_meaning(form: RawForm, rules: LabelRules | None, label: str, value: str) -> str | None:
    """An unknown label whose meaning words also point to a missing field ('Qualification' once
    the job title is known: the training), when the answer has that field's shape."""
    if rules is None or not label.strip():
        return None
    filled = {k for k, v in form.values.items() if clean_text(v)}
    found = rules.meaning(label, exclude=filled)
    if found is None or found.key not in _CANON or not _fits_place(found.key, value):
        return None
    return found.key


def _resolve_unknown(form: RawForm, rules: LabelRules | None = None) -> None:
    """Unknown labels read by the form's structure, or reported as unrecognised.

    An unknown label whose answer stands where exactly one missing field is expected (between
    the fields read just before and after it, at most three places apart) and has that field's
    shape is read as that field; a 14-digit answer that passes the SIRET check fills a missing SIRET.
    """
    _join_siren_nic(form)
    _resolve_runs(form)
    for index, (key, label, value) in enumerate(form.order):
        if key is not None:
            continue
        chosen = None
        if value.strip():
            before = [_canon_index(k) for k, _, _ in form.order[:index] if k is not None]
            after = [_canon_index(k) for k, _, _ in form.order[index + 1 :] if k is not None]
            low = before[-1] + 1 if before and before[-1] is not None else None
            high = after[0] if after else len(_CANON)  # the last label of the form: up to the end
            if low is not None and high is not None and 0 < high - low <= 3:
                window = [f for f in _CANON[low:high] if not form.values.get(f) and _fits_place(f, value)]
                if len(window) == 1:
                    chosen = window[0]
            if chosen is None:
                chosen = _by_strict_shape(form, value)
            if chosen is None:
                chosen = _by_other_meaning(form, rules, label, value)
            digits = re.sub(r"\D", "", value)
            if chosen is None and not form.values.get("company.siret") and len(digits) == 14:
                from stdnum.fr import siret

                if siret.is_valid(digits) and _SHAPES["company.siret"].search(value):
                    chosen = "company.siret"
        if chosen in _LETTERHEAD and chosen in form.values:
            chosen = None  # 'Tél. :' left empty: 'Société X – Standard : 03 …' is no answer to it
        if chosen is None:
            if not value.strip() and label.endswith("?"):
                continue  # a question left unanswered, or one heading a section
            if label not in form.unrecognised:
                form.unrecognised.append(label)
            continue
        form.values[chosen] = value
        form.order[index] = (chosen, label, value)
        form.notes.append(f"« {' '.join(label.split())} » lu comme {FIELD_NAMES_FR[chosen]}")


def _share_company(forms: list[RawForm]) -> None:
    """One company in the document (a single legal name, or none): its block, written before,
    between or after the jobs, is every job's company."""
    if len(forms) < 2:
        return
    names = {" ".join(v.split()).casefold() for f in forms if (v := f.values.get("company.legal_name"))}
    if len(names) > 1:
        return
    shared: dict[str, str] = {}
    for form in forms:
        for key, value in form.values.items():
            if key.startswith(_COMPANY) and value and key not in shared:
                shared[key] = value
    for form in forms:
        if form.has_job():
            for key, value in shared.items():
                if not form.values.get(key):
                    form.values[key] = value


def _keys_of(form: RawForm, prefix: str) -> bool:
    """Does `form` answer any field under `prefix` ('job.', 'conditions.')?"""
    return any(v for k, v in form.values.items() if k.startswith(prefix))


def _condition_columns(forms: list[RawForm]) -> list[RawForm]:
    """Jobs in columns, then their conditions in columns of a second table: N job forms without
    conditions followed by N forms of conditions only are N jobs, each with its own column."""
    jobs = [f for f in forms if _keys_of(f, "job.") and not _keys_of(f, "conditions.")]
    rest = [f for f in forms if not _keys_of(f, "job.") and _keys_of(f, "conditions.")]
    if len(jobs) < 2 or len(jobs) != len(rest) or jobs + rest != forms:
        return forms
    for job, conditions in zip(jobs, rest, strict=True):
        for key, value in conditions.values.items():
            if key.startswith("conditions."):
                job.values.setdefault(key, value)
        job.order.extend(conditions.order)
        job.notes.extend(n for n in conditions.notes if n not in job.notes)
    return jobs


def _share_conditions(forms: list[RawForm]) -> None:
    """Conditions written once for several jobs are every job's conditions."""
    if len(forms) < 2:
        return
    given = [f for f in forms if _keys_of(f, "conditions.")]
    if len(given) != 1:
        return
    shared = {k: v for k, v in given[0].values.items() if k.startswith("conditions.")}
    for form in forms:
        if form is not given[0] and form.has_job():
            for key, value in shared.items():
                form.values.setdefault(key, value)


# An answer marker under its question: '7. Poste proposé' then 'Réponse : Préparateur'.
_ANSWER_MARK = re.compile(r"^\s*(?:votre\s+)?(?:réponse|reponse|rép\.?)\s*[:：]\s*(.*)$", re.IGNORECASE)


def _join_answer_marks(events: list[Event]) -> list[Event]:
    """A question then 'Réponse : answer' on the next line read as 'question : answer'.

    The question may end with '?' or ':' and blank lines may stand between them; an empty
    'Réponse :' makes the question a label whose answer follows on the next lines.
    """
    if not any(e.kind == "line" and _ANSWER_MARK.search(e.text) for e in events):
        return events
    texts = [e.text.split("\n") if e.kind == "line" else None for e in events]
    places = [(n, i) for n, lines in enumerate(texts) if lines is not None for i in range(len(lines))]
    dropped: set[tuple[int, int]] = set()
    for at, (n, i) in enumerate(places):
        mark = _ANSWER_MARK.match(texts[n][i])
        if mark is None:
            continue
        back = at - 1
        while back >= 0 and at - back <= 3 and not texts[places[back][0]][places[back][1]].strip():
            back -= 1
        if back < 0 or at - back > 3:
            continue
        qn, qi = places[back]
        question = texts[qn][qi].rstrip()
        if not question or _ANSWER_MARK.match(question):
            continue
        answer = mark.group(1).strip()
        stem_text = question.rstrip(" :：")
        if question.endswith("?"):
            texts[qn][qi] = f"{question} {answer}".rstrip()
        else:
            texts[qn][qi] = f"{stem_text} : {answer}".rstrip()
        dropped.add((n, i))
    out: list[Event] = []
    for n, (event, lines) in enumerate(zip(events, texts, strict=True)):
        if lines is None:
            out.append(event)
            continue
        kept = [line for i, line in enumerate(lines) if (n, i) not in dropped]
        if kept:
            out.append(Event("line", "\n".join(kept)))
    return out


def assemble(events: Iterable[Event], rules: LabelRules | None = None) -> tuple[list[RawForm], set[str]]:
    """Raw forms found in `events`, and the set of field labels recognised (even empty ones)."""
    rules = rules or load_rules()
    events = _run_on_fields(_dash_labels(_join_answer_marks(list(events)), rules), rules)
    lines = [x for e in events if e.kind == "line" for x in e.text.split("\n")]
    bare_style = _bare_style(rules, lines)
    suppressed: set[tuple[int, int]] = set()
    for _ in range(_PASSES):
        machine = _Assembler(rules)
        machine.bare_style = bare_style
        machine.suppressed = set(suppressed)
        for number, event in enumerate(events):
            machine.position = (number, 0)
            if event.kind == "pair":
                machine.feed_pair(event.text, event.value, event.key)
            else:
                for index, line in enumerate(event.text.split("\n")):
                    machine.position = (number, index)
                    machine.feed_line(line)
        machine.close()
        unproven = _unproven_jobs(rules, machine.forms)
        if not unproven:
            break
        suppressed |= unproven
    return machine.finish(), machine.labels_seen


_PASSES = 4
_CONTRACT_KEYS = frozenset({"conditions.contract_type", COMBINED_CONTRACT})
# ' – Adresse de l'établissement : …' inside a line: a dash, then a label and its colon
_DASHED_LABEL = re.compile(r"\s[–—-]\s+(?=([A-ZÀ-Ý][^:–—]{1,60}?)\s*[:：](?:\s|$))")
_EM_DASHED = re.compile(r"^(?P<label>[^—:]{2,80}?)\s+—(?:\s+(?P<value>.*))?$")


def _dash_labels(events: list[Event], rules: LabelRules) -> list[Event]:
    """'RAISON SOCIALE — Accueil & Services SARL': in a form written that way (three such lines
    at least), an em dash after a label is its colon. A lone 'SIRET — 14 chiffres' or a list of
    hints parted by '·' (the blank form's own) is left alone."""
    chosen: dict[int, str] = {}
    for index, event in enumerate(events):
        one_line = event.kind == "line" and "\n" not in event.text and "·" not in event.text
        found = _EM_DASHED.match(event.text.strip()) if one_line else None
        label = match_label(rules, found.group("label")) if found else None
        if found and label is not None and label.kind == "field":
            chosen[index] = f"{found.group('label')} : {found.group('value') or ''}".rstrip()
    if len(chosen) < 3:
        return events
    return [Event("line", chosen[i]) if i in chosen else e for i, e in enumerate(events)]


def _dashed_labels(rules: LabelRules, text: str) -> list[int]:
    """Where, in `text`, a dash parts an answer from the next field's label."""
    cuts: list[int] = []
    for found in _DASHED_LABEL.finditer(text):
        if ":" not in text[(cuts[-1] if cuts else 0) : found.start()]:
            continue  # 'Code postal – Ville : …': the dash is inside a label, no answer before it
        label = match_label(rules, found.group(1).strip())
        if label is not None and label.kind == "field":
            cuts.append(found.start())
    return cuts


def _run_on_fields(events: list[Event], rules: LabelRules) -> list[Event]:
    """A company block written as one paragraph ('Entreprise : Tri-Val – Votre numéro SIRET ? :
    859 997 840 38169 – Adresse de' / 'l'établissement : 15 rue …'): its wrapped lines joined,
    then one line per field, cut at each dash before a label."""
    out: list[Event] = []
    index = 0
    while index < len(events):
        event = events[index]
        one_line = event.kind == "line" and "\n" not in event.text and _DASHED_LABEL.search(event.text)
        if not (one_line and split_label(rules, event.text) and _dashed_labels(rules, event.text)):
            out.append(event)
            index += 1
            continue
        text = event.text.strip()
        index += 1
        while index < len(events):  # the paragraph's wrapped lines, up to the next label's line
            nxt = events[index]
            line = nxt.text.strip() if nxt.kind == "line" and "\n" not in nxt.text else ""
            own_label = split_label(rules, line) is not None and not line[:1].islower()  # not "l…ment :"
            if not line or own_label or is_heading(rules, line):
                break
            text = f"{text} {line}"
            index += 1
        cuts = [0, *_dashed_labels(rules, text), len(text)]
        for start, end in zip(cuts, cuts[1:], strict=False):
            piece = text[start:end].strip().lstrip("–—-").strip()
            if piece:
                out.append(Event("line", piece))
    return out


def _job_keys(form: RawForm) -> set[str]:
    return {k for k, v in form.values.items() if v and not k.startswith(_COMPANY)}


def _unproven_jobs(rules: LabelRules, forms: list[RawForm]) -> set[tuple[int, int]]:
    """Places where a repeated answer opened a next job without evidence: the form it opened
    answers none of the job's fields the form before it answered (only the ones still missing
    there), and its label is not the one that answered that field first ('Qualification' after
    'Intitulé du poste' is the training, 'Métier' twice is two jobs)."""
    found: set[tuple[int, int]] = set()
    for previous, form in zip(forms, forms[1:], strict=False):
        if form.opened_by is None:
            continue
        where, key, label = form.opened_by
        first = next((x for k, x, _ in previous.order if k == key), None)
        if first is not None and rules.key(_NUMBERING.sub("", first)) == rules.key(_NUMBERING.sub("", label)):
            continue
        if not (_job_keys(form) - {key}) & _job_keys(previous):
            found.add(where)
    return found
