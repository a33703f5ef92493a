"""The shared IMAP mailbox as a Source (imapclient): incremental UID fetch, MOVE, IDLE, reconnect.

Message contents are never logged: only folder names, UIDs and counts. Lost connections and
reconnections are logged at WARNING.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import Literal, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from mailbot.sources.base import FetchedMessage, SourceError

__all__ = ["ImapSource", "SourceError", "sequence_set"]

log = logging.getLogger("mailbot.sources.imap")

Security = Literal["ssl", "starttls", "none"]
T = TypeVar("T")

_REIDLE_SECONDS = 29 * 60  # RFC 2177: servers may drop an IDLE after 30 minutes
_CHUNK_MESSAGES = 25
_CHUNK_BYTES = 25 * 1024 * 1024
_MOVE_BATCH = 500  # UIDs per UID MOVE command (a sequence set, ranges compressed)
# A dropped or broken connection: worth one reconnect and retry.
_CONNECTION_ERRORS = (OSError, EOFError, imaplib.IMAP4.abort, ssl.SSLError, socket.timeout)


class ImapSource:
    """One IMAP folder read incrementally by UID; handled mail is moved to sibling folders.

    `security`: "ssl" (implicit TLS, port 993), "starttls" (port 143 then STARTTLS) or "none"
    (loopback or tests only). Folder names are given without the server's namespace prefix and
    with "/" between levels; they are translated to the server's prefix and separator.
    """

    def __init__(self, host: str, port: int, security: Security, username: str, password: str,
                 folder: str = "INBOX", processed_folder: str = "Traites",
                 quarantine_folder: str = "Quarantaine", idle: bool = True, timeout: float = 30.0,
                 tls_verify: bool = True, ca_file: str | None = None):
        if security not in ("ssl", "starttls", "none"):
            raise ValueError(f"security must be ssl, starttls or none, not {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.folder = folder
        self.processed_folder = processed_folder
        self.quarantine_folder = quarantine_folder
        self.idle = idle
        self.timeout = timeout
        self.tls_verify = tls_verify
        self.ca_file = ca_file
        self.mailbox = f"imap://{username}@{host}:{port}/{folder}"
        self._client: IMAPClient | None = None
        self._prefix = ""
        self._separator = "/"
        self._uidvalidity: int | None = None
        self._more_pending = False
        self._seen_uid = 0  # highest UID fetch_new looked at, for wait_for_new's pre-check
        self._fetched_once = False
        self._connections = 0  # a second connect() is a reconnection: logged at WARNING

    def __repr__(self) -> str:  # never shows the password
        return f"ImapSource({self.mailbox!r}, security={self.security!r})"

    # -- connection ----------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if not self.tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def connect(self) -> None:
        """Log in, create the processed/quarantine folders if missing, select the folder."""
        self.close()
        where = f"{self.host}:{self.port}"
        try:
            if self.security == "ssl":
                client = IMAPClient(self.host, self.port, ssl=True, ssl_context=self._ssl_context(),
                                    timeout=self.timeout)
            else:
                client = IMAPClient(self.host, self.port, ssl=False, timeout=self.timeout)
        except (OSError, IMAPClientError) as exc:
            raise SourceError(f"cannot reach the IMAP server {where}: {_why(exc)}") from exc
        try:
            if self.security == "starttls":
                client.starttls(self._ssl_context())
            client.login(self.username, self._password)
        except LoginError as exc:
            _quiet_shutdown(client)
            raise SourceError(f"the IMAP server {where} refused the login of "
                              f"{self.username!r}: {_why(exc)}") from exc
        except (OSError, IMAPClientError) as exc:
            _quiet_shutdown(client)
            raise SourceError(f"IMAP connection to {where} failed: {_why(exc)}") from exc
        self._client = client
        try:
            self._learn_namespace()
            for name in (self.processed_folder, self.quarantine_folder):
                self._ensure_folder(self._server_name(name))
            self._select()
        except (OSError, IMAPClientError) as exc:
            self.close()
            raise SourceError(f"IMAP setup on {where} failed: {_why(exc)}") from exc
        self._connections += 1
        if self._connections > 1:
            log.warning("%s: reconnected (connection %d)", self.mailbox, self._connections)
        else:
            log.info("connected to %s (%s)", self.mailbox, self.security)

    def close(self) -> None:
        """Log out; safe to call twice and on a broken connection."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            _quiet_shutdown(client)

    def _learn_namespace(self) -> None:
        client = self._require()
        prefix, separator = "", None
        if client.has_capability("NAMESPACE"):
            personal = client.namespace().personal
            if personal:
                prefix, separator = personal[0][0] or "", personal[0][1]
        if separator is None:
            listing = client.list_folders(directory="", pattern="")
            if listing and listing[0][1]:
                separator = listing[0][1]
        if isinstance(separator, bytes):
            separator = separator.decode()
        self._prefix = prefix
        self._separator = separator or "/"

    def _server_name(self, folder: str) -> str:
        """User-level folder name → the server's ("Traites" → "INBOX.Traites" on such servers)."""
        if folder.upper() == "INBOX":
            return "INBOX"
        if self._prefix and folder.startswith(self._prefix):
            return folder
        return self._prefix + folder.replace("/", self._separator)

    def _ensure_folder(self, name: str) -> None:
        client = self._require()
        if client.folder_exists(name):
            return
        try:
            client.create_folder(name)
            log.info("%s: created folder %s", self.mailbox, name)
        except IMAPClientError:
            if not client.folder_exists(name):  # another client may have just created it
                raise
        with contextlib.suppress(IMAPClientError):
            client.subscribe_folder(name)  # so webmail and Outlook users see it

    def _select(self) -> int:
        info = self._require().select_folder(self._server_name(self.folder))
        self._uidvalidity = int(info[b"UIDVALIDITY"])
        return self._uidvalidity

    def _require(self) -> IMAPClient:
        if self._client is None:
            raise SourceError(f"{self.mailbox}: not connected")
        return self._client

    def _retrying(self, what: str, action: Callable[[], T]) -> T:
        """Run `action`; on a dropped connection reconnect once and run it again."""
        try:
            if self._client is None:
                self.connect()
            return action()
        except _CONNECTION_ERRORS as exc:
            log.warning("%s: connection lost during %s (%s); reconnecting", self.mailbox, what,
                        _why(exc))
        except IMAPClientError as exc:
            raise SourceError(f"{self.mailbox}: {what} refused: {_why(exc)}") from exc
        self.connect()
        try:
            return action()
        except _CONNECTION_ERRORS as exc:
            self.close()
            raise SourceError(f"{self.mailbox}: {what} failed twice: {_why(exc)}") from exc
        except IMAPClientError as exc:
            raise SourceError(f"{self.mailbox}: {what} refused: {_why(exc)}") from exc

    # -- reading -------------------------------------------------------------------------
    def uidvalidity(self) -> int:
        """The folder's UIDVALIDITY, re-selected now (it changes when the folder is recreated)."""
        return self._retrying("select", self._select)

    def fetch_new(self, uidvalidity: int, last_uid: int,
                  limit: int = 500) -> Iterator[FetchedMessage]:
        """Messages with UID > last_uid in UID order, at most `limit` (the rest on the next call).

        When the folder's UIDVALIDITY is not `uidvalidity`, every message is returned.
        """
        current = self._uidvalidity if self._uidvalidity is not None else self.uidvalidity()
        if current != uidvalidity:
            log.warning("%s: UIDVALIDITY %s, expected %s: fetching everything", self.mailbox,
                        current, uidvalidity)
            last_uid = 0
        last_uid = max(0, int(last_uid))
        # UID SEARCH UID n:* always matches the highest UID, even when it is <= n: filter it out.
        found = self._retrying(
            "search", lambda: self._require().search(["UID", f"{last_uid + 1}:*"]))
        uids = sorted(uid for uid in found if uid > last_uid)
        self._more_pending = len(uids) > limit
        uids = uids[:limit]
        self._seen_uid = max([last_uid, *uids])
        self._fetched_once = True
        if not uids:
            return
        log.info("%s: %d new message(s) from UID %d", self.mailbox, len(uids), uids[0])
        sizes = self._retrying("fetch sizes", lambda: self._require().fetch(uids, ["RFC822.SIZE"]))
        for chunk in _chunks(uids, {u: int(d.get(b"RFC822.SIZE", 0)) for u, d in sizes.items()}):
            if self._uidvalidity != current:  # reconnected to a recreated folder: UIDs are stale
                log.warning("%s: UIDVALIDITY changed while fetching; stopping", self.mailbox)
                return
            log.debug("%s: fetching UIDs %d..%d (%d message(s))", self.mailbox, chunk[0], chunk[-1],
                      len(chunk))
            data = self._retrying(
                "fetch", lambda chunk=chunk: self._require().fetch(chunk, ["BODY.PEEK[]"]))
            for uid in chunk:
                body = data.get(uid, {}).get(b"BODY[]")
                if body is None:  # expunged meanwhile
                    continue
                yield FetchedMessage(self.mailbox, current, uid, bytes(body))

    # -- filing --------------------------------------------------------------------------
    def move(self, uidvalidity: int, uid: int, folder: str) -> bool:
        """Move one message to `folder` (created if missing); False if it is no longer there."""
        if self.uidvalidity() != uidvalidity:
            return False  # that UID names nothing in the folder as it is now
        target = self._server_name(folder)

        def action() -> bool:
            client = self._require()
            if self._uidvalidity != uidvalidity:  # after a reconnect
                return False
            if uid not in client.search(["UID", str(uid)]):
                return False
            self._ensure_folder(target)
            if client.has_capability("MOVE"):
                client.move([uid], target)
            else:
                client.copy([uid], target)
                client.delete_messages([uid])
                if client.has_capability("UIDPLUS"):
                    client.uid_expunge([uid])
                else:
                    client.expunge()
            return True

        done = self._retrying("move", action)
        if done:
            log.info("%s: UID %d moved to %s", self.mailbox, uid, target)
        return done

    def move_many(self, uidvalidity: int, uids: list[int], folder: str) -> list[int]:
        """Move these messages to `folder` (created if missing) with one `UID MOVE 1,5,7:9` per
        batch; return the UIDs moved (those no longer in the folder are left out)."""
        wanted = sorted(set(uids))
        if not wanted or self.uidvalidity() != uidvalidity:
            return []
        target = self._server_name(folder)
        moved: list[int] = []
        for start in range(0, len(wanted), _MOVE_BATCH):
            batch = wanted[start : start + _MOVE_BATCH]

            def action(batch: list[int] = batch) -> list[int]:
                client = self._require()
                if self._uidvalidity != uidvalidity:  # after a reconnect
                    return []
                present = sorted(set(client.search(["UID", sequence_set(batch)])) & set(batch))
                if not present:
                    return []
                self._ensure_folder(target)
                uid_set = sequence_set(present)
                if client.has_capability("MOVE"):
                    client.move(uid_set, target)
                else:
                    client.copy(uid_set, target)
                    client.delete_messages(uid_set)
                    if client.has_capability("UIDPLUS"):
                        client.uid_expunge(uid_set)
                    else:
                        client.expunge()
                return present

            done = self._retrying("move", action)
            if done:
                log.info("%s: %d message(s) moved to %s (UIDs %d..%d)", self.mailbox, len(done),
                         target, done[0], done[-1])
            moved.extend(done)
        return moved

    # -- waiting -------------------------------------------------------------------------
    def wait_for_new(self, timeout: float, should_stop: Callable[[], bool]) -> None:
        """Block until new mail may be there, `timeout` seconds pass, or should_stop() is true.

        Uses IDLE when enabled and offered (checked every second), else sleeps in 1 s steps.
        Returns at once when the last fetch_new() stopped at its limit.
        """
        if self._more_pending or should_stop():
            return
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            client = self._require()
            use_idle = self.idle and client.has_capability("IDLE")
        except SourceError:
            use_idle = False
        log.debug("%s: waiting for new mail (%s)", self.mailbox,
                  "IDLE" if use_idle else f"polling, {timeout:.0f} s")
        if not use_idle:
            _sleep_until(deadline, should_stop)
            return
        try:
            # Mail that arrived since the last fetch was announced (EXISTS) to an earlier command,
            # not to the coming IDLE: look for it first.
            if self._fetched_once and any(uid > self._seen_uid for uid in
                                          client.search(["UID", f"{self._seen_uid + 1}:*"])):
                return
            self._idle_until(deadline, should_stop)
        except _CONNECTION_ERRORS + (IMAPClientError,) as exc:
            log.warning("%s: connection lost while waiting (%s); reconnecting", self.mailbox,
                        _why(exc))
            self.connect()  # a SourceError here reaches the daemon, which backs off

    def _idle_until(self, deadline: float, should_stop: Callable[[], bool]) -> None:
        client = self._require()
        while not should_stop() and time.monotonic() < deadline:
            client.idle()
            started = time.monotonic()
            woke = False
            try:
                while not should_stop():
                    now = time.monotonic()
                    renew_at = started + _REIDLE_SECONDS
                    if now >= deadline or now >= renew_at:
                        break
                    step = min(1.0, deadline - now, renew_at - now)
                    responses = client.idle_check(timeout=max(0.05, step))
                    if any(_is_new_mail(r) for r in responses):
                        woke = True
                        break
            finally:
                client.idle_done()
            if woke:
                return


def _is_new_mail(response) -> bool:
    return isinstance(response, tuple) and len(response) >= 2 and response[1] in (b"EXISTS",
                                                                                    b"RECENT")


def sequence_set(uids: list[int]) -> str:
    """Sorted UIDs as an IMAP sequence set, consecutive ones as ranges: "1,5,7:9"."""
    parts: list[str] = []
    ordered = sorted(set(uids))
    index = 0
    while index < len(ordered):
        end = index
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[index], ordered[end]
        parts.append(str(first) if first == last else f"{first}:{last}")
        index = end + 1
    return ",".join(parts)


def _chunks(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    """UIDs in order, grouped so each FETCH stays under a count and byte budget."""
    chunk: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if chunk and (len(chunk) >= _CHUNK_MESSAGES or total + size > _CHUNK_BYTES):
            yield chunk
            chunk, total = [], 0
        chunk.append(uid)
        total += size
    if chunk:
        yield chunk


def _sleep_until(deadline: float, should_stop: Callable[[], bool]) -> None:
    while not should_stop():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(1.0, left))


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text) or type(exc).__name__


def _quiet_shutdown(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):
        client.shutdown()
