"""A company's answer about its own offer: completes or corrects it (a revision), then the offer
is settled (open and broadcast, or received in review mode) and the company told.

Which offer: the one of the company email this message answers (In-Reply-To/References), else
the one reference (CS-2027-0004) of its subject; only when the message comes from the address
the offer came from, or the company's own. Its values come from the liaison form the parser read
(a long answer), else from the reply's new text read by the text-form reader field by field
(`reply_values`: "Date de recrutement : 15/03/2027" alone is enough; mailbot's quoted text is set
apart first). Nothing read: the message goes on to `human_reply` (forwarded to the référent).
"""

from __future__ import annotations

import re

from sqlmodel import col, select

from mailbot.domain.broadcast import offer_view
from mailbot.domain.lifecycle import needed_labels, required_missing, settle_offer
from mailbot.domain.models import Company, Offer, OutboxMessage, OutboxStatus
from mailbot.domain.offers import form_values, revise_offer
from mailbot.domain.services import Actor
from mailbot.domain.states import ActorKind, Channel, OfferState
from mailbot.handlers import human_reply
from mailbot.handlers.base import HandlerContext
from mailbot.outbox.labels_fr import company_rows, offer_rows

__all__ = ["COMPANY_ROLES", "answered_offer", "complete", "example_line", "handle_reply",
           "handle_unknown", "reply_values"]

# Emails to a company about its offer: an answer to one of them concerns that offer.
COMPANY_ROLES = ("company/ack", "company/incomplete", "company/updated")
_REF = re.compile(r"\bCS-(\d{4})-(\d{3,})\b", re.I)
_FINAL = (OfferState.FILLED.value, OfferState.CLOSED.value)
_EXAMPLES = {
    "job.recruitment_date": "15/03/2027", "job.positions": "2", "job.title": "Maçon VRD",
    "conditions.contract_type": "CDD", "conditions.workplace": "Amiens (80000)",
    "conditions.contract_duration": "6 mois", "conditions.weekly_hours": "35 h",
    "company.legal_name": "Durand BTP", "company.email": "contact@entreprise.fr",
    "company.phone": "03 22 00 00 00", "company.siret": "732 829 320 00074",
}
_QUOTE_HEAD = re.compile(r"^\s*(?:-{2,}\s*(?:original message|message d'origine|message "
                         r"transf[ée]r[ée]|forwarded message)|_{10,}|(?:de|from)\s*:.*@|"
                         r"le .{4,80} a [ée]crit\s*:)", re.I)


def example_line(entries: list[str]) -> str:
    """One answer line for the first missing entry ("Date de recrutement souhaitée : 15/03/2027")."""
    from mailbot.outbox.labels_fr import field_label

    name = (entries[0] if entries else "job.recruitment_date").split("|")[0]
    return f"{field_label(name)} : {_EXAMPLES.get(name, '…')}"


def _ids(ctx: HandlerContext) -> list[str]:
    ids: list[str] = []
    for name in ("in_reply_to", "references"):
        value = ctx.parsed.get(name) or []
        ids.extend([value] if isinstance(value, str) else value)
    return [i.strip() for i in ids if i and i.strip()][:50]


def answered_offer(ctx: HandlerContext, title: str | None = None) -> Offer | None:
    """The offer (not filled or closed) this company message is about, or None. Several offers
    answered at once are told apart by the form's `title`; a message naming an offer from an
    address that is not the offer's is flagged and names nothing."""
    session = ctx.session
    candidates: list[Offer] = []
    ids = _ids(ctx)
    if ids:
        row = session.exec(select(OutboxMessage).where(
            col(OutboxMessage.message_id).in_(ids), col(OutboxMessage.role).in_(COMPANY_ROLES),
            OutboxMessage.offer_id.is_not(None)).order_by(col(OutboxMessage.id).desc())).first()
        if row is not None:
            candidates = list(session.exec(select(Offer).where(
                (Offer.id == row.offer_id) | ((Offer.inbound_id == row.inbound_id)
                                              & Offer.inbound_id.is_not(None)))))
    refs = {f"CS-{a}-{b}" for a, b in _REF.findall(ctx.parsed.get("subject") or "")}
    if refs and not candidates:
        candidates = list(session.exec(select(Offer).where(col(Offer.ref).in_(refs))))
    elif refs:
        named = [o for o in candidates if o.ref in refs]
        candidates = named or candidates
    candidates = [o for o in candidates if o.status not in _FINAL]
    if len(candidates) > 1 and title:
        from mailbot.domain.companies import fold_name

        candidates = [o for o in candidates if fold_name(o.title) == fold_name(title)]
    if len(candidates) != 1:
        return None
    offer = candidates[0]
    if not _from_company(ctx, offer):
        ctx.flag(f"names offer {offer.ref} but comes from {ctx.sender_address}, not the address "
                 "the offer came from: not applied to it")
        return None
    return offer


def _from_company(ctx: HandlerContext, offer: Offer) -> bool:
    address = (ctx.answer_address or "").lower()
    if not address or not ctx.sender.usable:
        return False
    company = ctx.session.get(Company, offer.company_id) if offer.company_id else None
    known = {(offer.contact_address or "").lower(), ((company.email if company else "") or "").lower()}
    return address in known


