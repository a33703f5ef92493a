"""Variant generator: liaison forms rebuilt from the samples' answers, in every layout.

Two modes:
- 'synonyms' (issue 5): labels are listed synonyms of rules/labels.toml, headings from a short
  list, one job;
- 'meaning' (issue 7): labels are phrases built around a field's meaning word (rules [meaning])
  in wordings no list holds ('Tâches prévues', 'Vos compétences à préciser'), section headings
  invented at random (numbering, words, capitals), and one to three jobs per document sharing
  the company block, each job with its own conditions or, sometimes, conditions given once.

Layouts: e-mail text, HTML e-mail (a label|value table), DOCX paragraphs, DOCX table, DOCX one
job per column, text PDF, PDF table with rules only, PDF table without rules, PDF table with cell
borders, PDF one job per column, text PDF with each label alone above its answer, text PDF with
dotted leaders ('Label ....... answer'), HTML e-mail whose one table holds the company's rows
then a job per column. The text PDFs print a company footer on every page and end with a
letter's closing sentence, neither of which is part of the last answer.

    .venv/bin/python -m tests.helpers.form_variants [--mode meaning] [--documents 40]

prints the share of fields right per layout and over all (the figure of the issue's note).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import tomllib
from pathlib import Path

from mailbot.parse.types import FORM_FIELDS
from tests.helpers.pdf_builder import PdfPage, build_pdf
from tests.helpers.table_builders import Table, docx_tables, pdf_tables

__all__ = ["HARD_LAYOUTS", "LAYOUTS", "Document", "generate", "main", "parse_layout", "score_layout"]

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
RULES = tomllib.loads((ROOT / "rules" / "labels.toml").read_text(encoding="utf-8"))
LAYOUTS = [
    "text", "html", "docx_paragraphs", "docx_table", "docx_columns", "pdf_text", "pdf_table_rules",
    "pdf_table_plain", "pdf_table_boxes", "pdf_columns", "html_columns",
]  # fmt: skip
# Layouts of blind corpora B and C still read less well (printed by main, not held to 97 %).
HARD_LAYOUTS = ["pdf_above", "pdf_leaders"]
HEADINGS = {
    "company": ["Informations sur l'entreprise", "L'ENTREPRISE", "Identification de l'employeur"],
    "job": ["LE POSTE ET LE PROFIL RECHERCHÉ", "Description du poste et du profil recherché"],
    "conditions": ["CONDITIONS D'EMPLOI", "Conditions de travail"],
}
# Words of invented headings: none is a listed heading; some are meaning words of a field, as in
# real headings ('Votre structure', 'Le recrutement').
_HEAD_WORDS = {
    "company": ["Votre structure", "Qui êtes-vous ?", "L'employeur", "Vos coordonnées", "Le demandeur"],
    "job": ["Le besoin", "Votre offre", "Le recrutement", "Ce que vous recherchez", "L'emploi à pourvoir"],
    "conditions": ["Le contrat", "Ce que vous proposez", "Embauche et rémunération", "Les modalités"],
}
_NUMBERING = ["", "", "1. ", "II – ", "B) ", "Partie 3 : ", "§ 4 ", "Étape 2 – ", "▶ "]
_JOB_HEADS = ["Poste {n}", "POSTE N° {n}", "Offre {n}", "Emploi n°{n}", "Profil {n}", "EMPLOI {n}/{t}"]
# Meaning words that name a field alone on a label ('Tâches', 'Courriel'): the [meaning] lists
# minus the weak words, several-word entries, English words and adjectives.
_NOT_ALONE = {
    "électronique", "téléphonique", "brut", "expérimenté", "siren", "suivi", "chargé", "combien",
    "vacancies", "start", "duties", "tasks", "skills", "education", "training", "requirements",
    "salary", "wage", "temps plein", "temps partiel", "joindre", "déroulera", "déroule", "situé",
    "localisé", "travaillera", "fera",
    "qualification",  # both the title's and the training's: two such labels in one job are ambiguous
}  # fmt: skip
_PHRASES = [
    "{W}", "{W}", "{W}s prévu(e)s", "{W} à préciser", "Vos {w}s", "{W} de l'offre",
    "{W} demandé(e)s", "Précisions : {w}", "{W} (à compléter)", "Indiquer {w}",
    "{W}s liés au poste", "{W} pour ce poste",  # a job-title word in another field's label
]  # fmt: skip
CONTRACT_WORDS = {
    "CDI": ["CDI", "Contrat à durée indéterminée"],
    "CDD": ["CDD", "Contrat à durée déterminée"],
    "CDDI": ["CDDI", "Contrat à durée déterminée d'insertion"],
    "INTERIM": ["Intérim", "Mission d'intérim", "Travail temporaire"],
    "CONTRAT_PRO": ["Contrat de professionnalisation", "Contrat pro"],
    "APPRENTISSAGE": ["Contrat d'apprentissage", "Apprentissage"],
}
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
Item = tuple[str, str | None, list[str], str]  # (heading, label or None: a heading line, value lines, field)


class Document:
    """One generated document: company items, one item list per job, shared conditions, truth."""

    def __init__(self, company: list[Item], jobs: list[list[Item]], shared: list[Item], forms: list[dict]):
        self.company, self.jobs, self.shared, self.forms = company, jobs, shared, forms

    @property
    def items(self) -> list[Item]:
        return [*self.company, *(i for job in self.jobs for i in job), *self.shared]

    def expected(self) -> dict:
        return {"kind": "liaison_form", "forms": self.forms}


def truth_forms() -> list[dict]:
    """Every FORM of the samples' truths (not OCR'd ones): the pool of answers."""
    forms = []
    paths = sorted((SAMPLES / "forms").glob("*.truth.json")) + sorted(
        (SAMPLES / "emails").glob("e0*.truth.json")
    )
    for path in paths:
        truth = json.loads(path.read_text(encoding="utf-8"))
        if truth.get("kind") == "liaison_form" and not truth.get("ocr"):
            forms.extend(truth["forms"])
    return forms


def _mixed(rng: random.Random, pool: list[dict], section: str) -> dict:
    """One section's answers, each field taken from some sample."""
    out = {}
    for name in FORM_FIELDS[section]:
        if name != "contract_duration":
            out[name] = rng.choice(pool)[section][name]
    if section == "conditions":
        source = rng.choice([f for f in pool if f["conditions"]["contract_type"]])
        out["contract_type"] = source["conditions"]["contract_type"]
        out["contract_duration"] = source["conditions"]["contract_duration"]
    return out


