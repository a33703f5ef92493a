from sqlmodel import Session, select

from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import InboundMessage, Partner, UidMark
from mailbot.domain.partners import match_partner
from mailbot.domain.refs import allocate_ref
from mailbot.journal import dedupe_key, journal_fetched, journal_raw, pending_ids
from mailbot.sources.base import FetchedMessage


def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(e)
    return e


def test_refs_count_per_year_and_are_never_reused(tmp_path):
    e = engine(tmp_path)
    with session_scope(e) as s:
        assert allocate_ref(s, 2027) == "CS-2027-0001"
        assert allocate_ref(s, 2027) == "CS-2027-0002"
        assert allocate_ref(s, 2028) == "CS-2028-0001"
    try:
        with session_scope(e) as s:
            assert allocate_ref(s, 2027) == "CS-2027-0003"
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    with session_scope(e) as s:
        assert allocate_ref(s, 2027) == "CS-2027-0003"  # never seen by anyone: free again


def test_journal_stores_raw_and_advances_mark_once(tmp_path):
    e = engine(tmp_path)
    raw = b"Message-ID: <a@b>\r\nFrom: x@y.fr\r\nSubject: hi\r\n\r\nbody"
    msg = FetchedMessage(mailbox="imap://u@h/INBOX", uidvalidity=7, uid=42, raw=raw)
    first = journal_fetched(e, msg)
    assert first is not None
    assert journal_fetched(e, msg) is None  # same (mailbox, uidvalidity, uid)
    with Session(e) as s:
        mark = s.get(UidMark, "imap://u@h/INBOX")
        assert (mark.uidvalidity, mark.last_uid) == (7, 42)
        row = s.get(InboundMessage, first)
        assert row.raw == raw and row.dedupe_key == "<a@b>" and row.status == "journaled"
    assert pending_ids(e) == [first]


def test_uidvalidity_change_resets_mark(tmp_path):
    e = engine(tmp_path)
    journal_fetched(e, FetchedMessage("m", 1, 90, b"Subject: a\r\n\r\n"))
    journal_fetched(e, FetchedMessage("m", 2, 3, b"Subject: b\r\n\r\n"))
    with Session(e) as s:
        mark = s.get(UidMark, "m")
        assert (mark.uidvalidity, mark.last_uid) == (2, 3)


def test_dedupe_key_falls_back_to_hash():
    assert dedupe_key(b"Subject: x\r\n\r\nbody").startswith("sha256:")
    assert dedupe_key(b"Message-Id:   <X.Y@z>  \r\n\r\n") == "<X.Y@z>"
    assert dedupe_key(b"\xff\xfe garbage") .startswith("sha256:")


def test_journal_raw_dedupes_identical_files(tmp_path):
    e = engine(tmp_path)
    assert journal_raw(e, "ingest", b"Subject: a\r\n\r\nx") is not None
    assert journal_raw(e, "ingest", b"Subject: a\r\n\r\nx") is None
    with Session(e) as s:
        assert len(s.exec(select(InboundMessage)).all()) == 1


def test_partner_matching_by_address_then_domain():
    ml = Partner(id=1, name="ML", emails=["orientation@ml.fr"], domains=["ml.fr"])
    cap = Partner(id=2, name="Cap", emails=["cap@cap.fr"], domains=[])
    partners = [ml, cap]
    assert match_partner(partners, "Cap@Cap.fr") is cap
    assert match_partner(partners, "someone@ml.fr") is ml
    assert match_partner(partners, "someone@antenne.ml.fr") is ml
    assert match_partner(partners, "someone@evilml.fr") is None
    assert match_partner(partners, None) is None
