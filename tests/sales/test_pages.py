"""The purchases list, its filters and CSV, the monthly figures, the batch list, the invalid
rows download, and hostile text in files (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.core.months import months_back
from portal.sales.reports import sales_figures
from tests import factories
from tests.referrals.helpers import make_referral
from tests.sales.helpers import TODAY, confirm, csv_bytes, sale, units, upload, uploaded_batch


def _import(client, rows, **kwargs):
    batch = uploaded_batch(client, rows, **kwargs)
    assert confirm(client, batch, valid_only=True).status_code == 302
    return batch


def _month_ago(months: int) -> date:
    first = TODAY.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def test_purchases_list_filters_by_development_month_and_status(client, staff, db):
    units(2)
    cloud = units(1, development="Cloud Peak")[0]
    old = _month_ago(2)
    _import(client, [sale(1, signed_on=old.isoformat()), sale(2),
                     sale(3, development="Cloud Peak", unit="101", buyer_name="Cloud Buyer")])
    _import(client, [sale(2, status="cancelled")], columns=[*sale(), "status"])

    def contracts(query: str = "") -> set[str]:
        page = client.get("/admin/sales/purchases" + query).get_data(as_text=True)
        return {c for c in ("HT-0001", "HT-0002", "HT-0003") if c in page}

    assert contracts() == {"HT-0001", "HT-0002", "HT-0003"}
    assert contracts(f"?development={cloud.building.development_id}") == {"HT-0003"}
    assert contracts(f"?month={old:%Y-%m}") == {"HT-0001"} or old.month == TODAY.month
    assert contracts("?status=cancelled") == {"HT-0002"}
    assert contracts("?status=active") == {"HT-0001", "HT-0003"}


@pytest.mark.parametrize("query", ["?development=abc", "?development=99999999999999999999",
                                   "?month=2026-13", "?month=x", "?status=' OR 1=1--", "?page=999"])
def test_bad_filters_are_ignored(client, staff, query):
    assert client.get("/admin/sales/purchases" + query).status_code == 200


def test_purchases_are_paginated(client, staff, db):
    units(55)
    _import(client, [sale(n) for n in range(1, 56)])
    first = client.get("/admin/sales/purchases").get_data(as_text=True)
    table = first.split('id="purchase-table"')[1].split("</table>")[0]
    assert "55 purchases match." in first and table.count("<tr>") == 51  # the heading and 50 rows
    second = client.get("/admin/sales/purchases?page=2").get_data(as_text=True)
    assert "HT-00" in second and 'aria-label="Pages"' in second


def test_export_is_excel_safe_and_filtered(client, staff, db):
    units(2)
    _import(client, [sale(1, buyer_name="=HYPERLINK(\"http://x\")"), sale(2)])
    response = client.get("/admin/sales/purchases.csv?status=active")
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/csv") and text.startswith("\ufeff")
    lines = text.strip().splitlines()
    assert lines[0].startswith("\ufeffContract number,Development,Building,Unit,Buyer")
    assert len(lines) == 3
    assert "'=HYPERLINK" in text and "3000000.00,CNY," in text and "Signed" in text


@pytest.mark.parametrize(("lang", "price"), [("zh_Hans", "¥3,000,000.00"), ("zh_Hant", "CN¥3,000,000.00"),
                                             ("en", "CN¥3,000,000.00")])
def test_prices_show_in_the_development_currency(client, staff, db, lang, price):
    units(1)
    _import(client, [sale(1)])
    staff.locale = lang
    db.session.commit()
    assert price in client.get("/admin/sales/purchases").get_data(as_text=True)


def test_monthly_figures_and_the_referred_share(client, staff, db):
    units(4)
    referral = make_referral(invitee=factories.make_member(email="friend@example.com"), days_ago=40)
    last = _month_ago(1)
    _import(client, [sale(1, signed_on=TODAY), sale(2, buyer_email="friend@example.com", signed_on=TODAY),
                     sale(3, signed_on=last.isoformat()), sale(4, status="cancelled", signed_on=TODAY)],
            columns=[*sale(), "status"])
    months = months_back(3)
    figures = sales_figures(months)
    this_month = figures.by_month[months[-1]]
    assert (this_month.purchases, this_month.referred, this_month.share) == (2, 1, 0.5)
    assert figures.by_month[months[-2]].purchases == (1 if last.month != TODAY.month else 0)
    assert figures.total.purchases == 3 and figures.by_development == [("Jade Lake", figures.total)]
    assert figures.cells[("Jade Lake", months[-1])].referred == 1
    assert sales_figures(months, development_id=999).total.purchases == 0
    page = client.get("/admin/sales/purchases").get_data(as_text=True)
    assert 'id="sales-by-month"' in page and "50%" in page
    assert f'#{referral.id}' in page


def test_batch_list_and_the_invalid_rows_download(client, staff, db):
    units(1)
    batch = uploaded_batch(client, [sale(1), sale(2, price="-1"), sale(3, signed_on="soon")])
    page = client.get("/admin/sales/batches").get_data(as_text=True)
    assert "sales.csv" in page and "Waiting for confirmation" in page
    upload_page = client.get("/admin/sales/").get_data(as_text=True)
    assert f"/admin/sales/batches/{batch.id}" in upload_page and "referral_code" in upload_page
    text = client.get(f"/admin/sales/batches/{batch.id}/invalid.csv").get_data(as_text=True)
    lines = text.strip().splitlines()
    assert lines[0] == "\ufeffLine,Contract number,Reasons"
    assert lines[1].startswith("3,HT-0002,")
    assert "The price cannot be negative (-1)." in lines[1] and "no unit “201”" in lines[1]
    assert client.get("/admin/sales/batches/999999").status_code == 404


def test_hostile_text_in_a_file_is_shown_escaped(client, staff, db):
    units(1)
    evil = '"><svg onload=alert(1)>{{7*7}}'
    response = upload(client, csv_bytes([sale(1, buyer_name=evil), sale(2, unit=evil)]),
                      name="<svg onload=alert(1)>.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<svg onload" not in page and "&lt;svg onload=alert(1)&gt;" in page
    assert "{{7*7}}" in page and "49" not in page.split("{{7*7}}")[0][-3:]
