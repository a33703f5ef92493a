from pathlib import Path

import pytest

from mailbot.config import load_config
from mailbot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[smtp]
host = "smtp.test"
from_address = "Clauses@Test.fr"
[people]
referent = "ref@test.fr"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid():
    config = load_config(ROOT / "config.example.toml")
    assert config.imap.processed_folder == "Traites"
    assert config.partners[0].kind == "ML"


def test_defaults_and_normalisation(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.database.url == "sqlite:///mailbot.db"
    assert config.smtp.port == 587 and config.smtp.security == "starttls"
    assert config.smtp.from_address == "clauses@test.fr"
    assert config.imap is None
    with pytest.raises(ConfigError, match=r"\[imap\]"):
        config.require_imap()


def test_unknown_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"unknown key \[smtp\] hots"):
        load_config(write(tmp_path, MINIMAL.replace('host = "smtp.test"', 'hots = "x"\nhost="y"')))


def test_missing_required_key_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"missing required key \[people\] referent"):
        load_config(write(tmp_path, MINIMAL.replace('referent = "ref@test.fr"', "")))


def test_bad_value_is_named(tmp_path):
    text = MINIMAL + '[imap]\nhost="h"\nusername="u"\nport="abc"\n'
    with pytest.raises(ConfigError, match=r"bad value for \[imap\] port"):
        load_config(write(tmp_path, text))
    with pytest.raises(ConfigError, match=r"\[smtp\] security"):
        load_config(write(tmp_path, MINIMAL.replace('host = "smtp.test"',
                                                    'host = "smtp.test"\nsecurity = "tls"')))


def test_partner_errors_are_named(tmp_path):
    text = MINIMAL + '[[partners]]\nname = "A"\nemails = []\n'
    with pytest.raises(ConfigError, match=r"\[\[partners\]\] #1 emails"):
        load_config(write(tmp_path, text))


def test_password_from_environment(tmp_path, monkeypatch):
    text = MINIMAL + '[imap]\nhost="h"\nusername="u"\npassword_env="MB_TEST_PW"\n'
    with pytest.raises(ConfigError, match="MB_TEST_PW"):
        load_config(write(tmp_path, text))
    monkeypatch.setenv("MB_TEST_PW", "s3cret")
    assert load_config(write(tmp_path, text)).imap.resolved_password() == "s3cret"


def test_config_lookup_order(tmp_path, monkeypatch):
    path = write(tmp_path, MINIMAL)
    monkeypatch.setenv("MAILBOT_CONFIG", str(path))
    assert load_config().smtp.host == "smtp.test"
    monkeypatch.delenv("MAILBOT_CONFIG")
    monkeypatch.chdir(tmp_path)
    assert load_config().smtp.host == "smtp.test"
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[smtp\nhost="))
