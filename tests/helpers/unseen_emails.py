# ruff: noqa: E501  (a data file: long literal strings are the corpus)
"""A held-out corpus of e-mails unlike the samples, each with the result the contract expects.

Only the keys written in a truth are compared (tests/helpers/compare.py); `kind` always is.
Forms attached here are the developer sample forms (the form parser is judged elsewhere): the
truth checks the company name and SIRET, i.e. that the right document was read as a form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tests.helpers.cv_builder import cv_docx, cv_pdf
from tests.helpers.mail_builder import file_part, message, multipart, text_part
from tests.helpers.unseen_cvs import cv_case

__all__ = ["OWN", "EmailCase", "email_cases", "find_offer"]

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"
OWN = ["clauses.amiens@exemple-emploi.fr"]
_BROADCASTS = {"<bcast-0004.1a2b@exemple-emploi.fr>": "CS-2027-0004"}
PDF, DOCX = "application/pdf", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OCTET = "application/octet-stream"


def find_offer(ids: list[str]) -> str | None:
    """The pipeline's look-up of the broadcast a message answers."""
    return next((_BROADCASTS[i] for i in ids if i in _BROADCASTS), None)


@dataclass(frozen=True)
class EmailCase:
    name: str
    raw: bytes
    truth: dict


def _form(stem: str) -> tuple[bytes, dict]:
    folder = SAMPLES / "forms"
    path = next(p for p in folder.iterdir() if p.stem == stem and p.suffix in (".pdf", ".docx"))
    truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
    company = truth["forms"][0]["company"]
    return path.read_bytes(), {
        "kind": "liaison_form",
        "forms": [{"company": {"legal_name": company["legal_name"], "siret": company["siret"]}}],
    }


def _who(cv: str, filename: str, **over) -> dict:
    person = dict(cv_case(cv).candidate)
    person.update(over)
    person["cv_filename"] = filename
    return person


REFERENT = (
    "Claire Duhamel\nRéférente clauses sociales\nAgence pour l'emploi – Amiens Métropole\n"
    "Tél. 03 22 71 50 00\nclauses.amiens@exemple-emploi.fr\n"
)
OUTLOOK_QUOTE = (
    "________________________________\nDe : Référent clauses sociales <clauses.amiens@exemple-emploi.fr>\n"
    "Envoyé : lundi 1 mars 2027 09:30\nÀ : undisclosed-recipients\n"
    "Objet : [{ref}] Agent d'entretien – Résidence Les Hortensias\n\nBonjour à toutes et à tous,\n"
    "L'entreprise Net Plus recrute un agent d'entretien (CDD 6 mois, 24 h).\n"
    "Merci de conserver la référence {ref} dans l'objet.\n\nBien cordialement,\n\n" + REFERENT
)


def _gmail_quote(ref_line: str) -> str:
    lines = [
        "Bonjour à toutes et à tous,",
        "L'entreprise Bâti Somme recrute deux maçons (CDI).",
        ref_line,
        "",
        "Bien cordialement,",
        "",
        *REFERENT.splitlines(),
    ]
    return (
        "Le lun. 1 mars 2027 à 09:30, Référent clauses sociales <\n"
        "clauses.amiens@exemple-emploi.fr> a écrit :\n\n" + "\n".join(f"> {x}" for x in lines)
    )


def _mail(subject: str, sender: str, body, *files, **headers) -> bytes:
    head = {"From": sender, "Subject": subject}
    head.update({k.replace("_", "-"): v for k, v in headers.items()})
    root = multipart("mixed", body, *files) if files else body
    return message(head, root)


def _plain(text: str, **kw):
    return text_part(text, **kw)


