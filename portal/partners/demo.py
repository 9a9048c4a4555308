"""Demo partners (`flask seed-demo`, order 75): five organisations with contracts on the demo
developments (some ended, renewed or not, so the renewal rate has figures), partner@demo.club
speaking for 華信建築 Huaxin Builders, and complaints of the demo member's flat raised over
the last months — resolved, rated and attributed to Huaxin or the lift supplier — so the
partner's home panel and the staff figures show real numbers. Huaxin's account has answered
one of them, labelled as the partner.

Everything goes through the services with past `now` values.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from portal.accounts.demo import DEVELOPMENTS, demo_user
from portal.accounts.models import Development
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints
from portal.forum import services as forum
from portal.forum.models import Category, Complaint, Thread
from portal.partners import services
from portal.partners.models import PartnerOrganisation

JADE, CLOUD, RIVER = (name for name, *_rest in DEVELOPMENTS)

ORGANISATIONS = [
    # name, kind, [(development, scope, starts, ends, renewed)]; an `ends` of a number is
    # that many days ago, so this year's renewal rate (3 of 4, the industry's 75%) shows on
    # the dashboard's default period whatever the date.
    ("華信建築 Huaxin Builders", "contractor", [
        (JADE, "main_construction", date(2016, 3, 1), date(2019, 12, 31), True),
        (JADE, "waterproofing", date(2020, 1, 1), 220, True),
        (RIVER, "waterproofing", date(2020, 1, 1), date(2023, 12, 31), False),
        (CLOUD, "main_construction", date(2022, 1, 1), date(2027, 6, 30), False)]),
    ("天梯電梯 Skyline Lifts", "supplier", [
        (JADE, "lifts", date(2018, 1, 1), date(2023, 12, 31), True),
        (CLOUD, "lifts", date(2021, 1, 1), date(2025, 12, 31), True),
        (RIVER, "lifts", date(2020, 1, 1), 30, True)]),
    ("明窗幕牆 Clearview Windows", "supplier", [
        (JADE, "windows", date(2017, 1, 1), date(2020, 6, 30), False),
        (CLOUD, "windows", date(2021, 3, 1), date(2025, 2, 28), True),
        (RIVER, "windows", date(2020, 5, 1), 150, False)]),
    ("綠林園藝 Greenleaf Landscaping", "contractor", [
        (JADE, "landscaping", date(2019, 1, 1), date(2024, 12, 31), False),
        (RIVER, "landscaping", date(2020, 1, 1), date(2025, 12, 31), True),
        (CLOUD, "landscaping", date(2021, 7, 1), 90, True)]),
    ("長青物業 Evergreen Property", "property_manager", [
        (JADE, "property_management", date(2019, 7, 1), date(2028, 6, 30), False)]),
]

# days ago raised, title, body, partner index, needed repair, hours to resolve, rating
COMPLAINTS = [
    (150, "浴室地台去水慢，積水", "浴室地台去水非常慢，每次洗澡後積水十多分鐘。", 0, True, 70, 3),
    (118, "客廳窗邊牆身裂紋", "客廳近窗位置的牆身出現一條約三十厘米的裂紋。", 0, True, 96, 4),
    (95, "Front door frame is loose", "The frame of the front door moves when the door closes.",
     0, False, 20, 5),
    (64, "升降機按鈕失靈", "1棟升降機八樓的呼叫按鈕經常沒有反應。", 1, True, 30, 4),
    (40, "廚房地磚空鼓", "廚房有三塊地磚踩上去有空心聲，擔心會裂開。", 0, True, 120, 2),
    (12, "Balcony drain smells", "A strong smell comes from the balcony floor drain in the evening.",
     0, False, None, None),
]


def _organisations(admin) -> list[PartnerOrganisation]:
    developments = dict(db.session.execute(select(Development.name, Development.id)).all())
    today = utcnow().date()
    made = []
    for name, kind, contracts in ORGANISATIONS:
        organisation = services.save_organisation(None, admin, name=name, kind=kind)
        for development, scope, starts, ends, renewed in contracts:
            if isinstance(ends, int):
                ends = today - timedelta(days=ends)
            services.save_contract(None, organisation, admin, development_id=developments[development],
                                   scope=scope, starts_on=starts, ends_on=ends, is_renewed=renewed)
        made.append(organisation)
    return made


def seed_partners() -> None:
    if db.session.scalar(select(func.count()).select_from(PartnerOrganisation)):
        return
    admin = demo_user("admin@demo.club")
    service = demo_user("service@demo.club")
    member = demo_user("member@demo.club")
    partner = demo_user("partner@demo.club")
    organisations = _organisations(admin)
    services.add_account(organisations[0], admin, partner.email)

    category = db.session.scalar(select(Category).where(Category.slug == "construction-quality"))
    homes = [unit for unit in forum.my_units(member) if unit.building.development.name == JADE]
    if category is None or not homes:
        return
    now = utcnow()
    for days, title, body, index, repair, hours, rating in COMPLAINTS:
        raised = now - timedelta(days=days)
        thread = forum.start_thread(member, category, title, body, unit=homes[0], now=raised).thread
        forum.reply(service, thread, "我們已收到投訴，會安排承建商上門檢查。"
                                     " We have passed this to the contractor.",
                    now=raised + timedelta(hours=3))
        complaint = thread.complaint
        services.attribute_complaint(complaint, organisations[index], service, needed_repair=repair,
                                     now=raised + timedelta(hours=4))
        if hours is None:
            forum.reply(partner, thread, "華信建築售後部已收到，明天上午十時派師傅上門。 "
                                         "Huaxin's after-sales team will visit tomorrow at 10 am.",
                        now=raised + timedelta(hours=6))
            continue
        complaints.change_status(complaint, service, "in_progress", now=raised + timedelta(hours=5))
        complaints.change_status(complaint, service, "resolved", now=raised + timedelta(hours=hours))
        if rating is not None:
            complaints.rate(complaint, member, rating, now=raised + timedelta(hours=hours + 20))

    # The forum demo's kitchen leak (Jade Lake, raised yesterday) is Huaxin's too.
    leak = db.session.scalar(select(Complaint).join(Thread).where(
        Thread.title == "廚房天花板漏水，牆身起泡"))
    if leak is not None and leak.unit_id is not None:
        services.attribute_complaint(leak, organisations[0], service, needed_repair=True)
    db.session.flush()
