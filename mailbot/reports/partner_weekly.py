"""The partners' weekly feedback (`partner/weekly`): to each partner, what became of ITS
candidates this week (the référent's decisions: AuditEvent rows of the period) and which of them
are still pending (new, under review, presented, on hold).

Only the partner's own referrals (Referral.partner_id) are ever read for its email; never
eligibility, never a comment with health or eligibility words (withheld as in
`mailbot.domain.notices`). One `ReportRun` per partner per ISO week (recipient
"partner:<id>"); a partner with nothing changed and nothing pending gets no email (its week is
still recorded). The data of all partners comes from four queries, whatever their number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from mailbot.domain.models import AuditEvent, Candidate, Company, Offer, Partner, Referral, ReportRun
from mailbot.domain.notices import is_sensitive
from mailbot.domain.states import ReferralState, RefusalReason
from mailbot.outbox.labels_fr import date_fr, day_fr
from mailbot.reports.periods import ReportResult, week_key, write_once

__all__ = ["KIND", "PENDING", "ROLE", "PartnerWeek", "collect", "recipient_key", "weekly_context",
           "write_weekly"]

KIND = "partner_feedback"
ROLE = "partner/weekly"
PENDING = (ReferralState.NEW, ReferralState.UNDER_REVIEW, ReferralState.PRESENTED,
           ReferralState.ON_HOLD)
WEEK = timedelta(days=7)


def recipient_key(partner_id: int) -> str:
    """The ReportRun recipient of a partner's weekly feedback."""
    return f"partner:{partner_id}"


@dataclass
class PartnerWeek:
    """One partner's week: its referrals that changed, and those still pending."""

    partner_id: int
    name: str
    kind: str
    emails: list[str]
    start: datetime
    changed: list[dict] = field(default_factory=list)  # candidate views, with "offer"
    pending: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changed and not self.pending


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _query():
    """The columns a partner's email shows (never eligibility), one row per referral."""
    return (select(Referral.id, Referral.partner_id, Referral.status, Referral.comment,
                   Referral.refusal_reason, Referral.contract_type, Referral.contract_start,
                   Referral.contract_end, Referral.contract_duration, Referral.weekly_hours,
                   Referral.created_at, Candidate.first_name, Candidate.last_name, Offer.ref,
                   Offer.title, Company.legal_name)
            .join(Candidate, Candidate.id == Referral.candidate_id)
            .outerjoin(Offer, Offer.id == Referral.offer_id)
            .outerjoin(Company, Company.id == Offer.company_id)
            .where(col(Referral.partner_id).is_not(None)))


def _view(row: Any) -> dict:
    """A row of `_query()` as the template reads it."""
    ref = row.ref
    state = ReferralState(row.status)
    comment = (row.comment or "").strip() or None
    withheld = bool(comment and is_sensitive(comment))
    return {
        "id": row.id,
        "first_name": row.first_name, "last_name": row.last_name,
        "status": state.value, "state": state.french,
        "offer": {"ref": ref, "title": row.title, "company_name": row.legal_name} if ref else None,
        "reason": RefusalReason(row.refusal_reason).french
        if state is ReferralState.NOT_HIRED and row.refusal_reason else None,
        "comment": None if withheld else comment,
        "comment_withheld": withheld,
        "contract": {"type": row.contract_type,
                     "start": row.contract_start.isoformat() if row.contract_start else None,
                     "end": row.contract_end.isoformat() if row.contract_end else None,
                     "duration": row.contract_duration, "weekly_hours": row.weekly_hours}
        if state is ReferralState.HIRED else None,
        "received": date_fr(_utc(row.created_at)),
    }


