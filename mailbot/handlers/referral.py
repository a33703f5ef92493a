"""A partner's referral: store each candidate against the offer, acknowledge to the partner."""

from __future__ import annotations

from sqlmodel import select

from mailbot.domain.models import Candidate, Company, Offer, OutboxStatus, Partner, Referral
from mailbot.handlers.base import HandlerContext

__all__ = ["handle"]

_PERSON = ("first_name", "last_name", "email", "phone")


def handle(ctx: HandlerContext) -> None:
    partner = (ctx.session.get(Partner, ctx.sender.partner_id)
               if ctx.sender.role == "partner" and ctx.sender.partner_id else None)
    ref = ctx.parsed.get("offer_ref")
    offer = ctx.session.exec(select(Offer).where(Offer.ref == ref)).first() if ref else None
    reasons = []
    if partner is None:
        reasons.append("referral from a sender who is not a known partner")
    if offer is None:
        reasons.append(f"offer {ref} unknown" if ref else "no offer reference found")
    candidates = ctx.parsed.get("candidates") or []
    if not candidates:
        reasons.append("no candidate could be read")
    for reason in reasons:
        ctx.flag(reason)
    for person in candidates:
        candidate = Candidate(
            partner_id=partner.id if partner else None,
            **{key: person.get(key) for key in _PERSON},
        )
        ctx.session.add(candidate)
        ctx.session.flush()
        ctx.session.add(
            Referral(
                offer_id=offer.id if offer else None,
                candidate_id=candidate.id,
                partner_id=partner.id if partner else None,
                inbound_id=ctx.entry.id,
                sender=ctx.sender_address,
                cv_filename=person.get("cv_filename"),
                flagged=bool(reasons),
                flag_reason="; ".join(reasons) or None,
            )
        )
    if not candidates or not ctx.may_answer:
        return
    if partner is None:
        # Not identified: a neutral answer that names no offer, company or candidate.
        held = ctx.answer_held()
        ctx.composer.queue(
            ctx.session, "sender/received", {}, to=[ctx.answer_address], inbound_id=ctx.entry.id,
            status=OutboxStatus.HELD if held else OutboxStatus.PENDING, **ctx.reply_headers(),
        )
        return
    offer_view = None
    if offer is not None:
        company = ctx.session.get(Company, offer.company_id) if offer.company_id else None
        offer_view = {
            "ref": offer.ref,
            "title": offer.title,
            "company_name": company.legal_name if company else None,
        }
    ctx.composer.queue(
        ctx.session,
        "partner/referral_ack",
        {
            "partner": {"name": partner.name, "kind": partner.kind} if partner else None,
            "candidates": [
                {"first_name": c.get("first_name"), "last_name": c.get("last_name")}
                for c in candidates
            ],
            "offer": offer_view,
            "unknown_ref": ref if offer is None else None,
            "original_subject": ctx.parsed.get("subject"),
        },
        to=[ctx.answer_address],
        offer_id=offer.id if offer else None,
        partner_id=partner.id if partner else None,
        inbound_id=ctx.entry.id,
        **ctx.reply_headers(),
    )
