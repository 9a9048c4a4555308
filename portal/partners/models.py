"""Partner organisations, their accounts and contracts, and complaints attributed to them.

A partner organisation (contractor, supplier, agency, the property manager) has partner
accounts (users with the partner role, one organisation each) and contracts, each on one
development with a scope and dates. Service staff attribute a forum complaint to the
partner responsible for it — only to one with a contract on the complaint's development —
and say whether it needed a repair (rework). The monthly figures and the renewal rate
(portal/partners/reports.py) are computed from these rows.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_pgettext as _lp
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Development, User
from portal.core.enums import LabelledEnum
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum.models import Complaint


def _values(enum: type[LabelledEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class PartnerKind(LabelledEnum):
    CONTRACTOR = "contractor", _lp("partner kind", "Contractor")
    SUPPLIER = "supplier", _lp("partner kind", "Supplier")
    AGENCY = "agency", _lp("partner kind", "Sales agency")
    PROPERTY_MANAGER = "property_manager", _lp("partner kind", "Property manager")


class ContractScope(LabelledEnum):
    MAIN_CONSTRUCTION = "main_construction", _lp("contract scope", "Main construction")
    LIFTS = "lifts", _lp("contract scope", "Lifts")
    WINDOWS = "windows", _lp("contract scope", "Windows and curtain walls")
    WATERPROOFING = "waterproofing", _lp("contract scope", "Waterproofing")
    MEP = "mep", _lp("contract scope", "Electrical and plumbing")
    FITOUT = "fitout", _lp("contract scope", "Interior fit-out")
    LANDSCAPING = "landscaping", _lp("contract scope", "Landscaping")
    PROPERTY_MANAGEMENT = "property_management", _lp("contract scope", "Property management")
    SALES_AGENCY = "sales_agency", _lp("contract scope", "Sales agency")


class PartnerOrganisation(db.Model):
    __tablename__ = "partner_organisations"
    __table_args__ = (CheckConstraint(f"kind IN ({_values(PartnerKind)})", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    accounts: Mapped[list[PartnerAccount]] = relationship(back_populates="organisation",
                                                          order_by="PartnerAccount.created_at")
    contracts: Mapped[list[PartnerContract]] = relationship(
        back_populates="organisation", order_by="(PartnerContract.starts_on.desc(), PartnerContract.id)")

    @property
    def kind_label(self):
        return PartnerKind.label_of(self.kind)


class PartnerAccount(db.Model):
    """A user (partner role) who speaks for one organisation."""

    __tablename__ = "partner_accounts"
    __table_args__ = (Index("ix_partner_accounts_organisation_id", "organisation_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("partner_organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organisation: Mapped[PartnerOrganisation] = relationship(back_populates="accounts")


class PartnerContract(db.Model):
    __tablename__ = "partner_contracts"
    __table_args__ = (
        CheckConstraint(f"scope IN ({_values(ContractScope)})", name="scope_known"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        # "Is there a contract of this partner on this development?" and the partner's page.
        Index("ix_partner_contracts_organisation_id_development_id", "organisation_id", "development_id"),
        # The renewal rate: contracts by the year they ended.
        Index("ix_partner_contracts_ends_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("partner_organisations.id"))
    development_id: Mapped[int] = mapped_column(ForeignKey("developments.id"))
    scope: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(64), default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    is_renewed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[PartnerOrganisation] = relationship(back_populates="contracts")
    development: Mapped[Development] = relationship()

    @property
    def scope_label(self):
        return ContractScope.label_of(self.scope)


class ComplaintAttribution(db.Model):
    """The partner responsible for a complaint (one per complaint), through one of its
    contracts on the complaint's development, and whether it needed a repair."""

    __tablename__ = "partner_complaint_attributions"
    __table_args__ = (
        # The monthly figures of a partner.
        Index("ix_partner_complaint_attributions_organisation_id", "organisation_id"),
        UniqueConstraint("complaint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("forum_complaints.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("partner_organisations.id"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("partner_contracts.id"))
    needed_repair: Mapped[bool] = mapped_column(default=False)
    attributed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    attributed_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship()
    organisation: Mapped[PartnerOrganisation] = relationship()
    contract: Mapped[PartnerContract] = relationship()
    attributed_by: Mapped[User] = relationship()
