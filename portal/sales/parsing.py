"""Reading a sales file: the bytes, the header, every row checked with a reason per problem.

The format (also on the upload page and in README.md): a CSV file, comma separated,
UTF-8 with or without a byte order mark, or GB18030 (what Chinese spreadsheets save), with
exactly these columns in any order — `contract_no, development, building, unit,
buyer_name, buyer_phone, buyer_email, signed_on, price, referral_code` — and optionally
`status`: empty or `active` for a signed contract, `cancelled` for a contract that fell
through (a later file marks a contract cancelled this way).

A problem with the whole file (not CSV, empty, wrong columns, too large) raises
`SalesError`; a problem with a row makes the row invalid with translated reasons
(msgids and parameters, translated when shown) and the rest of the file is still read.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.accounts.models import Building, Development, Unit
from portal.accounts.services import AccountError, normalise_email
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.services import normalise_code
from portal.sales.errors import SalesError

REQUIRED_COLUMNS = ("contract_no", "development", "building", "unit", "buyer_name", "buyer_phone",
                    "buyer_email", "signed_on", "price", "referral_code")
OPTIONAL_COLUMNS = ("status",)
CANCELLED_VALUES = frozenset({"cancelled", "canceled", "取消", "已取消"})
ACTIVE_VALUES = frozenset({"", "active", "signed"})
MAX_ROWS = 100_000
MAX_PRICE_CENTS = 10**12  # ten thousand million in the currency: far above any home
LIMITS = {"contract_no": 64, "buyer_name": 120, "buyer_phone": 32, "buyer_email": 254}

# ASCII digits only ([0-9], not \d): int() would take any script's digits.
_DATE = re.compile(r"([0-9]{4}) *[-/.年] *([0-9]{1,2}) *[-/.月] *([0-9]{1,2}) *日?"
                   r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?")
_PRICE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?:[^0-9]|$))")
_PHONE = re.compile(r"\+?[0-9 \-()]+")

Reason = list  # [msgid, params]: translated when shown


def reason(msgid: str, **params: Any) -> Reason:
    return [msgid, params]


@dataclass
class ParsedRow:
    line: int
    contract_no: str = ""
    unit_id: int | None = None
    unit_not_found: bool = False
    buyer_name: str = ""
    buyer_phone: str = ""
    buyer_email: str = ""
    signed_on: date | None = None
    price_cents: int | None = None
    referral_code: str = ""
    is_cancelled: bool = False
    reasons: list[Reason] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.reasons


@dataclass
class ParsedFile:
    rows: list[ParsedRow]

    @property
    def valid(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid(self) -> list[ParsedRow]:
        return [row for row in self.rows if not row.is_valid]


def _key(text: str) -> str:
    """How names are compared: full-width forms folded (１棟 = 1棟), case and spaces ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --- the bytes ----------------------------------------------------------------------------------

NOT_CSV = _l("This is not a CSV file. In the spreadsheet choose “Save as” → CSV, then upload "
             "that file.")


def decode(data: bytes) -> str:
    """The text of the file: UTF-8 (a byte order mark is dropped), else GB18030."""
    if b"\x00" in data:  # spreadsheets (.xlsx is a zip), images, UTF-16: not a CSV we read
        raise SalesError(NOT_CSV, field="file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SalesError(_l("The file's text is neither UTF-8 nor GB18030. Save it as “CSV UTF-8”."),
                         field="file") from exc


