"""Enterprises of the zone: list, search, read, 360° profile, register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.enterprises import (
    EnterpriseCreate,
    EnterprisePublic,
    EnterprisesPublic,
    ProfilePublic,
    enterprise_public,
    profile_public,
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


@router.get("/search", operation_id="enterprises-search", response_model=EnterprisesPublic)
def search_enterprises(
    platform: PlatformDep,
    actor: CurrentActor,
    q: Annotated[str, Query(min_length=1, max_length=100, description="name or USCC prefix")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EnterprisesPublic:
    """Search by Chinese or English name, or by the start of the USCC."""
    found = platform.entities.search_enterprises(q, actor=actor, limit=limit)
    return EnterprisesPublic(data=[enterprise_public(e) for e in found], count=len(found))


@router.get("/{enterprise_id}", operation_id="enterprises-get", response_model=EnterprisePublic)
def get_enterprise(
    enterprise_id: int, platform: PlatformDep, actor: CurrentActor
) -> EnterprisePublic:
    """One enterprise; another tenant's id answers 404."""
    return enterprise_public(platform.entities.get_enterprise(enterprise_id, actor=actor))


@router.get(
    "/{enterprise_id}/profile", operation_id="enterprises-profile", response_model=ProfilePublic
)
def get_profile(enterprise_id: int, platform: PlatformDep, actor: CurrentActor) -> ProfilePublic:
    """The 360° profile: legal representative, shareholdings, related enterprises."""
    return profile_public(platform.entities.get_profile(enterprise_id, actor=actor))


@router.post(
    "", operation_id="enterprises-create", response_model=EnterprisePublic, status_code=201
)
def register_enterprise(
    body: EnterpriseCreate, platform: PlatformDep, actor: CurrentActor
) -> EnterprisePublic:
    """Register an enterprise (administrators and service officers)."""
    return enterprise_public(platform.entities.register_enterprise(body.to_draft(), actor=actor))
