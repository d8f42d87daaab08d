"""Wire schemas of enterprises."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.entities.model import Enterprise


class EnterpriseCreate(BaseModel):
    """A new enterprise."""

    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)


class EnterprisePublic(BaseModel):
    """An enterprise as the API shows it."""

    id: int
    uscc: str
    name_zh: str
    name_en: str
    created_at: dt.datetime


class EnterprisesPublic(BaseModel):
    """A page of enterprises."""

    data: list[EnterprisePublic]
    count: int


def enterprise_public(enterprise: Enterprise) -> EnterprisePublic:
    """Domain enterprise → wire schema."""
    return EnterprisePublic(
        id=enterprise.id,
        uscc=enterprise.uscc,
        name_zh=enterprise.name_zh,
        name_en=enterprise.name_en,
        created_at=enterprise.created_at,
    )