def check_upload(file_name: str, data: bytes, max_bytes: int) -> None:
    """Refuse what is not worth reading: another kind of file, nothing, too much."""
    if not file_name.lower().endswith(".csv"):
        raise SalesError(NOT_CSV, field="file")
    if len(data) > max_bytes:
        raise SalesError(_l("The file is larger than %(limit)s MB.", limit=max_bytes // (1024 * 1024)),
                         field="file")
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise SalesError(_l("The file is empty."), field="file")


# --- the header ---------------------------------------------------------------------------------

def _columns(header: list[str]) -> dict[str, int]:
    names = [_key(name) for name in header]
    if len(names) == 1 and (";" in names[0] or "\t" in header[0]):
        raise SalesError(_l("The columns must be separated by commas (this file uses semicolons or "
                            "tabs)."), field="file")
    repeated = sorted({name for name in names if names.count(name) > 1 and name})
    if repeated:
        raise SalesError(_l("These columns appear more than once: %(columns)s.",
                            columns=", ".join(repeated)), field="file")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    extra = [name or "(empty)" for name in names if name not in known]
    if missing or extra:
        raise SalesError(_l("The columns are not the expected ones. Missing: %(missing)s. Not "
                            "expected: %(extra)s.", missing=", ".join(missing) or "–",
                            extra=", ".join(extra) or "–"), field="file")
    return {name: index for index, name in enumerate(names)}


# --- the units ----------------------------------------------------------------------------------

class UnitIndex:
    """Developments, buildings and units by name, loaded once for the developments a file
    names (three queries whatever the number of rows)."""

    def __init__(self, development_names: Iterable[str]) -> None:
        self.developments = {_key(name): (dev_id, name) for dev_id, name in
                             db.session.execute(select(Development.id, Development.name))}
        wanted = {self.developments[key][0] for key in map(_key, development_names)
                  if key in self.developments}
        self.buildings: dict[tuple[int, str], tuple[int, str]] = {}
        self.units: dict[tuple[int, str], int] = {}
        if not wanted:
            return
        for building_id, dev_id, name in db.session.execute(
                select(Building.id, Building.development_id, Building.name)
                .where(Building.development_id.in_(wanted))):
            self.buildings[(dev_id, _key(name))] = (building_id, name)
        for unit_id, building_id, number in db.session.execute(
                select(Unit.id, Unit.building_id, Unit.number).join(Building)
                .where(Building.development_id.in_(wanted))):
            self.units[(building_id, _key(number))] = unit_id

    def find(self, development: str, building: str, unit: str) -> tuple[int | None, Reason | None]:
        found = self.developments.get(_key(development))
        if found is None:
            return None, reason(N_("Unknown development “%(name)s”."), name=development)
        dev_id, dev_name = found
        found_building = self.buildings.get((dev_id, _key(building)))
        if found_building is None:
            return None, reason(N_("%(development)s has no building “%(name)s”."),
                                development=dev_name, name=building)
        building_id, building_name = found_building
        unit_id = self.units.get((building_id, _key(unit)))
        if unit_id is None:
            return None, reason(N_("Building %(building)s of %(development)s has no unit “%(name)s”."),
                                building=building_name, development=dev_name, name=unit)
        return unit_id, None


# --- the cells ----------------------------------------------------------------------------------

def parse_date(raw: str, today: date) -> tuple[date | None, Reason | None]:
    text = unicodedata.normalize("NFKC", raw).strip()
    match = _DATE.fullmatch(text)
    try:
        day = date(*map(int, match.groups())) if match else None
    except ValueError:
        day = None
    if day is None:
        return None, reason(N_("The signing date “%(value)s” is not a date (write it as YYYY-MM-DD)."),
                            value=raw)
    if day > today:
        return None, reason(N_("The signing date %(date)s is in the future."), date=day.isoformat())
    return day, None


def parse_price(raw: str) -> tuple[int | None, Reason | None]:
    """Cents of a price written `1234567`, `1,234,567.50` or `１２３４５６７` (full width)."""
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", raw).strip().replace(" ", ""))
    match = _PRICE.fullmatch(text) if text.isascii() else None
    if match is None:
        return None, reason(N_("The price “%(value)s” is not a number."), value=raw)
    sign, whole, fraction = match.groups()
    if len(whole) > 13:
        return None, reason(N_("The price %(value)s is too large."), value=raw)
    cents = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
    if sign and cents:
        return None, reason(N_("The price cannot be negative (%(value)s)."), value=raw)
    if cents == 0:
        return None, reason(N_("The price must be more than zero."))
    if cents >= MAX_PRICE_CENTS:
        return None, reason(N_("The price %(value)s is too large."), value=raw)
    return cents, None


def _cell(values: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return values[index].strip() if index is not None else ""


def parse_row(line: int, values: list[str], columns: dict[str, int], units: UnitIndex,
              today: date) -> ParsedRow:
    row = ParsedRow(line)
    reasons = row.reasons
    if len(values) != len(columns):
        reasons.append(reason(N_("The row has %(found)s values; the header has %(expected)s columns."),
                              found=len(values), expected=len(columns)))
        return row
    cell = {name: _cell(values, columns, name) for name in columns}
    for name, limit in LIMITS.items():
        if len(cell[name]) > limit:
            reasons.append(reason(N_("%(column)s is longer than %(limit)s characters."),
                                  column=name, limit=limit))
            cell[name] = ""
    row.contract_no = unicodedata.normalize("NFKC", cell["contract_no"])
    if not row.contract_no and not any(r[1].get("column") == "contract_no" for r in reasons):
        reasons.append(reason(N_("The contract number is missing.")))
    row.unit_id, problem = units.find(cell["development"], cell["building"], cell["unit"])
    if problem:
        row.unit_not_found = True
        reasons.append(problem)
    row.buyer_name = cell["buyer_name"]
    if not row.buyer_name:
        reasons.append(reason(N_("The buyer's name is missing.")))
    row.buyer_phone = cell["buyer_phone"]
    if row.buyer_phone and not (_PHONE.fullmatch(row.buyer_phone)
                                and 7 <= sum(c in "0123456789" for c in row.buyer_phone) <= 15):
        reasons.append(reason(N_("The phone number “%(value)s” is not valid."), value=row.buyer_phone))
    if cell["buyer_email"]:
        try:
            row.buyer_email = normalise_email(cell["buyer_email"])
        except AccountError:
            reasons.append(reason(N_("The e-mail address “%(value)s” is not valid."),
                                  value=cell["buyer_email"]))
    row.signed_on, problem = parse_date(cell["signed_on"], today)
    if problem:
        reasons.append(problem)
    row.price_cents, problem = parse_price(cell["price"])
    if problem:
        reasons.append(problem)
    if cell["referral_code"]:
        row.referral_code = normalise_code(cell["referral_code"]) or ""
        if not row.referral_code:
            reasons.append(reason(N_("“%(value)s” is not a referral code."), value=cell["referral_code"]))
    status = _key(cell.get("status", ""))
    if status in CANCELLED_VALUES:
        row.is_cancelled = True
    elif status not in ACTIVE_VALUES:
        reasons.append(reason(N_("Unknown status “%(value)s” (leave it empty, or write active or "
                                 "cancelled)."), value=cell["status"]))
    return row


def _mark_repeated_contracts(rows: list[ParsedRow]) -> None:
    """A contract number twice in one file: which line is right is not ours to guess."""
    lines: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.contract_no:
            lines[row.contract_no].append(row.line)
    for row in rows:
        seen = lines.get(row.contract_no, ())
        if len(seen) > 1:
            row.reasons.append(reason(N_("Contract number %(contract)s appears more than once in the "
                                         "file (lines %(lines)s)."), contract=row.contract_no,
                                      lines=", ".join(map(str, seen))))


def parse_file(file_name: str, data: bytes, max_bytes: int) -> ParsedFile:
    """Every data row of the file, each valid or with its reasons; SalesError for the file."""
    check_upload(file_name, data, max_bytes)
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise SalesError(_l("The file is empty."), field="file")
        columns = _columns(header)
        records = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank lines, and rows of empty cells that spreadsheets leave
            records.append((reader.line_num, values))
            if len(records) > MAX_ROWS:
                raise SalesError(_l("The file has more than %(limit)s rows: split it into smaller "
                                    "files.", limit=f"{MAX_ROWS:,}"), field="file")
    except csv.Error as exc:
        raise SalesError(_l("The file is not valid CSV (line %(line)s): check its quotes.",
                            line=reader.line_num), field="file") from exc
    if not records:
        raise SalesError(_l("The file has a header but no rows."), field="file")
    index_col = columns["development"]
    units = UnitIndex({values[index_col] for _line, values in records if len(values) > index_col})
    today = utcnow().date()
    rows = [parse_row(line, values, columns, units, today) for line, values in records]
    _mark_repeated_contracts(rows)
    return ParsedFile(rows)
