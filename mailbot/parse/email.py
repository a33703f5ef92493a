"""One raw email to the contract's dict: read it, classify it, parse what its kind needs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from mailbot.classify import Verdict, classify
from mailbot.commands import command_lines, command_text
from mailbot.fingerprints import Known, split_own_text
from mailbot.mime import MailMessage, read_message
from mailbot.parse.analysis import MailAnalysis
from mailbot.parse.referral import referral_candidates
from mailbot.parse.types import Limits

__all__ = ["parse_email", "set_own_text_apart"]

log = logging.getLogger(__name__)


def parse_email(
    raw: bytes,
    limits: Limits | None = None,
    *,
    find_offer_by_message_id: Callable[[list[str]], str | None] | None = None,
    own_addresses: Iterable[str] = (),
    known_fingerprints: Known | None = None,
    is_our_message_id: Callable[[list[str]], bool] | None = None,
    is_known_sender: Callable[[str], bool] | None = None,
) -> dict:
    """The contract's dict for an email; never raises (an internal error gives kind "unknown"
    with the error in `problems`, `flags` and `internal_error`; the daemon quarantines those).

    `known_fingerprints` (see mailbot.fingerprints) sets mailbot's own text apart before anything
    is read; `is_our_message_id` tells whether a Message-ID is one mailbot sent;
    `is_known_sender` whether an offer came from this address before."""
    limits = limits or Limits()
    try:
        return _parse(raw, limits, find_offer_by_message_id, list(own_addresses),
                      known_fingerprints, is_our_message_id, is_known_sender)
    except Exception as exc:
        log.error("parse_email failed: %s", type(exc).__name__)
        log.debug("parse_email failure", exc_info=True)
        reason = f"internal error: {type(exc).__name__}: {exc}"[:300]
        return {
            "kind": "unknown",
            "auto": False,
            "problems": [reason],
            "flags": [reason],
            "ocr": False,
            "internal_error": reason,
        }


def _parse(raw: bytes, limits: Limits, finder, own: list[str], known: Known | None,
           ours: Callable[[list[str]], bool] | None,
           known_sender: Callable[[str], bool] | None = None) -> dict:
    msg = read_message(raw if isinstance(raw, bytes | bytearray) else bytes(raw), limits)
    unfiltered = msg.text
    if known is not None:
        set_own_text_apart(msg, known)
    # a command line may repeat our wording ("non retenue motif: poste pourvu"): kept
    msg.command_text = command_text(unfiltered, msg.text)  # read by the referent_command rule
    analysis = MailAnalysis(msg, limits, finder, own, ours, known_sender)
    msg.analysis = analysis
    verdict = classify(msg)
    result = _common(msg, verdict)
    result["own_text_found"] = bool(msg.own_text)
    result["in_reply_to_us"] = analysis.in_reply_to_us
    problems: list[str] = list(msg.problems)
    flags: list[str] = []
    if verdict.kind == "liaison_form":
        forms: list[dict] = []
        for facts in analysis.documents:
            name = facts.attachment.filename
            forms.extend(facts.forms)
            if facts.error and not facts.is_cv:
                problems.append(f"{name}: {facts.error}")
            problems.extend(f"{name}: {p}" for p in facts.problems)
            result["ocr"] = result["ocr"] or facts.ocr
        if not forms:
            forms = analysis.body_forms
        result["forms"] = forms
        if not forms:
            flags.append("no form could be read")
    elif verdict.kind == "partner_referral":
        docs = analysis.referral_documents
        result["offer_ref"] = analysis.offer_ref
        result["candidates"] = referral_candidates(msg, docs, own)
        for facts in docs:
            if facts.error:
                problems.append(f"{facts.attachment.filename}: {facts.error}")
        if analysis.offer_ref is None:
            flags.append("no offer reference")
        skipped = [d for d in analysis.documents if d not in docs]
        for facts in skipped:
            flags.append(f"{facts.attachment.filename}: not read as a CV")
    elif verdict.kind == "referent_command":
        result["command_lines"] = command_lines(msg.command_text, msg.from_name or "")
    if result["ocr"]:
        flags.append("OCR")
    if problems:
        flags.append("attachment or message problems")
    result["problems"] = list(dict.fromkeys(problems))  # same problem once
    result["flags"] = flags
    return result


def _common(msg: MailMessage, verdict: Verdict) -> dict:
    return {
        "kind": verdict.kind,
        "auto": verdict.auto,
        "rule": verdict.rule,
        "sender": {"address": msg.sender_address or None, "name": msg.from_name or None},
        "reply_to": msg.reply_to or None,
        "message_id": msg.message_id,
        "in_reply_to": msg.in_reply_to,
        "references": msg.references,
        "subject": msg.subject,
        "forwarded_from": (
            {"address": msg.forwarded_senders[0][1], "name": msg.forwarded_senders[0][0] or None}
            if msg.forwarded_senders else None
        ),
        "ocr": False,
    }


def set_own_text_apart(msg: MailMessage, known: Known) -> None:
    """Move mailbot's own text (quoted, pasted, forwarded) out of `text` and `quoted`."""
    own: list[str] = []
    for name in ("text", "quoted"):
        split = split_own_text(getattr(msg, name), known)
        if split.found:
            setattr(msg, name, split.other)
            own.append(split.own)
    msg.own_text = "\n\n".join(own)
