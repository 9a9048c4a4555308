"""Demo forum (`flask seed-demo`, order 40): categories, threads and complaints in Chinese
and English with official replies, a resolved and rated complaint, an overdue one, a
private one by member@demo.club, canned replies in the three languages, the staff of
each department (so new complaints reach them) and two complaints that staff recorded
for the homeowner (a phone call, a walk-in).

Everything goes through the services (with past `now` values), so clocks, counters and
the search index are what real use would have produced.
"""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.accounts.demo import demo_user
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints, services
from portal.forum.models import Category, Channel, Department

CATEGORIES = [
    # slug, kind, zh_Hant, zh_Hans, en, department
    ("construction-quality", "complaint", "建築質量與維修", "建筑质量与维修",
     "Construction quality & repairs", Department.ENGINEERING),
    ("property-management", "complaint", "物業管理", "物业管理", "Property management",
     Department.PROPERTY),
    ("design-layout", "complaint", "設計與戶型", "设计与户型", "Design & layout", Department.DESIGN),
    ("sales-contract", "complaint", "銷售與合同", "销售与合同", "Sales & contract", Department.SALES),
    ("community", "complaint", "社區與鄰里", "社区与邻里", "Community & neighbours",
     Department.CUSTOMER_SERVICE),
    ("club-life", "discussion", "會員生活", "会员生活", "Club life", Department.CUSTOMER_SERVICE),
    ("events", "discussion", "活動", "活动", "Events", Department.CUSTOMER_SERVICE),
    ("announcements", "announcement", "公告", "公告", "Announcements", Department.CUSTOMER_SERVICE),
]

CANNED = [
    ("zh_Hant", "已收到", "您好，我們已收到您的投訴，工程部同事將於兩個工作日內聯絡您安排上門查看。"),
    ("zh_Hant", "已安排維修", "維修已安排於 **［日期］**，屆時請留人在家。如需改期，請直接回覆本帖。"),
    ("zh_Hans", "已收到", "您好，我们已收到您的投诉，工程部同事将于两个工作日内联系您安排上门查看。"),
    ("zh_Hans", "已安排维修", "维修已安排于 **［日期］**，届时请留人在家。如需改期，请直接回复本帖。"),
    ("en", "Received", "Thank you, we have received your complaint. Our engineering team will "
                       "contact you within two working days to arrange a visit."),
    ("en", "Repair booked", "The repair is booked for **[date]**. Please make sure someone is home; "
                            "reply here to change the date."),
]


