"""Classify an email, Mailman-style: an ordered chain of small rules declared in
`rules/classify.toml`; the first rule that matches gives the kind.

Each rule is a module of this package with `name: str` and `check(msg: MailMessage) -> bool`.
Content rules read `msg.analysis` (lazily computed facts about attachments and body, set by
`mailbot.parse.email`); without it they answer False. A new rule is a new module plus a line
in classify.toml.
"""

from __future__ import annotations

import importlib
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from mailbot.errors import ConfigError
from mailbot.mime import MailMessage
from mailbot.resources import rule_file

__all__ = ["KINDS", "ChainEntry", "Verdict", "classify", "load_chain"]

KINDS = ("liaison_form", "partner_referral", "referent_command", "auto_reply", "bounce", "reply",
         "unknown", "market_list")


@dataclass(frozen=True)
class ChainEntry:
    """One link of the chain: a rule module and the kind it gives."""

    rule: ModuleType
    kind: str
    auto: bool = False

    @property
    def name(self) -> str:
        return self.rule.name


@dataclass(frozen=True)
class Verdict:
    """The chain's answer: the kind, the rule that decided (None: default), and whether the
    message was sent by a machine (never answered)."""

    kind: str
    rule: str | None
    auto: bool


def _rule_module(name: str) -> ModuleType:
    if not name.isidentifier():
        raise ConfigError(f"classify.toml: bad rule name {name!r}")
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError:
        raise ConfigError(f"classify.toml: unknown rule {name!r}") from None
    if getattr(module, "name", None) != name or not callable(getattr(module, "check", None)):
        raise ConfigError(f"classify.toml: module {name!r} is not a rule (name, check)")
    return module


def load_chain(path: Path | None = None) -> tuple[tuple[ChainEntry, ...], str]:
    """The chain from `path` (default: rules/classify.toml, the configured copy first) and its
    default kind."""
    return _load_chain(Path(path) if path else rule_file("classify.toml"))


@lru_cache(maxsize=8)
def _load_chain(path: Path) -> tuple[tuple[ChainEntry, ...], str]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    default = data.get("default", "unknown")
    if default not in KINDS:
        raise ConfigError(f"{path}: default kind {default!r} is not one of {', '.join(KINDS)}")
    entries = []
    for item in data.get("chain", []):
        kind = item.get("kind")
        if kind not in KINDS:
            raise ConfigError(f"{path}: rule {item.get('rule')!r}: kind {kind!r} is not valid")
        entries.append(
            ChainEntry(_rule_module(str(item.get("rule"))), kind, bool(item.get("auto")))
        )
    return tuple(entries), default


def classify(msg: MailMessage, chain_path: Path | None = None) -> Verdict:
    """Run the chain on `msg`; a rule that raises is skipped (a bug must not lose a message)."""
    entries, default = load_chain(chain_path)
    for entry in entries:
        try:
            matched = bool(entry.rule.check(msg))
        except Exception:
            matched = False
        if matched:
            return Verdict(entry.kind, entry.name, entry.auto)
    return Verdict(default, None, False)
