"""A candidate is a person: the rule that says two referrals name the same one, and CV storage.

Same person = same email (case-insensitive), or same phone (E.164), or same first and last
name (accents, case and punctuation folded) with the same birth date when both are known. A name
alone is never enough: two people may share one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

import phonenumbers
from sqlmodel import Session, col, or_, select

from mailbot.domain.models import Candidate, Document, Referral

__all__ = [
    "Match",
    "fold_name",
    "link_candidate",
    "normalise_email",
    "normalise_phone",
    "same_person",
    "store_document",
]

_DOC_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
}


def normalise_email(value: str | None) -> str | None:
    """'  Léa.D@Exemple.FR ' → 'léa.d@exemple.fr'; None when it is no address."""
    text = (value or "").strip().strip("<>").strip().lower()
    return text if "@" in text and " " not in text else None


def normalise_phone(value: str | None) -> str | None:
    """'06 11 22 33 44', '+33 (0)6 11…', '0033611…' → '+33611223344'; digits only if unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    text = text.replace("(0)", "")
    try:
        number = phonenumbers.parse(text, "FR")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", text)
        return digits or None


def fold_name(value: str | None) -> str:
    """'Léa-Marie  DURAND' → 'lea marie durand' (accents, case, punctuation folded)."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _birth_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Match:
    """The candidate a referred person is, and whether they were known before."""

    candidate: Candidate
    known: bool
    earliest_referral_id: int | None  # the first referral of that person, when known


def same_person(session: Session, person: dict) -> Candidate | None:
    """The stored candidate `person` (parser dict: first_name, last_name, email, phone,
    birth_date) is, by the module's rule; the oldest one when several match."""
    email = normalise_email(person.get("email"))
    phone = normalise_phone(person.get("phone"))
    keys = []
    if email:
        keys.append(Candidate.email == email)
    if phone:
        keys.append(Candidate.phone == phone)
    if keys:
        found = session.exec(select(Candidate).where(or_(*keys))
                             .order_by(col(Candidate.id))).first()
        if found is not None:
            return found
    born = _birth_date(person.get("birth_date"))
    first, last = fold_name(person.get("first_name")), fold_name(person.get("last_name"))
    if born is None or not first or not last:
        return None
    for candidate in session.exec(select(Candidate).where(Candidate.birth_date == born)
                                  .order_by(col(Candidate.id))):
        if (fold_name(candidate.first_name), fold_name(candidate.last_name)) == (first, last):
            return candidate
    return None


def link_candidate(session: Session, person: dict, partner_id: int | None) -> Match:
    """The candidate for `person`: the same person already stored (its empty contact fields
    filled from `person`), or a new one. Flushes, so the candidate has its id."""
    email = normalise_email(person.get("email"))
    phone = normalise_phone(person.get("phone"))
    born = _birth_date(person.get("birth_date"))
    candidate = same_person(session, person)
    if candidate is None:
        candidate = Candidate(partner_id=partner_id, first_name=person.get("first_name"),
                              last_name=person.get("last_name"), email=email, phone=phone,
                              birth_date=born)
        session.add(candidate)
        session.flush()
        return Match(candidate, known=False, earliest_referral_id=None)
    for name, value in (("email", email), ("phone", phone), ("birth_date", born),
                        ("first_name", person.get("first_name")),
                        ("last_name", person.get("last_name"))):
        if value and not getattr(candidate, name):
            setattr(candidate, name, value)
    session.add(candidate)
    session.flush()
    earliest = session.exec(select(Referral.id).where(Referral.candidate_id == candidate.id)
                            .order_by(col(Referral.id))).first()
    return Match(candidate, known=True, earliest_referral_id=earliest)


def store_document(session: Session, filename: str, data: bytes,
                   content_type: str | None = None) -> Document:
    """The Document holding `data`: the stored one with the same SHA-256, or a new one."""
    digest = hashlib.sha256(data).hexdigest()
    found = session.exec(select(Document).where(Document.sha256 == digest)).first()
    if found is not None:
        return found
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    generic = not content_type or content_type == "application/octet-stream"
    document = Document(sha256=digest, filename=filename or "document",
                        content_type=_DOC_TYPES.get(suffix, content_type or "")
                        if generic else content_type,
                        size=len(data), data=data)
    if not document.content_type:
        document.content_type = "application/octet-stream"
    session.add(document)
    session.flush()
    return document
