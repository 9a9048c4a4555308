"""Partner rules: organisations, their accounts and contracts; complaints attributed to a
partner, and what a partner's accounts may then read and write on the forum.

Services take plain arguments, check the rule, write and flush (the unit of work commits),
and audit every staff act. The partner's accounts are told of an attribution by a job,
which the queue starts only after the commit.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Development, User
from portal.accounts.permissions import Role
from portal.accounts.services import find_user_by_email
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.jobs import enqueue, job
from portal.core.timeutil import utcnow
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.forum.models import Complaint, Thread
from portal.notifications.services import notify, send_email
from portal.partners.errors import PartnerError
from portal.partners.models import (
    ComplaintAttribution,
    ContractScope,
    PartnerAccount,
    PartnerContract,
    PartnerKind,
    PartnerOrganisation,
)

MAX_NAME = 120
EARLIEST = date(1990, 1, 1)
LATEST = date(2100, 12, 31)


# --- organisations and accounts -----------------------------------------------------------

def save_organisation(organisation: PartnerOrganisation | None, actor: User, *, name: str,
                      kind: str, ip: str | None = None) -> PartnerOrganisation:
    """Create (organisation None) or rename / re-classify an organisation; names are unique."""
    name = " ".join((name or "").split())
    if not name:
        raise PartnerError(_l("Give the organisation a name."), field="name")
    if len(name) > MAX_NAME:
        raise PartnerError(_l("The name is too long (at most %(max)d characters).", max=MAX_NAME),
                           field="name")
    if kind not in PartnerKind.labels():
        raise PartnerError(_l("Unknown kind of partner."), field="kind")
    clash = db.session.scalar(select(PartnerOrganisation.id).where(PartnerOrganisation.name == name))
    if clash is not None and (organisation is None or clash != organisation.id):
        raise PartnerError(_l("Another organisation already has this name."), field="name")
    created = organisation is None
    organisation = organisation or PartnerOrganisation()
    before = {"name": organisation.name, "kind": organisation.kind}
    organisation.name, organisation.kind = name, kind
    db.session.add(organisation)
    db.session.flush()
    record_action(actor, "partners.organisation.create" if created else "partners.organisation.update",
                  organisation, {"before": before, "name": name, "kind": kind}, ip)
    return organisation


def organisation_of(user) -> PartnerOrganisation | None:
    """The organisation a partner account speaks for (None for anyone else)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.PARTNER:
        return None
    return db.session.scalar(select(PartnerOrganisation).join(PartnerAccount)
                             .where(PartnerAccount.user_id == user.id))


def add_account(organisation: PartnerOrganisation, actor: User, email: str,
                ip: str | None = None) -> PartnerAccount:
    """Link a partner-role user to the organisation (a user speaks for one organisation)."""
    user = find_user_by_email(email or "")
    if user is None or not user.is_active_account:
        raise PartnerError(_l("There is no active account with this e-mail address."), field="email")
    if user.role != Role.PARTNER:
        raise PartnerError(_l("%(name)s is not a partner account: give the account the partner "
                              "role first.", name=user.display_name), field="email")
    existing = db.session.get(PartnerAccount, user.id)
    if existing is not None:
        if existing.organisation_id == organisation.id:
            raise PartnerError(_l("%(name)s is already an account of this organisation.",
                                  name=user.display_name), field="email")
        raise PartnerError(_l("%(name)s already speaks for %(organisation)s.", name=user.display_name,
                              organisation=existing.organisation.name), field="email")
    account = PartnerAccount(user_id=user.id, organisation=organisation, created_at=utcnow())
    db.session.add(account)
    db.session.flush()
    record_action(actor, "partners.account.add", organisation, {"user_id": user.id}, ip)
    return account


def remove_account(organisation: PartnerOrganisation, actor: User, user_id: int,
                   ip: str | None = None) -> None:
    account = db.session.get(PartnerAccount, user_id)
    if account is None or account.organisation_id != organisation.id:
        raise PartnerError(_l("This account does not belong to the organisation."))
    db.session.delete(account)
    db.session.flush()
    record_action(actor, "partners.account.remove", organisation, {"user_id": user_id}, ip)


# --- contracts ----------------------------------------------------------------------------

