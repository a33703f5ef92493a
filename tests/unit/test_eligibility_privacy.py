"""Eligibility is for the référent's eyes only: it never appears in an email to a partner or a
company — neither in any partner/company template given it, nor in the emails the real pipeline
and the référent's decisions send about referrals that carry it."""

from __future__ import annotations

import copy
import email
import email.policy
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine
from mailbot.domain.models import OutboxMessage, Referral
from mailbot.domain.states import Eligibility
from mailbot.outbox.compose import Composer
from mailbot.outbox.samples import sample_contexts
from mailbot.resources import templates_dir
from tests.helpers.decisions_data import fill_world, write_config
from tests.unit.test_eligibility import referral_email

ALL_CODES = [code.value for code in Eligibility]
# What would give a candidate's eligibility away (folded comparison on the email's text).
TELLING = ["eligib", "rqth", "qpv", "deld", "rsa", "minima sociaux", "moins de 26 ans",
           "longue duree", "epide", "e2c", *(code.french for code in Eligibility if code.value != "other")]


def _roles() -> list[str]:
    base = templates_dir()
    return sorted(f"{kind}/{path.name.removesuffix('.subject.j2')}"
                  for kind in ("partner", "company")
                  for path in (base / kind).glob("*.subject.j2"))


def _with_eligibility(value: object) -> object:
    """`value` where every person-like dict (one with a first name) carries every code."""
    if isinstance(value, dict):
        out = {key: _with_eligibility(item) for key, item in value.items()}
        if "first_name" in value:
            out["eligibility"] = list(ALL_CODES)
            out["eligibility_fr"] = [code.french for code in Eligibility]
        return out
    if isinstance(value, list):
        return [_with_eligibility(item) for item in value]
    return value


def test_every_partner_and_company_template_ignores_eligibility():
    composer = Composer(from_address="clauses@agence.fr", from_name="Clauses sociales")
    roles = _roles()
    assert {"partner/referral_ack", "partner/feedback", "company/presentation"} <= set(roles)
    people = 0
    for role in roles:
        for context in sample_contexts(role):
            marked = _with_eligibility(copy.deepcopy(context))
            people += str(marked).count("'eligibility'")
            assert composer.render_parts(role, marked) == composer.render_parts(role, context), role
    assert people >= 6  # the samples do name candidates: the check had something to hide


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _texts(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def test_emails_about_referrals_with_eligibility_never_tell_it(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    world = fill_world(url)
    config = write_config(tmp_path / "config.toml", url)
    runner = CliRunner()

    def cli(*args: str) -> None:
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 0, result.output

    for rid in (world.r1, world.r2, world.r3):
        cli("referrals", "eligibility", str(rid), *ALL_CODES)
    eml = tmp_path / "referral.eml"
    eml.write_bytes(referral_email(
        "Bonjour,\nJe vous propose Lucie FONTAINE.\nPublic : DELD, RQTH, résident QPV, BRSA\n"
        "\nCordialement,\nSophie\n", ["Lucie FONTAINE"]))
    cli("ingest", "--no-send", str(eml))
    cli("referrals", "present", str(world.r1), str(world.r2), str(world.r3), "--no-send")
    cli("referrals", "hire", str(world.r1), "--no-send")
    cli("referrals", "reject", str(world.r2), "--reason", "not_interested", "--no-send")
    cli("referrals", "hire", str(world.r3), "--no-send")  # two positions: the offer is filled

    engine = make_engine(url)
    with Session(engine) as session:
        stored = session.exec(select(Referral).where(Referral.cv_filename.is_not(None))).all()
        assert any(r.eligibility == ["deld", "rsa", "rqth", "qpv"] for r in stored)
        emails = session.exec(select(OutboxMessage)).all()
    engine.dispose()
    roles = {m.role for m in emails}
    assert {"partner/referral_ack", "company/presentation", "partner/feedback"} <= roles, roles
    for message in emails:
        text = _fold(_texts(message.raw))
        leaked = [word for word in TELLING if _fold(word) in text]
        assert not leaked, (message.role, leaked)
