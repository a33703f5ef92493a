"""Hostile emails (what a broken mailer or an attacker sends) and five valid liaison forms.

`hostile_messages()` gives (name, raw RFC 5322 bytes): control characters and NUL in every
header and in attachment names, invalid UTF-8, raw 8-bit headers, a 1 MB header line, 1,000
parts, 3,000 nested multiparts, a DOCX zip bomb whose zip index under-states its sizes, and one
real liaison form with a latin-1 Subject (it must still be acknowledged). `valid_forms()` gives
five sample forms from five companies, each with a fresh Message-ID.
"""

from __future__ import annotations

import base64
import functools
import quopri
import re
import struct
import zlib
from email.utils import make_msgid
from pathlib import Path

__all__ = [
    "EIGHT_BIT_FORM",
    "EIGHT_BIT_FORM_SENDER",
    "VALID_FORM_SAMPLES",
    "docx_bomb",
    "hostile_messages",
    "valid_forms",
]

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "emails"
VALID_FORM_SAMPLES = [
    "e01_company_pdf_form.eml",
    "e02_outlook_rfc2231_filename.eml",
    "e03_rfc2047_filename.eml",
    "e05_docx_octet_stream.eml",
    "e06_form_in_body.eml",
]
EIGHT_BIT_FORM = "8bit_subject_form"
EIGHT_BIT_FORM_SENDER = "a.henin@menuiserie-henin.example"
_TO = b"To: clauses.amiens@exemple-emploi.fr\r\n"
_DATE = b"Date: Tue, 09 Mar 2027 10:15:00 +0100\r\n"
_MSGID_LINE = re.compile(rb"(?mi)^Message-ID:[^\r\n]*\r?\n")


def _fresh_id(domain: str) -> bytes:
    return make_msgid(domain=domain).encode("ascii")


def _with_fresh_id(raw: bytes, domain: str) -> bytes:
    line = b"Message-ID: " + _fresh_id(domain) + b"\r\n"
    if _MSGID_LINE.search(raw):
        return _MSGID_LINE.sub(lambda _m: line, raw, count=1)
    return line + raw


def valid_forms() -> list[tuple[str, bytes]]:
    """Five valid liaison-form emails from five companies, each with a fresh Message-ID."""
    out = []
    for name in VALID_FORM_SAMPLES:
        raw = (SAMPLES / name).read_bytes()
        out.append((name.removesuffix(".eml"), _with_fresh_id(raw, "forms.example")))
    return out


def _simple(headers: list[bytes], body: bytes, ctype: bytes = b'text/plain; charset="utf-8"',
            cte: bytes = b"8bit", domain: str = "hostile.example") -> bytes:
    """A single-part message; `headers` are full header lines (bytes, no CRLF)."""
    head = [_DATE, _TO]
    if not any(h.lower().startswith(b"message-id:") for h in headers):
        head.append(b"Message-ID: " + _fresh_id(domain) + b"\r\n")
    head += [h + b"\r\n" for h in headers]
    head += [b"MIME-Version: 1.0\r\n", b"Content-Type: " + ctype + b"\r\n",
             b"Content-Transfer-Encoding: " + cte + b"\r\n"]
    return b"".join(head) + b"\r\n" + body


_QUESTION = "Bonjour,\r\n\r\nPouvez-vous me rappeler au sujet de la réunion ?\r\n\r\nMerci.\r\n"


def _nul_subject() -> bytes:
    return _simple([b"From: Paul Roussel <p.roussel@hostile-a.example>",
                    b"Subject: =?utf-8?q?Question_r=C3=A9union=00_du_mardi=00?="],
                   _QUESTION.encode())


def _controls_from_name() -> bytes:
    return _simple([b"From: =?utf-8?q?Jean=01=1B=5B31m_Dupont=00=7F?= <j.dupont@hostile-b.example>",
                    b"Subject: Question sur la clause"], _QUESTION.encode())


def _controls_raw_headers() -> bytes:
    """Raw C0 bytes (NUL excepted: Dovecot stores a raw NUL as 0x80) in From, Subject and
    Message-ID."""
    return _simple([b"From: Luc\x01\x02 Martin\x1b\x7f <l.martin@hostile-c.example>",
                    b"Subject: Relance\x07\x08 dossier\x1b]0;pwned\x07 mars",
                    b"Message-ID: <ctl\x01\x1fid.42@hostile-c.example>"], _QUESTION.encode())


