"""Every form of the app, found from the registered views, survives hostile input (issue 14,
"Input never breaks a page").

The forms are derived, not hand-listed: every URL rule accepting POST has a row in a
tests/<feature>/access.py table (tests/test_permissions.py fails on a rule nobody
listed), which builds a concrete path and says which actor the view lets through. The
fields are read from the pages: the `<form method="post">` whose action is that rule, on
the POST path or a page above it, else on a page of its feature or any page of the
access tables, else (a form shown only in a state the row's object is not in) from the
template that posts to it. FORM_FUZZ_REPORT=file lists where each form was found.

Hypothesis then fills every field with a plausible value and makes one to three of them
hostile, as that actor and in Traditional Chinese: random unicode (lone
surrogates included), empty values, long and 1 MB strings, NUL bytes, invalid UTF-8 in a
raw urlencoded body, negative, huge and non-numeric numbers, mixed scripts, path
traversal file names, and bodies of the wrong content type. It asserts:

- never a 5xx (with TESTING on, an exception the error handler would turn into a 500);
- a refused submission (any 4xx) leaves every table as it was;
- the refusal is in the member's language: no English sentence of our catalogue or of
  WTForms' appears in the page.
"""

from __future__ import annotations

import copy
import html
import io
import json
import os
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote_from_bytes, urlsplit

import pytest
import wtforms
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.test import encode_multipart

from portal.accounts.models import User
from tests.access import ACTORS, ANON, LOGIN, SUSPENDED, Route
from tests.conftest import log_in
from tests.support.sqlite_file import put_database
from tests.test_permissions import FRAMEWORK_ENDPOINTS, RULES, _path, declared_access, make_world

# Generated per form, besides the three explicit examples; FORM_FUZZ_EXAMPLES=50 digs deeper.
EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "6"))
LOCALE = "zh_Hant"
REFUSED_ACCESS = {403, 404, 405, LOGIN}
ROOT = Path(__file__).resolve().parent.parent
MEGABYTE = 1024 * 1024


# --- Which routes, as whom -------------------------------------------------------------

def fuzz_actor(route: Route) -> str | None:
    """The first actor the view lets through (a status other than login / 403 / 404)."""
    for actor in ACTORS:
        if actor != SUSPENDED and route.expected(actor, True) not in REFUSED_ACCESS:
            return actor
    return None


POST_ROWS = [route for route in RULES if route.method == "POST"]
FUZZED = [(route, actor) for route in POST_ROWS if (actor := fuzz_actor(route))]


# --- Forms on the pages ----------------------------------------------------------------

TEXT_TYPES = {"text", "textarea", "email", "password", "search", "url", "tel", ""}
NUMBER_TYPES = {"number", "range", "date", "datetime-local", "time", "month"}


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea", "select" or "button"
    values: list[str] = field(default_factory=list)  # what the page offers or holds

    @property
    def free_text(self) -> bool:
        return self.kind in TEXT_TYPES


@dataclass
class Form:
    action: str
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The POST forms of a page with their fields (inputs, selects, textareas, buttons)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(a.get("action", ""), "multipart" in a.get("enctype", ""))
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "option" and self._select is not None:
            self._select.values.append(a.get("value", ""))
        if not name or name == "csrf_token":
            return
        if tag in ("input", "button"):
            kind = "button" if tag == "button" else a.get("type", "text").lower()
            found = self._add(name, kind)
            if "value" in a:
                found.values.append(a["value"])
        elif tag == "textarea":
            self._textarea = self._add(name, "textarea")
        elif tag == "select":
            self._select = self._add(name, "select")

    def handle_data(self, data) -> None:
        if self._textarea is not None and data.strip():
            self._textarea.values.append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def _add(self, name: str, kind: str) -> Field:
        assert self._form is not None
        return self._form.fields.setdefault(name, Field(name, kind))


def forms_in(page: str) -> list[Form]:
    parser = FormParser()
    parser.feed(page)
    return parser.forms


def endpoint_of(app, path: str, method: str = "POST") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method=method)
    except (NotFound, MethodNotAllowed):
        return None
    return endpoint


def merge(forms: dict[str, Form], endpoint: str, form: Form) -> None:
    known = forms.setdefault(endpoint, Form(form.action, form.multipart))
    known.multipart |= form.multipart
    for name, found in form.fields.items():
        if name in known.fields:
            known.fields[name].values.extend(v for v in found.values if v not in known.fields[name].values)
        else:
            known.fields[name] = found


