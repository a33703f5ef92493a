"""`mailbot reparse ID`: read a handled liaison form again with the current rules and revise its
offer(s) with what is now understood. Nothing is sent; each offer's change is a revision
(source "reparse") and the re-read is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mailbot.db import session_scope
from mailbot.domain.audit import record
from mailbot.domain.models import InboundMessage, InboundStatus, Offer, OfferRevision
from mailbot.domain.offers import form_values, revise_offer
from mailbot.errors import MailbotError
from mailbot.lookahead import Lookups
from mailbot.parse import parse_email

__all__ = ["ReparseError", "ReparseLine", "reparse_message"]


class ReparseError(MailbotError):
    """A message that cannot be re-read (unknown, not a handled liaison form, no offer)."""


@dataclass(frozen=True)
class ReparseLine:
    """What became of one offer: its new version and the fields that changed, or unchanged."""

    ref: str
    version: int | None
    changed: tuple[str, ...]

    def __str__(self) -> str:
        if self.version is None:
            return f"{self.ref}: unchanged"
        return f"{self.ref}: version {self.version} ({', '.join(self.changed)})"


def _offers_of(session: Session, inbound_id: int) -> list[Offer]:
    """The offers this message created or revised, oldest first."""
    revised = select(OfferRevision.offer_id).where(OfferRevision.inbound_id == inbound_id,
                                                   OfferRevision.source == "form")
    return list(session.exec(select(Offer).where(
        (Offer.inbound_id == inbound_id) | col(Offer.id).in_(revised)).order_by(Offer.id)))


def reparse_message(engine: Engine, config: Any, inbound_id: int, actor: Any) -> list[ReparseLine]:
    """Re-read journal message `inbound_id` (a handled liaison form) with the current rules and
    revise the offers it gave, form by form in order; one unit of work, no email."""
    with session_scope(engine) as session:
        entry = session.get(InboundMessage, inbound_id)
        if entry is None:
            raise ReparseError(f"no message {inbound_id}")
        if entry.kind != "liaison_form" or entry.status != InboundStatus.PROCESSED:
            raise ReparseError(f"message {inbound_id} is not a handled liaison form "
                               f"({entry.kind or '-'}, {entry.status})")
        offers = _offers_of(session, inbound_id)
        if not offers:
            raise ReparseError(f"message {inbound_id} gave no offer")
        parsed = parse_email(entry.raw, config.limits.to_limits(),
                             own_addresses=[config.smtp.from_address, config.people.referent],
                             **Lookups(engine).callbacks())
        forms = parsed.get("forms") or []
        lines: list[ReparseLine] = []
        for offer, form in zip(offers, forms, strict=False):
            revision = revise_offer(session, offer, form_values(form), "reparse", inbound_id, actor)
            changed = tuple(revision.changes) if revision is not None else ()
            lines.append(ReparseLine(offer.ref, revision.version if revision else None, changed))
            record(session, actor, "reparse", offer=offer,
                   details={"inbound_id": inbound_id, "version": offer.version,
                            "changed": list(changed),
                            "unrecognised_labels": len(form.get("unrecognised_labels") or [])})
        if len(forms) != len(offers):
            lines.append(ReparseLine(f"message {inbound_id}", None, ()))
            record(session, actor, "reparse", details={
                "inbound_id": inbound_id, "forms": len(forms), "offers": len(offers),
                "note": "form and offer counts differ: only the first ones were compared"})
        return lines
