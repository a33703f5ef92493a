"""Clean text before it is stored or shown: no NUL, no control characters, no lone surrogates.

PostgreSQL refuses NUL in text and any string that is not valid UTF-8 (a lone surrogate left by
`surrogateescape` decoding); terminals obey escape sequences. Tab and newline are kept in
free text; carriage returns become newlines.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean_json", "clean_line", "clean_text", "decode_header_bytes"]

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_DIRTY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str) -> str:
    """`value` without NUL or control characters (tab and newline kept, CR → newline) and
    with any lone surrogate replaced by U+FFFD."""
    if not _DIRTY.search(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _SURROGATES.sub("\ufffd", value)
    return _CONTROLS.sub("", value)


def clean_line(value: str) -> str:
    """One line of text (a header, a file name): controls removed, tabs and newlines become
    spaces, surrogates replaced."""
    value = _SURROGATES.sub("\ufffd", value)
    value = re.sub(r"[\t\r\n]+", " ", value)
    return _LINE_CONTROLS.sub("", value)


def clean_json(value: Any) -> Any:
    """`value` with every string inside lists and dicts (keys too) cleaned by `clean_text`;
    returns the same object when nothing needed cleaning."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        items = [clean_json(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, tuple):
        return tuple(clean_json(v) for v in value)
    if isinstance(value, dict):
        pairs = [(clean_json(k), clean_json(v)) for k, v in value.items()]
        same = all(a is k and b is v for (a, b), (k, v) in zip(pairs, value.items(), strict=True))
        return value if same else dict(pairs)
    return value


def decode_header_bytes(data: bytes) -> str:
    """Raw 8-bit header bytes as text: UTF-8 when they are valid UTF-8, else Windows-1252
    (what French mailers send), never raising."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode("cp1252", errors="ignore")  # the 5 bytes cp1252 leaves undefined go
