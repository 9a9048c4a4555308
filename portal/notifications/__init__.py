"""In-app notifications and e-mail."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_login import current_user

    from portal.notifications.services import render_message, unread_count
    from portal.notifications.views import bp

    app.register_blueprint(bp)
    app.add_template_global(render_message, "notification_text")

    @app.context_processor
    def _unread():
        def unread_notifications() -> int:
            return unread_count(current_user.id) if current_user.is_authenticated else 0

        return {"unread_notifications": unread_notifications}
