"""The tables: journal of received mail, UID marks, the clause domain, and the outbox.

Plain SQLModel classes; state changes live in the handlers and services, not here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from mailbot.domain.states import ActorKind, Channel, OfferState, ReferralState, RefusalReason, sql_in

__all__ = [
    "AuditEvent",
    "Candidate",
    "Company",
    "CompanyRevision",
    "Document",
    "Fingerprint",
    "FormRequest",
    "InboundMessage",
    "InboundStatus",
    "LabelSighting",
    "Lot",
    "Market",
    "MarketImport",
    "MarketImportStatus",
    "Offer",
    "OfferRevision",
    "OfferRouting",
    "OfferStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "RefCounter",
    "ReportRun",
    "Referral",
    "ReferralStatus",
    "UidMark",
    "Worksite",
    "utcnow",
]


def _in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint's text: `column` holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    """Timezone-aware now (UTC); sqlmodel stores and returns aware UTC datetimes."""
    return datetime.now(UTC)


class UidMark(SQLModel, table=True):
    """How far a mailbox folder has been journaled: UIDVALIDITY and the highest UID seen."""

    mailbox: str = Field(primary_key=True)  # e.g. "imap://clauses@imap.example.fr/INBOX"
    uidvalidity: int
    last_uid: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class InboundStatus:
    """Values of InboundMessage.status."""

    JOURNALED = "journaled"  # stored, not yet handled
    PROCESSED = "processed"  # handled, its domain rows and outbox rows committed
    DUPLICATE = "duplicate"  # same Message-ID (or hash) as an earlier message: not handled again
    QUARANTINED = "quarantined"  # handling failed; `reason` says why; replayable

    ALL = ("journaled", "processed", "duplicate", "quarantined")


class InboundMessage(SQLModel, table=True):
    """The journal: one row per received message, raw bytes stored before any parsing."""

    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_uid"),
        CheckConstraint(_in("status", InboundStatus.ALL), name="ck_inboundmessage_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(index=True)  # the source folder's URL-like name
    uidvalidity: int | None = None
    uid: int | None = None
    dedupe_key: str = Field(index=True)  # Message-ID, or "sha256:<hex>" when it is missing
    sha256: str
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    from_address: str | None = None
    subject: str | None = None
    received_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=InboundStatus.JOURNALED, index=True)
    kind: str | None = None  # liaison_form | partner_referral | auto_reply | bounce | unknown
    reason: str | None = None  # quarantine reason, or what the référent should look at
    flagged: bool = False  # needs the référent's attention
    processed_at: datetime | None = None
    moved_to: str | None = None  # server folder it was moved to, once moved
    attempts: int = 0
    sender: str | None = Field(default=None, index=True)  # checked From addr-spec, set when handled
    auth: str | None = None  # what the trusted Authentication-Results said, e.g. "dmarc=pass"
    claimed_by: str | None = None  # "host:pid:token" of the worker handling it right now
    claimed_at: datetime | None = None


class RefCounter(SQLModel, table=True):
    """Per-year counter behind offer references CS-YYYY-NNNN; only ever increases."""

    year: int = Field(primary_key=True)
    last: int = 0


class OfferStatus:
    """Values of Offer.status (documented in README; see mailbot.domain.states.OfferState)."""

    RECEIVED = "received"  # `[workflow] broadcast = "review"`: waits for `mailbot offers publish`
    INCOMPLETE = "incomplete"  # required fields missing: the company was asked for them
    OPEN = "open"  # broadcast to partners, taking referrals
    HELD = "held"  # over a flood limit: stored, not broadcast until `mailbot offers release`
    FILLED = "filled"
    CLOSED = "closed"

    ALL = ("received", "incomplete", "open", "held", "filled", "closed")


class Company(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    legal_name: str | None = None
    siret: str | None = Field(default=None, index=True)
    address: str | None = None
    contact_name: str | None = None
    phone: str | None = None
    email: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Offer(SQLModel, table=True):
    __table_args__ = (CheckConstraint(sql_in("status", OfferState), name="ck_offer_status"),)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True, index=True)  # CS-YYYY-NNNN
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    status: str = Field(default=OfferStatus.OPEN, index=True)
    title: str | None = None
    positions: int | None = None
    recruitment_date: date | None = None
    main_activities: str | None = None
    required_skills: str | None = None
    experience: str | None = None
    training: str | None = None
    special_requirements: str | None = None
    contract_type: str | None = None
    contract_duration: str | None = None
    weekly_hours: float | None = None
    gross_salary: str | None = None
    workplace: str | None = None
    market: str | None = None
    missing: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    contact_address: str | None = None  # where the form came from: acknowledgement, presentation
    closed_at: datetime | None = None  # when it was filled or closed
    published_at: datetime | None = None  # when it was broadcast to the partners
    version: int = 1  # bumped by each revision (see OfferRevision)
    lot_id: int | None = Field(default=None, foreign_key="lot.id", index=True)  # its market lot


class Partner(SQLModel, table=True):
    """A partner organisation, synchronised from the config's [[partners]]."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    kind: str = ""
    emails: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    domains: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True


