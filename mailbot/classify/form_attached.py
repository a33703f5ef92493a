"""Liaison form: an attached PDF/DOCX holds at least one liaison form."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "form_attached"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    return analysis is not None and any(doc.forms for doc in analysis.documents)
