"""The référent's daily digest (`referent/digest`): what needs them this morning.

Since the previous digest (its `ReportRun`), else the last 24 h: new forms (complete or not),
new referrals per offer with the R-ids the email commands use, flagged and quarantined messages,
failed emails, unknown form labels seen. Standing items, whatever the period: offers waiting
for review, decisions awaited (presented with no answer for `[reports] decision_wait_days`),
open offers with no candidate after `[reports] stale_days`, recruitment dates within 7 days,
blank forms not returned, held emails. Nothing at all: a one-line digest, or none
(`[reports] empty_digest = "skip"`).

Each section is one set-based query (a dozen per digest, whatever the data). A section lists at
most `SECTION_LIMIT` lines (the first in its order: the oldest decisions awaited, ...); its
heading gives the full count and a last line "… et N autres" points to the CLI listing the rest
(a référent cannot read thousands of lines; the subject and headings stay exact). The référent may
answer the digest with command lines ("R12 présenté"): no line of the digest is shaped like a
command (the R-id comes last), so only what they type is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mailbot.domain.models import (
    Candidate,
    Company,
    FormRequest,
    InboundMessage,
    InboundStatus,
    LabelSighting,
    Lot,
    Market,
    Offer,
    OfferStatus,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Referral,
)
from mailbot.domain.states import Eligibility, OfferState, ReferralState
from mailbot.outbox.labels_fr import date_fr, datetime_fr, day_fr, field_label
from mailbot.reports.periods import ReportResult, day_key, write_once

__all__ = ["KIND", "ROLE", "SECTION_LIMIT", "Digest", "collect", "digest_context", "preview_digest",
           "write_digest"]

KIND = "digest"
ROLE = "referent/digest"
UPCOMING_DAYS = 7
SECTION_LIMIT = 100  # lines listed per section; the rest counted ("… et N autres")
_ACTIVE = (OfferStatus.RECEIVED, OfferStatus.INCOMPLETE, OfferStatus.OPEN, OfferStatus.HELD)


@dataclass
class Digest:
    """What one digest says; each list holds plain dicts the templates read."""

    start: datetime
    end: datetime
    new_offers: list[dict] = field(default_factory=list)
    to_review: list[dict] = field(default_factory=list)
    referrals: list[dict] = field(default_factory=list)  # per offer: {"offer", "candidates"}
    awaiting: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)
    upcoming: list[dict] = field(default_factory=list)
    forms_out: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    held: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # a section's size beyond its lines

    @property
    def counts(self) -> dict[str, int]:
        """Each section's full size (its listed lines may be fewer: see `more`)."""
        listed = {
            "new_offers": len(self.new_offers),
            "complete": sum(1 for o in self.new_offers if o["complete"]),
            "incomplete": sum(1 for o in self.new_offers if not o["complete"]),
            "to_review": len(self.to_review),
            "referrals": sum(len(g["candidates"]) for g in self.referrals),
            "awaiting": len(self.awaiting),
            "stale": len(self.stale),
            "upcoming": len(self.upcoming),
            "forms_out": len(self.forms_out),
            "messages": len(self.messages),
            "held": len(self.held),
            "failed": len(self.failed),
            "labels": len(self.labels),
        }
        return {name: self.totals.get(name, n) for name, n in listed.items()}

    @property
    def more(self) -> dict[str, int]:
        """Lines left out of each section (0: all listed)."""
        counts = self.counts
        listed = {"referrals": sum(len(g["candidates"]) for g in self.referrals)}
        return {name: counts[name] - listed.get(name, len(getattr(self, name)))
                for name in counts if name not in ("complete", "incomplete")}

    @property
    def empty(self) -> bool:
        counts = self.counts
        return not any(v for k, v in counts.items() if k not in ("complete", "incomplete"))


# -- the queries ---------------------------------------------------------------------------------

def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _name(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (first, last) if p) or "candidat sans nom"


def _offer(ref: str | None, title: str | None, company: str | None) -> dict:
    return {"ref": ref, "title": title, "company": company}


class _Lines(list):
    """A section's first SECTION_LIMIT lines; `total` counts them all."""

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def offer(self, make: Callable[[], dict]) -> None:
        """Count a row read, and make its line if there is room."""
        self.total += 1
        if len(self) < SECTION_LIMIT:
            self.append(make())

    def read(self, session: Session, query: Any, make: Callable[[Any], dict]) -> _Lines:
        """The lines of `query`'s first SECTION_LIMIT rows; the total comes with them (a window
        count in the same query): a long standing list is neither fetched nor built."""
        for row in session.exec(query.add_columns(func.count().over().label("section_total"))
                                .limit(SECTION_LIMIT)):
            self.total = int(row.section_total)
            self.append(make(row))
        return self


