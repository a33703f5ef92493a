"""The référent's email commands: applied through `Decisions` (the CLI's one path), confirmed.

Obeyed ONLY when the message comes from the `[people] referent` address, `[security]
require_authentication` is on and our own server said `dmarc=pass` for it. Otherwise nothing
changes, the message is flagged with the reason, and:
- a message claiming the référent's address, or a colleague's of our domain, gets a notice sent
  to the configured référent address (never to the From) saying why nothing was done;
- anyone else gets no answer at all (a person answering one of our emails is forwarded to the
  référent like any reply, commands not applied).
When obeyed, every line is applied in this unit of work (a refused one is listed with its
reason, the others still done), `finish()` queues what the decisions tell people, and a
confirmation lists line by line what was done, refused or not understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from mailbot.commands import CLOSE, Command, NotUnderstood, parse_lines
from mailbot.commands.grammar import PUBLISH
from mailbot.domain.models import (
    Candidate,
    InboundMessage,
    Offer,
    OutboxStatus,
    Referral,
    utcnow,
)
from mailbot.domain.services import Actor, DecisionError, Decisions, HireTerms
from mailbot.domain.states import ACTIONS, Action, ActorKind, Channel, OfferState, ReferralState
from mailbot.handlers import human_reply
from mailbot.handlers.base import HandlerContext
from mailbot.outbox.labels_fr import contract_label, date_fr, hours_fr

__all__ = ["ROLE", "handle", "refusal"]

ROLE = "referent/confirmation"
_COLLEAGUES = ("referent", "facilitateur", "own_domain")


@dataclass
class LineResult:
    """What became of one line: each id's result, or why the line was not understood."""

    line: str
    done: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    why: str | None = None  # not understood

    def view(self) -> dict:
        return {"line": self.line, "done": self.done, "refused": self.refused, "why": self.why}


def refusal(ctx: HandlerContext) -> tuple[str, str] | None:
    """(English reason for the flag, French reason for the référent) when the commands must
    not be applied; None when they come from the authenticated référent."""
    sender, security = ctx.sender, ctx.config.security
    if sender.problem or not sender.address:
        why = sender.problem or "no usable From address"
        return f"sender: {why}", "l'adresse de l'expéditeur est illisible ou ambiguë"
    if sender.role != "referent":
        return (f"sent from {sender.address}, not the référent's address",
                f"ces lignes viennent de l'adresse {sender.address}, pas de la vôtre : seules les "
                f"commandes envoyées depuis {ctx.config.people.referent} sont appliquées")
    if not security.require_authentication:
        return ("[security] require_authentication is off: email commands are refused "
                "(the CLI always works)",
                "les commandes par email ne sont acceptées que si l'authentification des "
                "expéditeurs est exigée ([security] require_authentication = true) ; en attendant, "
                "utilisez la ligne de commande (mailbot referrals …)")
    said = (sender.auth or "").split()
    if not sender.trusted or "dmarc=pass" not in said:
        server = security.authserv_id or "notre serveur"
        forged = any(w.startswith("dmarc=") and w != "dmarc=pass" for w in said)
        detail = (f"{server} indique {' '.join(w for w in said if w.startswith('dmarc='))} : "
                  "votre adresse a été usurpée" if forged else
                  f"{server} n'a pas confirmé (dmarc=pass) qu'il vient bien de votre adresse")
        return (f"not authenticated: {sender.distrust_reason or 'no dmarc=pass from ' + server}",
                f"ce message n'a pas été authentifié : {detail} ; il a pu être envoyé par "
                "quelqu'un d'autre en votre nom")
    return None


def handle(ctx: HandlerContext) -> None:
    refused = refusal(ctx)
    if refused is not None:
        _refuse(ctx, *refused)
        return
    sheet = parse_lines(ctx.parsed.get("command_lines") or [])
    actor = Actor(ActorKind.REFERENT, Channel.EMAIL, ctx.sender_address, inbound_id=ctx.entry.id)
    decisions = Decisions(ctx.session, actor, ctx.composer, ctx.config)
    results = [_apply(decisions, item) for item in sheet.items]
    decisions.finish()
    done = sum(len(r.done) for r in results)
    not_done = sum(len(r.refused) + (1 if r.why else 0) for r in results)
    if not_done:
        ctx.flag(f"email commands: {done} done, {not_done} refused or not understood")
    else:
        ctx.entry.reason = f"email commands: {done} done"
    _confirm(ctx, results=[r.view() for r in results], done=done, not_done=not_done,
             refused=None)


