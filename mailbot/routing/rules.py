"""rules/routing.toml: which partners get which offer. Loaded and checked once at start-up; a
mistake stops mailbot with an error naming the file and the rule.

Format (see the shipped file's comments): `default` ("all", "none", or a list of partner names
and kinds), `[families.NAME]` (ROME codes and title words), `[territories.NAME]` (postcodes and
communes), then `[[rules]]` in order, each with a `name`, conditions (`family`, `territory`,
`postcodes`, `communes`; all given must hold, any value of a list will do) and `send_to`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from mailbot.errors import ConfigError
from mailbot.resources import rule_file
from mailbot.routing.places import fold

__all__ = [
    "ALL",
    "NONE",
    "STANDARD_KINDS",
    "Family",
    "NamedPartner",
    "RoutingRules",
    "Rule",
    "Territory",
    "check_partners",
    "load_routing",
    "parse_routing",
]

ALL = "all"
NONE = "none"
# Partner kinds a rule may name even when no configured partner has them yet.
STANDARD_KINDS = ("ML", "CAP_EMPLOI", "PLIE", "SIAE", "EPIDE", "E2C", "GEIQ", "ASSO", "FT")
_ROME = re.compile(r"^[A-N]\d{0,4}$")
_POSTCODE_PREFIX = re.compile(r"^(\d{1,5}|2[AB])$")
_RULE_KEYS = {"name", "family", "territory", "postcodes", "communes", "send_to"}
_TOP_KEYS = {"default", "families", "territories", "rules"}


class NamedPartner(Protocol):
    name: str
    kind: str


@dataclass(frozen=True)
class Family:
    """A job family: ROME code prefixes ("F", "F17", "F1703") and words of a job title."""

    name: str
    rome: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # as written; "maçon*" is a prefix ("maçonnerie")
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class Territory:
    """A territory: postcode prefixes ("80" is the Somme) and communes or place names."""

    name: str
    postcodes: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One `[[rules]]` entry: offers matching every condition go to `send_to` (names or kinds)."""

    name: str
    families: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()  # named ones, plus the rule's own postcodes/communes
    own: Territory | None = None
    send_to: tuple[str, ...] | str = ALL  # ALL, or names and kinds (empty: nobody)


@dataclass(frozen=True)
class RoutingRules:
    """The whole file, ready to use."""

    path: str
    default: tuple[str, ...] | str = ALL
    families: dict[str, Family] = field(default_factory=dict)
    territories: dict[str, Territory] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()

    def communes(self) -> tuple[str, ...]:
        """Every commune any territory or rule names (a workplace naming one says where it is)."""
        names = [c for t in self.territories.values() for c in t.communes]
        names += [c for r in self.rules if r.own for c in r.own.communes]
        return tuple(dict.fromkeys(names))