def collect(session: Session, config: Any, *, start: datetime, end: datetime) -> Digest:
    """The digest of the period [start, end); standing items as of `end`."""
    start, end = _utc(start), _utc(end)
    tz = ZoneInfo(config.schedule.timezone)
    today = end.astimezone(tz).date()
    digest = Digest(start=start, end=end)
    in_period = and_(col(Offer.created_at) >= start, col(Offer.created_at) < end)
    offer_cols = (Offer.id, Offer.ref, Offer.title, Offer.status, Offer.missing,
                  Offer.created_at, Offer.published_at, Offer.recruitment_date, Company.legal_name)

    new_offers, incomplete = _Lines(), 0
    for row in session.exec(select(*offer_cols).outerjoin(Company, Company.id == Offer.company_id)
                            .where(in_period).order_by(col(Offer.id))):
        incomplete += row.status == OfferStatus.INCOMPLETE
        new_offers.offer(lambda row=row: {
            **_offer(row.ref, row.title, row.legal_name),
            "complete": row.status != OfferStatus.INCOMPLETE,
            "state": OfferState(row.status).french,
            "missing": [field_label(name.split("|")[0]) for name in row.missing or []],
        })
    digest.new_offers = new_offers
    if new_offers.total > len(new_offers):
        digest.totals.update(complete=new_offers.total - incomplete, incomplete=incomplete)
    digest.to_review = _Lines().read(
        session, select(*offer_cols).outerjoin(Company, Company.id == Offer.company_id)
        .where(Offer.status == OfferStatus.RECEIVED).order_by(col(Offer.created_at), col(Offer.id)),
        lambda row: {**_offer(row.ref, row.title, row.legal_name),
                     "received": date_fr(row.created_at)})

    digest.awaiting = _awaiting(session, end - timedelta(days=config.reports.decision_wait_days),
                                today)
    digest.stale = _stale(session, end - timedelta(days=config.reports.stale_days), offer_cols,
                          today)
    digest.upcoming = _upcoming(session, today, offer_cols)
    digest.forms_out = _forms_out(session)
    digest.messages = _messages(session, start, end)
    digest.held, digest.failed = _emails(session, start, end)
    digest.labels = _Lines().read(
        session, select(LabelSighting.wording, func.count(LabelSighting.id).label("seen"))
        .where(col(LabelSighting.seen_at) >= start, col(LabelSighting.seen_at) < end)
        .group_by(LabelSighting.wording)
        .order_by(func.count(LabelSighting.id).desc(), col(LabelSighting.wording)),
        lambda row: {"wording": row.wording, "count": int(row.seen)})
    digest.referrals, referrals = _new_referrals(session, start, end)
    for name in ("new_offers", "to_review", "awaiting", "stale", "upcoming", "forms_out",
                 "messages", "held", "failed", "labels"):
        lines = getattr(digest, name)
        if lines.total > len(lines):
            digest.totals[name] = lines.total
    if referrals > sum(len(g["candidates"]) for g in digest.referrals):
        digest.totals["referrals"] = referrals
    return digest


def _referral_query():
    return (select(Referral.id, Referral.offer_id, Referral.flagged, Referral.duplicate_of,
                   Referral.eligibility, Referral.decided_at, Candidate.first_name,
                   Candidate.last_name, Partner.name.label("partner"), Offer.ref, Offer.title,
                   Company.legal_name)
            .join(Candidate, Candidate.id == Referral.candidate_id)
            .outerjoin(Partner, Partner.id == Referral.partner_id)
            .outerjoin(Offer, Offer.id == Referral.offer_id)
            .outerjoin(Company, Company.id == Offer.company_id))