def save_contract(contract: PartnerContract | None, organisation: PartnerOrganisation, actor: User, *,
                  development_id: int | None, scope: str, starts_on: date | None, ends_on: date | None,
                  is_renewed: bool, reference: str = "", ip: str | None = None) -> PartnerContract:
    """Create or change a contract of `organisation` on one development."""
    development = db.session.get(Development, development_id) if development_id else None
    if development is None:
        raise PartnerError(_l("Choose a development."), field="development_id")
    if scope not in ContractScope.labels():
        raise PartnerError(_l("Unknown contract scope."), field="scope")
    if starts_on is None or not EARLIEST <= starts_on <= LATEST:
        raise PartnerError(_l("Give a start date between 1990 and 2100."), field="starts_on")
    if ends_on is None or not EARLIEST <= ends_on <= LATEST:
        raise PartnerError(_l("Give an end date between 1990 and 2100."), field="ends_on")
    if ends_on < starts_on:
        raise PartnerError(_l("The contract cannot end before it starts."), field="ends_on")
    reference = " ".join((reference or "").split())[:64]
    created = contract is None
    contract = contract or PartnerContract(organisation=organisation)
    before = {"development_id": contract.development_id, "scope": contract.scope,
              "starts_on": str(contract.starts_on), "ends_on": str(contract.ends_on),
              "is_renewed": contract.is_renewed}
    contract.development_id, contract.scope, contract.reference = development.id, scope, reference
    contract.starts_on, contract.ends_on, contract.is_renewed = starts_on, ends_on, bool(is_renewed)
    db.session.add(contract)
    db.session.flush()
    record_action(actor, "partners.contract.create" if created else "partners.contract.update",
                  contract, {"organisation_id": organisation.id, "before": before,
                             "development_id": development.id, "scope": scope,
                             "starts_on": str(starts_on), "ends_on": str(ends_on),
                             "is_renewed": bool(is_renewed)}, ip)
    return contract


# --- attributing complaints ---------------------------------------------------------------

def complaint_development(complaint: Complaint) -> Development | None:
    """The development of the unit a complaint is tied to (None: no unit)."""
    if complaint.unit_id is None:
        return None
    # The thread page has loaded unit → building → development already: no query there.
    return complaint.unit.building.development


def partners_on(development_id: int) -> list[PartnerOrganisation]:
    """The organisations with at least one contract on the development, by name."""
    return list(db.session.scalars(
        select(PartnerOrganisation).where(exists().where(
            PartnerContract.organisation_id == PartnerOrganisation.id,
            PartnerContract.development_id == development_id))
        .order_by(PartnerOrganisation.name)))


def attribution_of(complaint: Complaint) -> ComplaintAttribution | None:
    return db.session.scalar(
        select(ComplaintAttribution).options(joinedload(ComplaintAttribution.organisation),
                                             joinedload(ComplaintAttribution.contract))
        .where(ComplaintAttribution.complaint_id == complaint.id))


def _contract_for(organisation_id: int, development_id: int, on: date) -> PartnerContract | None:
    """The partner's contract on the development in force on `on`, else its latest one
    there (a defect found after the contract ended is still that contractor's work)."""
    contracts = db.session.scalars(
        select(PartnerContract).where(PartnerContract.organisation_id == organisation_id,
                                      PartnerContract.development_id == development_id)
        .order_by(PartnerContract.starts_on.desc(), PartnerContract.id.desc())).all()
    for contract in contracts:
        if contract.starts_on <= on <= contract.ends_on:
            return contract
    return contracts[0] if contracts else None


def attribute_complaint(complaint: Complaint, organisation: PartnerOrganisation | None, actor: User, *,
                        needed_repair: bool, now: datetime | None = None,
                        ip: str | None = None) -> ComplaintAttribution:
    """Service staff name the partner responsible for a complaint and whether it needed a
    repair. Only a partner with a contract on the complaint's development qualifies. A
    second call changes the attribution; the partner's accounts are told when it is new to
    them (by a job, after the commit)."""
    now = now or utcnow()
    if organisation is None:
        raise PartnerError(_l("Choose the partner responsible."), field="organisation_id")
    development = complaint_development(complaint)
    if development is None:
        raise PartnerError(_l("This complaint is not tied to a unit, so its development is unknown: "
                              "it cannot be attributed to a partner."))
    contract = _contract_for(organisation.id, development.id, complaint.created_at.date())
    if contract is None:
        raise PartnerError(_l("%(partner)s has no contract on %(development)s, so this complaint "
                              "cannot be attributed to it.", partner=organisation.name,
                              development=development.name), field="organisation_id")
    attribution = attribution_of(complaint)
    previous = attribution.organisation_id if attribution else None
    if attribution is None:
        attribution = ComplaintAttribution(complaint_id=complaint.id)
        db.session.add(attribution)
    attribution.organisation_id, attribution.contract_id = organisation.id, contract.id
    attribution.needed_repair = bool(needed_repair)
    attribution.attributed_by_id, attribution.attributed_at = actor.id, now
    db.session.flush()
    record_action(actor, "partners.complaint.attribute", complaint,
                  {"organisation_id": organisation.id, "previous_organisation_id": previous,
                   "contract_id": contract.id, "needed_repair": bool(needed_repair)}, ip)
    if previous != organisation.id:
        enqueue(tell_partner_accounts, attribution.id)
    return attribution


