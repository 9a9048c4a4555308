"""Demo perks in three languages (`flask seed-demo`, after accounts and points)."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import func, or_, select

from portal.accounts.demo import demo_user
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import Perk, PerkCategory
from portal.perks.services import PerkData, PerkError, create_perk, save_perk_image
from portal.perks.vouchers import redeem_perk

# (zh_Hant, zh_Hans, en) titles and descriptions, category, cost, stock, limit, tier, colours
DEMO_PERKS = [
    (("免費冷氣清洗", "免费空调清洗", "Free air-conditioner cleaning"),
     ("由認可師傅上門清洗分體式冷氣機一部，包括隔塵網及室外機。",
      "由认可师傅上门清洗分体式空调一台，包括滤网及室外机。",
      "A certified technician cleans one split air-conditioner at your home, filters and "
      "outdoor unit included."),
     PerkCategory.HOME_SERVICES, 800, 40, 2, "member", ((31, 78, 95), (120, 190, 200))),
    # The developments sell in renminbi: CN¥ where ¥ alone could be read as yen (Babel's
    # own currency symbols per locale, as `money` shows prices).
    (("物業管理費抵扣 CN¥200", "物业管理费抵扣 ¥200", "Property fee offset CN¥200"),
     ("下期物業管理費直接扣減人民幣 200 元，由物業管理處入賬。",
      "下期物业管理费直接扣减 200 元，由物业管理处入账。",
      "CN¥200 off your next property management fee, credited by the management office."),
     PerkCategory.PROPERTY_FEE_OFFSETS, 2000, None, 6, "member", None),
    (("親子手工工作坊", "亲子手工工作坊", "Family craft workshop"),
     ("週六下午於會所舉行，適合 5 至 12 歲小朋友與家長一同參加，材料由會方提供。",
      "周六下午于会所举行，适合 5 至 12 岁小朋友与家长一同参加，材料由会方提供。",
      "Saturday afternoon at the clubhouse for children aged 5 to 12 with a parent; "
      "materials provided."),
     PerkCategory.COMMUNITY_EVENTS, 300, 2, 1, "member", ((230, 140, 60), (250, 215, 120))),
    (("合作傢俬品牌 85 折", "合作家具品牌 85 折", "15% off partner furniture"),
     ("於指定合作傢俬門市出示兌換券，正價貨品可享 85 折。",
      "于指定合作家具门市出示兑换券，正价货品可享 85 折。",
      "Show the voucher at a partner furniture store for 15% off full-price items."),
     PerkCategory.PARTNER_DISCOUNTS, 500, None, None, "member", None),
    (("全屋深層清潔（3 小時）", "全屋深层清洁（3 小时）", "Whole-home deep clean (3 hours)"),
     ("兩位清潔人員上門三小時，包括廚房及浴室除垢。",
      "两位清洁人员上门三小时，包括厨房及浴室除垢。",
      "Two cleaners for three hours, kitchen and bathroom descaling included."),
     PerkCategory.HOME_SERVICES, 3500, 25, 1, "silver", None),
    (("中秋會所晚宴（兩位）", "中秋会所晚宴（两位）", "Mid-Autumn clubhouse dinner for two"),
     ("與鄰居一同賞月，晚宴設於會所宴會廳。",
      "与邻居一同赏月，晚宴设于会所宴会厅。",
      "Celebrate the Mid-Autumn Festival with your neighbours at the clubhouse banquet hall."),
     PerkCategory.COMMUNITY_EVENTS, 1200, 60, 1, "member", None),
    (("合作裝修公司免費驗樓", "合作装修公司免费验楼", "Free home inspection by a partner contractor"),
     ("合作裝修公司派員檢查滲水、裂紋及電路，並提供書面報告。",
      "合作装修公司派员检查渗水、裂纹及电路，并提供书面报告。",
      "A partner contractor checks for leaks, cracks and wiring and gives you a written report."),
     PerkCategory.PARTNER_DISCOUNTS, 1500, 15, 1, "gold", None),
    (("停車場月租抵扣", "停车场月租抵扣", "Car park rent offset (one month)"),
     ("抵扣一個月會所停車場月租，適用於已認證業主。",
      "抵扣一个月会所停车场月租，适用于已认证业主。",
      "One month of clubhouse car park rent, for verified homeowners."),
     PerkCategory.PROPERTY_FEE_OFFSETS, 6000, 10, 1, "platinum", None),
]


def _demo_image(colours: tuple[tuple[int, int, int], tuple[int, int, int]]):
    """A simple two-colour picture with circles, stored like an upload."""
    top, bottom = colours
    image = Image.new("RGB", (640, 480), top)
    draw = ImageDraw.Draw(image)
    for y in range(480):
        t = y / 479
        draw.line([(0, y), (640, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom,
                                                                                    strict=True)))
    for i, radius in enumerate((120, 80, 45)):
        cx, cy = 200 + i * 130, 240 - i * 30
        draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius],
                     outline=(255, 255, 255), width=6)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return save_perk_image(out)


DEMO_VOUCHER_NONCE = "demo-seed-voucher-member-1"


def seed_perks() -> None:
    """Create the demo perks once (skipped when perks exist), then the member's voucher."""
    if not db.session.scalar(select(func.count()).select_from(Perk)):
        _create_perks()
    _seed_member_voucher()


def _seed_member_voucher() -> None:
    """The demo member holds one issued voucher, paid from the points the points seeder gave."""
    member = demo_user("member@demo.club")
    perk = db.session.scalar(
        select(Perk).where(Perk.is_active, Perk.min_tier == "member",
                           Perk.cost <= member.points_balance,
                           or_(Perk.stock.is_(None), Perk.stock > 5))  # keep the scarce ones
        .order_by(Perk.cost, Perk.id))
    if perk is None:  # no points yet (points seeder missing): nothing to spend
        return
    try:
        redeem_perk(member, perk, nonce=DEMO_VOUCHER_NONCE)
    except PerkError:
        return
    db.session.flush()


def _create_perks() -> None:
    marketing = demo_user("marketing@demo.club")
    now = utcnow()
    for index, (titles, descriptions, category, cost, stock, limit, tier, colours) in enumerate(
            DEMO_PERKS):
        data = PerkData(
            title_zh_hant=titles[0], title_zh_hans=titles[1], title_en=titles[2],
            description_zh_hant=descriptions[0], description_zh_hans=descriptions[1],
            description_en=descriptions[2], category=category.value, cost=cost, stock=stock,
            per_member_limit=limit, min_tier=tier,
            ends_at=now + timedelta(days=90) if category == PerkCategory.COMMUNITY_EVENTS else None)
        perk = create_perk(data, image=_demo_image(colours) if colours else None, actor=marketing)
        # Newest first in the catalog: keep the list order.
        perk.created_at = now - timedelta(minutes=index)
    db.session.flush()
