"""The facilitateur's list: a CSV or XLSX attachment whose header row names enough market
columns (market or lot, company, …; see rules/markets.toml). Who sent it is checked by the
handler (mailbot.handlers.market_list), not here."""

from mailbot.mime import MailMessage

__all__ = ["check", "name"]

name = "market_list"


def check(msg: MailMessage) -> bool:
    from mailbot.markets.importer import find_header
    from mailbot.markets.reader import TableError, is_table_file, read_table

    for attachment in msg.attachments:
        if not attachment.data or not is_table_file(attachment.filename, attachment.content_type,
                                                    attachment.data):
            continue
        try:
            if find_header(read_table(attachment.data, attachment.filename,
                                      attachment.content_type)) is not None:
                return True
        except TableError:
            continue
    return False
