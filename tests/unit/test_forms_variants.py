"""Variant generator: forms rebuilt from the samples' answers with other label synonyms from
rules/labels.toml, reordered sections and fields, other value spellings, and six layouts (e-mail
text, DOCX paragraphs and table, text PDF lines, PDF tables with and without rules).
At least 98 % of the fields must parse right."""

from __future__ import annotations

import io
import json
import random
import tomllib
from pathlib import Path

import pytest

from mailbot.parse.document import load_document
from mailbot.parse.forms import parse_forms, parse_forms_in_text
from mailbot.parse.types import FORM_FIELDS
from tests.helpers.compare import field_score
from tests.helpers.pdf_builder import PdfPage, build_pdf

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
RULES = tomllib.loads((ROOT / "rules" / "labels.toml").read_text(encoding="utf-8"))
HEADINGS = {
    "company": ["Informations sur l'entreprise", "L'ENTREPRISE", "Identification de l'employeur"],
    "job": ["LE POSTE ET LE PROFIL RECHERCHÉ", "Description du poste et du profil recherché"],
    "conditions": ["CONDITIONS D'EMPLOI", "Conditions de travail"],
}
CONTRACT_WORDS = {
    "CDI": ["CDI", "Contrat à durée indéterminée"],
    "CDD": ["CDD", "Contrat à durée déterminée"],
    "CDDI": ["CDDI", "Contrat à durée déterminée d'insertion"],
    "INTERIM": ["Intérim", "Mission d'intérim", "Travail temporaire"],
    "CONTRAT_PRO": ["Contrat de professionnalisation", "Contrat pro"],
    "APPRENTISSAGE": ["Contrat d'apprentissage", "Apprentissage"],
}
MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"


def _truth_forms() -> list[dict]:
    forms = []
    for path in sorted((SAMPLES / "forms").glob("*.truth.json")) + sorted(
        (SAMPLES / "emails").glob("e0*.truth.json")
    ):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if truth.get("kind") == "liaison_form" and not truth.get("ocr"):
            forms.extend(truth["forms"])
    return forms


