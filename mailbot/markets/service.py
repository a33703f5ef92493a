"""Imports of the facilitateur's list, one unit of work each: read → MarketImport row → applied
now (CLI, authenticated email) or kept pending until `mailbot markets confirm ID`."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from mailbot.domain.audit import record
from mailbot.domain.models import Company, Lot, Market, MarketImport, MarketImportStatus, Worksite, utcnow
from mailbot.markets.importer import apply_rows, read_import

__all__ = [
    "MarketImportError",
    "confirm_import",
    "import_list",
    "list_markets",
    "pending_imports",
    "refuse_import",
]


class MarketImportError(ValueError):
    """An import that cannot be applied (unknown id, not pending); message in English."""


def import_list(session: Session, data: bytes, filename: str, actor: Any, *,
                content_type: str = "", apply: bool = True, sender: str | None = None,
                inbound_id: int | None = None, reason: str | None = None) -> MarketImport:
    """Read the list (TableError when unreadable) and store it as an import; apply it when
    `apply`, else keep it pending with `reason`. The caller commits."""
    read = read_import(data, filename, content_type)
    entry = MarketImport(sender=sender, inbound_id=inbound_id, filename=filename[:200],
                         rows=read.rows, unmatched=list(read.columns.unmatched),
                         summary={"columns": read.columns.headers,
                                  "repeated": list(read.columns.repeated)})
    session.add(entry)
    session.flush()
    if apply:
        _apply(session, entry, actor)
    else:
        entry.reason = reason
        record(session, actor, "market_import", reason=reason,
               details={"import": entry.id, "change": "pending", "rows": len(read.rows)})
    return entry


def _apply(session: Session, entry: MarketImport, actor: Any) -> None:
    summary = apply_rows(session, list(entry.rows), actor, import_id=entry.id,
                         inbound_id=entry.inbound_id)
    entry.summary = {**entry.summary, **summary}
    entry.status = MarketImportStatus.APPLIED.value
    entry.applied_at = utcnow()
    session.add(entry)
    record(session, actor, "market_import", details={"import": entry.id, "change": "applied",
                                                     "rows": summary["rows"]})


def confirm_import(session: Session, import_id: int, actor: Any) -> MarketImport:
    """Apply a pending import (the référent checked it). The caller commits."""
    entry = session.get(MarketImport, import_id, with_for_update=True)
    if entry is None:
        raise MarketImportError(f"no market import {import_id}")
    if entry.status != MarketImportStatus.PENDING.value:
        raise MarketImportError(f"market import {import_id} is {entry.status}, not pending")
    _apply(session, entry, actor)
    return entry


def refuse_import(session: Session, filename: str, why: str, actor: Any, *,
                  sender: str | None = None, inbound_id: int | None = None) -> MarketImport:
    """Keep a list that could not be read, with why (shown to the facilitateur)."""
    entry = MarketImport(sender=sender, inbound_id=inbound_id, filename=filename[:200],
                         status=MarketImportStatus.REFUSED.value, reason=why[:500])
    session.add(entry)
    session.flush()
    record(session, actor, "market_import", reason=why[:500],
           details={"import": entry.id, "change": "refused"})
    return entry


def list_markets(session: Session) -> list[dict]:
    """Markets with their lots (company, hours, dates) and each lot's worksites."""
    markets = session.exec(select(Market).order_by(Market.id)).all()
    lots = session.exec(select(Lot).order_by(Lot.market_id, Lot.number, Lot.id)).all()
    companies = {c.id: c for c in session.exec(select(Company).where(
        Company.id.in_({lot.company_id for lot in lots if lot.company_id})))}
    sites: dict[int, list[dict]] = {}
    for site in session.exec(select(Worksite).order_by(Worksite.id)):
        sites.setdefault(site.lot_id, []).append(
            {"id": site.id, "name": site.name, "address": site.address, "commune": site.commune,
             "postcode": site.postcode})
    by_market: dict[int, list[dict]] = {}
    for lot in lots:
        company = companies.get(lot.company_id)
        by_market.setdefault(lot.market_id, []).append({
            "id": lot.id, "number": lot.number, "label": lot.label,
            "company": None if company is None else {
                "id": company.id, "legal_name": company.legal_name, "siret": company.siret,
                "contact_name": company.contact_name, "email": company.email,
                "phone": company.phone},
            "insertion_hours": lot.insertion_hours,
            "start_date": lot.start_date.isoformat() if lot.start_date else None,
            "end_date": lot.end_date.isoformat() if lot.end_date else None,
            "worksites": sites.get(lot.id, []),
        })
    return [{"id": m.id, "reference": m.reference, "name": m.name, "buyer": m.buyer,
             "period_start": m.period_start.isoformat() if m.period_start else None,
             "period_end": m.period_end.isoformat() if m.period_end else None,
             "lots": by_market.get(m.id, [])} for m in markets]


def pending_imports(session: Session) -> list[MarketImport]:
    """Imports waiting for `mailbot markets confirm ID`, oldest first."""
    return list(session.exec(select(MarketImport).where(
        MarketImport.status == MarketImportStatus.PENDING.value).order_by(MarketImport.id)))
