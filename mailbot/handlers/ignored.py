"""Auto-replies, bounces and unknown mail: recorded and filed, never answered.

Unknown mail (newsletters, questions, anything else) is flagged so the référent sees it in
`mailbot messages list --flagged`; auto-replies and bounces are only kept, and so are the
automated reports the chain marks `auto` (ARF feedback, DMARC and TLS reports).
"""

from __future__ import annotations

from mailbot.handlers.base import HandlerContext

__all__ = ["handle_auto", "handle_unknown"]


def handle_auto(ctx: HandlerContext) -> None:
    """Nothing to do: the journal row records the kind."""


def handle_unknown(ctx: HandlerContext) -> None:
    if ctx.parsed.get("auto") and ctx.parsed.get("rule") != "bulk":
        return  # a machine's report: nothing to answer, nothing to read (bulk mail is still shown)
    ctx.flag("not recognised as a form or a referral: for the référent to read")
