"""Auto-reply: X-Autoreply / X-Autorespond headers, or Exchange's X-Auto-Response-Suppress when
the message carries no document (Exchange also stamps it on some ordinary mail)."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "autoreply_headers"


def check(msg: MailMessage) -> bool:
    for header in ("X-Autoreply", "X-Autorespond", "X-Autoresponse"):
        value = msg.header(header)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return True
    suppress = (msg.header("X-Auto-Response-Suppress") or "").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return not msg.documents
    return False
