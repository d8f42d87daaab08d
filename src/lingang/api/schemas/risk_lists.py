"""Wire schemas of risk lists."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.risk.lists.model import ElementType, ListChange, ListKind, RiskList


class RiskListCreate(BaseModel):
    """A new, empty list."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=3, max_length=64)
    kind: ListKind
    element_type: ElementType
    description_zh: str = Field(default="", max_length=200)
    description_en: str = Field(default="", max_length=200)


class RiskListValues(BaseModel):
    """Values to add or remove, with a note for the history."""

    model_config = ConfigDict(extra="forbid")
    values: list[str] = Field(min_length=1, max_length=10_000)
    note: str = Field(default="", max_length=200)


class RiskListPublic(BaseModel):
    """A list with its values (sorted)."""

    name: str
    kind: ListKind
    element_type: ElementType
    description_zh: str
    description_en: str
    version: int
    values: list[str]


class RiskListsPublic(BaseModel):
    """Every list."""

    data: list[RiskListPublic]


class ListChangePublic(BaseModel):
    """One addition or removal."""

    value: str
    action: str
    at: dt.datetime
    actor: str
    note: str


class ListHistoryPublic(BaseModel):
    """A list's history, oldest first."""

    data: list[ListChangePublic]


def risk_list_public(risk_list: RiskList) -> RiskListPublic:
    """Domain list → wire schema."""
    return RiskListPublic(
        name=risk_list.name, kind=risk_list.kind, element_type=risk_list.element_type,
        description_zh=risk_list.description_zh, description_en=risk_list.description_en,
        version=risk_list.version, values=sorted(risk_list.values),
    )  # fmt: skip


def change_public(change: ListChange) -> ListChangePublic:
    """Domain change → wire schema."""
    return ListChangePublic(value=change.value, action=change.action, at=change.at,
                            actor=change.actor, note=change.note)  # fmt: skip
