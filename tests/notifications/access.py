from portal.notifications.services import notify
from tests.access import MEMBER, STAFF, Route, only, owner_only, signed_in


def _members_notification(world) -> str:
    note = notify(world.users[MEMBER], "test", "Welcome to the club!", link="/")
    return f"/notifications/{note.id}/open"


RULES = [
    Route("notifications.notification_list", signed_in(200)),
    Route("notifications.mark_all_read", signed_in(302), method="POST"),
    # Only the owner may open a notification; others get 404, never a peek.
    Route("notifications.open_notification", owner_only(302),
          method="POST", path=_members_notification),
    # A staff member's own alert settings (an empty form is refused: 400).
    Route("notifications.settings", only(STAFF)),
    Route("notifications.settings", only(STAFF, 400), method="POST"),
]