def _refuse(ctx: HandlerContext, english: str, french: str) -> None:
    ctx.flag(f"email commands not applied: {english}")
    if ctx.sender.role in _COLLEAGUES and not ctx.sender.problem:
        lines = [{"line": line, "done": [], "refused": [], "why": None}
                 for line in ctx.parsed.get("command_lines") or []]
        _confirm(ctx, results=lines, done=0, not_done=len(lines), refused=french,
                 held=_refusals_in_window(ctx) > ctx.config.limits.answers_per_sender_per_day)
        return
    answered = human_reply.forwardable(ctx)
    if answered is not None:  # a person answering our email: the référent reads it
        human_reply.forward(ctx, answered, note="Des lignes de ce message ressemblent à des "
                            "commandes : elles n'ont pas été appliquées (elles ne viennent pas de "
                            "votre adresse).")


def _refusals_in_window(ctx: HandlerContext) -> int:
    """Command messages refused in the last 24 h (this one included): past the flood limit,
    their notices to the référent are held."""
    query = select(func.count(InboundMessage.id)).where(
        InboundMessage.kind == "referent_command", InboundMessage.flagged,
        InboundMessage.received_at >= utcnow() - timedelta(hours=24))
    return int(ctx.session.exec(query).one() or 0)


def _confirm(ctx: HandlerContext, *, results: list[dict], done: int, not_done: int,
             refused: str | None, held: bool = False) -> None:
    if held:
        ctx.flag("notice to the référent held: too many refused command messages in 24 h")
    headers = ctx.reply_headers() if refused is None else {}
    ctx.composer.queue(
        ctx.session, ROLE,
        {"results": results, "done": done, "not_done": not_done, "refused": refused,
         "sender": ctx.sender_address, "original_subject": ctx.parsed.get("subject") or "",
         "received_at": ctx.entry.received_at},
        to=[ctx.config.people.referent],
        inbound_id=ctx.entry.id,
        status=OutboxStatus.HELD if held else OutboxStatus.PENDING,
        **headers,
    )


# -- applying one line -------------------------------------------------------------------------

def _apply(decisions: Decisions, item: Command | NotUnderstood) -> LineResult:
    result = LineResult(item.line)
    if isinstance(item, NotUnderstood):
        result.why = item.why
        return result
    if item.action == CLOSE:
        for ref in item.offers:
            _one(decisions, result, lambda ref=ref: _close(decisions, ref, item.comment),
                 label=ref)
        return result
    if item.action == PUBLISH:
        for ref in item.offers:
            _one(decisions, result, lambda ref=ref: _publish(decisions, ref), label=ref)
        return result
    for referral_id in item.referrals:
        _one(decisions, result, lambda rid=referral_id: _decide(decisions, rid, item),
             label=f"R{referral_id}")
    return result


def _one(decisions: Decisions, result: LineResult, step, *, label: str) -> None:
    """Run one decision in a savepoint: refused, it leaves no trace and the others go on."""
    try:
        with decisions.session.begin_nested():
            result.done.append(step())
    except DecisionError as exc:
        result.refused.append(f"{label} : {_french_error(str(exc))}")


def _decide(decisions: Decisions, referral_id: int, command: Command) -> str:
    action = Action(command.action)
    _precheck(decisions, referral_id, action)
    terms = HireTerms(contract_type=command.contract_type, start=command.start, end=command.end,
                      duration=command.duration, weekly_hours=command.weekly_hours)
    change = decisions.decide(referral_id, action, reason=command.reason, comment=command.comment,
                              terms=terms if action is Action.HIRE else None)
    return _done_text(decisions, change.referral, action, change.from_state)


