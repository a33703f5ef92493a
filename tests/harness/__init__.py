"""Throwaway real servers for tests: Dovecot (IMAP), PostgreSQL and aiosmtpd (SMTP).

Each server runs from a temporary directory on 127.0.0.1 with free ports and is stopped by its
`stop()` (the pytest fixtures in tests/integration/conftest.py do that). Nothing here touches the
machine's own services.
"""

from tests.harness.certs import SelfSignedCert, make_self_signed_cert
from tests.harness.dovecot import Dovecot, DovecotError, ImapAccount
from tests.harness.net import free_port
from tests.harness.postgres import PostgresCluster, PostgresError
from tests.harness.smtp import RecordedMessage, SmtpServer

__all__ = [
    "Dovecot",
    "DovecotError",
    "ImapAccount",
    "PostgresCluster",
    "PostgresError",
    "RecordedMessage",
    "SelfSignedCert",
    "SmtpServer",
    "free_port",
    "make_self_signed_cert",
]
