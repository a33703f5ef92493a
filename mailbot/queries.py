"""Read-only views for the CLI (and, later, the référent's web page)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mailbot.domain.models import (
    AuditEvent,
    Candidate,
    Company,
    InboundMessage,
    Offer,
    OutboxMessage,
    Partner,
    Referral,
)
from mailbot.domain.states import ReferralState

__all__ = [
    "candidate_history",
    "list_audit",
    "list_messages",
    "list_offers",
    "list_outbox",
    "list_referrals",
    "show_offer",
    "waiting_companies",
]


def list_offers(engine: Engine) -> list[dict]:
    """Every offer, oldest first, with its company's name and how many candidates were referred."""
    counts = (
        select(Referral.offer_id, func.count(Referral.id).label("n"))
        .group_by(Referral.offer_id)
        .subquery()
    )
    query = (
        select(Offer, Company.legal_name, counts.c.n)
        .outerjoin(Company, Company.id == Offer.company_id)
        .outerjoin(counts, counts.c.offer_id == Offer.id)
        .order_by(Offer.id)
    )
    with Session(engine) as session:
        return [
            {
                "ref": offer.ref,
                "company": company,
                "title": offer.title,
                "positions": offer.positions,
                "status": offer.status,
                "referrals": int(n or 0),
                "contract_type": offer.contract_type,
                "recruitment_date": offer.recruitment_date.isoformat()
                if offer.recruitment_date else None,
                "missing": list(offer.missing),
                "created_at": offer.created_at.isoformat(timespec="seconds"),
            }
            for offer, company, n in session.exec(query)
        ]


def list_messages(engine: Engine, *, flagged_only: bool = False, status: str | None = None,
                  limit: int = 100) -> list[dict]:
    """Journal rows, newest first, without their raw bytes."""
    query = select(InboundMessage).order_by(InboundMessage.id.desc()).limit(limit)
    if flagged_only:
        query = query.where(InboundMessage.flagged)
    if status:
        query = query.where(InboundMessage.status == status)
    with Session(engine) as session:
        return [
            {
                "id": m.id,
                "received_at": m.received_at.isoformat(timespec="seconds"),
                "from": m.from_address,
                "subject": m.subject,
                "kind": m.kind,
                "status": m.status,
                "flagged": m.flagged,
                "reason": m.reason,
                "moved_to": m.moved_to,
            }
            for m in session.exec(query)
        ]


