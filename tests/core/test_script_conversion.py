"""Staff-entered text written in one Chinese script reads in the reader's own script."""

import pytest

from portal.core.i18n import in_reader_script, localized
from portal.core.textfold import written_script
from portal.core.timeutil import TIME_ZONE_NAMES, zone_name
from tests import factories


def test_staff_text_in_one_script_reads_in_the_other():
    perk = {"zh_Hant": "會員禮遇：溫泉一日遊", "zh_Hans": "", "en": "Spa day"}
    assert localized(perk, "zh_Hans") == "会员礼遇：温泉一日游"
    assert localized({"zh_Hans": "业主会体验日"}, "zh_Hant") == "業主會體驗日"
    assert localized({"zh_Hant": "會員", "zh_Hans": "会员!"}, "zh_Hans") == "会员!"  # written wins
    assert localized({"zh_Hant": "會員", "en": "Member"}, "en") == "Member"


def test_the_script_a_name_is_written_in():
    assert written_script("翠湖花園") == "zh_Hant"
    assert written_script("翠湖花园") == "zh_Hans"
    assert written_script("深圳") is None and written_script("Jade Lake") is None


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh_Hans", "翠湖花园 · 3栋 · 1203"), ("zh_Hant", "翠湖花園 · 3棟 · 1203"),
    ("en", "翠湖花園 · 3棟 · 1203")])
def test_names_kept_in_one_field_read_in_the_reader_script(app, db, lang, expected):
    unit = factories.make_unit("翠湖花園", "3棟", "1203")
    with app.test_request_context(f"/?lang={lang}"):
        assert unit.label == expected
        assert in_reader_script("云顶华庭") == ("云顶华庭" if lang != "zh_Hant" else "雲頂華庭")
    assert unit.label == "翠湖花園 · 3棟 · 1203"  # outside a request: as stored


def test_time_zones_are_named_never_shown_as_ids(app, client, login):
    login("member", timezone="Asia/Hong_Kong", locale="zh_Hant")
    page = client.get("/account/").get_data(as_text=True)
    assert ">Asia/" not in page and 'selected value="Asia/Hong_Kong">香港<' in page
    assert set(TIME_ZONE_NAMES) >= {"Asia/Shanghai", "Asia/Hong_Kong", "UTC"}
    with app.test_request_context("/?lang=en"):
        assert zone_name("Asia/Shanghai") == "China (Beijing time)" and zone_name("Mars/Base") == "Mars/Base"
