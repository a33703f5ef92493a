"""Bounce: a non-delivery report that is not a multipart/report (Exchange "Non remis",
"Undeliverable", Postfix "Undelivered Mail Returned to Sender"), sent by a machine: an empty
Return-Path, an Auto-Submitted header or a mail-system sender."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "bounce_subject"

_SUBJECT = re.compile(
    r"^\s*(undeliverable|undelivered mail|non remis|non distribuable|message non remis"
    r"|[ée]chec de (la )?(remise|livraison|distribution)|delivery status notification"
    r"|delivery (has )?failed|mail delivery failed|returned mail|failure notice|unzustellbar"
    r"|nicht zustellbar|remise diff[ée]r[ée]e|delivery delayed)",
    re.I,
)
_MACHINE = re.compile(r"mailer-?daemon|postmaster|microsoftexchange|mail.?delivery|no.?reply", re.I)


def check(msg: MailMessage) -> bool:
    if not _SUBJECT.match(msg.subject or ""):
        return False
    return_path = (msg.header("Return-Path") or "").strip()
    return (
        return_path in ("<>", "")
        and msg.header("Return-Path") is not None
        or msg.header("Auto-Submitted") is not None
        or bool(_MACHINE.search(msg.from_address.split("@", 1)[0]))
    )
