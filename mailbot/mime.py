"""Read one raw email into a MailMessage: decoded headers, body text (quoted reply apart), and
attachments, robustly: nothing in a message raises; what cannot be read becomes a `problem`.
"""

from __future__ import annotations

import base64
import binascii
import email
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr
from typing import Any

from mailbot.mailtext import decode_text, html_to_text, split_quoted
from mailbot.parse.document import sniff_type
from mailbot.parse.types import Limits
from mailbot.textclean import clean_line, clean_text, decode_header_bytes

__all__ = [
    "STRUCTURE",
    "Attachment",
    "MailMessage",
    "decode_words",
    "header_text",
    "read_message",
    "structural_failure",
]

# Problems that mean the message's structure could not be read whole start with this.
STRUCTURE = "message structure: "
MAX_NESTING = 32  # multiparts and forwards nested deeper than this are not read

_SIGNATURE_TYPES = {
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
    "application/pgp-signature",
}
_TNEF_TYPES = {"application/ms-tnef", "application/vnd.ms-tnef"}
_DOC_MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Attachment:
    """One attached file. `kind` is the sniffed document type ('pdf', 'docx') or None."""

    filename: str
    content_type: str
    data: bytes
    kind: str | None = None
    inline: bool = False
    problem: str | None = None  # set when the bytes were refused (too large); data is then empty

    @property
    def is_document(self) -> bool:
        """A PDF or DOCX worth parsing (or one refused for size: it still counts)."""
        return self.kind in ("pdf", "docx")


@dataclass
class MailMessage:
    """A parsed email. Headers are decoded; `text` is the new text, `quoted` the quoted reply."""

    headers: Message
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    quoted: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    part_types: list[str] = field(default_factory=list)
    forwarded_senders: list[tuple[str, str]] = field(default_factory=list)  # (name, address)
    own_text: str = ""  # mailbot's own text found in the message, set apart (mailbot.fingerprints)
    analysis: Any = None  # set by parse_email: lazily computed content facts for the rules

    def header(self, name: str) -> str | None:
        """The decoded value of header `name` (first occurrence), or None."""
        values = _raw_values(self.headers, name)
        return decode_words(values[0]) if values else None

    def header_all(self, name: str) -> list[str]:
        """Every decoded value of header `name`."""
        return [decode_words(v) for v in _raw_values(self.headers, name)]

    @property
    def content_type(self) -> str:
        try:
            return self.headers.get_content_type()
        except Exception:
            return "text/plain"

    @property
    def sender_address(self) -> str:
        """Who sent it: the From addr-spec alone (lowercase), never Reply-To or a display name."""
        return self.from_address

    @property
    def documents(self) -> list[Attachment]:
        return [a for a in self.attachments if a.is_document]


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words (=?utf-8?q?...?=) and raw 8-bit bytes, never raising;
    whitespace unfolded, control characters removed."""
    value = _unescape(value or "")
    if "=?" in value:
        try:
            value = str(make_header(decode_header(value)))
        except Exception:
            value = _decode_words_lenient(value)
    return clean_line(re.sub(r"\s*[\r\n]+\s*", " ", value)).strip()


def _unescape(value: str) -> str:
    """A header value parsed from bytes keeps raw 8-bit bytes as surrogates: decode them
    (UTF-8, else Windows-1252)."""
    value = str(value)
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    try:
        data = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        data = value.encode("utf-8", "surrogateescape")
    return decode_header_bytes(data)


def _raw_values(root: Message, name: str) -> list[str]:
    """Every value of header `name` as stored (no policy folding), 8-bit bytes decoded."""
    wanted = name.lower()
    try:
        return [_unescape(v) for k, v in root.raw_items() if k.lower() == wanted]
    except Exception:
        return []


def header_text(root: Message, name: str) -> str:
    """The decoded, cleaned value of header `name` of a parsed message ('' when absent)."""
    values = _raw_values(root, name)
    return decode_words(values[0]) if values else ""


_WORD = re.compile(r"=\?([^?]+)\?([bqBQ])\?([^?]*)\?=")


def _decode_words_lenient(value: str) -> str:
    import base64
    import quopri

    def one(match: re.Match) -> str:
        charset, enc, payload = match.groups()
        try:
            if enc.lower() == "b":
                raw = base64.b64decode(payload + "=" * (-len(payload) % 4))
            else:
                raw = quopri.decodestring(payload.replace("_", " ").encode("ascii", "replace"))
            return decode_text(raw, charset.split("*")[0])
        except Exception:
            return match.group(0)

    return _WORD.sub(one, value)


def _ids(value: str | None) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value or "")


class _Walk:
    """Mutable state of one walk over a message tree."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.parts = 0
        self.texts: list[str] = []
        self.forwarded: list[str] = []
        self.attachments: list[Attachment] = []
        self.problems: list[str] = []
        self.part_types: list[str] = []
        self.forwarded_senders: list[tuple[str, str]] = []
        self.capped = False

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


