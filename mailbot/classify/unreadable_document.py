"""Liaison form (unread): an attached PDF/DOCX cannot be read (corrupt, password, too large).
The sender is asked to send it again; the référent sees the reason in `problems`."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "unreadable_document"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    return analysis is not None and any(doc.error for doc in analysis.documents)
