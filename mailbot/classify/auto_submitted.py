"""Auto-reply: RFC 3834 `Auto-Submitted` with any value but "no"."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "auto_submitted"


def check(msg: MailMessage) -> bool:
    value = msg.header("Auto-Submitted")
    if value is None:
        return False
    token = value.split(";", 1)[0].strip().lower()
    return bool(token) and token != "no"
