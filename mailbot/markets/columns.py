"""Column headers of the facilitateur's list, matched like form labels through the synonyms of
`rules/markets.toml` (key words compared: accents, case, punctuation and small words aside).

A header equal to a synonym, or beginning with one (the longest wins), is that column; anything
else is reported, never guessed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mailbot.errors import ConfigError
from mailbot.parse.labels import label_key
from mailbot.resources import rule_file

__all__ = ["COLUMNS", "ColumnMap", "ColumnRules", "load_column_rules", "map_headers"]

#: Every column mailbot knows, as "<entity>.<field>".
COLUMNS: tuple[str, ...] = (
    "market.reference", "market.name", "market.buyer", "market.start", "market.end",
    "lot.number", "lot.label", "lot.hours", "lot.start", "lot.end",
    "worksite.name", "worksite.address", "worksite.commune", "worksite.postcode",
    "company.legal_name", "company.siret", "company.address", "company.contact_name",
    "company.email", "company.phone",
)


class ColumnRules:
    """Synonyms of each column, by their key words."""

    def __init__(self, data: dict) -> None:
        self.abbreviations = {str(k).casefold(): str(v) for k, v in data.get("abbreviations", {}).items()}
        self._keys: dict[tuple[str, ...], str] = {}
        for column in COLUMNS:
            section, name = column.split(".")
            for synonym in data.get(section, {}).get(name, []):
                key = self.key(synonym)
                if not key:
                    continue
                other = self._keys.setdefault(key, column)
                if other != column:
                    raise ConfigError(f"markets.toml: « {synonym} » is listed for both {other} "
                                      f"and {column}")

    def key(self, header: str) -> tuple[str, ...]:
        """The key words of a header: 'N° de lot :' → ('num', 'lot')."""
        return label_key(header, self.abbreviations)

    def match(self, header: str) -> str | None:
        """The column `header` names, or None."""
        key = self.key(header)
        if not key:
            return None
        if key in self._keys:
            return self._keys[key]
        best: tuple[int, str] | None = None
        for synonym, column in self._keys.items():
            prefix = len(synonym) < len(key) and key[: len(synonym)] == synonym
            if prefix and (best is None or len(synonym) > best[0]):
                best = (len(synonym), column)
        return best[1] if best else None


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> ColumnRules:
    try:
        return ColumnRules(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_column_rules(path: Path | None = None) -> ColumnRules:
    """The rules of `path` (default: markets.toml, the configured rules_dir first); re-read when
    the file changes."""
    path = Path(path) if path else rule_file("markets.toml")
    return _load(path, path.stat().st_mtime)


@dataclass
class ColumnMap:
    """Which column index holds which field, and the headers that matched nothing."""

    fields: dict[str, int] = field(default_factory=dict)  # "lot.number" → column index
    headers: dict[str, str] = field(default_factory=dict)  # "lot.number" → header as written
    unmatched: list[str] = field(default_factory=list)  # headers that name no known column
    repeated: list[str] = field(default_factory=list)  # a second header for a column: ignored

    @property
    def score(self) -> int:
        return len(self.fields)

    def looks_like_market_list(self) -> bool:
        """Enough columns to be a list of markets and their companies."""
        company = any(f in self.fields for f in ("company.legal_name", "company.siret"))
        market = any(f in self.fields for f in ("market.name", "market.reference", "lot.number"))
        return company and market and self.score >= 3


def map_headers(headers: list[object], rules: ColumnRules | None = None) -> ColumnMap:
    """Map one header row; empty headers are skipped, unknown ones reported."""
    rules = rules or load_column_rules()
    mapping = ColumnMap()
    for index, raw in enumerate(headers):
        header = " ".join(str(raw).split()) if raw is not None else ""
        if not header:
            continue
        column = rules.match(header)
        if column is None:
            mapping.unmatched.append(header)
        elif column in mapping.fields:
            mapping.repeated.append(header)
        else:
            mapping.fields[column] = index
            mapping.headers[column] = header
    return mapping
