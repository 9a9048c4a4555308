"""Sales files and uploads for the tests."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.sales.models import ImportBatch, Purchase
from portal.sales.parsing import REQUIRED_COLUMNS
from tests import factories

TODAY = utcnow().date()


def sale(n: int = 1, **overrides) -> dict[str, str]:
    """One contract of the file (unit 1 of building "1" of Jade Lake unless told otherwise)."""
    row = {"contract_no": f"HT-{n:04d}", "development": "Jade Lake", "building": "1",
           "unit": f"{n}01", "buyer_name": f"Buyer {n}", "buyer_phone": "", "buyer_email": "",
           "signed_on": (TODAY - timedelta(days=10)).isoformat(), "price": "3,000,000.00",
           "referral_code": ""}
    row.update({key: str(value) for key, value in overrides.items()})
    return row


def units(count: int, development: str = "Jade Lake", building: str = "1") -> list:
    """Units numbered 101, 201, … as `sale(n)` names them."""
    return [factories.make_unit(development=development, building=building, number=f"{n}01",
                                selling=True) for n in range(1, count + 1)]


def csv_text(rows: list[dict], columns: tuple[str, ...] | list[str] | None = None) -> str:
    columns = list(columns or (list(rows[0]) if rows else REQUIRED_COLUMNS))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


def csv_bytes(rows: list[dict], columns=None, encoding: str = "utf-8") -> bytes:
    return csv_text(rows, columns).encode(encoding)


def upload(client, data: bytes, name: str = "sales.csv"):
    """POST the upload form. The body is encoded here, in memory: the test client would spool
    a large one to a temporary file that it never closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), name)})
    return client.post("/admin/sales/", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def follow(client, response):
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])


def uploaded_batch(client, rows: list[dict], **kwargs) -> ImportBatch:
    """Upload `rows` and return the batch in preview."""
    response = upload(client, csv_bytes(rows, **kwargs))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    batch_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    return db.session.get(ImportBatch, batch_id)


def confirm(client, batch: ImportBatch, valid_only: bool = False):
    data = {"valid_only": "y"} if valid_only else {}
    return client.post(f"/admin/sales/batches/{batch.id}/confirm", data=data)


def purchase_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Purchase)) or 0


def batch_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ImportBatch)) or 0
