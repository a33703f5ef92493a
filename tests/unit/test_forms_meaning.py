"""Issue 7: labels by meaning, labels by position, headings by shape, several jobs, HTML bodies,
unrecognised labels, OCR confusions — each through the real `mailbot parse FILE --json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailbot.parse.labels import load_rules
from mailbot.parse.normalise import normalise_date, normalise_hours, normalise_positions
from mailbot.parse.text_form import assemble, is_heading, line_events
from tests.helpers.mail_builder import message, text_part
from tests.helpers.unseen_builders import docx_bytes, pdf_lines

COMPANY = [
    "Raison sociale : Menuiserie Vasseur SARL",
    "SIRET : 967 897 158 000 77",
    "Adresse : 12 rue des Forges 80000 Amiens",
    "Personne à contacter : M. Paul Vasseur",
    "Téléphone : 06 12 34 56 78",
    "Courriel : p.vasseur@menuiserie-vasseur.fr",
]


def _cli(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _job(title: str, extra: list[str] | None = None) -> list[str]:
    return [
        f"Intitulé du poste : {title}",
        "Nombre de postes : 2",
        "Date d'embauche : 15/03/2027",
        *(extra or []),
    ]


CONDITIONS = [
    "Type de contrat : CDD",
    "Durée du contrat : 6 mois",
    "Durée hebdomadaire : 35 h",
    "Salaire brut : SMIC",
    "Lieu de travail : Amiens",
]


def test_labels_read_by_their_meaning_words(tmp_path: Path) -> None:
    lines = COMPANY + _job(
        "Menuisier poseur",
        [
            "Tâches confiées au salarié : Pose de menuiseries ; réglages",
            "Savoirs attendus : Lecture de plans",
            "Expérience dans le métier : 1 an",
            "Diplôme ou titre professionnel : CAP Menuisier",
            "Permis et habilitations demandés : Permis B",
        ],
    ) + CONDITIONS
    got = _cli(tmp_path, "sens.pdf", pdf_lines(lines))
    (form,) = got["forms"]
    assert form["job"]["main_activities"] == "Pose de menuiseries ; réglages"
    assert form["job"]["required_skills"] == "Lecture de plans"
    assert form["job"]["experience"] == "1 an"
    assert form["job"]["training"] == "CAP Menuisier"
    assert form["job"]["special_requirements"] == "Permis B"
    assert form["problems"] == [] and "unrecognised_labels" not in form


def test_unknown_label_read_by_its_position_with_a_problem(tmp_path: Path) -> None:
    lines = COMPANY + _job(
        "Menuisier poseur",
        ["Missions : Pose", "Formation : CAP", "Points de repère : Port des EPI"],
    ) + CONDITIONS
    got = _cli(tmp_path, "position.pdf", pdf_lines(lines))
    (form,) = got["forms"]
    assert form["job"]["special_requirements"] == "Port des EPI"
    assert form["problems"] == ["« Points de repère » lu comme Exigences particulières"]


def test_unrecognised_labels_are_reported(tmp_path: Path) -> None:
    lines = COMPANY[:2] + ["Code APE retenu : 4332A"] + COMPANY[2:] + _job("Menuisier") + CONDITIONS
    got = _cli(tmp_path, "inconnu.pdf", pdf_lines(lines))
    (form,) = got["forms"]
    assert form["unrecognised_labels"] == ["Code APE retenu"]
    assert form["company"]["legal_name"] == "Menuiserie Vasseur SARL"
    assert form["company"]["address"] == "12 rue des Forges 80000 Amiens"


def test_unknown_heading_ends_the_value_above(tmp_path: Path) -> None:
    extra = ["Exigences particulières : Travail en hauteur", "D – NOS ENGAGEMENTS"]
    lines = COMPANY + _job("Menuisier", extra)
    lines += ["Ce que nous proposons"] + CONDITIONS
    body = "Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement\n"
    mail = message(
        {"From": "Paul Vasseur <p.vasseur@menuiserie-vasseur.fr>", "Subject": "Fiche de liaison"},
        text_part(body),
    )
    got = _cli(tmp_path, "titre.eml", mail)
    assert got["kind"] == "liaison_form"
    (form,) = got["forms"]
    assert form["job"]["special_requirements"] == "Travail en hauteur"


def test_three_jobs_in_docx_paragraphs_share_company_and_conditions(tmp_path: Path) -> None:
    blocks = ["FICHE BESOIN", *COMPANY]
    for number, title in enumerate(("Menuisier", "Charpentier", "Manœuvre"), 1):
        blocks += [f"Poste n° {number}", *_job(title, [f"Missions : Tâche {number}"])]
    blocks += ["CONDITIONS COMMUNES", *CONDITIONS]
    got = _cli(tmp_path, "trois.docx", docx_bytes(blocks))
    forms = got["forms"]
    assert [f["job"]["title"] for f in forms] == ["Menuisier", "Charpentier", "Manœuvre"]
    assert [f["job"]["main_activities"] for f in forms] == ["Tâche 1", "Tâche 2", "Tâche 3"]
    for form in forms:
        assert form["company"]["siret"] == "96789715800077"
        assert form["conditions"]["contract_type"] == "CDD"
        assert form["conditions"]["workplace"] == "Amiens"


def test_html_only_email_is_read_like_a_typed_body(tmp_path: Path) -> None:
    pairs = [line.split(" : ") for line in COMPANY]
    rows = "".join(f"<tr><td><b>{label}</b></td><td>{value}</td></tr>" for label, value in pairs)
    html = (
        "<html><body><p>Bonjour,</p><table border=1>"
        '<tr><td colspan="2">L\'ENTREPRISE</td></tr>' + rows + "</table>"
        "<table><tr><th>Rubrique</th><th>Poste 1</th><th>Poste 2</th></tr>"
        "<tr><td>Intitulé du poste</td><td>Menuisier</td><td>Charpentier</td></tr>"
        "<tr><td>Nombre de postes</td><td>2</td><td>1</td></tr>"
        "<tr><td>Activités</td><td>Pose<br>\nRéglages</td><td>Levage</td></tr>"
        "<tr><td>Type de contrat</td><td>CDI</td><td>CDD</td></tr>"
        "<tr><td>Durée hebdomadaire</td><td>35 h</td><td>39 h</td></tr>"
        "</table><p>Lieu de travail : Amiens<br>\nSalaire brut : SMIC</p><p>Cordialement</p></body></html>"
    )
    mail = message(
        {"From": "Paul Vasseur <p.vasseur@menuiserie-vasseur.fr>", "Subject": "Besoin"},
        text_part(html, subtype="html"),
    )
    got = _cli(tmp_path, "html.eml", mail)
    assert got["kind"] == "liaison_form"
    first, second = got["forms"]
    assert first["company"]["legal_name"] == second["company"]["legal_name"] == "Menuiserie Vasseur SARL"
    assert (first["job"]["title"], second["job"]["title"]) == ("Menuisier", "Charpentier")
    assert first["job"]["main_activities"] == "Pose Réglages"
    assert (first["conditions"]["contract_type"], second["conditions"]["contract_type"]) == ("CDI", "CDD")
    assert (first["conditions"]["weekly_hours"], second["conditions"]["weekly_hours"]) == (35, 39)


def test_heading_shapes() -> None:
    rules = load_rules()
    for line in ("II – LE POSTE", "Partie 3 : le contrat", "Qui êtes-vous ?", "Modalités de recrutement",
                 "Le poste à pourvoir", "2.2 Second poste"):  # fmt: skip
        assert is_heading(rules, line), line
    for line in ("Travail en hauteur", "1. Pose des menuiseries", "CACES R489", "Débutant accepté"):
        assert not is_heading(rules, line), line


def test_ocr_confusions_undone_by_the_field_shape() -> None:
    assert normalise_date("ire mars 2027") == ("2027-03-01", None)
    assert normalise_positions("‘2") == (2, None)
    assert normalise_hours("‘35 h") == (35, None)
    forms, _ = assemble(line_events("Raison sociale ; Vasseur SARL\nIntitulé du poste ; Menuisier"))
    assert forms[0].values["company.legal_name"] == "Vasseur SARL"
    assert forms[0].values["job.title"] == "Menuisier"
