"""Resident ID numbers (GB 11643-1999) and who sees them unmasked."""

from __future__ import annotations

import pytest

from lingang.entities.model import (
    id_check_char,
    mask_id_number,
    validate_id_number,
    visible_id_number,
)
from lingang.errors import Invalid
from lingang.types import Role

# The standard's own worked example.
EXAMPLE = "11010519491231002X"


def test_accepts_the_standard_example() -> None:
    assert validate_id_number(EXAMPLE.lower()) == EXAMPLE
    assert id_check_char(EXAMPLE[:17]) == "X"


def test_rejects_a_wrong_check_character() -> None:
    with pytest.raises(Invalid, match="GB 11643"):
        validate_id_number(EXAMPLE[:17] + "1")


def test_masks_all_but_the_ends() -> None:
    assert mask_id_number(EXAMPLE) == "1101**********002X"


@pytest.mark.parametrize("role", [Role.RISK_OFFICER, Role.CASE_OFFICER, Role.CREDIT_OFFICER])
def test_investigating_roles_see_the_whole_number(role: Role) -> None:
    assert visible_id_number(EXAMPLE, role) == EXAMPLE


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDITOR, Role.PLANNER, Role.ENTERPRISE])
def test_other_roles_see_it_masked(role: Role) -> None:
    assert visible_id_number(EXAMPLE, role) == "1101**********002X"
