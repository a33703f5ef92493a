"""The outbox: French emails composed inside the handlers' transaction, sent later over SMTP.

`Composer` renders templates and queues `OutboxMessage` rows; `send_pending` is the only code that
talks SMTP, through a transport (`SmtpTransport`, or `FileTransport` for demos).
"""

from __future__ import annotations

from mailbot.outbox.compose import Composer
from mailbot.outbox.sender import SendReport, SmtpSettings, send_pending
from mailbot.outbox.transports import FileTransport, SmtpTransport

__all__ = [
    "Composer",
    "FileTransport",
    "SendReport",
    "SmtpSettings",
    "SmtpTransport",
    "send_pending",
]
