"""Bounce: a sending provider's notification of a delivery outcome that is not an RFC 3464
report: Amazon SES through SNS (a JSON body with "notificationType": "Bounce" / "Delivery"),
and the like. Automated, never answered."""

from __future__ import annotations

import re

from mailbot.classify.signals import body_head
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "provider_notification"

_SES = re.compile(
    r'\\?"(notificationType|eventType)\\?"\s*:\s*\\?"(Bounce|Delivery|DeliveryDelay|Reject)\\?"',
    re.I,
)


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False
    return bool(_SES.search(body_head(msg, 3000)))
