"""Password hashing: Argon2id with RFC 9106's low-memory parameters in production; a hash made
with weaker parameters is upgraded; an unknown user never matches."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters, profiles

from lingang.auth import passwords


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo the suite's cheap hashing (tests/conftest.py) for this test."""
    hasher = PasswordHasher.from_parameters(passwords.PRODUCTION_PARAMETERS)
    monkeypatch.setattr(passwords, "_hasher", hasher)


def test_production_hashes_are_argon2id_with_rfc_9106_low_memory_parameters(
    production: None,
) -> None:
    assert passwords.PRODUCTION_PARAMETERS == profiles.RFC_9106_LOW_MEMORY
    made = passwords.hash_password("Correct-horse-42")
    assert made.startswith("$argon2id$")
    parameters = extract_parameters(made)
    assert (parameters.memory_cost, parameters.time_cost, parameters.parallelism) == (
        64 * 1024, 3, 4,
    )  # fmt: skip
    assert passwords.check_password(made, "Correct-horse-42")
    assert not passwords.check_password(made, "correct-horse-42")
    assert not passwords.needs_rehash(made)


def test_a_weaker_hash_still_checks_but_asks_for_a_rehash(production: None) -> None:
    weak = PasswordHasher.from_parameters(profiles.CHEAPEST).hash("Correct-horse-42")
    assert passwords.check_password(weak, "Correct-horse-42")
    assert passwords.needs_rehash(weak)


def test_an_unknown_user_or_a_broken_hash_never_matches() -> None:
    assert not passwords.check_password(None, "lingang-dummy-password-for-timing")
    assert not passwords.check_password("not-a-hash", "anything")
