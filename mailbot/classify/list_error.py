"""Bounce: a mailing-list manager's error notice ("you are not a member", "loop alert",
"unknown command") sent by the list's own address (fml, Majordomo, Mailman, ezmlm…)."""

from __future__ import annotations

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "list_error"

_LIST_ROBOT = re.compile(r"-(admin|ctl|owner|request|bounces?|errors?)$|^(owner|majordomo|listserv)"
                         r"(-|$)|^(mailman|ezmlm|sympa)$", re.I)
_ERROR = re.compile(
    r"not (a )?member|loop alert|duplicated message-id|unknown command|command error|rejected"
    r"|bounce|undeliver|could not be delivered|error|refus|non autoris",
    re.I,
)


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False
    ml_server = any(msg.header(h) is not None for h in ("X-MLServer", "X-ML-Server", "X-ML-Name"))
    robot = bool(_LIST_ROBOT.search(msg.from_address.split("@", 1)[0]))
    if not (robot and (ml_server or msg.header("List-Id") or msg.header("X-Mailing-List")
                       or msg.header("List-Subscribe"))):
        return False
    return bool(_ERROR.search(msg.subject or "") or _ERROR.search((msg.text or "")[:1500]))
