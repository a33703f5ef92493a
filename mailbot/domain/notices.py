"""What decisions tell people: presentations to companies, feedback to partners, offer notices.

Called by `Decisions.finish()` in the decisions' own transaction (see mailbot.domain.services):
- one `company/presentation` per offer whose referrals reached `presented` in the batch, to the
  address whose form created the offer, CVs attached, contacts as `[workflow]
  share_candidate_contacts` allows;
- one `partner/feedback` per partner and per address that sent its referrals, listing only that
  partner's own candidates whose state changed (a comment with health or eligibility words is
  withheld, see rules/sensitive.toml);
- one `partner/offer_update` per offer filled, closed or reopened, to every partner that was sent
  the offer's broadcast.
No candidate's personal data is logged.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from mailbot.domain.candidates import fold_name
from mailbot.domain.models import (
    Candidate,
    Company,
    Document,
    Offer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Referral,
)
from mailbot.domain.states import ReferralState, RefusalReason
from mailbot.errors import MailbotError
from mailbot.resources import rule_file

__all__ = [
    "WITHHELD",
    "is_sensitive",
    "queue_all",
    "queue_feedback",
    "queue_full_feedback",
    "queue_full_feedback_all",
    "queue_offer_updates",
    "queue_presentations",
]

log = logging.getLogger(__name__)

WITHHELD = "commentaire transmis par le référent sur demande"
_OFFER_KEYS = ("title", "positions", "recruitment_date", "main_activities", "required_skills",
               "experience", "training", "special_requirements", "contract_type",
               "contract_duration", "weekly_hours", "gross_salary", "workplace")


# -- the batch ---------------------------------------------------------------------------------
def queue_all(session: Session, composer: Any, config: Any, changes: list,
              offer_notices: dict) -> None:
    """Queue, in `session`, the emails that `changes` (services.Change) and `offer_notices`
    (offer id → its new state) call for."""
    moved = _net_changes(changes)
    queue_presentations(session, composer, config, [
        row for row, first in moved if row.status == ReferralState.PRESENTED
        and first != ReferralState.PRESENTED])
    queue_feedback(session, composer, [row for row, _first in moved])
    queue_offer_updates(session, composer, offer_notices)


def _net_changes(changes: list) -> list[tuple[Referral, str]]:
    """(referral, state before the batch) for each referral whose state differs at the end of
    the batch (a decision undone in the same batch tells nobody anything)."""
    first: dict[int, str] = {}
    rows: dict[int, Referral] = {}
    for change in changes:
        row = change.referral
        first.setdefault(row.id, change.from_state)
        rows[row.id] = row
    return [(rows[rid], before) for rid, before in first.items() if rows[rid].status != before]


# -- presentation to the company -------------------------------------------------------------
def queue_presentations(session: Session, composer: Any, config: Any,
                        referrals: list[Referral]) -> int:
    """One `company/presentation` per offer of `referrals` (all presented): returns how many."""
    by_offer: dict[int, list[Referral]] = defaultdict(list)
    for row in referrals:
        if row.offer_id is not None:
            by_offer[row.offer_id].append(row)
    share = getattr(getattr(config, "workflow", None), "share_candidate_contacts", "none")
    sent = 0
    for offer_id, rows in sorted(by_offer.items()):
        offer = session.get(Offer, offer_id)
        if offer is None:
            continue
        company = session.get(Company, offer.company_id) if offer.company_id else None
        address = offer.contact_address or (company.email if company else None)
        if not address:
            log.warning("offer %s: no address for the company, presentation not sent", offer.ref)
            continue
        people, attachments = [], []
        taken: set[str] = set()
        for row in sorted(rows, key=lambda r: r.id or 0):
            person = session.get(Candidate, row.candidate_id)
            document = session.get(Document, row.cv_document_id) if row.cv_document_id else None
            view = {
                "first_name": person.first_name if person else None,
                "last_name": person.last_name if person else None,
                "email": person.email if person and share in ("email", "all") else None,
                "phone": person.phone if person and share == "all" else None,
                "cv": None,
            }
            if document is not None:
                view["cv"] = _cv_name(document, view, taken)
                attachments.append(_attachment(document, view["cv"]))
            people.append(view)
        context = {
            "company": {"legal_name": company.legal_name if company else None,
                        "contact_name": company.contact_name if company else None},
            "offer": _offer_view(offer, None),
            "candidates": people,
            "contacts": share,
        }
        headers = _thread(session, "company/ack", inbound_id=offer.inbound_id)
        if _queue(session, composer, "company/presentation", context, [address],
                  offer_id=offer.id, attachments=attachments, **headers):
            sent += 1
    return sent


def _cv_name(document: Document, person: dict, taken: set[str]) -> str:
    """'CV Léa Durand.pdf' (the stored file's extension), unique within one email."""
    suffix = ("." + document.filename.rsplit(".", 1)[-1]) if "." in document.filename else ""
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    base = f"CV {name}" if name else (document.filename.rsplit(".", 1)[0] or "CV")
    candidate, n = f"{base}{suffix}", 2
    while candidate.lower() in taken:
        candidate, n = f"{base} ({n}){suffix}", n + 1
    taken.add(candidate.lower())
    return candidate


def _attachment(document: Document, filename: str) -> Any:
    from mailbot.outbox.compose import OutAttachment

    return OutAttachment(filename=filename, content_type=document.content_type,
                         data=bytes(document.data))


# -- feedback to partners --------------------------------------------------------------------
# What the feedback reads of a referral (an ORM Referral or a row of `_FEEDBACK_COLUMNS`: the
# same attribute names); never eligibility.
_FEEDBACK_COLUMNS = (Referral.id, Referral.offer_id, Referral.partner_id, Referral.sender,
                     Referral.status, Referral.comment, Referral.refusal_reason,
                     Referral.contract_type, Referral.contract_start, Referral.contract_end,
                     Referral.contract_duration, Referral.weekly_hours, Referral.candidate_id)
_IN_CHUNK = 500  # ids per IN list (a decision batch is small; the full feedback uses joins)


def queue_feedback(session: Session, composer: Any, referrals: list[Referral], *,
                   full: bool = False) -> int:
    """One `partner/feedback` per (partner, address that sent the referrals), each listing only
    that partner's referrals among `referrals`; returns how many emails were queued."""
    rows = [row for row in referrals if row.partner_id is not None]
    if not rows:
        return 0
    partners = _by_id(session, Partner, {row.partner_id for row in rows})
    names = {pid: (first, last) for pid, first, last in _in_chunks(
        session, select(Candidate.id, Candidate.first_name, Candidate.last_name),
        Candidate.id, {row.candidate_id for row in rows})}
    offers = _offer_views(session, _in_chunks(
        session, _offer_query(), Offer.id, {row.offer_id for row in rows if row.offer_id}))
    sent = _queue_feedback_groups(session, composer, rows, partners, names, offers, full=full)
    return sum(sent.values())


def queue_full_feedback(session: Session, composer: Any, config: Any, partner: Partner) -> int:
    """Send `partner` the state of all its candidates (`mailbot feedback send`): one email per
    address its referrals came from; returns how many emails were queued."""
    return queue_full_feedback_all(session, composer, config, [partner]).get(partner.id, 0)


def queue_full_feedback_all(session: Session, composer: Any, config: Any,
                            partners: list[Partner]) -> dict[int, int]:
    """The full feedback of each of `partners` (as `queue_full_feedback`), read in three
    queries whatever the number of referrals: partner id → emails queued."""
    wanted = {p.id: p for p in partners if p.id is not None}
    if not wanted:
        return {}
    ids = sorted(wanted)
    rows = list(session.exec(
        select(*_FEEDBACK_COLUMNS, Candidate.first_name, Candidate.last_name)
        .outerjoin(Candidate, Candidate.id == Referral.candidate_id)
        .where(col(Referral.partner_id).in_(ids))
        .order_by(col(Referral.offer_id), col(Referral.id))))
    names = {row.candidate_id: (row.first_name, row.last_name) for row in rows}
    offers = _offer_views(session, session.exec(_offer_query().where(col(Offer.id).in_(
        select(Referral.offer_id).where(col(Referral.partner_id).in_(ids)).distinct()))))
    sent = _queue_feedback_groups(session, composer, rows, wanted, names, offers, full=True)
    return {pid: sent.get(pid, 0) for pid in ids}


def _queue_feedback_groups(session: Session, composer: Any, rows: list, partners: dict,
                           names: dict, offers: dict, *, full: bool) -> dict[int, int]:
    """Group `rows` per (partner, sending address) and queue one email per group, in the order
    of (partner id, address): partner id → emails queued."""
    groups: dict[tuple[int, str], list] = defaultdict(list)
    addresses: dict[tuple[int, str], str] = {}
    for row in rows:
        partner = partners.get(row.partner_id)
        if partner is None:
            continue  # from an unknown sender: it got a neutral answer, no feedback
        address = (row.sender or (partner.emails[0] if partner.emails else "")).strip()
        if address:
            key = (partner.id, address.lower())
            groups[key].append(row)
            addresses.setdefault(key, address)
    sent: dict[int, int] = defaultdict(int)
    for (partner_id, key), group in sorted(groups.items()):
        partner = partners[partner_id]
        context = {"partner": {"name": partner.name, "kind": partner.kind},
                   "offers": _feedback_offers(group, names, offers), "full": full}
        offer_ids = {row.offer_id for row in group}
        only = next(iter(offer_ids)) if len(offer_ids) == 1 else None
        if _queue(session, composer, "partner/feedback", context, [addresses[(partner_id, key)]],
                  offer_id=only, partner_id=partner.id):
            sent[partner_id] += 1
    return sent


def _by_id(session: Session, model: Any, ids: set) -> dict:
    """Rows of `model` by id (the session's own objects when it holds them)."""
    return {row.id: row for row in _in_chunks(session, select(model), model.id, ids)}


def _in_chunks(session: Session, query: Any, column: Any, ids: set) -> list:
    """`query` restricted to `column` IN `ids` (in chunks of _IN_CHUNK ids)."""
    ordered = sorted(i for i in ids if i is not None)
    out: list = []
    for start in range(0, len(ordered), _IN_CHUNK):
        out.extend(session.exec(query.where(col(column).in_(ordered[start:start + _IN_CHUNK]))))
    return out


def _offer_query() -> Any:
    return select(Offer, Company.legal_name).outerjoin(Company, Company.id == Offer.company_id)


def _offer_views(session: Session, rows: Any) -> dict[int, dict]:
    """Offer id → the offer as the feedback template reads it, from (Offer, company name) rows."""
    return {offer.id: _offer_view_named(offer, legal_name) for offer, legal_name in rows}


def _feedback_offers(rows: list, names: dict, offers: dict[int, dict]) -> list[dict]:
    """The partner's referrals grouped per offer, as the feedback template reads them."""
    by_offer: dict[int | None, list] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.offer_id or 0, r.id or 0)):
        by_offer[row.offer_id].append(row)
    return [{"offer": offers.get(offer_id) if offer_id else None,
             "candidates": [_feedback_item(r, names.get(r.candidate_id)) for r in group]}
            for offer_id, group in by_offer.items()]


