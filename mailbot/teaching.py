"""The référent teaches the parser: the labels received forms printed that matched no field
(`mailbot labels unknown`), and a wording added to the référent's copy of `labels.toml`
(`mailbot labels add`), comments and layout kept."""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot.domain.models import LabelSighting, Offer
from mailbot.errors import MailbotError
from mailbot.parse.labels import COMBINED_CONTRACT, LabelRules, load_rules
from mailbot.parse.types import dotted_fields
from mailbot.resources import rules_dir

__all__ = ["FIELDS", "TeachingError", "add_label", "record_sightings", "unknown_labels"]

#: The dotted names a wording may be taught for.
FIELDS: tuple[str, ...] = (*dotted_fields(), COMBINED_CONTRACT)
_MAX_WORDING = 200


class TeachingError(MailbotError):
    """A wording that cannot be added (bad field, known elsewhere, no rules_dir…)."""


def record_sightings(session: Session, wordings: Iterable[object], inbound_id: int | None,
                     offer_id: int | None) -> int:
    """One LabelSighting per unrecognised label of a received form; how many were added."""
    count = 0
    for wording in wordings:
        text = " ".join(str(wording).split())[:_MAX_WORDING]
        if text:
            session.add(LabelSighting(wording=text, inbound_id=inbound_id, offer_id=offer_id))
            count += 1
    return count


def unknown_labels(engine: Engine, rules: LabelRules | None = None) -> list[dict]:
    """The wordings seen on forms that the current rules still do not know, grouped by their
    key words, most frequent first: wording, count, offers, messages, last_seen."""
    rules = rules or load_rules()
    with Session(engine) as session:
        rows = session.exec(select(LabelSighting, Offer.ref)
                            .outerjoin(Offer, Offer.id == LabelSighting.offer_id)
                            .order_by(LabelSighting.id)).all()
    groups: dict[tuple, dict] = {}
    for sighting, ref in rows:
        if rules.match(sighting.wording) is not None:
            continue  # known now (taught since, or listed as a heading / a line to ignore)
        key = rules.key(sighting.wording) or (sighting.wording.casefold(),)
        group = groups.setdefault(key, {"wording": sighting.wording, "count": 0, "offers": [],
                                        "messages": [], "last_seen": None, "_forms": {}})
        group["count"] += 1
        group["_forms"][sighting.wording] = group["_forms"].get(sighting.wording, 0) + 1
        if ref and ref not in group["offers"]:
            group["offers"].append(ref)
        if sighting.inbound_id is not None and sighting.inbound_id not in group["messages"]:
            group["messages"].append(sighting.inbound_id)
        seen = sighting.seen_at.isoformat(timespec="seconds")
        group["last_seen"] = max(group["last_seen"] or seen, seen)
    out = []
    for group in groups.values():
        forms = group.pop("_forms")
        group["wording"] = max(forms, key=lambda w: forms[w])  # as most often printed
        out.append(group)
    return sorted(out, key=lambda g: (-g["count"], g["wording"].casefold()))


def add_label(rules_folder: str | Path | None, wording: str, field: str) -> tuple[Path, bool]:
    """Append `wording` to `field`'s list in `rules_folder`/labels.toml (copied from the shipped
    file first when absent). Returns (the file, whether it was written: False when the wording
    is known for that field already). TeachingError when it cannot be added."""
    if not rules_folder:
        raise TeachingError("labels add writes to your copy of the rules: set [paths] rules_dir "
                            "in the config (see README 'Label rules')")
    wording = " ".join(wording.split())
    if field not in FIELDS:
        raise TeachingError(f"unknown field {field!r} (one of: {', '.join(FIELDS)})")
    folder = Path(rules_folder)
    path = folder / "labels.toml"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rules_dir() / "labels.toml", path)
    text = path.read_text(encoding="utf-8")
    rules = LabelRules(tomllib.loads(text))
    if not rules.key(wording):
        raise TeachingError(f"{wording!r} holds no word a label could be read by")
    known = rules.match(wording, prefix=False)
    if known is not None and known.key == field:
        return path, False
    if known is not None:
        where = known.key if known.kind == "field" else (
            "[ignore]" if known.kind == "ignore" else "[headings]")
        raise TeachingError(f"{wording!r} is known already as {where}: a wording belongs to one "
                            "field only (edit labels.toml by hand to move it)")
    edited = _with_wording(text, field, wording)
    taught = LabelRules(tomllib.loads(edited)).match(wording, prefix=False)
    if taught is None or taught.key != field:  # never write a file that would not do it
        raise TeachingError(f"{wording!r} would not be read as {field}")
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(edited, encoding="utf-8")
    os.replace(temporary, path)
    return path, True


def _with_wording(text: str, field: str, wording: str) -> str:
    """`text` with `"wording",` added at the end of `field`'s list (its own line when the
    list closes on a line of its own); comments and every other line as they were."""
    section, name = field.split(".", 1)
    quoted = json.dumps(wording, ensure_ascii=False)  # a valid TOML basic string
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
    if start is None:
        return text.rstrip("\n") + f"\n\n[{section}]\n{name} = [{quoted}]\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
               len(lines))
    opening = re.compile(rf"^\s*{re.escape(name)}\s*=\s*\[")
    first = next((i for i in range(start + 1, end) if opening.match(lines[i])), None)
    if first is None:
        lines.insert(start + 1, f"{name} = [{quoted}]\n")
        return "".join(lines)
    row, column = _closing_bracket(lines, first, lines[first].index("[") + 1)
    before = lines[row][:column]
    if not before.strip():  # "]" alone on its line: a new line above it
        indent = "  " if row > first else ""
        lines.insert(row, f"{indent}{quoted},\n")
    else:
        glue = " " if before.rstrip().endswith((",", "[")) else ", "
        lines[row] = before.rstrip() + glue + quoted + lines[row][column:]
    return "".join(lines)


def _closing_bracket(lines: list[str], row: int, column: int) -> tuple[int, int]:
    """(line, column) of the `]` closing the array opened before (row, column)."""
    in_string = False
    while row < len(lines):
        line = lines[row]
        index = column
        while index < len(line):
            char = line[index]
            if in_string:
                if char == "\\":
                    index += 1
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "#":
                break
            elif char == "]":
                return row, index
            index += 1
        row, column = row + 1, 0
    raise TeachingError("labels.toml: a list is not closed")
