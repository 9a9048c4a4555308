"""Large files run as a job with progress on the page; an import that stops resumes where it
stopped and never records a contract twice (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.sales import importer
from portal.sales.models import BatchStatus, Purchase
from tests.sales.helpers import confirm, follow, purchase_count, sale, units, uploaded_batch


@pytest.fixture
def small_limits(app):
    app.config.update(SALES_IMPORT_INLINE_ROWS=3, SALES_IMPORT_CHUNK=2)


def test_a_large_file_runs_as_a_job_and_the_page_shows_its_result(client, staff, small_limits):
    units(7)
    batch = uploaded_batch(client, [sale(n) for n in range(1, 8)])
    response = confirm(client, batch)
    # Jobs run at once in tests, after the commit: the redirect finds the import done.
    page = follow(client, response).get_data(as_text=True)
    assert "The import runs in the background; this page shows its progress." in page
    db.session.refresh(batch)
    assert batch.status == BatchStatus.DONE
    assert (batch.progress_done, batch.progress_total, batch.cursor > 0) == (7, 7, True)
    assert batch.result["created"] == 7 and purchase_count() == 7
    assert 'id="result-created">7' in page


def test_the_progress_bar_while_importing(client, staff, small_limits):
    units(7)
    batch = uploaded_batch(client, [sale(n) for n in range(1, 8)])
    importer.confirm_batch(batch, staff, valid_only=False)
    with unit_of_work():
        assert importer.import_next_chunk(batch.id, 2) == 2
    response = client.get(f"/admin/sales/batches/{batch.id}")
    page = response.get_data(as_text=True)
    assert response.headers["Refresh"] == "3"
    assert 'id="import-progress" value="2" max="7"' in page
    assert "2 of 7 rows (28 %)." in page
    assert 'id="resume"' not in page  # still making progress


def test_a_failed_job_keeps_what_it_committed_and_resumes_without_duplicates(
        client, staff, small_limits, monkeypatch):
    units(7)
    batch = uploaded_batch(client, [sale(n) for n in range(1, 8)])
    importer.confirm_batch(batch, staff, valid_only=False)
    db.session.commit()
    real_create, calls = importer._create, []

    def crash_on_the_second_chunk(work, rows):
        calls.append(len(rows))
        real_create(work, rows)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    monkeypatch.setattr(importer, "_create", crash_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        importer.import_batch_job(batch.id)
    monkeypatch.undo()
    db.session.expire_all()
    assert batch.status == BatchStatus.FAILED and batch.error == "RuntimeError"
    assert (batch.progress_done, purchase_count()) == (2, 2)  # the second chunk rolled back

    page = client.get(f"/admin/sales/batches/{batch.id}").get_data(as_text=True)
    assert "The import stopped after 2 of 7 rows (RuntimeError)." in page and 'id="resume"' in page
    follow(client, client.post(f"/admin/sales/batches/{batch.id}/resume"))
    db.session.refresh(batch)
    assert batch.status == BatchStatus.DONE and batch.progress_done == 7
    contracts = db.session.scalars(select(Purchase.contract_no).order_by(Purchase.contract_no)).all()
    assert contracts == [f"HT-{n:04d}" for n in range(1, 8)]
    assert batch.result["created"] == 7


def test_importing_the_file_again_after_a_crash_records_only_the_rest(client, staff, monkeypatch):
    units(4)
    rows = [sale(n) for n in range(1, 5)]
    first = uploaded_batch(client, rows)
    importer.confirm_batch(first, staff, valid_only=False)
    db.session.commit()
    with unit_of_work():
        importer.import_next_chunk(first.id, 2)
    # The process died here (kill -9): the first chunk is committed, the batch says importing.
    second = uploaded_batch(client, rows)
    assert (second.counts["new"], second.counts["unchanged"]) == (2, 2)
    confirm(client, second)
    assert purchase_count() == 4


def test_a_stalled_import_may_be_resumed_and_a_running_one_not(client, staff, small_limits):
    units(4)
    batch = uploaded_batch(client, [sale(n) for n in range(1, 5)])
    importer.confirm_batch(batch, staff, valid_only=False)
    db.session.commit()
    response = follow(client, client.post(f"/admin/sales/batches/{batch.id}/resume"))
    assert "This import is not stopped" in response.get_data(as_text=True)
    assert purchase_count() == 0

    batch.updated_at = utcnow() - timedelta(minutes=11)
    db.session.commit()
    page = client.get(f"/admin/sales/batches/{batch.id}")
    assert "Refresh" not in page.headers and 'id="resume"' in page.get_data(as_text=True)
    page = follow(client, client.post(f"/admin/sales/batches/{batch.id}/resume")).get_data(as_text=True)
    assert "The import continues where it stopped." in page
    db.session.refresh(batch)
    assert batch.status == BatchStatus.DONE and purchase_count() == 4


def test_a_batch_in_preview_cannot_be_resumed(client, staff):
    units(1)
    batch = uploaded_batch(client, [sale(1)])
    follow(client, client.post(f"/admin/sales/batches/{batch.id}/resume"))
    db.session.refresh(batch)
    assert batch.status == BatchStatus.PREVIEW and purchase_count() == 0
