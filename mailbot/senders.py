"""Who sent a message, and whether mailbot believes it.

- The sender is the `From` addr-spec alone: never the display name, never `Reply-To`. A `From`
  with several addresses, a group, an unparsable address, or a display name holding another
  address is a *problem*: the message is flagged, nothing is done for it, nobody is answered.
- `Reply-To` is used for the answer only within the `From` address's own domain; a `Reply-To`
  naming a partner, the référent or our domain under a foreign `From` is an impersonation attempt.
- Only `Authentication-Results` headers (RFC 8601) whose authserv-id is `[security] authserv_id`
  count, and of those only the topmost (the one our own receiving server added). With
  `[security] require_authentication`, mail claiming to be from a partner, the référent, the
  facilitateur or our own domain counts as theirs only with `dmarc=pass` aligned with the `From`
  domain (or an aligned `spf=pass` for a partner with `authenticated_by = "spf"`). An explicit
  `dmarc=fail` from our server is never believed, whatever the setting.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import getaddresses

import authres

from mailbot.config import Config
from mailbot.domain.models import Partner
from mailbot.domain.partners import match_partner
from mailbot.mime import decode_words

__all__ = ["ROLES", "SenderCheck", "check_sender", "own_domains", "read_headers"]

ROLES = ("referent", "facilitateur", "own_domain", "partner", "other")
_KNOWN_ROLES = {"referent", "facilitateur", "own_domain", "partner"}

_ADDR_SPEC = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)+$"
)
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+\.[^\s<>()\[\]\"',;:]+")


@dataclass(frozen=True)
class SenderCheck:
    """What mailbot believes about who sent a message."""

    address: str | None  # the From addr-spec, lowercase; None when unusable
    name: str = ""  # the display name, decoded (shown to the référent, never trusted)
    role: str = "other"  # referent | facilitateur | own_domain | partner | other
    partner_id: int | None = None
    problem: str | None = None  # From unusable, or someone impersonated: flagged, nothing done
    trusted: bool = True  # its role counts (authenticated when required; no explicit fail)
    distrust_reason: str | None = None
    auth: str | None = None  # what our server said, e.g. "dmarc=pass spf=pass"
    reply_to: str | None = None  # usable for answers: Reply-To within the From domain

    @property
    def answer_address(self) -> str | None:
        return self.reply_to or self.address

    @property
    def usable(self) -> bool:
        """Its message may change state and be answered."""
        return self.address is not None and self.problem is None and self.trusted


def read_headers(raw: bytes) -> Message:
    """The header block of `raw` (compat32: values as sent, nothing decoded)."""
    return BytesHeaderParser(policy=policy.compat32).parsebytes(raw[: 512 * 1024])


def _domain(address: str | None) -> str:
    return (address or "").rpartition("@")[2].lower()


def _aligned(domain: str, other: str) -> bool:
    """Relaxed alignment: same domain, or one a subdomain of the other."""
    domain, other = domain.lower().strip("."), other.lower().strip(".")
    return bool(domain and other) and (
        domain == other or domain.endswith("." + other) or other.endswith("." + domain)
    )


def _from_address(headers: Message) -> tuple[str | None, str, str | None]:
    """(addr-spec, decoded display name, problem) of the From header."""
    values = [str(v) for v in (headers.get_all("From") or [])]
    if not values:
        return None, "", "no From address"
    if len(values) > 1:
        return None, "", "several From headers: not answered"
    value = values[0]
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        return None, "", "control characters in the From header: not answered"
    if re.search(r":[^<>\"]*;", value.replace("\\\"", "")) and "<" not in value.split(":", 1)[0]:
        return None, "", "From is a group: not answered"
    try:
        pairs = [(n, a) for n, a in getaddresses([value]) if n or a]
    except Exception:
        pairs = []
    if len(pairs) != 1:
        why = "several addresses in From" if len(pairs) > 1 else "unreadable From"
        return None, "", f"{why}: not answered"
    display, address = pairs[0]
    address = address.strip()
    if not _ADDR_SPEC.match(address):
        return None, "", "unparsable From address: not answered"
    # the display name is only shown, never used to address anything: controls are dropped
    name = re.sub(r"[\x00-\x1f\x7f]+", " ", decode_words(display)).strip()
    for found in _ADDRESS_IN_TEXT.findall(name):
        if found.lower().strip(".") != address.lower():
            return None, name, "the From display name holds another address: not answered"
    return address.lower(), name, None


def _reply_to(headers: Message) -> str | None:
    values = [str(v) for v in (headers.get_all("Reply-To") or [])]
    if len(values) != 1:
        return None
    try:
        pairs = [(n, a) for n, a in getaddresses(values) if a]
    except Exception:
        return None
    if len(pairs) != 1 or not _ADDR_SPEC.match(pairs[0][1].strip()):
        return None
    return pairs[0][1].strip().lower()


def _results(headers: Message, authserv_id: str | None) -> dict[str, tuple[str, dict[str, str]]]:
    """{method: (result, {ptype.property: value})} from the topmost trusted header."""
    if not authserv_id:
        return {}
    for value in headers.get_all("Authentication-Results") or []:
        text = " ".join(str(value).split())
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(text)
        except Exception:
            continue
        if (parsed.authserv_id or "").lower() != authserv_id.lower():
            continue  # someone else's header: ignored (RFC 8601 §5)
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for result in parsed.results:
            props = {f"{p.type}.{p.name}".lower(): str(p.value) for p in result.properties}
            out.setdefault(str(result.method).lower(), (str(result.result).lower(), props))
        return out
    return {}


def own_domains(config: Config) -> set[str]:
    """Our organisation's domains: the shared mailbox's and the référent's."""
    return {_domain(a) for a in (config.smtp.from_address, config.people.referent) if a}


