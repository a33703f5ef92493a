"""One raw email to the contract's dict: read it, classify it, parse what its kind needs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from mailbot.classify import Verdict, classify
from mailbot.mime import MailMessage, read_message
from mailbot.parse.analysis import MailAnalysis
from mailbot.parse.referral import referral_candidates
from mailbot.parse.types import Limits

__all__ = ["parse_email"]

log = logging.getLogger(__name__)


def parse_email(
    raw: bytes,
    limits: Limits | None = None,
    *,
    find_offer_by_message_id: Callable[[list[str]], str | None] | None = None,
    own_addresses: Iterable[str] = (),
) -> dict:
    """The contract's dict for an email; never raises (an internal error gives kind "unknown"
    with the error in `problems`, `flags` and `internal_error`; the daemon quarantines those)."""
    limits = limits or Limits()
    try:
        return _parse(raw, limits, find_offer_by_message_id, list(own_addresses))
    except Exception as exc:
        log.exception("parse_email failed")
        reason = f"internal error: {type(exc).__name__}: {exc}"[:300]
        return {
            "kind": "unknown",
            "auto": False,
            "problems": [reason],
            "flags": [reason],
            "ocr": False,
            "internal_error": reason,
        }


def _parse(raw: bytes, limits: Limits, finder, own: list[str]) -> dict:
    msg = read_message(raw if isinstance(raw, bytes | bytearray) else bytes(raw), limits)
    analysis = MailAnalysis(msg, limits, finder, own)
    msg.analysis = analysis
    verdict = classify(msg)
    result = _common(msg, verdict)
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