def _precheck(decisions: Decisions, referral_id: int, action: Action) -> None:
    """The refusals the référent reads, said in French before Decisions says them in English."""
    row = decisions.session.get(Referral, referral_id)
    if row is None:
        raise DecisionError("aucune candidature ne porte ce numéro")
    if row.offer_id is None:
        raise DecisionError(f"rattachée à aucune offre (mailbot referrals attach {row.id} REF)")
    if action is Action.UNDO:
        return
    state = ReferralState(row.status)
    transition = ACTIONS[action]
    if state not in transition.sources:
        if state is transition.target:
            raise DecisionError(f"déjà {state.french}")
        raise DecisionError(f"elle est {state.french} : impossible de la passer "
                            f"« {transition.target.french} » (« R{row.id} annuler » revient à "
                            "l'état précédent)")


def _close(decisions: Decisions, ref: str, comment: str | None) -> str:
    offer = decisions.session.exec(select(Offer).where(Offer.ref == ref)).first()
    if offer is None:
        raise DecisionError("aucune offre ne porte cette référence")
    if offer.status in (OfferState.CLOSED, OfferState.FILLED):
        raise DecisionError(f"l'offre est déjà {OfferState(offer.status).french}")
    decisions.close_offer(ref, reason=comment)
    return f"{ref} ({offer.title or 'offre'}) : clôturée, les partenaires sont prévenus"


def _publish(decisions: Decisions, ref: str) -> str:
    offer = decisions.session.exec(select(Offer).where(Offer.ref == ref)).first()
    if offer is None:
        raise DecisionError("aucune offre ne porte cette référence")
    if offer.status not in (OfferState.RECEIVED, OfferState.INCOMPLETE):
        raise DecisionError(f"l'offre est {OfferState(offer.status).french} : seule une offre "
                            "reçue (à valider) ou incomplète se publie")
    decisions.publish_offer(ref)
    return f"{ref} ({offer.title or 'offre'}) : publiée, elle est envoyée aux partenaires"


def _done_text(decisions: Decisions, row: Referral, action: Action, before: str) -> str:
    candidate = decisions.session.get(Candidate, row.candidate_id)
    offer = decisions.session.get(Offer, row.offer_id) if row.offer_id else None
    name = " ".join(p for p in (candidate.first_name, candidate.last_name) if p) if candidate else ""
    who = ", ".join(p for p in (name, offer.ref if offer else "") if p)
    state = ReferralState(row.status).french
    if action is Action.UNDO:
        text = f"décision annulée, de nouveau {state} (était {ReferralState(before).french})"
    else:
        text = state
    details = []
    if action is Action.HIRE:
        if row.contract_type:
            details.append(contract_label(row.contract_type))
        if row.contract_start:
            details.append(f"début le {date_fr(row.contract_start)}")
        if row.contract_end:
            details.append(f"fin le {date_fr(row.contract_end)}")
        elif row.contract_duration:
            details.append(f"durée {row.contract_duration}")
        if row.weekly_hours:
            details.append(f"{hours_fr(row.weekly_hours)} par semaine")
    if action is Action.REJECT and row.refusal_reason:
        from mailbot.domain.states import RefusalReason

        details.append(f"motif : {RefusalReason(row.refusal_reason).french}")
    if row.comment and action is not Action.UNDO:
        details.append(f"commentaire : {row.comment}")
    if details:
        text += " (" + ", ".join(details) + ")"
    if offer is not None and offer.status == OfferState.FILLED and action is Action.HIRE:
        text += f" ; l'offre {offer.ref} est pourvue"
    return f"R{row.id}" + (f" – {who}" if who else "") + f" : {text}"


_ENGLISH = [
    (re.compile(r"no decision to undo"), "aucune décision à annuler"),
    (re.compile(r"the contract ends before it starts"), "la fin du contrat précède son début"),
    (re.compile(r"a reason is needed"), "un motif est nécessaire"),
    (re.compile(r"no referral"), "aucune candidature ne porte ce numéro"),
    (re.compile(r"no offer"), "aucune offre ne porte cette référence"),
]


def _french_error(message: str) -> str:
    """A DecisionError's message for the référent (ours are French already)."""
    for pattern, french in _ENGLISH:
        if pattern.search(message):
            return french
    return message