def _controls_attachment_name() -> bytes:
    """A partner's referral whose CV file name holds NUL and controls (RFC 2231 and RFC 2047)."""
    cv = (SAMPLES.parent / "cvs" / "cv_pdf_classic.pdf").read_bytes()
    boundary = b"=_ctl_attach"
    b64 = base64.encodebytes(cv).replace(b"\n", b"\r\n")
    parts = [
        b"--" + boundary + b"\r\n"
        b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + b"Bonjour,\r\n\r\nJe vous propose une candidate, CV joint.\r\n\r\nMehdi\r\n",
        b"--" + boundary + b"\r\n"
        b'Content-Type: application/pdf; name="=?utf-8?q?CV=00_Candidate=07=1B.pdf?="\r\n'
        b"Content-Disposition: attachment; filename*=utf-8''CV%00%01Candidate%1B%5B0m.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + b64,
        b"--" + boundary + b"--\r\n",
    ]
    return _simple([b"From: =?utf-8?q?Mehdi_S=C3=A9n=C3=A9chal?= <m.senechal@exemple-ai-somme.fr>",
                    b"Subject: Candidature=?utf-8?q?=00?="],
                   b"\r\n".join(parts), ctype=b'multipart/mixed; boundary="' + boundary + b'"',
                   cte=b"7bit", domain="exemple-ai-somme.fr")


def _invalid_utf8() -> bytes:
    body = (b"Bonjour,\r\n\r\nLe devis est joint " + b"\xc3\x28\xff\xfe\xed\xa0\x80"
            + " — merci.\r\n".encode())
    return _simple([b"From: Ren\xc3e \xff\xfe Lefort <r.lefort@hostile-d.example>",
                    b"Subject: Devis \xc3\x28 \xe9t\xe9 \xf0\x9f \xff"], body)


def _latin1_headers() -> bytes:
    return _simple([b"From: Andr\xe9 P\xe9ron <a.peron@hostile-e.example>",
                    b"Subject: R\xe9ponse \xe0 votre courrier du 3 f\xe9vrier"],
                   "Bonjour,\r\n\r\nVoir ma réponse ci-dessus.\r\n".encode("latin-1"),
                   ctype=b'text/plain; charset="iso-8859-1"')


_EIGHT_BIT_BODY = """Bonjour,

Voici notre fiche de liaison pour la clause sociale.

INFORMATIONS SUR L'ENTREPRISE

Raison sociale : MENUISERIE H\u00c9NIN\x00 ET FILS\x07
Siret : 732 829 320 000 74
Adresse de l'entreprise : 12 rue des Tanneurs, 80000 Amiens
Personne \u00e0 joindre : Andr\u00e9 H\u00e9nin\x1b
T\u00e9l : 03 22 91 45 60
Courriel : a.henin@menuiserie-henin.example

LE POSTE ET LE PROFIL RECHERCH\u00c9

Intitul\u00e9 du poste : MENUISIER POSEUR\x0b
Nb de postes : 1
Date du recrutement : 15/06/2027
Activit\u00e9s principales du poste : Pose de menuiseries int\u00e9rieures et ext\u00e9rieures
Comp\u00e9tences : Lecture de plans
Exp\u00e9rience professionnelle souhait\u00e9e : D\u00e9butant accept\u00e9
Dipl\u00f4me / formation : CAP Menuisier
Exigences particuli\u00e8res : Permis B

CONDITIONS D'EMPLOI

Type de contrat : CDD
Dur\u00e9e du contrat : 6 mois
Dur\u00e9e hebdomadaire : 35 h
R\u00e9mun\u00e9ration brute : 1 900 \u20ac
Lieu de travail : Amiens

Cordialement,
Andr\u00e9 H\u00e9nin
"""


def _eight_bit_form() -> bytes:
    """A real liaison form (in the body, with NUL and controls in its values, quoted-printable:
    Dovecot turns a raw NUL into 0x80) whose Subject and From display name are raw latin-1
    bytes: it must still be acknowledged."""
    body = quopri.encodestring(_EIGHT_BIT_BODY.encode("utf-8")).replace(b"\n", b"\r\n")
    return _simple([b"From: Andr\xe9 H\xe9nin <" + EIGHT_BIT_FORM_SENDER.encode() + b">",
                    b"Subject: Fiche de liaison \x96 menuisier poseur (march\xe9 \xe9cole)"],
                   body, cte=b"quoted-printable", domain="menuiserie-henin.example")


def _header_1mb() -> bytes:
    filler = b"x" * (1024 * 1024)
    return _simple([b"From: Bot Padding <pad@hostile-f.example>",
                    b"Subject: Information " + filler,
                    b"X-Padding: " + filler], _QUESTION.encode())


