"""A partner's referral: store each candidate against the offer, acknowledge to the partner."""

from __future__ import annotations

from sqlmodel import select

from mailbot.domain.candidates import link_candidate, store_document
from mailbot.domain.models import Company, Offer, OutboxStatus, Partner, Referral
from mailbot.handlers.base import HandlerContext
from mailbot.mime import read_message

__all__ = ["handle"]


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
    cvs = _cv_files(ctx, candidates)
    already: list[bool] = []  # per candidate: registered for this offer before this message
    for person in candidates:
        already.append(_store(ctx, person, partner, offer, reasons, cvs))
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
                {"first_name": c.get("first_name"), "last_name": c.get("last_name"),
                 "already_registered": known}
                for c, known in zip(candidates, already, strict=True)
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


def _store(ctx: HandlerContext, person: dict, partner: Partner | None, offer: Offer | None,
           reasons: list[str], cvs: dict[str, tuple[str, bytes, str]]) -> bool:
    """Store one referred person; True when they were registered for this offer already (then
    nothing new is stored: the message is flagged, the partner told, no one named)."""
    match = link_candidate(ctx.session, person, partner.id if partner else None)
    document = None
    cv = cvs.get(person.get("cv_filename") or "")
    if cv is not None:
        document = store_document(ctx.session, cv[0], cv[1], cv[2])
    if match.known and offer is not None:
        existing = ctx.session.exec(select(Referral).where(
            Referral.offer_id == offer.id, Referral.candidate_id == match.candidate.id)).first()
        if existing is not None:
            ctx.flag(f"candidate already referred for {offer.ref} (R{existing.id}): "
                     "not stored again")
            if existing.cv_document_id is None and document is not None:
                existing.cv_document_id = document.id
                ctx.session.add(existing)
            return existing.inbound_id != ctx.entry.id
    own = list(reasons)
    if match.known and match.earliest_referral_id is not None:
        own.append(f"candidate already referred (R{match.earliest_referral_id})")
        ctx.flag(own[-1])
    ctx.session.add(
        Referral(
            offer_id=offer.id if offer else None,
            candidate_id=match.candidate.id,
            partner_id=partner.id if partner else None,
            inbound_id=ctx.entry.id,
            sender=ctx.sender_address,
            cv_filename=person.get("cv_filename"),
            cv_document_id=document.id if document else None,
            duplicate_of=match.earliest_referral_id if match.known else None,
            eligibility=list(person.get("eligibility") or []),
            flagged=bool(own),
            flag_reason="; ".join(own) or None,
        )
    )
    ctx.session.flush()
    return False


def _cv_files(ctx: HandlerContext, candidates: list[dict]) -> dict[str, tuple[str, bytes, str]]:
    """The attached files the candidates' CVs name: filename → (filename, bytes, type)."""
    wanted = {p.get("cv_filename") for p in candidates if p.get("cv_filename")}
    if not wanted or not ctx.entry.raw:
        return {}
    message = read_message(ctx.entry.raw, ctx.config.limits.to_limits())
    return {a.filename: (a.filename, a.data, a.content_type)
            for a in message.attachments if a.filename in wanted and a.data}
