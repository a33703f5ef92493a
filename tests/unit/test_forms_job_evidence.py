"""Classes of blind corpus D, through the real `mailbot parse FILE --json` CLI.

Fixtures are built here (invented companies, wordings and values):
- a label of another field that begins with or holds a job-title word ('Postes disponibles',
  'Qualification') opens no second job: a next job needs evidence (a job heading, the same label
  repeated, a block repeating the job's fields);
- 'EMPLOI 1/2' job headings;
- a question and its answer on one line ('Combien de personnes ? Deux (2)');
- a contract type written as a word under a label no list holds ('Forme de l'embauche');
- labels above answers: an unknown label whose answer is a phone number, an empty label then
  a blank line then the next label, the sender's signature under the last answer;
- an answer in capitals right under its 'Label :' in a text PDF.
"""

from __future__ import annotations

import json
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

from tests.helpers.pdf_builder import PdfPage, build_pdf


def _parse(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _mail(body: str) -> bytes:
    message = EmailMessage()
    message["From"] = "Atelier Dumoulin <rh@atelier-dumoulin.fr>"
    message["To"] = "clauses@agence.example"
    message["Subject"] = "Fiche de liaison"
    message.set_content(body)
    return message.as_bytes()


COMPANY_LINES = """Raison sociale : Atelier Dumoulin Métallerie SAS
SIRET : 73282932000074
Adresse : 9 chemin du Halage, 80480 Saleux
Interlocuteur : Mme Agathe Dumoulin
Téléphone : 06 44 12 87 30
Courriel : a.dumoulin@atelier-dumoulin.fr
"""


def test_a_label_holding_a_job_word_opens_no_second_job(tmp_path: Path) -> None:
    body = f"""Bonjour,

{COMPANY_LINES}
Intitulé du poste : Soudeur
Postes disponibles : 2 postes
Date d'embauche : 03/05/2027
Missions : Soudure semi-automatique, lecture de plans
Compétences : Rigueur
Expérience : 2 ans
Qualification : BTS Construction métallique souhaité
Exigences particulières : Port des EPI
Type de contrat : CDD
Durée du contrat : 9 mois
Durée hebdomadaire : 35 h
Salaire brut : 2 100 € brut mensuel
Lieu de travail : Saleux

Cordialement,
"""
    result = _parse(tmp_path, "one_job.eml", _mail(body))
    assert result["kind"] == "liaison_form"
    assert len(result["forms"]) == 1
    form = result["forms"][0]
    assert form["job"]["title"] == "Soudeur"
    assert form["job"]["positions"] == 2
    assert form["job"]["training"] == "BTS Construction métallique souhaité"
    assert form["conditions"]["contract_type"] == "CDD"
    assert form["conditions"]["workplace"] == "Saleux"


def test_the_same_label_repeated_and_numbered_job_headings_make_jobs(tmp_path: Path) -> None:
    jobs = """EMPLOI 1/2
Intitulé du poste : Soudeur
Nombre de postes : 2
Missions : Soudure semi-automatique
Compétences : Rigueur
Type de contrat : CDI
EMPLOI 2/2
Intitulé du poste : Chaudronnier
Nombre de postes : 1
Missions : Traçage et découpe
Compétences : Autonomie
Type de contrat : CDD
Durée du contrat : 6 mois
"""
    repeated = jobs.replace("EMPLOI 1/2\n", "").replace("EMPLOI 2/2\n", "")
    for name, text in (("headed.eml", jobs), ("repeated.eml", repeated)):
        result = _parse(tmp_path, name, _mail(f"Bonjour,\n\n{COMPANY_LINES}\n{text}\nCordialement,\n"))
        titles = [f["job"]["title"] for f in result["forms"]]
        assert titles == ["Soudeur", "Chaudronnier"], name
        assert [f["conditions"]["contract_type"] for f in result["forms"]] == ["CDI", "CDD"]
        assert result["forms"][1]["company"]["siret"] == "73282932000074"


def test_question_and_answer_on_one_line_and_a_contract_word(tmp_path: Path) -> None:
    body = f"""Bonjour,

{COMPANY_LINES}
Intitulé du poste : Serrurier
Combien de personnes ? Deux (2)
Date d'embauche : 03/05/2027
Missions : Pose de portails
Compétences : Rigueur
Forme de l'embauche : Mission d'intérim
Durée du contrat : 3 mois
Durée hebdomadaire : 35 h
Lieu de travail : Saleux
"""
    form = _parse(tmp_path, "question.eml", _mail(body))["forms"][0]
    assert form["job"]["title"] == "Serrurier"
    assert form["job"]["positions"] == 2
    assert form["conditions"]["contract_type"] == "INTERIM"


def test_labels_above_answers_unknown_label_empty_label_and_signature(tmp_path: Path) -> None:
    body = """Bonjour,

Raison sociale
Atelier Dumoulin Métallerie SAS

SIRET
73282932000074

Personne à contacter
Agathe Dumoulin

Pour nous rappeler
06 44 12 87 30

Intitulé du poste
Soudeur

Missions
Soudure semi-automatique

Compétences
Rigueur

Type de contrat
CDI

Lieu de travail


Salaire brut
2 100 € brut mensuel

Agathe Dumoulin, gérante
Atelier Dumoulin Métallerie SAS
"""
    form = _parse(tmp_path, "above.eml", _mail(body))["forms"][0]
    assert form["company"]["contact_name"] == "Agathe Dumoulin"
    assert form["company"]["phone"] == "+33644128730"
    assert any("Pour nous rappeler" in p for p in form["problems"])  # read by its answer's shape
    assert form["conditions"]["workplace"] is None
    assert form["conditions"]["gross_salary"] == "2 100 € brut mensuel"


def test_capitals_under_a_colon_label_in_a_text_pdf(tmp_path: Path) -> None:
    lines = [
        "Fiche de liaison",
        "Nom de l'entreprise :",
        "MÉTALLERIE DUMOULIN",
        "SIRET : 73282932000074",
        "Adresse : 9 chemin du Halage, 80480 Saleux",
        "Interlocuteur : Mme Agathe Dumoulin",
        "Intitulé du poste : Soudeur",
        "Nombre de postes : 2",
        "Missions : Soudure semi-automatique",
        "Type de contrat : CDI",
        "Lieu de travail : Saleux",
        "Agathe Dumoulin, gérante",
    ]
    page = PdfPage()
    for index, text in enumerate(lines):
        page.texts.append((60, 800 - 16 * index, text, 10))
    form = _parse(tmp_path, "capitals.pdf", build_pdf([page]))["forms"][0]
    assert form["company"]["legal_name"] == "MÉTALLERIE DUMOULIN"
    assert form["conditions"]["workplace"] == "Saleux"
