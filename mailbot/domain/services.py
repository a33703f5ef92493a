"""The référent's decisions: one code path for the CLI and for email commands.

A `Decisions` object lives inside one unit of work (one session, one commit). Each call changes
rows and writes its `AuditEvent` beside them; `finish()` then queues, in the same transaction,
what the changes tell people: one presentation per offer to the company, one feedback email per
partner (its own candidates only), and a notice to the partners of every offer filled, closed
or reopened. The caller commits, then the outbox sender sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from mailbot.domain import notices
from mailbot.domain.audit import record
from mailbot.domain.models import AuditEvent, Offer, Referral, utcnow
from mailbot.domain.states import (
    Action,
    ActorKind,
    Channel,
    Eligibility,
    OfferState,
    ReferralState,
    RefusalReason,
    TransitionError,
    check_transition,
)

__all__ = [
    "Actor",
    "DecisionError",
    "Decisions",
    "HireTerms",
    "OFFER_FIELDS",
]

# Fields `offers edit` may correct, with the type each one holds.
OFFER_FIELDS: dict[str, type] = {
    "title": str, "positions": int, "recruitment_date": date, "main_activities": str,
    "required_skills": str, "experience": str, "training": str, "special_requirements": str,
    "contract_type": str, "contract_duration": str, "weekly_hours": float, "gross_salary": str,
    "workplace": str, "market": str,
}


class DecisionError(ValueError):
    """A decision that cannot be made (unknown referral, transition not allowed, bad value)."""


@dataclass(frozen=True)
class Actor:
    """Who decides and through which channel (an email command also names its message)."""

    kind: ActorKind
    channel: Channel
    address: str | None = None
    inbound_id: int | None = None


@dataclass
class HireTerms:
    """A hire's contract; what is not given comes from the offer."""

    contract_type: str | None = None
    start: date | None = None
    end: date | None = None
    duration: str | None = None
    weekly_hours: float | None = None


@dataclass
class Change:
    """One referral's change, for the emails that follow."""

    referral: Referral
    action: Action
    from_state: str
    to_state: str


