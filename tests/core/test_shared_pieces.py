"""The shared pieces every feature uses: paginator, codes, labelled enums, loaders,
absolute links, the bounded id converter and the query-string guard."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from portal.accounts.models import User
from portal.core import codes
from portal.core.enums import LabelledEnum
from portal.core.forms import MAX_ID, IdField, PortalForm
from portal.core.loaders import get_or_404, query_id
from portal.core.pagination import paginate, requested_page
from portal.core.urls import absolute_url
from tests import factories


class Colour(LabelledEnum):
    RED = "red", _l("Red")
    BLUE = "blue", _l("Blue")


@pytest.mark.parametrize(("raw", "page"), [
    ("", 1), ("3", 3), ("0", 1), ("-1", 1), ("abc", 1), ("1.5", 1), ("٣", 1),
    ("99999999999999999999", 1), ("1e3", 1), ("12345678", 1), ("1234567", 1234567),
])
def test_requested_page_is_clamped(app, raw, page):
    with app.test_request_context(f"/?page={raw}"):
        assert requested_page() == page


def test_page_past_the_end_shows_the_last_page(app, db):
    for _ in range(5):
        factories.make_member()
    with app.test_request_context("/?page=1234567"):
        result = paginate(select(User).order_by(User.id), per_page=2)
    assert result.page == 3 and len(result.items) == 1


def test_codes_are_crockford_and_forgive_typing(app):
    code = codes.random_code(8)
    assert len(code) == 8 and set(code) <= set(codes.ALPHABET)
    assert codes.normalise_code(" ab-cd oil1 ", 8) == "ABCD0111"
    assert codes.normalise_code("ABCU1234", 8) is None  # U is not in the alphabet
    assert codes.normalise_code("ABC", 8) is None
    assert codes.normalise_code(None, 8) is None
    assert codes.grouped("ABCDEFGH") == "ABCD-EFGH"


def test_labelled_enum_keeps_values_and_labels(app):
    assert Colour.RED == "red" and Colour("blue") is Colour.BLUE
    assert f"{Colour.RED}" == "red"
    with app.test_request_context("/?lang=en"):
        assert str(Colour.RED.label) == "Red"
        assert {k: str(v) for k, v in Colour.labels().items()} == {"red": "Red", "blue": "Blue"}
        assert [c.value for c in Colour.choices()] == ["red", "blue"]
        assert str(Colour.label_of("blue")) == "Blue"
    assert Colour.label_of("gone") == "gone" and Colour.label_of(None) == ""


@pytest.mark.parametrize("ident", [0, -1, MAX_ID + 1, 10**20, "1", None, True])
def test_get_or_404_refuses_impossible_ids(app, ident):
    with pytest.raises(NotFound):
        get_or_404(User, ident)


def test_get_or_404_applies_the_visibility_rule(app, db):
    user = factories.make_member()
    assert get_or_404(User, user.id) is user
    with pytest.raises(NotFound):
        get_or_404(User, user.id, visible=lambda row: False)
    with pytest.raises(NotFound):
        get_or_404(User, user.id + 1000)


@pytest.mark.parametrize(("raw", "value"), [("12", 12), ("", None), (None, None), ("0", None),
                                            ("99999999999999999999", None), ("x1", None),
                                            (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None)])
def test_query_id(raw, value):
    assert query_id(raw) == value


def test_absolute_url_uses_base_url_not_host(app):
    with app.test_request_context("/", headers={"Host": "evil.example"}):
        assert absolute_url("/perks") == "http://portal.test/perks"
        assert absolute_url("home.index") == "http://portal.test/"


class AssigneeForm(PortalForm):
    assignee = IdField()


@pytest.mark.parametrize(("raw", "ok"), [("5", True), ("0", False), ("99999999999999999999", False),
                                         (str(MAX_ID + 1), False), ("-3", False), ("x", False)])
def test_id_field_accepts_only_plausible_ids(app, raw, ok):
    with app.test_request_context("/", method="POST", data={"assignee": raw}):
        form = AssigneeForm(meta={"csrf": False})
        assert form.validate() is ok


@pytest.mark.parametrize("path", ["/perks/99999999999999999999", f"/perks/{MAX_ID + 1}",
                                  "/forum/t/99999999999999999999"])
def test_huge_ids_in_urls_are_not_found(client, login, path):
    login("member")
    assert client.get(path).status_code == 404


def test_nul_in_query_string_is_a_bad_request(client, login):
    login("member")
    assert client.get("/forum/search?q=a%00b").status_code == 400


def test_unknown_permission_name_raises(app, db):
    member = factories.make_member()
    with pytest.raises(ValueError):
        member.can("record_purchase")  # a typo
    from portal.accounts.models import Guest

    with pytest.raises(ValueError):
        Guest().can("no_such_permission")



def test_reward_modifiers_run_in_order_and_never_make_a_reward_negative(app):
    from portal.core.rewards import RewardTrigger, add_reward_modifier, adjusted_reward

    assert adjusted_reward(RewardTrigger.REFERRAL_CONVERTED, 1, 500) == 500
    add_reward_modifier(app, lambda trigger, member_id, points: points * 2)
    add_reward_modifier(app, lambda trigger, member_id, points: points - 1500 if member_id == 7 else points)
    assert adjusted_reward(RewardTrigger.REFERRAL_CONVERTED, 1, 500) == 1000
    assert adjusted_reward(RewardTrigger.REFERRAL_CONVERTED, 7, 500) == 0


def test_a_registry_a_test_adds_to_is_back_as_it_was_for_the_next_test(app):
    # Runs after the test above in this file: its modifiers are gone.
    from portal.core.hooks import hooks

    assert [modifier.__name__ for modifier in hooks(app).reward_modifiers] == ["campaign_bonus"]