def _feedback_item(row: Any, name: tuple[str | None, str | None] | None) -> dict:
    first, last = name or (None, None)
    state = ReferralState(row.status)
    comment = (row.comment or "").strip() or None
    withheld = bool(comment and is_sensitive(comment))
    hired = state is ReferralState.HIRED
    return {
        "first_name": first,
        "last_name": last,
        "status": state.value,
        "state": state.french,
        "reason": RefusalReason(row.refusal_reason).french
        if state is ReferralState.NOT_HIRED and row.refusal_reason else None,
        "comment": None if withheld else comment,
        "comment_withheld": withheld,
        "contract": {
            "type": row.contract_type,
            "start": row.contract_start.isoformat() if row.contract_start else None,
            "end": row.contract_end.isoformat() if row.contract_end else None,
            "duration": row.contract_duration,
            "weekly_hours": row.weekly_hours,
        } if hired else None,
    }


# -- offers filled, closed, reopened ---------------------------------------------------------
def queue_offer_updates(session: Session, composer: Any, offer_notices: dict) -> int:
    """One `partner/offer_update` per (offer, partner that was sent its broadcast)."""
    sent = 0
    for offer_id, state in sorted(offer_notices.items()):
        offer = session.get(Offer, offer_id)
        if offer is None:
            continue
        company = session.get(Company, offer.company_id) if offer.company_id else None
        broadcasts = session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "partner/broadcast", OutboxMessage.offer_id == offer.id,
            col(OutboxMessage.status).not_in([OutboxStatus.HELD, OutboxStatus.FAILED]))
            .order_by(col(OutboxMessage.id))).all()
        done: set[int] = set()
        for broadcast in broadcasts:
            if broadcast.partner_id is None or broadcast.partner_id in done:
                continue
            done.add(broadcast.partner_id)
            partner = session.get(Partner, broadcast.partner_id)
            if partner is None:
                continue
            context = {"partner": {"name": partner.name, "kind": partner.kind},
                       "offer": _offer_view(offer, company), "state": str(state)}
            to = list(partner.emails) or list(broadcast.recipients)
            if _queue(session, composer, "partner/offer_update", context, to, offer_id=offer.id,
                      partner_id=partner.id, in_reply_to=broadcast.message_id,
                      references=[broadcast.message_id]):
                sent += 1
    return sent


