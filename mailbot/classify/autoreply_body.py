"""Auto-reply: an out-of-office text with no document, written as people configure it
("Je suis absente jusqu'au 15 mars… Pour toute urgence, contactez…") on a mailer that adds no
header. Two signals are needed: the absence itself, and what to do meanwhile."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "autoreply_body"

_ABSENT = re.compile(
    r"\b(je suis|je serai|nous sommes|actuellement|je me trouve)\s+(actuellement\s+)?"
    r"(absente?s?|absent\(e\)|en cong[ée]s?|en d[ée]placement|hors du bureau|en formation)"
    r"|\bi am (currently )?(out of (the )?office|away)|\bich bin\b.{0,40}\bnicht im b[üu]ro",
    re.I,
)
_MEANWHILE = re.compile(
    r"urgen|en mon absence|pendant mon absence|acc[èe]s (limit|restreint)|consulter? (mes|ma) "
    r"(mails|messagerie)|[àa] mon retour|d[èe]s mon retour|trait[ée] (à|a|d[èe]s) mon retour"
    r"|back on|return on|limited access|in dringenden",
    re.I,
)
_MAX_TEXT = 1500


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False
    text = msg.text or ""
    if len(text) > _MAX_TEXT:
        return False
    absent = _ABSENT.search(text)
    return bool(absent) and bool(_MEANWHILE.search(text[absent.start() :]) or _MEANWHILE.search(text))
