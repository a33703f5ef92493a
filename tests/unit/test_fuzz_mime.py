"""Hypothesis: random bytes and mangled sample e-mails never make parse_email raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.mime import read_message
from mailbot.parse import parse_email

KINDS = {"liaison_form", "partner_referral", "auto_reply", "bounce", "unknown"}
EMAILS = Path(__file__).parent.parent / "fixtures" / "samples" / "emails"
# small samples keep each example fast (no big PDF parsing on every run)
SAMPLES = [p.read_bytes() for p in sorted(EMAILS.glob("*.eml")) if p.stat().st_size < 20000]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _check(raw: bytes) -> None:
    got = parse_email(raw)
    assert isinstance(got, dict)
    assert got["kind"] in KINDS
    assert isinstance(got.get("problems", []), list)
    assert not any("internal error" in p for p in got.get("problems", [])), got["problems"]


@FUZZ
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    _check(raw)


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=30),
)
def test_byte_flips(sample, flips):
    data = bytearray(sample)
    for pos, value in flips:
        data[pos % len(data)] = value
    _check(bytes(data))


@FUZZ
@given(st.sampled_from(SAMPLES), st.floats(0.0, 1.0))
def test_truncation(sample, fraction):
    _check(sample[: int(len(sample) * fraction)])


_HEADER_NAMES = [
    b"Content-Type",
    b"Content-Disposition",
    b"Content-Transfer-Encoding",
    b"From",
    b"Subject",
    b"Message-ID",
    b"References",
    b"Auto-Submitted",
]


@FUZZ
@given(
    st.sampled_from(SAMPLES),
    st.sampled_from(_HEADER_NAMES),
    st.binary(max_size=200)
    | st.sampled_from(
        [
            b"multipart/mixed; boundary=",
            b"multipart/mixed",
            b"message/rfc822",
            b"attachment; filename*=utf-8''%ZZ%",
            b"=?utf-8?q?=E2=80?=",
            b"=?x?b?####?=",
            b"base64",
            b"quoted-printable",
            b"<<<>>>",
            b"text/html; charset=nope",
            b"application/ms-tnef; name=winmail.dat",
        ]
    ),
)
def test_header_mangling(sample, name, value):
    lines = sample.split(b"\n")
    out, done = [], False
    for line in lines:
        if not done and line.lower().startswith(name.lower() + b":"):
            out.append(name + b": " + value.replace(b"\n", b" ") + b"\r")
            done = True
        else:
            out.append(line)
    if not done:
        out.insert(0, name + b": " + value.replace(b"\n", b" ") + b"\r")
    _check(b"\n".join(out))


def test_deep_nesting_and_many_parts_are_bounded():
    nested = b"From: a@b.fr\r\n"
    body = b"Content-Type: text/plain\r\n\r\nfond\r\n"
    for i in range(300):
        body = (
            f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'.encode()
            + body
            + f"\r\n--b{i}--\r\n".encode()
        )
    msg = read_message(nested + body)
    assert msg.problems  # capped, reported
    _check(nested + body)
    forwards = b"Content-Type: text/plain\r\n\r\nfond\r\n"
    for _ in range(50):
        forwards = b"From: a@b.fr\r\nContent-Type: message/rfc822\r\n\r\n" + forwards
    _check(forwards)
