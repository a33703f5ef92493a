"""The référent's decisions from the command line: one unit of work per call, one line per item.

Every call goes through `mailbot.domain.services.Decisions` (the one path shared with email
commands), as the référent through the CLI channel. Each referral of a call is applied on its
own: a refused one is reported and leaves the others as they were decided; what was decided is
committed together, with the emails it calls for (queued by `Decisions.finish`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine

from mailbot.db import session_scope
from mailbot.domain.services import Actor, Change, DecisionError, Decisions, HireTerms
from mailbot.domain.states import Action, ActorKind, Channel, RefusalReason

__all__ = [
    "Line",
    "decide_many",
    "parse_date",
    "parse_hours",
    "parse_referral_id",
    "referent_decisions",
]

_REFERRAL_ID = re.compile(r"[Rr]?(\d{1,18})")


@dataclass(frozen=True)
class Line:
    """What became of one item of a call: done, or refused and why (plain text)."""

    item: str
    done: bool
    text: str

    def __str__(self) -> str:
        return f"{self.item}: {self.text}" if self.done else f"{self.item}: refused: {self.text}"


def parse_referral_id(text: str) -> int:
    """`12` or `R12` (as `referrals list` shows it) → 12; ValueError otherwise."""
    found = _REFERRAL_ID.fullmatch(text.strip())
    if not found:
        raise ValueError(f"not a referral id (12 or R12): {text!r}")
    return int(found.group(1))


def parse_date(text: str) -> date:
    """An ISO date (2027-02-01) or a French one (01/02/2027); ValueError otherwise."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (2027-02-01 or 01/02/2027): {text!r}")


def parse_hours(text: str) -> float:
    """Weekly hours: `35`, `35h`, `24,5`; ValueError otherwise."""
    cleaned = text.strip().lower().removesuffix("h").strip().replace(",", ".")
    try:
        hours = float(cleaned)
    except ValueError:
        raise ValueError(f"not a number of weekly hours: {text!r}") from None
    if not 0 < hours <= 60:
        raise ValueError(f"weekly hours out of range (0-60): {text!r}")
    return hours


@contextmanager
def referent_decisions(engine: Engine, composer: Any, config: Any) -> Iterator[Decisions]:
    """One unit of work of the référent through the CLI: `finish()` then commit on success,
    nothing at all on an exception."""
    actor = Actor(ActorKind.REFERENT, Channel.CLI, config.people.referent)
    with session_scope(engine) as session:
        decisions = Decisions(session, actor, composer, config)
        yield decisions
        decisions.finish()


def decide_many(decisions: Decisions, action: Action, ids: Sequence[str], *,
                reason: RefusalReason | None = None, comment: str | None = None,
                terms: HireTerms | None = None) -> list[Line]:
    """Apply `action` to each referral of `ids` in turn; one Line each. A refused one changes
    nothing (its half-made changes are dropped) and does not stop the others."""
    session = decisions.session
    lines: list[Line] = []
    for text in ids:
        try:
            referral_id = parse_referral_id(text)
        except ValueError as exc:
            lines.append(Line(text.strip() or "''", False, str(exc)))
            continue
        session.flush()  # earlier items' audit rows are visible to this one's undo
        try:
            with session.no_autoflush:  # a refusal leaves nothing half-written behind
                change = decisions.decide(referral_id, action, reason=reason, comment=comment,
                                          terms=terms)
        except DecisionError as exc:
            session.expire_all()
            lines.append(Line(f"R{referral_id}", False, _unprefixed(str(exc), referral_id)))
            continue
        lines.append(Line(f"R{referral_id}", True, _describe(change)))
    return lines


def _unprefixed(message: str, referral_id: int) -> str:
    return message.removeprefix(f"R{referral_id}: ")


def _describe(change: Change) -> str:
    row = change.referral
    text = f"{change.from_state} -> {change.to_state}"
    if change.action is Action.UNDO:
        return f"undone ({text})"
    if change.action is Action.REJECT and row.refusal_reason:
        text += f" ({row.refusal_reason})"
    if change.action is Action.HIRE:
        terms = [row.contract_type or "contract type unknown",
                 f"from {row.contract_start.isoformat()}" if row.contract_start else None,
                 f"until {row.contract_end.isoformat()}" if row.contract_end else None,
                 row.contract_duration if not row.contract_end else None,
                 f"{row.weekly_hours:g} h/week" if row.weekly_hours is not None else None]
        text += " (" + ", ".join(t for t in terms if t) + ")"
    return text
