"""Staff-entered text written in one Chinese script reads in the reader's own script."""

from portal.core.i18n import localized


def test_staff_text_in_one_script_reads_in_the_other():
    perk = {"zh_Hant": "會員禮遇：溫泉一日遊", "zh_Hans": "", "en": "Spa day"}
    assert localized(perk, "zh_Hans") == "会员礼遇：温泉一日游"
    assert localized({"zh_Hans": "业主会体验日"}, "zh_Hant") == "業主會體驗日"
    assert localized({"zh_Hant": "會員", "zh_Hans": "会员!"}, "zh_Hans") == "会员!"  # written wins
    assert localized({"zh_Hant": "會員", "en": "Member"}, "en") == "Member"
