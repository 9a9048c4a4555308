"""Reading sales files: the encodings, the header, each bad row, each bad file (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import gettext

from portal.sales.parsing import REQUIRED_COLUMNS, parse_date, parse_file, parse_price
from tests.sales.helpers import (
    TODAY,
    batch_count,
    csv_bytes,
    csv_text,
    purchase_count,
    sale,
    units,
    upload,
)

LIMIT = 20 * 1024 * 1024


def _reasons(parsed) -> list[str]:
    return [gettext(msgid, **params) for row in parsed.rows for msgid, params in row.reasons]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_each_encoding_reads_the_same_chinese_rows(db, english, encoding):
    units(1, development="翠湖花園", building="1棟")
    data = csv_bytes([sale(development="翠湖花園", building="1棟", buyer_name="王小明")],
                     encoding=encoding)
    parsed = parse_file("銷售.csv", data, LIMIT)
    [row] = parsed.rows
    assert row.is_valid, _reasons(parsed)
    assert row.buyer_name == "王小明" and row.unit_id is not None


def test_header_is_matched_whatever_the_case_order_and_spaces(db, english):
    units(1)
    columns = [f" {name.upper()} " for name in reversed(REQUIRED_COLUMNS)]
    text = csv_text([sale()], REQUIRED_COLUMNS[::-1])
    text = ",".join(columns) + text[text.index("\r\n"):]
    [row] = parse_file("s.csv", text.encode(), LIMIT).rows
    assert row.is_valid and row.price_cents == 300_000_000


def test_status_column_marks_cancelled_contracts(db, english):
    units(2)
    columns = [*REQUIRED_COLUMNS, "status"]
    parsed = parse_file("s.csv", csv_bytes([sale(1, status="cancelled"), sale(2, status="")],
                                           columns=columns), LIMIT)
    assert [row.is_cancelled for row in parsed.rows] == [True, False]


def test_blank_lines_are_skipped_and_lines_counted(db, english):
    units(2)
    text = csv_text([sale(1), sale(2)]).replace("\r\nHT-0002", "\r\n,,,,,,,,,\r\n\r\nHT-0002")
    parsed = parse_file("s.csv", text.encode(), LIMIT)
    assert [row.line for row in parsed.rows] == [2, 5]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"signed_on": "31/02/2026"}, "The signing date “31/02/2026” is not a date (write it as YYYY-MM-DD)."),
    ({"signed_on": "2026-02-30"}, "The signing date “2026-02-30” is not a date (write it as YYYY-MM-DD)."),
    ({"signed_on": (TODAY + timedelta(days=1)).isoformat()},
     f"The signing date {(TODAY + timedelta(days=1)).isoformat()} is in the future."),
    ({"price": "-3000000"}, "The price cannot be negative (-3000000)."),
    ({"price": "abc"}, "The price “abc” is not a number."),
    ({"price": "1e6"}, "The price “1e6” is not a number."),
    ({"price": "١٠٠٠"}, "The price “١٠٠٠” is not a number."),
    ({"price": "0"}, "The price must be more than zero."),
    ({"price": "99999999999999999999"}, "The price 99999999999999999999 is too large."),
    ({"development": "Nowhere"}, "Unknown development “Nowhere”."),
    ({"building": "9"}, "Jade Lake has no building “9”."),
    ({"unit": "9999"}, "Building 1 of Jade Lake has no unit “9999”."),
    ({"buyer_email": "not-an-email"}, "The e-mail address “not-an-email” is not valid."),
    ({"buyer_phone": "call me"}, "The phone number “call me” is not valid."),
    ({"buyer_name": ""}, "The buyer's name is missing."),
    ({"contract_no": ""}, "The contract number is missing."),
    ({"contract_no": "X" * 65}, "contract_no is longer than 64 characters."),
    ({"referral_code": "!!"}, "“!!” is not a referral code."),
], ids=lambda value: str(value)[:40])
def test_each_bad_value_makes_the_row_invalid_with_a_reason(db, english, overrides, message):
    units(1)
    parsed = parse_file("s.csv", csv_bytes([sale(**overrides)]), LIMIT)
    assert _reasons(parsed) == [message]
    assert parsed.valid == []


def test_unknown_status_and_wrong_number_of_values(db, english):
    units(1)
    columns = [*REQUIRED_COLUMNS, "status"]
    text = csv_text([sale(status="maybe")], columns) + "HT-9,Jade Lake,1\r\n"
    assert _reasons(parse_file("s.csv", text.encode(), LIMIT)) == [
        "Unknown status “maybe” (leave it empty, or write active or cancelled).",
        "The row has 3 values; the header has 11 columns."]


def test_a_contract_twice_in_the_file_makes_every_copy_invalid(db, english):
    units(3)
    parsed = parse_file("s.csv", csv_bytes([sale(1), sale(2, contract_no="HT-0001"), sale(3)]), LIMIT)
    assert [row.is_valid for row in parsed.rows] == [False, False, True]
    assert _reasons(parsed) == ["Contract number HT-0001 appears more than once in the file "
                                "(lines 2, 3)."] * 2


def test_full_width_names_and_digits_are_read(db, english):
    units(1, development="雲頂華庭", building="A座")
    row = sale(development="雲頂華庭 ", building="Ａ座", unit="１０１", price="３，０００，０００",
               signed_on="2025年3月5日")
    parsed = parse_file("s.csv", csv_bytes([row]), LIMIT)
    [row] = parsed.rows
    assert row.is_valid, _reasons(parsed)
    assert row.signed_on == date(2025, 3, 5) and row.price_cents == 300_000_000


@pytest.mark.parametrize(("raw", "cents"), [
    ("1234567", 123456700), ("1,234,567.5", 123456750), ("1 234 567.05", 123456705), ("0.01", 1),
])
def test_prices(raw, cents, english):
    assert parse_price(raw) == (cents, None)


@pytest.mark.parametrize("raw", ["2026-3-5", "2026/03/05", "2026.3.5", "2026-03-05 00:00:00",
                                 "2026年3月5日"])
def test_dates(raw, english):
    assert parse_date(raw, date(2026, 12, 31)) == (date(2026, 3, 5), None)


# --- whole files, through the upload page: 4xx, a translated message, nothing saved -------------

def _refused(client, data: bytes, name: str = "sales.csv", status: int = 400) -> str:
    before = batch_count()
    response = upload(client, data, name)
    assert response.status_code == status
    assert batch_count() == before and purchase_count() == 0
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"contract_no\n1\n", "sales.xlsx", "This is not a CSV file."),
    (b"PK\x03\x04\x14\x00\x00\x00binary", "sales.csv", "This is not a CSV file."),
    (b"", "sales.csv", "The file is empty."),
    (b"\xef\xbb\xbf\r\n\r\n", "sales.csv", "The file is empty."),
    (",".join(REQUIRED_COLUMNS).encode() + b"\r\n", "sales.csv", "The file has a header but no rows."),
    (b"contract_no,price\r\n1,2\r\n", "sales.csv", "Missing: development, building, unit"),
    ((",".join(REQUIRED_COLUMNS) + ",colour\r\n").encode(), "sales.csv", "Not expected: colour."),
    ((",".join(REQUIRED_COLUMNS) + ",price\r\n").encode(), "sales.csv",
     "These columns appear more than once: price."),
    (";".join(REQUIRED_COLUMNS).encode() + b"\r\n1\r\n", "sales.csv", "separated by commas"),
    ((",".join(REQUIRED_COLUMNS) + '\r\n"HT-1,a\r\n').encode(), "sales.csv", "is not valid CSV"),
    (b"contract_no\r\n\x80\x80\x80\r\n", "sales.csv", "neither UTF-8 nor GB18030"),
], ids=["extension", "binary", "empty", "blank", "header-only", "missing", "extra", "repeated",
        "semicolons", "quotes", "encoding"])
def test_bad_files_are_refused_with_a_reason(client, staff, data, name, message):
    assert message in _refused(client, data, name)


def test_no_file_chosen(client, staff):
    response = client.post("/admin/sales/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)


def test_a_file_over_the_configured_size_is_refused(app, client, staff):
    app.config["SALES_IMPORT_MAX_BYTES"] = 1024 * 1024
    units(1)
    data = csv_bytes([sale()]) + b" " * (1024 * 1024)
    assert "The file is larger than 1 MB." in _refused(client, data)


def test_a_50_mb_upload_gets_the_upload_page_with_413(client, staff):
    page = _refused(client, b"x" * (50 * 1024 * 1024), status=413)
    assert "The file is larger than 20 MB." in page and 'id="upload-form"' in page


def test_invalid_rows_are_listed_on_the_preview_with_their_reasons(client, staff, db):
    units(1)
    response = upload(client, csv_bytes([sale(1), sale(2, price="-5")]))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The price cannot be negative (-5)." in page
    assert "Building 1 of Jade Lake has no unit “201”." in page
    assert purchase_count() == 0


def test_reasons_read_in_the_staff_members_language(client, login, db):
    login("service", locale="zh_Hans")
    units(1)
    response = upload(client, csv_bytes([sale(price="-5")]))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The price cannot be negative" not in page
    with client.application.test_request_context("/?lang=zh_Hans"):
        from flask_babel import force_locale

        with force_locale("zh_Hans"):
            assert gettext("The price cannot be negative (%(value)s).", value="-5") in page
