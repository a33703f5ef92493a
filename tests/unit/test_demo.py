"""`mailbot demo`: the embedded default runs the whole loop with no servers."""

import json
import subprocess
import sys
from email import message_from_bytes
from email.policy import default as default_policy


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_demo_runs_the_loop(tmp_path):
    workspace = tmp_path / "demo"
    result = run("demo", "--dir", str(workspace))
    assert result.returncode == 0, result.stderr
    assert "What came in" in result.stdout and "What went out" in result.stdout

    offers = json.loads(run("offers", "list", "--json", "--config",
                            str(workspace / "config.toml")).stdout)
    assert len(offers) == 4  # text PDF, AcroForm PDF, DOCX, body
    assert all(o["status"] == "open" and o["ref"].startswith("CS-") for o in offers)
    assert sum(o["referrals"] for o in offers) == 1

    emails = sorted((workspace / "outbox").glob("*.eml"))
    parsed = [message_from_bytes(p.read_bytes(), policy=default_policy) for p in emails]
    subjects = [str(m["Subject"]) for m in parsed]
    # 4 acks + 4 offers x 3 partners + 1 referral ack; then the référent presents and hires the
    # candidate: 1 presentation to the company, 2 feedback emails to the partner
    # then the scheduled reports, written at once: the référent's digest, the facilitateur's
    # weekly summary
    assert len(emails) == 4 + 4 * 3 + 1 + 1 + 2 + 1 + 1
    roles = [str(m["X-Mailbot-Role"]) for m in parsed]
    assert roles.count("company/presentation") == 1 and roles.count("partner/feedback") == 2
    [presentation] = [m for m in parsed if str(m["X-Mailbot-Role"]) == "company/presentation"]
    assert [p.get_filename() for p in presentation.iter_attachments()] != []
    feedback = [m.get_body(("plain",)).get_content() for m in parsed
                if str(m["X-Mailbot-Role"]) == "partner/feedback"]
    assert "présentée à l'entreprise" in feedback[0] and "retenue" in feedback[1]
    assert sum("[CS-" in s for s in subjects) >= 12
    [summary] = [m for m in parsed if str(m["X-Mailbot-Role"]) == "facilitateur/summary"]
    assert str(summary["To"]) == "facilitatrice@exemple-amiens-metropole.fr"
    assert [p.get_filename() for p in summary.iter_attachments()][-1].endswith(".xlsx")
    assert "MARCHÉ 2027-AMI-031" in summary.get_body(("plain",)).get_content()  # offers tied to lots
    assert not any("exemple-regie-amiensnord.fr" in str(m["To"]) for m in parsed)
    [digest] = [m for m in parsed if str(m["X-Mailbot-Role"]) == "referent/digest"]
    assert str(digest["To"]) == "claire.duhamel@exemple-emploi.fr"
    assert "R1" in digest.get_body(("plain",)).get_content()  # the new referral, by its id

    # a second run starts afresh in the same demo workspace
    again = run("demo", "--dir", str(workspace))
    assert again.returncode == 0, again.stderr


def test_demo_refuses_a_foreign_folder(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    result = run("demo", "--dir", str(tmp_path))
    assert result.returncode != 0
    assert "not a mailbot demo workspace" in result.stderr
    assert (tmp_path / "precious.txt").exists()
