"""Which lines of an email are the référent's commands: the new text only, greetings skipped,
up to the signature ("-- ") or a closing ("Cordialement", "Bien à vous", "Merci")."""

from __future__ import annotations

import re
import unicodedata

from mailbot.mailtext import split_quoted

__all__ = ["ID_RUN", "command_lines", "command_text", "fold", "has_command_line", "looks_like_command",
           "strip_bullet"]

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")
_QUOTES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc`\u00b4"), "'")


def fold(text: str) -> str:
    """Lowercase, without accents, one kind of dash and apostrophe, single spaces."""
    text = (text or "").translate(_DASHES).translate(_QUOTES).replace("\u00a0", " ")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip()


# One id: a referral (R12, R 12) or an offer reference as people retype it (CS-2027-0004).
_ONE_ID = r"(?:r ?\d{1,9}|cs[ -]?\d{4}[ -]\d{4,})"
#: A run of ids at the start of a folded line: "r12", "r12, r13 et r14", "cs-2027-0004".
ID_RUN = re.compile(rf"^{_ONE_ID}(?:\s*(?:,|;|/|&|\+|\bet\b)?\s*{_ONE_ID}(?![0-9a-z]))*(?![0-9a-z])")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u25cf]|\d{1,2}[.)])\s+")
_SHAPE = re.compile(r"^\s*[:=>-]*\s*[a-z]")

_GREETING = re.compile(
    r"^(bonjour|bonsoir|hello|salut|coucou|madame|monsieur|mesdames|messieurs|cher|chere|"
    r"hi|dear)\b", re.I)
_CLOSING = re.compile(
    r"^(?:(?:bien |tres |tres bien |bien a vous,? )?cordialement|bien a vous|a vous|"
    r"amicalement|(?:sinceres |meilleures )?salutations(?: distinguees)?|bonne (?:journee|soiree|"
    r"semaine|fin de journee|fin de semaine)|belle journee|a bientot|a tres vite|"
    r"merci(?: beaucoup| bien| encore| infiniment| d'avance| par avance| a vous| a tous)*|"
    r"best regards|kind regards|regards|thanks|thank you|bises)"
    r"(?:\s*[,.!]*\s*[a-z'-]+(?: [a-z'-]+)?)?\s*[,.!]*$")
_DEVICE = re.compile(r"^(envoye (de|depuis) |sent from |get outlook for )")


def strip_bullet(line: str) -> str:
    """A line without its list bullet ("- ", "• ", "1. ")."""
    return _BULLET.sub("", line, count=1)


def looks_like_command(line: str) -> bool:
    """An id (R12, CS-2027-0004) or a run of them at the start, followed by a word."""
    folded = fold(strip_bullet(line))
    match = ID_RUN.match(folded)
    return bool(match) and bool(_SHAPE.match(folded[match.end():]))


def _sender_keys(name: str) -> set[str]:
    words = [w for w in re.split(r"[\s,]+", fold(name)) if len(w) >= 3]
    keys = {" ".join(words), " ".join(reversed(words))} if words else set()
    if words:
        keys.add(words[0])
    return {k for k in keys if k}


def _ends_commands(folded: str, sender: set[str]) -> bool:
    """The signature or the closing starts here: nothing below is a command."""
    if folded.rstrip() in ("--", "-- ", "__") or re.fullmatch(r"[-_=*]{2,}", folded):
        return True
    if _CLOSING.match(folded) or _DEVICE.match(folded):
        return True
    return bool(sender) and folded.strip(" ,.") in sender


def _is_greeting(folded: str) -> bool:
    return bool(_GREETING.match(folded)) and len(folded.split()) <= 5


def command_lines(text: str, sender_name: str = "") -> list[str]:
    """The lines to interpret, as written: the new text (quoted reply left out), without blank
    lines and greetings, up to the signature or a closing formula."""
    new, _quoted = split_quoted(text or "")
    sender = _sender_keys(sender_name)
    out: list[str] = []
    for raw in new.split("\n"):
        line = " ".join(raw.replace("\u00a0", " ").split())
        if not line:
            continue
        folded = fold(line)
        if not looks_like_command(line):
            if _ends_commands(folded, sender):
                break
            if _is_greeting(folded):
                continue
        out.append(line)
    return out


def command_text(before: str, after: str) -> str:
    """The new text to read commands from: the lines left once mailbot's own text was set apart
    (`after`), plus the command-shaped lines of `before` (a command may repeat our wording)."""
    kept = {line.strip() for line in (after or "").split("\n")}
    return "\n".join(line for line in (before or "").split("\n")
                     if line.strip() in kept or looks_like_command(line))


def has_command_line(text: str, sender_name: str = "") -> bool:
    """At least one line of the new text is shaped like a command."""
    return any(looks_like_command(line) for line in command_lines(text, sender_name))
