"""Enterprises of the zone."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.enterprises import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterprisesPublic,
    enterprise_public,
)

router = APIRouter(prefix="/api/enterprises", tags=["enterprises"])


@router.get("", operation_id="enterprises-list", response_model=EnterprisesPublic)
def list_enterprises(
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EnterprisesPublic:
    """Enterprises the actor may see (an enterprise user sees only its own)."""
    page, total = platform.entities.list_enterprises(actor=actor, limit=limit, offset=offset)
    return EnterprisesPublic(data=[enterprise_public(e) for e in page], count=total)


@router.get("/{enterprise_id}", operation_id="enterprises-get", response_model=EnterprisePublic)
def get_enterprise(
    enterprise_id: int, platform: PlatformDep, actor: CurrentActor
) -> EnterprisePublic:
    """One enterprise; another tenant's id answers 404."""
    return enterprise_public(platform.entities.get_enterprise(enterprise_id, actor=actor))


@router.post(
    "", operation_id="enterprises-create", response_model=EnterprisePublic, status_code=201
)
def register_enterprise(
    body: EnterpriseCreate, platform: PlatformDep, actor: CurrentActor
) -> EnterprisePublic:
    """Register an enterprise (administrators and service officers)."""
    enterprise = platform.entities.register_enterprise(
        body.uscc, body.name_zh, body.name_en, actor=actor
    )
    return enterprise_public(enterprise)
