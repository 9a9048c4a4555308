"""The report's numbers, computed from known rows; the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from portal.accounts.models import Ownership
from portal.referrals import reports
from portal.referrals.models import ReferralStatus
from tests import factories
from tests.referrals.helpers import make_referral, selling_unit


def _month(offset: int) -> str:
    return reports.months_back(offset + 1)[0]


def _day_in(month: str, day: int = 10) -> date:
    return date(int(month[:4]), int(month[5:]), day)


def _buyer(unit, purchased_on: date, verified: bool = True) -> Ownership:
    ownership = factories.make_ownership(factories.make_member(), unit=unit, verified=verified)
    ownership.purchased_on = purchased_on
    return ownership


def test_months_back():
    assert reports.months_back(3, date(2026, 2, 14)) == ["2025-12", "2026-01", "2026-02"]
    assert reports.months_back(1, date(2026, 12, 31)) == ["2026-12"]


def test_funnel_counts_each_stage_per_registration_month(db):
    this, last = _month(0), _month(1)
    at = lambda month: datetime.combine(_day_in(month), datetime.min.time())  # noqa: E731
    for status, visited in [("registered", None), ("visited", True), ("rewarded", True), ("purchased", None),
                            ("cancelled", True), ("rejected", None)]:
        referral = make_referral(status=status, visited_on=_day_in(last, 12) if visited else None)
        referral.created_at = at(last)
        if status in ("rewarded", "purchased", "cancelled"):
            referral.purchased_on = _day_in(last, 15)
    make_referral().created_at = at(this)
    make_referral().created_at = at(_month(13))  # outside the window
    rows = {row.month: row for row in reports.funnel(reports.months_back(12))}
    assert len(rows) == 12
    assert (rows[last].registered, rows[last].visited, rows[last].purchased) == (6, 4, 2)
    assert (rows[this].registered, rows[this].visited, rows[this].purchased) == (1, 0, 0)
    assert sum(row.registered for row in rows.values()) == 7


def test_referral_share_per_development_and_month(db):
    this, last = _month(0), _month(1)
    jade, cloud = selling_unit("Jade Lake"), selling_unit("Cloud Peak")
    for _ in range(3):
        _buyer(selling_unit("Jade Lake"), _day_in(last))
    _buyer(selling_unit("Cloud Peak"), _day_in(this, 1))
    _buyer(selling_unit("Jade Lake"), _day_in(last), verified=False)  # not a recorded purchase
    _buyer(selling_unit("Jade Lake"), _day_in(_month(14)))  # outside the window
    referred = make_referral(status=ReferralStatus.REWARDED.value)
    referred.ownership_id = _buyer(jade, _day_in(last)).id
    cancelled = make_referral(status=ReferralStatus.CANCELLED.value)
    cancelled.ownership_id = _buyer(cloud, _day_in(this, 1)).id  # a cancelled referral is no referral

    share = reports.referral_share(reports.months_back(12))
    assert share.by_month[last] == reports.Share(1, 4)
    assert share.by_month[this] == reports.Share(0, 2)
    assert share.by_month[_month(5)].percent is None
    assert dict(share.by_development) == {"Cloud Peak": reports.Share(0, 2), "Jade Lake": reports.Share(1, 4)}
    assert share.cells[("Jade Lake", last)].percent == 25.0


def test_top_referrers(db):
    star, other = factories.make_member(display_name="Star"), factories.make_member(display_name="Other")
    for status, points in [("rewarded", 5000), ("rewarded", 5000), ("registered", 0)]:
        make_referral(referrer=star, status=status, referrer_points=points, days_ago=5)
    for _ in range(4):
        make_referral(referrer=other, days_ago=5)
    top = reports.top_referrers(reports.months_back(12))
    assert [(t.name, t.referred, t.bought, t.points) for t in top] == [
        ("Star", 3, 2, 10000), ("Other", 4, 0, 0)]


def test_report_page_shows_the_numbers(client, login, db):
    login("marketing", locale="en")
    last = _month(1)
    referred = make_referral(status=ReferralStatus.REWARDED.value, referrer_points=5000,
                             referrer=factories.make_member(display_name="Top Referrer"))
    referred.ownership_id = _buyer(selling_unit("Jade Lake"), _day_in(last)).id
    _buyer(selling_unit("Jade Lake"), _day_in(last))
    text = client.get("/admin/referrals/report").get_data(as_text=True)
    assert "1 of 2 purchases came from referrals (50%)." in text
    assert '<rect class="bar share" x="0" y="0" width="50.0"' in text  # 1 of 2: half the track
    assert "Top Referrer" in text and "1/2 (50%)" in text
    assert client.get("/admin/referrals/report?months=3").status_code == 200
    assert client.get("/admin/referrals/report?months=999").status_code == 200  # falls back to 12


def test_csv_export_is_excel_friendly_and_formula_safe(client, login, db):
    login("marketing", locale="en")
    evil = factories.make_member(display_name="=HYPERLINK(\"http://evil.example\",\"x\")")
    make_referral(referrer=evil, invitee=factories.make_member(display_name="+cmd|' /C calc'!A0"),
                  status=ReferralStatus.REJECTED.value, reason="@SUM(1+1)")
    make_referral(invitee=factories.make_member(display_name="王小明"), status=ReferralStatus.VISITED.value)
    response = client.get("/admin/referrals/export.csv?status=rejected")
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="referrals-' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Status", "Registered"]
    assert len(rows) == 2  # the filter applies
    assert rows[1][1] == "Rejected"
    assert rows[1][4] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert rows[1][6] == "'+cmd|' /C calc'!A0"
    assert rows[1][-1] == "'@SUM(1+1)"
    everything = list(csv.reader(io.StringIO(
        client.get("/admin/referrals/export.csv").get_data().decode("utf-8-sig"))))
    assert "王小明" in {row[6] for row in everything}


def test_safe_cell():
    from portal.core.csvexport import safe_cell

    assert [safe_cell(v) for v in (None, True, -5, 1.5, "-2+3", "\tx", "ok")] == [
        "", "1", "-5", "1.5", "'-2+3", "'\tx", "ok"]
