"""mailbot.mime.read_message on small built messages, one MIME requirement per test."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from mailbot.mime import read_message
from mailbot.parse.types import Limits

TNEF = Path(__file__).parent.parent / "fixtures" / "tnef" / "two-files.tnef"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _msg(body: str = "Bonjour", subject: str = "Sujet") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jean Dupont <Jean.Dupont@Example.FR>"
    msg["To"] = "clauses@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = "<abc@example.fr>"
    msg.set_content(body)
    return msg


def test_headers_decoded_and_addresses_lowercased():
    raw = (
        b"From: =?utf-8?q?H=C3=A9l=C3=A8ne_Dupr=C3=A9?= <H.Dupre@Example.fr>\r\n"
        b"Reply-To: RH <RH@example.fr>\r\n"
        b"Subject: =?utf-8?q?Fiche_de_liaison_=E2=80=93_ma=C3=A7on?=\r\n"
        b"Message-ID: <m1@example.fr>\r\n"
        b"In-Reply-To: <b1@agence.fr>\r\n"
        b"References: <a0@agence.fr> <b1@agence.fr>\r\n"
        b"\r\nBonjour\r\n"
    )
    msg = read_message(raw)
    assert msg.subject == "Fiche de liaison – maçon"
    assert msg.from_name == "Hélène Dupré"
    assert msg.from_address == "h.dupre@example.fr"
    assert msg.reply_to == "rh@example.fr"
    assert msg.sender_address == "h.dupre@example.fr"  # the From addr-spec, never Reply-To
    assert msg.message_id == "<m1@example.fr>"
    assert msg.in_reply_to == ["<b1@agence.fr>"]
    assert msg.references == ["<a0@agence.fr>", "<b1@agence.fr>"]
    assert msg.text == "Bonjour"


def test_rfc2231_filename():
    msg = _msg()
    msg.add_attachment(
        PDF,
        maintype="application",
        subtype="pdf",
        filename=("utf-8", "", "Formulaire de liaison – Bâtiroute.pdf"),
    )
    raw = msg.as_bytes(policy=SMTP)
    assert b"filename*=" in raw
    att = read_message(raw).attachments
    assert [a.filename for a in att] == ["Formulaire de liaison – Bâtiroute.pdf"]
    assert att[0].kind == "pdf"


def test_rfc2047_encoded_word_in_name_and_filename():
    raw = (
        b"From: a@b.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCi-joint\r\n"
        b'--B\r\nContent-Type: application/pdf;\r\n'
        b' name="=?utf-8?q?r=C3=A9f=2E_march=C3=A9=2Epdf?="\r\n'
        b"Content-Disposition: attachment;\r\n"
        b' filename="=?utf-8?q?r=C3=A9f=2E_march=C3=A9=2Epdf?="\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"JVBERi0xLjQKJSVFT0YK\r\n--B--\r\n"
    )
    msg = read_message(raw)
    assert [a.filename for a in msg.attachments] == ["réf. marché.pdf"]
    assert msg.text == "Ci-joint"


def test_name_param_only_and_no_disposition():
    raw = (
        b"From: a@b.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nVoir PJ\r\n"
        b'--B\r\nContent-Type: application/pdf; name="offre.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--B--\r\n"
    )
    msg = read_message(raw)
    assert [(a.filename, a.kind) for a in msg.attachments] == [("offre.pdf", "pdf")]


def test_inline_disposition_document_is_still_an_attachment():
    msg = _msg()
    msg.add_attachment(
        PDF, maintype="application", subtype="pdf", filename="fiche.pdf", disposition="inline"
    )
    att = read_message(msg.as_bytes()).attachments
    assert att[0].filename == "fiche.pdf" and att[0].is_document


def test_octet_stream_is_sniffed_from_bytes():
    docx = (
        Path(__file__).parent.parent / "fixtures/samples/cvs/cv_docx_paragraphs.docx"
    ).read_bytes()
    msg = _msg()
    msg.add_attachment(docx, maintype="application", subtype="octet-stream", filename="fichier")
    msg.add_attachment(PDF, maintype="application", subtype="octet-stream", filename="scan.bin")
    att = read_message(msg.as_bytes()).attachments
    assert [a.kind for a in att] == ["docx", "pdf"]
    assert att[0].content_type.endswith("wordprocessingml.document")
    assert att[1].content_type == "application/pdf"


def test_forwarded_rfc822_is_recursed():
    inner = _msg("Texte du message transféré", subject="Formulaire")
    inner.add_attachment(PDF, maintype="application", subtype="pdf", filename="form.pdf")
    outer = _msg("Je te transfère ceci.", subject="TR: Formulaire")
    outer.add_attachment(inner)
    msg = read_message(outer.as_bytes())
    assert [a.filename for a in msg.attachments] == ["form.pdf"]
    assert msg.text == "Je te transfère ceci."
    assert "Texte du message transféré" in msg.quoted


def _nested(depth: int) -> EmailMessage:
    msg = _msg("fond", subject="niveau 0")
    msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="deep.pdf")
    for level in range(depth):
        outer = _msg(f"niveau {level + 1}")
        outer.add_attachment(msg)
        msg = outer
    return msg


def test_forward_depth_cap_is_a_problem_not_an_exception():
    limits = Limits(max_mime_depth=2)
    assert read_message(_nested(2).as_bytes(), limits).attachments
    deep = read_message(_nested(3).as_bytes(), limits)
    assert deep.attachments == []
    assert any("nested deeper" in p for p in deep.problems)


def test_part_count_cap():
    msg = _msg()
    for i in range(10):
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"f{i}.pdf")
    parsed = read_message(msg.as_bytes(), Limits(max_mime_parts=5))
    assert len(parsed.attachments) < 10
    assert any("MIME parts" in p for p in parsed.problems)


def test_signed_message_walked_and_signature_ignored():
    raw = (
        b"From: a@b.fr\r\nSubject: sign\xc3\xa9\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        b'micalg=sha-256; boundary="S"\r\n\r\n'
        b'--S\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b"--M\r\nContent-Type: text/plain\r\n\r\nBonjour\r\n"
        b'--M\r\nContent-Type: application/pdf; name="f.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--M--\r\n"
        b'--S\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCA\r\n"
        b"--S--\r\n"
    )
    msg = read_message(raw)
    assert [a.filename for a in msg.attachments] == ["f.pdf"]
    assert msg.text == "Bonjour"


def test_winmail_dat_is_unpacked():
    msg = _msg()
    msg.add_attachment(
        TNEF.read_bytes(), maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    att = read_message(msg.as_bytes()).attachments
    assert [(a.filename, len(a.data)) for a in att] == [("AUTHORS", 244), ("README", 893)]


def test_broken_winmail_dat_is_a_problem():
    msg = _msg()
    msg.add_attachment(
        b"not tnef at all", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    parsed = read_message(msg.as_bytes())
    assert parsed.attachments == []
    assert any("winmail.dat" in p for p in parsed.problems)


def test_iso_8859_1_label_decoded_as_cp1252():
    raw = (
        b"From: a@b.fr\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Salaire : 1 900 \x80 \x96 l\x92\xe9quipe\r\n"
    )
    assert read_message(raw).text == "Salaire : 1 900 € – l’équipe"


def test_bad_utf8_falls_back_to_cp1252_and_unknown_charset():
    raw = b"From: a@b.fr\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nd\xe9j\xe0 \x9c\r\n"
    assert read_message(raw).text == "déjà œ"
    raw = b"From: a@b.fr\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nd\xe9j\xe0\r\n"
    assert read_message(raw).text == "déjà"


def test_html_only_body_becomes_text():
    msg = EmailMessage()
    msg["From"] = "a@b.fr"
    msg.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Bonjour&nbsp;Madame,</p>"
        "<div>Poste&nbsp;: ma&ccedil;on<br>Contrat : CDI</div><script>x()</script></body></html>",
        subtype="html",
    )
    text = read_message(msg.as_bytes()).text
    assert [line for line in text.splitlines() if line] == [
        "Bonjour Madame,",
        "Poste : maçon",
        "Contrat : CDI",
    ]
    assert "color" not in text and "x()" not in text


def test_alternative_prefers_plain_text():
    msg = _msg("version texte")
    msg.add_alternative("<p>version html</p>", subtype="html")
    assert read_message(msg.as_bytes()).text == "version texte"


def test_outlook_quote_separated():
    body = (
        "Voici la candidature.\n\nCordialement,\nMehdi\n\n"
        "________________________________\n"
        "De : Référent <clauses@agence.fr>\nEnvoyé : mercredi 6 janvier 2027 11:57\n"
        "À : undisclosed-recipients\nObjet : [CS-2027-0018] Plombier\n\nBonjour à tous"
    )
    msg = read_message(_msg(body).as_bytes())
    assert msg.text == "Voici la candidature.\n\nCordialement,\nMehdi"
    assert "[CS-2027-0018]" in msg.quoted and "CS-2027" not in msg.text


def test_original_message_and_wrote_and_gt_quotes():
    for sep in (
        "-----Original Message-----",
        "Le 15/02/2027 à 08:43, Claire a écrit :",
        "On Mon, Feb 15, 2027 at 8:43 AM Claire <c@x.fr> wrote:",
        "-----Message d'origine-----",
    ):
        msg = read_message(_msg(f"Nouveau texte\n{sep}\nAncien texte").as_bytes())
        assert msg.text == "Nouveau texte", sep
        assert "Ancien texte" in msg.quoted
    msg = read_message(_msg("Réponse\n> cité 1\n> cité 2\nSuite").as_bytes())
    assert msg.text == "Réponse\nSuite"
    assert msg.quoted == "cité 1\ncité 2"


def test_wrapped_gmail_quote_header():
    body = (
        "Merci\n\nLe lun. 15 févr. 2027 à 08:43, Référent clauses sociales <\n"
        "c@x.fr> a écrit :\nvieux texte"
    )
    msg = read_message(_msg(body).as_bytes())
    assert msg.text == "Merci"
    assert msg.quoted.endswith("vieux texte")


def test_inline_image_is_not_a_document():
    msg = _msg("corps")
    msg.add_related(
        b"\x89PNG\r\n\x1a\n" + b"\0" * 50,
        maintype="image",
        subtype="png",
        cid="<image001.png@01D>",
        filename="image001.png",
        disposition="inline",
    )
    parsed = read_message(msg.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["image001.png"]
    assert parsed.documents == []
    assert parsed.attachments[0].inline


def test_oversized_attachment_and_message_are_problems():
    msg = _msg()
    msg.add_attachment(PDF + b"0" * 5000, maintype="application", subtype="pdf", filename="big.pdf")
    parsed = read_message(msg.as_bytes(), Limits(max_attachment_bytes=1000))
    assert parsed.attachments[0].data == b""
    assert parsed.attachments[0].problem.startswith("file too large")
    assert any(p.startswith("big.pdf: file too large") for p in parsed.problems)
    huge = read_message(msg.as_bytes(), Limits(max_message_bytes=1000))
    assert huge.subject == "Sujet"
    assert "message too large" in huge.problems[0]
    # nothing decoded, but the attachment is named so the sender can be told which file
    assert [(a.filename, a.data, a.kind) for a in huge.attachments] == [("big.pdf", b"", "pdf")]
    assert huge.attachments[0].problem.startswith("message too large (")


def test_garbage_never_raises():
    for raw in (
        b"",
        b"\x00\xff" * 100,
        b"Content-Type: multipart/mixed\r\n\r\n--",
        b"From: =?bogus?x?zz?=\r\nSubject: =?utf-8?b?####?=\r\n\r\n",
    ):
        msg = read_message(raw)
        assert isinstance(msg.text, str)
