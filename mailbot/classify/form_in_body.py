"""Liaison form: the form's fields were written in the email body."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "form_in_body"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    return analysis is not None and bool(analysis.body_forms)
