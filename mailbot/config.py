"""Settings from a TOML file (+ environment for passwords), validated with pydantic.

Lookup order: `--config FILE`, else `$MAILBOT_CONFIG`, else `./config.toml`. Every key is documented in
`config.example.toml`. An unknown key, a bad value or a missing required key raises ConfigError naming it.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from mailbot.errors import ConfigError
from mailbot.parse.types import Limits

__all__ = [
    "Config",
    "DatabaseConfig",
    "ImapConfig",
    "LimitsConfig",
    "PartnerConfig",
    "PeopleConfig",
    "ReportsConfig",
    "ScheduleConfig",
    "SecurityConfig",
    "SmtpConfig",
    "WorkflowConfig",
    "config_path",
    "display_url",
    "domain_name",
    "email_address",
    "load_config",
]

Security = Literal["ssl", "starttls", "none"]

_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def domain_name(value: str) -> str:
    """`value` lower-cased if it is a domain name (IDN allowed), else ValueError."""
    domain = value.strip().lower()
    try:
        ascii_labels = [label.encode("idna").decode("ascii") for label in domain.split(".")]
    except UnicodeError:
        raise ValueError(f"not a domain name: {value!r}") from None
    if (len(ascii_labels) < 2 or len(domain) > 253 or ascii_labels[-1].isdigit()
            or not all(_LABEL.fullmatch(label) for label in ascii_labels)):
        raise ValueError(f"not a domain name: {value!r}")
    return domain


def email_address(value: str) -> str:
    """`value` lower-cased if it is a bare address (local@domain, no display name), else
    ValueError."""
    address = value.strip()
    local, at, domain = address.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        raise ValueError(f"not an email address: {value!r}")
    try:
        domain_name(domain)
    except ValueError:
        raise ValueError(f"not an email address: {value!r}") from None
    return address.lower()


def display_url(url: str) -> str:
    """A database URL fit to print: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unparsable URL)"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _WithPassword(_Section):
    password: SecretStr | None = None  # shown as '**********' in every repr and dump
    password_env: str | None = None

    def resolved_password(self) -> str | None:
        """The password, read from the environment variable named by `password_env` if set."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(f"environment variable {self.password_env} (password_env) is not set")
            return value
        return self.password.get_secret_value() if self.password is not None else None


class DatabaseConfig(_Section):
    url: str = "sqlite:///mailbot.db"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            parsed = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("not a database URL (sqlite:///FILE or "
                             "postgresql+psycopg://USER:PASSWORD@HOST/NAME)") from None
        try:
            parsed.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"unknown database kind {parsed.drivername!r} (use sqlite or "
                             "postgresql+psycopg)") from None
        return value

    def __repr_args__(self):  # the URL's password never shows
        yield "url", display_url(self.url)


class ImapConfig(_WithPassword):
    host: str
    port: int = Field(993, ge=1, le=65535)
    security: Security = "ssl"
    username: str
    folder: str = "INBOX"
    processed_folder: str = "Traites"
    quarantine_folder: str = "Quarantaine"
    idle: bool = True
    poll_seconds: int = Field(60, ge=1)
    timeout: float = Field(30.0, gt=0)
    tls_verify: bool = True
    ca_file: str | None = None


class SmtpConfig(_WithPassword):
    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Security = "starttls"
    username: str | None = None
    from_address: str
    from_name: str = "Référent clauses sociales"
    timeout: float = Field(30.0, gt=0)
    tls_verify: bool = True
    ca_file: str | None = None
    max_attempts: int = Field(20, ge=1)

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        return email_address(value)


class PeopleConfig(_Section):
    referent: str
    facilitateur: str | None = None
    referent_name: str | None = None
    referent_phone: str | None = None
    referent_title: str = "Référent clauses sociales"  # e.g. "Référente clauses sociales"
    organisation: str | None = None

    @field_validator("referent", "facilitateur")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return email_address(value) if value is not None else None


class PartnerConfig(_Section):
    name: str
    kind: str = ""
    emails: list[str] = Field(min_length=1)
    domains: list[str] = []
    # What proves a message is really theirs when [security] require_authentication is on:
    # "dmarc" (default), or "spf" for a small partner whose domain publishes no DMARC record.
    authenticated_by: Literal["dmarc", "spf"] = "dmarc"

    @field_validator("emails")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [email_address(v) for v in values]

    @field_validator("domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        return [domain_name(v) for v in values]


class PathsConfig(_Section):
    rules_dir: str | None = None
    templates_dir: str | None = None

    @field_validator("rules_dir", "templates_dir")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is not None and not Path(value).is_dir():
            raise ValueError(f"folder not found: {value}")
        return value


class LimitsConfig(_Section):
    max_message_bytes: int = Field(Limits.max_message_bytes, gt=0)
    max_attachment_bytes: int = Field(Limits.max_attachment_bytes, gt=0)
    max_pdf_pages: int = Field(Limits.max_pdf_pages, gt=0)
    max_pdf_stream_bytes: int = Field(Limits.max_pdf_stream_bytes, gt=0)
    max_docx_uncompressed_bytes: int = Field(Limits.max_docx_uncompressed_bytes, gt=0)
    max_seconds_per_document: float = Field(Limits.max_seconds_per_document, gt=0)
    max_mime_depth: int = Field(Limits.max_mime_depth, gt=0)
    max_mime_parts: int = Field(Limits.max_mime_parts, gt=0)
    ocr: bool = Limits.ocr
    ocr_max_pages: int = Field(Limits.ocr_max_pages, ge=0)
    # Flood limits for correspondents who are neither the référent, the facilitateur nor a
    # partner, over a rolling 24 h: past them, offers and answers are held (`offers release`).
    answers_per_sender_per_day: int = Field(10, ge=0)
    offers_per_sender_per_day: int = Field(10, ge=0)

    def to_limits(self) -> Limits:
        flood = {"answers_per_sender_per_day", "offers_per_sender_per_day"}
        return Limits(**self.model_dump(exclude=flood))


class SecurityConfig(_Section):
    """Who is trusted (see README, "Security")."""

    # The authserv-id of the agency's own receiving server: only its Authentication-Results count.
    authserv_id: str | None = None
    # When true, mail claiming to be from a partner, the référent, the facilitateur or our own
    # domain counts as theirs only with dmarc=pass (or aligned spf=pass) from that server.
    require_authentication: bool = False

    @model_validator(mode="after")
    def _needs_server(self) -> SecurityConfig:
        if self.require_authentication and not self.authserv_id:
            raise ValueError("require_authentication needs authserv_id (your receiving server's name)")
        return self


class WorkflowConfig(_Section):
    """The référent's decisions (see README, "Decisions")."""

    # What a presentation tells the company about each candidate besides the name and the CV:
    # "none" (the company goes through the référent), "email", or "all" (email and phone).
    share_candidate_contacts: Literal["none", "email", "all"] = "none"
    # Fields an offer needs before it is broadcast: without them it is `incomplete` and the
    # company gets one email asking for exactly those (dotted names of the parse contract;
    # "company.email|company.phone" means either one).
    required_fields: list[str] = [
        "company.legal_name", "company.email|company.phone", "job.title", "job.positions",
        "job.recruitment_date", "conditions.contract_type", "conditions.workplace",
    ]
    # "auto": a complete offer is broadcast at once; "review": it waits for `mailbot offers
    # publish REF` (or the email command `CS-2027-0004 publier`).
    broadcast: Literal["auto", "review"] = "auto"
    # Days without a form back after the blank form was sent, before the one reminder.
    reminder_days: int = Field(10, ge=1)

    @field_validator("required_fields")
    @classmethod
    def _known_fields(cls, values: list[str]) -> list[str]:
        from mailbot.parse.types import dotted_fields

        known = set(dotted_fields())
        for value in values:
            for name in value.split("|"):
                if name.strip() not in known:
                    raise ValueError(f"unknown field {name.strip()!r} (one of: "
                                     f"{', '.join(sorted(known))})")
        return [v.replace(" ", "") for v in values]


