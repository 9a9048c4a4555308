"""Homes by choosing, not typing: the development → building → unit picker (a GET per
step, no JavaScript), the pending state on every page, and the staff warning when a unit
already has a verified owner."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.homes import natural_key, unit_picker, verified_owners
from portal.accounts.models import Development, Ownership
from tests import factories


def _homes(client, **args):
    return client.get("/account/homes", query_string={"lang": "en", **args}).get_data(as_text=True)


def _select(page: str, name: str) -> str:
    return page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]


def test_natural_order():
    names = ["10座", "2座", "1座", "A座", "a2"]
    assert sorted(names, key=natural_key) == ["1座", "2座", "10座", "a2", "A座"]


def test_picker_walks_development_building_unit(client, db, login):
    high = factories.make_unit("Jade Lake", "10座", "1201")
    low = factories.make_unit("Jade Lake", "2座", "801")
    factories.make_unit("Jade Lake", "2座", "1201")
    factories.make_unit("Cloud Peak", "A", "1")
    db.session.add(Development(name="Empty Garden", city="Foshan", is_selling=True))
    login("member")
    db.session.commit()

    page = _homes(client)
    options = _select(page, "development")
    assert '<option value="" selected>Choose your development</option>' in options
    assert "Jade Lake (Shenzhen)" in options and "Cloud Peak" in options
    assert "Empty Garden" not in options  # no units to choose from
    assert 'name="building"' not in page and 'id="home-request-form"' not in page

    page = _homes(client, development=low.building.development_id)
    buildings = _select(page, "building")
    assert buildings.index("2座") < buildings.index("10座")
    assert 'id="home-request-form"' not in page

    page = _homes(client, development=low.building.development_id, building=low.building_id)
    units = _select(page, "unit")
    assert units.index(">801<") < units.index(">1201<")
    assert 'id="home-request-form"' in page and "1201" in units
    assert high.number not in units or units.count("1201") == 1


def test_a_single_development_and_building_are_chosen_already(client, db, login):
    unit = factories.make_unit("Solo Court", "1", "101")
    login("member")
    db.session.commit()
    page = _homes(client)
    assert f'value="{unit.building.development_id}" selected' in _select(page, "development")
    assert f'value="{unit.building_id}" selected' in _select(page, "building")
    assert 'id="home-request-form"' in page


def test_the_default_is_no_development_not_one_not_for_sale(client, db, login):
    factories.make_unit("Aaa Old Estate", "1", "101", selling=False)
    factories.make_unit("Zzz New Town", "1", "101", selling=True)
    login("member")
    db.session.commit()
    options = _select(_homes(client), "development")
    assert '<option value="" selected>' in options
    assert "Aaa Old Estate" in options  # owners of finished developments still find theirs
    assert options.count(" selected") == 1


def test_bad_or_mismatched_choices_are_dropped(client, db, login):
    jade = factories.make_unit("Jade Lake", "1", "101")
    cloud = factories.make_unit("Cloud Peak", "A", "1")
    factories.make_unit("Cloud Peak", "B", "1")
    login("member")
    db.session.commit()
    for args in ({"development": "abc"}, {"development": "9" * 25}, {"development": "-1"},
                 {"development": "0"}, {"development": "１"}):
        response = client.get("/account/homes", query_string={"lang": "en", **args})
        assert response.status_code == 200
        assert '<option value="" selected>' in _select(response.get_data(as_text=True),
                                                       "development")
    # A building of another development is not taken.
    page = _homes(client, development=cloud.building.development_id, building=jade.building_id)
    assert 'id="home-request-form"' not in page and 'name="building"' in page


def test_a_unit_of_another_building_is_refused(client, db, login):
    chosen = factories.make_unit("Jade Lake", "1", "101")
    other = factories.make_unit("Jade Lake", "2", "202")
    login("member")
    db.session.commit()
    response = client.post("/account/homes", query_string={
        "development": chosen.building.development_id, "building": chosen.building_id,
        "lang": "en"}, data={"unit": str(other.id), "contract_number": "C-1"})
    assert response.status_code == 400 and "Not a valid choice." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 0


def test_picker_in_chinese(client, db, login):
    unit = factories.make_unit("翠湖", "1座", "801")
    factories.make_unit("翠湖", "2座", "801")
    login("member", locale="zh_Hant")
    factories.make_unit("雲峰", "A座", "1")
    db.session.commit()
    page = client.get("/account/homes").get_data(as_text=True)
    assert "請選擇樓盤" in page and "下一步" in page
    page = client.get("/account/homes", query_string={
        "development": unit.building.development_id}).get_data(as_text=True)
    assert "請選擇座數" in page


def test_pending_state_is_shown_after_asking(client, db, login):
    unit = factories.make_unit("Jade Lake", "1", "101")
    member = login("member")
    db.session.commit()
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "Own a home with us?" in home and "Verification pending" not in home
    asked = client.post("/account/homes", query_string={
        "development": unit.building.development_id, "building": unit.building_id},
        data={"unit": str(unit.id), "contract_number": "JL-1"})
    assert asked.status_code == 302
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "Own a home with us?" not in home
    assert "Your home is waiting for verification" in home and "Verification pending" in home
    assert "Waiting for verification" in _homes(client)
    ownership = db.session.scalars(select(Ownership)).one()
    assert (ownership.user_id, ownership.status) == (member.id, "pending")


def test_staff_see_a_warning_when_the_unit_has_a_verified_owner(client, db, login):
    unit = factories.make_unit("Jade Lake", "1", "101")
    owner = factories.make_member(display_name='Owner "><b>Chan</b>')
    factories.make_ownership(owner, unit)
    factories.make_ownership(factories.make_member(display_name="Second Buyer"), unit,
                             verified=False)
    factories.make_ownership(factories.make_member(display_name="Fresh Buyer"), verified=False)
    login("service")
    db.session.commit()
    page = client.get("/admin/homes?lang=en").get_data(as_text=True)
    assert page.count("This unit already has a verified owner") == 1
    assert "Owner &#34;&gt;&lt;b&gt;Chan&lt;/b&gt;" in page and "<b>Chan</b>" not in page
    assert verified_owners([unit.id]) == {unit.id: [owner]}
    assert verified_owners([unit.id], besides=[owner.id]) == {}
    assert verified_owners([]) == {}


def test_members_cannot_see_the_staff_queue(client, db, login):
    login("member")
    assert client.get("/admin/homes").status_code == 403


def test_unit_picker_service_ignores_junk(db):
    unit = factories.make_unit("Jade Lake", "1", "101")
    factories.make_unit("Cloud Peak", "1", "101")
    picker = unit_picker("x", "y")
    assert picker.step == "development" and picker.development is None
    picker = unit_picker(unit.building.development_id, "999999")
    assert picker.step == "unit" and picker.building == unit.building  # the only building
    assert [u.id for u in picker.units] == [unit.id]
