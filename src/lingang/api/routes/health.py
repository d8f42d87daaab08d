"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from lingang.api.deps import PlatformDep

router = APIRouter(tags=["health"])


@router.get("/healthz", operation_id="health-live")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="health-ready")
def readyz(platform: PlatformDep) -> JSONResponse:
    """200 when the database and the bus answer, 503 naming the failing check otherwise."""
    checks = platform.readiness()
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", operation_id="health-metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Prometheus text exposition."""
    response: Response = request.app.state.metrics.render()
    return response