def read_message(raw: bytes, limits: Limits | None = None) -> MailMessage:
    """Parse `raw` (RFC 5322 bytes). Never raises: unreadable parts become `problems`."""
    limits = limits or Limits()
    raw = raw or b""
    if len(raw) > limits.max_message_bytes:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024])
        msg = _headers_only(headers)
        why = f"message too large ({_size(len(raw))} > {_size(limits.max_message_bytes)} limit)"
        msg.problems.append(f"{why}: body not read")
        msg.attachments = _skeleton_attachments(raw, limits, why)
        return msg
    try:
        root = email.message_from_bytes(raw, policy=policy.compat32)
    except RecursionError:  # the stdlib parser recurses once per nested multipart
        return _unreadable_body(raw, "MIME parts nested too deeply to be parsed: body not read")
    except Exception as exc:  # pragma: no cover - compat32 parsing is lenient
        return _unreadable_body(raw, f"unparsable message ({type(exc).__name__})")
    msg = _headers_only(root)
    walk = _Walk(limits)
    if _prune_deep(root, MAX_NESTING):
        walk.problem(f"{STRUCTURE}MIME parts nested deeper than {MAX_NESTING} levels: "
                     "the deeper parts were ignored")
    try:
        _walk(root, 0, walk, forwarded=False)
    except RecursionError:
        walk.problem(f"{STRUCTURE}nested too deeply: partly read")
    except Exception as exc:  # a defensive net: one odd part must not lose the message
        walk.problem(f"part of the message could not be read ({type(exc).__name__})")
    body = "\n\n".join(t for t in walk.texts if t.strip())
    msg.text, msg.quoted = split_quoted(body)
    if walk.forwarded:
        msg.quoted = "\n\n".join([msg.quoted, *walk.forwarded]).strip()
    msg.attachments = walk.attachments
    msg.problems.extend(walk.problems)
    msg.part_types = walk.part_types
    msg.forwarded_senders = walk.forwarded_senders
    return msg


