"""A throwaway PostgreSQL cluster: initdb in a temp dir, pg_ctl on a free port of 127.0.0.1.

    cluster = PostgresCluster(workdir).start()
    url = cluster.create_database()   # postgresql+psycopg://postgres@127.0.0.1:PORT/test_xxx
    cluster.stop()

As root the binaries run as the `postgres` user (they refuse root); otherwise as ourselves. The
superuser is always called `postgres` and trusted without a password (loopback, test only).
"""

from __future__ import annotations

import glob
import pwd
import re
import shutil
import subprocess
import uuid
from pathlib import Path

from tests.harness.net import chown_tree, free_port, is_root, run_as

__all__ = ["PostgresCluster", "PostgresError", "find_pg_bin"]


class PostgresError(RuntimeError):
    """PostgreSQL is missing or did not start (the message includes its log)."""


def find_pg_bin() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin (or the directory of `initdb` on PATH)."""
    def version(path: str) -> tuple:
        return tuple(int(x) for x in re.findall(r"\d+", Path(path).parent.name))

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresError("PostgreSQL is not installed (no initdb): run `bash scripts/test.sh` "
                        "(it installs postgresql) or apt-get install postgresql")


class PostgresCluster:
    """initdb + pg_ctl start/stop of a private cluster; `url` is the `postgres` database."""

    host = "127.0.0.1"

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.port = 0
        self._bin: Path | None = None
        self._user: str | None = None
        self._started = False

    @property
    def data_dir(self) -> Path:
        return self.workdir / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(run_as(self._user, list(argv)), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, cwd=self.workdir)

    def start(self) -> PostgresCluster:
        self._bin = find_pg_bin()
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "socket").mkdir(exist_ok=True)
        if is_root():
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresError("no `postgres` system user: apt-get install postgresql") \
                    from None
            self._user = pw.pw_name
            chown_tree(self.workdir, pw.pw_uid, pw.pw_gid)
            for parent in [self.workdir, *self.workdir.parents]:  # pytest tmp dirs are 0700
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)
        done = self._run(str(self._bin / "initdb"), "-D", str(self.data_dir), "-A", "trust",
                         "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        if done.returncode != 0:
            raise PostgresError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        self.port = free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.workdir / 'socket'} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        done = self._run(str(self._bin / "pg_ctl"), "start", "-w", "-t", "30",
                         "-D", str(self.data_dir), "-l", str(self.workdir / "postgres.log"),
                         "-o", options)
        if done.returncode != 0:
            raise PostgresError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n"
                                f"{self.log_text()}")
        self._started = True
        return self

    def stop(self) -> None:
        if not self._started:
            return
        self._run(str(self._bin / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data_dir))
        self._started = False

    def log_text(self) -> str:
        log = self.workdir / "postgres.log"
        return log.read_text(errors="replace")[-4000:] if log.exists() else ""

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement in autocommit mode (CREATE/DROP DATABASE need it)."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user="postgres", dbname=database,
                             autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str | None = None) -> str:
        """CREATE DATABASE (a unique `test_…` name by default); return its SQLAlchemy URL."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsafe database name: {name!r}")
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

