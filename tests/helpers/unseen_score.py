"""Score the parser on the held-out e-mails and CVs: kind accuracy and field accuracy.

.venv/bin/python -m tests.helpers.unseen_score      # prints the figures and every mismatch
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.helpers.compare import IGNORED_TRUTH_KEYS, _compare_value

__all__ = ["Score", "leaf_fields", "score_cvs", "score_emails"]


@dataclass
class Score:
    cases: int = 0
    kinds_right: int = 0
    fields: int = 0
    fields_right: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def kind_rate(self) -> float:
        return self.kinds_right / self.cases if self.cases else 1.0

    @property
    def field_rate(self) -> float:
        return self.fields_right / self.fields if self.fields else 1.0

    def add(self, name: str, got: dict, truth: dict) -> None:
        self.cases += 1
        if got.get("kind") == truth.get("kind"):
            self.kinds_right += 1
        else:
            self.mismatches.append(f"{name}: kind {got.get('kind')!r} != {truth.get('kind')!r}")
        for path, want in leaf_fields(truth):
            self.fields += 1
            value = _lookup(got, path)
            errors: list[str] = []
            _compare_value(path, path.rsplit(".", 1)[-1], value, want, errors)
            if errors or value is _ABSENT:
                self.mismatches.append(f"{name}: {path}: got {value!r}, want {want!r}")
            else:
                self.fields_right += 1


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def leaf_fields(truth: dict, prefix: str = "") -> list[tuple[str, object]]:
    """(dotted path, expected value) of every compared leaf of a truth (lists by index)."""
    out: list[tuple[str, object]] = []
    for key, value in truth.items():
        if not prefix and (key in IGNORED_TRUTH_KEYS or key == "kind"):
            continue
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out += leaf_fields(value, path)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                out += leaf_fields(item, f"{path}[{index}]")
        else:
            out.append((path, value))
    return out


def _lookup(got: object, path: str) -> object:
    node = got
    for part in path.split("."):
        name, _, index = part.partition("[")
        if not isinstance(node, dict) or name not in node:
            return _ABSENT
        node = node[name]
        if index:
            i = int(index.rstrip("]"))
            if not isinstance(node, list) or i >= len(node):
                return _ABSENT
            node = node[i]
    return node


def score_emails() -> Score:
    from mailbot.parse import parse_email
    from tests.helpers.unseen_emails import OWN, email_cases, find_offer

    score = Score()
    for case in email_cases():
        got = parse_email(case.raw, find_offer_by_message_id=find_offer, own_addresses=OWN)
        score.add(case.name, got, case.truth)
    return score


def score_cvs() -> Score:
    from mailbot.errors import MailbotError
    from mailbot.parse import parse_document
    from tests.helpers.unseen_cvs import cv_cases

    score = Score()
    for case in cv_cases():
        try:
            got = parse_document(case.data, case.filename)
        except MailbotError as exc:
            got = {"kind": f"error: {exc}"}
        score.add(case.name, got, {"kind": "cv", "candidate": case.candidate})
    return score


def main() -> None:
    for label, score in (("e-mails", score_emails()), ("CVs", score_cvs())):
        print(
            f"{label}: {score.cases} cases, kinds {score.kinds_right}/{score.cases} "
            f"({score.kind_rate:.0%}), fields {score.fields_right}/{score.fields} "
            f"({score.field_rate:.1%})"
        )
        for line in score.mismatches:
            print("   ", line)


if __name__ == "__main__":
    main()
