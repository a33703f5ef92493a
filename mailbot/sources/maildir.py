"""A local Maildir as a Source (`mailbot demo`, `mailbot ingest`): stable UIDs kept in a JSON file.

Maildir has no UIDs, so each message file key gets one the first time it is seen, recorded in
`.mailbot-uids.json` inside the Maildir with the next UID and a UIDVALIDITY fixed at creation.
Processed and quarantine folders are Maildir++ subfolders (`.Traites`, `.Quarantaine`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import mailbox
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from mailbot.errors import MailbotError
from mailbot.sources.base import FetchedMessage

__all__ = ["STATE_FILE", "MaildirSource"]

log = logging.getLogger("mailbot.sources.maildir")

STATE_FILE = ".mailbot-uids.json"
_LOCK_FILE = ".mailbot-uids.lock"


class MaildirSource:
    """The messages of one local Maildir (new/ and cur/), in arrival order."""

    def __init__(self, path: str | os.PathLike, processed_folder: str = "Traites",
                 quarantine_folder: str = "Quarantaine"):
        self.path = Path(path).expanduser().resolve()
        self.processed_folder = processed_folder
        self.quarantine_folder = quarantine_folder
        self.mailbox = f"maildir://{self.path}"
        self._md: mailbox.Maildir | None = None

    def __repr__(self) -> str:
        return f"MaildirSource({str(self.path)!r})"

    # -- connection ----------------------------------------------------------------------
    def connect(self) -> None:
        """Create the Maildir and its processed/quarantine subfolders if missing."""
        try:
            self._md = mailbox.Maildir(self.path, factory=None, create=True)
            for name in (self.processed_folder, self.quarantine_folder):
                self._folder(name)
            with self._locked():
                self._save(self._sync(self._load()))
        except OSError as exc:
            self._md = None
            raise MailbotError(f"{self.path}: cannot open the Maildir: {exc.strerror or exc}") \
                from exc

    def close(self) -> None:
        """Nothing to release; safe to call twice."""
        self._md = None

    @property
    def _colon(self) -> str:
        return self._md.colon if self._md is not None else mailbox.Maildir.colon

    def _require(self) -> mailbox.Maildir:
        if self._md is None:
            self.connect()
        return self._md

    def _folder(self, name: str) -> mailbox.Maildir:
        md = self._require()
        if name.startswith(".") or "/" in name or not name.strip():
            raise MailbotError(f"{name!r} is not a usable Maildir folder name")
        try:
            return md.get_folder(name)
        except mailbox.NoSuchMailboxError:
            return md.add_folder(name)

    # -- UID state -----------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        """Serialise UID assignment between processes sharing this Maildir."""
        with open(self.path / _LOCK_FILE, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> dict:
        state_file = self.path / STATE_FILE
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
            if not (isinstance(state.get("uidvalidity"), int) and isinstance(state.get("uids"), dict)
                    and isinstance(state.get("next_uid"), int)):
                raise ValueError("bad shape")
            return state
        except FileNotFoundError:
            pass
        except (ValueError, OSError, AttributeError) as exc:
            # A damaged state file: start a new UID epoch; the journal dedupes by Message-ID.
            log.warning("%s: %s unreadable (%s); assigning new UIDs", self.path, STATE_FILE, exc)
        return {"uidvalidity": int(time.time()), "next_uid": 1, "uids": {}}

    def _save(self, state: dict) -> None:
        state_file = self.path / STATE_FILE
        tmp = state_file.with_name(state_file.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(tmp, state_file)

    def _sync(self, state: dict) -> dict:
        """Give a UID to every new message (oldest first); forget keys no longer here."""
        present = self._keys()
        uids: dict[str, int] = {k: v for k, v in state["uids"].items() if k in present}
        for key in sorted((k for k in present if k not in uids), key=present.get):
            uids[key] = state["next_uid"]
            state["next_uid"] += 1
        state["uids"] = uids
        return state

    def _keys(self) -> dict[str, tuple[float, str]]:
        """Message key → sort key (delivery time, key) for the files in new/ and cur/."""
        keys: dict[str, tuple[float, str]] = {}
        for sub in ("new", "cur"):
            with contextlib.suppress(FileNotFoundError), os.scandir(self.path / sub) as entries:
                for entry in entries:
                    if entry.name.startswith(".") or not entry.is_file():
                        continue
                    key = entry.name.split(self._colon, 1)[0]
                    try:
                        when = entry.stat().st_mtime
                    except FileNotFoundError:
                        continue
                    keys[key] = (when, key)
        return keys

    def _assign(self) -> dict:
        with self._locked():
            state = self._sync(self._load())
            self._save(state)
        return state

    def _files(self) -> dict[str, Path]:
        """Message key → its file, for every file in new/ and cur/ (one directory scan)."""
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            with contextlib.suppress(FileNotFoundError), os.scandir(self.path / sub) as entries:
                for entry in entries:
                    if not entry.name.startswith("."):
                        files.setdefault(entry.name.split(self._colon, 1)[0], Path(entry.path))
        return files

    def _file_of(self, key: str) -> Path | None:
        colon = self._colon
        for sub in ("new", "cur"):
            with contextlib.suppress(FileNotFoundError), os.scandir(self.path / sub) as entries:
                for entry in entries:
                    if entry.name == key or entry.name.startswith(key + colon):
                        return Path(entry.path)
        return None

    # -- Source --------------------------------------------------------------------------
    def uidvalidity(self) -> int:
        self._require()
        return int(self._assign()["uidvalidity"])

    def fetch_new(self, uidvalidity: int, last_uid: int,
                  limit: int = 500) -> Iterator[FetchedMessage]:
        """Messages with UID > last_uid in UID order (all of them when `uidvalidity` changed)."""
        self._require()
        state = self._assign()
        current = int(state["uidvalidity"])
        if current != uidvalidity:
            last_uid = 0
        wanted = sorted((uid, key) for key, uid in state["uids"].items() if uid > last_uid)
        for uid, key in wanted[:limit]:
            path = self._file_of(key)
            if path is None:  # moved away meanwhile
                continue
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            yield FetchedMessage(self.mailbox, current, uid, raw)

    def move(self, uidvalidity: int, uid: int, folder: str) -> bool:
        """Move one message file into the Maildir++ subfolder `folder`; False if it is gone."""
        self._require()
        self._folder(folder)  # created if missing
        with self._locked():
            state = self._sync(self._load())
            if int(state["uidvalidity"]) != uidvalidity:
                return False
            key = next((k for k, v in state["uids"].items() if v == uid), None)
            source = self._file_of(key) if key is not None else None
            if source is None:
                return False
            destination = self.path / f".{folder}" / source.parent.name / source.name
            try:
                os.rename(source, destination)
            except FileNotFoundError:
                return False
            del state["uids"][key]
            self._save(state)
        log.info("%s: UID %d moved to %s", self.mailbox, uid, folder)
        return True

    def move_many(self, uidvalidity: int, uids: list[int], folder: str) -> list[int]:
        """Move these message files into `folder` under one lock; return the UIDs moved."""
        self._require()
        self._folder(folder)  # created if missing
        wanted = set(uids)
        moved: list[int] = []
        with self._locked():
            state = self._sync(self._load())
            if int(state["uidvalidity"]) != uidvalidity:
                return []
            files = self._files()
            for key, uid in sorted(state["uids"].items(), key=lambda item: item[1]):
                source = files.get(key) if uid in wanted else None
                if source is None:
                    continue
                destination = self.path / f".{folder}" / source.parent.name / source.name
                try:
                    os.rename(source, destination)
                except FileNotFoundError:
                    continue
                del state["uids"][key]
                moved.append(uid)
            if moved:
                self._save(state)
        if moved:
            log.info("%s: %d message(s) moved to %s", self.mailbox, len(moved), folder)
        return moved

    def wait_for_new(self, timeout: float, should_stop: Callable[[], bool]) -> None:
        """Sleep in 1 s steps until a message without a UID shows up, timeout or should_stop()."""
        deadline = time.monotonic() + max(0.0, timeout)
        while not should_stop():
            with self._locked():
                known = set(self._load()["uids"])
            if set(self._keys()) - known:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(1.0, left))
