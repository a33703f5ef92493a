"""Partner referrals through parse_email: offer reference, one candidate per CV, body fallback,
and the référent's / partner's own contact data never taken for a candidate's."""

from __future__ import annotations

import io
from email.message import EmailMessage

import docx

from mailbot.parse import parse_email
from mailbot.parse.referral import body_without_signature

BROADCAST = (
    "________________________________\n"
    "De : Référent clauses sociales <clauses@agence.fr>\n"
    "Envoyé : mercredi 6 janvier 2027 11:57\n"
    "À : undisclosed-recipients\n"
    "Objet : [CS-2027-0042] Maçon\n\n"
    "Poste : Maçon\nTél. 03 22 71 50 00\nclauses@agence.fr\n"
)
SIGNATURE = "Cordialement,\n\nMehdi Sénéchal\nAI Somme\nTél. 03 60 95 04 55\nm.s@partenaire.fr\n"


def _cv(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _referral(
    body: str, cvs: list[tuple[str, bytes]], subject: str = "Candidature", **headers: str
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mehdi Sénéchal <M.S@partenaire.fr>"
    msg["To"] = "clauses@agence.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = "<r1@partenaire.fr>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    for name, data in cvs:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


FULL_CV = _cv(
    [
        "Karim BENALI",
        "Tél : 06 11 22 33 44",
        "karim.benali@exemple.fr",
        "Expérience professionnelle",
        "Maçon",
        "Formation",
        "CAP",
    ]
)
BARE_CV = _cv(["Lucie FONTAINE", "Expériences", "Aide-maçon", "Formation", "CAP", "Compétences"])


def test_ref_in_subject_and_cv_data():
    raw = _referral(
        "Bonjour,\nVoici un candidat.\n" + SIGNATURE + BROADCAST,
        [("CV Karim Benali.docx", FULL_CV)],
        subject="RE: [CS-2027-0042] Maçon",
    )
    got = parse_email(raw, own_addresses=["clauses@agence.fr"])
    assert got["kind"] == "partner_referral"
    assert got["offer_ref"] == "CS-2027-0042"
    assert got["candidates"] == [
        {
            "first_name": "Karim",
            "last_name": "Benali",
            "email": "karim.benali@exemple.fr",
            "phone": "+33611223344",
            "cv_filename": "CV Karim Benali.docx",
        }
    ]
    assert got["flags"] == []


def test_ref_only_in_quote_then_via_message_id_lookup():
    raw = _referral("Voici un candidat.\n" + SIGNATURE + BROADCAST, [("cv.docx", FULL_CV)])
    assert parse_email(raw)["offer_ref"] == "CS-2027-0042"
    asked = []

    def lookup(ids):
        asked.append(ids)
        return "CS-2027-0077"

    raw = _referral(
        "Voici un candidat.\n" + SIGNATURE,
        [("cv.docx", FULL_CV)],
        In_Reply_To="<b2@agence.fr>",
        References="<b1@agence.fr> <b2@agence.fr>",
    )
    got = parse_email(raw, find_offer_by_message_id=lookup)
    assert got["offer_ref"] == "CS-2027-0077"
    assert asked == [["<b2@agence.fr>", "<b1@agence.fr>"]]
    got = parse_email(raw)
    assert got["offer_ref"] is None and "no offer reference" in got["flags"]


def test_contacts_from_body_when_cv_lacks_them_never_signature_or_referent():
    body = (
        "Bonjour,\nJe vous propose Mme Lucie FONTAINE, joignable au 07 85 38 05 26 "
        "ou lucie.f@exemple.fr.\n" + SIGNATURE + BROADCAST
    )
    got = parse_email(
        _referral(body, [("CV_FONTAINE.docx", BARE_CV)], subject="[CS-2027-0042] candidature"),
        own_addresses=["clauses@agence.fr"],
    )
    (person,) = got["candidates"]
    assert (person["first_name"], person["last_name"]) == ("Lucie", "Fontaine")
    assert person["phone"] == "+33785380526"
    assert person["email"] == "lucie.f@exemple.fr"


def test_body_without_contacts_gives_none_not_partner_or_referent_data():
    body = "Bonjour,\nCi-joint un CV.\n" + SIGNATURE + BROADCAST
    got = parse_email(
        _referral(body, [("cv.docx", BARE_CV)], subject="[CS-2027-0042]"),
        own_addresses=["clauses@agence.fr"],
    )
    (person,) = got["candidates"]
    assert person["email"] is None and person["phone"] is None


def test_two_cvs_in_attachment_order_and_body_lines_per_person():
    body = (
        "Deux candidats :\n- M. Karim BENALI\n- Mme Lucie FONTAINE : 07 85 38 05 26\n" + SIGNATURE
    )
    raw = _referral(body, [("b.docx", FULL_CV), ("a.docx", BARE_CV)], subject="[CS-2027-0042]")
    got = parse_email(raw)
    assert [c["cv_filename"] for c in got["candidates"]] == ["b.docx", "a.docx"]
    assert [c["last_name"] for c in got["candidates"]] == ["Benali", "Fontaine"]
    assert got["candidates"][0]["phone"] == "+33611223344"
    assert got["candidates"][1]["phone"] == "+33785380526"


def test_unreadable_cv_still_a_candidate_with_body_name():
    body = "Je vous propose M. Paul LEROY.\n" + SIGNATURE
    raw = _referral(body, [("CV_LEROY.pdf", b"%PDF-1.4 truncated")], subject="[CS-2027-0042]")
    got = parse_email(raw)
    assert got["kind"] == "partner_referral"
    (person,) = got["candidates"]
    assert (person["first_name"], person["last_name"], person["cv_filename"]) == (
        "Paul",
        "Leroy",
        "CV_LEROY.pdf",
    )
    assert got["problems"] and got["problems"][0].startswith("CV_LEROY.pdf: ")


def test_signature_split():
    body, signature = body_without_signature("Bonjour\nVoici\nBien cordialement,\nMehdi\n06")
    assert body == "Bonjour\nVoici"
    assert signature.startswith("Bien cordialement")
