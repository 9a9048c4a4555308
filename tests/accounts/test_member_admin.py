"""Staff find members by unit ("3-1502"); admins suspend and reactivate accounts with a
confirmation, and a suspended member is logged out at their next request."""

from __future__ import annotations

import pytest

from portal.accounts import services
from portal.accounts.services import AccountError
from portal.audit.models import AuditEntry
from tests import factories
from tests.conftest import log_in


def test_search_finds_members_by_building_and_unit(client, login, db):
    login("service")
    owner = factories.make_member(display_name="Lee Siu Ming")
    factories.make_ownership(owner, factories.make_unit("Jade Lake", building="3座", number="1502"))
    other = factories.make_member(display_name="Wong Ka Yan")
    factories.make_ownership(other, factories.make_unit("Jade Lake", building="5座", number="1502"))
    for query in ("3-1502", "3座 1502", "3 / 1502", "Tower 3-1502"):
        page = client.get("/admin/members", query_string={"q": query}).get_data(as_text=True)
        assert "Lee Siu Ming" in page and "Wong Ka Yan" not in page, query
    both = client.get("/admin/members?q=1502").get_data(as_text=True)
    assert "Lee Siu Ming" in both and "Wong Ka Yan" in both
    assert "Lee Siu Ming" not in client.get("/admin/members?q=9-1502").get_data(as_text=True)
    assert client.get("/admin/members?q=%25-%25").status_code == 200


def test_suspend_logs_the_member_out_and_reactivate_lets_them_back(app, client, login, db):
    admin = login("admin")
    member = factories.make_member()
    db.session.commit()
    member_client = app.test_client()
    log_in(member_client, member)
    assert member_client.get("/points").status_code == 200
    refused = client.post(f"/admin/members/{member.id}/status?lang=en", data={"reason": "spam"})
    assert refused.status_code == 400 and "Tick the box to confirm." in refused.get_data(as_text=True)
    no_reason = client.post(f"/admin/members/{member.id}/status?lang=en", data={"confirm": "y"})
    assert no_reason.status_code == 400
    assert "Give the reason for the suspension." in no_reason.get_data(as_text=True)
    done = client.post(f"/admin/members/{member.id}/status", data={"confirm": "y", "reason": "spam"})
    assert done.status_code == 302
    db.session.expire_all()
    assert not db.session.get(type(member), member.id).is_active_account
    assert member_client.get("/points").status_code == 302  # logged out: to the login page
    entry = db.session.query(AuditEntry).filter_by(action="user.suspend").one()
    assert entry.details == {"reason": "spam"} and entry.actor_id == admin.id
    assert client.post(f"/admin/members/{member.id}/status", data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(member), member.id).is_active_account


def test_no_one_suspends_themselves(app, db, english):
    admin = factories.make_user("admin")
    with pytest.raises(AccountError):
        services.set_account_active(admin, False, admin, "test")


def test_the_member_page_shows_what_each_feature_knows(client, login, db):
    from portal.points import services as points
    from tests.forum.helpers import make_complaint
    from tests.referrals.helpers import make_referral

    login("admin")
    member = factories.make_member()
    points.credit(member, 700, kind="earn", reason="Welcome bonus", idempotency_key="w")
    factories.make_redemption(member, factories.make_perk(title_en="Spa day"))
    complaint = make_complaint(member)
    make_referral(referrer=member)
    page = client.get(f"/admin/members/{member.id}?lang=en").get_data(as_text=True)
    assert 'id="member-ledger"' in page and "+700" in page
    assert "Spa day" in page and complaint.thread.title in page
    assert 'id="member-referrals"' in page
    service = factories.make_user("service")
    db.session.commit()
    log_in(client, service)
    page = client.get(f"/admin/members/{member.id}?lang=en").get_data(as_text=True)
    assert "Full history and adjustments" not in page  # adjusting points is for admins
