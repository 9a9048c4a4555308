"""The member home page (panels contributed by features) and the health check."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.home.views import bp

    app.register_blueprint(bp)
