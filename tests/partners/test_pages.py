"""The partner pages: staff manage organisations, accounts and contracts, attribute a
complaint from its thread page; the partner's accounts see their figures on the home page
and answer the complaint as the partner; staff compare every partner and the renewal rate."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models import Post
from portal.partners import services
from portal.partners.models import ComplaintAttribution, PartnerAccount, PartnerContract, PartnerOrganisation
from tests import factories
from tests.conftest import log_in
from tests.partners.helpers import homeowner_complaint, make_contract, make_organisation, make_partner_account


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_staff_create_an_organisation_with_an_account_and_a_contract(client, login):
    login(Role.SERVICE, locale="en")
    partner = factories.make_user(Role.PARTNER, email="li.wei@huaxin.example")
    development = factories.make_unit(development="Jade Lake").building.development_id
    db.session.commit()
    created = client.post("/admin/partners/", data={"name": "Huaxin Builders", "kind": "contractor"})
    assert created.status_code == 302
    organisation = db.session.scalar(select(PartnerOrganisation))
    base = f"/admin/partners/{organisation.id}"
    assert client.post(f"{base}/accounts", data={"email": "LI.WEI@huaxin.example"}).status_code == 302
    contract = {"development_id": str(development), "scope": "lifts", "reference": "HX-001",
                "starts_on": "2020-01-01", "ends_on": "2024-12-31", "is_renewed": "y"}
    assert client.post(f"{base}/contracts", data=contract).status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "Huaxin Builders" in page and "li.wei@huaxin.example" in page and "HX-001" in page
    assert "Lifts" in page and "Ended" in page
    saved = db.session.scalar(select(PartnerContract))
    assert saved.is_renewed and saved.ends_on == date(2024, 12, 31)
    assert db.session.get(PartnerAccount, partner.id).organisation_id == organisation.id

    edit = client.post(f"/admin/partners/contracts/{saved.id}",
                       data={**contract, "is_renewed": "", "ends_on": "2025-06-30"})
    assert edit.status_code == 302
    db.session.refresh(saved)
    assert not saved.is_renewed and saved.ends_on == date(2025, 6, 30)
    assert client.post(f"{base}/accounts/{partner.id}/remove").status_code == 302
    assert _count(PartnerAccount) == 0


def test_bad_input_gets_the_form_back_and_saves_nothing(client, login):
    login(Role.SERVICE, locale="en")
    organisation = make_organisation("Existing")
    member = factories.make_member(email="member@example.com")
    development = factories.make_unit().building.development_id
    db.session.commit()
    duplicate = client.post("/admin/partners/", data={"name": "Existing", "kind": "supplier"})
    assert duplicate.status_code == 400 and "already has this name" in duplicate.get_data(as_text=True)
    assert client.post("/admin/partners/", data={"name": "New", "kind": "bank"}).status_code == 400
    base = f"/admin/partners/{organisation.id}"
    refused = client.post(f"{base}/accounts", data={"email": member.email})
    assert refused.status_code == 400 and "not a partner account" in refused.get_data(as_text=True)
    good = {"development_id": str(development), "scope": "lifts", "starts_on": "2020-01-01",
            "ends_on": "2024-12-31"}
    for change, message in (({"ends_on": "2019-01-01"}, "cannot end before it starts"),
                            ({"starts_on": "yesterday"}, "Not a valid date value"),
                            ({"development_id": "99999999999999999999"}, "Not a valid choice"),
                            ({"scope": "catering"}, "Not a valid choice")):
        response = client.post(f"{base}/contracts", data={**good, **change})
        assert response.status_code == 400 and message in response.get_data(as_text=True), change
    assert _count(PartnerContract) == 0 and _count(PartnerOrganisation) == 1
    assert client.get("/admin/partners/999999").status_code == 404
    assert client.get("/admin/partners/contracts/999999").status_code == 404


def test_attribute_from_the_thread_page_then_the_partner_answers_as_the_partner(client, app, login):
    staff = login(Role.SERVICE, locale="en")
    organisation = make_organisation("Huaxin Builders")
    make_contract(organisation, "Jade Lake")
    nobody_there = make_organisation("Cloud Only Ltd")
    make_contract(nobody_there, "Cloud Peak")
    partner = make_partner_account(organisation, locale="en")
    complaint = homeowner_complaint("Jade Lake", private=True)
    db.session.commit()
    thread_url = f"/forum/t/{complaint.thread_id}"
    page = client.get(thread_url).get_data(as_text=True)
    assert 'class="card mb-3 partner-attribution"' in page
    assert "Huaxin Builders" in page and "Cloud Only Ltd" not in page  # only partners on Jade Lake

    refused = client.post(f"/admin/partners/complaints/{complaint.id}/attribution",
                          data={"organisation_id": str(nobody_there.id)})
    assert refused.status_code == 302
    flashed = client.get(thread_url).get_data(as_text=True)
    assert "Cloud Only Ltd has no contract on Jade Lake" in flashed and _count(ComplaintAttribution) == 0
    done = client.post(f"/admin/partners/complaints/{complaint.id}/attribution",
                       data={"organisation_id": str(organisation.id), "needed_repair": "y"})
    assert done.status_code == 302
    assert "Attributed to Huaxin Builders." in client.get(thread_url).get_data(as_text=True)
    assert services.attribution_of(complaint).needed_repair

    partner_client = app.test_client()
    log_in(partner_client, partner)
    seen = partner_client.get(thread_url)
    assert seen.status_code == 200  # a private complaint, read by the partner it is attributed to
    assert "shown as your organisation" in seen.get_data(as_text=True)
    notices = partner_client.get("/notifications/").get_data(as_text=True)
    assert "A complaint was attributed to your organisation" in notices
    posted = partner_client.post(f"{thread_url}/reply", data={"body": "Our team comes on Monday at 10."})
    assert posted.status_code == 302
    reply = db.session.scalar(select(Post).where(Post.author_id == partner.id))
    assert not reply.is_official
    shown = client.get(thread_url).get_data(as_text=True)
    article = shown.split(f'id="post-{reply.id}"')[1].split("</article>")[0]
    assert "Partner: Huaxin Builders" in article and "official-badge" not in article
    home = partner_client.get("/").get_data(as_text=True)
    assert 'id="partner-panel"' in home and complaint.thread.title in home
    month = utcnow().strftime("%Y-%m")
    row = home.split(f'data-month="{month}"')[1].split("</tr>")[0]
    assert 'figure-attributed">1<' in row and 'figure-repairs">1<' in row and "100%" in row
    assert staff.id != partner.id


def test_refusals_are_translated(client, login):
    login(Role.SERVICE, locale="zh_Hant")
    elsewhere = make_organisation("Cloud Only Ltd")
    make_contract(elsewhere, "Cloud Peak")
    complaint = homeowner_complaint("Jade Lake")
    db.session.commit()
    client.post(f"/admin/partners/complaints/{complaint.id}/attribution",
                data={"organisation_id": str(elsewhere.id)})
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert "Cloud Only Ltd在Jade Lake沒有合約" in page


def test_who_sees_the_partner_blocks(client, app, login):
    member = login(Role.MEMBER, locale="en")
    organisation = make_organisation()
    make_contract(organisation)
    complaint = homeowner_complaint(author=member)
    services.attribute_complaint(complaint, organisation, factories.make_user(Role.SERVICE),
                                 needed_repair=False)
    unlinked = factories.make_user(Role.PARTNER)
    db.session.commit()
    assert 'id="partner-panel"' not in client.get("/").get_data(as_text=True)
    assert "partner-attribution" not in client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    other = app.test_client()
    log_in(other, unlinked)
    assert 'id="partner-panel"' not in other.get("/").get_data(as_text=True)
    assert "partner-attribution" not in other.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)


def test_figures_side_by_side_with_the_renewal_chart_and_csv(client, login):
    login(Role.MARKETING, locale="en")
    first, second = make_organisation("Alpha Build"), make_organisation("<b>Beta</b> Lifts")
    make_contract(first, starts_on=date(2015, 1, 1), ends_on=date(2020, 6, 30), renewed=True)
    make_contract(first, scope="windows", starts_on=date(2015, 1, 1), ends_on=date(2020, 12, 31))
    make_contract(second, scope="lifts", starts_on=date(2016, 1, 1), ends_on=date(2021, 3, 31), renewed=True)
    complaint = homeowner_complaint(now=utcnow() - timedelta(hours=30))
    services.attribute_complaint(complaint, first, factories.make_user(Role.SERVICE), needed_repair=True)
    db.session.commit()
    page = client.get("/admin/partners/figures").get_data(as_text=True)
    assert "&lt;b&gt;Beta&lt;/b&gt; Lifts" in page and "<b>Beta</b>" not in page
    row = page.split(f'data-partner="{first.id}"')[1].split("</tr>")[0]
    assert 'figure-attributed">1<' in row and 'figure-repairs">1<' in row
    assert 'id="renewal-chart"' in page and "<rect" in page
    year_2020 = page.split('data-year="2020"')[1].split("</tr>")[0]
    assert "1 / 2 (50%)" in year_2020
    assert "1 / 1 (100%)" in page.split('data-year="2021"')[1].split("</tr>")[0]
    assert client.get("/admin/partners/figures?month=1999-01").status_code == 200  # ignored
    assert client.get("/admin/partners/figures?month=%27%20OR%201=1--").status_code == 200

    export = client.get("/admin/partners/figures.csv")
    text = export.get_data().decode("utf-8-sig")
    assert export.mimetype == "text/csv" and text.count("Alpha Build") == 12
    assert f"Alpha Build,Contractor,{utcnow().strftime('%Y-%m')},1,1,100.0" in text
    renewals = client.get("/admin/partners/renewals.csv").get_data().decode("utf-8-sig")
    assert "2020,Main construction,1,1,100.0" in renewals
    assert "2020,Windows and curtain walls,1,0,0.0" in renewals


def test_an_empty_figures_page(client, login):
    login(Role.SERVICE, locale="en")
    page = client.get("/admin/partners/figures").get_data(as_text=True)
    assert "No partner organisations yet." in page and 'id="no-renewals"' in page