# -- sensitive comments ----------------------------------------------------------------------
_TERMS_CACHE: dict[tuple[str, float], list[tuple[list[str], bool]]] = {}


def _terms() -> list[tuple[list[str], bool]]:
    """rules/sensitive.toml's terms as (folded words, last word is a prefix)."""
    path = rule_file("sensitive.toml")
    key = (str(path), Path(path).stat().st_mtime)
    if key not in _TERMS_CACHE:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        terms = []
        for term in data.get("terms") or []:
            text = str(term).strip()
            prefix = text.endswith("*")
            words = fold_name(text.rstrip("*")).split()
            if words:
                terms.append((words, prefix))
        _TERMS_CACHE.clear()
        _TERMS_CACHE[key] = terms
    return _TERMS_CACHE[key]


def is_sensitive(text: str | None) -> bool:
    """Does `text` name health, disability, eligibility or justice matters (sensitive.toml)?"""
    words = fold_name(text).split()
    if not words:
        return False
    for term, prefix in _terms():
        size = len(term)
        for start in range(len(words) - size + 1):
            window = words[start:start + size]
            if window[:-1] != term[:-1]:
                continue
            last = window[-1]
            if last == term[-1] or (prefix and last.startswith(term[-1])):
                return True
    return False


# -- shared ----------------------------------------------------------------------------------
def _offer_view(offer: Offer, company: Company | None) -> dict:
    """The offer as templates read it (see templates/company/ack.txt.j2)."""
    return _offer_view_named(offer, company.legal_name if company else None)


