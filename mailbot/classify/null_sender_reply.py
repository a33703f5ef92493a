"""Auto-reply: a message with a null envelope sender (`Return-Path: <>`) that no bounce rule
recognised. People's mail always has a return path; auto-responders use the null one (RFC 3834
§3.3), so this is a machine's answer ("Thank you for your e-mail, I will reply soon")."""

from __future__ import annotations

from mailbot.classify.signals import null_return_path
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "null_sender_reply"


def check(msg: MailMessage) -> bool:
    return not msg.documents and null_return_path(msg)