def _spell(rng: random.Random, name: str, value) -> str:
    """A way a company may write `value` of field `name`."""
    if value is None:
        return rng.choice(["", "……………………", "....................", ""])
    if name == "siret":
        return rng.choice(
            [f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}", value, f"{value[:9]} {value[9:]}"]
        )
    if name == "phone":
        national = "0" + value[3:]
        pairs = [national[i : i + 2] for i in range(0, 10, 2)]
        return rng.choice([" ".join(pairs), ".".join(pairs), national, "+33 " + value[3:]])
    if name == "recruitment_date":
        year, month, day = value.split("-")
        month_name = MONTHS.split()[int(month) - 1]
        return rng.choice(
            [
                f"{day}/{month}/{year}",
                f"{int(day)} {month_name} {year}",
                f"{day}.{month}.{year}",
                f"{day}/{month}/{year[2:]}",
            ]
        )
    if name == "positions":
        return rng.choice([str(value), f"{value} postes" if value > 1 else "1 poste", f"0{value}"])
    if name == "weekly_hours":
        text = str(value).replace(".", ",")
        return rng.choice([f"{text}h", f"{text} heures", f"{text} h hebdo", text])
    if name == "email":
        return value.upper() if rng.random() < 0.2 else value
    return value


def _label_style(rng: random.Random, label: str) -> str:
    """The same label as companies type it: capitals, asterisk, 'Nb', note in parentheses."""
    choice = rng.random()
    if choice < 0.15:
        return label.upper()
    if choice < 0.25:
        return label + " *"
    if choice < 0.3:
        return label + " (obligatoire)"
    if choice < 0.4:
        return label.replace("Nombre de", "Nb de").replace("Téléphone", "Tél.")
    return label


