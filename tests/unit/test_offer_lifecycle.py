"""The offer lifecycle through the real pipeline on SQLite (no servers): required fields, an
incomplete form asked for exactly what it lacks, the company's answer completing it, a corrected
form revising the offer, review mode and publish; revise_offer and the required-fields rule."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from mailbot import journal
from mailbot.config import WorkflowConfig, load_config
from mailbot.db import make_engine, session_scope
from mailbot.domain.models import (
    AuditEvent,
    Company,
    InboundMessage,
    Offer,
    OfferRevision,
    OutboxMessage,
)
from mailbot.domain.offers import form_values, missing_required, revise_offer
from mailbot.domain.services import Actor, DecisionError, Decisions
from mailbot.domain.states import ActorKind, Channel
from mailbot.outbox.labels_fr import FIELD_LABELS
from mailbot.parse.form_build import build_form
from mailbot.parse.labels import load_rules
from mailbot.parse.text_form import assemble, line_events
from mailbot.pipeline import Pipeline
from mailbot.queries import show_offer
from tests.helpers.decisions_data import PARTNERS, REFERENT, fill_world, write_config

COMPANY = "rh@durand-btp.example"
SERVER = "mx.exemple-emploi.fr"
FORM = {
    "Raison sociale": "DURAND BTP SARL",
    "SIRET": "552 100 554 00013",
    "Adresse de l'entreprise": "12 rue des Jacobins, 80000 Amiens",
    "Personne à contacter": "Claire Durand",
    "Téléphone": "03 22 11 22 33",
    "Courriel": COMPANY,
    "Intitulé du poste": "Canalisateur",
    "Nombre de postes": "2",
    "Date de recrutement": "01/03/2027",
    "Activités principales": "Pose de bordures et de réseaux",
    "Compétences requises": "Lecture de plans",
    "Type de contrat": "CDD",
    "Durée du contrat": "6 mois",
    "Durée hebdomadaire": "35 h",
    "Lieu de travail": "Amiens (80000)",
}


def _pipeline(tmp_path: Path, broadcast: str = "auto") -> Pipeline:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    fill_world(url)
    path = write_config(tmp_path / "config.toml", url)
    path.write_text(path.read_text(encoding="utf-8") + f"""
