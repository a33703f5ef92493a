"""Is a text only courtesy? Greetings, thanks, a closing, a signature, an automatic notice."""

from __future__ import annotations

import re

from mailbot.parse.referral import body_without_signature

__all__ = ["MAX_NEW_WORDS", "is_trivial_text"]

MAX_NEW_WORDS = 12  # more words than this, once courtesy is dropped, is something to read

_COURTESY = re.compile(
    r"^\s*(bonjour|bonsoir|hello|hi|madame|monsieur|mesdames|messieurs|cher|ch[èe]re|"
    r"merci|thanks?|thank you|bien re[çc]u|re[çc]u|not[ée]|ok|d'accord|parfait|tr[èe]s bien|"
    r"cordialement|bien [àa] vous|bonne (journ[ée]e|soir[ée]e|semaine)|best regards|regards|"
    r"accus[ée] de r[ée]ception)\b",
    re.I,
)
_AUTOMATIC = re.compile(
    r"message (automatique|g[ée]n[ée]r[ée] automatiquement)|r[ée]ponse automatique|"
    r"accus[ée] de r[ée]ception automatique|ne pas r[ée]pondre|do not reply|automatic(ally)? "
    r"(reply|generated)|auto-?reply|votre (message|demande|courriel) (a bien [ée]t[ée]|est bien) "
    r"(re[çc]u|enregistr[ée]|pris[e]? en compte)|nous avons bien re[çc]u votre (message|demande|courriel)"
    r"|we (have )?received your (message|request|e-?mail)|votre message\s*:?\s*$",
    re.I,
)
_WORD = re.compile(r"[^\W_]+")


def is_trivial_text(text: str, sender_name: str = "") -> bool:
    """True when `text` brings nothing to read: at most MAX_NEW_WORDS words once lines of
    courtesy, the signature and automatic notices are dropped."""
    body, _signature = body_without_signature(text or "", sender_name)
    words = 0
    for line in body.splitlines():
        if not line.strip() or _COURTESY.match(line) or _AUTOMATIC.search(line):
            continue
        words += len(_WORD.findall(line))
    return words <= MAX_NEW_WORDS
