"""The audit log reads as sentences: every action the code records has a label, targets
link to their page, details are named; filters and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from portal.audit.services import record_action
from portal.core.hooks import audit_vocabulary
from tests import factories

ROOT = Path(__file__).resolve().parents[2] / "portal"
LITERAL = re.compile(r'"([a-z_]+(?:\.[a-z_]+)+)"')
MODERATION = re.compile(r'_act\(actor, (?:"(\w+)"(?: if \w+ else "(\w+)")?)')


def recorded_actions() -> set[str]:
    """Action codes in the source: literals in record_action(...) calls (both branches of a
    conditional) and the forum's moderation acts (recorded as forum.<act>)."""
    found = set()
    for path in ROOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"record_action\((.{0,200})", text, re.S):
            call = match.group(1).split(")\n")[0]
            found.update(code for code in LITERAL.findall(call) if not code.startswith("portal."))
        for match in MODERATION.finditer(text):
            found.update(f"forum.{act}" for act in match.groups() if act)
    return found


def test_every_recorded_action_has_a_label(app):
    actions = recorded_actions()
    assert len(actions) > 40
    assert sorted(actions - set(audit_vocabulary().actions)) == []


def test_the_log_reads_as_sentences_with_links(client, login, db):
    admin = login("admin")
    member = factories.make_member(display_name="Chan Tai Man")
    record_action(admin, "user.role", member, {"from": "member", "to": "service"}, "10.0.0.1")
    record_action(admin, "campaign.launch", None, {"names": {"zh_Hant": "中秋", "en": "Mid-Autumn"},
                                                   "budget": 1_000_000, "paused": True})
    page = client.get("/admin/audit/?lang=en").get_data(as_text=True)
    assert "Changed a role" in page and f'href="/admin/members/{member.id}"' in page
    assert "Mid-Autumn" in page and "1,000,000" in page and "Yes" in page
    assert "user.role" not in page.split('id="audit-table"')[1]  # no raw codes in the table


def test_filters_and_csv(client, login, db):
    admin = login("admin")
    member = factories.make_member()
    record_action(admin, "user.role", member, {"to": "service"})
    record_action(admin, "perk.create", None, {"title": "Spa"})
    filtered = client.get(f"/admin/audit/?lang=en&action=user.role&target=users&target_id={member.id}"
                          f"&actor={admin.id}&from=2020-01-01")
    assert filtered.status_code == 200
    table = filtered.get_data(as_text=True).split('id="audit-table"')[1]
    assert "Changed a role" in table and "Created a perk" not in table
    export = client.get("/admin/audit/export.csv?action=perk.create&lang=en")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][2] == "Created a perk" and rows[1][4] == "Title: Spa"
    bad = client.get("/admin/audit/?lang=en&action=drop.table&from=2026-02-31&actor=x")
    assert bad.status_code == 400 and "Choose from the list." in bad.get_data(as_text=True)
    assert client.get("/admin/audit/export.csv?from=nope").status_code == 400
