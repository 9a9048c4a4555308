"""Settings from the environment. Defaults suit a laptop: SQLite in instance/."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


class Config:
    """Read once at start-up; tests pass overrides to `create_app`."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "")
        # `make run` sets this for a laptop; production must set SECRET_KEY.
        self.ALLOW_DEV_SECRET = _bool("ALLOW_DEV_SECRET", False)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///portal.db")
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
        self.SERVER_NAME_FOR_LINKS = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

        # Sessions and cookies (SECURITY.md: cookie flags, remember-me ≤ 30 days).
        secure = _bool("COOKIE_SECURE", False)
        self.SESSION_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_NAME = "__Host-session" if secure else "session"
        self.REMEMBER_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_NAME = "__Host-remember" if secure else "remember_token"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_DURATION = timedelta(days=30)
        self.PERMANENT_SESSION_LIFETIME = timedelta(days=14)
        self.HSTS = secure
        self.PROXY_FIX = _int("PROXY_FIX", 0)

        # Uploads are checked again per feature; this is the hard cap per request.
        self.MAX_CONTENT_LENGTH = 32 * 1024 * 1024
        self.UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", "")

        self.WTF_CSRF_TIME_LIMIT = 3600 * 8

        self.BABEL_DEFAULT_LOCALE = "zh_Hant"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
        self.LANGUAGES = ["zh_Hant", "zh_Hans", "en"]

        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        self.LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute;200 per hour")
        self.LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per 15 minutes")

        # Fragment cache (portal/core/cache.py): redis://… shares kept pages between workers;
        # memory:// keeps them per process. The dashboard's sections are kept this many
        # seconds (0: computed on every request, as the tests do).
        self.CACHE_URL = os.environ.get("CACHE_URL", "memory://")
        self.DASHBOARD_CACHE_SECONDS = _int("DASHBOARD_CACHE_SECONDS", 300)

        # Task queue (portal/core/jobs.py): redis://… in production; a SQLite file in
        # instance/ by default; memory:// with JOBS_IMMEDIATE=1 runs jobs at once (tests).
        self.JOBS_URL = os.environ.get("JOBS_URL", "")
        self.JOBS_IMMEDIATE = _bool("JOBS_IMMEDIATE", False)
        self.JOBS_WORKERS = _int("JOBS_WORKERS", 2)

        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "club@localhost")
        # Without a mail server (development) messages are written to the log.
        self.MAIL_SUPPRESS_SEND = not self.MAIL_SERVER

        self.PASSWORD_RESET_MAX_AGE = _int("PASSWORD_RESET_MAX_AGE", 3600)
        # Reset emails per address, whatever IP asks (the per-IP limit is LOGIN_LIMIT_PER_IP).
        self.RESET_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LIMIT_PER_ACCOUNT", "5 per hour")
        # Sign-up by e-mail: seconds a confirmation link stays valid (expired sign-ups are
        # purged hourly), and sign-up e-mails per address, whatever IP asks.
        self.SIGNUP_CONFIRM_MAX_AGE = _int("SIGNUP_CONFIRM_MAX_AGE", 2 * 24 * 3600)
        self.SIGNUP_LIMIT_PER_ACCOUNT = os.environ.get("SIGNUP_LIMIT_PER_ACCOUNT", "3 per hour")

        # Points: months until earned points expire (0: never); most a member may gift in 24 hours.
        self.POINTS_EXPIRY_MONTHS = _int("POINTS_EXPIRY_MONTHS", 24)
        self.POINTS_GIFT_DAILY_CAP = _int("POINTS_GIFT_DAILY_CAP", 5000)
        # Points for the first login of each month and for rating a resolved complaint (0: none);
        # campaign bonus rules for those triggers multiply or add to them.
        self.POINTS_MONTHLY_LOGIN = _int("POINTS_MONTHLY_LOGIN", 10)
        self.POINTS_COMPLAINT_RATED = _int("POINTS_COMPLAINT_RATED", 50)

        # Perks: days a voucher stays valid; days a member may cancel an unused voucher.
        self.PERK_VOUCHER_DAYS = _int("PERK_VOUCHER_DAYS", 90)
        self.PERK_CANCEL_DAYS = _int("PERK_CANCEL_DAYS", 7)

        # Referrals: defaults of the reward rule (an admin page stores the rule in force).
        self.REFERRAL_REWARD_REFERRER = _int("REFERRAL_REWARD_REFERRER", 5000)
        self.REFERRAL_REWARD_INVITEE = _int("REFERRAL_REWARD_INVITEE", 1000)
        self.REFERRAL_YEARLY_CAP = _int("REFERRAL_YEARLY_CAP", 10)
        self.REFERRAL_COOKIE_DAYS = _int("REFERRAL_COOKIE_DAYS", 30)
        self.REFERRAL_LOOKUP_LIMIT = os.environ.get("REFERRAL_LOOKUP_LIMIT", "60 per minute")

        # Sales import (/admin/sales, `flask sales import`): largest file read, rows imported
        # in the request (more run as a job with a progress bar), rows per transaction, and
        # minutes without progress after which staff may resume an import (worker killed).
        self.SALES_IMPORT_MAX_BYTES = _int("SALES_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
        self.SALES_IMPORT_INLINE_ROWS = _int("SALES_IMPORT_INLINE_ROWS", 2000)
        self.SALES_IMPORT_CHUNK = _int("SALES_IMPORT_CHUNK", 500)
        self.SALES_IMPORT_STALL_MINUTES = _int("SALES_IMPORT_STALL_MINUTES", 10)

        # Survey answers, suggestions, review comments and evaluations sent per account.
        self.FEEDBACK_POST_LIMIT = os.environ.get("FEEDBACK_POST_LIMIT", "30 per hour")