def _many_parts(count: int = 1000) -> bytes:
    boundary = b"=_many"
    parts = [b"--" + boundary + b"\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i
             for i in range(count)]
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return _simple([b"From: Many Parts <parts@hostile-g.example>",
                    b"Subject: Fiche de liaison (parties)"], body,
                   ctype=b'multipart/mixed; boundary="' + boundary + b'"', cte=b"7bit")


def _deep_nesting(depth: int = 3000) -> bytes:
    opens = [b'Content-Type: multipart/mixed; boundary="d%d"\r\n\r\n--d%d\r\n' % (i, i)
             for i in range(depth)]
    leaf = b"Content-Type: text/plain\r\n\r\nFiche de liaison au fond\r\n"
    closes = [b"\r\n--d%d--\r\n" % i for i in reversed(range(depth))]
    body = b"--d0\r\n" + b"".join(opens[1:]) + leaf + b"".join(closes[:-1]) + b"\r\n--d0--\r\n"
    return _simple([b"From: Deep Nest <deep@hostile-h.example>",
                    b"Subject: Fiche de liaison (imbriquee)"], body,
                   ctype=b'multipart/mixed; boundary="d0"', cte=b"7bit")


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, stored bytes, method, declared uncompressed size, crc); the declared
    size is written as given in BOTH the local header and the central directory."""
    out, central, offset = [], [], 0
    for name, data, method, declared, crc in members:
        encoded = name.encode()
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                            len(data), declared, len(encoded), 0) + encoded
        out += [local, data]
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21,
                                   crc, len(data), declared, len(encoded), 0, 0, 0, 0, 0,
                                   offset) + encoded)
        offset += len(local) + len(data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                      len(directory), offset, 0)
    return b"".join(out) + directory + end


def _deflate(chunks, level: int = 9) -> tuple[bytes, int]:
    comp = zlib.compressobj(level, zlib.DEFLATED, -15)
    out, crc = [], 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        out.append(comp.compress(chunk))
    out.append(comp.flush())
    return b"".join(out), crc


@functools.lru_cache(maxsize=2)
def docx_bomb(inflated_mb: int = 1024) -> bytes:
    """A DOCX whose word/document.xml inflates to `inflated_mb` MiB while the zip index (local
    headers and central directory alike) says 4 KB."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>Fiche de liaison</w:t></w:r></w:p>")
    spaces = b" " * (1 << 20)
    tail = b"</w:body></w:document>"
    bomb, crc = _deflate([head, *([spaces] * inflated_mb), tail])
    types = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
             b'.org/package/2006/content-types"><Default Extension="xml" ContentType='
             b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
             b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            b'Target="word/document.xml"/></Relationships>')
    members = [
        ("[Content_Types].xml", types, 0, len(types), zlib.crc32(types)),
        ("_rels/.rels", rels, 0, len(rels), zlib.crc32(rels)),
        ("word/document.xml", bomb, 8, 4096, crc),
    ]
    return _zip(members)


def _docx_bomb_mail() -> bytes:
    data = base64.encodebytes(docx_bomb()).replace(b"\n", b"\r\n")
    boundary = b"=_bomb"
    body = (b"--" + boundary + b"\r\n"
            b'Content-Type: text/plain; charset="utf-8"\r\n\r\n'
            + b"Bonjour,\r\n\r\nVeuillez trouver notre fiche de liaison ci-jointe.\r\n"
            + b"--" + boundary + b"\r\n"
            b"Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml."
            b'document; name="fiche_liaison.docx"\r\n'
            b'Content-Disposition: attachment; filename="fiche_liaison.docx"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n" + data
            + b"--" + boundary + b"--\r\n")
    return _simple([b"From: Societe Bombe <contact@bombe-btp.example>",
                    b"Subject: Fiche de liaison clause sociale"], body,
                   ctype=b'multipart/mixed; boundary="' + boundary + b'"', cte=b"7bit")


def hostile_messages() -> list[tuple[str, bytes]]:
    """(name, raw bytes) of every hostile message; see the module docstring."""
    return [
        ("nul_subject", _nul_subject()),
        ("controls_from_name", _controls_from_name()),
        ("controls_raw_headers", _controls_raw_headers()),
        ("controls_attachment_name", _controls_attachment_name()),
        ("invalid_utf8", _invalid_utf8()),
        ("latin1_headers", _latin1_headers()),
        (EIGHT_BIT_FORM, _eight_bit_form()),
        ("header_1mb", _header_1mb()),
        ("parts_1000", _many_parts()),
        ("nesting_3000", _deep_nesting()),
        ("docx_bomb", _docx_bomb_mail()),
    ]
