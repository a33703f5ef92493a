"""The référent's email commands: which lines to read (`lines`) and what they say (`grammar`)."""

from mailbot.commands.grammar import (
    ACTIONS_HELP,
    CLOSE,
    REASONS_HELP,
    Command,
    NotUnderstood,
    Sheet,
    parse_line,
    parse_lines,
)
from mailbot.commands.lines import command_lines, command_text, fold, has_command_line, looks_like_command

__all__ = [
    "ACTIONS_HELP",
    "CLOSE",
    "REASONS_HELP",
    "Command",
    "NotUnderstood",
    "Sheet",
    "command_lines",
    "command_text",
    "fold",
    "has_command_line",
    "looks_like_command",
    "parse_line",
    "parse_lines",
]
