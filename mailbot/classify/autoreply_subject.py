"""Auto-reply: an out-of-office subject as Outlook, Gmail, Thunderbird, Lotus Notes ("AUTO: Jean
Dupont is out of the office") or people write it, in French and other languages."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "autoreply_subject"

_WORDS = (
    r"r[ée]ponse automatique|absente? du bureau|absence du bureau|message d'absence"
    r"|automatic reply|automatic response|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office"
    r"|abwesend|automatische antwort|abwesenheitsnotiz|risposta automatica|fuori sede"
    r"|respuesta autom[áa]tica|fuera de la oficina|resposta autom[áa]tica|automatisch antwoord"
    r"|afwezig|automatyczna odpowied[źz]|autosvar|automaattinen vastaus|automatick[áa] odpov[ěe][ďd]"
    r"|otomatik yan[ıi]t|自動応答|自動返信|自动回复|不在通知"
)
_SUBJECT = re.compile(r"^\s*((re|tr|fw|fwd|aw|wg)\s*:\s*)*\[?\s*(" + _WORDS + ")", re.IGNORECASE)
# "Re: your subject (Automatic Response)", "Objet [Réponse automatique]"
_SUFFIX = re.compile(r"[(\[]\s*(" + _WORDS + r")\s*[)\]]\s*$", re.IGNORECASE)
# Lotus Notes / RFC 3834 §3.1.5 "AUTO: Jean Dupont is out of the office (returning …)"
_AUTO_PREFIX = re.compile(r"^\s*auto\s*:\s*\S", re.IGNORECASE)
_OUT = re.compile(r"out of (the )?office|absente?|away|en cong[ée]s?|returning|de retour", re.I)


# "Je suis absente jusqu'au 15 mars": a person could write that too, so only without documents
_ABSENT_UNTIL = re.compile(
    r"^\s*((re|tr|fw|fwd)\s*:\s*)*(je suis |actuellement )*"
    r"(absente?|absent\(e\)|absence|en cong[ée]s?)\s+(jusqu|du \d|[àa] partir)",
    re.IGNORECASE,
)


def check(msg: MailMessage) -> bool:
    subject = msg.subject or ""
    if _SUBJECT.match(subject) or _SUFFIX.search(subject):
        return True
    if _AUTO_PREFIX.match(subject) and _OUT.search(subject):
        return True
    return not msg.documents and bool(_ABSENT_UNTIL.match(subject))
