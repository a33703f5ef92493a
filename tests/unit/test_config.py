import re
from pathlib import Path

import pytest

from mailbot.config import display_url, load_config
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


@pytest.mark.parametrize(("key", "text"), [
    ("[smtp] from_address", MINIMAL.replace('"Clauses@Test.fr"', '"clauses at test.fr"')),
    ("[people] referent", MINIMAL.replace('"ref@test.fr"', '"Claire <ref@test.fr>"')),
    ("[people] facilitateur", MINIMAL + 'facilitateur = "fac@"\n'),
    ("[[partners]] #1 emails", MINIMAL + '[[partners]]\nname = "A"\nemails = ["ok@ml.fr", "a@b"]\n'),
    ("[[partners]] #1 emails", MINIMAL + '[[partners]]\nname = "A"\nemails = ["a@b..fr"]\n'),
    ("[[partners]] #1 domains",
     MINIMAL + '[[partners]]\nname = "A"\nemails = ["a@ml.fr"]\ndomains = ["@ml.fr"]\n'),
    ("[[partners]] #1 domains",
     MINIMAL + '[[partners]]\nname = "A"\nemails = ["a@ml.fr"]\ndomains = ["ml fr.fr"]\n'),
])
def test_bad_addresses_are_named(tmp_path, key, text):
    with pytest.raises(ConfigError, match=re.escape(f"bad value for {key}")):
        load_config(write(tmp_path, text))


def test_good_addresses_are_normalised(tmp_path):
    text = MINIMAL.replace('"ref@test.fr"', '" Claire.Duhamel+cs@Exemple-Emploi.FR "') + (
        'facilitateur = "fac@exemple-emploi.fr"\n[[partners]]\nname = "A"\n'
        'emails = ["O\'Brien@ML.fr"]\ndomains = ["ML.Amiens.fr", "emploi-somme.fr", "café.fr"]\n')
    config = load_config(write(tmp_path, text))
    assert config.people.referent == "claire.duhamel+cs@exemple-emploi.fr"
    assert config.partners[0].emails == ["o'brien@ml.fr"]
    assert config.partners[0].domains == ["ml.amiens.fr", "emploi-somme.fr", "café.fr"]


def test_paths_must_be_existing_folders(tmp_path):
    missing = tmp_path / "nope"
    text = MINIMAL + f'[paths]\nrules_dir = "{missing}"\n'
    with pytest.raises(ConfigError, match=r"bad value for \[paths\] rules_dir: .*folder not found"):
        load_config(write(tmp_path, text))
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(ConfigError, match=r"\[paths\] templates_dir"):
        load_config(write(tmp_path, MINIMAL + f'[paths]\ntemplates_dir = "{a_file}"\n'))
    config = load_config(write(tmp_path, MINIMAL + f'[paths]\nrules_dir = "{tmp_path}"\n'))
    assert config.paths.rules_dir == str(tmp_path)


@pytest.mark.parametrize("url", ["not a url", "mysqlx://u:pw@h/db", "postgres//u@h/db", ""])
def test_bad_database_url_is_named(tmp_path, url):
    with pytest.raises(ConfigError, match=r"bad value for \[database\] url") as caught:
        load_config(write(tmp_path, MINIMAL + f'[database]\nurl = "{url}"\n'))
    assert "pw" not in str(caught.value)


def test_passwords_never_in_a_repr(tmp_path, monkeypatch):
    text = (MINIMAL.replace('host = "smtp.test"', 'host = "smtp.test"\npassword = "smtp-S3cret"')
            + '[imap]\nhost = "h"\nusername = "u"\npassword = "imap-S3cret"\n'
            + '[database]\nurl = "postgresql+psycopg://mb:db-S3cret@127.0.0.1/mailbot"\n')
    config = load_config(write(tmp_path, text))
    shown = " ".join([repr(config), str(config), repr(config.imap), str(config.smtp),
                      repr(config.database), str(config.database)])
    for secret in ("smtp-S3cret", "imap-S3cret", "db-S3cret"):
        assert secret not in shown
    dumped = config.model_dump_json() + str(config.model_dump())
    assert "smtp-S3cret" not in dumped and "imap-S3cret" not in dumped
    assert "mb:***@127.0.0.1" in repr(config.database)
    assert config.smtp.resolved_password() == "smtp-S3cret"
    assert config.imap.resolved_password() == "imap-S3cret"
    assert isinstance(config.imap.resolved_password(), str)
    assert config.database.url.endswith("db-S3cret@127.0.0.1/mailbot")  # still usable


def test_display_url_hides_the_password():
    assert display_url("postgresql+psycopg://u:pw@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert display_url("sqlite:///mailbot.db") == "sqlite:///mailbot.db"
    assert "pw" not in display_url("::not a url pw")