def reply_values(ctx: HandlerContext) -> dict:
    """The fields the reply's new text gives, read by the text-form reader line by line (no
    "is it a whole form" threshold: the company answers a question we asked)."""
    from mailbot.fingerprints import lookup_known
    from mailbot.mime import read_message
    from mailbot.parse.email import set_own_text_apart
    from mailbot.parse.form_build import build_form
    from mailbot.parse.labels import load_rules
    from mailbot.parse.text_form import assemble, line_events

    try:
        msg = read_message(ctx.entry.raw, ctx.config.limits.to_limits())
        set_own_text_apart(msg, lookup_known(ctx.session))
    except Exception:
        return {}
    own = []
    for line in (msg.text or "").splitlines():
        if _QUOTE_HEAD.match(line):
            break
        if not line.lstrip().startswith(">"):
            own.append(line)
    rules = load_rules()
    try:
        forms, _labels = assemble(line_events("\n".join(own)[:20_000]), rules)
    except Exception:
        return {}
    values: dict = {}
    for raw in forms:
        for key, value in form_values(build_form(_listed_only(raw, rules), rules)).items():
            values.setdefault(key, value)
    return values


def _listed_only(raw, rules):
    """The answers whose printed label is a listed wording of their field: in a free reply a
    sentence is not a label ("Le chantier commence plus tôt : pouvez-vous …" is no workplace),
    so neither meaning words nor the form's order decide here."""
    from dataclasses import replace

    listed = set()
    for field, label, _answer in raw.order:
        found = rules.match(label) if field else None
        if (found is not None and found.kind == "field" and found.key == field
                and len(rules.key(label)) - found.size <= 1):  # a wording, not a sentence
            listed.add(field)
    return replace(raw, values={k: v for k, v in raw.values.items() if k in listed}, notes=[])


def _actor(ctx: HandlerContext) -> Actor:
    return Actor(ActorKind.COMPANY, Channel.EMAIL, ctx.sender_address, inbound_id=ctx.entry.id)


def _changes_view(changes: dict) -> list[tuple[str, str]]:
    """(French label, value as shown) of a revision's changes."""
    offer_part = {k: v[1] for k, v in changes.items() if not k.startswith("company.")}
    company_part = {k.removeprefix("company."): v[1] for k, v in changes.items()
                    if k.startswith("company.")}
    return [*offer_rows(offer_part), *company_rows(company_part)]


def complete(ctx: HandlerContext, offer: Offer, values: dict, *, source: str = "reply",
             answer: bool = False) -> bool:
    """Revise `offer` with `values`, settle it, tell the company (`answer`: even when the chain
    marked the message `auto` for being a short reply). False (nothing done) when an answer's
    values change nothing: the caller does something else with the message."""
    revision = revise_offer(ctx.session, offer, values, source, ctx.entry.id, _actor(ctx))
    if revision is None and source == "reply":
        return False  # nothing new: the référent reads it (never an answer to an answer)
    state = settle_offer(ctx.session, ctx.composer, ctx.config, offer, ctx.partners,
                         actor=_actor(ctx), inbound_id=ctx.entry.id)
    needed = required_missing(ctx.session, ctx.config, offer) if state == OfferState.INCOMPLETE else []
    version = f"version {offer.version}" if revision is not None else "nothing new"
    ctx.entry.reason = "; ".join([*ctx.notes, f"{offer.ref} revised by the company ({version}, "
                                  f"{state})"])
    if ctx.may_answer or answer:
        company = ctx.session.get(Company, offer.company_id) if offer.company_id else None
        ctx.composer.queue(
            ctx.session, "company/updated",
            {"offer": offer_view(offer, company),
             "changes": _changes_view(revision.changes if revision else {}),
             "needed": needed_labels(needed), "example": example_line(needed), "state": state,
             "original_subject": ctx.parsed.get("subject"), "received_at": ctx.entry.received_at},
            to=[ctx.answer_address], inbound_id=ctx.entry.id, offer_id=offer.id,
            status=OutboxStatus.HELD if ctx.answer_held() else OutboxStatus.PENDING,
            **ctx.reply_headers())
    return True


def _completed(ctx: HandlerContext, *, answer: bool = False) -> bool:
    if ctx.sender.role != "other":
        return False
    offer = answered_offer(ctx)
    if offer is None:
        return False
    values = reply_values(ctx)
    return bool(values) and complete(ctx, offer, values, answer=answer)


def handle_unknown(ctx: HandlerContext) -> None:
    """A company's answer that names its offer and gives fields completes it; anything else
    goes on as before (forwarded to the référent, or flagged)."""
    if ctx.parsed.get("auto") or not _completed(ctx):
        human_reply.handle_unknown(ctx)


def handle_reply(ctx: HandlerContext) -> None:
    """A short answer to our email ("Date de recrutement : 15/03/2027" is one): it completes the
    company's offer when it gives fields, else goes on to human_reply. The chain marked it
    `auto` only for being short: a person's answer (not ours, usable sender) is answered."""
    person = human_reply.forwardable(ctx, kind_auto_ok=True) is not None
    if not (person and _completed(ctx, answer=True)):
        human_reply.handle_reply(ctx)