[security]
authserv_id = "{SERVER}"
require_authentication = true
[workflow]
broadcast = "{broadcast}"
""", encoding="utf-8")
    return Pipeline(load_config(path), make_engine(url), transport=None)


@pytest.fixture
def pipeline(tmp_path: Path):
    pipe = _pipeline(tmp_path)
    yield pipe
    pipe.engine.dispose()


def form_mail(fields: dict, *, subject: str = "Formulaire de liaison – Canalisateur") -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Claire Durand <{COMPANY}>"
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="durand-btp.example")
    body = "\n".join(f"{label} : {value}" for label, value in fields.items())
    msg.set_content(f"Bonjour,\n\nVoici notre besoin :\n\n{body}\n\nCordialement,\nClaire Durand\n")
    return msg.as_bytes()


def reply_mail(to: OutboxMessage, lines: list[str], *, sender: str = COMPANY) -> bytes:
    """The company answers our email, quoting it below its lines."""
    ours = message_from_bytes(to.raw, policy=default_policy)
    quoted = "\n".join("> " + line for line in ours.get_body(("plain",)).get_content().splitlines())
    msg = EmailMessage(policy=default_policy)
    msg["From"] = sender
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = "RE: " + str(ours["Subject"])
    msg["Message-ID"] = make_msgid(domain="durand-btp.example")
    msg["In-Reply-To"] = msg["References"] = to.message_id
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nClaire Durand\n\n"
                    f"Le 02/02/2027, clauses.amiens@exemple-emploi.fr a écrit :\n{quoted}\n")
    return msg.as_bytes()


def run(pipeline: Pipeline, raw: bytes) -> InboundMessage:
    inbound_id = journal.journal_raw(pipeline.engine, "test", raw)
    pipeline.process_one(inbound_id)
    with Session(pipeline.engine) as session:
        return session.get(InboundMessage, inbound_id)


def outbox(pipeline: Pipeline, inbound_id: int) -> list[OutboxMessage]:
    with Session(pipeline.engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.inbound_id == inbound_id)
                                 .order_by(col(OutboxMessage.id))))


def text(row: OutboxMessage) -> str:
    return message_from_bytes(row.raw, policy=default_policy).get_body(("plain",)).get_content()


def offer_of(pipeline: Pipeline, title: str = "Canalisateur") -> Offer:
    with Session(pipeline.engine) as session:
        return session.exec(select(Offer).where(Offer.title == title)).one()


# -- the rules -----------------------------------------------------------------------------------

def test_required_fields_either_or_and_every_empty_kind():
    required = WorkflowConfig().required_fields
    offer = Offer(ref="CS-2027-0100", title="Maçon", positions=2, recruitment_date=date(2027, 3, 1),
                  contract_type="CDD", workplace="  ")
    company = Company(legal_name="Durand", phone="0322112233")
    assert missing_required(offer, company, required) == ["conditions.workplace"]
    company.phone = None
    assert missing_required(offer, company, required) == ["company.email|company.phone",
                                                          "conditions.workplace"]
    company.email = COMPANY
    assert missing_required(offer, None, required)[0] == "company.legal_name"
    assert missing_required(offer, company, ["market", "job.positions"]) == ["market"]


def test_every_required_label_we_print_is_read_back_from_a_one_line_answer():
    """The incomplete-offer email names fields by FIELD_LABELS: the company copying a label
    with its value is read as that field, one line alone (no "whole form" threshold)."""
    rules = load_rules()
    samples = {"job.recruitment_date": "15/03/2027", "job.positions": "3", "job.title": "Coffreur",
               "conditions.contract_type": "CDI", "conditions.workplace": "Amiens",
               "company.legal_name": "Durand BTP", "company.email": "a@durand.example",
               "company.phone": "03 22 11 22 33"}
    for dotted, value in samples.items():
        forms, _labels = assemble(line_events(f"{FIELD_LABELS[dotted]} : {value}"), rules)
        values = form_values(build_form(forms[0], rules)) if forms else {}
        key = dotted if dotted.startswith("company.") else dotted.split(".")[1]
        assert values.get(key) not in (None, ""), (dotted, values)


def test_revise_offer_writes_versions_and_never_erases(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    fill_world(url)
    engine = make_engine(url)
    actor = Actor(ActorKind.REFERENT, Channel.CLI, REFERENT)
    with session_scope(engine) as session:
        offer = session.exec(select(Offer).where(Offer.ref == "CS-2027-0001")).one()
        company = session.get(Company, offer.company_id)
        company.phone = None
        first = revise_offer(session, offer, {"weekly_hours": "24,5", "workplace": "Amiens",
                                              "title": "", "company.phone": "0322000000",
                                              "company.email": "other@x.example"},
                             "reparse", None, actor)
        assert first is not None and first.version == offer.version == 2
        assert first.changes == {"weekly_hours": [35.0, 24.5], "workplace": [None, "Amiens"],
                                 "company.phone": [None, "0322000000"]}
        assert offer.title == "Maçon VRD" and company.email == "rh@btp-picardie.fr"
        assert first.values["weekly_hours"] == 24.5 and first.values["title"] == "Maçon VRD"
        assert revise_offer(session, offer, {"weekly_hours": 24.5}, "reply", None, actor) is None
        with pytest.raises(ValueError):
            revise_offer(session, offer, {}, "guess", None, actor)
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "offer_revise")).all()
        assert [e.details["version"] for e in events] == [2]
    engine.dispose()


# -- through the pipeline ------------------------------------------------------------------------

def test_incomplete_form_asks_once_for_exactly_the_missing_then_the_reply_completes_it(pipeline):
    partial = {k: v for k, v in FORM.items() if k not in ("Date de recrutement", "Type de contrat")}
    entry = run(pipeline, form_mail(partial))
    offer = offer_of(pipeline)
    assert offer.status == "incomplete" and offer.published_at is None
    [asked] = outbox(pipeline, entry.id)  # one email, no broadcast
    assert asked.role == "company/incomplete" and asked.recipients == [COMPANY]
    body = text(asked)
    needed = body.split("Merci de nous indiquer :")[1].split("Ce que nous avons déjà lu")[0]
    assert [line.strip(" -") for line in needed.strip().splitlines()] == [
        "Date de recrutement souhaitée", "Type de contrat"]
    assert offer.ref in str(asked.subject) and "Date de recrutement souhaitée : 15/03/2027" in body

    answer = run(pipeline, reply_mail(asked, ["Date de recrutement souhaitée : 15/04/2027",
                                              "Type de contrat : CDD"]))
    offer = offer_of(pipeline)
    assert (offer.status, offer.version, offer.contract_type) == ("open", 2, "CDD")
    assert offer.recruitment_date == date(2027, 4, 15) and offer.published_at is not None
    rows = outbox(pipeline, answer.id)
    assert sorted(r.role for r in rows) == ["company/updated"] + ["partner/broadcast"] * len(PARTNERS)
    thanks = next(r for r in rows if r.role == "company/updated")
    assert "transmise à nos partenaires" in text(thanks) and "Type de contrat : CDD" in text(thanks)
    shown = show_offer(pipeline.engine, offer.ref)
    assert [(h["version"], h["source"]) for h in shown["history"]] == [(1, "form"), (2, "reply")]
    assert shown["history"][1]["changes"]["contract_type"] == [None, "CDD"]
    assert {r["partner"] for r in shown["recipients"]} == set(PARTNERS)


def test_a_stranger_naming_the_offer_completes_nothing(pipeline):
    partial = {k: v for k, v in FORM.items() if k != "Type de contrat"}
    entry = run(pipeline, form_mail(partial))
    [asked] = outbox(pipeline, entry.id)
    other = run(pipeline, reply_mail(asked, ["Type de contrat : CDI"], sender="x@ailleurs.example"))
    offer = offer_of(pipeline)
    assert (offer.status, offer.version, offer.contract_type) == ("incomplete", 1, None)
    assert other.flagged and "not the address the offer came from" in other.reason
    assert all(r.role != "partner/broadcast" for r in outbox(pipeline, other.id))


def test_a_corrected_form_revises_the_offer(pipeline):
    first = run(pipeline, form_mail(FORM))
    assert {r.role for r in outbox(pipeline, first.id)} == {"company/ack", "partner/broadcast"}
    corrected = {**FORM, "Durée hebdomadaire": "24 h", "SIRET": "55210055400013"}
    second = run(pipeline, form_mail(corrected, subject="Formulaire corrigé"))
    with Session(pipeline.engine) as session:
        offers = session.exec(select(Offer).where(Offer.title == "Canalisateur")).all()
        revisions = session.exec(select(OfferRevision).order_by(col(OfferRevision.version))).all()
    assert len(offers) == 1 and offers[0].weekly_hours == 24.0 and offers[0].version == 2
    assert [(r.version, r.source) for r in revisions if r.offer_id == offers[0].id] == [
        (1, "form"), (2, "form")]
    [updated] = outbox(pipeline, second.id)  # the company is told; partners are not sent it again
    assert updated.role == "company/updated" and "mise à jour" in text(updated)


def test_review_mode_waits_for_publish(tmp_path: Path):
    pipeline = _pipeline(tmp_path, broadcast="review")
    entry = run(pipeline, form_mail(FORM))
    [ack] = outbox(pipeline, entry.id)
    assert ack.role == "company/ack" and "après validation par le référent" in text(ack)
    offer = offer_of(pipeline)
    assert offer.status == "received" and offer.published_at is None
    actor = Actor(ActorKind.REFERENT, Channel.CLI, REFERENT)
    with session_scope(pipeline.engine) as session:
        decisions = Decisions(session, actor, pipeline.composer, pipeline.config)
        decisions.publish_offer(offer.ref)
        decisions.finish()
    with Session(pipeline.engine) as session:
        published = session.get(Offer, offer.id)
        sent = session.exec(select(OutboxMessage).where(
            OutboxMessage.offer_id == offer.id, OutboxMessage.role == "partner/broadcast")).all()
        audit = session.exec(select(AuditEvent).where(AuditEvent.action == "offer_publish")).one()
    assert published.status == "open" and published.published_at is not None
    assert len(sent) == len(PARTNERS) and (audit.from_state, audit.to_state) == ("received", "open")
    with session_scope(pipeline.engine) as session, pytest.raises(DecisionError, match="open"):
        Decisions(session, actor, pipeline.composer, pipeline.config).publish_offer(offer.ref)
    pipeline.engine.dispose()


def test_publier_by_email_from_the_authenticated_referent(tmp_path: Path):
    pipeline = _pipeline(tmp_path, broadcast="review")
    run(pipeline, form_mail(FORM))
    ref = offer_of(pipeline).ref
    msg = EmailMessage(policy=default_policy)
    msg["From"], msg["To"], msg["Subject"] = REFERENT, "clauses.amiens@exemple-emploi.fr", "Offres"
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    msg["Authentication-Results"] = f"{SERVER}; dmarc=pass header.from=exemple-emploi.fr"
    msg.set_content(f"{ref} publier\nCS-2027-0001 publier\n")
    entry = run(pipeline, msg.as_bytes())
    assert offer_of(pipeline).status == "open"
    [confirmation] = [r for r in outbox(pipeline, entry.id) if r.role == "referent/confirmation"]
    body = text(confirmation)
    assert f"{ref} (Canalisateur) : publiée" in body and "CS-2027-0001 : l'offre est ouverte" in body
    with Session(pipeline.engine) as session:
        sent = session.exec(select(OutboxMessage).where(OutboxMessage.role == "partner/broadcast")).all()
    assert len(sent) == len(PARTNERS)
    pipeline.engine.dispose()
