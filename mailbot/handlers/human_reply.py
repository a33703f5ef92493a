"""A person's answer to one of mailbot's emails reaches the référent.

A company answering a presentation, a partner asking a question about a broadcast: a message
that is not a form, a referral or a command, from a usable sender, that answers an email
mailbot sent (In-Reply-To/References names a Message-ID of the outbox) and says something, is
forwarded as is to the référent's own address (the original attached as message/rfc822), with
who wrote, the subject and the offer it concerns. Automated mail, bounces and mail from our own
addresses are never forwarded (loop guard); past `[limits] answers_per_sender_per_day` forwards
of one sender in 24 h, the forward is held.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from mailbot.commands import fold
from mailbot.domain.models import (
    Company,
    InboundMessage,
    Offer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    utcnow,
)
from mailbot.handlers import ignored
from mailbot.handlers.base import HandlerContext
from mailbot.outbox.compose import ROLE_HEADER, OutAttachment
from mailbot.parse.referral import OFFER_REF, body_without_signature
from mailbot.senders import read_headers

__all__ = ["ROLE", "answered_email", "forward", "forwardable", "handle_reply", "handle_unknown",
           "says_something"]

ROLE = "referent/forward"

# Words that carry nothing for the référent: greetings, thanks, closings, acknowledgements.
_COURTESY_TEXT = """
bonjour bonsoir hello hi salut madame monsieur mesdames messieurs cher chere merci mille beaucoup
bien recu recue note notee ok okay d accord parfait tres bonne journee soiree semaine cordialement
cordiales salutations sinceres distinguees a vous votre vos pour le la les de du des et retour
message mail courriel email reponse thanks thank you regards best kind bises amicalement top super
nickel entendu c est je nous vous re tr fw fwd
"""
_COURTESY_WORDS = frozenset(_COURTESY_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_AUTOMATIC = re.compile(
    r"message (automatique|g[ée]n[ée]r[ée] automatiquement)|r[ée]ponse automatique|"
    r"\b(je suis|je serai|nous sommes)\s+(actuellement\s+)?(absente?s?|en cong[ée]s?)|"
    r"out of (the )?office|auto-?reply|ne pas r[ée]pondre|do not reply", re.I)

_ROLE_FR = {
    "company/ack": "l'accusé de réception de son formulaire",
    "company/unreadable": "la demande de renvoi de son formulaire",
    "company/presentation": "la présentation de candidats",
    "partner/broadcast": "la diffusion de l'offre",
    "partner/referral_ack": "l'accusé de réception de ses candidatures",
    "partner/feedback": "le suivi de ses candidatures",
    "partner/offer_update": "l'avis de clôture de l'offre",
    "sender/received": "l'accusé de réception neutre",
}


def says_something(text: str, sender_name: str = "") -> bool:
    """The new text holds at least one word beyond courtesy, a signature or an automatic
    notice ("Merci, bien reçu" says nothing; "OK pour lundi 10 h" does)."""
    body, _signature = body_without_signature(text or "", sender_name)
    for line in body.splitlines():
        if _AUTOMATIC.search(line):
            return False
        words = _WORD.findall(fold(line).replace("'", " "))
        if any(w not in _COURTESY_WORDS and len(w) > 1 for w in words):
            return True
    return False


def _message_ids(ctx: HandlerContext) -> list[str]:
    ids = []
    for name in ("in_reply_to", "references"):
        value = ctx.parsed.get(name) or []
        ids.extend([value] if isinstance(value, str) else value)
    return [i.strip() for i in ids if i and i.strip()][:50]


def answered_email(ctx: HandlerContext) -> OutboxMessage | None:
    """The email of mailbot this message answers (the latest one its thread names)."""
    ids = _message_ids(ctx)
    if not ids:
        return None
    return ctx.session.exec(
        select(OutboxMessage).where(col(OutboxMessage.message_id).in_(ids))
        .order_by(col(OutboxMessage.id).desc())
    ).first()


def _ours(ctx: HandlerContext) -> bool:
    """Sent by our own addresses, or one of our emails come back (loop guard)."""
    own = {ctx.config.smtp.from_address.lower(), (ctx.config.people.referent or "").lower()}
    if (ctx.sender_address or "") in own or ctx.sender.role == "referent":
        return True
    try:
        return read_headers(ctx.entry.raw).get(ROLE_HEADER) is not None
    except Exception:
        return True


def forwardable(ctx: HandlerContext, *, kind_auto_ok: bool = False) -> OutboxMessage | None:
    """The email of ours a person's message answers, when it is to be forwarded (else None).
    `kind_auto_ok`: the chain marked it `auto` only for being a short reply (kind `reply`)."""
    if ctx.parsed.get("auto") and not kind_auto_ok:
        return None
    if not ctx.sender.usable or _ours(ctx):
        return None
    answered = answered_email(ctx)
    if answered is None:
        return None
    return answered


def _forwards_in_window(ctx: HandlerContext) -> int:
    query = (
        select(func.count(OutboxMessage.id))
        .join(InboundMessage, InboundMessage.id == OutboxMessage.inbound_id)
        .where(OutboxMessage.role == ROLE, OutboxMessage.status != OutboxStatus.HELD,
               InboundMessage.sender == ctx.sender_address,
               OutboxMessage.created_at >= utcnow() - timedelta(hours=24))
    )
    return int(ctx.session.exec(query).one() or 0)


def _who(ctx: HandlerContext) -> dict:
    """Who wrote, as the référent knows them: a partner, a company, or unknown."""
    address = ctx.sender_address or ""
    view = {"name": ctx.sender.name or None, "address": address, "partner": None,
            "company": None}
    if ctx.sender.role == "partner" and ctx.sender.partner_id:
        partner = ctx.session.get(Partner, ctx.sender.partner_id)
        view["partner"] = partner.name if partner else None
    else:
        company = ctx.session.exec(
            select(Company.legal_name).join(Offer, Offer.company_id == Company.id)
            .where(func.lower(Offer.contact_address) == address)
        ).first() or ctx.session.exec(
            select(Company.legal_name).where(func.lower(Company.email) == address)).first()
        view["company"] = company
    return view


def _offer_view(ctx: HandlerContext, answered: OutboxMessage | None) -> dict | None:
    offer = ctx.session.get(Offer, answered.offer_id) if answered and answered.offer_id else None
    if offer is None:
        found = OFFER_REF.search(ctx.parsed.get("subject") or "")
        if found:
            ref = f"CS-{found.group(1)}-{found.group(2)}"
            offer = ctx.session.exec(select(Offer).where(Offer.ref == ref)).first()
    if offer is None:
        return None
    company = ctx.session.get(Company, offer.company_id) if offer.company_id else None
    return {"ref": offer.ref, "title": offer.title, "status": offer.status,
            "company_name": company.legal_name if company else None}


def forward(ctx: HandlerContext, answered: OutboxMessage | None, *, note: str | None = None) -> None:
    """Queue the forward of this message to the référent (held past the flood limit)."""
    referent = ctx.config.people.referent
    limit = ctx.config.limits.answers_per_sender_per_day
    held = _forwards_in_window(ctx) >= limit
    if held:
        ctx.flag(f"forward held: more than {limit} forwards of {ctx.sender_address}'s messages "
                 "in 24 h (mailbot outbox list --status held)")
    context = {
        "who": _who(ctx),
        "subject": ctx.parsed.get("subject") or "",
        "received_at": ctx.entry.received_at,
        "answered": {"role": _ROLE_FR.get(answered.role, "un message de mailbot"),
                     "subject": answered.subject} if answered else None,
        "offer": _offer_view(ctx, answered),
        "note": note,
    }
    reply_to = ctx.sender.answer_address
    ctx.composer.queue(
        ctx.session, ROLE, context, to=[referent],
        offer_id=answered.offer_id if answered else None,
        inbound_id=ctx.entry.id,
        status=OutboxStatus.HELD if held else OutboxStatus.PENDING,
        attachments=[OutAttachment("message-origine.eml", "message/rfc822", ctx.entry.raw)],
        **({"reply_to": reply_to} if reply_to else {}),
    )
    offer = context["offer"]
    where = f" ({offer['ref']})" if offer else ""
    ctx.entry.reason = "; ".join([*ctx.notes, f"forwarded to the référent{where}"])


def handle_unknown(ctx: HandlerContext) -> None:
    """A person's answer to our email is forwarded; anything else is flagged as before."""
    answered = forwardable(ctx)
    if answered is not None and says_something(_text(ctx), ctx.sender.name):
        forward(ctx, answered)
        return
    ignored.handle_unknown(ctx)


def handle_reply(ctx: HandlerContext) -> None:
    """A short answer to our email: forwarded when it says something beyond courtesy."""
    answered = forwardable(ctx, kind_auto_ok=True)
    if answered is not None and says_something(_text(ctx), ctx.sender.name):
        forward(ctx, answered)
        return
    ignored.handle_auto(ctx)


def _text(ctx: HandlerContext) -> str:
    """The new text of the message: quoted reply and mailbot's own text set apart."""
    from mailbot.fingerprints import lookup_known
    from mailbot.mime import read_message
    from mailbot.parse.email import set_own_text_apart

    try:
        msg = read_message(ctx.entry.raw, ctx.config.limits.to_limits())
        set_own_text_apart(msg, lookup_known(ctx.session))
    except Exception:
        return ""
    return msg.text or ""