def _strings(where: str, key: str, value: object) -> tuple[str, ...]:
    """A string or a list of non-empty strings."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
        raise ConfigError(f"{where}: {key} must be a text or a list of texts, got {value!r}")
    return tuple(" ".join(v.split()) for v in items)


def _targets(where: str, key: str, value: object) -> tuple[str, ...] | str:
    if isinstance(value, str) and value.strip().lower() in (ALL, NONE):
        return ALL if value.strip().lower() == ALL else ()
    if value == []:
        return ()
    items = _strings(where, key, value)
    if any(item.lower() == ALL for item in items):
        return ALL
    return items


def _word_pattern(word: str) -> re.Pattern[str]:
    """Whole words of a folded title: "maçon" = "maçons"; "maçon*" = "maçonnerie"."""
    folded = fold(word.rstrip("*").strip())
    tail = r"[a-z0-9]*" if word.endswith("*") else r"(?:s|x)?"
    return re.compile(r"(?<![a-z0-9])" + re.escape(folded) + tail + r"(?![a-z0-9])")


def _family(where: str, name: str, data: object) -> Family:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: must be a table with rome and/or words")
    unknown = set(data) - {"rome", "words", "label"}
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} (use rome, words)")
    rome = tuple(c.upper().replace(" ", "") for c in _strings(where, "rome", data.get("rome", [])))
    for code in rome:
        if not _ROME.match(code):
            raise ConfigError(f"{where}: {code!r} is not a ROME code or its start (e.g. F, F17, F1703)")
    words = _strings(where, "words", data.get("words", []))
    if not rome and not words:
        raise ConfigError(f"{where}: give rome codes or words")
    if any(not fold(w.rstrip("*")) for w in words):
        raise ConfigError(f"{where}: a word holds no letter")
    return Family(name, rome, words, tuple((w, _word_pattern(w)) for w in words))


def _territory(where: str, name: str, data: dict) -> Territory:
    postcodes = tuple(p.replace(" ", "").upper() for p in _strings(where, "postcodes",
                                                                   data.get("postcodes", [])))
    for code in postcodes:
        if not _POSTCODE_PREFIX.match(code):
            raise ConfigError(f"{where}: {code!r} is not a postcode or its start (e.g. 80, 800, 80000)")
    communes = _strings(where, "communes", data.get("communes", []))
    return Territory(name, postcodes, communes)


def _rule(path: Path, index: int, data: object, rules: RoutingRules) -> Rule:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: rule {index}: must be a [[rules]] table")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}: rule {index}: give it a name (name = \"...\")")
    where = f"{path}: rule {name!r}"
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r} "
                          f"(use {', '.join(sorted(_RULE_KEYS))})")
    if "send_to" not in data:
        raise ConfigError(f"{where}: send_to is missing (partner names or kinds, or \"all\")")
    families = _strings(where, "family", data.get("family", []))
    for family in families:
        if family not in rules.families:
            raise ConfigError(f"{where}: family {family!r} is not defined under [families] "
                              f"(defined: {', '.join(rules.families) or 'none'})")
    territories = _strings(where, "territory", data.get("territory", []))
    for territory in territories:
        if territory not in rules.territories:
            raise ConfigError(f"{where}: territory {territory!r} is not defined under [territories] "
                              f"(defined: {', '.join(rules.territories) or 'none'})")
    own = None
    if "postcodes" in data or "communes" in data:
        own = _territory(where, name, data)
    return Rule(name.strip(), families, territories, own, _targets(where, "send_to", data["send_to"]))


def parse_routing(text: str, path: Path | str = "routing.toml") -> RoutingRules:
    """Read and check a routing file's text; ConfigError names the file and the rule."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} "
                          f"(use default, [families.NAME], [territories.NAME], [[rules]])")
    families_data, territories_data = data.get("families", {}), data.get("territories", {})
    if not isinstance(families_data, dict) or not isinstance(territories_data, dict):
        raise ConfigError(f"{path}: families and territories are tables ([families.NAME])")
    families = {name: _family(f"{path}: family {name!r}", name, value)
                for name, value in families_data.items()}
    territories = {}
    for name, value in territories_data.items():
        where = f"{path}: territory {name!r}"
        if not isinstance(value, dict) or set(value) - {"postcodes", "communes"}:
            raise ConfigError(f"{where}: must be a table with postcodes and/or communes only")
        territories[name] = _territory(where, name, value)
        if not territories[name].postcodes and not territories[name].communes:
            raise ConfigError(f"{where}: give postcodes or communes")
    rules = RoutingRules(str(path), _targets(f"{path}", "default", data.get("default", ALL)),
                         families, territories)
    items = data.get("rules", [])
    if not isinstance(items, list):
        raise ConfigError(f"{path}: rules must be written [[rules]]")
    parsed = tuple(_rule(path, index, item, rules) for index, item in enumerate(items, 1))
    seen: set[str] = set()
    for rule in parsed:
        if rule.name in seen:
            raise ConfigError(f"{path}: rule {rule.name!r}: two rules have this name")
        seen.add(rule.name)
    return RoutingRules(rules.path, rules.default, families, territories, parsed)


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> RoutingRules:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return parse_routing(text, path)


def load_routing(path: Path | str | None = None) -> RoutingRules:
    """The rules of `path` (default: routing.toml, the configured rules_dir first); re-read when
    the file changes."""
    path = Path(path) if path else rule_file("routing.toml")
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return _load(path, mtime)


def check_partners(rules: RoutingRules, partners: Iterable[NamedPartner]) -> None:
    """Every name in `send_to`/`default` is a configured partner's name or a partner kind
    (a configured one or a standard one): a typo must not silently send an offer to nobody."""
    partners = list(partners)
    names = {p.name.casefold() for p in partners}
    kinds = {p.kind.casefold() for p in partners if p.kind} | {k.casefold() for k in STANDARD_KINDS}
    checks = [(f"rule {r.name!r}", r.send_to) for r in rules.rules] + [("default", rules.default)]
    for where, targets in checks:
        if targets == ALL:
            continue
        for target in targets:
            if target.casefold() not in names | kinds:
                raise ConfigError(
                    f"{rules.path}: {where}: {target!r} is neither a partner's name nor a "
                    f"kind (partners: {', '.join(sorted(p.name for p in partners)) or 'none'}; "
                    f"kinds: {', '.join(sorted({p.kind for p in partners if p.kind}) or ['none'])})")
