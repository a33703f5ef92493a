"""Scheduled reports: the référent's daily digest, the partners' weekly feedback, the
facilitateur's weekly summary, exports. Each writes to the outbox like a handler, with a
`ReportRun` record for the period it covers (see `mailbot.reports.periods`)."""

__all__: list[str] = []