def meaning_label(rng: random.Random, section: str, name: str) -> str:
    """A label phrased around one of the field's meaning words, in a wording no list holds."""
    weak = set(RULES["meaning"].get("weak", []))
    words = [
        w
        for w in RULES["meaning"][section].get(name, [])
        if " " not in w and w not in weak and w not in _NOT_ALONE
    ]
    if not words:
        return rng.choice(RULES[section][name])
    word = rng.choice(words)
    phrase = rng.choice(_PHRASES)
    if ("{w}s" in phrase or "{W}s" in phrase) and word.endswith(("s", "x")):
        phrase = phrase.replace("{w}s", "{w}").replace("{W}s", "{W}")
    return phrase.replace("{W}", word[:1].upper() + word[1:]).replace("{w}", word)


def invented_heading(rng: random.Random, section: str) -> str:
    heading = rng.choice(_NUMBERING) + rng.choice(_HEAD_WORDS[section])
    return heading.upper() if rng.random() < 0.4 else heading


# Labels asked as questions, answered on the same line in a typed e-mail ('Combien de postes ? 2').
_QUESTIONS = {
    "job.title": ["Quel métier ?", "Quel poste ?"],
    "job.positions": ["Combien de postes ?", "Combien de personnes ?"],
    "conditions.contract_duration": ["Pour combien de temps ?"],
    "conditions.workplace": ["Quel lieu de travail ?"],
}


def _label(rng: random.Random, mode: str, section: str, name: str) -> str:
    questions = _QUESTIONS.get(f"{section}.{name}")
    if mode == "meaning" and questions and rng.random() < 0.15:
        return rng.choice(questions)
    if mode == "meaning" and rng.random() < 0.7:
        return _label_style(rng, meaning_label(rng, section, name))
    return _label_style(rng, rng.choice(RULES[section][name]))


def _heading(rng: random.Random, mode: str, section: str) -> str:
    if mode == "meaning":
        return invented_heading(rng, section)
    return rng.choice(HEADINGS[section])


def _section_items(rng: random.Random, mode: str, section: str, values: dict, heading: str) -> list[Item]:
    """(heading, label, value lines) of one section's fields, shuffled, with random labels."""
    out: list[Item] = []
    names = [n for n in FORM_FIELDS[section] if n != "contract_duration"]
    rng.shuffle(names)
    for name in names:
        value = values[name]
        if name == "contract_type":
            duration = values["contract_duration"]
            words = rng.choice(CONTRACT_WORDS[value])
            if duration and rng.random() < 0.3:
                label = rng.choice(RULES["conditions"]["contract_type_duration"])
                out.append((heading, label, [f"{words} de {duration}"], "conditions.contract_type_duration"))
                continue
            out.append(
                (
                    heading,
                    _label(rng, mode, "conditions", "contract_type"),
                    [words],
                    "conditions.contract_type",
                )
            )
            if value != "CDI" or rng.random() < 0.5:
                label = _label(rng, mode, "conditions", "contract_duration")
                out.append((heading, label, [duration or ""], "conditions.contract_duration"))
            continue
        text = _spell(rng, name, value)
        lines = [text]
        if len(text) > 40 and rng.random() < 0.5:  # a value written on several lines
            words = text.split(" ")
            cut = rng.randrange(2, len(words) - 1) if len(words) > 3 else 1
            lines = [" ".join(words[:cut]), " ".join(words[cut:])]
            if rng.random() < 0.5:
                bullet = rng.choice(["- ", "• ", "* "])
                lines = [bullet + line for line in lines]
        out.append((heading, _label(rng, mode, section, name), lines, f"{section}.{name}"))
    return out


