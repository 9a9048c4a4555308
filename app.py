"""Entry point for `flask` and gunicorn: `gunicorn app:app`."""

from portal import create_app

app = create_app()
