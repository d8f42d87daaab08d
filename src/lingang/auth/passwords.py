"""Argon2id password hashing (argon2-cffi), with a constant-cost check for unknown users."""

from __future__ import annotations

import functools

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PRODUCTION_PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY
"""Argon2id, 64 MiB, 3 passes, 4 lanes (RFC 9106 §4, second recommended option)."""
_hasher = PasswordHasher.from_parameters(PRODUCTION_PARAMETERS)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown users' passwords against (made at first need, not at import)."""
    return _hasher.hash("lingang-dummy-password-for-timing")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user (None) costs the same time."""
    try:
        matched = _hasher.verify(password_hash or _dummy_hash(), password)
        return matched and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
