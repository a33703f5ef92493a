"""Read-only views for the CLI (and, later, the référent's web page)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot.domain.models import Company, InboundMessage, Offer, OutboxMessage, Referral

__all__ = ["list_messages", "list_offers", "list_outbox"]


def list_offers(engine: Engine) -> list[dict]:
    """Every offer, oldest first, with its company's name and how many candidates were referred."""
    counts = (
        select(Referral.offer_id, func.count(Referral.id).label("n"))
        .group_by(Referral.offer_id)
        .subquery()
    )
    query = (
        select(Offer, Company.legal_name, counts.c.n)
        .outerjoin(Company, Company.id == Offer.company_id)
        .outerjoin(counts, counts.c.offer_id == Offer.id)
        .order_by(Offer.id)
    )
    with Session(engine) as session:
        return [
            {
                "ref": offer.ref,
                "company": company,
                "title": offer.title,
                "positions": offer.positions,
                "status": offer.status,
                "referrals": int(n or 0),
                "contract_type": offer.contract_type,
                "recruitment_date": offer.recruitment_date.isoformat()
                if offer.recruitment_date else None,
                "missing": list(offer.missing),
                "created_at": offer.created_at.isoformat(timespec="seconds"),
            }
            for offer, company, n in session.exec(query)
        ]


def list_messages(engine: Engine, *, flagged_only: bool = False, status: str | None = None,
                  limit: int = 100) -> list[dict]:
    """Journal rows, newest first, without their raw bytes."""
    query = select(InboundMessage).order_by(InboundMessage.id.desc()).limit(limit)
    if flagged_only:
        query = query.where(InboundMessage.flagged)
    if status:
        query = query.where(InboundMessage.status == status)
    with Session(engine) as session:
        return [
            {
                "id": m.id,
                "received_at": m.received_at.isoformat(timespec="seconds"),
                "from": m.from_address,
                "subject": m.subject,
                "kind": m.kind,
                "status": m.status,
                "flagged": m.flagged,
                "reason": m.reason,
                "moved_to": m.moved_to,
            }
            for m in session.exec(query)
        ]


def list_outbox(engine: Engine, *, status: str | None = None, limit: int = 100) -> list[dict]:
    """Outgoing emails, newest first, without their bodies."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    with Session(engine) as session:
        return [
            {
                "id": m.id,
                "role": m.role,
                "to": list(m.recipients),
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "message_id": m.message_id,
                "created_at": m.created_at.isoformat(timespec="seconds"),
                "sent_at": m.sent_at.isoformat(timespec="seconds") if m.sent_at else None,
            }
            for m in session.exec(query)
        ]
