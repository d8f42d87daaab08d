"""Risk lists: read (now or as of a time), create, add and remove values, history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.risk_lists import (
    ListHistoryPublic,
    RiskListCreate,
    RiskListPublic,
    RiskListsPublic,
    RiskListValues,
    change_public,
    risk_list_public,
)

router = APIRouter(prefix="/api/risk/lists", tags=["risk-lists"])


@router.get("", operation_id="risk-lists-list", response_model=RiskListsPublic)
def list_lists(platform: PlatformDep, actor: CurrentActor) -> RiskListsPublic:
    """Every list with its current values."""
    lists = platform.risk_lists.list_lists(actor=actor)
    return RiskListsPublic(data=[risk_list_public(x) for x in lists])


@router.post("", operation_id="risk-lists-create", response_model=RiskListPublic,
             status_code=201)  # fmt: skip
def create_list(body: RiskListCreate, platform: PlatformDep, actor: CurrentActor) -> RiskListPublic:
    """Create an empty list (risk officers and administrators)."""
    created = platform.risk_lists.create_list(
        body.name, body.kind, body.element_type, actor=actor,
        description_zh=body.description_zh, description_en=body.description_en,
    )  # fmt: skip
    return risk_list_public(created)


@router.get("/{name}", operation_id="risk-lists-get", response_model=RiskListPublic)
def get_list(
    name: str, platform: PlatformDep, actor: CurrentActor,
    as_of: Annotated[dt.datetime | None, Query(description="values as they were then")] = None,
) -> RiskListPublic:  # fmt: skip
    """A list's values now, or as of a past moment."""
    if as_of is not None and as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.UTC)
    return risk_list_public(platform.risk_lists.get_list(name, actor=actor, as_of=as_of))


@router.post("/{name}/values", operation_id="risk-lists-add", response_model=RiskListPublic)
def add_values(
    name: str, body: RiskListValues, platform: PlatformDep, actor: CurrentActor
) -> RiskListPublic:
    """Add values; each is checked against the list's element type."""
    changed = platform.risk_lists.add_values(name, body.values, actor=actor, note=body.note)
    return risk_list_public(changed)


@router.post("/{name}/removals", operation_id="risk-lists-remove", response_model=RiskListPublic)
def remove_values(
    name: str, body: RiskListValues, platform: PlatformDep, actor: CurrentActor
) -> RiskListPublic:
    """Remove values; the history keeps them."""
    changed = platform.risk_lists.remove_values(name, body.values, actor=actor, note=body.note)
    return risk_list_public(changed)


@router.get("/{name}/history", operation_id="risk-lists-history",
            response_model=ListHistoryPublic)  # fmt: skip
def history(name: str, platform: PlatformDep, actor: CurrentActor) -> ListHistoryPublic:
    """Every addition and removal, oldest first."""
    changes = platform.risk_lists.history(name, actor=actor)
    return ListHistoryPublic(data=[change_public(c) for c in changes])