@dataclass
class Decisions:
    """Decisions made in one unit of work; call `finish()` before the commit."""

    session: Session
    actor: Actor
    composer: Any = None  # mailbot.outbox.compose.Composer; None: no email (tests of rules only)
    config: Any = None  # mailbot.config.Config
    changes: list[Change] = field(default_factory=list)
    offer_notices: dict[int, str] = field(default_factory=dict)  # offer id → its new state
    published: list[int] = field(default_factory=list)  # offers to broadcast in finish()

    # -- referrals -----------------------------------------------------------------------
    def referral(self, referral_id: int) -> Referral:
        row = self.session.get(Referral, referral_id)
        if row is None:
            raise DecisionError(f"no referral R{referral_id}")
        return row

    def decide(self, referral_id: int, action: Action, *, reason: RefusalReason | None = None,
               comment: str | None = None, terms: HireTerms | None = None) -> Change:
        """Apply `action` to one referral (not `undo`: see `undo`)."""
        if action is Action.UNDO:
            return self.undo(referral_id)
        row = self.referral(referral_id)
        if row.offer_id is None:
            raise DecisionError(f"R{row.id} is tied to no offer (mailbot referrals attach "
                                f"{row.id} REF first)")
        try:
            target = check_transition(row.status, action)
        except TransitionError as exc:
            raise DecisionError(f"R{row.id}: {exc}") from None
        if action is Action.REJECT and reason is None:
            raise DecisionError(f"R{row.id}: a reason is needed to reject "
                                f"({', '.join(r.value for r in RefusalReason)})")
        contract = self._contract(row, terms or HireTerms()) if action is Action.HIRE else {}
        # every check is done: from here on nothing can refuse, so nothing is left half-made
        before = _snapshot(row)
        row.status = target.value
        row.decided_at = utcnow()
        row.comment = comment
        row.refusal_reason = reason.value if action is Action.REJECT and reason else None
        for name, value in contract.items():
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        record(self.session, self.actor, action.value, referral=row, from_state=before["status"],
               to_state=row.status, reason=row.refusal_reason, comment=comment,
               details={"before": before, "after": _snapshot(row)})
        change = Change(row, action, before["status"], row.status)
        self.changes.append(change)
        if action is Action.HIRE:
            self._fill_when_complete(row.offer_id)
        return change

    def undo(self, referral_id: int) -> Change:
        """Return a referral to the state (and details) its last decision found it in."""
        row = self.referral(referral_id)
        last = self._last_decision(row.id)
        if last is None:
            raise DecisionError(f"R{row.id}: no decision to undo")
        before = _snapshot(row)
        _restore(row, last.details.get("before") or {"status": last.from_state})
        self.session.add(row)
        self.session.flush()
        record(self.session, self.actor, Action.UNDO.value, referral=row,
               from_state=before["status"], to_state=row.status,
               reason=f"undoes {last.action}",
               details={"undoes": last.id, "before": before, "after": _snapshot(row)})
        change = Change(row, Action.UNDO, before["status"], row.status)
        self.changes.append(change)
        if before["status"] == ReferralState.HIRED and row.offer_id is not None:
            offer = self.session.get(Offer, row.offer_id)
            if offer is not None and offer.status == OfferState.FILLED:
                self._set_offer(offer, OfferState.OPEN, "offer_reopen",
                                reason=f"R{row.id}'s hire undone")
        return change

    def _last_decision(self, referral_id: int) -> AuditEvent | None:
        events = self.session.exec(
            select(AuditEvent).where(AuditEvent.referral_id == referral_id,
                                     col(AuditEvent.action).in_([a.value for a in Action]))
            .order_by(col(AuditEvent.id).desc())
        ).all()
        undone: set[int] = set()
        for event in events:
            if event.action == Action.UNDO:
                undone.add(int(event.details.get("undoes") or 0))
            elif event.id not in undone:
                return event
        return None

    def _contract(self, row: Referral, terms: HireTerms) -> dict:
        """A hire's contract fields: what the référent gave, else the offer's."""
        offer = self.session.get(Offer, row.offer_id) if row.offer_id else None
        contract = {
            "contract_type": terms.contract_type or (offer.contract_type if offer else None),
            "contract_start": terms.start or (offer.recruitment_date if offer else None),
            "contract_end": terms.end,
            "contract_duration": terms.duration or (
                offer.contract_duration if offer and not terms.end else None),
            "weekly_hours": (terms.weekly_hours if terms.weekly_hours is not None
                             else (offer.weekly_hours if offer else None)),
        }
        start, end = contract["contract_start"], contract["contract_end"]
        if start and end and end < start:
            raise DecisionError(f"R{row.id}: the contract ends before it starts")
        return contract

    # -- offers --------------------------------------------------------------------------
    def offer(self, ref: str) -> Offer:
        row = self.session.exec(select(Offer).where(Offer.ref == ref.strip().upper())).first()
        if row is None:
            raise DecisionError(f"no offer {ref.strip()}")
        return row

    def close_offer(self, ref: str, reason: str | None = None) -> Offer:
        """The référent closes an offer (filled or not); its partners are told."""
        offer = self.offer(ref)
        if offer.status in (OfferState.CLOSED, OfferState.FILLED):
            raise DecisionError(f"offer {offer.ref} is {offer.status} already")
        self._set_offer(offer, OfferState.CLOSED, "offer_close", reason=reason)
        return offer

    def publish_offer(self, ref: str) -> Offer:
        """The référent publishes an offer waiting for review (or an incomplete one, as it is):
        it opens and goes to its partners (queued by `finish()`)."""
        offer = self.offer(ref)
        if offer.status not in (OfferState.RECEIVED, OfferState.INCOMPLETE):
            raise DecisionError(f"offer {offer.ref} is {offer.status}: only a received or "
                                "incomplete offer is published")
        self._set_offer(offer, OfferState.OPEN, "offer_publish")
        self.offer_notices.pop(offer.id, None)  # no "offer update" notice: partners get the offer
        self.published.append(offer.id)
        return offer

    def edit_offer(self, ref: str, name: str, value: str) -> Offer:
        """Correct one misread field of an offer (audited with the old and new values)."""
        offer = self.offer(ref)
        if name not in OFFER_FIELDS:
            raise DecisionError(f"unknown field {name!r} (one of: {', '.join(OFFER_FIELDS)})")
        new = _typed(name, value)
        old = getattr(offer, name)
        setattr(offer, name, new)
        if new not in (None, "") and name in offer.missing:
            offer.missing = [m for m in offer.missing if m != name]
        self.session.add(offer)
        self.session.flush()
        record(self.session, self.actor, "offer_edit", offer=offer,
               details={"field": name, "old": _jsonable(old), "new": _jsonable(new)})
        if new != old:
            self._edit_revision(offer, name, old, new)
        return offer

    def _edit_revision(self, offer: Offer, name: str, old: Any, new: Any) -> None:
        """An edit is a version of the offer too (source "edit"); a cleared field as well."""
        from mailbot.domain.models import Company, OfferRevision
        from mailbot.domain.offers import offer_values

        offer.version = (offer.version or 1) + 1
        self.session.add(offer)
        company = self.session.get(Company, offer.company_id) if offer.company_id else None
        self.session.add(OfferRevision(
            offer_id=offer.id, version=offer.version, source="edit",
            inbound_id=self.actor.inbound_id, values=offer_values(offer, company),
            changes={name: [_jsonable(old), _jsonable(new)]}))
        self.session.flush()

    def attach(self, referral_id: int, ref: str) -> Referral:
        """Tie a flagged referral (unknown reference) to its offer."""
        row = self.referral(referral_id)
        offer = self.offer(ref)
        if row.offer_id == offer.id:
            raise DecisionError(f"R{row.id} is tied to {offer.ref} already")
        taken = self.session.exec(select(Referral.id).where(
            Referral.offer_id == offer.id, Referral.candidate_id == row.candidate_id)).first()
        if taken is not None:
            raise DecisionError(f"this candidate is referred for {offer.ref} already (R{taken})")
        old = row.offer_id
        row.offer_id, row.flagged = offer.id, False
        row.flag_reason = None
        self.session.add(row)
        self.session.flush()
        record(self.session, self.actor, "referral_attach", referral=row,
               details={"old_offer_id": old, "offer": offer.ref})
        return row

    def set_eligibility(self, referral_id: int, codes: list[str]) -> Referral:
        """Record why a candidate is eligible (Eligibility codes; [] clears); audited, no state
        change, no email (the référent alone sees it)."""
        row = self.referral(referral_id)
        try:
            wanted = {Eligibility(code.strip().lower()) for code in codes}
        except ValueError:
            raise DecisionError(f"unknown eligibility in {', '.join(codes)} (one of: "
                                f"{', '.join(e.value for e in Eligibility)})") from None
        new = [code.value for code in Eligibility if code in wanted]
        old = list(row.eligibility or [])
        if new == old:
            raise DecisionError(f"R{row.id}: eligibility is {', '.join(old) or 'empty'} already")
        row.eligibility = new
        self.session.add(row)
        self.session.flush()
        record(self.session, self.actor, "referral_eligibility", referral=row,
               details={"old": old, "new": new})
        return row

    def _fill_when_complete(self, offer_id: int | None) -> None:
        offer = self.session.get(Offer, offer_id) if offer_id else None
        if offer is None or offer.status != OfferState.OPEN or not offer.positions:
            return
        hired = self.session.exec(select(func.count()).select_from(Referral).where(
            Referral.offer_id == offer.id, Referral.status == ReferralState.HIRED)).one()
        if hired >= offer.positions:
            self._set_offer(offer, OfferState.FILLED, "offer_filled",
                            reason=f"{hired} of {offer.positions} position(s) hired")

    def _set_offer(self, offer: Offer, state: OfferState, action: str, *,
                   reason: str | None = None) -> None:
        before = offer.status
        offer.status = state.value
        offer.closed_at = utcnow() if state in (OfferState.FILLED, OfferState.CLOSED) else None
        self.session.add(offer)
        self.session.flush()
        record(self.session, self.actor, action, offer=offer, from_state=before,
               to_state=offer.status, reason=reason)
        self.offer_notices[offer.id] = offer.status

    # -- what people are told --------------------------------------------------------------
    def finish(self) -> None:
        """Queue the emails these decisions call for (same transaction as the changes)."""
        if self.composer is None or self.config is None:
            return
        notices.queue_all(self.session, self.composer, self.config, self.changes,
                          self.offer_notices)
        if self.published:
            from mailbot.domain.broadcast import broadcast_offer
            from mailbot.domain.partners import active_partners

            partners = active_partners(self.session)
            for offer_id in self.published:
                offer = self.session.get(Offer, offer_id)
                if offer is not None and offer.status == OfferState.OPEN:
                    broadcast_offer(self.session, self.composer, self.config, offer, partners,
                                    inbound_id=self.actor.inbound_id)


