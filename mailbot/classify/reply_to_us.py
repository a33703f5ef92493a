"""A reply to an email mailbot sent that brings nothing new: no attachment, no text beyond a
greeting, thanks or an automatic notice once mailbot's own quoted text is set apart. Filed, never
answered (RFC 3834 §2: no answer to an answer)."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "reply_to_us"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    if analysis is None:
        return False
    return bool(analysis.in_reply_to_us) and bool(analysis.brings_nothing_new)