def _demo_photo() -> FileStorage:
    """A drawn "ceiling stain" so the demo complaint has a defect photo."""
    image = Image.new("RGB", (640, 480), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    draw.ellipse((220, 140, 430, 300), fill=(181, 160, 120))
    draw.ellipse((260, 170, 390, 270), fill=(150, 128, 92))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    out.seek(0)
    return FileStorage(stream=out, filename="ceiling.jpg", content_type="image/jpeg")


def seed_forum() -> None:
    if db.session.scalar(select(func.count()).select_from(Category)):
        return
    admin = demo_user("admin@demo.club")
    member = demo_user("member@demo.club")
    partner = demo_user("partner@demo.club")
    service = demo_user("service@demo.club")
    marketing = demo_user("marketing@demo.club")
    cats = {}
    for position, (slug, kind, hant, hans, en, department) in enumerate(CATEGORIES):
        cats[slug] = services.save_category(None, admin, {
            "slug": slug, "kind": kind, "name_zh_hant": hant, "name_zh_hans": hans, "name_en": en,
            "position": position * 10, "default_department": department.value})
    for locale, title, body in CANNED:
        services.save_canned_reply(None, admin, locale=locale, title=title, body=body)
    # Who hears of each department's complaints (before any arrive, so they are told).
    for department in (Department.CUSTOMER_SERVICE, Department.PROPERTY, Department.ENGINEERING):
        complaints.add_department_staff(department.value, service, admin)
    for department in (Department.ENGINEERING, Department.SALES, Department.DESIGN):
        complaints.add_department_staff(department.value, admin, admin)
    now = utcnow()
    unit = services.my_units(member)[0] if services.my_units(member) else None

    def ago(hours: float):
        return now - timedelta(hours=hours)

    services.start_thread(
        service, cats["announcements"], "2026 春季業主嘉年華 Spring homeowners' fair",
        "四月十二日（星期六）下午二時，翠湖花園中央草坪。\n\n"
        "Saturday 12 April, 2 pm, central lawn of Jade Lake Garden. Members earn double points.",
        now=ago(72))

    # In progress, answered in 3 h.
    leak = services.start_thread(
        member, cats["construction-quality"], "廚房天花板漏水，牆身起泡",
        "樓上單位洗衣機位置對下的廚房天花板一直滲水，已經持續一星期，牆身開始起泡發霉。附相片。",
        unit=unit, photos=[_demo_photo()], now=ago(30)).thread
    services.reply(service, leak, "陳先生您好，我們已收到您的投訴。工程部會於明天上午十時上門查看滲水位置。",
                   now=ago(27))
    complaints.change_status(leak.complaint, service, "in_progress", now=ago(26))
    complaints.assign(leak.complaint, service, assignee=service)
    services.reply(member, leak, "謝謝，明天上午有人在家。", now=ago(25))

    # Resolved and rated (English).
    lift = services.start_thread(
        member, cats["property-management"], "Lift in Building 1 stops between floors",
        "Twice this week the lift stopped between the 6th and 7th floor for several minutes. "
        "Elderly neighbours are afraid to use it.", now=ago(240)).thread
    services.reply(service, lift, "Thank you for reporting this. The lift contractor will inspect "
                                  "it tomorrow morning and we will post the result here.",
                   now=ago(238))
    complaints.change_status(lift.complaint, service, "in_progress", now=ago(237))
    services.reply(service, lift, "The contractor replaced a worn door sensor. The lift passed its "
                                  "safety test this afternoon.", now=ago(150))
    complaints.change_status(lift.complaint, service, "resolved", now=ago(149))
    complaints.rate(lift.complaint, member, 4, "Fixed quickly once the contractor came.",
                    now=ago(140))

    # Overdue: no official reply after 50 hours (the escalate sweep will pick it up).
    services.start_thread(
        partner, cats["community"], "小区东门夜间施工噪音",
        "东门外的道路工程每晚十一点后仍在施工，噪音很大，影响附近住户休息。", now=ago(50))

    # Private complaint by the demo member.
    services.start_thread(
        member, cats["sales-contract"], "車位合同面積與交付不符",
        "購買的地下車位合同面積為 13.5 平方米，實際量度只有 12 平方米左右，希望銷售部解釋。",
        unit=unit, is_private=True, now=ago(2))

    # Recorded by customer service for the homeowner: a phone call and a walk-in.
    services.record_complaint(
        service, member, cats["property-management"], "停車場入口閘機經常失靈",
        "陳先生來電：地庫停車場入口的閘機這星期三次無法感應車牌，晚上要等保安人手開閘，"
        "希望盡快維修。", channel=Channel.PHONE.value, unit=unit, now=ago(20))
    walk_in = services.record_complaint(
        service, member, cats["construction-quality"], "Cracked tiles in the bathroom",
        "Mr Chan came to the club office with photos: three floor tiles in the main bathroom "
        "cracked a month after handover.", channel=Channel.WALK_IN.value, unit=unit,
        now=ago(6)).thread
    complaints.assign(walk_in.complaint, service, assignee=admin)

    services.start_thread(
        partner, cats["club-life"], "业主篮球队招募队员",
        "每周六上午在会所球场练习，欢迎各位业主参加！", now=ago(100))
    services.start_thread(
        marketing, cats["events"], "Photos from the moon festival evening",
        "Thank you to everyone who came! Share your favourite photos in this thread.", now=ago(60))
    db.session.flush()

