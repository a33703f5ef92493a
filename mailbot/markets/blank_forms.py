"""The blank liaison form to each company the facilitateur announces as a lot's winner: one email
(role `company/blank_form`, the PDF and the DOCX attached, made for the company and its lot),
recorded as a FormRequest — one per company and lot, so a list imported again sends nothing.

A company without an email is named back in the import's confirmation ("no email: form not
sent"); it gets its form when a later list gives its address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from mailbot.domain.lots import lot_label
from mailbot.domain.models import Company, FormRequest, Lot, Market, MarketImport, utcnow
from mailbot.outbox.compose import OutAttachment

__all__ = ["BLANK_FORM_ROLE", "DOCX_TYPE", "blank_form_attachments", "form_context",
           "send_blank_forms"]

BLANK_FORM_ROLE = "company/blank_form"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def blank_form_attachments(company_name: str | None, market: str | None) -> list[OutAttachment]:
    """The blank form made for this company and lot, as a PDF and a DOCX attachment."""
    from mailbot.blank_form import _stem, blank_docx, blank_pdf  # reportlab: loaded when needed

    stem = _stem(company_name)
    return [OutAttachment(f"{stem}.pdf", "application/pdf", blank_pdf(company_name, market)),
            OutAttachment(f"{stem}.docx", DOCX_TYPE, blank_docx(company_name, market))]


def form_context(company: Company, market: Market | None, lot: Lot) -> dict:
    """What the company/blank_form and company/reminder templates get (see their headers)."""
    return {
        "company": {"legal_name": company.legal_name, "contact_name": company.contact_name},
        "market": {"name": market.name if market else None,
                   "reference": market.reference if market else None,
                   "buyer": market.buyer if market else None},
        "lot": {"number": lot.number, "label": lot.label,
                "insertion_hours": lot.insertion_hours,
                "start_date": lot.start_date.isoformat() if lot.start_date else None},
        "market_line": lot_label(market, lot),
    }


def _import_lots(session: Session, entry: MarketImport) -> list[Lot]:
    """The lots the import's rows name that have a winning company."""
    lot_ids = set((entry.summary or {}).get("lots") or [])
    if not lot_ids:
        return []
    return list(session.exec(select(Lot).where(Lot.id.in_(lot_ids), Lot.company_id.is_not(None))
                             .order_by(Lot.id)))


def send_blank_forms(session: Session, composer: Any, entry: MarketImport, *,
                     now: datetime | None = None) -> dict:
    """Queue the blank form to every winner of the import's lots that has none yet for that lot;
    record {"sent": [...], "no_email": [...]} (labels) in the import's summary and return it.
    The caller commits."""
    lots = _import_lots(session, entry)
    result: dict[str, list[str]] = {"sent": [], "no_email": []}
    if not lots:
        return _store(session, entry, result)
    companies = {c.id: c for c in session.exec(
        select(Company).where(Company.id.in_({lot.company_id for lot in lots})))}
    markets = {m.id: m for m in session.exec(
        select(Market).where(Market.id.in_({lot.market_id for lot in lots})))}
    asked = {(r.company_id, r.lot_id) for r in session.exec(
        select(FormRequest).where(FormRequest.lot_id.in_({lot.id for lot in lots})))}
    for lot in lots:
        company, market = companies[lot.company_id], markets.get(lot.market_id)
        if (company.id, lot.id) in asked:
            continue
        label = f"{company.legal_name or company.siret} ({lot_label(market, lot)})"
        if not company.email:
            result["no_email"].append(label)
            continue
        context = form_context(company, market, lot)
        composer.queue(session, BLANK_FORM_ROLE, context, to=[company.email],
                       attachments=blank_form_attachments(company.legal_name, context["market_line"]))
        session.add(FormRequest(company_id=company.id, lot_id=lot.id, address=company.email,
                                sent_at=now or utcnow()))
        result["sent"].append(label)
    session.flush()
    return _store(session, entry, result)


def _store(session: Session, entry: MarketImport, result: dict) -> dict:
    entry.summary = {**(entry.summary or {}), "forms": result}
    session.add(entry)
    return result
