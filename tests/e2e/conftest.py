"""Browser tests: the app served on 127.0.0.1 to Debian's Chromium, driven by Playwright.

Never `playwright install`: we launch /usr/bin/chromium. Without it (or without
the Playwright package) the tests skip, unless REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests.conftest import test_config
from tests.support.postgres import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # shared memory in /tmp, not in a container's small /dev/shm (which the tests' SQLite
    # files may use too)
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not shutil.which(CHROMIUM):
        skip_or_fail("REQUIRE_BROWSER", f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def live_app(tmp_path):
    """A fresh app and database for one browser test (CSRF on, as in production)."""
    app = create_app(test_config(tmp_path, WTF_CSRF_ENABLED=True, TESTING=False,
                                 ALLOW_DEV_SECRET=True))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """Base URL of `live_app` served by Werkzeug in a daemon thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
