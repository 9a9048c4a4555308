"""Marketing manages perks on /admin/perks: create, edit, image, stock, hide. All audited."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.perks.models import Perk
from portal.perks.services import image_folder
from tests.factories import make_perk
from tests.perks.helpers import multipart, png_bytes, upload

VALID = {
    "title_zh_hant": "免費冷氣清洗",
    "title_zh_hans": "免费空调清洗",
    "title_en": "Free air-con cleaning",
    "description_zh_hant": "上門清洗",
    "description_zh_hans": "上门清洗",
    "description_en": "At your home",
    "category": "home_services",
    "cost": "800",
    "stock": "40",
    "per_member_limit": "2",
    "min_tier": "silver",
    "starts_at": "",
    "ends_at": "",
    "is_active": "y",
}


def _perk_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Perk))


def _audit(db, action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_marketing_creates_a_perk_in_three_languages_with_a_photo(client, login, db, app):
    marketing = login("marketing")
    response = client.post("/admin/perks/new", data={**VALID, "image": upload(png_bytes((900, 600)))},
                           content_type="multipart/form-data")
    assert response.status_code == 302

    perk = db.session.scalar(select(Perk))
    assert (perk.title_zh_hant, perk.title_zh_hans, perk.title_en) == (
        "免費冷氣清洗", "免费空调清洗", "Free air-con cleaning")
    assert (perk.cost, perk.stock, perk.per_member_limit, perk.min_tier) == (800, 40, 2, "silver")
    assert perk.is_active and perk.created_by_id == marketing.id
    assert (image_folder() / perk.image_name).exists()
    assert (image_folder() / perk.image_thumb_name).exists()
    [entry] = _audit(db, "perk.create")
    assert entry.actor_id == marketing.id and entry.target_id == perk.id
    assert entry.details["cost"] == 800

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The perk was added to the catalog." in page
    assert "Free air-con cleaning" in client.get("/admin/perks/").get_data(as_text=True)


def test_one_language_is_enough_and_stock_may_be_unlimited(client, login, db):
    login("marketing")
    data = {**VALID, "title_zh_hans": "", "title_en": "", "stock": "", "per_member_limit": ""}
    assert client.post("/admin/perks/new", data=data).status_code == 302
    perk = db.session.scalar(select(Perk))
    assert perk.title("en") == "免費冷氣清洗"
    assert perk.stock is None and perk.per_member_limit is None


@pytest.mark.parametrize("cost", [
    "0", "-5", "1.5", "1e3", "abc", "10000001", "", "NaN", "Infinity", "１０", "1_000", "٣",
    str(2 ** 63), " ",
])
def test_bad_costs_are_refused(client, login, db, cost):
    login("marketing")
    response = client.post("/admin/perks/new", data={**VALID, "cost": cost})
    assert response.status_code == 400
    assert 'id="cost"' in response.get_data(as_text=True)
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert _perk_count(db) == 0


@pytest.mark.parametrize("field, value", [
    ("stock", "-1"), ("stock", "2.5"), ("stock", "10000001"),
    ("per_member_limit", "0"), ("per_member_limit", "-2"), ("per_member_limit", "1001"),
    ("category", "lottery"), ("min_tier", "diamond"),
    ("starts_at", "yesterday"), ("title_en", "x" * 121),
])
def test_other_bad_fields_are_refused(client, login, db, field, value):
    login("marketing")
    assert client.post("/admin/perks/new", data={**VALID, field: value}).status_code == 400
    assert _perk_count(db) == 0


def test_titles_empty_in_every_language_are_refused(client, login, db):
    login("marketing")
    data = {**VALID, "title_zh_hant": " ", "title_zh_hans": "", "title_en": ""}
    response = client.post("/admin/perks/new", data=data)
    assert response.status_code == 400
    assert "Enter a title in at least one language." in response.get_data(as_text=True)
    assert _perk_count(db) == 0


def test_window_must_end_after_it_starts(client, login, db):
    login("marketing")
    data = {**VALID, "starts_at": "2026-12-10T10:00", "ends_at": "2026-12-01T10:00"}
    response = client.post("/admin/perks/new", data=data)
    assert response.status_code == 400
    assert "The end must be after the start." in response.get_data(as_text=True)
    assert _perk_count(db) == 0


def test_window_is_entered_in_the_staff_time_zone_and_stored_in_utc(client, login, db):
    login("marketing", timezone="Asia/Shanghai")
    data = {**VALID, "starts_at": "2026-12-01T10:00", "ends_at": "2026-12-31T23:30"}
    assert client.post("/admin/perks/new", data=data).status_code == 302
    perk = db.session.scalar(select(Perk))
    assert perk.starts_at == datetime(2026, 12, 1, 2, 0)
    assert perk.ends_at == datetime(2026, 12, 31, 15, 30)
    page = client.get(f"/admin/perks/{perk.id}/edit").get_data(as_text=True)
    assert 'value="2026-12-01T10:00"' in page


@pytest.mark.parametrize("body, name, reason", [
    (b"<?php echo 1; ?>", "photo.jpg", "The file is not a JPEG, PNG or WebP image."),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "x.svg",
     "The file is not a JPEG, PNG or WebP image."),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "broken.png", "The file is damaged or not a complete image."),
    (b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "huge.jpg", "The image is larger than 5 MB."),
])
def test_images_that_are_not_images_or_too_large_are_refused(client, login, db, body, name, reason):
    login("marketing")
    response = client.post("/admin/perks/new", **multipart({**VALID, "image": upload(body, name)}))
    assert response.status_code == 400
    assert reason in response.get_data(as_text=True)
    assert _perk_count(db) == 0
    folder = image_folder()
    assert not folder.exists() or not os.listdir(folder)


def test_a_form_error_stores_no_image(client, login, db):
    login("marketing")
    response = client.post("/admin/perks/new", data={**VALID, "cost": "0",
                                                     "image": upload(png_bytes())},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    folder = image_folder()
    assert not folder.exists() or not os.listdir(folder)


def test_edit_changes_fields_and_audits_before_and_after(client, login, db):
    marketing = login("marketing")
    perk = make_perk(title_en="Old title", cost=100, stock=5)
    data = {**VALID, "title_en": "New title", "cost": "250", "stock": "999"}
    response = client.post(f"/admin/perks/{perk.id}/edit", data=data)
    assert response.status_code == 302
    perk = db.session.get(Perk, perk.id)
    assert perk.title_en == "New title" and perk.cost == 250
    assert perk.stock == 5  # stock has its own form; the edit form cannot overwrite it
    [entry] = _audit(db, "perk.update")
    assert entry.actor_id == marketing.id
    assert entry.details["title_en"] == ["Old title", "New title"]
    assert entry.details["cost"] == [100, 250]
    assert "stock" not in entry.details


def test_edit_refuses_bad_input_and_changes_nothing(client, login, db):
    login("marketing")
    perk = make_perk(title_en="Keep", cost=100)
    response = client.post(f"/admin/perks/{perk.id}/edit", data={**VALID, "cost": "-1"})
    assert response.status_code == 400
    assert db.session.get(Perk, perk.id).cost == 100
    assert _audit(db, "perk.update") == []


def test_edit_replaces_and_removes_the_image(client, login, db):
    login("marketing")
    client.post("/admin/perks/new", data={**VALID, "image": upload(png_bytes())},
                content_type="multipart/form-data")
    perk = db.session.scalar(select(Perk))
    first = image_folder() / perk.image_name
    assert first.exists()

    client.post(f"/admin/perks/{perk.id}/edit",
                data={**VALID, "image": upload(png_bytes(colour="red"))},
                content_type="multipart/form-data")
    perk = db.session.get(Perk, perk.id)
    assert perk.image_name and (image_folder() / perk.image_name).exists()
    assert not first.exists()

    second = image_folder() / perk.image_name
    client.post(f"/admin/perks/{perk.id}/edit", data={**VALID, "remove_image": "y"})
    perk = db.session.get(Perk, perk.id)
    assert perk.image_name is None and not second.exists()


def test_edit_with_a_bad_image_keeps_the_old_one(client, login, db):
    login("marketing")
    client.post("/admin/perks/new", data={**VALID, "image": upload(png_bytes())},
                content_type="multipart/form-data")
    perk = db.session.scalar(select(Perk))
    name = perk.image_name
    response = client.post(f"/admin/perks/{perk.id}/edit",
                           data={**VALID, "title_en": "Changed", "image": upload(b"GIF89a", "a.gif")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    perk = db.session.get(Perk, perk.id)
    assert perk.image_name == name and perk.title_en == "Free air-con cleaning"


@pytest.mark.parametrize("start, action, quantity, expected", [
    (5, "add", "10", 15),
    (5, "remove", "5", 0),
    (5, "set", "42", 42),
    (5, "unlimited", "", None),
    (None, "set", "3", 3),
])
def test_stock_changes(client, login, db, start, action, quantity, expected):
    marketing = login("marketing")
    perk = make_perk(stock=start)
    response = client.post(f"/admin/perks/{perk.id}/stock",
                           data={"action": action, "quantity": quantity})
    assert response.status_code == 302
    assert db.session.get(Perk, perk.id).stock == expected
    [entry] = _audit(db, "perk.stock")
    assert entry.actor_id == marketing.id
    assert (entry.details["before"], entry.details["after"]) == (start, expected)


@pytest.mark.parametrize("start, action, quantity, message", [
    (5, "remove", "6", "Only 5 units are left."),
    (None, "add", "3", "The stock is unlimited: set a number of units first."),
    (5, "add", "", "Enter a number of units."),
    (5, "add", "-3", "Number must be between"),
    (5, "add", "1.5", "Enter a whole number."),
    (5, "add", "10000000", "That is more units than the catalog can hold."),
    (5, "steal", "1", "Not a valid choice"),
])
def test_bad_stock_changes_are_refused(client, login, db, start, action, quantity, message):
    login("marketing")
    perk = make_perk(stock=start)
    response = client.post(f"/admin/perks/{perk.id}/stock",
                           data={"action": action, "quantity": quantity})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.get(Perk, perk.id).stock == start
    assert _audit(db, "perk.stock") == []


def test_deactivate_hides_the_perk_and_activate_shows_it(client, login, db):
    from tests.conftest import log_in
    from tests.factories import make_member

    login("marketing")
    perk = make_perk(title_en="Seasonal")
    assert client.post(f"/admin/perks/{perk.id}/deactivate").status_code == 302
    assert db.session.get(Perk, perk.id).is_active is False
    assert len(_audit(db, "perk.deactivate")) == 1
    # Idempotent: a second click records nothing more.
    client.post(f"/admin/perks/{perk.id}/deactivate")
    assert len(_audit(db, "perk.deactivate")) == 1
    assert "Hidden" in client.get("/admin/perks/").get_data(as_text=True)

    member = make_member()
    db.session.commit()
    log_in(client, member)
    assert client.get(f"/perks/{perk.id}").status_code == 404
    assert "Seasonal" not in client.get("/perks/").get_data(as_text=True)

    login("marketing")
    client.post(f"/admin/perks/{perk.id}/activate")
    assert db.session.get(Perk, perk.id).is_active is True
    assert len(_audit(db, "perk.activate")) == 1


def test_unknown_perk_in_admin_is_404(client, login):
    login("marketing")
    assert client.get("/admin/perks/9999/edit").status_code == 404
    assert client.post("/admin/perks/9999/stock", data={"action": "add"}).status_code == 404
    assert client.post("/admin/perks/9999/deactivate").status_code == 404


def test_admin_list_is_paginated(client, login):
    login("marketing")
    for i in range(32):
        make_perk(title_en=f"Listed {i:02d}")
    first = client.get("/admin/perks/").get_data(as_text=True)
    assert first.count("/edit\"") == 30
    assert "?page=2" in first


def test_mass_assignment_fields_are_ignored(client, login, db):
    login("marketing")
    client.post("/admin/perks/new", data={**VALID, "id": "777", "created_by_id": "1",
                                          "image_name": "../../etc/passwd"})
    perk = db.session.scalar(select(Perk))
    assert perk.id != 777 and perk.image_name is None