def generate(rng: random.Random, pool: list[dict], mode: str = "synonyms", jobs: int = 1) -> Document:
    """A document of `jobs` jobs for one company (shared conditions sometimes, when jobs > 1)."""
    company = _mixed(rng, pool, "company")
    shared = jobs > 1 and rng.random() < 0.3
    conditions = _mixed(rng, pool, "conditions")
    forms, job_items = [], []
    company_items = _section_items(rng, mode, "company", company, _heading(rng, mode, "company"))
    job_heading = rng.choice(_JOB_HEADS)
    for number in range(1, jobs + 1):
        job = _mixed(rng, pool, "job")
        own = conditions if shared else _mixed(rng, pool, "conditions")
        forms.append({"company": company, "job": job, "conditions": own})
        items: list[Item] = []
        if jobs > 1:
            items.append((job_heading.format(n=number, t=jobs), None, [], ""))
        heading = _heading(rng, mode, "job")
        if jobs > 1 and rng.random() < 0.5:
            heading = job_heading.format(n=number, t=jobs)  # the job's heading is its only heading
        items += _section_items(rng, mode, "job", job, heading)
        if not shared:
            items += _section_items(rng, mode, "conditions", own, _heading(rng, mode, "conditions"))
        job_items.append(items)
    shared_items = []
    if shared:
        shared_items = _section_items(rng, mode, "conditions", conditions, _heading(rng, mode, "conditions"))
    if rng.random() < 0.3 and jobs == 1:  # the job before the company, as some templates do
        return Document(job_items[0], [company_items], shared_items, forms)
    return Document(company_items, job_items, shared_items, forms)


# ------------------------------------------------------------------------------------ renderers


def _as_text(items: list[Item]) -> str:
    parts, heading = ["Bonjour,", "voici les informations demandées :", ""], None
    for section_heading, label, lines, _ in items:
        if section_heading != heading:
            parts += ["", section_heading, ""]
            heading = section_heading
        if label is None:
            continue
        first = lines[0] if lines and not lines[0].startswith(("- ", "• ", "* ")) else ""
        rest = lines[1:] if first else lines
        asked = label.endswith("?") and first  # 'Combien de postes ? 2': no colon after a question
        parts.append(f"{label} {first}" if asked else f"{label} : {first}".rstrip())
        parts.extend(rest)
    parts += ["", "Cordialement,", "Jean Martin", "Standard : 03 22 00 00 00"]
    return "\n".join(parts)


def _as_html(items: list[Item]) -> str:
    """An HTML-only e-mail body: a label|value table (section rows spanning it, answers on
    several lines as <br>, paragraphs or a list), sometimes cut in several tables by headings."""
    import html

    rng = random.Random(repr([i[1] for i in items]))
    para = rng.random() < 0.5

    def cell(text: str) -> str:
        return f'<p class="MsoNormal">{text}<o:p></o:p></p>' if para else text

    colon = " :" if rng.random() < 0.3 else ""
    table = '<table border="1">'
    out = [f'<html><body><p class="MsoNormal">Bonjour,</p><p>Voici notre fiche de liaison.</p>{table}']
    if rng.random() < 0.3:
        out.append("<tr><th>Rubrique</th><th>Réponse</th></tr>")
    heading = None
    for section_heading, label, lines, _ in items:
        if section_heading != heading:
            if heading is not None and rng.random() < 0.2:
                out.append(f"</table><p>{html.escape(section_heading)}</p>{table}")
            else:
                span = cell("<b>" + html.escape(section_heading) + "</b>")
                out.append(f'<tr><td colspan="2">{span}</td></tr>')
            heading = section_heading
        if label is None:
            continue
        if len(lines) > 1 and rng.random() < 0.5:
            value = "<ul>" + "".join(f"<li>{html.escape(x.lstrip('-•* '))}</li>" for x in lines) + "</ul>"
        elif para:
            value = "".join(cell(html.escape(x)) for x in lines)
        else:
            value = "<br>".join(html.escape(x) for x in lines)
        out.append(f"<tr><td>{cell('<b>' + html.escape(label) + colon + '</b>')}</td><td>{value}</td></tr>")
    out.append("</table><p>Cordialement,<br>Jean Martin<br>Standard : 03 22 00 00 00</p></body></html>")
    return "".join(out)


