"""Flood limits for correspondents who are neither the référent, the facilitateur nor a partner.

Over a rolling 24 h, `[limits] offers_per_sender_per_day` offers and `answers_per_sender_per_day`
answers per address. Past a limit the message is still stored and handled, but its offers are
`held` (not broadcast) and its emails wait in the outbox as `held` until `mailbot offers release`.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from mailbot.domain.models import InboundMessage, Offer, OutboxMessage, OutboxStatus, utcnow

__all__ = ["ANSWER_ROLES", "WINDOW", "answers_in_window", "offers_in_window"]

WINDOW = timedelta(hours=24)
ANSWER_ROLES = ("company/ack", "company/unreadable", "company/incomplete", "company/updated",
                "partner/referral_ack", "sender/received")


def offers_in_window(session: Session, sender: str, exclude_inbound: int | None = None) -> int:
    """Offers created in the last 24 h from messages whose checked sender is `sender`."""
    query = (
        select(func.count(Offer.id))
        .join(InboundMessage, InboundMessage.id == Offer.inbound_id)
        .where(InboundMessage.sender == sender, Offer.created_at >= utcnow() - WINDOW)
    )
    if exclude_inbound is not None:
        query = query.where(Offer.inbound_id != exclude_inbound)
    return int(session.exec(query).one() or 0)


def answers_in_window(session: Session, address: str) -> int:
    """Answers (acknowledgements) queued to `address` in the last 24 h, held ones not counted."""
    query = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.to_key == address.lower(),
        OutboxMessage.role.in_(ANSWER_ROLES),
        OutboxMessage.status != OutboxStatus.HELD,
        OutboxMessage.created_at >= utcnow() - WINDOW,
    )
    return int(session.exec(query).one() or 0)
