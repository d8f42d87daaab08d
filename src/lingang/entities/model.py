"""Enterprise domain model: USCC (GB 32100-2015), resident ID (GB 11643-1999), enterprises,
persons, shareholdings, and who may see unmasked personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from lingang.entities.industries import INDUSTRY_BY_CODE
from lingang.errors import Invalid
from lingang.types import EnterpriseId, Role

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# Roles whose work needs full identity numbers; everyone else sees them masked.
UNMASKED_ROLES = frozenset(
    {Role.RISK_OFFICER, Role.CASE_OFFICER, Role.CASE_SUPERVISOR, Role.CREDIT_OFFICER}
)


class AeoStatus(StrEnum):
    """Customs AEO certification (经认证的经营者)."""

    NONE = "none"
    GENERAL = "general"  # 一般认证企业
    ADVANCED = "advanced"  # 高级认证企业


def uscc_check_char(first17: str) -> str:
    """The check character (18th) of a USCC, from its first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Normalise and check a USCC; ``Invalid`` names the reason (length, character, checksum)."""
    code = value.strip().upper()
    if len(code) != 18:
        raise Invalid("uscc", f"must be 18 characters, got {len(code)}")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise Invalid("uscc", f"character {bad[0]!r} is not allowed (I, O, Z, S, V are excluded)")
    if uscc_check_char(code[:17]) != code[17]:
        raise Invalid("uscc", "check character does not match (GB 32100-2015)")
    return code


def id_check_char(first17: str) -> str:
    """The check character of an 18-digit resident identity number (GB 11643-1999)."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> str:
    """An 18-character resident ID with a valid check character; ``Invalid`` names the reason."""
    number = value.strip().upper()
    if len(number) != 18 or not number[:17].isdigit():
        raise Invalid("id_number", "must be 17 digits and a check character")
    if id_check_char(number[:17]) != number[17]:
        raise Invalid("id_number", "check character does not match (GB 11643-1999)")
    return number


def mask_id_number(number: str) -> str:
    """Keep the first four and last four characters: ``3101**********1234``."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:] if len(number) > 8 else "****"


def visible_id_number(number: str, role: Role) -> str:
    """The ID number as a role may see it."""
    return number if role in UNMASKED_ROLES else mask_id_number(number)


def validate_name(field: str, value: str, *, required: bool) -> str:
    """Trimmed name of at most 200 characters."""
    name = value.strip()
    if required and not name:
        raise Invalid(field, "must not be empty")
    if len(name) > 200:
        raise Invalid(field, "must be at most 200 characters")
    return name


def validate_industry(code: str) -> str:
    """A GB/T 4754-2017 class known to the platform's catalogue."""
    if code not in INDUSTRY_BY_CODE:
        raise Invalid("industry_code", f"unknown GB/T 4754 class {code!r}")
    return code


def validate_percent(value: float) -> float:
    """A shareholding percentage in (0, 100]."""
    if not 0 < value <= 100:
        raise Invalid("percent", "must be greater than 0 and at most 100")
    return value


@dataclass(frozen=True, slots=True)
class EnterpriseDraft:
    """What registering an enterprise needs; ids are assigned by the store."""

    uscc: str
    name_zh: str
    name_en: str = ""
    registered_on: dt.date | None = None
    registered_capital_wan: float = 0.0
    legal_rep_id: int | None = None
    address: str = ""
    phone: str = ""
    industry_code: str | None = None
    aeo_status: AeoStatus = AeoStatus.NONE

    def validated(self) -> EnterpriseDraft:
        """The draft with every field checked and normalised."""
        if self.registered_capital_wan < 0:
            raise Invalid("registered_capital_wan", "must not be negative")
        return EnterpriseDraft(
            uscc=validate_uscc(self.uscc),
            name_zh=validate_name("name_zh", self.name_zh, required=True),
            name_en=validate_name("name_en", self.name_en, required=False),
            registered_on=self.registered_on,
            registered_capital_wan=self.registered_capital_wan,
            legal_rep_id=self.legal_rep_id,
            address=validate_name("address", self.address, required=False),
            phone=self.phone.strip()[:40],
            industry_code=validate_industry(self.industry_code) if self.industry_code else None,
            aeo_status=AeoStatus(self.aeo_status),
        )


@dataclass(frozen=True, slots=True)
class Enterprise:
    """An enterprise registered in the zone."""

    id: EnterpriseId
    uscc: str
    name_zh: str
    name_en: str
    created_at: dt.datetime
    registered_on: dt.date | None = None
    registered_capital_wan: float = 0.0
    legal_rep_id: int | None = None
    address: str = ""
    phone: str = ""
    industry_code: str | None = None
    aeo_status: AeoStatus = AeoStatus.NONE


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person (legal representative, shareholder); ``id_number`` as the role sees it."""

    id: int
    name: str
    id_number: str
    nationality: str


@dataclass(frozen=True, slots=True)
class Shareholding:
    """A holder (enterprise or person) owning ``percent`` of an enterprise."""

    enterprise_id: int
    holder_enterprise_id: int | None
    holder_person_id: int | None
    percent: float


class LinkKind(StrEnum):
    """Why two enterprises are related."""

    SHAREHOLDING = "shareholding"
    SHARED_LEGAL_REP = "shared_legal_rep"
    SHARED_ADDRESS = "shared_address"
    SHARED_PHONE = "shared_phone"


@dataclass(frozen=True, slots=True)
class Link:
    """A relationship between two enterprises, for the 360° graph and network features."""

    kind: LinkKind
    source_id: int
    target_id: int
    percent: float | None = None
