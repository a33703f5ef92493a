"""A company's liaison form: store company + offers, acknowledge once, broadcast each offer."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from mailbot.domain.candidates import normalise_phone
from mailbot.domain.lots import tie_offer_to_lot
from mailbot.domain.models import Company, CompanyRevision, Offer, OfferStatus, OutboxStatus
from mailbot.domain.refs import allocate_ref
from mailbot.flood import offers_in_window
from mailbot.handlers.base import HandlerContext
from mailbot.routing import route_offer
from mailbot.teaching import record_sightings

__all__ = ["handle", "offer_view"]

_OFFER_FIELDS = (
    "title", "positions", "recruitment_date", "main_activities", "required_skills", "experience",
    "training", "special_requirements",
)
_CONDITION_FIELDS = ("contract_type", "contract_duration", "weekly_hours", "gross_salary", "workplace")


def _company(ctx: HandlerContext, data: dict) -> Company:
    """Reuse the company with the same SIRET, filling only its empty fields (different details
    are kept as a flagged CompanyRevision, never applied); else create."""
    siret = data.get("siret")
    company = None
    if siret:
        company = ctx.session.exec(select(Company).where(Company.siret == siret)).first()
    known = company is not None
    company = company or Company()
    changes: dict[str, list] = {}
    for key, value in data.items():
        if value is None or value == "" or key == "id" or not hasattr(company, key):
            continue
        stored = getattr(company, key)
        if stored in (None, ""):
            setattr(company, key, value)
        elif known and _differs(key, stored, value):
            changes[key] = [stored, value]
    ctx.session.add(company)
    ctx.session.flush()
    if changes:
        revision = CompanyRevision(company_id=company.id, inbound_id=ctx.entry.id, changes=changes)
        ctx.session.add(revision)
        ctx.session.flush()
        ctx.flag(f"company details differ from those stored for SIRET {siret} "
                 f"({', '.join(changes)}): revision {revision.id} kept, not applied")
    return company


def _differs(key: str, stored: object, received: object) -> bool:
    """Two values of a company field that say different things (case, spacing, phone format
    aside)."""
    if key == "phone":
        return normalise_phone(str(stored)) != normalise_phone(str(received))
    return " ".join(str(stored).split()).casefold() != " ".join(str(received).split()).casefold()


def _own_lines(form: dict, section: str) -> dict[str, str]:
    """The answers of `section` written as lists (parse's extra `lines`), one item a line."""
    prefix = section + "."
    return {key.removeprefix(prefix): "\n".join(items)
            for key, items in (form.get("lines") or {}).items()
            if key.startswith(prefix) and items}


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def offer_view(offer: Offer, company: Company | None) -> dict:
    """The dict templates get for an offer (see templates' headers)."""
    view = {name: getattr(offer, name) for name in (*_OFFER_FIELDS, *_CONDITION_FIELDS)}
    view["recruitment_date"] = offer.recruitment_date.isoformat() if offer.recruitment_date else None
    view.update(
        ref=offer.ref,
        market=offer.market,
        missing=list(offer.missing),
        problems=list(offer.problems),
        company_name=company.legal_name if company else None,
    )
    return view


def handle(ctx: HandlerContext) -> None:
    forms = ctx.parsed.get("forms") or []
    if not forms:
        _unreadable(ctx)
        return
    views, offers = [], []
    company = None
    limits = ctx.config.limits
    earlier = (offers_in_window(ctx.session, ctx.sender_address, ctx.entry.id)
               if ctx.is_correspondent and ctx.sender_address else 0)
    contact = ctx.answer_address if ctx.may_answer else None  # who gets the ack, presentations
    for index, form in enumerate(forms):
        company = _company(ctx, form.get("company") or {})
        job, conditions = form.get("job") or {}, form.get("conditions") or {}
        job = {**job, **_own_lines(form, "job")}  # a list stays a list (shown as one in emails)
        held = ctx.is_correspondent and earlier + index >= limits.offers_per_sender_per_day
        offer = Offer(
            ref=allocate_ref(ctx.session, ctx.entry.received_at.year),
            company_id=company.id,
            inbound_id=ctx.entry.id,
            status=OfferStatus.HELD if held else OfferStatus.OPEN,
            contact_address=contact,
            market=form.get("market"),
            missing=list(form.get("missing") or []),
            problems=list(form.get("problems") or []),
            **{k: job.get(k) for k in _OFFER_FIELDS if k != "recruitment_date"},
            recruitment_date=_date(job.get("recruitment_date")),
            **{k: conditions.get(k) for k in _CONDITION_FIELDS},
        )
        ctx.session.add(offer)
        ctx.session.flush()
        tie_offer_to_lot(ctx.session, offer, company, ctx.answer_address)  # its lot, its blank form
        offers.append(offer)
        views.append(offer_view(offer, company))
        unknown = [str(label)[:60] for label in form.get("unrecognised_labels") or []]
        record_sightings(ctx.session, form.get("unrecognised_labels") or [], ctx.entry.id,
                         offer.id)  # for `mailbot labels unknown`
        if unknown:
            ctx.flag(f"{offer.ref}: labels not recognised: " + " | ".join(f"« {u} »" for u in unknown[:8])
                     + " (add them to rules/labels.toml, see README 'Label rules')")
        if form.get("ocr"):
            ctx.flag(f"{offer.ref}: read by OCR, to be checked")
        if held:
            ctx.flag(f"{offer.ref} held: more than {limits.offers_per_sender_per_day} offers from "
                     f"{ctx.sender_address} in 24 h (mailbot offers release {offer.ref})")
    if ctx.parsed.get("problems"):
        ctx.flag("; ".join(ctx.parsed["problems"]))
    if ctx.forwarded_by_colleague:
        ctx.flag(f"forwarded by {ctx.sender_address}: acknowledged to {ctx.answer_address}")
    if ctx.may_answer:
        ack_held = ctx.answer_held()
        ctx.composer.queue(
            ctx.session,
            "company/ack",
            {
                "company": (forms[0].get("company") or {}),
                "offers": views,
                "original_subject": ctx.parsed.get("subject"),
                "received_at": ctx.entry.received_at,
            },
            to=[ctx.answer_address],
            inbound_id=ctx.entry.id,
            offer_id=offers[0].id,
            status=OutboxStatus.HELD if ack_held else OutboxStatus.PENDING,
            **ctx.reply_headers(),
        )
    else:
        ctx.flag("liaison form from an address we do not answer: no acknowledgement sent")
    for offer, view in zip(offers, views, strict=True):
        for partner in route_offer(ctx.session, offer, ctx.partners):  # rules/routing.toml
            ctx.composer.queue(
                ctx.session,
                "partner/broadcast",
                {"partner": {"name": partner.name, "kind": partner.kind}, "offer": view},
                to=list(partner.emails),
                offer_id=offer.id,
                partner_id=partner.id,
                inbound_id=ctx.entry.id,
                status=OutboxStatus.HELD if offer.status == OfferStatus.HELD else OutboxStatus.PENDING,
            )
    if not ctx.partners:
        ctx.flag("no partner configured: offers not broadcast")


def _unreadable(ctx: HandlerContext) -> None:
    problems = list(ctx.parsed.get("problems") or ["no form could be read"])
    ctx.flag("liaison form unreadable: " + "; ".join(problems))
    if ctx.may_answer:
        held = ctx.answer_held()
        ctx.composer.queue(
            ctx.session,
            "company/unreadable",
            {"attachments_problems": problems, "original_subject": ctx.parsed.get("subject")},
            to=[ctx.answer_address],
            inbound_id=ctx.entry.id,
            status=OutboxStatus.HELD if held else OutboxStatus.PENDING,
            **ctx.reply_headers(),
        )
