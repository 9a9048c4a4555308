"""The "Done when" walk-through on the demo data: the walk-through file imports through the
preview, converts Jane Smith's referral and rewards both sides once; a second import of the
same file changes nothing (issue 11)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.demo import demo_user
from portal.accounts.models import User
from portal.points.models import LedgerEntry
from portal.points.services import find_differences
from portal.referrals.models import Referral, ReferralStatus
from portal.sales.models import ImportBatch, Purchase
from tests.conftest import log_in
from tests.sales.helpers import follow, purchase_count, upload

JANE = "jane.smith@friends.demo.club"


def _balances(db) -> tuple[int, int]:
    member = demo_user("member@demo.club")
    jane = db.session.scalar(select(User).where(User.email == JANE))
    return member.points_balance, jane.points_balance


def test_the_demo_walk_through(app, runner, db, tmp_path, demo):
    seeded = db.session.scalar(select(ImportBatch))
    assert seeded.result["created"] == 41 and purchase_count() == 41
    linked = db.session.scalars(select(Purchase.contract_no).where(Purchase.referral_id.is_not(None))).all()
    assert sorted(linked) == ["CP-DEMO-0702", "JL-DEMO-1003"]  # the referrals demo's buyers

    out = tmp_path / "walkthrough.csv"
    result = runner.invoke(args=["sales", "demo-file", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")

    client = app.test_client()
    staff = demo_user("service@demo.club")
    staff.locale = "en"  # the demo's staff read Chinese; the assertions below read English
    db.session.commit()
    log_in(client, staff)
    before = _balances(db)
    preview = follow(client, upload(client, data, "walkthrough.csv")).get_data(as_text=True)
    for element, value in (("count-new", 4), ("count-referrals", 1), ("count-unchanged", 2),
                           ("count-changed", 1), ("count-cancel", 1), ("count-invalid", 1)):
        assert f'id="{element}">{value}' in preview, element
    assert "Jane Smith" in preview and "no unit “9999”" in preview
    batch_id = int(preview.split('action="/admin/sales/batches/')[1].split("/")[0])
    refused = client.post(f"/admin/sales/batches/{batch_id}/confirm")
    assert refused.status_code == 409
    done = follow(client, client.post(f"/admin/sales/batches/{batch_id}/confirm",
                                      data={"valid_only": "y"})).get_data(as_text=True)
    assert 'id="result-converted">1' in done and 'id="result-created">4' in done
    after = _balances(db)
    # 5,000 for the referrer, doubled by the demo's running "Double referral points" bonus
    # rule (campaigns), which goes through core.rewards; 1,000 for the invitee
    assert (after[0] - before[0], after[1] - before[1]) == (10000, 1000)
    jane = db.session.scalar(select(Referral).join(User, User.id == Referral.invitee_id)
                             .where(User.email == JANE))
    assert jane.status == ReferralStatus.REWARDED

    ledger = db.session.scalar(select(func.count()).select_from(LedgerEntry))
    second = follow(client, upload(client, data, "walkthrough.csv")).get_data(as_text=True)
    assert 'id="count-new">0' in second and 'id="count-referrals">0' in second
    batch_id = int(second.split('action="/admin/sales/batches/')[1].split("/")[0])
    client.post(f"/admin/sales/batches/{batch_id}/confirm", data={"valid_only": "y"})
    assert _balances(db) == after
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == ledger
    assert purchase_count() == 45 and find_differences() == []
