"""Password hashing (argon2id) and the password policy.

Werkzeug's default scrypt parameters are below OWASP's table, so we hash with
argon2id (argon2-cffi's RFC 9106 low-memory profile) and rehash older hashes on login.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

# Hashes made before argon2id (Werkzeug's `scrypt:…`/`pbkdf2:…`) still verify once,
# then `needs_rehash` says yes and the login stores an argon2id hash instead.
LEGACY_PREFIXES = ("scrypt:", "pbkdf2:")

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 has no 72-byte truncation; this bound only stops abuse

_hasher = PasswordHasher()
# Verified against unknown emails so that timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def is_legacy(stored_hash: str | None) -> bool:
    return bool(stored_hash) and stored_hash.startswith(LEGACY_PREFIXES)


def verify_password(stored_hash: str | None, password: str) -> bool:
    if is_legacy(stored_hash):
        return check_password_hash(stored_hash, password)
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True for legacy hashes and for argon2 hashes made with other parameters."""
    if is_legacy(stored_hash):
        return True
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@cache
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords and the portal's additions (common_passwords.txt,
    made by tools/common_passwords.py; "#" lines are comments)."""
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


# "dragon2026!" is "dragon" with the digits and signs people add to pass a length rule.
_ADDED_TAIL = re.compile(r"[\d\W_]{1,6}$")
MIN_BASE = 4


def is_common(password: str) -> bool:
    """A listed password, or a listed one (4+ characters) with up to six digits or signs
    added at the end ("password2026!", "monkey123456")."""
    folded = password.strip().lower()
    listed = common_passwords()
    if folded in listed:
        return True
    base = _ADDED_TAIL.sub("", folded)
    return base != folded and len(base) >= MIN_BASE and base in listed
