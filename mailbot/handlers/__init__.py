"""Handlers, one module per kind of message; the routing table below is the pipeline's data."""

from __future__ import annotations

from collections.abc import Callable

from mailbot.handlers import (
    ignored,
    liaison_form,
    market_list,
    offer_reply,
    referent_command,
    referral,
)
from mailbot.handlers.base import HandlerContext

__all__ = ["HANDLERS", "HandlerContext"]

HANDLERS: dict[str, Callable[[HandlerContext], None]] = {
    "liaison_form": liaison_form.handle,
    "partner_referral": referral.handle,
    "market_list": market_list.handle,
    "auto_reply": ignored.handle_auto,
    "bounce": ignored.handle_auto,
    "referent_command": referent_command.handle,
    "reply": offer_reply.handle_reply,  # a short answer completing an offer, else human_reply
    "unknown": offer_reply.handle_unknown,  # a company completing its offer, else human_reply
}
