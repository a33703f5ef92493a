"""Partner referrals: which offer they answer, and one candidate per CV attachment."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mailbot.mime import MailMessage
from mailbot.parse.contacts import find_emails, find_phones, fold, split_name
from mailbot.parse.cv import name_from_filename, parse_cv
from mailbot.parse.eligibility import add_eligibility

__all__ = ["OFFER_REF", "body_without_signature", "find_offer_ref", "referral_candidates"]

# CS-2027-0012; also as people retype it: "CS 2027-0012", "CS–2027–0012", "cs2027-0012"
OFFER_REF = re.compile(r"\bCS[\s\-\u2010-\u2014]?(\d{4})[\s\-\u2010-\u2014](\d{4,})\b", re.IGNORECASE)

_CLOSING = re.compile(
    r"^\s*(bien\s+)?(cordialement|à vous|a vous|amicalement|sinc[èe]res salutations|"
    r"salutations|bonne (journ[ée]e|soir[ée]e|fin de journ[ée]e)|merci( d'avance| par avance)?|"
    r"best regards|kind regards|regards)\b.*$|^--\s*$",
    re.IGNORECASE,
)
_CIVILITY = re.compile(r"^\s*(m\.|mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle)\s+", re.I)
_BODY_NAME = re.compile(
    r"\b(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle)[ \t]+"
    r"((?:[^\W\d_][\w'’\-]*)(?:[ \t]+[^\W\d_][\w'’\-]*){1,3})"
)


def _ref(text: str) -> str | None:
    match = OFFER_REF.search(text or "")
    return f"CS-{match.group(1)}-{match.group(2)}" if match else None


def find_offer_ref(
    msg: MailMessage,
    find_offer_by_message_id: Callable[[list[str]], str | None] | None = None,
) -> str | None:
    """`CS-YYYY-NNNN` from the subject, else the new text, else the quoted text, else mailbot's own
    quoted text (a broadcast quoted back), else the offer of the broadcast this message answers
    (In-Reply-To + References, via the callback)."""
    for text in (msg.subject, msg.text, msg.quoted, msg.own_text):
        ref = _ref(text)
        if ref:
            return ref
    ids = [*msg.in_reply_to, *[r for r in msg.references if r not in msg.in_reply_to]]
    if ids and find_offer_by_message_id is not None:
        try:
            found = find_offer_by_message_id(ids)
        except Exception:
            return None
        return _ref(found) or (str(found) if found else None)
    return None


def body_without_signature(text: str, sender_name: str = "") -> tuple[str, str]:
    """(body, signature): the signature starts at the closing formula ("Cordialement", "--"),
    or at a line that is the sender's own name ("Sophie MARTIN" signing without a formula)."""
    lines = (text or "").splitlines()
    sender = _sender_keys(sender_name)
    for index, line in enumerate(lines):
        if index and (_CLOSING.match(line) or (sender and _signed(line) in sender)):
            return "\n".join(lines[:index]), "\n".join(lines[index:])
    return text or "", ""


def _signed(line: str) -> str:
    """A line folded for comparison with the sender's name, civility and role dropped."""
    line = re.split(r"\s[–—\-|,]\s", line.strip(), maxsplit=1)[0]
    return fold(_CIVILITY.sub("", line))


def _sender_keys(name: str) -> set[str]:
    """Folded ways a sender signs: full name either way round, or the first name alone."""
    words = [w for w in re.split(r"[\s,]+", name or "") if fold(w)]
    if len(words) < 2:
        return {fold(w) for w in words if len(fold(w)) >= 3}
    return {fold(" ".join(words)), fold(" ".join(reversed(words))), fold(words[0])}


def _body_names(body: str) -> list[tuple[str, str]]:
    names = []
    for match in _BODY_NAME.finditer(body):
        words = match.group(1).split()
        # take the longest prefix that reads as a name ("Justine LHOMME pour le poste" -> 2 words)
        for size in range(len(words), 1, -1):
            parts = split_name(" ".join(words[:size]))
            if parts:
                names.append(parts)
                break
    return names


def referral_candidates(
    msg: MailMessage,
    cv_documents: Sequence[Any],
    own_addresses: Iterable[str] = (),
) -> list[dict]:
    """One candidate per CV document (objects with `.attachment`, `.doc`, `.error`), in order.

    Name, e-mail and phone come from the CV, else from the body of the email; the référent's
    and the partner's own addresses and phones (quoted broadcast, signature) are never used.
    """
    own = [a.lower() for a in own_addresses if a]
    body, signature = body_without_signature(msg.text, msg.from_name)
    not_candidate_emails = [*own, msg.from_address, msg.reply_to, *find_emails(signature)]
    not_candidate_emails += find_emails(msg.quoted)
    not_candidate_phones = find_phones(signature) + find_phones(msg.quoted)
    body_emails = find_emails(body, not_candidate_emails)
    body_phones = find_phones(body, not_candidate_phones)
    body_names = _body_names(body)
    single = len(cv_documents) == 1
    candidates = []
    for item in cv_documents:
        person = {"first_name": None, "last_name": None, "email": None, "phone": None}
        if item.doc is not None and not item.error:
            with contextlib.suppress(Exception):
                person.update(parse_cv(item.doc, not_candidate_emails, not_candidate_phones))
                if not person["email"] and _is_sender(msg, person):
                    # the candidate applies by themself: their own address is the sender's
                    person["email"] = parse_cv(item.doc, own, not_candidate_phones)["email"]
        filename = item.attachment.filename
        if not person["last_name"]:
            name = _name_for(filename, body_names, single)
            if name:
                person["first_name"], person["last_name"] = name
        lines = _lines_about(body, person) if not single else [body]
        if not person["email"]:
            found = find_emails("\n".join(lines), not_candidate_emails) if lines else []
            person["email"] = (
                found[0] if found else (body_emails[0] if single and body_emails else None)
            )
        if not person["phone"]:
            found = find_phones("\n".join(lines), not_candidate_phones) if lines else []
            person["phone"] = (
                found[0] if found else (body_phones[0] if single and body_phones else None)
            )
        person["cv_filename"] = filename
        candidates.append(person)
    add_eligibility(body, candidates)  # "Public : RSA" lines (référent only, never emailed)
    return candidates


def _is_sender(msg: MailMessage, person: dict) -> bool:
    """The From display name is this candidate's name."""
    sender = fold(msg.from_name)
    first, last = fold(person.get("first_name") or ""), fold(person.get("last_name") or "")
    return bool(sender and first and last) and first in sender and last in sender


def _name_for(filename: str, names: list[tuple[str, str]], single: bool) -> tuple[str, str] | None:
    """The candidate's name for a CV without one: the body name its file name mentions, else
    the name written in the file name, else the only name of the body (single CV)."""
    key = fold(filename)
    for first, last in names:
        if fold(last) and fold(last) in key:
            return first, last
    in_name = name_from_filename(filename)
    if in_name:
        return in_name
    if single and len(names) == 1:
        return names[0]
    return None


def _lines_about(body: str, person: dict) -> list[str]:
    """Body lines that mention this person's last name (or first name)."""
    keys = [fold(person.get("last_name") or ""), fold(person.get("first_name") or "")]
    keys = [k for k in keys if len(k) >= 3]
    if not keys:
        return []
    return [line for line in body.splitlines() if any(k in fold(line) for k in keys)]
