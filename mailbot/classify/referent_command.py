"""The référent's commands: a line of the new text shaped like one ("R12 présenté",
"CS-2027-0004 clore") and no document attached. Who sent it is checked by the handler
(mailbot.handlers.referent_command), not here."""

from mailbot.commands import has_command_line
from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "referent_command"


def check(msg: MailMessage) -> bool:
    if msg.documents:
        return False  # a form or a CV: read by the form and referral rules
    text = getattr(msg, "command_text", None)  # set by parse_email (our own text set apart)
    return has_command_line(msg.text if text is None else text, msg.from_name or "")
