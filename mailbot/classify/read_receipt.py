"""Read receipt: a message disposition notification (RFC 8098 multipart/report,
disposition-notification). Automated; nothing to answer, nothing for the référent to read."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "read_receipt"


def check(msg: MailMessage) -> bool:
    try:
        report_type = str(msg.headers.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if msg.content_type == "multipart/report" and report_type == "disposition-notification":
        return True
    return "message/disposition-notification" in msg.part_types