def _mixed_truth(rng: random.Random, pool: list[dict]) -> dict:
    """A FORM truth whose every field comes from some sample (values changed across forms)."""
    form = {section: {} for section in FORM_FIELDS}
    for section, names in FORM_FIELDS.items():
        for name in names:
            if name == "contract_duration":
                continue
            form[section][name] = rng.choice(pool)[section][name]
    source = rng.choice([f for f in pool if f["conditions"]["contract_type"]])
    form["conditions"]["contract_type"] = source["conditions"]["contract_type"]
    form["conditions"]["contract_duration"] = source["conditions"]["contract_duration"]
    return form


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
        return rng.choice(
            [
                f"{day}/{month}/{year}",
                f"{int(day)} {MONTHS.split()[int(month) - 1]} {year}",
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
        return rng.choice([value, value.upper() if rng.random() < 0.2 else value])
    return value


def _lines(rng: random.Random, form: dict) -> list[tuple[str, str, list[str]]]:
    """(section heading, label, value lines) in a shuffled order with random synonyms."""
    out = []
    sections = list(FORM_FIELDS)
    rng.shuffle(sections)
    for section in sections:
        names = [n for n in FORM_FIELDS[section] if n != "contract_duration"]
        rng.shuffle(names)
        heading = rng.choice(HEADINGS[section])
        for name in names:
            value = form[section][name]
            if name == "contract_type":
                code = value
                duration = form["conditions"]["contract_duration"]
                words = rng.choice(CONTRACT_WORDS[code])
                if duration and rng.random() < 0.3:
                    label = rng.choice(RULES["conditions"]["contract_type_duration"])
                    out.append((heading, label, [f"{words} de {duration}"]))
                    continue
                out.append((heading, rng.choice(RULES["conditions"]["contract_type"]), [words]))
                if code != "CDI" or rng.random() < 0.5:
                    label = rng.choice(RULES["conditions"]["contract_duration"])
                    out.append((heading, label, [duration or ""]))
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
            out.append((heading, _label_style(rng, rng.choice(RULES[section][name])), lines))
    return out


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


def _expected(form: dict) -> dict:
    return {"kind": "liaison_form", "forms": [form]}


def _as_text(items) -> str:
    parts, heading = ["Bonjour,", "voici les informations demandées :", ""], None
    for section_heading, label, lines in items:
        if section_heading != heading:
            parts += ["", section_heading, ""]
            heading = section_heading
        first = lines[0] if lines and not lines[0].startswith(("- ", "• ", "* ")) else ""
        rest = lines[1:] if first else lines
        parts.append(f"{label} : {first}".rstrip())
        parts.extend(rest)
    parts += ["", "Cordialement,", "Jean Martin", "Standard : 03 22 00 00 00"]
    return "\n".join(parts)


def _as_docx(items, table: bool) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Formulaire de liaison – Clause sociale d'insertion")
    heading = None
    grid = document.add_table(rows=0, cols=2) if table else None
    for section_heading, label, lines in items:
        if section_heading != heading:
            heading = section_heading
            if grid is not None:
                row = grid.add_row().cells
                row[0].merge(row[1]).text = section_heading
            else:
                document.add_paragraph(section_heading)
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


def _as_pdf(items, table: bool, rules: bool) -> bytes:
    """A text PDF: 'Label : value' lines (values wrapping), or a label|value table."""
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

    for section_heading, label, lines in items:
        page = pages[-1]
        if section_heading != heading:
            heading = section_heading
            room(30)
            page = pages[-1]
            page.texts.append((62, y, section_heading, 11))
            if table and rules:
                page.rules.append((58, y - 5, 470))
            y -= 18
        if table:
            label_lines = _wrap(label, 22 if label.isupper() else 30)
            value_lines = [w for line in lines for w in _wrap(line, 55)] or []
            height = 12 * max(len(label_lines), len(value_lines), 1)
            room(height + 8)
            page = pages[-1]
            for index, text in enumerate(label_lines):
                page.texts.append((64, y - 12 * index, text, 9))
            for index, text in enumerate(value_lines):
                page.texts.append((232, y - 12 * index, text, 9))
            if rules:
                page.rules.append((58, y - height + 5, 470))
            y -= height + 4
        else:
            first = lines[0] if lines else ""
            wrapped = _wrap(f"{label} : {first}".rstrip(), 90)
            wrapped += [w for line in lines[1:] for w in _wrap(line, 90)]
            room(12 * len(wrapped) + 6)
            page = pages[-1]
            for text in wrapped:
                page.texts.append((62, y, text, 9.5))
                y -= 12
            y -= 3
    room(40)
    pages[-1].texts += [(62, y - 10, "Fait à Amiens, le 12/01/2027", 9)]
    pages[-1].texts += [(62, 40, "Formulaire à retourner à : clauses@exemple.fr – Tél. 03 22 71 50 00", 8)]
    return build_pdf(pages)


def _parse(layout: str, items) -> dict:
    if layout == "text":
        forms = parse_forms_in_text(_as_text(items))
    elif layout.startswith("pdf"):
        data = _as_pdf(items, table="table" in layout, rules="rules" in layout)
        forms = parse_forms(load_document(data, "variant.pdf")).forms
    else:
        data = _as_docx(items, table=layout == "docx_table")
        forms = parse_forms(load_document(data, "variant.docx")).forms
    return {"kind": "liaison_form" if forms else "unknown", "forms": forms}


@pytest.mark.parametrize(
    "layout",
    ["text", "docx_paragraphs", "docx_table", "pdf_text", "pdf_table_rules", "pdf_table_plain"],
)
def test_variants_parse_at_least_98_percent(layout: str) -> None:
    rng = random.Random(f"variants-{layout}")
    pool = _truth_forms()
    right = total = 0
    failures = []
    for _ in range(40):
        form = _mixed_truth(rng, pool)
        items = _lines(rng, form)
        got = _parse(layout, items)
        r, t = field_score(got, _expected(form))
        right, total = right + r, total + t
        if r < t:
            failures.append((r, t, items))
    score = right / total
    print(f"{layout}: {right}/{total} fields = {score:.1%}")
    assert score >= 0.98, failures[:2]
