"""Issue 11's "Done when" for partners, on the demo data: complaints attributed to the demo
contractor show in its monthly figures on partner@demo.club's home page, its account has
answered one as the partner, and the renewal rate shows for the demo partners."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from portal.accounts.demo import demo_user
from portal.forum.models import Thread
from portal.partners.models import PartnerOrganisation
from tests.conftest import log_in


def _cells(html: str, name: str) -> list[int]:
    return [int(value) for value in re.findall(rf'{name}">(\d+)<', html)]


def test_the_demo_partner_sees_its_figures_and_staff_the_renewal_rate(app, db, demo):
    huaxin = db.session.scalar(select(PartnerOrganisation).where(PartnerOrganisation.name.like("%Huaxin%")))
    partner = demo_user("partner@demo.club")
    partner.locale = "en"
    staff = demo_user("service@demo.club")
    staff.locale = "en"
    db.session.commit()

    client = app.test_client()
    log_in(client, partner)
    home = client.get("/").get_data(as_text=True)
    panel = home.split('id="partner-panel"')[1].split("</table>")[0]
    # Six complaints of the demo member's flat in the last five months, four needing a repair.
    assert sum(_cells(panel, "figure-attributed")) == 6 and sum(_cells(panel, "figure-repairs")) == 4
    assert "Balcony drain smells" in home

    log_in(client, staff)
    figures = client.get("/admin/partners/figures").get_data(as_text=True)
    assert f'data-partner="{huaxin.id}"' in figures
    for year, total in (("2019", "1 / 1 (100%)"), ("2020", "0 / 1 (0%)"), ("2023", "1 / 2 (50%)"),
                        ("2024", "0 / 1 (0%)"), ("2025", "3 / 3 (100%)")):
        row = figures.split(f'data-year="{year}"')[1].split("</tr>")[0]
        assert total in row.split("renewal-total")[1], year
    # Four contracts ended 30, 90, 150 and 220 days ago, three renewed (the industry's 75%
    # when they fall in one year, as on the dashboard's default period most of the year).
    recent: dict[int, list[bool]] = {}
    for days, renewed in ((30, True), (90, True), (150, False), (220, True)):
        recent.setdefault((date.today() - timedelta(days=days)).year, []).append(renewed)
    for year, renewals in recent.items():
        row = figures.split(f'data-year="{year}"')[1].split("</tr>")[0]
        assert f"{sum(renewals)} / {len(renewals)} (" in row.split("renewal-total")[1], year
    thread_id = db.session.scalar(select(Thread.id).where(Thread.title == "Balcony drain smells"))
    thread = client.get(f"/forum/t/{thread_id}").get_data(as_text=True)
    assert "Partner: 華信建築 Huaxin Builders" in thread
    assert "Attributed to 華信建築 Huaxin Builders." in thread