class Candidate(SQLModel, table=True):
    """A person referred by one or more partners: the minimum needed to follow them.

    The same person referred twice (same email or phone, or same name and birth date) is one
    candidate with several referrals (see mailbot.domain.candidates).
    """

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)  # first
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = Field(default=None, index=True)
    phone: str | None = Field(default=None, index=True)
    birth_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ReferralStatus:
    """Values of Referral.status (see mailbot.domain.states.ReferralState)."""

    NEW = "new"
    UNDER_REVIEW = "under_review"
    PRESENTED = "presented"
    HIRED = "hired"
    NOT_HIRED = "not_hired"
    ON_HOLD = "on_hold"

    ALL = tuple(state.value for state in ReferralState)


class Document(SQLModel, table=True):
    """A file kept to be sent on (a candidate's CV), stored once per content."""

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(unique=True)
    filename: str
    content_type: str = "application/octet-stream"
    size: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    """One candidate proposed by one partner for one offer (offer may be unknown: then flagged)."""

    __table_args__ = (
        UniqueConstraint("offer_id", "candidate_id", name="uq_referral_offer_candidate"),
        CheckConstraint(sql_in("status", ReferralState), name="ck_referral_status"),
        CheckConstraint(sql_in("refusal_reason", RefusalReason, nullable=True),
                        name="ck_referral_refusal_reason"),
    )

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    sender: str | None = None  # the address the referral came from: feedback goes there
    cv_filename: str | None = None
    cv_document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    duplicate_of: int | None = Field(default=None, foreign_key="referral.id", index=True)
    status: str = ReferralState.NEW.value
    refusal_reason: str | None = None
    comment: str | None = None  # the référent's comment on the last decision
    decided_at: datetime | None = None
    contract_type: str | None = None  # when hired (defaults from the offer)
    contract_start: date | None = None
    contract_end: date | None = None
    contract_duration: str | None = None
    weekly_hours: float | None = None
    # Eligibility codes (mailbot.domain.states.Eligibility) the partner stated: the référent's
    # eyes only, never in an email to a partner or a company.
    eligibility: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    flagged: bool = False
    flag_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class OutboxStatus:
    """Values of OutboxMessage.status."""

    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender (claimed_by/claimed_at); back to pending if it died
    SENT = "sent"
    FAILED = "failed"  # permanent refusal; `last_error` holds the server's answer
    HELD = "held"  # over a flood limit: waits for `mailbot offers release`

    ALL = ("pending", "sending", "sent", "failed", "held")


