"""Small process and network helpers shared by the harness servers."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time

__all__ = ["chown_tree", "free_port", "is_root", "run_as", "unprivileged_user", "wait_for_port"]

TEST_USER = "mailbot-test"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen | None = None) -> None:
    """Return once something accepts connections on 127.0.0.1:port; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with code {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port}") from None
            time.sleep(0.02)


def is_root() -> bool:
    return os.geteuid() == 0


def unprivileged_user() -> pwd.struct_passwd:
    """The account servers run as: `mailbot-test` (created if missing) as root, else ourselves."""
    if not is_root():
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
            check=True, capture_output=True,
        )
        return pwd.getpwnam(TEST_USER)


def run_as(user: str | None, argv: list[str]) -> list[str]:
    """`argv` prefixed to run as `user` when we are root (runuser); unchanged otherwise."""
    if user is None or not is_root():
        return argv
    return [shutil.which("runuser") or "runuser", "-u", user, "--", *argv]


def chown_tree(path: os.PathLike | str, uid: int, gid: int) -> None:
    """chown -R, only meaningful (and only done) as root."""
    if not is_root():
        return
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, gid, follow_symlinks=False)
