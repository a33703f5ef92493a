"""An offer's values, the fields it needs before it is broadcast, and its history (revisions).

Values are keyed by the offer's own field names (`title`, `positions`, `recruitment_date`…) and,
for the company's details, by `company.<field>`. A revision fills or corrects values: it never
erases one (the référent clears a field with `mailbot offers edit REF FIELD ''`). Version 1 is
written when the offer is created; every later change bumps `Offer.version` and is audited
(`offer_revise`). Nothing here changes an offer's status nor sends anything: see
mailbot.domain.lifecycle.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlmodel import Session, col, select

from mailbot.domain.audit import record
from mailbot.domain.companies import COMPANY_FIELDS, fold_name
from mailbot.domain.models import Company, Offer, OfferRevision
from mailbot.domain.states import OfferState

__all__ = [
    "OFFER_KEYS",
    "SOURCES",
    "first_revision",
    "form_values",
    "matching_offer",
    "missing_required",
    "offer_values",
    "previous_offer",
    "revise_offer",
]

# The offer's own fields a form fills, in the order the parse contract gives them.
OFFER_KEYS: tuple[str, ...] = (
    "title", "positions", "recruitment_date", "main_activities", "required_skills", "experience",
    "training", "special_requirements", "contract_type", "contract_duration", "weekly_hours",
    "gross_salary", "workplace", "market",
)
SOURCES = ("form", "reply", "reparse", "edit")
_SECTION = {  # parse contract section of each offer field
    **{k: "job" for k in OFFER_KEYS[:8]},
    **{k: "conditions" for k in OFFER_KEYS[8:13]},
}
_FINAL = (OfferState.FILLED.value, OfferState.CLOSED.value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _typed(key: str, value: Any) -> Any:
    """A value as the offer column `key` holds it (None when it cannot be)."""
    if key == "recruitment_date":
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            return None
    if key == "positions":
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    if key == "weekly_hours":
        try:
            return float(str(value).replace(",", "."))
        except ValueError:
            return None
    return value


def form_values(form: dict) -> dict[str, Any]:
    """The values a parsed FORM dict gives (answers written as lists keep one item a line)."""
    lines = {key.removeprefix("job."): "\n".join(items)
             for key, items in (form.get("lines") or {}).items()
             if key.startswith("job.") and items}
    values: dict[str, Any] = {}
    for key in OFFER_KEYS:
        if key == "market":
            value = form.get("market")
        else:
            section = form.get(_SECTION[key]) or {}
            value = lines.get(key) if _SECTION[key] == "job" and key in lines else section.get(key)
        if not _empty(value):
            typed = _typed(key, value)
            if typed is not None:
                values[key] = typed
    for key, value in (form.get("company") or {}).items():
        if key in COMPANY_FIELDS and not _empty(value):
            values[f"company.{key}"] = value
    return values


def offer_values(offer: Offer, company: Company | None = None) -> dict[str, Any]:
    """The offer's filled values (and its company's), as JSON."""
    values = {k: _jsonable(getattr(offer, k)) for k in OFFER_KEYS if not _empty(getattr(offer, k))}
    if company is not None:
        values.update({f"company.{k}": getattr(company, k) for k in COMPANY_FIELDS
                       if not _empty(getattr(company, k))})
    return values


def _value(offer: Offer, company: Company | None, dotted: str) -> Any:
    """The value of a parse-contract field ('job.title', 'company.email', 'market')."""
    section, _, name = dotted.partition(".")
    if section == "company":
        return getattr(company, name, None) if company is not None else None
    return getattr(offer, name or section, None)


def missing_required(offer: Offer, company: Company | None, required: list[str]) -> list[str]:
    """The entries of `required` (`[workflow] required_fields`) the offer leaves empty; an entry
    "a|b" is satisfied by either field."""
    return [entry for entry in required
            if all(_empty(_value(offer, company, name)) for name in entry.split("|"))]


def first_revision(session: Session, offer: Offer, *, source: str = "form",
                   inbound_id: int | None = None) -> OfferRevision:
    """Version 1: the offer as it was created."""
    company = session.get(Company, offer.company_id) if offer.company_id else None
    revision = OfferRevision(offer_id=offer.id, version=offer.version or 1, source=source,
                             inbound_id=inbound_id, values=offer_values(offer, company), changes={})
    session.add(revision)
    session.flush()
    return revision


def revise_offer(session: Session, offer: Offer, new_values: dict, source: str,
                 inbound_id: int | None, actor: Any) -> OfferRevision | None:
    """Apply `new_values` (see `form_values`) to `offer`: an offer field takes a new value, a
    company field only fills an empty one (differing company details are the company rule's,
    see mailbot.domain.companies). Writes the next OfferRevision and audits `offer_revise`;
    returns None (nothing written) when nothing changed. Never changes the status."""
    if source not in SOURCES:
        raise ValueError(f"unknown revision source {source!r} (one of: {', '.join(SOURCES)})")
    company = session.get(Company, offer.company_id) if offer.company_id else None
    changes: dict[str, list] = {}
    for key, value in new_values.items():
        if _empty(value):
            continue
        if key.startswith("company."):
            name = key.removeprefix("company.")
            if company is not None and name in COMPANY_FIELDS and _empty(getattr(company, name)):
                setattr(company, name, value)
                changes[key] = [None, value]
            continue
        if key not in OFFER_KEYS:
            continue
        typed = _typed(key, value)
        old = getattr(offer, key)
        if typed is None or typed == old:
            continue
        if isinstance(typed, str) and isinstance(old, str) and " ".join(typed.split()) == " ".join(
                old.split()):
            continue
        setattr(offer, key, typed)
        changes[key] = [_jsonable(old), _jsonable(typed)]
    if not changes:
        return None
    filled = {f"{_SECTION.get(k, '')}.{k}".lstrip(".") for k in changes} | set(changes)
    offer.missing = [m for m in offer.missing if m not in filled]
    offer.version = (offer.version or 1) + 1
    if company is not None:
        session.add(company)
    session.add(offer)
    session.flush()
    revision = OfferRevision(offer_id=offer.id, version=offer.version, source=source,
                             inbound_id=inbound_id, values=offer_values(offer, company),
                             changes=changes)
    session.add(revision)
    session.flush()
    record(session, actor, "offer_revise", offer=offer,
           details={"version": offer.version, "source": source, "changes": changes})
    return revision


def matching_offer(session: Session, company: Company, title: str | None) -> Offer | None:
    """The latest offer of `company` for the same job (folded title) that is not filled or
    closed: a corrected form revises it instead of making a new offer."""
    folded = fold_name(title)
    if not folded or company.id is None:
        return None
    query = (select(Offer.id, Offer.title).where(Offer.company_id == company.id,
                                                 col(Offer.status).not_in(_FINAL))
             .order_by(col(Offer.id).desc()))  # two columns: a company may have many offers
    for offer_id, offer_title in session.exec(query):
        if _folded_title(offer_title) == folded:
            return session.get(Offer, offer_id)
    return None


@lru_cache(maxsize=4096)
def _folded_title(title: str | None) -> str:
    """`fold_name(title)`, remembered: the same open titles are compared for every form."""
    return fold_name(title)


def previous_offer(session: Session, company_data: dict, title: str | None) -> Offer | None:
    """The offer a corrected form revises: same company (SIRET, else folded legal name), same
    job (folded title), not filled or closed."""
    from mailbot.domain.companies import find_company

    company = find_company(session, siret=company_data.get("siret"),
                           legal_name=company_data.get("legal_name"))
    return matching_offer(session, company, title) if company is not None else None
