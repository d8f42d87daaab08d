"""Wire schemas of enterprises, people and relationships."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.entities.industries import INDUSTRY_BY_CODE
from lingang.entities.model import AeoStatus, Enterprise, EnterpriseDraft, Link, Person
from lingang.entities.service import EnterpriseProfile


class EnterpriseCreate(BaseModel):
    """A new enterprise."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    registered_on: dt.date | None = None
    registered_capital_wan: float = Field(default=0.0, ge=0, description="注册资本（万元）")
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    industry_code: str | None = Field(default=None, description="GB/T 4754-2017 class")
    aeo_status: AeoStatus = AeoStatus.NONE

    def to_draft(self) -> EnterpriseDraft:
        """Wire → domain draft."""
        return EnterpriseDraft(**self.model_dump())


class EnterprisePublic(BaseModel):
    """An enterprise as the API shows it."""

    id: int
    uscc: str
    name_zh: str
    name_en: str
    created_at: dt.datetime
    registered_on: dt.date | None
    registered_capital_wan: float
    legal_rep_id: int | None
    address: str
    phone: str
    industry_code: str | None
    industry_zh: str | None
    aeo_status: AeoStatus


class EnterprisesPublic(BaseModel):
    """A page of enterprises."""

    data: list[EnterprisePublic]
    count: int


class PersonPublic(BaseModel):
    """A person; the ID number is masked unless the role needs it."""

    id: int
    name: str
    id_number: str
    nationality: str


class LinkPublic(BaseModel):
    """An edge of the relationship graph."""

    kind: str
    source_id: int
    target_id: int
    percent: float | None


class HoldingPublic(BaseModel):
    """A shareholding of or by this enterprise."""

    enterprise_id: int
    holder_enterprise_id: int | None
    holder_person_id: int | None
    percent: float


class ProfilePublic(BaseModel):
    """The enterprise 360° profile's operational part."""

    enterprise: EnterprisePublic
    legal_rep: PersonPublic | None
    shareholdings: list[HoldingPublic]
    links: list[LinkPublic]
    related: list[EnterprisePublic]
    people: list[PersonPublic]


def enterprise_public(enterprise: Enterprise) -> EnterprisePublic:
    """Domain enterprise → wire schema."""
    industry = INDUSTRY_BY_CODE.get(enterprise.industry_code or "")
    return EnterprisePublic(
        id=enterprise.id, uscc=enterprise.uscc, name_zh=enterprise.name_zh,
        name_en=enterprise.name_en, created_at=enterprise.created_at,
        registered_on=enterprise.registered_on,
        registered_capital_wan=enterprise.registered_capital_wan,
        legal_rep_id=enterprise.legal_rep_id, address=enterprise.address, phone=enterprise.phone,
        industry_code=enterprise.industry_code,
        industry_zh=industry.name_zh if industry else None, aeo_status=enterprise.aeo_status,
    )  # fmt: skip


def person_public(person: Person) -> PersonPublic:
    """Domain person → wire schema."""
    return PersonPublic(id=person.id, name=person.name, id_number=person.id_number,
                        nationality=person.nationality)  # fmt: skip


def link_public(link: Link) -> LinkPublic:
    """Domain link → wire schema."""
    return LinkPublic(kind=link.kind.value, source_id=link.source_id, target_id=link.target_id,
                      percent=link.percent)  # fmt: skip


def profile_public(profile: EnterpriseProfile) -> ProfilePublic:
    """Domain profile → wire schema."""
    return ProfilePublic(
        enterprise=enterprise_public(profile.enterprise),
        legal_rep=person_public(profile.legal_rep) if profile.legal_rep else None,
        shareholdings=[HoldingPublic(enterprise_id=h.enterprise_id,
                                     holder_enterprise_id=h.holder_enterprise_id,
                                     holder_person_id=h.holder_person_id, percent=h.percent)
                       for h in profile.shareholdings],
        links=[link_public(link) for link in profile.links],
        related=[enterprise_public(e) for e in profile.related.values()],
        people=[person_public(p) for p in profile.people.values()],
    )  # fmt: skip
