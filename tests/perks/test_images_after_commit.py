"""A replaced or removed perk image is deleted only once the commit made the change
permanent; a rolled-back update keeps it. A refused save leaves no new file behind."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from portal.perks import services
from portal.perks.errors import PerkError
from portal.perks.models import Perk
from portal.perks.services import PerkData, image_folder, save_perk_image, update_perk
from tests.factories import make_perk, make_user
from tests.perks.helpers import png_bytes


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context("/?lang=en"):
        yield


def _perk_with_image(db) -> tuple[Perk, list]:
    stored = save_perk_image(io.BytesIO(png_bytes()))
    perk = make_perk(image_name=stored.name, image_thumb_name=stored.thumb_name)
    db.session.commit()
    return perk, [image_folder() / stored.name, image_folder() / stored.thumb_name]


def _data(perk: Perk) -> PerkData:
    return PerkData(title_en=perk.title_en, cost=perk.cost)


def test_replaced_image_is_deleted_after_the_commit(db):
    perk, old_files = _perk_with_image(db)
    new = save_perk_image(io.BytesIO(png_bytes(colour="red")))
    update_perk(perk, _data(perk), image=new, remove_image=False, actor=make_user("marketing"))
    db.session.flush()
    assert all(path.exists() for path in old_files)  # the old name may still come back
    db.session.commit()
    assert not any(path.exists() for path in old_files)
    assert (image_folder() / new.name).exists()


def test_removed_image_is_deleted_after_the_commit(db):
    perk, old_files = _perk_with_image(db)
    update_perk(perk, _data(perk), image=None, remove_image=True, actor=make_user("marketing"))
    assert all(path.exists() for path in old_files)
    db.session.commit()
    assert db.session.get(Perk, perk.id).image_name is None
    assert not any(path.exists() for path in old_files)


def test_rolled_back_update_keeps_the_image(db):
    perk, old_files = _perk_with_image(db)
    name = perk.image_name
    new = save_perk_image(io.BytesIO(png_bytes(colour="red")))
    update_perk(perk, _data(perk), image=new, remove_image=False, actor=make_user("marketing"))
    db.session.rollback()
    db.session.commit()  # a later commit does not run the dropped clean-up either
    assert all(path.exists() for path in old_files)
    assert db.session.get(Perk, perk.id).image_name == name


def test_update_refused_in_a_savepoint_keeps_the_image(db):
    """The request's form_errors block: the savepoint rolls back, the request commits."""
    perk, old_files = _perk_with_image(db)
    new = save_perk_image(io.BytesIO(png_bytes(colour="red")))
    savepoint = db.session.begin_nested()
    update_perk(perk, _data(perk), image=new, remove_image=False, actor=make_user("marketing"))
    savepoint.rollback()
    db.session.commit()
    assert all(path.exists() for path in old_files)


def test_save_refused_by_the_rules_stores_no_file(db):
    upload = FileStorage(io.BytesIO(png_bytes()), filename="photo.png")
    with pytest.raises(PerkError):
        services.save_perk(None, PerkData(title_en="", cost=10), upload=upload,
                           actor=make_user("marketing"))
    folder = image_folder()
    assert not folder.exists() or not list(folder.iterdir())


def test_save_that_fails_after_storing_removes_the_new_file(db, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "create_perk", fail)
    upload = FileStorage(io.BytesIO(png_bytes()), filename="photo.png")
    with pytest.raises(RuntimeError):
        services.save_perk(None, PerkData(title_en="A perk", cost=10), upload=upload,
                           actor=make_user("marketing"))
    assert not list(image_folder().iterdir())


def test_an_upload_that_is_not_an_image_is_a_perk_error_on_the_image_field(db):
    upload = FileStorage(io.BytesIO(b"<?php echo 1; ?>"), filename="photo.jpg")
    with pytest.raises(PerkError) as error:
        services.save_perk(None, PerkData(title_en="A perk", cost=10), upload=upload,
                           actor=make_user("marketing"))
    assert error.value.field == "image"
    assert str(error.value) == "The file is not a JPEG, PNG or WebP image."
