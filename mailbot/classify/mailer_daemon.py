"""Bounce: sent by a mail system (MAILER-DAEMON@, postmaster@) or with an empty Return-Path."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "mailer_daemon"

_LOCAL_PARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}


def check(msg: MailMessage) -> bool:
    local = msg.from_address.split("@", 1)[0]
    return local in _LOCAL_PARTS
