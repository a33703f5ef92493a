"""Read receipt: a message disposition notification (RFC 8098 multipart/report,
disposition-notification), or the plain-text receipt some clients send ("Lu : …" / "Read: …",
"Your message … was read on …"). Automated; nothing to answer, nothing for the référent."""

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "read_receipt"

_SUBJECT = re.compile(r"^\s*(read|lu|gelesen|letto|le[íi]do|gelezen|lido|odczytana)\s*:", re.I)
_TEXT = re.compile(
    r"was read on|has been read|a [ée]t[ée] lu|wurde am .{0,40}gelesen|[èe] stato letto"
    r"|fue le[íi]do|is gelezen op|foi lida",
    re.I,
)


def check(msg: MailMessage) -> bool:
    try:
        report_type = str(msg.headers.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if msg.content_type == "multipart/report" and report_type == "disposition-notification":
        return True
    if "message/disposition-notification" in msg.part_types:
        return True
    return (not msg.documents and bool(_SUBJECT.match(msg.subject or ""))
            and bool(_TEXT.search((msg.text or "")[:1500])))
