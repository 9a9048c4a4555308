"""Labels with a context: a complaint's status "Open" is 待處理 / 待处理 (the button "Open"
stays 開啟), flag-a-post "Report" is 舉報 / 举报 (a report tab stays 報告); stored values
are unchanged."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from portal.forum.display import label
from portal.forum.models import CategoryKind, ComplaintStatus, Department, Priority
from tests import factories
from tests.forum.helpers import make_complaint, make_reply, make_thread

OPEN = {"zh_Hant": "待處理", "zh_Hans": "待处理", "en": "Open"}
REPORT = {"zh_Hant": "舉報", "zh_Hans": "举报", "en": "Report"}


@pytest.mark.parametrize("locale", OPEN)
def test_a_new_complaint_reads_open_in_each_language(client, login, db, locale):
    member = login("member", locale=locale)
    complaint = make_complaint(member, title="Leak")
    assert complaint.status == "open"  # the stored value is unchanged
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert f'complaint-status">{OPEN[locale]}</span>' in page
    listing = client.get(f"/forum/c/{complaint.thread.category.slug}").get_data(as_text=True)
    assert f'complaint-status">{OPEN[locale]}</span>' in listing
    if locale != "en":
        assert "開啟" not in page and "开启" not in page


@pytest.mark.parametrize("locale", REPORT)
def test_the_flag_link_reads_report_a_post(client, login, db, locale):
    login("member", locale=locale)
    thread = make_thread()
    post = make_reply(thread, factories.make_member())
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert (f'<a class="flag-link" href="/forum/p/{post.id}/flag">{REPORT[locale]}</a>') in page
    assert "報告" not in page and "报告" not in page


def test_the_plain_msgids_keep_their_other_meanings(app):
    with app.test_request_context(), force_locale("zh_Hant"):
        assert gettext("Open") == "開啟"  # a button
        assert gettext("Report") == "報告"  # a report tab
        assert label("status", "open") == "待處理"
    with app.test_request_context(), force_locale("zh_Hans"):
        assert label("status", "open") == "待处理"


def test_every_label_is_translated_and_unknown_codes_show_as_stored(app):
    with app.test_request_context(), force_locale("zh_Hant"):
        for enum in (CategoryKind, ComplaintStatus, Department, Priority):
            for member in enum:
                assert str(member.label) != member.value
                assert not str(member.label).isascii(), member
        assert label("department", "engineering") == "工程與品質"
        assert label("priority", "gone") == "gone"
