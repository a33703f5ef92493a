"""Sending an offer to the partners: the one place it is done (a complete form in `auto` mode,
`offers publish` / `CS-2027-0004 publier`, a held offer released, an incomplete offer completed).

`broadcast_offer` queues one `partner/broadcast` per partner that routing picks among the active
ones it is given (rules/routing.toml, recorded as OfferRouting rows: see mailbot.routing), in the
caller's transaction, and sets `Offer.published_at`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from mailbot.domain.models import Company, Offer, OutboxMessage, OutboxStatus, Partner, utcnow
from mailbot.routing import route_offer

__all__ = ["broadcast_offer", "offer_view"]

_VIEW_FIELDS = (
    "title", "positions", "recruitment_date", "main_activities", "required_skills", "experience",
    "training", "special_requirements", "contract_type", "contract_duration", "weekly_hours",
    "gross_salary", "workplace",
)


def offer_view(offer: Offer, company: Company | None) -> dict:
    """The dict templates get for an offer (see templates' headers)."""
    view = {name: getattr(offer, name) for name in _VIEW_FIELDS}
    view["recruitment_date"] = offer.recruitment_date.isoformat() if offer.recruitment_date else None
    view.update(
        ref=offer.ref,
        market=offer.market,
        missing=list(offer.missing),
        problems=list(offer.problems),
        company_name=company.legal_name if company else None,
    )
    return view


def broadcast_offer(session: Session, composer: Any, config: Any, offer: Offer,
                    partners: Sequence[Partner], *, inbound_id: int | None = None,
                    held: bool = False) -> list[OutboxMessage]:
    """Queue the offer's broadcast to the partners routing picks among the active `partners`
    and mark it published; `held` queues them held (a flood limit) and leaves `published_at`
    unset. Returns the rows."""
    del config  # routing finds its rules itself (rules/routing.toml, [paths] rules_dir)
    company = session.get(Company, offer.company_id) if offer.company_id else None
    view = offer_view(offer, company)
    rows = []
    for partner in route_offer(session, offer, [p for p in partners if p.active]):  # routing.toml
        rows.append(composer.queue(
            session,
            "partner/broadcast",
            {"partner": {"name": partner.name, "kind": partner.kind}, "offer": view},
            to=list(partner.emails),
            offer_id=offer.id,
            partner_id=partner.id,
            inbound_id=inbound_id if inbound_id is not None else offer.inbound_id,
            status=OutboxStatus.HELD if held else OutboxStatus.PENDING,
        ))
    if not held:
        offer.published_at = utcnow()
        session.add(offer)
    return rows
