"""USCC (统一社会信用代码) validation follows GB 32100-2015."""

from __future__ import annotations

import pytest

from lingang.demo import demo_uscc
from lingang.entities.model import uscc_check_char, validate_uscc
from lingang.errors import Invalid

# A published example USCC with a correct check character.
KNOWN_VALID = "91350100M000100Y43"


def test_accepts_a_published_valid_code() -> None:
    assert validate_uscc(KNOWN_VALID.lower()) == KNOWN_VALID


def test_demo_codes_are_valid() -> None:
    for index in range(1, 50):
        code = demo_uscc(index)
        assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("9135010", "18 characters"),
        ("91350100M000100YI3", "'I' is not allowed"),
        ("91350100M000100Y44", "check character"),
    ],
)
def test_rejects_bad_codes_naming_the_reason(code: str, reason: str) -> None:
    with pytest.raises(Invalid) as excinfo:
        validate_uscc(code)
    assert excinfo.value.field == "uscc"
    assert reason in excinfo.value.reason


def test_check_char_is_from_the_alphabet() -> None:
    assert uscc_check_char("91310115MA0000001") in "0123456789ABCDEFGHJKLMNPQRTUWXY"