def forms_of_page(app, client, path: str, forms: dict[str, Form], page_path: str = "") -> None:
    """Add the POST forms of the page at `path` to `forms`, by the endpoint they post to."""
    response = client.get(path, follow_redirects=True)
    if response.status_code == 200 and response.mimetype == "text/html":
        here = response.request.path if response.history else (page_path or path)
        for form in forms_in(response.get_data(as_text=True)):
            action = form.action or here
            endpoint = endpoint_of(app, action)
            if endpoint is not None:
                merge(forms, endpoint, form)
    response.close()


_PAGE_FORMS: dict[tuple[str, str], dict[str, Form]] = {}


def blueprint_of(endpoint: str) -> str:
    return endpoint.rpartition(".")[0]


def database_file(db) -> Path:
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # the last connection checkpoints the WAL into the file
    return Path(db.engine.url.database)


def fresh_world(db, content: bytes):
    put_database(database_file(db), content)
    world = make_world()
    db.session.commit()
    return world


def forms_on_pages(app, db, actor: str, blueprint: str | None, pristine: bytes) -> dict[str, Form]:
    """The POST forms on the GET pages of the access tables that `actor` may open (those of
    `blueprint`, or every page when None), by the endpoint they post to. Built once per
    worker on the `pristine` database (the test's own is put back after); a path builder
    that clashes with an earlier one's rows gets a fresh database."""
    key = (actor, blueprint or "")
    if key in _PAGE_FORMS:
        return _PAGE_FORMS[key]
    backup = database_file(db).read_bytes()
    forms: dict[str, Form] = {}
    try:
        world = fresh_world(db, pristine)
        for route in RULES:
            if route.method != "GET" or route.expected(actor, True) != 200:
                continue
            if blueprint is not None and blueprint_of(route.endpoint) != blueprint:
                continue
            try:
                with db.session.begin_nested():
                    path = _path(app, world, route)
            except IntegrityError:
                world = fresh_world(db, pristine)
                path = _path(app, world, route)
            db.session.commit()
            client = app.test_client()
            if actor != ANON:
                log_in(client, world.users[actor])
            forms_of_page(app, client, path, forms)
    finally:
        db.session.rollback()
        put_database(database_file(db), backup)
    _PAGE_FORMS[key] = forms
    return forms


# --- What is "English" -----------------------------------------------------------------

