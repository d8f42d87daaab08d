"""The home dashboard's counts."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.overview import OverviewPublic

router = APIRouter(prefix="/api", tags=["overview"])


@router.get("/overview", operation_id="overview-get", response_model=OverviewPublic)
def get_overview(platform: PlatformDep, actor: CurrentActor) -> OverviewPublic:
    """Headline counts for the signed-in actor."""
    return OverviewPublic(**asdict(platform.overview.get_overview(actor=actor)))
