"""Shared pytest setup: `tests.harness` importable, integration marker applied by folder.

Server fixtures (dovecot, imap_account, postgres_url, postgres_db_url, db_url, smtp_server,
make_smtp_server, tls_cert) live in tests/integration/conftest.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))  # `from tests.harness import Dovecot`


def pytest_configure(config: pytest.Config) -> None:
    # aiosmtpd 1.4 warns about its own legacy attribute on every AUTH.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session.login_data is deprecated:DeprecationWarning")
    # The harness allows AUTH without TLS on purpose (loopback test server).
    config.addinivalue_line(
        "filterwarnings", "ignore:Requiring AUTH while not requiring TLS:UserWarning")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    integration = _ROOT / "tests" / "integration"
    for item in items:
        if integration in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
