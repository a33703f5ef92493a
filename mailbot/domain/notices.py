"""What decisions tell people: presentations to companies, feedback to partners, offer notices.

(Being written: see mailbot.domain.services.Decisions.finish for the contract.)
"""

from __future__ import annotations

from typing import Any

__all__ = ["queue_all"]


def queue_all(session: Any, composer: Any, config: Any, changes: list, offer_notices: dict) -> None:
    """Queue, in `session`, the emails that `changes` and `offer_notices` call for."""
    return None
