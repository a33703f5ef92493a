"""`--config` before or after the command; database URL errors name the key; new commands' help."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

CONFIG = """
[database]
url = "{url}"
[smtp]
host = "127.0.0.1"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "ref@exemple-emploi.fr"
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MAILBOT_CONFIG", "MAILBOT_DEBUG")}
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=cwd)


def write(tmp_path: Path, name: str, url: str) -> Path:
    path = tmp_path / name
    path.write_text(CONFIG.format(url=url), encoding="utf-8")
    return path


def test_config_before_or_after_the_command(tmp_path):
    good = write(tmp_path, "good.toml", f"sqlite:///{tmp_path / 'db.sqlite'}")
    missing = tmp_path / "missing.toml"
    for args in (["--config", str(good), "init"], ["init", "--config", str(good)],
                 ["-c", str(good), "init"], ["init", "-c", str(good)],
                 ["--config", str(good), "offers", "list", "--json"],
                 ["-c", str(good), "outbox", "list", "--status", "pending"]):
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
    # the command's own option wins over the one before the command
    assert run("--config", str(missing), "init", "--config", str(good)).returncode == 0
    refused = run("--config", str(good), "init", "--config", str(missing), cwd=tmp_path)
    assert refused.returncode == 1 and "missing.toml not found" in refused.stderr


def test_bad_database_url_names_the_key(tmp_path):
    cfg = write(tmp_path, "c.toml", "postgresq1://u:hunter2pw@h/db")
    result = run("--config", str(cfg), "init")
    assert result.returncode == 1
    assert "[database] url" in result.stderr
    assert "internal error" not in result.stderr and "hunter2pw" not in result.stderr


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_database_names_the_key_without_the_password(tmp_path):
    url = f"postgresql+psycopg://mailbot:hunter2pw@127.0.0.1:{_closed_port()}/mailbot"
    cfg = write(tmp_path, "c.toml", url)
    for args in (["init"], ["offers", "list"], ["messages", "list"], ["outbox", "list"]):
        result = run(*args, "--config", str(cfg))
        assert result.returncode == 1, result.stdout
        assert "[database] url = postgresql+psycopg://mailbot:***@127.0.0.1" in result.stderr
        assert "hunter2pw" not in result.stderr + result.stdout
        assert "internal error" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_unwritable_sqlite_database_names_the_key(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    cfg = write(tmp_path, "c.toml", f"sqlite:///{folder / 'sub' / 'db.sqlite'}")
    result = run("init", "--config", str(cfg))
    assert result.returncode == 1
    assert "database error ([database] url = sqlite:///" in result.stderr


def test_init_never_prints_the_database_password(tmp_path):
    cfg = write(tmp_path, "c.toml", f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = run("init", "--config", str(cfg))
    assert result.returncode == 0 and "database ready: sqlite:///" in result.stdout


def test_new_commands_are_documented():
    release = run("offers", "release", "--help")
    assert release.returncode == 0 and "REF" in release.stdout and "held" in release.stdout
    reprocess = run("reprocess", "--help")
    assert reprocess.returncode == 0 and "--as-company" in reprocess.stdout
    run_help = run("run", "--help")
    assert "--trace-protocol" in run_help.stdout and "MAILBOT_TRACE_PROTOCOL" in run_help.stdout
    top = run("--help")
    assert "--config" in top.stdout
