"""Feedback report: an ARF abuse/complaint report (RFC 5965 multipart/report,
feedback-report), a provider's complaint or unsubscribe notification (Amazon SES "Complaint",
Microsoft JMRP "complaint about message from …", Apple's X-Apple-Unsubscribe). Automated,
never answered, nothing for the référent."""

from __future__ import annotations

import re

from mailbot.classify.signals import body_head
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "feedback_report"

_JMRP = re.compile(r"^\s*complaint about message from \S", re.I)
_SES_COMPLAINT = re.compile(r'\\?"(notificationType|eventType)\\?"\s*:\s*\\?"Complaint', re.I)


def check(msg: MailMessage) -> bool:
    try:
        report_type = str(msg.headers.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if report_type == "feedback-report" or "message/feedback-report" in msg.part_types:
        return True
    if msg.documents:
        return False
    if _JMRP.match(msg.subject or "") and "message/rfc822" in msg.part_types:
        return True
    if (msg.header("X-Apple-Unsubscribe") or "").strip().lower() == "true":
        return True
    return bool(_SES_COMPLAINT.search(body_head(msg, 3000)))