class OutboxMessage(SQLModel, table=True):
    """An email to send, written in the same transaction as the change that caused it.

    `raw` is the complete RFC 5322 message, Message-ID and Date fixed when the row is written,
    so a resend after a crash carries the same Message-ID.
    """

    __table_args__ = (
        CheckConstraint(_in("status", OutboxStatus.ALL), name="ck_outboxmessage_status"),
        # Covering indexes (no row is read, so no `raw` overflow page is walked): the senders'
        # due rows in their order, and the answers a flood limit counts per address.
        Index("ix_outboxmessage_due", "status", "next_attempt_at"),
        Index("ix_outboxmessage_answers", "to_key", "role", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True)  # with angle brackets, as in the header
    role: str = Field(index=True)  # template role: company/ack, partner/broadcast, ...
    envelope_from: str
    recipients: list[str] = Field(sa_column=Column(JSON, nullable=False))
    subject: str = ""
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = None
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="partner.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    to_key: str | None = Field(default=None, index=True)  # first recipient, lowercase (flood limits)
    claimed_by: str | None = None  # "host:pid:token" of the sender sending it right now
    claimed_at: datetime | None = None


class Fingerprint(SQLModel, table=True):
    """A hash of five consecutive words of an email mailbot sent (text and HTML parts).

    Incoming text made of these is mailbot's own text (quoted, pasted, forwarded) and is never
    read as data again: see `mailbot.fingerprints`.
    """

    hash: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    anchor: bool = False  # made of template words only (no value from a form): mailbot's for sure


class AuditEvent(SQLModel, table=True):
    """One change, written in the same unit of work as the change itself: who, how, what, why.

    Never updated nor deleted; `undo` adds an event of its own (`details["undoes"]`).
    """

    __table_args__ = (
        CheckConstraint(sql_in("actor", ActorKind), name="ck_auditevent_actor"),
        CheckConstraint(sql_in("channel", Channel), name="ck_auditevent_channel"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str  # referent | company | partner | system
    actor_address: str | None = None
    channel: str  # cli | email | system
    action: str = Field(index=True)  # present, hire, undo, offer_close, offer_edit, ...
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    candidate_id: int | None = Field(default=None, foreign_key="candidate.id", index=True)
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = None
    comment: str | None = None
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CompanyRevision(SQLModel, table=True):
    """Details for a known SIRET that differ from what is stored: kept for the référent, never
    applied silently. `changes` maps a field to [stored, received]."""

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    applied: bool = False
    created_at: datetime = Field(default_factory=utcnow)


# -- markets, lots and worksites (the facilitateur's list; see mailbot.markets) ------------------


class Market(SQLModel, table=True):
    """A public contract with a social clause: its buyer and period; it has lots."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, index=True)  # the buyer's number, when given
    name: str | None = None
    match_key: str = Field(unique=True)  # folded reference, else folded name: one row per market
    buyer: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Lot(SQLModel, table=True):
    """One lot of a market, won by one company, with the insertion hours its clause requires."""

    __table_args__ = (UniqueConstraint("market_id", "number", name="uq_lot_market_number"),)

    id: int | None = Field(default=None, primary_key=True)
    market_id: int = Field(foreign_key="market.id")
    number: str = ""  # as written ("3", "3B"); "" for a market without lots
    label: str | None = None
    company_id: int | None = Field(default=None, foreign_key="company.id", index=True)
    insertion_hours: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Worksite(SQLModel, table=True):
    """A chantier of a lot: where the work (and the hires) happen."""

    __table_args__ = (UniqueConstraint("lot_id", "match_key", name="uq_worksite_lot_key"),)

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="lot.id")
    match_key: str  # folded name, else folded address
    name: str | None = None
    address: str | None = None
    commune: str | None = None
    postcode: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class MarketImportStatus(StrEnum):
    """A list received: applied, waiting for `mailbot markets confirm`, or refused."""

    PENDING = "pending"
    APPLIED = "applied"
    REFUSED = "refused"


class MarketImport(SQLModel, table=True):
    """One facilitateur's list (a file or an email attachment): its rows as read, what applying
    them did (`summary`) and the columns that matched nothing."""

    __table_args__ = (CheckConstraint(sql_in("status", MarketImportStatus), name="ck_marketimport_status"),)

    id: int | None = Field(default=None, primary_key=True)
    sender: str | None = None  # the From address (email) or None (CLI)
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    filename: str = ""
    status: str = Field(default=MarketImportStatus.PENDING.value, index=True)
    reason: str | None = None  # why it waits (not authenticated…) or was refused
    rows: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unmatched: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    applied_at: datetime | None = None


class OfferRevision(SQLModel, table=True):
    """One version of an offer's fields: the first form, then each correction (a corrected form,
    a reply completing it, a re-read with new rules, an edit). `values` is the whole offer after
    the change, `changes` maps a field to [before, after]."""

    __table_args__ = (UniqueConstraint("offer_id", "version", name="uq_offerrevision_version"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    version: int
    source: str  # form | reply | reparse | edit
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changes: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class OfferRouting(SQLModel, table=True):
    """Whether a partner gets an offer, and why (the rule of rules/routing.toml that decided)."""

    __table_args__ = (UniqueConstraint("offer_id", "partner_id", name="uq_offerrouting_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    included: bool = True
    reason: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class FormRequest(SQLModel, table=True):
    """A blank liaison form sent to a company announced by the facilitateur, and its follow-up:
    one reminder after `[workflow] reminder_days`, then listed as waiting."""

    __table_args__ = (UniqueConstraint("company_id", "lot_id", name="uq_formrequest_company_lot"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True)
    lot_id: int | None = Field(default=None, foreign_key="lot.id", index=True)
    address: str  # where the blank form went
    sent_at: datetime | None = None
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)


class LabelSighting(SQLModel, table=True):
    """A label printed on a received form that matched no field (for `mailbot labels unknown`)."""

    id: int | None = Field(default=None, primary_key=True)
    wording: str = Field(index=True)  # as printed
    inbound_id: int | None = Field(default=None, foreign_key="inboundmessage.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)
    seen_at: datetime = Field(default_factory=utcnow)


class ReportRun(SQLModel, table=True):
    """A scheduled report sent for one period to one recipient: the record, not the scheduler's
    job store, decides that a report is never sent twice for a period (several daemons on one
    database included: the unique key makes the second insert fail)."""

    __table_args__ = (
        UniqueConstraint("kind", "recipient", "period_key", name="uq_reportrun_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # digest | partner_feedback | facilitateur_summary | reminders
    recipient: str = ""  # an address, or "" for a job without one recipient
    period_key: str  # e.g. "2027-01-15" (a day) or "2027-W02" (a week)
    period_start: datetime
    period_end: datetime
    outbox_id: int | None = Field(default=None, foreign_key="outboxmessage.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