PARTNER = "=?utf-8?q?Sophie_Mart=C3=ADn?= <s.martin@plie-exemple.fr>"
COMPANY = "Coralie Gosselin <c.gosselin@ambiance-jardins.fr>"
CV_NAME_ONLY_IN_FILE = cv_pdf(
    [
        ("Expériences professionnelles", 14),
        "2018 – 2024 : Plaquiste, Isolation Picarde",
        "2015 – 2018 : Manœuvre, Bâti Somme",
        "Formation",
        "CAP Plâtrier-plaquiste",
        "Compétences",
        "Pose de cloisons, bandes, faux plafonds",
        "Permis B",
    ]
)
CV_NO_NAME_NO_PHONE = cv_pdf(
    [
        ("Expériences", 14),
        "2021 – 2024 : Employée polyvalente, Intermarché Albert",
        "Formation",
        "CAP Employée de vente",
        "Compétences",
        "Caisse, mise en rayon",
        "noemie.leboeuf@exemple-mail.fr",
    ]
)
FICHE = cv_pdf(
    [
        ("FICHE DE POSITIONNEMENT", 16),
        "Candidat : Aïssatou DIALLO",
        "Prescripteur : PLIE du Grand Amiénois",
        "Référente : Sophie MARTIN – 06 12 00 00 01",
        "Éligibilité : BRSA",
        "Expérience",
        "Aide-soignante 5 ans",
        "Formation",
        "DEAS",
        "Freins périphériques : garde d'enfants",
    ]
)
NEWSLETTER_PDF = cv_pdf(
    [
        ("La Lettre de l'Emploi – Mars 2027", 18),
        "Agenda",
        "12/03 : Job dating BTP à Longueau",
        "Formations",
        "Préparation opérationnelle à l'emploi – cariste",
        "Compétences clés",
        "Ateliers numériques",
        "Contact",
        "Maison de l'emploi – 03 22 00 11 22 – contact@mde-exemple.fr",
    ]
)
CV_KARIM_NO_PHONE = cv_docx(
    [
        "Karim BENSAÏD",
        "karim.bensaid@exemple-boite.net",
        "Expériences",
        "Manutentionnaire",
        "Formation",
        "CAP Opérateur logistique",
        "Compétences",
        "Cariste",
    ]
)
CV_DIALLO_NO_PHONE = cv_pdf(
    [
        ("Aïcha DIALLO", 18),
        "aicha.diallo@exemple-mail.fr",
        "Expériences",
        "Agent de propreté",
        "Formation",
        "CAP APH",
        "Compétences",
        "Autonomie",
    ]
)
CV_ROUX_NO_PHONE = cv_docx(
    [
        "Thomas ROUX",
        "thomas.roux@exemple-mail.fr",
        "Expériences",
        "Cariste",
        "Formation",
        "CACES",
        "Compétences",
        "Chargement",
    ]
)
CV_HUGO_NO_PHONE = cv_docx(
    [
        "Hugo PETIT",
        "hugo.petit@exemple-webmail.com",
        "Expériences",
        "Peintre en bâtiment",
        "Formation",
        "CAP Peintre",
        "Compétences",
        "Enduits, peinture",
    ]
)