@cache
def english_sentences() -> tuple[str, ...]:
    """Sentences of our catalogue and WTForms' that a Chinese page must not show: msgids
    of at least three words, translated into zh_Hant; a msgid with placeholders gives its
    longest literal piece when that is still a sentence."""
    sentences = set()
    catalogs = [ROOT / "translations" / LOCALE / "LC_MESSAGES" / "messages.po",
                Path(wtforms.__file__).parent / "locale" / "zh_TW" / "LC_MESSAGES" / "wtforms.po"]
    for po in catalogs:
        with po.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if not message.id or not message.string or message.fuzzy:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid, translated in zip(ids, strings, strict=False):
                if not translated or translated == msgid:
                    continue
                piece = max(re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", msgid), key=len).strip()
                if piece.count(" ") >= 2 and len(piece) >= 15:
                    sentences.add(piece)
    return tuple(sorted(sentences))


def english_in(page: str, typed: set[str] = frozenset()) -> list[str]:
    """The catalogue's English sentences on `page`, except those inside something the test
    itself `typed` earlier (Hypothesis draws strings from the code's own literals, so an
    accepted example may have posted "Something went wrong" as a reply)."""
    shown = html.unescape(re.sub(r"<[^>]+>", " ", page))
    shown = re.sub(r"\s+", " ", shown)
    return [sentence for sentence in english_sentences() if sentence in shown
            and not any(sentence in text for text in typed)]


# --- The database ----------------------------------------------------------------------

def fingerprint(db) -> dict[str, tuple]:
    """Every row of every table, to compare before and after a refused submission: the stored
    values as the driver reads them (converting them to Python types cost a fifth of the test)."""
    names = [table.name for table in db.metadata.sorted_tables]
    with db.engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            return {name: tuple(cursor.execute(f'SELECT * FROM "{name}"').fetchall()) for name in names}
        finally:
            cursor.close()


def changed_tables(before: dict, after: dict) -> list[str]:
    return [f"{name} ({len(before[name])} → {len(after[name])} rows)"
            for name in before if before[name] != after[name]]


# --- Hostile values --------------------------------------------------------------------

KEEP, OMIT = "<keep the page's value>", "<leave the field out>"
HUGE_TEXT = "長" * (MEGABYTE // 3)  # 1 MB of UTF-8
MIXED = "翠湖花園 Jade Lake 第3座 Block B 12/F 業主 owner 😀"
SPECIAL_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\ufeff\u202e\u200b", "\r\n\t",
    MIXED, "中文English混合テキスト한국어", "A" * 5000, "長" * 20_000,
    "../../etc/passwd", "..\\..\\windows\\win.ini", "<script>alert(1)</script>",
    "' OR 1=1 --", "%s%(x)s{0}%n", "null", "None", "true", "[]", "{}",
]
SPECIAL_NUMBERS = [
    "0", "-1", "-99999999999999999999", "99999999999999999999", "2147483648",
    "9223372036854775808", "1e309", "-1e309", "NaN", "inf", "1.5", "0x10", "1_000",
    "０１２", "٣", "12abc", "--1", "+5", "1,000",
]
# Any unicode, lone surrogates (invalid UTF-8 once sent) and control characters included.
ANY_CHARACTER = st.characters(categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cs", "Co"])
hostile_text = st.one_of(
    st.text(ANY_CHARACTER, max_size=40),
    st.sampled_from(SPECIAL_TEXT),
)
hostile_number = st.one_of(
    st.sampled_from(SPECIAL_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)

TRAVERSAL_NAMES = [
    "../../etc/passwd.jpg", "..\\..\\boot.ini.png", "/etc/passwd", "a\x00.jpg", "",
    "長" * 100 + ".png", ".htaccess", "photo.jpg.php", "CON.png", "x" * 300 + ".jpg",
]
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
FILE_BODIES = [b"", b"\x00" * 64, PNG_HEAD, PNG_HEAD + b"\xff" * 200, b"GIF89a<script>alert(1)</script>",
               b"%PDF-1.4\n%%EOF", b"name,email\n\xff\xfe,\x00\n", "電郵,相片\n".encode()]
FILE_TYPES = ["image/png", "image/jpeg", "text/html", "application/octet-stream", "text/csv", ""]
hostile_file = st.tuples(st.sampled_from(TRAVERSAL_NAMES), st.sampled_from(FILE_BODIES),
                         st.sampled_from(FILE_TYPES))

# How the body is sent: as the browser would, with raw invalid bytes, or in the wrong type.
NATIVE = "as the page sends it"
MODES = [NATIVE, NATIVE, NATIVE, "urlencoded", "multipart", "raw-bytes", "json", "text/plain", "no body",
         "xml"]


@dataclass(frozen=True)
class Submission:
    mode: str
    values: dict = field(default_factory=dict)  # name → text, KEEP, OMIT or a file tuple

    def __repr__(self) -> str:  # a 1 MB value would drown the failure report
        shown = {k: (v[:60] + f"… ({len(v)} chars)" if isinstance(v, str) and len(v) > 60 else v)
                 for k, v in self.values.items()}
        return f"Submission({self.mode!r}, {shown!r})"


def value_strategy(found: Field):
    offered = [v for v in found.values if len(v) < 10_000]
    choices = [st.just(KEEP), st.just(OMIT), hostile_text, hostile_number]
    if found.kind == "file":
        return st.one_of(st.just(OMIT), hostile_file, hostile_text)
    if offered:
        choices.append(st.sampled_from(offered))
    if found.kind in NUMBER_TYPES:
        choices.insert(0, hostile_number)
    return st.one_of(*choices)


NUMBER_NAMES = re.compile(r"amount|points|cost|stock|budget|quantity|days|hours|position|limit|"
                          r"multiplier|price|year|gold|silver|platinum|cap|_id$|^id$", re.I)
DATE_NAMES = re.compile(r"date|_on$|_at$|_from$|_to$", re.I)


def plausible(found: Field):
    """A value the form would accept on its own, so that one hostile field among valid
    ones reaches the code behind the validators."""
    offered = [v for v in found.values if v and len(v) < 10_000]
    if found.kind == "file":
        return st.just(("photo.png", small_png(), "image/png"))
    if offered:
        return st.sampled_from(offered)
    if found.kind == "date" or (found.kind == "text" and DATE_NAMES.search(found.name)):
        return st.sampled_from(["2026-06-01", "2027-01-31"])
    if found.kind == "datetime-local":
        return st.just("2026-06-01T10:00")
    if found.kind in NUMBER_TYPES or NUMBER_NAMES.search(found.name):
        return st.sampled_from(["1", "5", "100"])
    if found.kind == "email":
        return st.just("fuzz@example.com")
    if found.kind == "password" or "password" in found.name:
        return st.just("Fuzz-pass-2026!")
    return st.sampled_from(["翠湖花園 Jade Lake 1", "業主意見"])


@cache
def small_png() -> bytes:
    from tests.perks.helpers import png_bytes

    return png_bytes()


@st.composite
def submissions(draw, form: Form) -> Submission:
    """Every field plausible, then one to three of them hostile; sent as the page would, or
    in another way."""
    mode = draw(st.sampled_from(MODES))
    if mode == NATIVE:
        mode = "multipart" if form.multipart else "urlencoded"
    values = {name: draw(plausible(found)) for name, found in form.fields.items()}
    if form.fields:
        hostile = st.lists(st.sampled_from(sorted(form.fields)), min_size=1, max_size=3, unique=True)
        for name in draw(hostile):
            values[name] = draw(value_strategy(form.fields[name]))
    return Submission(mode, values)


def huge_submission(form: Form, mode: str) -> Submission:
    """1 MB in the first free-text field (every field when there is none), the rest as on
    the page."""
    texts = [name for name, f in form.fields.items() if f.free_text] or list(form.fields) or ["q"]
    return Submission(mode, {texts[0]: HUGE_TEXT})


# --- Sending ---------------------------------------------------------------------------

def page_value(found: Field | None) -> str | None:
    if found is None or not found.values:
        return None if found is None or found.kind in ("checkbox", "radio", "button") else ""
    return found.values[0]


def resolved(form: Form, submission: Submission) -> list[tuple[str, object]]:
    pairs = []
    for name in dict.fromkeys([*form.fields, *submission.values]):
        value = submission.values.get(name, KEEP)
        if value == KEEP:
            value = page_value(form.fields.get(name))
        if value is None or value == OMIT:
            continue
        pairs.append((name, value))
    return pairs


def encoded(value) -> bytes:
    if isinstance(value, tuple):  # a file sent in a body that cannot hold one
        return value[0].encode("utf-8", "surrogatepass")
    return value.encode("utf-8", "surrogatepass")  # a lone surrogate becomes invalid UTF-8


def readable(value: str) -> str:
    """Text a multipart body can carry (a lone surrogate becomes U+FFFD)."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def request_kwargs(form: Form, submission: Submission) -> dict:
    pairs = resolved(form, submission)
    mode = submission.mode
    if mode == "multipart":  # encoded here, in memory: the client would spill 1 MB to a temp file
        data = MultiDict()
        for name, value in pairs:
            if isinstance(value, tuple):
                filename, body, mimetype = value
                data.add(name, FileStorage(io.BytesIO(body), filename=readable(filename),
                                           content_type=mimetype or None))
            else:
                data.add(name, readable(value))
        boundary, body = encode_multipart(data)
        return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
    if mode == "no body":
        return {"content_type": "application/x-www-form-urlencoded"}
    if mode == "json":
        body = json.dumps({name: encoded(v).decode("utf-8", "replace") for name, v in pairs})
        return {"data": body.encode(), "content_type": "application/json"}
    if mode == "xml":
        return {"data": b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                        b"<x>&e;</x>", "content_type": "application/xml"}
    if mode == "raw-bytes":  # unescaped bytes, invalid UTF-8 and all, in a urlencoded body
        body = b"&".join(encoded(name) + b"=" + encoded(v) + b"\xff\xfe\xc3" for name, v in pairs)
        return {"data": body, "content_type": "application/x-www-form-urlencoded"}
    body = b"&".join(url_quoted(encoded(name)) + b"=" + url_quoted(encoded(v)) for name, v in pairs)
    content_type = "text/plain" if mode == "text/plain" else "application/x-www-form-urlencoded"
    return {"data": body, "content_type": content_type}


def url_quoted(raw: bytes) -> bytes:
    """Percent-encoded as a browser does; a long value keeps its non-ASCII bytes as they are
    (still a valid body, and decoding 3 MB of %XX would cost more than the whole test)."""
    if len(raw) < 100_000:
        return quote_from_bytes(raw).encode()
    return re.sub(rb"[%&=+#;\x00-\x20]", lambda m: b"%%%02X" % m.group()[0], raw)


def with_lang(path: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={LOCALE}"


# --- The test --------------------------------------------------------------------------

TEMPLATE_FORM = re.compile(r"""<form[^>]*url_for\(['"]([\w.]+)['"][^>]*>(.*?)</form>""", re.S)
TEMPLATE_FIELD = re.compile(r"""\b\w*form\.(\w+)\b|\bname=["'](\w+)["']""")
NOT_FIELDS = {"csrf_token", "errors", "form_errors", "hidden_tag", "data", "label"}


@cache
def forms_in_templates() -> dict[str, Form]:
    """The fields a template's POST form to an endpoint names (`form.reason`, `name="x"`),
    for the forms a page shows only in a state the access row's object is not in (the
    rating of a resolved complaint). Names only: no values, every field free text."""
    forms: dict[str, Form] = {}
    for template in (ROOT / "portal" / "templates").rglob("*.html"):
        for endpoint, body in TEMPLATE_FORM.findall(template.read_text(encoding="utf-8")):
            form = forms.setdefault(endpoint, Form("", False))
            for attribute, literal in TEMPLATE_FIELD.findall(body):
                name = attribute or literal
                if name not in NOT_FIELDS:
                    form.fields.setdefault(name, Field(name, "text"))
    return forms


def record(route: Route, actor: str, source: str, form: Form) -> None:
    """FORM_FUZZ_REPORT=file: one line per route (where its form was found, its fields)."""
    if report := os.environ.get("FORM_FUZZ_REPORT"):
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{route.id}\t{actor}\t{source}\t{' '.join(sorted(form.fields))}\n")


def parent_paths(path: str) -> list[str]:
    """The path itself, then the pages above it: /admin/homes/5/approve → /admin/homes/5 …"""
    parts = urlsplit(path).path.rstrip("/").split("/")
    return [path, *("/".join(parts[:n]) for n in range(len(parts) - 1, 1, -1))]


def find_form(app, db, client, route: Route, path: str, actor: str,
              pristine: bytes) -> tuple[Form, str]:
    """The route's form: on its own page or a page above it (in this test's database, so
    the object the row made is there, in the state that shows the form), else on a page of
    its feature, else on any page. With where it was found."""
    forms: dict[str, Form] = {}
    source = "its page"
    adapter = app.url_map.bind("localhost")
    for page in parent_paths(path):
        if route.endpoint in forms:
            break
        try:
            adapter.match(page, method="GET")
        except HTTPException:  # no such page (or only a redirect to one)
            continue
        forms_of_page(app, client, with_lang(page), forms, page_path=page)
    if route.endpoint not in forms:  # a button on another page: its feature's pages first
        source, forms = "a page of its feature", forms_on_pages(
            app, db, actor, blueprint_of(route.endpoint), pristine)
    if route.endpoint not in forms:
        source, forms = "another page", forms_on_pages(app, db, actor, None, pristine)
    if route.endpoint not in forms:  # shown only in a state the row's object is not in
        source, forms = "its template", forms_in_templates()
    if route.endpoint not in forms:
        source = "nowhere"
    form = copy.deepcopy(forms.get(route.endpoint, Form(path, False)))
    if route.data:  # the table's own body (a language switch's `lang`)
        for name, value in route.data.items():
            form.fields.setdefault(name, Field(name, "hidden", [str(value)]))
    return form, source


def fuzz(app, db, path: str, user_id: str | None, form: Form, label: str) -> None:
    """Hypothesis's submissions of `form` to `path`, as the user `user_id` (None: a visitor)."""

    def client_for_actor():
        db.session.execute(update(User).values(locale=LOCALE))  # a profile edit may change it
        db.session.commit()
        client = app.test_client()
        if user_id is not None:
            log_in(client, SimpleNamespace(get_id=lambda: user_id))
        return client

    multipart = "multipart" if form.multipart else "urlencoded"
    typed: set[str] = set()  # every text submitted so far: accepted ones stay in the database

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(submission=submissions(form))
    @example(submission=Submission(multipart, {}))  # the page's own values
    @example(submission=Submission(multipart, dict.fromkeys(form.fields, "")))  # all empty
    @example(submission=huge_submission(form, multipart))
    def submit(submission: Submission) -> None:
        typed.update(value for value in submission.values.values() if isinstance(value, str))
        client = client_for_actor()
        before = fingerprint(db)
        try:
            response = client.post(with_lang(path), **request_kwargs(form, submission))
        except Exception as error:  # TESTING propagates what would be a 500
            raise AssertionError(f"{label}: {type(error).__name__}: {error}") from error
        status = response.status_code
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        assert status < 500, f"{label}: {status}"
        if 400 <= status < 500:
            changed = changed_tables(before, fingerprint(db))
            assert not changed, f"{label} refused ({status}) but changed {changed}"
            english = english_in(page, typed)
            assert not english, f"{label} ({status}) shows English: {english[:3]}"

    submit()


@pytest.mark.parametrize(("route", "actor"), FUZZED, ids=lambda v: v.id if isinstance(v, Route) else v)
def test_form_survives_hostile_input(app, db, route: Route, actor: str):
    pristine = database_file(db).read_bytes()
    world = make_world()
    path = _path(app, world, route)
    db.session.commit()
    # By id: the form search below puts the database file back, detaching the world's rows.
    user_id = world.users[actor].get_id() if actor != ANON else None
    client = app.test_client()
    if user_id is not None:
        log_in(client, world.users[actor])
    db.session.execute(update(User).values(locale=LOCALE))
    db.session.commit()
    form, source = find_form(app, db, client, route, path, actor, pristine)
    record(route, actor, source, form)
    fuzz(app, db, path, user_id, form, f"POST {path} as {actor} (form from {source})")


# --- The fuzz itself is checked --------------------------------------------------------

def test_every_post_rule_is_fuzzed(app):
    """Every POST rule of the app has a row, and every row but those nobody may use is
    fuzzed (tests/test_permissions.py proves each rule has a row)."""
    post_rules = {rule.endpoint for rule in app.url_map.iter_rules()
                  if "POST" in rule.methods and rule.endpoint not in FRAMEWORK_ENDPOINTS}
    fuzzed = {route.endpoint for route, _actor in FUZZED}
    assert post_rules == fuzzed, sorted(post_rules ^ fuzzed)
    unfuzzed = [route.id for route in POST_ROWS if fuzz_actor(route) is None]
    assert all(declared_access(app, route.endpoint) for route in POST_ROWS)
    assert len(unfuzzed) <= 1, unfuzzed


def test_form_parser_reads_fields_buttons_and_file_inputs():
    page = """<form method="get"><input name="q"></form>
    <form method="post" action="/x" enctype="multipart/form-data">
      <input type="hidden" name="csrf_token" value="t"><input name="title" value="Old">
      <textarea name="body">Text</textarea><select name="kind"><option value="a">A</option>
      <option value="b" selected>B</option></select><input type="file" name="photo">
      <button name="action" value="approve">OK</button></form>"""
    (form,) = forms_in(page)
    assert form.multipart and form.action == "/x"
    assert {name: (f.kind, f.values) for name, f in form.fields.items()} == {
        "title": ("text", ["Old"]), "body": ("textarea", ["Text"]), "kind": ("select", ["a", "b"]),
        "photo": ("file", []), "action": ("button", ["approve"])}


def test_english_sentences_are_caught():
    assert "This field is required." in english_sentences()
    assert english_in("<div>This field is required.</div>") == ["This field is required."]
    assert english_in("<div>此欄位為必填。</div>") == []
    assert english_in("<p>Something went wrong</p>", {"x Something went wrong"}) == []


@pytest.mark.own_app
@pytest.mark.parametrize(("view", "caught"), [
    ("crashes", "ZeroDivisionError"), ("writes", "refused (400) but changed ['notifications"),
    ("english", "shows English: ['This field is required.']")])
def test_the_fuzz_catches_a_crash_a_write_and_english(app, db, view, caught):
    """A form that crashes on long text, one that writes before refusing, and one whose
    refusal is in English: each fails the fuzz."""
    from flask import request

    from portal.accounts.permissions import require_login
    from portal.notifications.services import notify
    from tests.factories import make_member

    @app.post("/fuzz-bait/<view>")
    @require_login
    def bait(view):
        title = request.form.get("title", "")
        if view == "crashes" and len(title) > 1000:
            return str(1 // 0)
        if view == "writes":
            notify(db.session.get(User, member_id), "test", "x")
            db.session.commit()
        return ("This field is required." if view == "english" else "no"), 400

    member = make_member()
    db.session.commit()
    member_id, user_id = member.id, member.get_id()
    form = Form(f"/fuzz-bait/{view}", False, {"title": Field("title", "text")})
    with pytest.raises(AssertionError, match=re.escape(caught)):
        fuzz(app, db, f"/fuzz-bait/{view}", user_id, form, view)
