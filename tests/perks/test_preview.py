"""Marketing previews a perk as members see it, in each language, hidden ones too."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.perks.models import Redemption
from tests.factories import make_perk


def test_marketing_previews_a_perk_as_members_see_it(client, login, db):
    login("marketing", locale="en")
    perk = make_perk(title_zh_hant="免費洗車", title_zh_hans="免费洗车", title_en="Free car wash",
                     cost=800, is_active=False)
    db.session.commit()
    page = client.get(f"/admin/perks/{perk.id}/preview").get_data(as_text=True)
    assert "Preview: this is how members see this perk." in page
    assert "Free car wash" in page and "800 points" in page
    assert "disabled" in page and f"/perks/{perk.id}/redeem" not in page
    assert "Your balance" not in page
    hans = client.get(f"/admin/perks/{perk.id}/preview?locale=zh_Hans").get_data(as_text=True)
    assert "免费洗车" in hans and "Preview: this is how members see this perk." in hans
    odd = client.get(f"/admin/perks/{perk.id}/preview", query_string={"locale": '"><x>'})
    assert odd.status_code == 200 and "Free car wash" in odd.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 0


def test_edit_page_links_to_the_preview(client, login, db):
    login("marketing", locale="en")
    perk = make_perk()
    db.session.commit()
    page = client.get(f"/admin/perks/{perk.id}/edit").get_data(as_text=True)
    assert f'href="/admin/perks/{perk.id}/preview"' in page


def test_members_cannot_preview(client, login, db):
    login("member")
    perk = make_perk()
    db.session.commit()
    assert client.get(f"/admin/perks/{perk.id}/preview").status_code == 403
