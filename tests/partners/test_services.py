"""The partner rules: organisations, accounts, contracts and attributing a complaint."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.forum.models import Thread
from portal.forum.rules import can_reply, can_see_post, can_see_thread, visible_threads
from portal.notifications.models import Notification
from portal.partners import services
from portal.partners.errors import PartnerError
from portal.partners.models import ComplaintAttribution
from tests import factories
from tests.forum.helpers import make_complaint, make_reply
from tests.partners.helpers import (
    homeowner_complaint,
    make_contract,
    make_organisation,
    make_partner_account,
)


def _staff():
    return factories.make_user(Role.SERVICE)


def test_organisation_names_are_unique_and_checked(english):
    make_organisation("Huaxin")
    for name, kind, message in (("Huaxin", "contractor", "already has this name"),
                                ("  ", "contractor", "Give the organisation a name"),
                                ("x" * 121, "contractor", "too long"),
                                ("New", "bank", "Unknown kind")):
        with pytest.raises(PartnerError, match=message):
            services.save_organisation(None, _staff(), name=name, kind=kind)


def test_accounts_must_be_partner_accounts_of_one_organisation(english):
    first, second = make_organisation(), make_organisation()
    partner = make_partner_account(first)
    assert services.organisation_of(partner) == first
    with pytest.raises(PartnerError, match="already an account of this organisation"):
        services.add_account(first, _staff(), partner.email)
    with pytest.raises(PartnerError, match="already speaks for"):
        services.add_account(second, _staff(), partner.email)
    member = factories.make_member()
    with pytest.raises(PartnerError, match="not a partner account"):
        services.add_account(first, _staff(), member.email)
    with pytest.raises(PartnerError, match="no active account"):
        services.add_account(first, _staff(), "nobody@example.com")
    services.remove_account(first, _staff(), partner.id)
    assert services.organisation_of(partner) is None
    with pytest.raises(PartnerError, match="does not belong"):
        services.remove_account(first, _staff(), partner.id)


def test_contract_dates_and_scope_are_checked(english):
    organisation = make_organisation()
    development = factories.make_unit().building.development_id
    base = {"development_id": development, "scope": "lifts", "starts_on": date(2020, 1, 1),
            "ends_on": date(2024, 1, 1), "is_renewed": False}
    for change, message in (({"ends_on": date(2019, 1, 1)}, "cannot end before it starts"),
                            ({"scope": "catering"}, "Unknown contract scope"),
                            ({"development_id": 999999}, "Choose a development"),
                            ({"starts_on": None}, "start date"),
                            ({"ends_on": date(2200, 1, 1)}, "end date")):
        with pytest.raises(PartnerError, match=message):
            services.save_contract(None, organisation, _staff(), **{**base, **change})
    contract = services.save_contract(None, organisation, _staff(), **base)
    assert contract.scope_label == "Lifts" and not contract.is_renewed


def test_attributing_needs_a_contract_on_the_complaints_development(english):
    complaint = homeowner_complaint("Jade Lake")
    elsewhere = make_organisation("Elsewhere Ltd")
    make_contract(elsewhere, "Cloud Peak")
    with pytest.raises(PartnerError, match="Elsewhere Ltd has no contract on Jade Lake"):
        services.attribute_complaint(complaint, elsewhere, _staff(), needed_repair=True)
    no_unit = make_complaint()
    with pytest.raises(PartnerError, match="not tied to a unit"):
        services.attribute_complaint(no_unit, elsewhere, _staff(), needed_repair=True)
    with pytest.raises(PartnerError, match="Choose the partner"):
        services.attribute_complaint(complaint, None, _staff(), needed_repair=True)
    assert db.session.scalar(select(func.count()).select_from(ComplaintAttribution)) == 0


def test_the_contract_in_force_is_chosen_else_the_latest(english):
    organisation = make_organisation()
    old = make_contract(organisation, starts_on=date(2010, 1, 1), ends_on=date(2012, 1, 1))
    latest = make_contract(organisation, starts_on=date(2015, 1, 1), ends_on=date(2018, 1, 1))
    attribution = services.attribute_complaint(homeowner_complaint(), organisation, _staff(),
                                               needed_repair=False)
    assert attribution.contract_id == latest.id != old.id
    current = make_contract(organisation, scope="windows")
    again = services.attribute_complaint(homeowner_complaint(), organisation, _staff(), needed_repair=False)
    assert again.contract_id == current.id


def test_attribution_tells_the_partner_once_and_can_change_or_be_withdrawn(english):
    first, second = make_organisation(), make_organisation()
    make_contract(first)
    make_contract(second)
    one, other = make_partner_account(first), make_partner_account(second)
    inactive = make_partner_account(first)
    inactive.is_active_account = False  # closed after it was linked
    complaint = homeowner_complaint()
    staff = _staff()
    services.attribute_complaint(complaint, first, staff, needed_repair=False)
    db.session.commit()  # the job runs after the commit

    def notices(user) -> int:
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user.id, Notification.kind == "partners"))

    assert (notices(one), notices(other), notices(inactive)) == (1, 0, 0)
    services.attribute_complaint(complaint, first, staff, needed_repair=True)  # same partner
    db.session.commit()
    assert notices(one) == 1 and services.attribution_of(complaint).needed_repair
    services.attribute_complaint(complaint, second, staff, needed_repair=True)
    db.session.commit()
    assert (notices(one), notices(other)) == (1, 1)
    assert services.attribution_of(complaint).organisation_id == second.id
    services.withdraw_attribution(complaint, staff)
    assert services.attribution_of(complaint) is None
    with pytest.raises(PartnerError, match="not attributed"):
        services.withdraw_attribution(complaint, staff)
    actions = db.session.scalars(select(AuditEntry.action)
                                 .where(AuditEntry.action.like("partners.complaint.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["partners.complaint.attribute"] * 3 + ["partners.complaint.withdraw"]


def test_partner_accounts_read_and_answer_the_private_complaints_attributed_to_them(english):
    organisation = make_organisation()
    make_contract(organisation)
    partner = make_partner_account(organisation)
    outsider = make_partner_account(make_organisation())
    complaint = homeowner_complaint(private=True)
    thread = complaint.thread
    note = make_reply(thread, factories.make_user(Role.SERVICE), body="Internal: check the invoice",
                      internal=True)
    assert not can_see_thread(partner, thread)
    services.attribute_complaint(complaint, organisation, _staff(), needed_repair=True)

    def listed(user) -> bool:
        return db.session.scalar(select(func.count()).select_from(Thread).where(
            Thread.id == thread.id, visible_threads(user))) == 1

    assert can_see_thread(partner, thread) and listed(partner) and can_reply(partner, thread)
    assert not can_see_post(partner, note)  # internal notes stay with staff
    assert not can_see_thread(outsider, thread) and not listed(outsider)
    reply = make_reply(thread, partner, body="We will repair it on Monday.")
    assert not reply.is_official  # the partner is not club staff
    assert services.partner_badges([reply]) == {reply.id: f"Partner: {organisation.name}"}
    # A partner account whose role changed no longer reads it.
    partner.role = Role.MEMBER.value
    assert not can_see_thread(partner, thread) and not listed(partner)
