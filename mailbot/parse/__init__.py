"""The parser's front door: `parse_file` (PDF, DOCX or .eml), `parse_email`, and `main_parse`
behind `mailbot parse FILE [--json]`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from mailbot.errors import UnreadableDocument
from mailbot.parse.types import Limits

__all__ = ["main_parse", "parse_document", "parse_email", "parse_file"]

_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]{1,76}:[ \t]?", re.MULTILINE)
_KNOWN_HEADERS = re.compile(
    rb"^(from|to|subject|date|received|message-id|mime-version|return-path|content-type)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def __getattr__(name: str):
    # parse_email is imported lazily: mailbot.mime (which it uses) imports mailbot.parse.*
    if name == "parse_email":
        from mailbot.parse.email import parse_email

        return parse_email
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _looks_like_email(data: bytes) -> bool:
    head = data[:16384].lstrip()
    if head.startswith(b"From ") and b"\n" in head:  # mbox "From " line
        head = head.split(b"\n", 1)[1]
    return bool(_HEADER_LINE.match(head)) and len(set(_KNOWN_HEADERS.findall(head))) >= 2


def parse_document(data: bytes, filename: str = "", limits: Limits | None = None) -> dict:
    """A PDF/DOCX: liaison form(s), else a CV, else unknown. Raises UnreadableDocument."""
    from mailbot.parse.cv import looks_like_cv, parse_cv
    from mailbot.parse.document import load_document
    from mailbot.parse.forms import parse_forms
    from mailbot.parse.guard import time_limit

    limits = limits or Limits()
    with time_limit(limits.max_seconds_per_document + 5.0):
        doc = load_document(data, filename, limits)
        result = parse_forms(doc, limits)
        is_cv = not result.forms and looks_like_cv(doc)
        candidate = parse_cv(doc) if is_cv else None
    if result.forms:
        return {
            "kind": "liaison_form",
            "forms": list(result.forms),
            "ocr": bool(result.ocr),
            "problems": list(result.problems or []),
        }
    if is_cv:
        return {"kind": "cv", "candidate": candidate}
    out: dict = {"kind": "unknown"}
    if result.ocr:
        out["ocr"] = True
    if result.problems:
        out["problems"] = list(result.problems)
    return out


_OVERSIZE_EMAIL_FACTOR = 4


def parse_file(path: str | Path, limits: Limits | None = None) -> dict:
    """Parse a file: .pdf/.docx as a document, .eml (or anything with RFC 5322 headers) as an
    email. Raises UnreadableDocument (one line) when the file cannot be read at all."""
    path = Path(path)
    limits = limits or Limits()
    try:
        size = path.stat().st_size
        # An email over max_message_bytes is still read, for its headers and attachment names.
        cap = max(limits.max_message_bytes * _OVERSIZE_EMAIL_FACTOR, limits.max_attachment_bytes)
        if size > cap:
            raise UnreadableDocument(f"file too large ({size // (1024 * 1024)} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableDocument(exc.strerror or type(exc).__name__) from None
    if not data.strip():
        raise UnreadableDocument("empty file")
    suffix = path.suffix.lower()
    if suffix in (".eml", ".msg.eml", ".mbox") or (
        suffix not in (".pdf", ".docx") and _looks_like_email(data)
    ):
        from mailbot.parse.email import parse_email

        return parse_email(data, limits)
    return parse_document(data, path.name, limits)


def main_parse(path: str, as_json: bool) -> int:
    """`mailbot parse FILE [--json]`: print the result (0) or a one-line error on stderr (2)."""
    try:
        result = parse_file(path)
    except UnreadableDocument as exc:
        print(f"mailbot: cannot read {path}: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback at this boundary
        reason = _one_line(f"internal error: {type(exc).__name__}: {exc}")
        print(f"mailbot: cannot read {path}: {reason}", file=sys.stderr)
        return 2
    try:
        if as_json:
            print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        else:
            print(_summary(result))
    except Exception as exc:
        print(f"mailbot: cannot print {path}: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _person(p: dict) -> str:
    name = " ".join(x for x in (p.get("first_name"), p.get("last_name")) if x) or "(no name)"
    extras = ", ".join(x for x in (p.get("email"), p.get("phone")) if x)
    return f"{name} <{extras}>" if extras else name


def _summary(result: dict) -> str:
    kind = result.get("kind", "unknown")
    lines = [f"kind: {kind}"]
    if result.get("subject"):
        lines.append(f"subject: {result['subject']}")
    if kind == "liaison_form":
        for i, form in enumerate(result.get("forms") or [], 1):
            company = (form.get("company") or {}).get("legal_name") or "?"
            title = (form.get("job") or {}).get("title") or "?"
            lines.append(f"form {i}: {company} - {title}")
            if form.get("missing"):
                lines.append(f"  missing: {', '.join(form['missing'])}")
            if form.get("problems"):
                lines.append(f"  problems: {'; '.join(form['problems'])}")
    elif kind == "cv":
        lines.append(f"candidate: {_person(result.get('candidate') or {})}")
    elif kind == "partner_referral":
        lines.append(f"offer: {result.get('offer_ref') or '(none found)'}")
        for person in result.get("candidates") or []:
            lines.append(f"candidate: {_person(person)} [{person.get('cv_filename')}]")
    if result.get("ocr"):
        lines.append("read by OCR: check the values")
    for problem in result.get("problems") or []:
        lines.append(f"problem: {problem}")
    return "\n".join(lines)
