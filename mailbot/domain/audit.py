"""AuditEvent rows: written beside the change they record, in the same unit of work."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from mailbot.domain.models import AuditEvent, Offer, Referral

__all__ = ["record"]


def record(session: Session, actor: Any, action: str, *, referral: Referral | None = None,
           offer: Offer | None = None, company_id: int | None = None,
           from_state: str | None = None, to_state: str | None = None,
           reason: str | None = None, comment: str | None = None,
           details: dict | None = None) -> AuditEvent:
    """Add one event for `actor` (a mailbot.domain.services.Actor); the caller commits."""
    event = AuditEvent(
        actor=str(actor.kind),
        actor_address=actor.address,
        channel=str(actor.channel),
        action=action,
        offer_id=offer.id if offer is not None else (referral.offer_id if referral else None),
        referral_id=referral.id if referral is not None else None,
        candidate_id=referral.candidate_id if referral is not None else None,
        company_id=company_id if company_id is not None else (offer.company_id if offer else None),
        inbound_id=actor.inbound_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        comment=comment,
        details=details or {},
    )
    session.add(event)
    return event