def collect(session: Session, *, end: datetime, default_span: timedelta = WEEK
            ) -> list[PartnerWeek]:
    """Every active partner's week ending at `end` (each from the end of its previous weekly
    feedback, else `default_span` before `end`)."""
    end = _utc(end)
    partners = list(session.exec(select(Partner).where(Partner.active).order_by(col(Partner.id))))
    if not partners:
        return []
    previous = dict(session.exec(
        select(ReportRun.recipient, func.max(ReportRun.period_end))
        .where(ReportRun.kind == KIND, col(ReportRun.period_end) <= end)
        .group_by(ReportRun.recipient)).all())
    weeks: dict[int, PartnerWeek] = {}
    for partner in partners:
        last = previous.get(recipient_key(partner.id))
        weeks[partner.id] = PartnerWeek(partner.id, partner.name, partner.kind,
                                        list(partner.emails),
                                        _utc(last) if last else end - default_span)
    earliest = min(week.start for week in weeks.values())

    # what changed: the audit rows of the period, first state before and last state after
    first_state: dict[int, str | None] = {}
    last_state: dict[int, str | None] = {}
    changed_on: dict[int, datetime] = {}
    events = session.exec(
        select(AuditEvent.referral_id, AuditEvent.at, AuditEvent.from_state, AuditEvent.to_state,
               Referral.partner_id)
        .join(Referral, Referral.id == AuditEvent.referral_id)
        .where(col(AuditEvent.at) >= earliest, col(AuditEvent.at) < end,
               col(AuditEvent.to_state).is_not(None), col(Referral.partner_id).is_not(None))
        .order_by(col(AuditEvent.at), col(AuditEvent.id)))
    for referral_id, at, before, after, partner_id in events:
        week = weeks.get(partner_id)
        if week is None or _utc(at) < week.start:
            continue
        first_state.setdefault(referral_id, before)
        last_state[referral_id] = after
        changed_on[referral_id] = _utc(at)
    moved = {rid for rid in last_state if last_state[rid] != first_state[rid]}
    if moved:  # the referrals with audit rows in the period (a subquery: no list of ids sent)
        touched = (select(AuditEvent.referral_id)
                   .where(col(AuditEvent.at) >= earliest, col(AuditEvent.at) < end,
                          col(AuditEvent.to_state).is_not(None)))
        for row in session.exec(_query().where(col(Referral.id).in_(touched))
                                .order_by(col(Referral.offer_id), col(Referral.id))):
            if row.id not in moved:
                continue
            view = _view(row)
            view["changed_on"] = date_fr(changed_on[row.id])
            weeks[row.partner_id].changed.append(view)

    # still pending, whatever the period
    for row in session.exec(
            _query().where(col(Referral.status).in_([s.value for s in PENDING]))
            .order_by(col(Referral.offer_id), col(Referral.id))):
        week = weeks.get(row.partner_id)
        if week is None:
            continue
        view = _view(row)
        view["new"] = _utc(row.created_at) >= week.start
        week.pending.append(view)
    return list(weeks.values())


def _by_offer(views: list[dict]) -> list[dict]:
    groups: dict[str | None, list[dict]] = defaultdict(list)
    offers: dict[str | None, dict | None] = {}
    for view in views:
        key = view["offer"]["ref"] if view["offer"] else None
        groups[key].append(view)
        offers[key] = view["offer"]
    keys = sorted(k for k in groups if k is not None) + ([None] if None in groups else [])
    return [{"offer": offers[k], "candidates": groups[k]} for k in keys]


def weekly_context(week: PartnerWeek, *, end: datetime, tz: ZoneInfo) -> dict:
    """What the partner/weekly templates read (see templates/partner/weekly.txt.j2)."""
    return {
        "partner": {"name": week.name, "kind": week.kind},
        "since": day_fr(week.start.astimezone(tz).date()),
        "until": day_fr(_utc(end).astimezone(tz).date()),
        "changed": _by_offer(week.changed),
        "pending": _by_offer(week.pending),
        "counts": {"changed": len(week.changed), "pending": len(week.pending),
                   "new": sum(1 for v in week.pending if v.get("new"))},
    }


def write_weekly(engine: Engine, composer: Any, config: Any, *, due: datetime,
                 now: datetime) -> list[ReportResult]:
    """Write each partner's weekly feedback due at `due` (its period: the local ISO week),
    once per partner and week (another daemon's copy is not written)."""
    tz = ZoneInfo(config.schedule.timezone)
    key = week_key(due, tz)
    with Session(engine) as session:
        weeks = collect(session, end=now)
    results = []
    for week in weeks:

        def build(session: Session, start: datetime, end: datetime,
                  week: PartnerWeek = week) -> int | None:
            if week.empty:
                return None
            row = composer.queue(session, ROLE, weekly_context(week, end=end, tz=tz),
                                 to=week.emails, partner_id=week.partner_id)
            session.flush()
            return row.id

        results.append(write_once(engine, kind=KIND, recipient=recipient_key(week.partner_id),
                                  period_key=key, now=now, default_span=WEEK, build=build))
    return results
