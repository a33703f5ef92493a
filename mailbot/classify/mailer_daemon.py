"""Bounce: sent by a mail system: MAILER-DAEMON@ / postmaster@, or a null sender named as a
mail system (`From: MAILER-DAEMON <>`, "Mail Delivery Subsystem" with no address)."""

from mailbot.classify.signals import MACHINE_NAME
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "mailer_daemon"

_LOCAL_PARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "post_master",
                "mailer_daemon"}


def check(msg: MailMessage) -> bool:
    local = msg.from_address.split("@", 1)[0]
    if local in _LOCAL_PARTS:
        return True
    name_ = msg.from_name or ""
    if not msg.from_address:  # "MAILER-DAEMON <>": the name may also be the whole From
        name_ = name_ or (msg.header("From") or "")
        return bool(MACHINE_NAME.search(name_))
    return False
