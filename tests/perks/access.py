"""Who may open the perk pages. Members (and admins) browse and redeem; marketing manages
perks; the image view serves members (catalog perks) and marketing (every perk)."""

from __future__ import annotations

from tests.access import ADMIN, ALLOWED, ANON, LOGIN, MARKETING, MEMBER, PARTNER, SERVICE, Route, only
from tests.factories import make_perk

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


RULES = [
    Route("perks.catalog", only(HOMEOWNERS)),
    Route("perks.perk_detail", only(HOMEOWNERS), path=lambda w: f"/perks/{_perk(w)}"),
    Route("perks.perk_image",
          {ANON: LOGIN, MEMBER: 200, PARTNER: 403, SERVICE: 403, MARKETING: 200, ADMIN: 200},
          path=_perk_with_image),
    Route("perks_admin.perk_list", only(PERK_MANAGERS)),
    Route("perks_admin.perk_create", only(PERK_MANAGERS)),
    Route("perks_admin.perk_create", only(PERK_MANAGERS, 400), method="POST"),
    Route("perks_admin.perk_edit", only(PERK_MANAGERS),
          path=lambda w: f"/admin/perks/{_perk(w)}/edit"),
    Route("perks_admin.perk_edit", only(PERK_MANAGERS, 400), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/edit"),
    Route("perks_admin.perk_stock", only(PERK_MANAGERS, 400), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/stock"),
    Route("perks_admin.perk_deactivate", only(PERK_MANAGERS, 302), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/deactivate"),
    Route("perks_admin.perk_activate", only(PERK_MANAGERS, 302), method="POST",
          path=lambda w: f"/admin/perks/{_perk(w)}/activate"),
]
_ = ALLOWED
