"""Who may open the perk pages. Members (and admins) browse and redeem; marketing manages
perks; the image view serves members (catalog perks) and marketing (every perk)."""

from __future__ import annotations

from tests.access import ADMIN, ANON, LOGIN, MARKETING, MEMBER, PARTNER, SERVICE, Route, only, owner_only
from tests.factories import make_perk, make_redemption

HOMEOWNERS = (MEMBER, ADMIN)
PERK_MANAGERS = (MARKETING, ADMIN)


def _perk(world) -> int:
    return make_perk().id


def _perk_with_image(world) -> str:
    import io

    from portal.perks.services import save_perk_image
    from tests.perks.helpers import png_bytes

    stored = save_perk_image(io.BytesIO(png_bytes()))
    perk = make_perk(image_name=stored.name, image_thumb_name=stored.thumb_name)
    return f"/perks/{perk.id}/image/thumb"


def _members_voucher(suffix: str = ""):
    def build(world) -> str:
        redemption = make_redemption(world.users[MEMBER])
        return f"/perks/redemptions/{redemption.id}{suffix}"

    return build


# The owner sees their voucher; everyone else who may redeem gets 404 (no peeking).
OWNER_ONLY = owner_only(200, staff={PARTNER: 403, SERVICE: 403, MARKETING: 403})

RULES = [
    Route("perks.catalog", only(HOMEOWNERS)),
    Route("perks.perk_detail", only(HOMEOWNERS), path=lambda w: f"/perks/{_perk(w)}"),
    Route("perks.perk_image",
          {ANON: LOGIN, MEMBER: 200, PARTNER: 403, SERVICE: 403, MARKETING: 200, ADMIN: 200},
          path=_perk_with_image),
    Route("perks.redeem", only(HOMEOWNERS), path=lambda w: f"/perks/{_perk(w)}/redeem"),
    Route("perks.redeem", only(HOMEOWNERS, 400), method="POST",
          path=lambda w: f"/perks/{_perk(w)}/redeem"),
    Route("perks.my_redemptions", only(HOMEOWNERS), path="/perks/redemptions"),
    Route("perks.voucher_detail", OWNER_ONLY, path=_members_voucher()),
    Route("perks.voucher_qr", OWNER_ONLY, path=_members_voucher("/qr.svg")),
    Route("perks.cancel_redemption", {**OWNER_ONLY, MEMBER: 302}, method="POST",
          path=_members_voucher("/cancel")),
    # /admin/redemptions: the service desk fulfils vouchers; marketing lists and exports.
    # Service staff never get the list of all redemptions or the export (members' data they
    # do not need at the counter); marketing cannot mark a voucher used.
    Route("redemptions_admin.redemption_list", only((SERVICE, MARKETING, ADMIN))),
    Route("redemptions_admin.lookup_voucher", only((SERVICE, ADMIN), 400), method="POST"),
    Route("redemptions_admin.fulfil_voucher", only((SERVICE, ADMIN), 400), method="POST"),
    Route("redemptions_admin.export_redemptions", only(PERK_MANAGERS), method="POST"),
    Route("perks_admin.perk_list", only(PERK_MANAGERS)),
    Route("perks_admin.perk_create", only(PERK_MANAGERS)),
    Route("perks_admin.perk_create", only(PERK_MANAGERS, 400), method="POST"),
    Route("perks_admin.perk_edit", only(PERK_MANAGERS),
          path=lambda w: f"/admin/perks/{_perk(w)}/edit"),
    Route("perks_admin.perk_edit", only(PERK_MANAGERS, 400), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/edit"),
    Route("perks_admin.perk_preview", only(PERK_MANAGERS),
          path=lambda w: f"/admin/perks/{_perk(w)}/preview"),
    Route("perks_admin.perk_preview", only(PERK_MANAGERS, 404), path="/admin/perks/999999/preview"),
    Route("perks_admin.perk_stock", only(PERK_MANAGERS, 400), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/stock"),
    Route("perks_admin.perk_deactivate", only(PERK_MANAGERS, 302), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/deactivate"),
    Route("perks_admin.perk_activate", only(PERK_MANAGERS, 302), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/activate"),
]