class ScheduleConfig(_Section):
    """When `mailbot run` sends the scheduled reports (cron expressions, Europe/Paris time)."""

    timezone: str = "Europe/Paris"
    digest: str | None = "0 8 * * mon-fri"
    partner_feedback: str | None = "0 9 * * mon"
    facilitateur_summary: str | None = "0 9 * * mon"
    reminders: str | None = "0 7 * * *"
    misfire_grace_seconds: int = Field(6 * 3600, ge=1)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Paris)") from None
        return value

    @field_validator("digest", "partner_feedback", "facilitateur_summary", "reminders")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        """A crontab line (minute hour day month weekday); "" turns the job off."""
        if value is None or not value.strip():
            return None
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value.strip(), timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a cron expression {value!r} (minute hour day month "
                             f"weekday, e.g. \"0 8 * * mon-fri\"): {exc}") from None
        return " ".join(value.split())


class ReportsConfig(_Section):
    """What the reports contain."""

    empty_digest: Literal["send", "skip"] = "send"
    stale_days: int = Field(14, ge=1)  # an open offer with no candidate for this long is listed
    decision_wait_days: int = Field(7, ge=1)  # presented with no answer for this long is listed


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    imap: ImapConfig | None = None
    smtp: SmtpConfig
    people: PeopleConfig
    partners: list[PartnerConfig] = []
    paths: PathsConfig = PathsConfig()
    limits: LimitsConfig = LimitsConfig()
    security: SecurityConfig = SecurityConfig()
    workflow: WorkflowConfig = WorkflowConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    reports: ReportsConfig = ReportsConfig()
    source_path: str | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _unique_partners(self) -> Config:
        names = [p.name for p in self.partners]
        if len(names) != len(set(names)):
            raise ValueError("partners: two partners have the same name")
        return self

    def require_imap(self) -> ImapConfig:
        if self.imap is None:
            raise ConfigError("missing required section [imap] (needed by `mailbot run`)")
        return self.imap


def config_path(explicit: str | Path | None = None) -> Path:
    """The config file to read: explicit, else $MAILBOT_CONFIG, else ./config.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("MAILBOT_CONFIG")
    return Path(env) if env else Path("config.toml")


def _describe(error: dict) -> str:
    loc = [str(part) for part in error["loc"]]
    if loc and loc[0] in {"imap", "smtp", "people", "database", "paths", "limits", "security",
                               "workflow", "schedule", "reports"}:
        where = f"[{loc[0]}] " + ".".join(loc[1:])
    elif loc and loc[0] == "partners" and len(loc) > 1:
        where = f"[[partners]] #{int(loc[1]) + 1} " + ".".join(loc[2:])
    else:
        where = ".".join(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {where.strip()}"
    if kind == "missing":
        return f"missing required key {where.strip()}"
    return f"bad value for {where.strip()}: {error['msg']}"


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate the config file; raise ConfigError with every problem named."""
    file = config_path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"config file {file} not found (use --config FILE or MAILBOT_CONFIG; "
            "see config.example.toml)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    try:
        config = Config.model_validate({**data, "source_path": str(file)})
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise ConfigError(f"{file}: {problems}") from None
    for section in (config.imap, config.smtp):
        if section is not None:
            section.resolved_password()
    return config
