"""Partner referral: CV(s) attached, or an offer reference plus attachments that are not forms."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "referral"


def check(msg: MailMessage) -> bool:
    analysis = msg.analysis
    if analysis is None:
        return False
    if analysis.cv_documents:
        return True
    others = [d for d in analysis.documents if not d.forms and not d.form_named]
    return bool(others) and analysis.offer_ref is not None
