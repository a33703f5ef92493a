"""CVs: is this document a CV, and whose (first name, last name, e-mail, phone)?"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from mailbot.parse.contacts import find_emails, find_phones, fold, split_name, title_surname
from mailbot.parse.document import Document

__all__ = ["cv_lines", "looks_like_cv", "name_from_filename", "not_a_cv_filename", "parse_cv"]

_HEADINGS = {
    "experience": r"exp[ée]riences?( professionnelles?)?|parcours( professionnel)?"
    r"|(work|professional|employment) (experience|history)|experience",
    "training": r"formations?( suivies)?|dipl[ôo]mes?|[ée]tudes|scolarit[ée]|education|qualifications",
    "skills": r"comp[ée]tences?( cl[ée]s| techniques)?|savoir[- ]faire|atouts|qualit[ée]s"
    r"|(key )?skills",
    "languages": r"langues?|languages?",
    "interests": r"centres? d'int[ée]r[êe]ts?|loisirs|int[ée]r[êe]ts?|activit[ée]s extra.*"
    r"|hobbies|interests",
    "contact": r"coordonn[ée]es|contact|informations personnelles|personal details",
    "profile": r"profil|objectif( professionnel)?|[àa] propos( de moi)?|profile|summary|objective",
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
    r"permis|loisir|int[ée]r[êe]t|contact|dipl[ôo]me|r[ée]f[ée]rence|"
    # diplomas and certificates that look like capitalised words ("CAP Plâtrier-plaquiste")
    r"\b(cap|capa|bep|bts|dut|but|bac|bp|cqp|caces|ssiap|deas|titre|licence|master)\b",
    re.I,
)
# "Nom : Dupont", "Prénom : Marie", "Nom et prénom : BENSAÏD Karim", "Nom Prénom : …"
_NAME_LABEL = re.compile(
    r"^\s*(?P<label>nom\s*(?:et|&|/|-)?\s*pr[ée]noms?|pr[ée]noms?\s*(?:et|&|/|-)?\s*nom"
    r"|nom(?: de famille)?|pr[ée]noms?|name|first name|last name|surname)\s*:\s*(?P<value>.+?)\s*$",
    re.I,
)
# pieces of one line: "Yanis CHERIF – 06 33 44 55 66 – yanis@x.fr", "Nom | Tél"
_LINE_PIECES = re.compile(r"\s+[–—|•·/]\s+|\s+-\s+|\s*[:,]\s+|\t+|\s{3,}")
# file names that are not CVs even when they read like one
_NOT_CV_NAME = re.compile(
    r"positionnement|prescription|fiche|lettre|motivation|attestation|bilan|agr[ée]ment|"
    r"[ée]ligibilit|diagnostic|synth[èe]se|convention",
    re.I,
)
_CV_FILE = re.compile(r"(^|[^a-z])(cv|curriculum|vitae|resume)([^a-z]|$)", re.I)


def looks_like_cv(source: str | Document) -> bool:
    """True when a document (or its text) reads like a CV: a person's name near the top, contact
    data and CV section headings. A Document is read with its DOCX headers and tables in place."""
    text = "\n".join(cv_lines(source)) if isinstance(source, Document) else source or ""
    if len({m.group(0).lower() for m in _FORM_WORDS.finditer(text)}) >= 2:
        return False  # a job offer / liaison form mentions experience and training too
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found = {key for line in lines for key, rx in _HEADING_RES.items() if rx.match(line)}
    has_contact = bool(find_emails(text) or find_phones(text))
    cv_word = bool(_CV_WORDS.search(text[:300]))
    # a CV is about one person: their name is near the top (a brochure has headings and contacts too)
    person = cv_word or _label_name(lines[:40]) is not None or _has_title_name(lines, source)
    if not person:
        return False
    if has_contact and len(found) >= 2:
        return True
    return len(found) >= 3 or (has_contact and bool(found) and cv_word)


def not_a_cv_filename(filename: str) -> bool:
    """The file name says it is another candidate document (positioning sheet, cover letter…)."""
    return bool(_NOT_CV_NAME.search(filename or "")) and not _CV_FILE.search(filename or "")


def name_from_filename(filename: str) -> tuple[str, str] | None:
    """(first, last) written in a file name such as 'CV_Rachid_HAMMOUDI.pdf' or
    'CV - Marie Dupont.docx' (words capitalised as names are); None when there is none."""
    stem = re.sub(r"\.[a-z0-9]{2,4}$", "", filename or "", flags=re.I)
    words = [w for w in re.split(r"[\s_.,;()\[\]]+|(?<=\w)-(?=[A-Z])|\s-\s", stem) if w]
    words = [w.strip("-–") for w in words if not _CV_FILE.fullmatch(w) and not re.search(r"\d", w)]
    words = [w for w in words if w]
    words = [w for w in words if not re.fullmatch(r"(?i)(de|du|candidature|mme|m|mr|madame|monsieur)", w)]
    if not 2 <= len(words) <= 4:
        return None
    return split_name(" ".join(words))


_NAME_ZONE = 15


def _has_title_name(lines: list[str], source: str | Document) -> bool:
    """A person's name heads the document: among its first lines, and in a PDF printed larger
    than the body text (a brochure's contact person is a name too, but in body size)."""
    names = _name_lines(lines[:_NAME_ZONE])
    if not names:
        return False
    sizes, body = _pdf_sizes(source) if isinstance(source, Document) else ({}, 0.0)
    if not sizes:
        return True
    return any(
        min((sizes.get(tok, 0.0) for tok in text.split()), default=0.0) > body * 1.15 or index < 3
        for index, text, _ in names
    )


def _name_lines(lines: list[str]) -> list[tuple[int, str, tuple[str, str]]]:
    """(index, text, (first, last)) of the lines that start with a name; a first name and a
    surname stacked on two lines ("Moussa" / "KONATÉ") count as one."""
    out = []
    for index, line in enumerate(lines):
        parts = _line_name(line)
        if parts:
            out.append((index, _LINE_PIECES.split(line.strip(), maxsplit=1)[0], parts))
        elif index + 1 < len(lines) and " " not in line.strip() and " " not in lines[index + 1].strip():
            pair = f"{line.strip()} {lines[index + 1].strip()}"
            parts = _line_name(pair)
            if parts:
                out.append((index, pair, parts))
    return out


def _line_name(line: str) -> tuple[str, str] | None:
    """The name a line starts with, when that piece of the line is a person's name."""
    if _NOT_NAME.search(line):
        return None
    piece = _LINE_PIECES.split(line.strip(), maxsplit=1)[0]
    return split_name(piece)


def _label_name(lines: list[str]) -> tuple[str, str] | None:
    """A name written with labels ("Nom : Dupont" + "Prénom : Marie", "Nom et prénom : …")."""
    first = last = None
    for line in lines:
        match = _NAME_LABEL.match(line)
        if not match:
            continue
        label = fold(match.group("label"))
        value = _LINE_PIECES.split(match.group("value"), maxsplit=1)[0].strip(" .,;")
        if not value or re.search(r"\d|@", value):
            continue
        if label in ("nom", "nomdefamille", "lastname", "surname"):
            last = last or title_surname(value)
        elif label in ("prenom", "prenoms", "firstname"):
            first = first or value
        else:  # both in one field, in either order
            both = split_name(value)
            if both:
                return both
    if first and last:
        return first, last
    return None


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


def _pdf_sizes(doc: Document) -> tuple[dict[str, float], float]:
    """Largest font size of each word on page 1 of a PDF, and the body text size (the most
    common one); ({}, 0.0) if unavailable."""
    if doc.kind != "pdf":
        return {}, 0.0
    try:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(doc.data)) as pdf:
            if not pdf.pages:
                return {}, 0.0
            words = pdf.pages[0].extract_words(extra_attrs=["size"])
    except Exception:
        return {}, 0.0
    sizes: dict[str, float] = {}
    counts: dict[float, int] = {}
    for word in words:
        key, size = word["text"], round(float(word.get("size") or 0.0), 1)
        sizes[key] = max(sizes.get(key, 0.0), size)
        counts[size] = counts.get(size, 0) + 1
    body = max(counts, key=lambda size: counts[size]) if counts else 0.0
    return sizes, body


def _best_name(lines: list[str], doc: Document, email: str) -> tuple[str | None, str | None]:
    labelled = _label_name(lines[:60])
    if labelled:
        return labelled
    candidates = _name_lines(lines[:60])
    if not candidates:
        return name_from_filename(doc.filename) or (None, None)
    sizes = _pdf_sizes(doc)[0] if len(candidates) > 1 else {}
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
