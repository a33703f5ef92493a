"""Where a new or completed offer stands: `incomplete` while a field of `[workflow]
required_fields` is empty; once complete, `open` and broadcast at once (`[workflow] broadcast =
"auto"`) or `received`, waiting for the référent's `publish` ("review"). Held, open, filled and
closed offers keep their state here (a held offer is settled when it is released).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from mailbot.domain.audit import record
from mailbot.domain.broadcast import broadcast_offer
from mailbot.domain.models import Company, Offer, Partner
from mailbot.domain.offers import missing_required
from mailbot.domain.states import OfferState
from mailbot.outbox.labels_fr import field_label

__all__ = ["needed_labels", "required_missing", "settle_offer"]


def required_missing(session: Session, config: Any, offer: Offer) -> list[str]:
    """The entries of `[workflow] required_fields` the offer leaves empty."""
    company = session.get(Company, offer.company_id) if offer.company_id else None
    return missing_required(offer, company, list(config.workflow.required_fields))


def needed_labels(entries: Sequence[str]) -> list[str]:
    """French labels of required entries: 'company.email|company.phone' → 'Adresse e-mail ou
    Téléphone'."""
    return [" ou ".join(field_label(name) for name in entry.split("|")) for entry in entries]


def settle_offer(session: Session, composer: Any, config: Any, offer: Offer,
                 partners: Sequence[Partner], *, actor: Any = None,
                 inbound_id: int | None = None) -> str:
    """Move an `incomplete` offer (a new one is created `incomplete`) to where it stands now,
    broadcasting it when it opens. With `actor`, a change of state is audited. Returns the
    offer's status."""
    if offer.status != OfferState.INCOMPLETE:
        return offer.status
    before = offer.status
    missing = required_missing(session, config, offer)
    if missing:
        return offer.status
    if config.workflow.broadcast == "review":
        offer.status = OfferState.RECEIVED.value
    else:
        offer.status = OfferState.OPEN.value
        broadcast_offer(session, composer, config, offer, partners, inbound_id=inbound_id)
    session.add(offer)
    session.flush()
    if actor is not None:
        record(session, actor, "offer_complete", offer=offer, from_state=before,
               to_state=offer.status, reason="every required field is given")
    return offer.status
