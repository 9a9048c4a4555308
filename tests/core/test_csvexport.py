"""CSV downloads: BOM for Excel, formulas neutralised, numbers left alone."""

from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from portal.campaigns import services as campaigns
from portal.core import csvexport
from portal.core.csvexport import csv_lines, safe_cell
from tests.campaigns.helpers import grant_input, members


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("陳大文", "陳大文"),
    (None, ""), (-5, "-5"), (3.5, "3.5"), (True, "1"), (False, "0"),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_lines_start_with_a_bom_and_flush_in_chunks():
    rows = ([f"row {i}", "x" * 100] for i in range(500))
    chunks = list(csv_lines(["name", "text"], rows))
    assert chunks[0] == "\ufeff"
    assert len(chunks) > 3
    text = "".join(chunks)
    assert text.startswith("\ufeffname,text\r\n") and text.count("\r\n") == 501


def test_a_large_export_goes_through_a_temporary_file_and_is_sent_whole(app, monkeypatch):
    monkeypatch.setattr(csvexport, "SPOOL_BYTES", 1000)
    rows = ([f"row {i}", "x" * 100] for i in range(500))
    with app.test_request_context():
        response = csvexport.csv_response("big.csv", ["name", "text"], rows)
    with response:
        assert not isinstance(response.response, list)  # the file, read in chunks
        data = b"".join(response.response)
    assert response.content_length == len(data)
    assert data.decode("utf-8-sig").count("\r\n") == 501


def test_a_download_from_a_real_server_reads_what_the_view_loaded(app, client, login, db):
    """A WSGI server sends the body after the request's app context, and with it the
    session, is torn down (the test client, inside the test's app context, keeps it): the
    rows must not need the campaign the view loaded then, or the download breaks off."""
    staff = login("marketing")
    members(2, display_name='=HYPERLINK("x")')
    campaign = campaigns.launch(campaigns.save_draft(None, grant_input(), actor=staff), actor=staff)
    path = f"/admin/campaigns/{campaign.id}/recipients.csv"
    db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.get(f"http://127.0.0.1:{server.server_port}{path}", timeout=10,
                                cookies={"session": client.get_cookie("session").value})
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.content.decode("utf-8-sig").count('"\'=HYPERLINK(""x"")"') == 2
