"""The staff home and the dashboard as staff use them: counts that link, figures with
charts and tables, filters, CSV exports, bad filters."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from portal.accounts.models import User


def _login(client, db, email):
    from tests.conftest import log_in
    log_in(client, db.session.scalar(select(User).where(User.email == email)))


def test_staff_home_answers_what_needs_me_now(client, db, demo):
    _login(client, db, "service@demo.club")
    page = client.get("/admin/").get_data(as_text=True)  # the demo staff read Traditional Chinese
    assert "指派給我的投訴" in page and "待認證的物業" in page
    assert 'href="/admin/complaints/?assignee=me"' in page and 'href="/admin/homes"' in page
    assert "進行中的積分活動" not in page  # marketing's count


def test_dashboard_renders_every_section_with_charts_tables_and_csv(client, db, demo):
    _login(client, db, "admin@demo.club")
    response = client.get("/admin/dashboard?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for section in ("members", "points", "complaints", "feedback", "sales", "referrals", "partners", "perks"):
        assert f'id="section-{section}"' in page
    assert page.count("<svg") >= 8 and "table-complaints-handling" in page
    export = client.get("/admin/dashboard/members/members.csv")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Figure", "Count"] and rows[1][0] == "Members" and int(rows[1][1]) >= 1


def test_bad_filters_say_so_and_fall_back(client, login):
    login("admin")
    response = client.get("/admin/dashboard?lang=en&start=2026-13-01&end=x&development=99999999999999")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in page and "Choose from the list." in page
    assert 'id="section-members"' in page
    reversed_dates = client.get("/admin/dashboard?lang=en&start=2026-05-01&end=2026-01-01")
    assert reversed_dates.status_code == 400
    assert "The end date must not be before the start date." in reversed_dates.get_data(as_text=True)
    assert client.get("/admin/dashboard?end=2026%00").status_code == 400
    assert client.get("/admin/dashboard/members/members.csv?start=nope").status_code == 400
    assert client.get("/admin/dashboard/members/nothing.csv").status_code == 404
    assert client.get("/admin/dashboard/nothing/members.csv").status_code == 404