def _as_docx(items: list[Item], table: bool) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Formulaire de liaison – Clause sociale d'insertion")
    heading = None
    grid = document.add_table(rows=0, cols=2) if table else None
    for section_heading, label, lines, _ in items:
        if section_heading != heading:
            heading = section_heading
            if grid is not None:
                row = grid.add_row().cells
                row[0].merge(row[1]).text = section_heading
            else:
                document.add_paragraph(section_heading)
        if label is None:
            continue
        if grid is not None:
            row = grid.add_row().cells
            row[0].text = label
            row[1].text = "\n".join(lines)
        else:
            document.add_paragraph(f"{label} : {lines[0] if lines else ''}")
            for line in lines[1:]:
                document.add_paragraph(line)
    document.add_paragraph("Fait à Amiens, le 12/01/2027")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def _as_pdf(items: list[Item], table: bool, rules: bool, style: str = "colon") -> bytes:
    """A text PDF: 'Label : value' lines (values wrapping), labels alone above their answers
    (style 'above'), dotted leaders (style 'leaders'), or a label|value table."""
    pages = [PdfPage()]
    y = 800.0
    header = "Agence pour l'emploi – Service clauses sociales – Tél. 03 22 71 50 00"
    pages[0].texts += [(60, y, header, 8), (150, y - 25, "FORMULAIRE DE LIAISON", 14)]
    y -= 60
    heading = None

    def room(needed: float) -> None:
        nonlocal y
        if y - needed < 60:
            pages.append(PdfPage())
            y = 800.0

    for section_heading, label, lines, _ in items:
        if section_heading != heading:
            heading = section_heading
            room(30)
            pages[-1].texts.append((62, y, section_heading, 11))
            if table and rules:
                pages[-1].rules.append((58, y - 5, 470))
            y -= 18
        if label is None:
            continue
        if table:
            label_lines = _wrap(label, 22 if label.isupper() else 30)
            value_lines = [w for line in lines for w in _wrap(line, 55)]
            height = 12 * max(len(label_lines), len(value_lines), 1)
            room(height + 8)
            for index, text in enumerate(label_lines):
                pages[-1].texts.append((64, y - 12 * index, text, 9))
            for index, text in enumerate(value_lines):
                pages[-1].texts.append((232, y - 12 * index, text, 9))
            if rules:
                pages[-1].rules.append((58, y - height + 5, 470))
            y -= height + 4
        elif style == "above":
            wrapped = [label.rstrip(" :"), *(w for line in lines for w in _wrap(line, 90))]
            room(12 * len(wrapped) + 6)
            for text in wrapped:
                pages[-1].texts.append((62, y, text, 9.5))
                y -= 12
            y -= 3
        else:
            first = lines[0] if lines else ""
            leader = " " + "." * max(4, 40 - len(label)) + " " if style == "leaders" else " : "
            wrapped = _wrap(f"{label}{leader}{first}".rstrip(), 90)
            wrapped += [w for line in lines[1:] for w in _wrap(line, 90)]
            room(12 * len(wrapped) + 6)
            for text in wrapped:
                pages[-1].texts.append((62, y, text, 9.5))
                y -= 12
            y -= 3
    room(40)
    if style != "colon":
        closing = "Dans l'attente de vos candidatures, nous vous prions d'agréer nos salutations distinguées."
        pages[-1].texts += [(62, y - 10, closing, 9)]
        y -= 14
        footer = "Martin Bâtiment SAS – Standard 03 22 45 67 89 – www.martin-batiment.fr"
        for page in pages:  # the company's own footer, on every page
            page.texts.append((62, 52, footer, 8))
    pages[-1].texts += [(62, y - 10, "Fait à Amiens, le 12/01/2027", 9)]
    pages[-1].texts += [(62, 40, "Formulaire à retourner à : clauses@exemple.fr – Tél. 03 22 71 50 00", 8)]
    return build_pdf(pages)