@cache
def email_cases() -> tuple[EmailCase, ...]:
    f3, t3 = _form("f3_text_word_export")
    f5, t5 = _form("f5_docx_table_incomplete")
    f1, t1 = _form("f1_acroform_semantic")
    f4, t4 = _form("f4_table_invalid_siret")
    body_form = (SAMPLES / "emails" / "e06_form_in_body.eml").read_bytes()
    import email as _email

    form_text = next(
        p.get_payload(decode=True).decode("utf-8")
        for p in _email.message_from_bytes(body_form).walk()
        if p.get_content_type() == "text/plain"
    )
    form_text = form_text.split("directement dans ce mail :", 1)[1].split("Bien à vous", 1)[0]
    c = cv_case
    cases = [
        # ---- forwards carrying a company's form -------------------------------------------------
        EmailCase(
            "gmail_forward_inline_pdf",
            _mail(
                "Fwd: Formulaire de liaison",
                "Julie Caron <julie.caron@ambiance-jardins.fr>",
                _plain(
                    "Bonjour,\nje vous transfère le formulaire de ma responsable.\nJulie\n\n"
                    "---------- Forwarded message ---------\nDe : Coralie GOSSELIN <c.gosselin@ambiance-jardins.fr>\n"
                    "Date: lun. 8 mars 2027 à 17:02\nSubject: Formulaire de liaison\n"
                    "To: Julie Caron <julie.caron@ambiance-jardins.fr>\n\nJulie, peux-tu l'envoyer ?\n"
                ),
                file_part(f3, PDF, 'name="Formulaire liaison.pdf"'),
            ),
            t3,
        ),
        EmailCase(
            "apple_forward_docx",
            _mail(
                "Fwd: Offre d'emploi",
                "Paul Henry <p.henry@exemple-batiment.fr>",
                _plain(
                    "Voir ci-dessous.\n\nEnvoyé de mon iPhone\n\nDébut du message réexpédié :\n\n"
                    "De: Direction <direction@exemple-batiment.fr>\nDate: 8 mars 2027 à 18:10:11 UTC+1\n"
                    "À: Paul Henry <p.henry@exemple-batiment.fr>\nObjet: Offre d'emploi\n\nCi-joint la fiche.\n"
                ),
                file_part(f5, DOCX, 'name="fiche.docx"'),
            ),
            t5,
        ),
        EmailCase(
            "thunderbird_forward_octet_pdf",
            _mail(
                "Fwd: demande",
                "Marc Lenoir <m.lenoir@exemple-tp.fr>",
                _plain(
                    "\n\n-------- Message transféré --------\nSujet : \tdemande\nDate : \tMon, 8 Mar 2027 17:02:11 +0100\n"
                    "De : \tAccueil <accueil@exemple-tp.fr>\nPour : \tMarc Lenoir <m.lenoir@exemple-tp.fr>\n\n"
                    "Bonjour, voici notre besoin.\n"
                ),
                file_part(f1, OCTET, 'name="scan0001.pdf"'),
            ),
            t1,
        ),
        EmailCase(
            "outlook_fr_forward_html_no_disposition",
            _mail(
                "TR: recrutement",
                "Nathalie Vasseur <n.vasseur@exemple-nettoyage.fr>",
                multipart(
                    "alternative",
                    text_part(
                        "<html><body><p class=MsoNormal>Bonjour,<o:p></o:p></p><p class=MsoNormal>&nbsp;<o:p></o:p></p>"
                        "<div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal><b>De&nbsp;:</b> "
                        "Accueil &lt;accueil@exemple-nettoyage.fr&gt;<br><b>Envoyé&nbsp;:</b> lundi 8 mars 2027 17:02<br>"
                        "<b>À&nbsp;:</b> Nathalie Vasseur<br><b>Objet&nbsp;:</b> recrutement<o:p></o:p></p></div>"
                        "<p class=MsoNormal>Formulaire complété ci-joint.<o:p></o:p></p></body></html>",
                        subtype="html",
                        charset="windows-1252",
                        cte="quoted-printable",
                    ),
                ),
                file_part(f4, PDF, 'name="Fiche.pdf"', disposition=None),
            ),
            t4,
        ),
        EmailCase(
            "gmail_forward_form_in_body",
            _mail(
                "TR : offre d'emploi",
                "Julie Caron <julie.caron@exemple-elec.fr>",
                _plain(
                    "Bonjour,\nje vous transmets la demande de mon directeur.\n\n"
                    "---------- Forwarded message ---------\nDe : Rémi Maréchal <remi.marechal@elec-generale-dury.fr>\n"
                    "Date: lun. 8 mars 2027 à 17:02\nSubject: offre\nTo: Julie Caron <julie.caron@exemple-elec.fr>\n\n"
                    + form_text
                ),
            ),
            {
                "kind": "liaison_form",
                "forms": [
                    {
                        "company": {
                            "legal_name": "ÉLECTRICITÉ GÉNÉRALE DURYSSIENNE SARL",
                            "siret": "96691605800037",
                        }
                    }
                ],
            },
        ),
        # ---- partner referrals ----------------------------------------------------------------------
        EmailCase(
            "ref_only_in_references",
            _mail(
                "Candidature pour le poste d'agent d'entretien",
                PARTNER,
                _plain(
                    "Bonjour Claire,\n\nJe vous propose la candidature de M. Jean-Pierre MARTIN.\n\n"
                    "Cordialement,\nSophie Martín\nPLIE du Grand Amiénois\n06 12 00 00 01\n"
                ),
                file_part(c("jean_pierre_martin_pdf").data, PDF, 'name="CV JP MARTIN.pdf"'),
                In_Reply_To="<a77@plie-exemple.fr>",
                References="<bcast-0004.1a2b@exemple-emploi.fr> <a76@plie-exemple.fr>\n <a77@plie-exemple.fr>",
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0004",
                "candidates": [_who("jean_pierre_martin_pdf", "CV JP MARTIN.pdf")],
            },
        ),
        EmailCase(
            "ref_in_gmail_quote_reformatted",
            _mail(
                "Re: maçons",
                "Mission Locale <contact@ml-exemple.fr>",
                _plain(
                    "Bonjour,\nci-joint le CV de Mme Marie DUPONT.\nBonne journée\nL'équipe Mission Locale\n\n"
                    + _gmail_quote("Réf. CS-2027-0007 – merci de la rappeler.")
                ),
                file_part(c("labelled_nom_prenom_pdf").data, PDF, 'name="CV_candidat.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0007",
                "candidates": [_who("labelled_nom_prenom_pdf", "CV_candidat.pdf")],
            },
        ),
        EmailCase(
            "ref_bracket_on_wrapped_quote_line",
            _mail(
                "Re: offre",
                "Mission Locale <contact@ml-exemple.fr>",
                _plain(
                    "Bonjour, voici une candidature.\n\nCordialement\n\n"
                    + _gmail_quote(
                        "Merci de conserver la référence\n> [CS-2027-0009] dans l'objet de vos réponses."
                    )
                ),
                file_part(c("surname_first_docx").data, DOCX, 'name="CV.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0009",
                "candidates": [_who("surname_first_docx", "CV.docx")],
            },
        ),
        EmailCase(
            "two_cvs_and_positioning_sheet",
            _mail(
                "RE: [CS-2027-0011] Aide-soignant(e)",
                PARTNER,
                _plain(
                    "Bonjour,\n\nVoici deux candidatures, avec la fiche de positionnement de Mme DIALLO.\n\n"
                    "Cordialement,\nSophie Martín\nConseillère – PLIE\nTél. 06 12 00 00 01\n\n"
                    + OUTLOOK_QUOTE.format(ref="CS-2027-0011")
                ),
                file_part(c("curriculum_first_line_docx").data, DOCX, 'name="CV Diallo.docx"'),
                file_part(FICHE, PDF, 'name="Fiche de positionnement - DIALLO.pdf"'),
                file_part(c("civility_no_phone_pdf").data, PDF, 'name="cv-fatima.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0011",
                "candidates": [
                    _who("curriculum_first_line_docx", "CV Diallo.docx"),
                    _who("civility_no_phone_pdf", "cv-fatima.pdf"),
                ],
            },
        ),
        EmailCase(
            "cv_docx_named_document",
            _mail(
                "[CS-2027-0012] candidature",
                PARTNER,
                _plain("Bonjour,\nle CV de M. Yanis CHERIF est en pièce jointe.\nCordialement,\nSophie\n"),
                file_part(c("name_in_docx_header").data, OCTET, 'name="document.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0012",
                "candidates": [_who("name_in_docx_header", "document.docx")],
            },
        ),
        EmailCase(
            "name_only_in_filename",
            _mail(
                "[CS-2027-0013] Plaquiste",
                PARTNER,
                _plain(
                    "Bonjour,\nvoici un CV pour l'offre de plaquiste.\nCordialement,\nSophie Martín\n06 12 00 00 01\n"
                ),
                file_part(CV_NAME_ONLY_IN_FILE, PDF, 'name="CV_Rachid_HAMMOUDI.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0013",
                "candidates": [
                    {
                        "first_name": "Rachid",
                        "last_name": "Hammoudi",
                        "email": None,
                        "phone": None,
                        "cv_filename": "CV_Rachid_HAMMOUDI.pdf",
                    }
                ],
            },
        ),
        EmailCase(
            "candidate_details_in_body",
            _mail(
                "RE: [CS-2027-0014] Manutentionnaire",
                PARTNER,
                _plain(
                    "Bonjour,\n\nCandidat : M. Karim BENSAÏD, 06 11 22 33 44\nDisponible immédiatement.\n\n"
                    "Bien cordialement,\nSophie Martín\nPLIE – 06 12 00 00 01\n\n"
                    + OUTLOOK_QUOTE.format(ref="CS-2027-0014")
                ),
                file_part(CV_KARIM_NO_PHONE, DOCX, 'name="CV.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0014",
                "candidates": [
                    {
                        "first_name": "Karim",
                        "last_name": "Bensaïd",
                        "email": "karim.bensaid@exemple-boite.net",
                        "phone": "+33611223344",
                        "cv_filename": "CV.docx",
                    }
                ],
            },
        ),
        EmailCase(
            "html_only_outlook_referral",
            _mail(
                "RE: candidature",
                PARTNER,
                text_part(
                    "<html><head><style>p.MsoNormal{margin:0}</style></head><body>"
                    "<p class=MsoNormal>Bonjour Claire,<o:p></o:p></p><p class=MsoNormal>&nbsp;<o:p></o:p></p>"
                    "<table><tr><td>Candidate&nbsp;:</td><td>Mme Nadia BOUZID</td></tr>"
                    "<tr><td>Disponibilité&nbsp;:</td><td>immédiate</td></tr></table>"
                    "<p class=MsoNormal>Cordialement,<o:p></o:p></p><p>Sophie Mart&iacute;n<br>06&nbsp;12&nbsp;00&nbsp;00&nbsp;01</p>"
                    "<div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal><b>De&nbsp;:</b> "
                    "R&eacute;f&eacute;rent clauses sociales &lt;clauses.amiens@exemple-emploi.fr&gt;<br>"
                    "<b>Envoy&eacute;&nbsp;:</b> lundi 1 mars 2027 09:30<br><b>&Agrave;&nbsp;:</b> undisclosed-recipients<br>"
                    "<b>Objet&nbsp;:</b> [CS-2027-0016] Agent de restauration<o:p></o:p></p></div>"
                    "<p>Tél. 03&nbsp;22&nbsp;71&nbsp;50&nbsp;00</p></body></html>",
                    subtype="html",
                    charset="windows-1252",
                    cte="quoted-printable",
                ),
                file_part(c("references_person_pdf").data, PDF, 'name="cv.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0016",
                "candidates": [_who("references_person_pdf", "cv.pdf")],
            },
        ),
        EmailCase(
            "latin1_declared_cp1252_body",
            _mail(
                "[CS-2027-0017] Employée libre-service",
                PARTNER,
                text_part(
                    "Bonjour,\n\nJe vous adresse la candidature de Mme Noémie LEBŒUF pour l’offre "
                    "(salaire 1 850 €).\nElle est joignable au 07 45 12 36 98.\n\nCordialement,\nSophie\n",
                    charset="iso-8859-1",
                    codec="cp1252",
                    cte="quoted-printable",
                ),
                file_part(CV_NO_NAME_NO_PHONE, PDF, 'name="CV.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0017",
                "candidates": [
                    {
                        "first_name": "Noémie",
                        "last_name": "Lebœuf",
                        "email": "noemie.leboeuf@exemple-mail.fr",
                        "phone": "+33745123698",
                        "cv_filename": "CV.pdf",
                    }
                ],
            },
        ),
        EmailCase(
            "base64_body_rfc2231_language_tag",
            _mail(
                "=?utf-8?b?W0NTLTIwMjctMDAxOF0gQ2FuZGlkYXR1cmUgw6lsZWN0cmljaWVu?=",
                PARTNER,
                text_part(
                    "Bonjour,\nveuillez trouver le CV ci-joint.\nCordialement,\nSophie\n", cte="base64"
                ),
                file_part(
                    c("particle_surname_docx").data,
                    DOCX,
                    "filename*=utf-8'fr'CV%20Anne-Sophie%20DE%20LA%20TOUR%20%E2%80%93%20secr%C3%A9taire.docx",
                ),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0018",
                "candidates": [_who("particle_surname_docx", "CV Anne-Sophie DE LA TOUR – secrétaire.docx")],
            },
        ),
        EmailCase(
            "rfc2231_continuations",
            _mail(
                "[CS-2027-0019] candidature",
                PARTNER,
                _plain("Bonjour,\nCV joint.\nCordialement\n"),
                file_part(
                    c("english_headings_pdf").data,
                    PDF,
                    "filename*0*=utf-8''Candidature%20de%20Ngozi%20; filename*1*=OKAFOR%20%C3%A9t%C3%A9.pdf",
                ),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0019",
                "candidates": [_who("english_headings_pdf", "Candidature de Ngozi OKAFOR été.pdf")],
            },
        ),
        EmailCase(
            "partner_signature_without_closing",
            _mail(
                "[CS-2027-0015] Candidature peintre",
                PARTNER,
                _plain(
                    "Bonjour,\nCi-joint le CV de M. Hugo PETIT pour votre offre.\n\nSophie MARTÍN\n"
                    "Conseillère emploi – PLIE Amiens\n06 12 00 00 01\ns.martin@plie-exemple.fr\n"
                ),
                file_part(CV_HUGO_NO_PHONE, DOCX, 'name="CV PETIT.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0015",
                "candidates": [
                    {
                        "first_name": "Hugo",
                        "last_name": "Petit",
                        "email": "hugo.petit@exemple-webmail.com",
                        "phone": None,
                        "cv_filename": "CV PETIT.docx",
                    }
                ],
            },
        ),
        EmailCase(
            "two_cvs_phones_listed_in_body",
            _mail(
                "RE: [CS-2027-0020] Agents de propreté",
                PARTNER,
                _plain(
                    "Bonjour,\n\nDeux candidats pour cette offre :\n- Mme Aïcha DIALLO : 06 12 13 14 15\n"
                    "- M. Thomas ROUX : 07 22 23 24 25\n\nCordialement,\nSophie Martín\n06 12 00 00 01\n"
                ),
                file_part(CV_DIALLO_NO_PHONE, PDF, 'name="CV DIALLO.pdf"'),
                file_part(CV_ROUX_NO_PHONE, DOCX, 'name="CV ROUX.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0020",
                "candidates": [
                    {
                        "first_name": "Aïcha",
                        "last_name": "Diallo",
                        "email": "aicha.diallo@exemple-mail.fr",
                        "phone": "+33612131415",
                        "cv_filename": "CV DIALLO.pdf",
                    },
                    {
                        "first_name": "Thomas",
                        "last_name": "Roux",
                        "email": "thomas.roux@exemple-mail.fr",
                        "phone": "+33722232425",
                        "cv_filename": "CV ROUX.docx",
                    },
                ],
            },
        ),
        EmailCase(
            "candidate_applies_directly",
            _mail(
                "Candidature agent de sécurité",
                "Kevin Lefevre <Kevin.Lefevre@exemple-mail.fr>",
                _plain(
                    "Bonjour,\nje souhaite postuler au poste d'agent de sécurité. Mon CV est joint.\n"
                    "Cordialement,\nKévin Lefèvre\n"
                ),
                file_part(c("job_title_in_caps_above_name_pdf").data, PDF, 'name="cv_kevin.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": None,
                "candidates": [_who("job_title_in_caps_above_name_pdf", "cv_kevin.pdf")],
            },
        ),
        # ---- auto-replies ---------------------------------------------------------------------------
        EmailCase(
            "subject_absence_du_bureau",
            _mail(
                "Absence du bureau : [CS-2027-0004] Agent d'entretien",
                PARTNER,
                _plain("Bonjour, je suis en congés jusqu'au 15 mars.\n"),
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "subject_automatische_antwort",
            _mail(
                "Automatische Antwort: [CS-2027-0004] Agent d'entretien",
                "Hans Weber <h.weber@exemple.de>",
                _plain("Ich bin bis 15.03. nicht im Büro.\n"),
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "body_je_suis_absente_jusquau",
            _mail(
                "RE: [CS-2027-0004] Agent d'entretien",
                PARTNER,
                _plain(
                    "Bonjour,\n\nJe suis absent(e) jusqu'au 15 mars 2027 inclus, avec un accès limité à "
                    "ma messagerie.\nPour toute urgence, merci de contacter l'accueil au 03 22 00 00 00.\n\n"
                    "Cordialement,\nSophie Martín\n"
                ),
                In_Reply_To="<bcast-0004.1a2b@exemple-emploi.fr>",
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "x_autoreply_yes",
            _mail(
                "Re: [CS-2027-0004] Agent d'entretien",
                "Accueil ML <accueil@ml-exemple.fr>",
                _plain("Merci pour votre message, nous le traiterons dans les meilleurs délais.\n"),
                X_Autoreply="yes",
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "gmail_vacation_bulk",
            _mail(
                "Congés",
                "Paul Henry <p.henry@exemple-batiment.fr>",
                _plain("Je suis en congés jusqu'au 20 mars.\n"),
                Auto_Submitted="auto-replied",
                Precedence="bulk",
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "subject_je_suis_absente",
            _mail(
                "Je suis absente jusqu'au lundi 15 mars",
                PARTNER,
                _plain("Bonjour, je lirai votre message à mon retour.\n"),
            ),
            {"kind": "auto_reply"},
        ),
        # ---- bounces --------------------------------------------------------------------------------
        EmailCase(
            "exchange_ndr_report_with_original_form",
            _mail(
                "Non remis : [CS-2027-0004] Agent d'entretien",
                "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@ml-exemple.fr>",
                multipart(
                    "report",
                    text_part(
                        "<p>Impossible de remettre le message à ces destinataires.</p>", subtype="html"
                    ),
                    text_part(
                        "Reporting-MTA: dns;EX01.ml-exemple.fr\n\nFinal-Recipient: rfc822;x@ml-exemple.fr\n"
                        "Action: failed\nStatus: 5.1.1\n",
                        subtype="plain",
                    ),
                    multipart("mixed", _plain("Bonjour à tous"), file_part(f3, PDF, 'name="offre.pdf"')),
                    params='report-type="Delivery-Status"',
                ),
                Auto_Submitted="auto-replied",
            ),
            {"kind": "bounce"},
        ),
        EmailCase(
            "exchange_ndr_not_a_report",
            _mail(
                "Undeliverable: [CS-2027-0004] Agent d'entretien",
                "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@ml-exemple.fr>",
                text_part(
                    "<p>Delivery has failed to these recipients or groups:</p><p>x@ml-exemple.fr</p>",
                    subtype="html",
                ),
                Return_Path="<>",
            ),
            {"kind": "bounce"},
        ),
        EmailCase(
            "postmaster_text_bounce",
            _mail(
                "Undelivered Mail Returned to Sender",
                "Mail Delivery System <POSTMASTER@exemple-tp.fr>",
                _plain(
                    "This is the mail system at host mx.exemple-tp.fr.\nI'm sorry to have to inform you...\n"
                ),
            ),
            {"kind": "bounce"},
        ),
        EmailCase(
            "read_receipt_is_not_a_bounce",
            _mail(
                "Lu : [CS-2027-0004] Agent d'entretien",
                PARTNER,
                multipart(
                    "report",
                    _plain("Votre message a été lu le 9 mars 2027."),
                    text_part(
                        "Reporting-UA: outlook\nFinal-Recipient: rfc822;s.martin@plie-exemple.fr\n"
                        "Disposition: automatic-action/MDN-sent-automatically; displayed\n",
                        subtype="plain",
                        extra=[],
                    ),
                    params="report-type=disposition-notification",
                ),
            ),
            {"kind": "auto_reply"},  # a read receipt: automated, filed, never answered
        ),
        # ---- other ----------------------------------------------------------------------------------
        EmailCase(
            "newsletter_with_pdfs",
            _mail(
                "La Lettre de l'Emploi – mars 2027",
                "Maison de l'emploi <newsletter@mde-exemple.fr>",
                _plain("Retrouvez notre lettre d'information en pièce jointe.\n"),
                file_part(NEWSLETTER_PDF, PDF, 'name="lettre_mars_2027.pdf"'),
                file_part(f3, PDF, 'name="offre_emploi_exemple.pdf"'),
                List_Unsubscribe="<mailto:unsubscribe@mde-exemple.fr>",
            ),
            {"kind": "unknown"},
        ),
        EmailCase(
            "newsletter_without_list_headers",
            _mail(
                "Lettre d'information n°12",
                "Maison de l'emploi <contact@mde-exemple.fr>",
                _plain("Bonjour,\nveuillez trouver notre lettre d'information du mois.\nCordialement\n"),
                file_part(NEWSLETTER_PDF, PDF, 'name="Lettre_info_12.pdf"'),
            ),
            {"kind": "unknown"},
        ),
        EmailCase(
            "calendar_invite",
            _mail(
                "Invitation : Comité de suivi clause sociale – jeu. 18 mars 2027",
                PARTNER,
                multipart(
                    "alternative",
                    _plain("Comité de suivi clause sociale\nJeudi 18 mars 2027 14:00\n"),
                    text_part(
                        "BEGIN:VCALENDAR\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:Comité de suivi\n"
                        "END:VEVENT\nEND:VCALENDAR\n",
                        subtype="calendar; method=REQUEST",
                    ),
                ),
                file_part(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "application/ics", 'name="invite.ics"'),
            ),
            {"kind": "unknown"},
        ),
        # second wave, written after the first fixes (to check they generalise)
        EmailCase(
            "ref_retyped_with_space",
            _mail(
                "Candidature",
                PARTNER,
                _plain(
                    "Bonjour,\nconcernant l'offre CS 2027-0021, voici le CV de M. Lucas GAUTHIER.\n"
                    "Cordialement,\nSophie\n"
                ),
                file_part(c("civility_and_city_line_pdf").data, PDF, 'name="CV_M_Lucas_GAUTHIER.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0021",
                "candidates": [_who("civility_and_city_line_pdf", "CV_M_Lucas_GAUTHIER.pdf")],
            },
        ),
        EmailCase(
            "signature_with_civility_no_closing",
            _mail(
                "[CS-2027-0022] Candidature",
                PARTNER,
                _plain(
                    "Bonjour,\nVeuillez trouver le CV de notre candidat.\n\nMme Sophie MARTIN\n"
                    "Conseillère en insertion\n06 12 00 00 01\n"
                ),
                file_part(CV_NAME_ONLY_IN_FILE, PDF, 'name="CV.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0022",
                "candidates": [
                    {
                        "first_name": None,
                        "last_name": None,
                        "email": None,
                        "phone": None,
                        "cv_filename": "CV.pdf",
                    }
                ],
            },
        ),
        EmailCase(
            "two_cvs_numbered_files_details_in_prose",
            _mail(
                "RE: [CS-2027-0023] Vendeur(se)",
                PARTNER,
                _plain(
                    "Bonjour,\n\nJe vous transmets la candidature de Monsieur Dylan VASSEUR (tél : 06 21 32 43 54) "
                    "ainsi que celle de Madame Inès FERREIRA.\n\nCordialement,\nSophie Martín\n06 12 00 00 01\n"
                ),
                file_part(c("caps_job_title_first_docx").data, DOCX, 'name="CV1.docx"'),
                file_part(CV_NO_NAME_NO_PHONE, PDF, 'name="CV2.pdf"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0023",
                "candidates": [
                    _who("caps_job_title_first_docx", "CV1.docx"),
                    {
                        "first_name": None,
                        "last_name": None,
                        "email": "noemie.leboeuf@exemple-mail.fr",
                        "phone": None,
                        "cv_filename": "CV2.pdf",
                    },
                ],
            },
        ),
        EmailCase(
            "training_brochure_not_a_cv",
            _mail(
                "Nouvelle session de formation cariste",
                "Formapi <contact@formapi-exemple.fr>",
                _plain(
                    "Bonjour,\nnous ouvrons une session en avril, programme joint.\nCordialement,\nFormapi\n"
                ),
                file_part(
                    cv_pdf(
                        [
                            ("Programme de formation", 18),
                            ("Cariste d'entrepôt", 14),
                            "Objectifs",
                            "Conduire un chariot en sécurité",
                            "Compétences visées",
                            "Conduite, chargement",
                            "Formation",
                            "70 heures, CACES R489",
                            "Contact",
                            "Sophie MARTIN – 03 22 10 20 30",
                            "contact@formapi-exemple.fr",
                        ]
                    ),
                    PDF,
                    'name="Programme_cariste.pdf"',
                ),
            ),
            {"kind": "unknown"},
        ),
        EmailCase(
            "ooo_english_no_header",
            _mail(
                "RE: [CS-2027-0004] Agent d'entretien",
                "Hans Weber <h.weber@exemple.de>",
                _plain(
                    "Hello,\nI am out of the office until March 15th with limited access to e-mail.\n"
                    "For urgent matters please contact my colleague.\n"
                ),
            ),
            {"kind": "auto_reply"},
        ),
        EmailCase(
            "human_absent_but_sends_cv",
            _mail(
                "Absente jusqu'au 20 mars – [CS-2027-0024] CV",
                PARTNER,
                _plain(
                    "Bonjour,\nje suis absente jusqu'au 20 mars, je vous envoie donc le CV de Mme Inès FERREIRA "
                    "dès maintenant.\nCordialement,\nSophie\n"
                ),
                file_part(c("name_with_age_comma_docx").data, DOCX, 'name="CV_2.docx"'),
            ),
            {
                "kind": "partner_referral",
                "offer_ref": "CS-2027-0024",
                "candidates": [_who("name_with_age_comma_docx", "CV_2.docx")],
            },
        ),
        EmailCase(
            "human_absent_no_attachment_is_not_auto",
            _mail(
                "RE: [CS-2027-0004] Agent d'entretien",
                PARTNER,
                _plain(
                    "Bonjour Claire,\nje suis absente jusqu'au 20 mars ; je vous envoie les CV lundi prochain.\n"
                    "Cordialement,\nSophie\n"
                ),
            ),
            {"kind": "unknown"},
        ),
    ]
    return tuple(cases)
