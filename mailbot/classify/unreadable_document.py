"""Liaison form (unread): an attached PDF/DOCX cannot be read (corrupt, password, too large) and
the message is plausibly a form (its words, a reply to mailbot, a sender an offer came from).
The sender is asked to send it again; the référent sees the reason in `problems`. Any other
message with a damaged file is left `unknown` (a test mail with a truncated PDF is no form)."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "unreadable_document"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    if analysis is None or not any(doc.error for doc in analysis.documents):
        return False
    return bool(getattr(analysis, "plausibly_form", True))
