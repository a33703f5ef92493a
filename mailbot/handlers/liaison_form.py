"""A company's liaison form: store company + offers (a corrected form or an answer about an offer
revises it: see offer_reply), acknowledge once (or ask once for the required fields missing), then
each complete offer is broadcast (`[workflow] broadcast = "auto"`) or waits for the référent."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from mailbot.domain.broadcast import offer_view
from mailbot.domain.candidates import normalise_phone
from mailbot.domain.lifecycle import needed_labels, required_missing, settle_offer
from mailbot.domain.lots import tie_offer_to_lot
from mailbot.domain.models import Company, CompanyRevision, Offer, OfferStatus, OutboxStatus
from mailbot.domain.offers import first_revision, form_values, previous_offer
from mailbot.domain.refs import allocate_ref
from mailbot.flood import offers_in_window
from mailbot.handlers import offer_reply
from mailbot.handlers.base import HandlerContext
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


def _known_company(ctx: HandlerContext, data: dict) -> None:
    """A revising form's company block: empty fields of the stored company (same SIRET) are
    filled and different details kept as a flagged revision, as for a new offer."""
    siret = data.get("siret")
    if siret and ctx.session.exec(select(Company.id).where(Company.siret == siret)).first():
        _company(ctx, data)


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
    if len(forms) == 1:  # the company answers about its own offer: a revision of it
        answered = offer_reply.answered_offer(ctx, (forms[0].get("job") or {}).get("title"))
        if answered is not None:
            _known_company(ctx, forms[0].get("company") or {})
            offer_reply.complete(ctx, answered, form_values(forms[0]))
            return
    needs: list[list[str]] = []  # required fields each new offer lacks
    for form in forms:
        previous = previous_offer(ctx.session, form.get("company") or {},
                                  (form.get("job") or {}).get("title"))
        if previous is not None:  # a corrected form for the same company and job
            _known_company(ctx, form.get("company") or {})
            record_sightings(ctx.session, form.get("unrecognised_labels") or [], ctx.entry.id,
                             previous.id)  # for `mailbot labels unknown`
            offer_reply.complete(ctx, previous, form_values(form), source="form")
            continue
        company = _company(ctx, form.get("company") or {})
        job, conditions = form.get("job") or {}, form.get("conditions") or {}
        job = {**job, **_own_lines(form, "job")}  # a list stays a list (shown as one in emails)
        held = ctx.is_correspondent and earlier + len(offers) >= limits.offers_per_sender_per_day
        offer = Offer(
            ref=allocate_ref(ctx.session, ctx.entry.received_at.year),
            company_id=company.id,
            inbound_id=ctx.entry.id,
            status=OfferStatus.HELD if held else OfferStatus.INCOMPLETE,  # settled below
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
        first_revision(ctx.session, offer, inbound_id=ctx.entry.id)
        tie_offer_to_lot(ctx.session, offer, company, ctx.answer_address)  # its lot, its blank form
        offers.append(offer)
        needs.append(required_missing(ctx.session, ctx.config, offer))
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
    if not offers:  # every form corrected an offer we had: the company was told by complete()
        return
    if ctx.forwarded_by_colleague:
        ctx.flag(f"forwarded by {ctx.sender_address}: acknowledged to {ctx.answer_address}")
    review = ctx.config.workflow.broadcast == "review"
    if ctx.may_answer:
        _acknowledge(ctx, forms, offers, views, needs, review)
    else:
        ctx.flag("liaison form from an address we do not answer: no acknowledgement sent")
    for offer in offers:  # incomplete stays, else open and broadcast (auto) or received (review)
        settle_offer(ctx.session, ctx.composer, ctx.config, offer, ctx.partners,
                     inbound_id=ctx.entry.id)
    if not ctx.partners:
        ctx.flag("no partner configured: offers not broadcast")


def _acknowledge(ctx: HandlerContext, forms: list[dict], offers: list[Offer], views: list[dict],
                 needs: list[list[str]], review: bool) -> None:
    """One email to the company: `company/incomplete` (asking for exactly the required fields
    missing) when an offer lacks some, else `company/ack`."""
    incomplete = [offer for offer, need in zip(offers, needs, strict=True) if need]
    context = {
        "company": (forms[0].get("company") or {}),
        "offers": views,
        "original_subject": ctx.parsed.get("subject"),
        "received_at": ctx.entry.received_at,
        "review": review,
    }
    if incomplete:
        context["offers"] = [{**view, "needed": needed_labels(need)}
                             for view, need in zip(views, needs, strict=True)]
        context["example"] = offer_reply.example_line(next(n for n in needs if n))
    ctx.composer.queue(
        ctx.session,
        "company/incomplete" if incomplete else "company/ack",
        context,
        to=[ctx.answer_address],
        inbound_id=ctx.entry.id,
        offer_id=(incomplete or offers)[0].id,
        status=OutboxStatus.HELD if ctx.answer_held() else OutboxStatus.PENDING,
        **ctx.reply_headers(),
    )


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
