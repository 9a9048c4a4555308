# Read by the `flask` command only (python-dotenv), never by gunicorn: lets maintenance
# commands (db upgrade, translate, seed-demo) and `flask run` on a laptop start without a
# SECRET_KEY. Production sets SECRET_KEY in the environment, which always wins.
FLASK_APP=app.py
ALLOW_DEV_SECRET=1
