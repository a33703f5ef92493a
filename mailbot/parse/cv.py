"""CVs: is this document a CV, and whose (first name, last name, e-mail, phone)?"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from mailbot.parse.contacts import find_emails, find_phones, fold, split_name
from mailbot.parse.document import Document

__all__ = ["cv_lines", "looks_like_cv", "parse_cv"]

_HEADINGS = {
    "experience": r"exp[ée]riences?( professionnelles?)?|parcours( professionnel)?",
    "training": r"formations?( suivies)?|dipl[ôo]mes?|[ée]tudes|scolarit[ée]",
    "skills": r"comp[ée]tences?( cl[ée]s| techniques)?|savoir[- ]faire|atouts|qualit[ée]s",
    "languages": r"langues?",
    "interests": r"centres? d'int[ée]r[êe]ts?|loisirs|int[ée]r[êe]ts?|activit[ée]s extra.*",
    "contact": r"coordonn[ée]es|contact|informations personnelles",
    "profile": r"profil|objectif( professionnel)?|[àa] propos( de moi)?",
}
_HEADING_RES = {key: re.compile(rf"^\s*({rx})\s*:?\s*$", re.I) for key, rx in _HEADINGS.items()}
_FORM_WORDS = re.compile(
    r"\bsiret\b|formulaire de liaison|fiche de liaison|raison sociale|type de contrat|"
    r"nb de postes|nombre de postes|intitul[ée] du poste|date (de|du) recrutement",
    re.I,
)
_CV_WORDS = re.compile(r"\b(curriculum vitae|cv)\b", re.I)
_NOT_NAME = re.compile(
    r"curriculum|vitae|coordonn|exp[ée]rience|formation|comp[ée]tence|langue|profil|atout|"
    r"permis|loisir|int[ée]r[êe]t|contact|dipl[ôo]me|r[ée]f[ée]rence",
    re.I,
)


def looks_like_cv(text: str) -> bool:
    """True when `text` reads like a CV: contact data plus CV section headings."""
    text = text or ""
    if len({m.group(0).lower() for m in _FORM_WORDS.finditer(text)}) >= 2:
        return False  # a job offer / liaison form mentions experience and training too
    lines = text.splitlines()
    found = {key for line in lines for key, rx in _HEADING_RES.items() if rx.match(line)}
    has_contact = bool(find_emails(text) or find_phones(text))
    if has_contact and len(found) >= 2:
        return True
    return len(found) >= 3 or (has_contact and bool(found) and bool(_CV_WORDS.search(text[:300])))


def parse_cv(
    doc: Document,
    exclude_emails: Iterable[str] = (),
    exclude_phones: Iterable[str] = (),
) -> dict:
    """The candidate of a CV: {"first_name", "last_name", "email", "phone"} (None when absent)."""
    lines = cv_lines(doc)
    text = "\n".join(lines)
    emails = find_emails(text, exclude_emails)
    phones = find_phones(text, exclude_phones)
    first, last = _best_name(lines, doc, emails[0] if emails else "")
    return {
        "first_name": first,
        "last_name": last,
        "email": emails[0] if emails else None,
        "phone": phones[0] if phones else None,
    }


def cv_lines(doc: Document) -> list[str]:
    """Non-empty lines of the document; a DOCX includes text boxes and headers."""
    if doc.kind == "docx":
        try:
            return _docx_lines(doc.data)
        except Exception:
            pass
    try:
        text = doc.text
    except Exception:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def _docx_lines(data: bytes) -> list[str]:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(io.BytesIO(data))
    fallback = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
    roots = []
    for section in document.sections:
        roots.append(section.header._element)
    roots.append(document.element.body)
    lines: list[str] = []
    for root in roots:
        for para in root.iter(qn("w:p")):
            if any(anc.tag == fallback for anc in para.iterancestors()):
                continue
            for text in _para_text(para, qn).splitlines():
                text = text.strip()
                if text and (not lines or lines[-1] != text):
                    lines.append(text)
    return lines


def _para_text(para, qn) -> str:
    """A paragraph's text with its line breaks and tabs (w:br, w:cr, w:tab)."""
    t, br, cr, tab = qn("w:t"), qn("w:br"), qn("w:cr"), qn("w:tab")
    parts = []
    for node in para.iter(t, br, cr, tab):
        if node.tag == t:
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == tab else "\n")
    return "".join(parts)


def _pdf_sizes(doc: Document) -> dict[str, float]:
    """Largest font size of each word on page 1 of a PDF (empty if unavailable)."""
    if doc.kind != "pdf":
        return {}
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(doc.data)) as pdf:
            if not pdf.pages:
                return {}
            words = pdf.pages[0].extract_words(extra_attrs=["size"])
    except Exception:
        return {}
    sizes: dict[str, float] = {}
    for word in words:
        key = word["text"]
        sizes[key] = max(sizes.get(key, 0.0), float(word.get("size") or 0.0))
    return sizes


def _best_name(lines: list[str], doc: Document, email: str) -> tuple[str | None, str | None]:
    candidates = []
    for index, line in enumerate(lines[:60]):
        if _NOT_NAME.search(line):
            continue
        parts = split_name(line)
        if parts:
            candidates.append((index, line, parts))
    if not candidates:
        return None, None
    sizes = _pdf_sizes(doc) if len(candidates) > 1 else {}
    line_size = {
        line: min((sizes.get(tok, 0.0) for tok in line.split()), default=0.0)
        for _, line, _ in candidates
    }
    biggest = max(line_size.values(), default=0.0)
    hints = fold(email.split("@", 1)[0]) + " " + fold(doc.filename)

    def score(item: tuple[int, str, tuple[str, str]]) -> float:
        index, line, (first, last) = item
        value = -0.05 * index
        if index == 0:
            value += 1.5
        if biggest and line_size[line] >= biggest:
            value += 2.0
        if fold(last) and fold(last) in hints:
            value += 2.0
        if fold(first) and fold(first) in hints:
            value += 1.0
        if any(tok.isupper() and len(tok) > 1 for tok in line.split()):
            value += 0.5
        return value

    _, _, (first, last) = max(candidates, key=score)
    return first, last