def _unreadable_body(raw: bytes, why: str) -> MailMessage:
    """The headers alone of a message whose body the parser could not read."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: 256 * 1024])
    except Exception:
        headers = Message()
    msg = _headers_only(headers)
    msg.problems.append(STRUCTURE + why)
    return msg


def _prune_deep(root: Message, max_depth: int) -> bool:
    """Cut every multipart or forward nested deeper than `max_depth` (iteratively, so nothing
    downstream recurses into a 3,000-deep tree); True when something was cut."""
    cut = False
    stack: list[tuple[Message, int]] = [(root, 0)]
    while stack:
        part, depth = stack.pop()
        payload = part.get_payload() if part.is_multipart() else None
        if not isinstance(payload, list):
            continue
        if depth >= max_depth:
            part.set_payload([])
            cut = True
            continue
        stack.extend((child, depth + 1) for child in payload if isinstance(child, Message))
    return cut


def structural_failure(parsed: dict) -> str | None:
    """Why a parsed message cannot be handled, when its structure could not be read whole
    (too many parts, nesting too deep, unparsable) and nothing useful came out of it; else None.

    A form or a referral read despite the damage is handled (its problems are flagged); an
    automated message (auto-reply, bounce) is filed as usual.
    """
    broken = [p for p in parsed.get("problems") or [] if str(p).startswith(STRUCTURE)]
    if not broken or parsed.get("auto"):
        return None
    if parsed.get("forms") or parsed.get("candidates"):
        return None
    return "; ".join(broken)


_PART_HEADERS = re.compile(rb"(?m)^--[^\r\n]{1,200}\r?\n((?:[^\r\n]{0,2000}\r?\n){1,40}?)\r?\n")


def _skeleton_attachments(raw: bytes, limits: Limits, why: str) -> list[Attachment]:
    """The attachments of a message too large to parse, named from their part headers only.

    Nothing is decoded (the stdlib parser needs ~8x the message in memory): each named part
    becomes an empty Attachment whose `problem` says why it was not read.
    """
    found: list[Attachment] = []
    for match in _PART_HEADERS.finditer(raw):
        if len(found) >= limits.max_mime_parts:
            break
        try:
            part = BytesHeaderParser(policy=policy.compat32).parsebytes(match.group(1))
        except Exception:
            continue
        name = _filename(part)
        if not name or _safe_type(part).startswith("multipart/"):
            continue
        found.append(Attachment(filename=name, content_type=_safe_type(part), data=b"",
                                kind=sniff_type(b"", name), problem=f"{why}: not read"))
    return found


def _headers_only(root: Message) -> MailMessage:
    msg = MailMessage(headers=root)
    msg.subject = msg.header("Subject") or ""
    msg.from_name, msg.from_address = _address(root, "From")
    msg.reply_to = _address(root, "Reply-To")[1]
    ids = _ids(clean_line(_raw_header(root, "Message-ID")))
    msg.message_id = ids[0] if ids else None
    msg.in_reply_to = _ids(clean_line(_raw_header(root, "In-Reply-To")))
    msg.references = _ids(clean_line(_raw_header(root, "References")))
    return msg


def _raw_header(root: Message, name: str) -> str:
    return " ".join(_raw_values(root, name))


def _address(root: Message, name: str) -> tuple[str, str]:
    value = _raw_header(root, name)
    if not value:
        return "", ""
    try:
        pairs = getaddresses([value])
        display, address = next(((n, a) for n, a in pairs if "@" in a), parseaddr(value))
    except Exception:
        return "", ""
    return decode_words(display), address.strip().lower()


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # RFC 2231 value not collapsed
        name = email.utils.collapse_rfc2231_value(name)
    return decode_words(str(name)).replace("/", "_").replace("\\", "_").strip()


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return b""
    if isinstance(data, bytes):
        return data
    return b""


def _walk(part: Message, depth: int, walk: _Walk, *, forwarded: bool) -> None:
    walk.parts += 1
    if walk.parts > walk.limits.max_mime_parts:
        if not walk.capped:
            walk.capped = True
            walk.problem(f"{STRUCTURE}more than {walk.limits.max_mime_parts} MIME parts "
                         "([limits] max_mime_parts): the rest was ignored")
        return
    try:
        ctype = part.get_content_type()
    except Exception:
        ctype = "application/octet-stream"
    walk.part_types.append(ctype)
    if ctype == "message/rfc822":
        _walk_forward(part, depth, walk)
        return
    if part.is_multipart():
        if ctype in ("message/delivery-status", "message/disposition-notification"):
            return
        children = part.get_payload()
        if not isinstance(children, list):
            return
        if ctype == "multipart/alternative":
            _walk_alternative(children, depth, walk, forwarded=forwarded)
            return
        for child in children:
            if isinstance(child, Message):
                _walk(child, depth, walk, forwarded=forwarded)
        return
    _leaf(part, ctype, walk, forwarded=forwarded)


def _walk_forward(part: Message, depth: int, walk: _Walk) -> None:
    if depth + 1 > walk.limits.max_mime_depth:
        walk.problem(f"{STRUCTURE}forwarded messages nested deeper than "
                     f"{walk.limits.max_mime_depth} ([limits] max_mime_depth): ignored")
        return
    inner = part.get_payload()
    children: list[Message] = []
    if isinstance(inner, list):
        children = [child for child in inner if isinstance(child, Message)]
    elif isinstance(inner, str | bytes):
        data = inner.encode("latin-1", "replace") if isinstance(inner, str) else inner
        children = [email.message_from_bytes(data, policy=policy.compat32)]
    for child in children:
        name, address = _address(child, "Reply-To")
        if not address:
            name, address = _address(child, "From")
        if address:
            walk.forwarded_senders.append((name, address))
        _walk(child, depth + 1, walk, forwarded=True)


def _walk_alternative(children: list, depth: int, walk: _Walk, *, forwarded: bool) -> None:
    """Keep one body of the alternatives (plain text preferred, else the last, richest one),
    but the attachments of all of them."""
    bodies: list[tuple[str, list[str], list[str]]] = []
    for child in children:
        if not isinstance(child, Message):
            continue
        keep_t, keep_f = walk.texts, walk.forwarded
        walk.texts, walk.forwarded = [], []
        _walk(child, depth, walk, forwarded=forwarded)
        bodies.append((_safe_type(child), walk.texts, walk.forwarded))
        walk.texts, walk.forwarded = keep_t, keep_f
    with_text = [b for b in bodies if any(t.strip() for t in b[1] + b[2])]
    if not with_text:
        return
    plain = [b for b in with_text if b[0] == "text/plain"]
    _, texts, fwd = plain[0] if plain else with_text[-1]
    walk.texts.extend(texts)
    walk.forwarded.extend(fwd)


def _safe_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _leaf(part: Message, ctype: str, walk: _Walk, *, forwarded: bool) -> None:
    filename = _filename(part)
    disposition = _disposition(part)
    if ctype in _SIGNATURE_TYPES or filename.lower() in ("smime.p7s", "signature.asc"):
        return
    if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
        walk.problem("encrypted (S/MIME) message: cannot be read")
        return
    if ctype in _TNEF_TYPES or filename.lower() == "winmail.dat":
        _tnef(_payload(part), walk, forwarded=forwarded)
        return
    is_body = ctype in ("text/plain", "text/html") and disposition != "attachment"
    if is_body and (not filename or disposition == "inline"):
        _text(part, ctype, walk, forwarded=forwarded)
        return
    inline = disposition == "inline" or (disposition is None and bool(part.get("Content-ID")))
    oversize = _encoded_size(part)
    if oversize > walk.limits.max_attachment_bytes:
        # Never decode a part we are going to refuse: keep only its head to tell its type.
        _add_attachment(filename, ctype, _payload_head(part), walk, inline=inline, size=oversize)
        return
    _add_attachment(filename, ctype, _payload(part), walk, inline=inline)


def _text(part: Message, ctype: str, walk: _Walk, *, forwarded: bool) -> None:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = decode_text(_payload(part), charset)
    if ctype == "text/html":
        text = html_to_text(text)
    text = clean_text(text)
    (walk.forwarded if forwarded else walk.texts).append(text)


def _size(n: int) -> str:
    """A size for people: '135 MB', '40 KB', '900 bytes'."""
    if n >= 1 << 20:
        return f"{n >> 20} MB"
    return f"{n >> 10} KB" if n >= 1 << 10 else f"{n} bytes"


def _encoded_size(part: Message) -> int:
    """The decoded size of a leaf part, estimated from its encoded text without decoding it."""
    payload = part.get_payload()
    if not isinstance(payload, str | bytes):
        return 0
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    return len(payload) * 3 // 4 if encoding == "base64" else len(payload)


def _payload_head(part: Message, size: int = 4096) -> bytes:
    """The first bytes of a part's decoded payload (enough to sniff its type)."""
    payload = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    if not isinstance(payload, str):
        return b""
    if encoding == "base64":
        head = "".join(payload[: size * 2].split())
        head = head[: len(head) // 4 * 4]
        try:
            return base64.b64decode(head)[:size]
        except (ValueError, binascii.Error):
            return b""
    return payload[:size].encode("latin-1", "replace")


def _add_attachment(filename: str, ctype: str, data: bytes, walk: _Walk, *, inline: bool,
                    size: int | None = None) -> None:
    limit = walk.limits.max_attachment_bytes
    size = len(data) if size is None else size
    kind = sniff_type(data[:2048] if size > limit else data, filename)
    if not filename:
        filename = f"attachment-{len(walk.attachments) + 1}"
    problem = None
    if size > limit:
        problem = f"file too large ({_size(size)} > {_size(limit)} limit)"
        walk.problem(f"{filename}: {problem}")
        data = b""
    if kind in _DOC_MIME and ctype in (
        "application/octet-stream",
        "application/x-download",
        "application/binary",
        "application/force-download",
    ):
        ctype = _DOC_MIME[kind]
    elif kind is None and ctype == "application/octet-stream" and data:
        ctype = _guess_mime(data) or ctype
    walk.attachments.append(
        Attachment(
            filename=filename,
            content_type=ctype,
            data=data,
            kind=kind,
            inline=inline,
            problem=problem,
        )
    )


def _guess_mime(data: bytes) -> str | None:
    try:
        import filetype

        guess = filetype.guess(data[:8192])
    except Exception:
        return None
    return guess.mime if guess else None


def _tnef(data: bytes, walk: _Walk, *, forwarded: bool) -> None:
    """Unpack an Outlook winmail.dat: its body text and attached files."""
    try:
        import tnefparse

        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception as exc:
        walk.problem(f"winmail.dat: cannot be unpacked ({type(exc).__name__})")
        return
    body = getattr(tnef, "body", None)
    if body:
        text = body if isinstance(body, str) else decode_text(body, None)
        (walk.forwarded if forwarded else walk.texts).append(clean_text(text))
    elif getattr(tnef, "htmlbody", None):
        html = tnef.htmlbody
        html = html if isinstance(html, str) else decode_text(html, None)
        (walk.forwarded if forwarded else walk.texts).append(clean_text(html_to_text(html)))
    for item in getattr(tnef, "attachments", []) or []:
        try:
            name = item.long_filename() or item.name or ""
        except Exception:
            name = getattr(item, "name", "") or ""
        if isinstance(name, bytes):
            name = decode_text(name, None)
        name = str(name).strip("\x00").strip()
        payload = item.data if isinstance(getattr(item, "data", None), bytes) else b""
        _add_attachment(decode_words(name), "application/octet-stream", payload, walk, inline=False)
