"""Build raw e-mails by hand in tests, with full control of the MIME details that real mailers
get wrong or do differently (charsets, transfer encodings, missing dispositions, RFC 2231)."""

from __future__ import annotations

import base64
import quopri
import zlib
from dataclasses import dataclass, field

__all__ = ["Part", "file_part", "message", "multipart", "text_part"]


@dataclass
class Part:
    headers: list[tuple[str, str]]
    body: bytes = b""
    children: list[Part] = field(default_factory=list)
    boundary: str = ""

    def render(self) -> bytes:
        head = "".join(f"{k}: {v}\r\n" for k, v in self.headers).encode("utf-8")
        if not self.children:
            return head + b"\r\n" + self.body
        out = [head, b"\r\n"]
        for child in self.children:
            out += [f"--{self.boundary}\r\n".encode(), child.render(), b"\r\n"]
        out.append(f"--{self.boundary}--\r\n".encode())
        return b"".join(out)


def _wrap(data: bytes) -> bytes:
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76)) + b"\r\n"


def text_part(
    text: str,
    subtype: str = "plain",
    charset: str = "utf-8",
    cte: str = "8bit",
    codec: str | None = None,
    extra: list[tuple[str, str]] | None = None,
) -> Part:
    """A text part: `text` encoded with `codec` (default: the charset), then `cte`."""
    data = text.replace("\n", "\r\n").encode(codec or charset)
    if cte == "base64":
        body = _wrap(data)
    elif cte == "quoted-printable":
        body = quopri.encodestring(data)
    else:
        body = data
    headers = [
        ("Content-Type", f'text/{subtype}; charset="{charset}"'),
        ("Content-Transfer-Encoding", cte),
        *(extra or []),
    ]
    return Part(headers, body)


def file_part(data: bytes, ctype: str, params: str, disposition: str | None = "attachment") -> Part:
    """A base64 file part. `params` is written as is after the type and the disposition, for
    instance 'name="cv.pdf"' or "filename*=utf-8'fr'CV%20R%C3%A9mi.pdf"."""
    headers = [("Content-Type", f"{ctype}; {params}" if params else ctype)]
    if disposition:
        headers.append(("Content-Disposition", f"{disposition}; {params}" if params else disposition))
    headers.append(("Content-Transfer-Encoding", "base64"))
    return Part(headers, _wrap(data))


def multipart(subtype: str, *children: Part, params: str = "", boundary: str = "") -> Part:
    boundary = boundary or f"=_b{zlib.crc32(repr([c.headers for c in children]).encode())}_{subtype}"
    ctype = f'multipart/{subtype}; boundary="{boundary}"' + (f"; {params}" if params else "")
    return Part([("Content-Type", ctype)], children=list(children), boundary=boundary)


def message(headers: dict[str, str], body: Part) -> bytes:
    """Top-level headers (Subject, From, ... as already-encoded strings) around `body`."""
    base = {
        "Date": "Tue, 09 Mar 2027 10:15:00 +0100",
        "To": "Clauses sociales <clauses.amiens@exemple-emploi.fr>",
        "MIME-Version": "1.0",
    }
    base.update(headers)
    base.setdefault("Message-ID", f"<{zlib.crc32(repr(headers).encode())}@mail.exemple>")
    top = Part([*base.items(), *body.headers], body.body, body.children, body.boundary)
    return top.render()
