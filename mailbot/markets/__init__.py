"""Markets, lots and worksites from the facilitateur's list (CSV or XLSX): column matching
(`columns`), reading (`reader`), upsert (`importer`), imports as units of work (`service`)."""

from mailbot.markets.columns import ColumnMap, map_headers
from mailbot.markets.reader import TableError, read_table
from mailbot.markets.service import (
    MarketImportError,
    confirm_import,
    import_list,
    list_markets,
    pending_imports,
    refuse_import,
)

__all__ = [
    "ColumnMap",
    "MarketImportError",
    "TableError",
    "confirm_import",
    "import_list",
    "list_markets",
    "map_headers",
    "pending_imports",
    "read_table",
    "refuse_import",
]