def _new_referrals(session: Session, start: datetime, end: datetime) -> tuple[list[dict], int]:
    """The period's referrals grouped per offer (the first SECTION_LIMIT of them, those tied to
    no offer last), and how many there were in all."""
    groups: dict[int | None, dict] = {}
    rows = session.exec(_referral_query().add_columns(func.count().over().label("section_total"))
                        .where(col(Referral.created_at) >= start, col(Referral.created_at) < end)
                        .order_by(col(Referral.offer_id).is_(None), col(Offer.ref),
                                  col(Referral.id))
                        .limit(SECTION_LIMIT))
    total = 0
    for row in rows:
        total = int(row.section_total)
        group = groups.setdefault(row.offer_id, {
            "offer": _offer(row.ref, row.title, row.legal_name) if row.offer_id else None,
            "candidates": []})
        notes = []
        if row.duplicate_of:
            notes.append(f"déjà proposée (R{row.duplicate_of})")
        elif row.offer_id is None:
            notes.append("aucune offre reconnue (mailbot referrals attach)")
        elif row.flagged:
            notes.append("à vérifier")
        publics = [Eligibility(code).french for code in row.eligibility or []
                   if code in Eligibility._value2member_map_]
        group["candidates"].append({"id": row.id, "name": _name(row.first_name, row.last_name),
                               "partner": row.partner or "expéditeur inconnu",
                               "publics": publics, "notes": notes})
    known = [g for key, g in groups.items() if key is not None]
    return known + ([groups[None]] if None in groups else []), total


def _awaiting(session: Session, cutoff: datetime, today: date) -> _Lines:
    def line(row: Any) -> dict:
        presented = _utc(row.decided_at)
        return {"id": row.id, "name": _name(row.first_name, row.last_name),
                "partner": row.partner or "expéditeur inconnu",
                "offer": _offer(row.ref, row.title, row.legal_name),
                "since": date_fr(presented),
                "days": (today - presented.date()).days}

    return _Lines().read(session, _referral_query().where(
        Referral.status == ReferralState.PRESENTED.value, col(Referral.decided_at) <= cutoff)
        .order_by(col(Referral.decided_at), col(Referral.id)), line)


def _stale(session: Session, cutoff: datetime, offer_cols: tuple, today: date) -> _Lines:
    opened = func.coalesce(Offer.published_at, Offer.created_at)
    has_referral = select(Referral.id).where(Referral.offer_id == Offer.id).exists()
    def line(row: Any) -> dict:
        since = _utc(row.published_at or row.created_at)
        return {**_offer(row.ref, row.title, row.legal_name), "since": date_fr(since),
                "days": (today - since.date()).days}

    return _Lines().read(session, select(*offer_cols)
                         .outerjoin(Company, Company.id == Offer.company_id)
                         .where(Offer.status == OfferStatus.OPEN, opened <= cutoff, ~has_referral)
                         .order_by(opened, col(Offer.id)), line)


def _upcoming(session: Session, today: date, offer_cols: tuple) -> _Lines:
    hired = (select(Referral.offer_id, func.count(Referral.id).label("hired"))
             .where(Referral.status == ReferralState.HIRED.value)
             .group_by(Referral.offer_id).subquery())
    out = _Lines()
    for row in session.exec(
            select(*offer_cols, Offer.positions, func.coalesce(hired.c.hired, 0).label("hired"))
            .outerjoin(Company, Company.id == Offer.company_id)
            .outerjoin(hired, hired.c.offer_id == Offer.id)
            .where(col(Offer.status).in_(_ACTIVE), col(Offer.recruitment_date) >= today,
                   col(Offer.recruitment_date) <= today + timedelta(days=UPCOMING_DAYS))
            .order_by(col(Offer.recruitment_date), col(Offer.id))):
        out.offer(lambda row=row: {
            **_offer(row.ref, row.title, row.legal_name), "date": day_fr(row.recruitment_date),
            "days": (row.recruitment_date - today).days, "positions": row.positions,
            "hired": int(row.hired), "state": OfferState(row.status).french})
    return out


def _forms_out(session: Session) -> _Lines:
    out = _Lines()
    for row in session.exec(
            select(FormRequest.sent_at, FormRequest.reminded_at, FormRequest.address,
                   Company.legal_name, Lot.number, Lot.label, Market.name, Market.reference)
            .join(Company, Company.id == FormRequest.company_id)
            .outerjoin(Lot, Lot.id == FormRequest.lot_id)
            .outerjoin(Market, Market.id == Lot.market_id)
            .where(col(FormRequest.answered_at).is_(None), col(FormRequest.sent_at).is_not(None))
            .order_by(col(FormRequest.sent_at), col(FormRequest.id))):

        def line(row: Any = row) -> dict:
            market = row.name or row.reference
            lot = f"lot {row.number}" if row.number else None
            return {"company": row.legal_name or row.address,
                    "market": " – ".join(p for p in (market, lot, row.label) if p) or None,
                    "sent": date_fr(_utc(row.sent_at)),
                    "reminded": date_fr(_utc(row.reminded_at)) if row.reminded_at else None}

        out.offer(line)
    return out