def withdraw_attribution(complaint: Complaint, actor: User, ip: str | None = None) -> None:
    """Staff take back a mistaken attribution (the partner's figures no longer count it)."""
    attribution = attribution_of(complaint)
    if attribution is None:
        raise PartnerError(_l("This complaint is not attributed to a partner."))
    record_action(actor, "partners.complaint.withdraw", complaint,
                  {"organisation_id": attribution.organisation_id}, ip)
    db.session.delete(attribution)
    db.session.flush()


@job
def tell_partner_accounts(attribution_id: int) -> None:
    """Tell the partner's active accounts that a complaint was attributed to them, in the
    app and by e-mail (a job: started only once the attribution is committed)."""
    attribution = db.session.get(ComplaintAttribution, attribution_id,
                                 options=[joinedload(ComplaintAttribution.complaint)
                                          .joinedload(Complaint.thread)])
    if attribution is None:
        return
    thread = attribution.complaint.thread
    accounts = db.session.scalars(
        select(User).join(PartnerAccount, PartnerAccount.user_id == User.id)
        .where(PartnerAccount.organisation_id == attribution.organisation_id,
               User.is_active_account, User.role == Role.PARTNER.value)
        .order_by(User.id)).all()
    link = f"/forum/t/{thread.id}"
    params = {"title": thread.title}
    for user in accounts:
        notify(user, "partners", N_("A complaint was attributed to your organisation: “%(title)s”."),
               params, link=link)
        send_email(user, N_("Complaint attributed to you: %(title)s"),
                   N_("A complaint was attributed to your organisation: “%(title)s”.\n\n"
                      "Read it and reply: %(url)s"), {**params, "url": absolute_url(link)})


# --- what partner accounts may read, and how their posts are labelled ----------------------

def _attributed_threads(user_id: int):
    return (select(Complaint.thread_id)
            .join(ComplaintAttribution, ComplaintAttribution.complaint_id == Complaint.id)
            .join(PartnerAccount, PartnerAccount.organisation_id == ComplaintAttribution.organisation_id)
            .where(PartnerAccount.user_id == user_id))


def _is_partner(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.PARTNER


def partner_reads_thread(user, thread: Thread) -> bool:
    """A partner's accounts read the complaints attributed to that partner (private ones
    too: the partner must see the defect to repair it). Internal notes stay with staff."""
    if not _is_partner(user) or thread.complaint is None:
        return False
    return bool(db.session.scalar(select(exists(_attributed_threads(user.id)
                                                .where(Complaint.thread_id == thread.id)))))


def partner_thread_condition(user) -> ColumnElement[bool] | None:
    """SQL twin of `partner_reads_thread` for lists and search."""
    if not _is_partner(user):
        return None
    return Thread.id.in_(_attributed_threads(user.id))


def partner_badges(posts: list) -> dict[int, str]:
    """`{post id: "Partner: <organisation>"}` for posts written by partner accounts, so a
    partner's reply reads as the partner's, never as the club's (one query per page)."""
    authors = {post.author_id for post in posts if post.author.role == Role.PARTNER}
    if not authors:
        return {}
    names = dict(db.session.execute(
        select(PartnerAccount.user_id, PartnerOrganisation.name)
        .join(PartnerOrganisation, PartnerOrganisation.id == PartnerAccount.organisation_id)
        .where(PartnerAccount.user_id.in_(authors))).all())
    return {post.id: gettext("Partner: %(name)s", name=names[post.author_id])
            for post in posts if post.author_id in names}
