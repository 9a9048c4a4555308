"""What members and visitors see: my referral link (share text, QR code) and my referred
friends, masked; the invitee's landing page. Read-only; every flag is decided here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_number
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import Development, User
from portal.core.pagination import paginate
from portal.core.qr import qr_svg
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.referrals.models import MEMBER_STATUS_LABELS, Referral, ReferralCode
from portal.referrals.services import (
    Rule,
    Summary,
    code_of,
    current_rule,
    find_referrer,
    mask_name,
    normalise_code,
    referrals_of,
    summary_of,
)

PER_PAGE = 20


def share_link(code: str) -> str:
    """The absolute link to share: the configured base URL, never the request's Host."""
    return absolute_url("referrals.join", code=code)


def share_text(link: str, invitee_points: int) -> str:
    """The message a member pastes into a chat, in their language."""
    if invitee_points:
        return _("I am a member of the Homeowner Club and recommend it. Join with my link; when you "
                 "buy a home you get %(points)s points: %(link)s",
                 points=format_number(invitee_points), link=link)
    return _("I am a member of the Homeowner Club and recommend it. Join with my link: %(link)s",
             link=link)


@dataclass(frozen=True)
class FriendRow:
    """One referred friend as the referrer may see them: masked, member wording, points
    only once rewarded."""

    name: str
    joined_at: datetime
    status_label: object
    points: int | None


def _friend_row(referral: Referral) -> FriendRow:
    return FriendRow(mask_name(referral.invitee.display_name), referral.created_at,
                     MEMBER_STATUS_LABELS.get(referral.status, referral.status),
                     referral.referrer_points if referral.is_rewarded else None)


@dataclass(frozen=True)
class MemberPage:
    code: ReferralCode | None
    link: str | None
    qr: Markup | None
    text: str | None
    rule: Rule
    summary: Summary
    page: Pagination  # for the pager; its items are Referral rows
    friends: list[FriendRow]  # what the template shows of `page.items`


def member_page(member: User, page: int) -> MemberPage:
    """The member's link, share text and QR code (once they have a code), and one page of
    the friends they referred."""
    code = code_of(member)
    rule = current_rule()
    link = share_link(code.code) if code else None
    referrals = paginate(referrals_of(member).options(selectinload(Referral.invitee)), PER_PAGE,
                         page=page)
    return MemberPage(
        code=code, link=link, rule=rule, summary=summary_of(member), page=referrals,
        qr=Markup(qr_svg(link)) if link else None,  # nosec B704
        text=share_text(link, rule.invitee_points) if link else None,
        friends=[_friend_row(referral) for referral in referrals.items],
    )


def qr_file(member: User) -> tuple[str, str] | None:
    """(file name, SVG) of the member's link as a QR code; None before they have a code."""
    code = code_of(member)
    if code is None:
        return None
    return f"club-referral-{code.code}.svg", qr_svg(share_link(code.code))


@dataclass(frozen=True)
class Landing:
    code: str | None  # the normalised code when it belongs to a member who may refer
    referrer_name: str | None  # masked
    developments: list[Development]  # now selling
    rule: Rule


def landing(raw_code: str) -> Landing:
    """The invitee's landing page for the code in the link (valid or not)."""
    referrer = find_referrer(raw_code)
    developments = db.session.scalars(
        select(Development).where(Development.is_selling).order_by(Development.name)
    ).all()
    return Landing(code=normalise_code(raw_code) if referrer else None,
                   referrer_name=mask_name(referrer.display_name) if referrer else None,
                   developments=list(developments), rule=current_rule())
