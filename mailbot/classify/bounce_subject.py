"""Bounce: a non-delivery report that is not a multipart/report (Exchange "Non remis",
"Undeliverable", Postfix "Undelivered Mail Returned to Sender", Japanese and other languages),
sent by a machine: a null sender, an Auto-Submitted header or a mail-system sender."""

import re

from mailbot.classify.signals import from_machine, null_sender
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "bounce_subject"

_SUBJECT = re.compile(
    r"^\s*((re|tr|fw|fwd|aw|wg)\s*:\s*)?"
    r"(undeliverable|undelivered mail|undeliverable mail|non remis|non distribuable"
    r"|message non remis|[ée]chec de (la )?(remise|livraison|distribution)"
    r"|delivery status notification|delivery (has )?failed|mail delivery failed"
    r"|delivery failure|failed delivery|delivery notification|returned mail|returned to sender"
    r"|failure notice|mail system error|message delivery failure|nondeliverable"
    r"|unzustellbar|nicht zustellbar|remise diff[ée]r[ée]e|delivery delayed|warning: (message|could)"
    r"|mensaje no entregado|no se puede entregar|non recapitabile|mancata consegna"
    r"|onbestelbaar|niet bezorgd|nie dostarczono|nedoru[čc]itel"
    r"|メールエラー|配信エラー|配送エラー|送信エラー|エラー通知|不達|未送達|退信|无法投递|系统退信)",
    re.I,
)


def check(msg: MailMessage) -> bool:
    if not _SUBJECT.match(msg.subject or ""):
        return False
    return null_sender(msg) or msg.header("Auto-Submitted") is not None or from_machine(msg)