def _role(address: str, config: Config, partners: Sequence[Partner]) -> tuple[str, Partner | None]:
    people = config.people
    if address == (people.referent or "").lower():
        return "referent", None
    if people.facilitateur and address == people.facilitateur.lower():
        return "facilitateur", None
    if _domain(address) in own_domains(config):
        return "own_domain", None
    partner = match_partner(partners, address)
    if partner is not None:
        return "partner", partner
    return "other", None


def _trust(role: str, partner: Partner | None, from_domain: str, results: dict,
           config: Config) -> tuple[bool, str | None]:
    server = config.security.authserv_id
    dmarc, dmarc_props = results.get("dmarc", (None, {}))
    spf, spf_props = results.get("spf", (None, {}))
    dmarc_domain = dmarc_props.get("header.from", from_domain)
    if dmarc in ("fail", "permerror") and _aligned(dmarc_domain, from_domain):
        return False, f"dmarc={dmarc} from {server}: the From address is forged"
    if role not in _KNOWN_ROLES or not config.security.require_authentication:
        return True, None
    if dmarc == "pass" and _aligned(dmarc_domain, from_domain):
        return True, None
    by_spf = partner is not None and _partner_auth(partner, config) == "spf"
    spf_domain = spf_props.get("smtp.mailfrom", "").rpartition("@")[2]
    if by_spf and spf == "pass" and _aligned(spf_domain, from_domain):
        return True, None
    needed = "an aligned spf=pass" if by_spf else "dmarc=pass"
    said = ", ".join(f"{m}={r}" for m, (r, _p) in results.items()) or "nothing"
    who = {"partner": f"partner {partner.name if partner else ''}".strip(),
           "referent": "the référent", "facilitateur": "the facilitateur",
           "own_domain": "our own domain"}[role]
    return False, f"claims to be {who} but is not authenticated ({server} said {said}; {needed} needed)"


def _partner_auth(partner: Partner, config: Config) -> str:
    for conf in config.partners:
        if conf.name == partner.name:
            return conf.authenticated_by
    return "dmarc"


def check_sender(raw: bytes, config: Config, partners: Sequence[Partner]) -> SenderCheck:
    """Read From, Reply-To and our server's Authentication-Results of `raw`; never raises."""
    try:
        headers = read_headers(raw)
        address, name, problem = _from_address(headers)
    except Exception as exc:  # a header the parser cannot take: not an identity
        return SenderCheck(None, problem=f"unreadable From ({type(exc).__name__}): not answered",
                           trusted=False)
    if address is None:
        return SenderCheck(None, name=name, problem=problem, trusted=False)
    role, partner = _role(address, config, partners)
    results = _results(headers, config.security.authserv_id)
    auth = " ".join(f"{m}={r}" for m, (r, _p) in results.items()) or None
    reply_to = _reply_to(headers)
    problem = None
    if reply_to and _domain(reply_to) != _domain(address):
        reply_role, _ = _role(reply_to, config, partners)
        if role == "other" and reply_role != "other":
            problem = f"Reply-To names {reply_to} ({reply_role}) under a foreign From: not answered"
        reply_to = None  # answers never go to another domain
    trusted, why = _trust(role, partner, _domain(address), results, config)
    return SenderCheck(
        address=address,
        name=name,
        role=role,
        partner_id=partner.id if partner else None,
        problem=problem,
        trusted=trusted,
        distrust_reason=why,
        auth=auth,
        reply_to=reply_to if reply_to != address else None,
    )