def _messages(session: Session, start: datetime, end: datetime) -> _Lines:
    out = _Lines()
    for row in session.exec(
            select(InboundMessage.id, InboundMessage.from_address, InboundMessage.subject,
                   InboundMessage.status, InboundMessage.reason, InboundMessage.received_at)
            .where(col(InboundMessage.received_at) >= start,
                   col(InboundMessage.received_at) < end,
                   or_(col(InboundMessage.flagged), InboundMessage.status == InboundStatus.QUARANTINED))
            .order_by(col(InboundMessage.id))):
        out.offer(lambda row=row: {
            "id": row.id, "from": row.from_address or "expéditeur illisible",
            "subject": (row.subject or "").strip() or "(sans objet)",
            "quarantined": row.status == InboundStatus.QUARANTINED,
            "reason": row.reason or "raison non précisée",
            "received": datetime_fr(_utc(row.received_at))})
    return out


def _emails(session: Session, start: datetime, end: datetime) -> tuple[_Lines, _Lines]:
    """Held emails (all of them) and emails given up since `start` (by their last attempt)."""
    held, failed = _Lines(), _Lines()
    for row in session.exec(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.role,
                   OutboxMessage.recipients, OutboxMessage.subject, OutboxMessage.created_at,
                   OutboxMessage.last_error)
            .where(or_(OutboxMessage.status == OutboxStatus.HELD,
                       and_(OutboxMessage.status == OutboxStatus.FAILED,
                            or_(col(OutboxMessage.created_at) >= start,
                                col(OutboxMessage.next_attempt_at) >= start))))
            .order_by(col(OutboxMessage.id))):
        (held if row.status == OutboxStatus.HELD else failed).offer(lambda row=row: {
            "id": row.id, "to": ", ".join(row.recipients or []), "subject": row.subject,
            "queued": datetime_fr(_utc(row.created_at)),
            "error": (row.last_error or "")[:200] or None})
    return held, failed


# -- the email ----------------------------------------------------------------------------------

def _since(start: datetime, tz: ZoneInfo) -> str:
    local = start.astimezone(tz)
    return f"{day_fr(local.date())} à {local:%H:%M}"


def digest_context(digest: Digest, config: Any) -> dict:
    """What the referent/digest templates read (see templates/referent/digest.txt.j2)."""
    tz = ZoneInfo(config.schedule.timezone)
    return {
        "day": day_fr(digest.end.astimezone(tz).date()),
        "since": _since(digest.start, tz),
        "counts": digest.counts,
        "more": digest.more,
        "empty": digest.empty,
        "decision_wait_days": config.reports.decision_wait_days,
        "stale_days": config.reports.stale_days,
        "upcoming_days": UPCOMING_DAYS,
        **{name: getattr(digest, name) for name in (
            "new_offers", "to_review", "referrals", "awaiting", "stale", "upcoming", "forms_out",
            "messages", "held", "failed", "labels")},
    }


def write_digest(engine: Engine, composer: Any, config: Any, *, due: datetime, now: datetime,
                 period_key: str | None = None) -> ReportResult:
    """Write the digest due at `due` (its period: the local day), covering since the previous
    digest until `now`, once: a second call for the same period (another daemon) does nothing."""
    tz = ZoneInfo(config.schedule.timezone)
    recipient = config.people.referent

    def build(session: Session, start: datetime, end: datetime) -> int | None:
        digest = collect(session, config, start=start, end=end)
        if digest.empty and config.reports.empty_digest == "skip":
            return None
        row = composer.queue(session, ROLE, digest_context(digest, config), to=[recipient])
        session.flush()
        return row.id

    return write_once(engine, kind=KIND, recipient=recipient,
                      period_key=period_key or day_key(due, tz), now=now,
                      default_span=timedelta(hours=24), build=build)


def preview_digest(engine: Engine, composer: Any, config: Any, *, now: datetime,
                   out_dir: Path) -> list[Path]:
    """Write the digest as it would go now (.eml, text, HTML) into `out_dir`; nothing is sent
    nor recorded."""
    from mailbot.reports.periods import period_start

    recipient = config.people.referent
    with Session(engine) as session:
        start = period_start(session, KIND, recipient, now, timedelta(hours=24))
        digest = collect(session, config, start=start, end=now)
    context = digest_context(digest, config)
    subject, text, html = composer.render_parts(ROLE, context)
    message = composer.render(ROLE, context, to=[recipient])
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "digest.eml", out_dir / "digest.txt", out_dir / "digest.html"]
    paths[0].write_bytes(message.as_bytes())
    paths[1].write_text(f"Objet : {subject}\n\n{text}", encoding="utf-8")
    paths[2].write_text(html, encoding="utf-8")
    return paths
