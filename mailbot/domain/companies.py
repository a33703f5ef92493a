"""One rule for company details, whoever brings them (a liaison form, the facilitateur's list):
find the company by SIRET (else, when asked, by its folded name), fill only its empty fields, and
keep details that differ from those stored as a CompanyRevision for the référent — never applied
silently."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, select

from mailbot.domain.models import Company, CompanyRevision
from mailbot.parse.normalise import normalise_phone

__all__ = ["COMPANY_FIELDS", "CompanyMerge", "differs", "find_company", "fold_name", "merge_company"]

COMPANY_FIELDS = ("legal_name", "siret", "address", "contact_name", "phone", "email")


@dataclass
class CompanyMerge:
    """What merging details did: the company, whether it is new, the fields filled, and the
    revision kept for differing details (None when nothing differed)."""

    company: Company
    created: bool = False
    filled: dict[str, object] = field(default_factory=dict)
    revision: CompanyRevision | None = None
    new_revision: bool = False  # False when the same differences were already kept, unapplied


def fold_name(name: str | None) -> str:
    """'Durand-BTP  S.A.S.' → 'durand btp s a s': accents, case and punctuation aside."""
    text = unicodedata.normalize("NFKD", (name or "").replace("œ", "oe").replace("Œ", "OE"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def differs(key: str, stored: object, received: object) -> bool:
    """Two values of a company field that say different things (case, spacing, phone format
    aside)."""
    if key == "phone":
        return (normalise_phone(str(stored)) or str(stored)) != (normalise_phone(str(received))
                                                                 or str(received))
    return " ".join(str(stored).split()).casefold() != " ".join(str(received).split()).casefold()


def find_company(session: Session, *, siret: str | None = None, legal_name: str | None = None
                 ) -> Company | None:
    """The company with this SIRET; else (when a name is given) the one with the same folded
    name — among companies without a SIRET when a SIRET is given."""
    if siret:
        company = session.exec(select(Company).where(Company.siret == siret)).first()
        if company is not None:
            return company
    folded = fold_name(legal_name)
    if not folded:
        return None
    query = select(Company).where(Company.legal_name.is_not(None)).order_by(Company.id)
    if siret:
        query = query.where(Company.siret.is_(None))
    for company in session.exec(query):
        if fold_name(company.legal_name) == folded:
            return company
    return None


def merge_company(session: Session, data: dict, *, inbound_id: int | None = None,
                  match_name: bool = False) -> CompanyMerge:
    """Find (SIRET, else folded name when `match_name`) or create the company of `data` (keys of
    COMPANY_FIELDS); fill its empty fields; differing details become one CompanyRevision (the
    caller flags or reports it). Flushes; the caller commits."""
    values = {k: v for k, v in data.items() if k in COMPANY_FIELDS and v not in (None, "")}
    siret = values.get("siret")
    company = find_company(session, siret=siret,
                           legal_name=values.get("legal_name") if match_name else None)
    merge = CompanyMerge(company or Company(), created=company is None)
    changes: dict[str, list] = {}
    for key, value in values.items():
        stored = getattr(merge.company, key)
        if stored in (None, ""):
            setattr(merge.company, key, value)
            merge.filled[key] = value
        elif not merge.created and differs(key, stored, value):
            changes[key] = [stored, value]
    session.add(merge.company)
    session.flush()
    if changes:
        merge.revision = _same_revision(session, merge.company.id, changes)
        if merge.revision is None:
            merge.revision = CompanyRevision(company_id=merge.company.id, inbound_id=inbound_id,
                                             changes=changes)
            merge.new_revision = True
            session.add(merge.revision)
            session.flush()
    return merge


def _same_revision(session: Session, company_id: int | None, changes: dict) -> CompanyRevision | None:
    """An unapplied revision of this company holding exactly these differences."""
    query = select(CompanyRevision).where(CompanyRevision.company_id == company_id,
                                          CompanyRevision.applied.is_(False))
    for revision in session.exec(query):
        if revision.changes == changes:
            return revision
    return None
