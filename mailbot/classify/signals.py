"""Shared signals for the automated-mail rules: who a machine is, a null sender, the body's
head. Not a rule itself (no `check`): imported by the rules that need it."""

from __future__ import annotations

import re

from mailbot.mime import MailMessage

__all__ = ["MACHINE_LOCAL", "MACHINE_NAME", "body_head", "from_machine", "null_return_path",
           "null_sender"]

#: Local parts of mail systems and notification robots.
MACHINE_LOCAL = re.compile(
    r"^(mailer-?daemon|mail-?daemon|postmaster|post_master|mail-?delivery(-?system)?"
    r"|microsoftexchange\w*|no-?reply|do-?not-?reply|bounces?|nobody|root|sysadmin"
    r"|mail-?admin|mmsc\w*)([+\-.].*)?$",
    re.I,
)
_MACHINE_ANYWHERE = re.compile(r"mailer-?daemon|postmaster|microsoftexchange|mail.?delivery|no.?reply",
                               re.I)
#: Display names of mail systems ("MAILER-DAEMON <>", "Mail Delivery Subsystem").
MACHINE_NAME = re.compile(
    r"mailer-?daemon|mail delivery (sub)?system|postmaster|mail administrator|ndr administrator"
    r"|microsoft outlook|système de messagerie|syst[eè]me de distribution",
    re.I,
)


def null_return_path(msg: MailMessage) -> bool:
    """`Return-Path: <>` (or an empty one): the envelope sender of automated mail (RFC 5321)."""
    value = msg.header("Return-Path")
    return value is not None and value.strip() in ("<>", "", "<<>>")


def null_sender(msg: MailMessage) -> bool:
    """No From address at all (`From: MAILER-DAEMON <>`), or a null Return-Path."""
    return not msg.from_address or null_return_path(msg)


def from_machine(msg: MailMessage) -> bool:
    """The From address or display name is a mail system's or a robot's."""
    local = msg.from_address.split("@", 1)[0]
    return (bool(MACHINE_LOCAL.match(local)) or bool(_MACHINE_ANYWHERE.search(local))
            or bool(MACHINE_NAME.search(msg.from_name or "")))


def body_head(msg: MailMessage, size: int = 6000) -> str:
    """The first characters of the message's text, quoted part included (a bounce often
    quotes the returned message, which the reader sets apart as quoted)."""
    return ((msg.text or "") + "\n" + (msg.quoted or ""))[:size]