def _snapshot(row: Referral) -> dict:
    """The decision fields of a referral, as JSON."""
    return {
        "status": row.status,
        "refusal_reason": row.refusal_reason,
        "comment": row.comment,
        "decided_at": _jsonable(row.decided_at),
        "contract_type": row.contract_type,
        "contract_start": _jsonable(row.contract_start),
        "contract_end": _jsonable(row.contract_end),
        "contract_duration": row.contract_duration,
        "weekly_hours": row.weekly_hours,
    }


def _restore(row: Referral, snapshot: dict) -> None:
    from datetime import datetime

    row.status = snapshot.get("status") or ReferralState.NEW.value
    row.refusal_reason = snapshot.get("refusal_reason")
    row.comment = snapshot.get("comment")
    decided = snapshot.get("decided_at")
    row.decided_at = datetime.fromisoformat(decided) if decided else None
    row.contract_type = snapshot.get("contract_type")
    for name in ("contract_start", "contract_end"):
        value = snapshot.get(name)
        setattr(row, name, date.fromisoformat(value) if value else None)
    row.contract_duration = snapshot.get("contract_duration")
    row.weekly_hours = snapshot.get("weekly_hours")


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _typed(name: str, value: str) -> Any:
    """`value` (text from the CLI) as the type of offer field `name`; '' clears it."""
    kind = OFFER_FIELDS[name]
    text = (value or "").strip()
    if not text:
        return None
    try:
        if kind is int:
            return int(text)
        if kind is float:
            return float(text.replace(",", ".").removesuffix("h").strip())
        if kind is date:
            return date.fromisoformat(text)
    except ValueError:
        raise DecisionError(f"{name}: {value!r} is not a valid {kind.__name__}") from None
    return text
