"""Compare a parse result with a sample's truth.json, following tests/fixtures/samples/README.md."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["IGNORED_TRUTH_KEYS", "compare_result", "field_score", "norm_text"]

#: Truth-only keys that describe the sample and are never compared.
IGNORED_TRUTH_KEYS = frozenset(
    {"family", "note", "attachment_family", "attachment_filename", "ocr", "expect_error_handled"}
)
_EXACT = frozenset({"siret", "phone", "recruitment_date", "email", "contract_type"})
_BULLET = re.compile(r"(^|\s)[-•–—*](?=\s)")


def norm_text(value: str) -> str:
    """NFKC, typographic apostrophes -> ', bullets removed, whitespace collapsed, casefolded."""
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[\u2018\u2019\u02bc\u00b4`]", "'", text)
    text = _BULLET.sub(" ", text)
    text = re.sub(r"^\s*[-•–—*]\s*", "", text)
    return " ".join(text.split()).casefold()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _compare_value(path: str, name: str, got: object, want: object, out: list[str]) -> None:
    if want is None or got is None:
        if want is not None or got is not None:
            out.append(f"{path}: got {got!r}, want {want!r}")
        return
    if _is_number(want) or _is_number(got):
        try:
            same = float(got) == float(want)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            same = False
        if not same:
            out.append(f"{path}: got {got!r}, want {want!r}")
        return
    if isinstance(want, str) and isinstance(got, str):
        same = got == want if name in _EXACT else norm_text(got) == norm_text(want)
        if not same:
            out.append(f"{path}: got {got!r}, want {want!r}")
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            out.append(f"{path}: got {got!r}, want a mapping")
            return
        _compare_dict(path, got, want, out)
        return
    if isinstance(want, list):
        _compare_list(path, name, got, want, out)
        return
    if got != want:
        out.append(f"{path}: got {got!r}, want {want!r}")


def _compare_list(path: str, name: str, got: object, want: list, out: list[str]) -> None:
    if not isinstance(got, list):
        out.append(f"{path}: got {got!r}, want a list")
        return
    if name == "missing":
        if set(got) != set(want):
            out.append(f"{path}: got {sorted(got)}, want {sorted(want)}")
        return
    if name == "problems":
        if bool(got) != bool(want):
            out.append(f"{path}: got {got!r}, want {'some' if want else 'none'}")
        return
    if len(got) != len(want):
        out.append(f"{path}: got {len(got)} items, want {len(want)}")
    for index, (g, w) in enumerate(zip(got, want, strict=False)):
        _compare_value(f"{path}[{index}]", name, g, w, out)


def _compare_dict(path: str, got: dict, want: dict, out: list[str], top: bool = False) -> None:
    for key, value in want.items():
        if top and key in IGNORED_TRUTH_KEYS:
            continue
        sub = f"{path}.{key}" if path else key
        if key not in got:
            out.append(f"{sub}: missing from result")
            continue
        _compare_value(sub, key, got[key], value, out)


def compare_result(got: dict, truth: dict) -> list[str]:
    """Mismatch descriptions between a result and its truth ([] when they agree)."""
    out: list[str] = []
    if got.get("kind") != truth.get("kind"):
        out.append(f"kind: got {got.get('kind')!r}, want {truth.get('kind')!r}")
        return out
    if truth.get("expect_error_handled"):
        return out
    _compare_dict("", got, truth, out, top=True)
    return out


def field_score(got: dict, truth: dict) -> tuple[int, int]:
    """(right, total) over the FORM fields of the truth's forms (for OCR and variant scores)."""
    right = total = 0
    got_forms = got.get("forms") or []
    for index, want in enumerate(truth.get("forms") or []):
        form = got_forms[index] if index < len(got_forms) else {}
        for section in ("company", "job", "conditions"):
            for name, value in (want.get(section) or {}).items():
                total += 1
                errors: list[str] = []
                _compare_value(name, name, (form.get(section) or {}).get(name), value, errors)
                right += not errors
    return right, total
