"""Argon2id password hashing (argon2-cffi), with a constant-cost check for unknown users."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("lingang-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user (None) costs the same time."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