def _table_rows(items: list[Item]) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    heading = None
    for section_heading, label, lines, _ in items:
        if section_heading != heading:
            heading = section_heading
            rows.append([section_heading, None])
        if label is not None:
            rows.append([label, "\n".join(lines)])
    return rows


def _columns_blocks(doc: Document) -> list:
    """The company table, then one table with a column per job (the first job's labels and order)."""
    blocks: list = ["Fiche de liaison – Clause sociale", Table(_table_rows(doc.company))]
    jobs = [{i[3]: i for i in items if i[1] is not None} for items in doc.jobs]
    rows: list[list[str | None]] = [["Rubrique", *(f"Poste {n}" for n in range(1, len(jobs) + 1))]]
    for field, (_, label, _, _) in jobs[0].items():
        rows.append([label, *(_answer(job, field) for job in jobs)])
    blocks.append(Table(rows, [150.0, *([320.0 / len(jobs)] * len(jobs))]))
    if doc.shared:
        blocks.append(Table(_table_rows(doc.shared)))
    return blocks


def _columns_html(doc: Document) -> str:
    """An HTML e-mail with one table: the company's label|value rows (answers spanning the job
    columns), then a header row naming each job, then a row per label with each job's answer."""
    import html

    jobs = [{i[3]: i for i in items if i[1] is not None} for items in doc.jobs]
    width = len(jobs)
    out = ['<html><body><p>Bonjour,</p><p>Nos besoins ci-dessous :</p><table border="1">']
    out.append(f'<tr><th colspan="{width + 1}">{html.escape(doc.company[0][0])}</th></tr>')
    for _, label, lines, _ in doc.company:
        if label is not None:
            value = "<br>".join(html.escape(x) for x in lines)
            out.append(f'<tr><td><b>{html.escape(label)}</b></td><td colspan="{width}">{value}</td></tr>')
    out.append("<tr><th></th>" + "".join(f"<th>Poste {n}</th>" for n in range(1, width + 1)) + "</tr>")
    for field, (_, label, _, _) in jobs[0].items():
        cells = (html.escape(_answer(job, field)).replace("\n", "<br>") for job in jobs)
        answers = "".join(f"<td>{cell}</td>" for cell in cells)
        out.append(f"<tr><td><b>{html.escape(label)}</b></td>{answers}</tr>")
    out.append("</table>")
    if doc.shared:
        out.append('<table border="1">')
        for _, label, lines, _ in doc.shared:
            if label is not None:
                value = "<br>".join(html.escape(x) for x in lines)
                out.append(f"<tr><td><b>{html.escape(label)}</b></td><td>{value}</td></tr>")
        out.append("</table>")
    out.append("<p>Cordialement,<br>Jean Martin</p></body></html>")
    return "".join(out)


def _answer(job: dict[str, Item], field: str) -> str:
    """A job's answer in the row of `field` (contract type and duration may be written together)."""
    if field in job:
        return "\n".join(job[field][2])
    combined = "conditions.contract_type_duration"
    if field == "conditions.contract_type" and combined in job:
        return " ".join(job[combined][2])
    if field == combined:
        return " ".join(
            " ".join(job[f][2])
            for f in ("conditions.contract_type", "conditions.contract_duration")
            if f in job
        )
    return ""


