"""Real-server fixtures for integration tests: Dovecot, PostgreSQL, aiosmtpd, all on 127.0.0.1.

Servers start lazily, once per session, only when a test asks for them; a missing server binary
makes the test ERROR with a clear message (`bash scripts/test.sh` installs everything), never skip.

Fixtures:
- `tls_cert` (session): SelfSignedCert for 127.0.0.1; `.cert_file` is the CA file to trust.
- `dovecot` (session): harness.Dovecot — `.host`, `.port` (plain/STARTTLS), `.ssl_port`,
  `.ca_file`, `add_user(name, password)`, `new_account()`, `append(user, folder, raw) -> uid`,
  `list_uids(user, folder)`, `folder_messages(user, folder)`, `list_folders(user)`,
  `recreate_folder(user, folder)`, `client(user)` (a logged-in IMAPClient).
- `imap_account` (function): a fresh ImapAccount (username, password, host, port, ssl_port,
  ca_file) with an empty INBOX; `ImapSource(**imap_account.source_kwargs("ssl"))` reaches it.
- `postgres_cluster` (session) / `postgres_url` (session): the throwaway cluster and the URL of
  its `postgres` database, `postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`.
- `postgres_db_url` (function): URL of a brand-new empty database, dropped after the test.
- `db_url` (function, parametrised "sqlite" | "postgresql"): an empty database URL of each kind;
  tests using it run twice (ids `[sqlite]`, `[postgresql]`).
- `smtp_server` (function): a started plain SmtpServer (no AUTH, no TLS): `.host`, `.port`,
  `.messages`, `.clear()`, `.fail_next("RCPT"|"DATA"|"MAIL", 451|550, count=1)`, `.wait_for(n)`.
- `make_smtp_server` (function): factory `make_smtp_server(auth={"u": "pw"}, auth_required=False,
  tls=None|"starttls"|"ssl")` → started SmtpServer (cert = `tls_cert`), stopped after the test.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.harness import Dovecot, ImapAccount, PostgresCluster, SmtpServer, make_self_signed_cert
from tests.harness.certs import SelfSignedCert


@pytest.fixture(scope="session")
def harness_dir():
    """Private temp dir for the servers' files.

    Not pytest's tmp_path: a concurrent pytest run prunes old /tmp/pytest-of-* dirs, which would
    pull the data out from under a running server.
    """
    path = Path(tempfile.mkdtemp(prefix="mailbot-harness-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def tls_cert(harness_dir: Path) -> SelfSignedCert:
    return make_self_signed_cert(harness_dir / "tls")


@pytest.fixture(scope="session")
def dovecot(harness_dir: Path, tls_cert: SelfSignedCert):
    server = Dovecot(harness_dir / "dovecot", tls_cert).start()
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot: Dovecot) -> ImapAccount:
    return dovecot.new_account()


@pytest.fixture(scope="session")
def postgres_cluster(harness_dir: Path):
    cluster = PostgresCluster(harness_dir / "postgres").start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    return postgres_cluster.url()


@pytest.fixture
def postgres_db_url(postgres_cluster: PostgresCluster):
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url.rsplit("/", 1)[1])


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'mailbot.db'}"
    return request.getfixturevalue("postgres_db_url")


@pytest.fixture
def make_smtp_server(tls_cert: SelfSignedCert):
    started: list[SmtpServer] = []

    def make(*, auth: dict[str, str] | None = None, auth_required: bool = False,
             tls: str | None = None) -> SmtpServer:
        server = SmtpServer(auth=auth, auth_required=auth_required, tls=tls, cert=tls_cert)
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()
