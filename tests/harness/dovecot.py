"""A throwaway Dovecot IMAP server: own config, own users, free ports on 127.0.0.1.

    server = Dovecot(workdir, cert).start()
    account = server.new_account()            # fresh user with an empty INBOX
    server.append(account.username, "INBOX", raw_bytes)
    server.stop()

As root, Dovecot runs under the unprivileged `mailbot-test` user (created if missing); otherwise it
runs as the current user. Failed logins answer at once (no 2 s penalty).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from imapclient import IMAPClient

from tests.harness.certs import SelfSignedCert
from tests.harness.net import chown_tree, free_port, run_as, unprivileged_user, wait_for_port

__all__ = ["Dovecot", "DovecotError", "ImapAccount"]


class DovecotError(RuntimeError):
    """Dovecot is missing or did not start (the message includes its log)."""


@dataclass(frozen=True)
class ImapAccount:
    """One IMAP user of a Dovecot harness; pass these to ImapSource."""

    username: str
    password: str
    host: str
    port: int  # plain IMAP (STARTTLS offered)
    ssl_port: int  # implicit TLS (imaps)
    ca_file: str  # self-signed certificate to trust

    def source_kwargs(self, security: str = "none") -> dict:
        """Keyword arguments for `ImapSource(**kwargs)` reaching this account."""
        return {
            "host": self.host,
            "port": self.ssl_port if security == "ssl" else self.port,
            "security": security,
            "username": self.username,
            "password": self.password,
            "ca_file": self.ca_file,
        }


_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/log/dovecot.log
info_log_path = {dir}/log/dovecot.log
default_login_user = {user}
default_internal_user = {user}
default_internal_group = {group}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = 0
mail_location = maildir:~/Maildir
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_greeting = mailbot test IMAP
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
imap_idle_notify_interval = 1 mins
mailbox_idle_check_interval = 1 secs
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
namespace inbox {{
  inbox = yes
  prefix = {prefix}
  separator = {separator}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
"""


