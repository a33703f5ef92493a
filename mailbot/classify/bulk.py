"""Bulk mail (newsletters, mailing lists): Precedence bulk/junk/list, List-Unsubscribe, List-Id."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "bulk"


def check(msg: MailMessage) -> bool:
    precedence = (msg.header("Precedence") or "").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return True
    return msg.header("List-Unsubscribe") is not None or msg.header("List-Id") is not None
