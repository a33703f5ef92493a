"""Auto-reply: an out-of-office subject as Outlook, Gmail or Thunderbird write it."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "autoreply_subject"

_SUBJECT = re.compile(
    r"^\s*((re|tr|fw|fwd)\s*:\s*)*"
    r"(r[ée]ponse automatique|absente? du bureau|message d'absence|automatic reply|auto[- ]?reply"
    r"|autoreply|out of (the )?office|abwesend|risposta automatica|respuesta autom[áa]tica)\b",
    re.IGNORECASE,
)


def check(msg: MailMessage) -> bool:
    return bool(_SUBJECT.match(msg.subject or ""))
