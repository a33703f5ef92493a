"""Bounce: a machine's notice of failed delivery that neither a report type nor a known
subject shows: a null or mail-system sender whose text says the message was not delivered
(in English, French, German, Spanish, Italian, Portuguese, Dutch, Japanese…), or that returns
the original message with an SMTP error."""

from __future__ import annotations

import re

from mailbot.classify.signals import body_head, from_machine, null_sender
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "bounce_body"

_NOT_DELIVERED = re.compile(
    r"(could not|cannot|can't|couldn't|was not|wasn't|has not been|unable to) be delivered"
    r"|(delivery|transmission) (to the following (recipients?|addresses?) )?(has )?failed"
    r"|undeliverable|permanent(ly)? (error|fail)|message (was )?(returned|rejected|bounced)"
    r"|delivery status notification|non-?delivery|returned mail|user unknown|unknown user"
    r"|no such (user|mailbox|address)|mailbox (unavailable|full|is full|not found)"
    r"|recipient address rejected|\b[45]\.[0-7]\.\d{1,3}\b"
    r"|n'a pas pu [êe]tre (remis|distribu|d[ée]livr)|non remis|[ée]chec de (la )?(remise|livraison)"
    r"|adresse (introuvable|inconnue)|destinataire inconnu"
    r"|nicht zugestellt|unzustellbar|konnte nicht zugestellt"
    r"|no (se )?(pudo|ha podido) (ser )?entregar|non (è stato possibile )?recapitat"
    r"|não (pôde|foi possível) ser entregue|kon niet worden bezorgd"
    r"|送信できませんでした|配信できませんでした|届きませんでした|宛先不明|送信エラー|配信エラー"
    r"|無法投遞|无法投递",
    re.I,
)


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False
    if not (null_sender(msg) or from_machine(msg)):
        return False
    return bool(_NOT_DELIVERED.search(body_head(msg)) or _NOT_DELIVERED.search(msg.subject or ""))