class Dovecot:
    """A Dovecot master process serving IMAP from `workdir` (created, owned by the server user).

    `namespace_prefix`/`separator` configure the personal namespace (default: no prefix, "." as
    Dovecot's maildir does; e.g. prefix "INBOX." mimics Courier/Cyrus-style servers).
    """

    host = "127.0.0.1"

    def __init__(self, workdir: Path, cert: SelfSignedCert, *, namespace_prefix: str = "",
                 separator: str = "."):
        self.workdir = Path(workdir)
        self.cert = cert
        self.namespace_prefix = namespace_prefix
        self.separator = separator
        self.port = 0
        self.ssl_port = 0
        self.ca_file = str(cert.cert_file)
        self._proc: subprocess.Popen | None = None
        self._counter = itertools.count(1)
        self._passwords: dict[str, str] = {}
        self._pw = unprivileged_user()

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> Dovecot:
        binary = shutil.which("dovecot", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
        if binary is None:
            raise DovecotError("dovecot is not installed: run `bash scripts/test.sh` "
                               "(it installs dovecot-imapd) or apt-get install dovecot-imapd")
        for sub in ("run", "state", "log", "home", "certs", "users"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        # Copy the cert inside the workdir so the server user can read it wherever the original is.
        cert = self.workdir / "certs" / "cert.pem"
        key = self.workdir / "certs" / "key.pem"
        shutil.copyfile(self.cert.cert_file, cert)
        shutil.copyfile(self.cert.key_file, key)
        self.port, self.ssl_port = free_port(), free_port()
        while self.ssl_port == self.port:
            self.ssl_port = free_port()
        config = self.workdir / "dovecot.conf"
        config.write_text(_CONFIG.format(
            dir=self.workdir, user=self._pw.pw_name, group=_group_name(self._pw.pw_gid),
            uid=self._pw.pw_uid, gid=self._pw.pw_gid, cert=cert, key=key, port=self.port,
            ssl_port=self.ssl_port,
            prefix=self.namespace_prefix, separator=self.separator,
        ))
        chown_tree(self.workdir, self._pw.pw_uid, self._pw.pw_gid)
        _make_traversable(self.workdir)
        log = open(self.workdir / "log" / "stdout.log", "ab")  # noqa: SIM115 - kept for the process
        self._proc = subprocess.Popen(
            run_as(self._pw.pw_name, [binary, "-F", "-c", str(config)]),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, for a last-resort killpg
        )
        log.close()
        try:
            wait_for_port(self.port, 10.0, self._proc)
            wait_for_port(self.ssl_port, 10.0, self._proc)
            self._master_pid(wait=5.0)
            # A greeting proves the login and auth services are up (stopping a half-started
            # Dovecot takes 5 s).
            IMAPClient(self.host, self.port, ssl=False, timeout=10).logout()
        except (TimeoutError, RuntimeError, OSError) as exc:
            self.stop()
            raise DovecotError(f"dovecot did not start: {exc}\n{self.log_text()}") from None
        return self

    def stop(self) -> None:
        """SIGTERM the master (pid from base_dir/master.pid); wait for it to exit."""
        if self._proc is None:
            return
        with contextlib.suppress(OSError, TimeoutError):
            os.kill(self._master_pid(wait=0), signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._proc.wait(timeout=5)  # Dovecot takes about a second to stop
        # The master leaves the log, stats and connected imap processes behind: end them all.
        with contextlib.suppress(OSError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait(timeout=5)
        self._proc = None

    def _master_pid(self, wait: float) -> int:
        pid_file = self.workdir / "run" / "master.pid"
        deadline = time.monotonic() + wait
        while True:
            try:
                return int(pid_file.read_text().strip())
            except (OSError, ValueError):
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no pid in {pid_file}") from None
                time.sleep(0.02)

    def log_text(self) -> str:
        parts = []
        for name in ("dovecot.log", "stdout.log"):
            path = self.workdir / "log" / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-4000:])
        return "\n".join(parts)

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- users ---------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> ImapAccount:
        """Create a user (one passwd-file per user, so it can log in at once).

        Its Maildir appears on first login. Changing an existing user's password may take up to
        a second to be seen (Dovecot re-reads a passwd-file at most once a second).
        """
        if not name or any(c in name for c in "/:%\n") or name.startswith("."):
            raise ValueError(f"unusable IMAP user name: {name!r}")
        home = self.workdir / "home" / name
        home.mkdir(parents=True, exist_ok=True)
        chown_tree(home, self._pw.pw_uid, self._pw.pw_gid)
        self._passwords[name] = password
        users = self.workdir / "users"
        tmp = users / f".{name}.tmp"
        tmp.write_text(f"{name}:{{PLAIN}}{password}::::::\n")
        chown_tree(tmp, self._pw.pw_uid, self._pw.pw_gid)
        tmp.replace(users / name)
        return self.account(name)

    def new_account(self, prefix: str = "user") -> ImapAccount:
        """A fresh user (unique name, random password) with an empty mailbox."""
        n = next(self._counter)
        return self.add_user(f"{prefix}{n}_{os.getpid()}", f"pw-{os.urandom(6).hex()}")

    def account(self, name: str) -> ImapAccount:
        return ImapAccount(name, self._passwords[name], self.host, self.port, self.ssl_port,
                           self.ca_file)

    # -- mailbox helpers (through IMAP, as another client would) -------------------------
    def client(self, user: str, *, ssl: bool = False) -> IMAPClient:
        """A logged-in IMAPClient for `user`; the caller logs out (or use it as a context)."""
        if ssl:
            client = IMAPClient(self.host, self.ssl_port, ssl=True,
                                ssl_context=_ssl_context(self.ca_file), timeout=10)
        else:
            client = IMAPClient(self.host, self.port, ssl=False, timeout=10)
        client.login(user, self._passwords[user])
        return client

    def folder_name(self, folder: str) -> str:
        """The server's name for a user-level folder name ("Traites" → prefix + name)."""
        if folder.upper() == "INBOX" or not self.namespace_prefix:
            return folder
        if folder.startswith(self.namespace_prefix):
            return folder
        return self.namespace_prefix + folder

    def append(self, user: str, folder: str, raw: bytes, flags: tuple = ()) -> int:
        """APPEND `raw` to `folder` (created if missing); return the new UID."""
        with self.client(user) as client:
            name = self.folder_name(folder)
            if not client.folder_exists(name):
                client.create_folder(name)
            response = client.append(name, raw, flags=flags)
            # "[APPENDUID <validity> <uid>] Append completed."
            text = response.decode() if isinstance(response, bytes) else str(response)
            return int(text.split("APPENDUID", 1)[1].split()[1].rstrip("]"))

    def list_uids(self, user: str, folder: str) -> list[int]:
        """UIDs in `folder`, ascending ([] when the folder does not exist)."""
        with self.client(user) as client:
            name = self.folder_name(folder)
            if not client.folder_exists(name):
                return []
            client.select_folder(name, readonly=True)
            return sorted(client.search(["ALL"]))

    def folder_messages(self, user: str, folder: str) -> list[bytes]:
        """Raw bytes of every message in `folder`, in UID order."""
        with self.client(user) as client:
            name = self.folder_name(folder)
            if not client.folder_exists(name):
                return []
            client.select_folder(name, readonly=True)
            uids = sorted(client.search(["ALL"]))
            data = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [data[uid][b"BODY[]"] for uid in uids]

    def list_folders(self, user: str) -> list[str]:
        with self.client(user) as client:
            return [name for _flags, _sep, name in client.list_folders()]

    def uidvalidity(self, user: str, folder: str) -> int:
        with self.client(user) as client:
            status = client.folder_status(self.folder_name(folder), [b"UIDVALIDITY"])
            return int(status[b"UIDVALIDITY"])

    def recreate_folder(self, user: str, folder: str) -> None:
        """Delete and create `folder` again: a new UIDVALIDITY (INBOX cannot be deleted)."""
        with self.client(user) as client:
            name = self.folder_name(folder)
            if client.folder_exists(name):
                client.delete_folder(name)
            time.sleep(1.01)  # Dovecot derives UIDVALIDITY from the clock (seconds)
            client.create_folder(name)


def _ssl_context(ca_file: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file)


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _make_traversable(path: Path) -> None:
    """Let the server user reach `path` through its parents (pytest's tmp dirs are 0700)."""
    if os.geteuid() != 0:
        return
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)
