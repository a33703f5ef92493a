"""Offer and referral states, refusal reasons and the allowed transitions, declared once.

Codes are English (database, CLI, JSON); the French words people read and write are here too,
so emails and email commands share one vocabulary. Modelled on the job application states of
*les emplois de l'inclusion* (new → under review → presented → hired / not hired / on hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACTIONS",
    "Action",
    "ActorKind",
    "Channel",
    "Eligibility",
    "OfferState",
    "RefusalReason",
    "ReferralState",
    "Transition",
    "TransitionError",
    "check_transition",
    "sql_in",
]


class ReferralState(StrEnum):
    """Where one candidate stands for one offer."""

    NEW = "new"
    UNDER_REVIEW = "under_review"
    PRESENTED = "presented"
    HIRED = "hired"
    NOT_HIRED = "not_hired"
    ON_HOLD = "on_hold"

    @property
    def french(self) -> str:
        return _REFERRAL_FR[self]


_REFERRAL_FR = {
    ReferralState.NEW: "nouvelle",
    ReferralState.UNDER_REVIEW: "à l'étude",
    ReferralState.PRESENTED: "présentée à l'entreprise",
    ReferralState.HIRED: "retenue",
    ReferralState.NOT_HIRED: "non retenue",
    ReferralState.ON_HOLD: "en attente",
}


class OfferState(StrEnum):
    """An offer's life: received (waiting for the référent's review when `[workflow] broadcast =
    "review"`), incomplete (required fields missing, the company asked for them), open
    (broadcast), held (flood limit), then filled or closed."""

    RECEIVED = "received"
    INCOMPLETE = "incomplete"
    OPEN = "open"
    HELD = "held"
    FILLED = "filled"
    CLOSED = "closed"

    @property
    def french(self) -> str:
        return {"received": "reçue, à valider", "incomplete": "incomplète", "open": "ouverte",
                "held": "en attente de validation", "filled": "pourvue",
                "closed": "clôturée"}[self.value]


class Eligibility(StrEnum):
    """Why a candidate is eligible to the clause (stated by the partner; seen by the référent
    only, never in an email to a partner or a company)."""

    DELD = "deld"  # demandeur d'emploi de longue durée (> 12 mois)
    RSA = "rsa"  # bénéficiaire du RSA / minima sociaux
    RQTH = "rqth"  # reconnaissance de la qualité de travailleur handicapé
    YOUNG = "young"  # jeune de moins de 26 ans
    SIAE = "siae"  # suivi SIAE / EPIDE / E2C
    QPV = "qpv"  # résident d'un quartier prioritaire
    OTHER = "other"

    @property
    def french(self) -> str:
        return {"deld": "DELD (plus de 12 mois)", "rsa": "bénéficiaire RSA / minima sociaux",
                "rqth": "RQTH", "young": "jeune de moins de 26 ans",
                "siae": "suivi SIAE / EPIDE / E2C", "qpv": "résident QPV",
                "other": "autre"}[self.value]


class RefusalReason(StrEnum):
    """Why a candidate was not hired: a fixed list (plus a free comment)."""

    ABSENT_INTERVIEW = "absent_interview"
    HIRED_ELSEWHERE = "hired_elsewhere"
    INSUFFICIENT_SKILLS = "insufficient_skills"
    NOT_INTERESTED = "not_interested"
    POSITION_FILLED = "position_filled"
    NOT_MOBILE = "not_mobile"
    OTHER = "other"

    @property
    def french(self) -> str:
        return _REASON_FR[self]


_REASON_FR = {
    RefusalReason.ABSENT_INTERVIEW: "absent à l'entretien",
    RefusalReason.HIRED_ELSEWHERE: "embauché ailleurs",
    RefusalReason.INSUFFICIENT_SKILLS: "compétences insuffisantes",
    RefusalReason.NOT_INTERESTED: "candidat non intéressé",
    RefusalReason.POSITION_FILLED: "poste pourvu",
    RefusalReason.NOT_MOBILE: "non mobile",
    RefusalReason.OTHER: "autre",
}


class Action(StrEnum):
    """What the référent (or the system) does to a referral."""

    REVIEW = "review"
    PRESENT = "present"
    HIRE = "hire"
    REJECT = "reject"
    HOLD = "hold"
    UNDO = "undo"


class ActorKind(StrEnum):
    """Who made a change."""

    REFERENT = "referent"
    COMPANY = "company"
    PARTNER = "partner"
    SYSTEM = "system"


class Channel(StrEnum):
    """Through which channel a change came."""

    CLI = "cli"
    EMAIL = "email"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    """An action allowed from `sources` leads to `target`."""

    action: Action
    sources: frozenset[ReferralState]
    target: ReferralState


S = ReferralState
_OPEN_STATES = frozenset({S.NEW, S.UNDER_REVIEW, S.PRESENTED, S.ON_HOLD})

# The one place where allowed transitions are declared. `undo` is not here: it returns a referral
# to the state its last decision found it in (see mailbot.domain.services.undo).
ACTIONS: dict[Action, Transition] = {
    Action.REVIEW: Transition(Action.REVIEW, frozenset({S.NEW, S.ON_HOLD}), S.UNDER_REVIEW),
    Action.PRESENT: Transition(Action.PRESENT, frozenset({S.NEW, S.UNDER_REVIEW, S.ON_HOLD}),
                               S.PRESENTED),
    Action.HIRE: Transition(Action.HIRE, _OPEN_STATES, S.HIRED),
    Action.REJECT: Transition(Action.REJECT, _OPEN_STATES, S.NOT_HIRED),
    Action.HOLD: Transition(Action.HOLD, frozenset({S.NEW, S.UNDER_REVIEW, S.PRESENTED}), S.ON_HOLD),
}


class TransitionError(ValueError):
    """An action not allowed from the referral's current state."""


def check_transition(current: str, action: Action) -> ReferralState:
    """The state `action` leads to from `current`, or TransitionError saying why not."""
    transition = ACTIONS[action]
    state = ReferralState(current)
    if state not in transition.sources:
        allowed = ", ".join(sorted(s.value for s in transition.sources))
        raise TransitionError(f"cannot {action.value} a referral that is {state.value} "
                              f"(allowed from: {allowed})")
    return transition.target


def sql_in(column: str, enum: type[StrEnum], *, nullable: bool = False) -> str:
    """A CHECK constraint's text: `column` holds one of `enum`'s codes."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    check = f"{column} IN ({values})"
    return f"{column} IS NULL OR {check}" if nullable else check
