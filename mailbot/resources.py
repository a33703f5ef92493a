"""Where the shipped `rules/` and `templates/` live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["rules_dir", "templates_dir"]

_PKG = Path(__file__).resolve().parent


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
