"""DMARC and SMTP TLS reports: aggregate reports (a zipped/gzipped XML named
`receiver!domain!begin!end`, subject "Report Domain: … Submitter: …"), failure (forensic)
reports and TLS-RPT (RFC 8460). Automated, never answered, nothing for the référent."""

from __future__ import annotations

import re

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "dmarc_report"

_SUBJECT = re.compile(
    r"report\s+domain\s*:.*submitter\s*:|\bdmarc\b.{0,40}\b(aggregate|failure|forensic)\s+report"
    r"|^\s*\[?\s*dmarc\s+(aggregate|failure|forensic)",
    re.I,
)
_FILE = re.compile(r"^[^!/\s]+![^!/\s]+!\d{9,}!\d{9,}(![^.]*)?\.(xml|zip|gz|xml\.gz)$", re.I)
_TLSRPT = ("application/tlsrpt+gzip", "application/tlsrpt+json")


def check(msg: MailMessage) -> bool:
    try:
        report_type = str(msg.headers.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if report_type == "tlsrpt" or any(t in msg.part_types for t in _TLSRPT):
        return True
    if _SUBJECT.search(msg.subject or ""):
        return not msg.documents
    return any(_FILE.match(a.filename or "") for a in msg.attachments) and not msg.documents
