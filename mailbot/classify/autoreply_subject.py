"""Auto-reply: an out-of-office subject as Outlook, Gmail, Thunderbird or people write it."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "autoreply_subject"

_SUBJECT = re.compile(
    r"^\s*((re|tr|fw|fwd)\s*:\s*)*"
    r"(r[ée]ponse automatique|absente? du bureau|absence du bureau|message d'absence"
    r"|automatic reply|auto[- ]?reply|autoreply|out of (the )?office|abwesend"
    r"|automatische antwort|abwesenheitsnotiz|risposta automatica|respuesta autom[áa]tica)",
    re.IGNORECASE,
)


# "Je suis absente jusqu'au 15 mars": a person could write that too, so only without documents
_ABSENT_UNTIL = re.compile(
    r"^\s*((re|tr|fw|fwd)\s*:\s*)*(je suis |actuellement )*"
    r"(absente?|absent\(e\)|absence|en cong[ée]s?)\s+(jusqu|du \d|[àa] partir)",
    re.IGNORECASE,
)


def check(msg: MailMessage) -> bool:
    subject = msg.subject or ""
    if _SUBJECT.match(subject):
        return True
    return not msg.documents and bool(_ABSENT_UNTIL.match(subject))
