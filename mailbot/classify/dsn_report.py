"""Bounce: a delivery status notification (RFC 3464 multipart/report, delivery-status)."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "dsn_report"


def check(msg: MailMessage) -> bool:
    report = msg.content_type == "multipart/report"
    try:
        report_type = str(msg.headers.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if report and report_type in ("delivery-status", ""):
        return True
    return "message/delivery-status" in msg.part_types
