"""`mailbot ingest`: journal .eml files and Maildir folders, then handle and send as the daemon does."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.progress import track

from mailbot import journal
from mailbot.pipeline import Pipeline

__all__ = ["ingest_paths"]

_PROGRESS_FROM = 20  # show a progress bar when there are at least this many messages


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _eml_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    files, maildirs = [], []
    for path in paths:
        if _is_maildir(path):
            maildirs.append(path)
        elif path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.eml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return files, maildirs


def ingest_paths(pipeline: Pipeline, paths: Iterable[Path], *, send: bool = True,
                 console: Console | None = None) -> str:
    """Journal, handle and (optionally) send; Maildir messages are not moved. Returns a summary."""
    files, maildirs = _eml_files(paths)
    new = 0
    show = console is not None and len(files) >= _PROGRESS_FROM
    for file in track(files, description="journal", console=console) if show else files:
        if journal.journal_raw(pipeline.engine, "ingest", file.read_bytes()) is not None:
            new += 1
    for folder in maildirs:
        from mailbot.sources.maildir import MaildirSource

        source = MaildirSource(folder)
        source.connect()
        try:
            new += pipeline.journal_new(source)
        finally:
            source.close()
    pending = journal.pending_ids(pipeline.engine)
    outcomes = [
        pipeline.process_one(i)
        for i in (track(pending, description="handle", console=console)
                  if console is not None and len(pending) >= _PROGRESS_FROM else pending)
    ]
    kinds: dict[str, int] = {}
    for outcome in outcomes:
        key = outcome.kind or outcome.status
        kinds[key] = kinds.get(key, 0) + 1
    summary = f"{new} new message(s), {len(outcomes)} handled"
    if kinds:
        summary += " (" + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())) + ")"
    quarantined = sum(o.status == "quarantined" for o in outcomes)
    if quarantined:
        summary += f"; {quarantined} quarantined (see `mailbot messages list --flagged`)"
    if send:
        report = pipeline.send()
        summary += f"; {report.sent} email(s) sent, {report.deferred} deferred, {report.failed} failed"
    return summary