def list_outbox(engine: Engine, *, status: str | None = None, limit: int = 100) -> list[dict]:
    """Outgoing emails, newest first, without their bodies."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    with Session(engine) as session:
        return [
            {
                "id": m.id,
                "role": m.role,
                "to": list(m.recipients),
                "subject": m.subject,
                "status": m.status,
                "attempts": m.attempts,
                "last_error": m.last_error,
                "message_id": m.message_id,
                "created_at": m.created_at.isoformat(timespec="seconds"),
                "sent_at": m.sent_at.isoformat(timespec="seconds") if m.sent_at else None,
            }
            for m in session.exec(query)
        ]


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else value.isoformat()


def _offer_id(session: Session, ref: str) -> int:
    """The id of offer `ref`, or LookupError."""
    found = session.exec(select(Offer.id).where(Offer.ref == ref.strip().upper())).first()
    if found is None:
        raise LookupError(f"no offer {ref.strip()}")
    return found


def _referral_query():
    """Referrals with their offer, partner, candidate and company: one joined select."""
    return (
        select(Referral, Offer.ref, Offer.title, Company.legal_name, Partner.name, Candidate)
        .join(Candidate, Candidate.id == Referral.candidate_id)
        .outerjoin(Offer, Offer.id == Referral.offer_id)
        .outerjoin(Company, Company.id == Offer.company_id)
        .outerjoin(Partner, Partner.id == Referral.partner_id)
    )


def _referral_row(referral: Referral, ref: str | None, title: str | None, company: str | None,
                  partner: str | None, candidate: Candidate) -> dict:
    return {
        "id": referral.id,
        "ref": f"R{referral.id}",
        "offer": ref,
        "offer_title": title,
        "company": company,
        "partner": partner,
        "sender": referral.sender,
        "candidate": candidate.id,
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "status": referral.status,
        "refusal_reason": referral.refusal_reason,
        "comment": referral.comment,
        "decided_at": _iso(referral.decided_at),
        "contract_type": referral.contract_type,
        "contract_start": _iso(referral.contract_start),
        "contract_end": _iso(referral.contract_end),
        "contract_duration": referral.contract_duration,
        "weekly_hours": referral.weekly_hours,
        "duplicate_of": referral.duplicate_of,
        "eligibility": list(referral.eligibility or []),  # the référent's eyes only
        "cv": referral.cv_filename,
        "flagged": referral.flagged,
        "flag_reason": referral.flag_reason,
        "created_at": _iso(referral.created_at),
    }


def list_referrals(engine: Engine, *, offer: str | None = None,
                   status: str | None = None) -> list[dict]:
    """Referrals, oldest first, with their offer's ref, partner's name and candidate's name;
    `offer` (a ref; LookupError when unknown) and `status` narrow the list."""
    with Session(engine) as session:
        query = _referral_query().order_by(Referral.id)
        if offer:
            query = query.where(Referral.offer_id == _offer_id(session, offer))
        if status:
            query = query.where(Referral.status == status)
        return [_referral_row(*row) for row in session.exec(query)]


def _audit_row(event: AuditEvent, ref: str | None) -> dict:
    return {
        "id": event.id,
        "at": _iso(event.at),
        "actor": event.actor,
        "actor_address": event.actor_address,
        "channel": event.channel,
        "action": event.action,
        "offer": ref,
        "referral": event.referral_id,
        "candidate": event.candidate_id,
        "inbound_id": event.inbound_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "comment": event.comment,
        "details": dict(event.details or {}),
    }


def _audit_query():
    return (select(AuditEvent, Offer.ref).outerjoin(Offer, Offer.id == AuditEvent.offer_id)
            .order_by(AuditEvent.id))


def list_audit(engine: Engine, *, offer: str | None = None,
               candidate: int | None = None) -> list[dict]:
    """Audit events, oldest first, each with its offer's ref; narrowed to one offer (LookupError
    when unknown) and/or one candidate."""
    with Session(engine) as session:
        query = _audit_query()
        if offer:
            query = query.where(AuditEvent.offer_id == _offer_id(session, offer))
        if candidate is not None:
            query = query.where(AuditEvent.candidate_id == candidate)
        return [_audit_row(event, ref) for event, ref in session.exec(query)]


def candidate_history(engine: Engine, candidate_id: int) -> dict:
    """One person's *parcours*: who they are, every referral (offer, company, partner, state,
    contract) and every decision about them, oldest first. LookupError when unknown."""
    first = aliased(Partner)
    with Session(engine) as session:
        found = session.exec(
            select(Candidate, first.name).outerjoin(first, first.id == Candidate.partner_id)
            .where(Candidate.id == candidate_id)
        ).first()
        if found is None:
            raise LookupError(f"no candidate {candidate_id}")
        person, first_partner = found
        referrals = [_referral_row(*row) for row in session.exec(
            _referral_query().where(Referral.candidate_id == candidate_id)
            .order_by(col(Referral.created_at), col(Referral.id)))]
        events = [_audit_row(event, ref) for event, ref in session.exec(
            _audit_query().where(AuditEvent.candidate_id == candidate_id))]
    contracts = [
        {key: r[key] for key in ("id", "offer", "company", "offer_title", "contract_type",
                                 "contract_start", "contract_end", "contract_duration",
                                 "weekly_hours")}
        for r in referrals if r["status"] == ReferralState.HIRED
    ]
    return {
        "candidate": {
            "id": person.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "birth_date": _iso(person.birth_date),
            "first_partner": first_partner,
            "created_at": _iso(person.created_at),
        },
        "referrals": referrals,
        "contracts": contracts,
        "decisions": events,
    }


def waiting_companies(engine: Engine, now: datetime | None = None) -> list[dict]:
    """Companies sent a blank form they have not returned (FormRequest not answered), oldest
    first: name, lot and market, where the form went, when it was sent and reminded, days waiting
    (`stage`: "sent", or "reminded" once the one reminder went)."""
    from mailbot.domain.lots import lot_labels
    from mailbot.domain.models import FormRequest, utcnow

    now = now or utcnow()
    query = (select(FormRequest, Company.legal_name, Company.siret)
             .join(Company, Company.id == FormRequest.company_id)
             .where(FormRequest.answered_at.is_(None))
             .order_by(FormRequest.sent_at, FormRequest.id))
    with Session(engine) as session:
        rows = session.exec(query).all()
        labels = lot_labels(session, {r.lot_id for r, _n, _s in rows if r.lot_id is not None})
    out = []
    for request, name, siret in rows:
        sent = _aware(request.sent_at)
        out.append({
            "request": request.id, "company": name, "siret": siret,
            "lot_id": request.lot_id, "lot": labels.get(request.lot_id), "email": request.address,
            "sent_at": _iso(sent), "reminded_at": _iso(_aware(request.reminded_at)),
            "days_waiting": (now - sent).days if sent else None,
            "stage": "reminded" if request.reminded_at else "sent",
        })
    return out


def _aware(value: datetime | None) -> datetime | None:
    """A stored datetime as aware UTC (SQLite gives it back naive)."""
    from datetime import UTC

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def show_offer(engine: Engine, ref: str) -> dict:
    """One offer: its fields, status, history (every revision with its changes, source and
    date), who received it and why (its routing rows, else its broadcasts), how many referrals.
    LookupError when there is no such offer."""
    from mailbot.domain.models import OfferRevision, OfferRouting
    from mailbot.domain.offers import OFFER_KEYS

    with Session(engine) as session:
        offer = session.exec(select(Offer).where(Offer.ref == ref.strip().upper())).first()
        if offer is None:
            raise LookupError(f"no offer {ref.strip()}")
        company = session.get(Company, offer.company_id) if offer.company_id else None
        revisions = session.exec(select(OfferRevision).where(OfferRevision.offer_id == offer.id)
                                 .order_by(col(OfferRevision.version))).all()
        routing = session.exec(select(OfferRouting, Partner.name).join(
            Partner, Partner.id == OfferRouting.partner_id).where(
            OfferRouting.offer_id == offer.id).order_by(col(OfferRouting.id))).all()
        sent = session.exec(select(OutboxMessage, Partner.name).outerjoin(
            Partner, Partner.id == OutboxMessage.partner_id).where(
            OutboxMessage.offer_id == offer.id, OutboxMessage.role == "partner/broadcast")
            .order_by(col(OutboxMessage.id))).all()
        referrals = session.exec(select(func.count(Referral.id)).where(
            Referral.offer_id == offer.id)).one()
        if routing:
            recipients = [{"partner": name, "included": row.included, "reason": row.reason}
                          for row, name in routing]
        else:
            recipients = [{"partner": name, "included": True,
                           "reason": f"broadcast {row.status}" + (
                               f" {_iso(row.sent_at)}" if row.sent_at else "")}
                          for row, name in sent]
        return {
            "ref": offer.ref,
            "status": offer.status,
            "version": offer.version,
            "company": {k: getattr(company, k) for k in ("legal_name", "siret", "contact_name",
                                                         "email", "phone")} if company else None,
            "fields": {k: _iso(v) if isinstance(v, date) else v
                       for k in OFFER_KEYS if (v := getattr(offer, k)) not in (None, "")},
            "missing": list(offer.missing),
            "created_at": _iso(offer.created_at),
            "published_at": _iso(offer.published_at),
            "closed_at": _iso(offer.closed_at),
            "history": [{"version": r.version, "source": r.source, "at": _iso(r.created_at),
                         "inbound_id": r.inbound_id, "changes": r.changes}
                        for r in revisions],
            "recipients": recipients,
            "broadcasts": len(sent),
            "referrals": int(referrals or 0),
        }