def _offer_view_named(offer: Offer, company_name: str | None) -> dict:
    """`_offer_view` with the company's name given."""
    view = {name: getattr(offer, name) for name in _OFFER_KEYS}
    view["recruitment_date"] = offer.recruitment_date.isoformat() if offer.recruitment_date else None
    view.update(ref=offer.ref, market=offer.market, company_name=company_name)
    return view


def _thread(session: Session, role: str, *, inbound_id: int | None) -> dict:
    """In-Reply-To/References to the email of `role` answering message `inbound_id`, if any."""
    if inbound_id is None:
        return {}
    first = session.exec(select(OutboxMessage.message_id).where(
        OutboxMessage.role == role, OutboxMessage.inbound_id == inbound_id)
        .order_by(col(OutboxMessage.id))).first()
    return {"in_reply_to": first, "references": [first]} if first else {}


_ADDRESS = re.compile(r"^[^\s@]+@[^\s@]+$")


def _queue(session: Session, composer: Any, role: str, context: dict, to: list[str],
           **kwargs: Any) -> bool:
    """Queue one email; False (logged, without personal data) when no address is usable."""
    if not any(_ADDRESS.match((a or "").strip()) for a in to):
        log.warning("%s: no usable address, email not queued", role)
        return False
    try:
        composer.queue(session, role, context, to=to, **kwargs)
    except MailbotError as exc:
        log.warning("%s: not queued (%s)", role, type(exc).__name__)
        return False
    return True