def parse_layout(layout: str, doc: Document) -> dict:
    """What the parser reads of `doc` rendered in `layout` (kind and forms)."""
    from mailbot.parse.document import load_document
    from mailbot.parse.forms import parse_forms, parse_forms_in_text

    items = doc.items
    if layout == "text":
        forms = parse_forms_in_text(_as_text(items))
    elif layout == "html":  # as mailbot.mime reads an HTML-only body
        from mailbot.mailtext import html_to_text
        from mailbot.textclean import clean_text

        forms = parse_forms_in_text(clean_text(html_to_text(_as_html(items))))
    elif layout == "html_columns":
        from mailbot.mailtext import html_to_text
        from mailbot.textclean import clean_text

        forms = parse_forms_in_text(clean_text(html_to_text(_columns_html(doc))))
    elif layout in ("pdf_above", "pdf_leaders"):
        data = _as_pdf(items, table=False, rules=False, style=layout.removeprefix("pdf_"))
        forms = parse_forms(load_document(data, "v.pdf")).forms
    elif layout == "pdf_columns":
        forms = parse_forms(load_document(pdf_tables(_columns_blocks(doc), style="grid"), "v.pdf")).forms
    elif layout == "docx_columns":
        forms = parse_forms(load_document(docx_tables(_columns_blocks(doc)), "v.docx")).forms
    elif layout == "pdf_table_boxes":
        data = pdf_tables(["FORMULAIRE DE LIAISON", Table(_table_rows(items))], style="boxes")
        forms = parse_forms(load_document(data, "v.pdf")).forms
    elif layout.startswith("pdf"):
        data = _as_pdf(items, table="table" in layout, rules="rules" in layout)
        forms = parse_forms(load_document(data, "v.pdf")).forms
    else:
        forms = parse_forms(load_document(_as_docx(items, table=layout == "docx_table"), "v.docx")).forms
    return {"kind": "liaison_form" if forms else "unknown", "forms": forms}


def score_layout(
    layout: str, mode: str, jobs: tuple[int, ...], documents: int
) -> tuple[int, int, int, int, list]:
    """(fields right, fields, forms all right, forms, failures) over `documents` generated ones."""
    from tests.helpers.compare import field_score

    rng = random.Random(f"variants-{mode}-{layout}-{jobs}")
    pool = truth_forms()
    right = total = forms_right = forms = 0
    failures = []
    for _ in range(documents):
        doc = generate(rng, pool, mode, rng.choice(jobs))
        got = parse_layout(layout, doc)
        r, t = field_score(got, doc.expected())
        right, total = right + r, total + t
        for index, form in enumerate(doc.forms):
            one = {"kind": "liaison_form", "forms": [form]}
            mine = {"kind": got["kind"], "forms": got["forms"][index : index + 1]}
            fr, ft = field_score(mine, one)
            forms_right += fr == ft
            forms += 1
        if len(got["forms"]) != len(doc.forms):
            failures.append(("forms", len(got["forms"]), len(doc.forms), doc.items))
        elif r < t:
            failures.append((r, t, doc.items))
    return right, total, forms_right, forms, failures


def main(argv: list[str] | None = None) -> None:
    """Print the variant figure per layout and over all."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=["synonyms", "meaning"], default="meaning")
    parser.add_argument("--documents", type=int, default=40, help="documents per layout")
    parser.add_argument("--jobs", default="1,2,3", help="jobs per document, drawn from this list")
    args = parser.parse_args(argv)
    jobs = tuple(int(j) for j in args.jobs.split(","))
    sums = [0, 0, 0, 0]
    for layout in LAYOUTS + HARD_LAYOUTS:
        if layout.endswith("columns") and max(jobs) < 2:
            continue
        layout_jobs = tuple(j for j in jobs if j > 1) if layout.endswith("columns") else jobs
        right, total, fr, ft, _ = score_layout(layout, args.mode, layout_jobs, args.documents)
        sums = [a + b for a, b in zip(sums, (right, total, fr, ft), strict=True)]
        print(
            f"{layout:18} fields {right:5}/{total:<5} {right / total:6.1%}   forms all right {fr:3}/{ft:<3}"
        )
    print(
        f"{'all':18} fields {sums[0]:5}/{sums[1]:<5} {sums[0] / sums[1]:6.1%}"
        f"   forms all right {sums[2]:3}/{sums[3]:<3}"
    )


if __name__ == "__main__":
    main()
