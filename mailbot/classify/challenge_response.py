"""Auto-reply: a challenge-response or sender-verification robot (Boxbe, Bluebottle,
SpamArrest, "add yourself to my allowed list", "confirmez que vous n'êtes pas un robot").
Automated, never answered."""

from __future__ import annotations

import re

from mailbot.classify.signals import body_head
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "challenge_response"

_HEADERS = ("X-Boxbe-Notice", "X-Bluebottle-Request", "X-Spamarrest-Noauth",
            "X-ChoiceMail-Registration-Request", "X-Mailscreen-Challenge", "X-Sender-Verification")
_TEXT = re.compile(
    r"(add(ed)?|put) (yourself|your (e-?mail )?address) (to|on) (my|the recipient'?s?|his|her)"
    r" (allowed|approved|guest|white|safe)[ -]?(senders? )?list"
    r"|(this account|this mailbox|my (e-?mail|inbox)) is protected by"
    r"|sender not pre-?approved|(verify|confirm) (that )?you are (a )?(real )?(person|human|not a robot)"
    r"|your (message|e-?mail) (has been|is being|was) (waitlisted|held|queued) (pending|until|for)"
    r"|(confirm|verify) your (e-?mail )?(address|identity) to (deliver|have your message delivered)"
    r"|ajoute[rz]? votre adresse (à|a) (ma|la) liste (blanche|des exp[ée]diteurs)"
    r"|confirme[rz]? que vous n'[êe]tes pas un robot",
    re.I,
)


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False
    if any(msg.header(h) is not None for h in _HEADERS):
        return True
    return bool(_TEXT.search(body_head(msg, 3000)))
