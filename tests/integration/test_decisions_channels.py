"""Issue 8: the same decisions by the CLI and by an email command (through `mailbot ingest`, the
real pipeline) give identical referral states, offer states and audit rows, except for the
channel (and when); `undo` restores the previous state either way."""

from __future__ import annotations

import json
import shutil
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from tests.helpers.decisions_data import REFERENT, fill_world, write_config
from tests.integration.loop_helpers import mailbot

pytestmark = pytest.mark.integration

SERVER = "mx.exemple-emploi.fr"
_VOLATILE = {"at", "channel", "inbound_id", "id"}


def _config(tmp_path, name: str, db_file):
    path = write_config(tmp_path / f"{name}.toml", f"sqlite:///{db_file}")
    path.write_text(path.read_text(encoding="utf-8") + f"""
[security]
authserv_id = "{SERVER}"
require_authentication = true
""", encoding="utf-8")
    return path


def _command_email(tmp_path, lines: list[str], n: int):
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Référente <{REFERENT}>"
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = "Décisions"
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nLa référente\n")
    raw = (f"Authentication-Results: {SERVER}; spf=pass smtp.mailfrom=exemple-emploi.fr; "
           "dmarc=pass header.from=exemple-emploi.fr\n").encode() + msg.as_bytes()
    path = tmp_path / f"command{n}.eml"
    path.write_bytes(raw)
    return path


def _run(*args: str) -> str:
    done = mailbot(*args)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def _state(config) -> tuple[list, list, list]:
    referrals = json.loads(_run("referrals", "list", "--json", "--config", str(config)))
    offers = json.loads(_run("offers", "list", "--json", "--config", str(config)))
    audit = json.loads(_run("audit", "--json", "--config", str(config)))
    rows = []
    for event in audit:
        event = {k: v for k, v in event.items() if k not in _VOLATILE}
        for side in ("before", "after"):
            (event.get("details") or {}).get(side, {}).pop("decided_at", None)
        rows.append(event)
    return ([(r["id"], r["status"], r.get("refusal_reason"), r.get("comment")) for r in referrals],
            [(o["ref"], o["status"]) for o in offers], rows)


def test_cli_and_email_commands_give_the_same_states_and_audit(tmp_path) -> None:
    base = tmp_path / "base.sqlite"
    world = fill_world(f"sqlite:///{base}")
    shutil.copy(base, tmp_path / "cli.sqlite")
    shutil.copy(base, tmp_path / "email.sqlite")
    by_cli = _config(tmp_path, "cli", tmp_path / "cli.sqlite")
    by_email = _config(tmp_path, "email", tmp_path / "email.sqlite")
    r1, r2, r3 = world.r1, world.r2, world.r3

    cli_steps = [
        ["present", str(r1), str(r2), str(r3)],
        ["hire", str(r1), "--contract", "CDD", "--start", "2027-02-01", "--hours", "35"],
        ["reject", str(r2), "--reason", "position_filled", "--comment", "à revoir en juin"],
        ["hold", str(r3)],
        ["undo", str(r3)],
        ["hire", str(r3)],
    ]
    email_steps = [
        [f"R{r1} R{r2} R{r3} présentés"],
        [f"R{r1} retenu CDD 2027-02-01 35h"],
        [f"R{r2} non retenu motif: poste pourvu commentaire: à revoir en juin"],
        [f"R{r3} en attente"],
        [f"R{r3} annuler"],
        [f"R{r3} retenue"],
    ]
    for step in cli_steps:
        _run("referrals", *step, "--no-send", "--config", str(by_cli))
    for n, lines in enumerate(email_steps):
        _run("ingest", str(_command_email(tmp_path, lines, n)), "--config", str(by_email))

    cli_referrals, cli_offers, cli_audit = _state(by_cli)
    email_referrals, email_offers, email_audit = _state(by_email)
    assert cli_referrals == email_referrals
    assert cli_offers == email_offers
    assert cli_audit == email_audit
    by_id = {r[0]: r for r in cli_referrals}
    assert by_id[r1][1] == "hired" and by_id[r2][1:] == ("not_hired", "position_filled",
                                                        "à revoir en juin")
    assert by_id[r3][1] == "hired"
    assert dict(cli_offers)[world.offer_a] == "filled"  # 2 positions, 2 hired
    undo = [e for e in cli_audit if e["action"] == "undo"]
    assert [(e["from_state"], e["to_state"]) for e in undo] == [("on_hold", "presented")]
    channels = {e["channel"] for e in json.loads(_run("audit", "--json", "--config",
                                                      str(by_email)))}
    assert channels == {"email"}
