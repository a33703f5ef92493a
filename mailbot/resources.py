"""Where the shipped `rules/` and `templates/` live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["rule_file", "rules_dir", "templates_dir", "use_rules_dir"]

_PKG = Path(__file__).resolve().parent
_rules_override: Path | None = None


def _find(name: str) -> Path:
    installed = _PKG / "_data" / name
    if installed.is_dir():
        return installed
    source = _PKG.parent / name
    if source.is_dir():
        return source
    raise FileNotFoundError(f"mailbot's {name}/ folder is missing (looked in {installed} and {source})")


def rules_dir() -> Path:
    """The folder of the shipped rule files (labels.toml, classify.toml, ...)."""
    return _find("rules")


def templates_dir() -> Path:
    """The folder of the shipped Jinja2 email templates."""
    return _find("templates")


def use_rules_dir(path: str | Path | None) -> None:
    """Read rule files from `path` first (config `[paths] rules_dir`); None restores the default."""
    global _rules_override
    _rules_override = Path(path) if path else None


def rule_file(name: str) -> Path:
    """A rule file: the référent's copy in the configured rules_dir if there, else the shipped one."""
    if _rules_override is not None and (_rules_override / name).is_file():
        return _rules_override / name
    return rules_dir() / name
