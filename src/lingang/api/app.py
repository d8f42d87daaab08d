"""The FastAPI application: API routes, health, metrics, and (optionally) the console."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi_offline import FastAPIOffline

from lingang import __version__
from lingang.api.errors import install_error_handlers
from lingang.api.metrics import install_metrics
from lingang.api.routes import (
    assessments,
    audit,
    auth,
    case_records,
    cases,
    city,
    credit,
    enterprises,
    health,
    inspections,
    lake,
    open311,
    overview,
    permit_ratings,
    permits,
    plan,
    policies,
    risk,
    risk_lists,
    rulesets,
)
from lingang.bootstrap import Platform


def create_app(platform: Platform, *, console: bool = False) -> FastAPI:
    """Build the app around a platform; the console is mounted under ``/console``."""
    app = FastAPIOffline(
        title="Lingang Platform API · 临港一体化信息管理服务平台",
        version=__version__,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url="/api/docs-static",
    )
    app.state.platform = platform
    app.state.metrics = install_metrics(app)
    install_error_handlers(app)
    for module in (health, auth, enterprises, audit, overview, lake, risk_lists, risk,
                   rulesets, assessments, case_records, cases, credit):  # fmt: skip
        app.include_router(module.router)
    app.include_router(credit.zone)
    app.include_router(inspections.router)
    app.include_router(inspections.public_router)  # 双随机、一公开: no sign-in
    app.include_router(plan.router)
    app.include_router(permits.router)
    app.include_router(permits.public_router)  # e-licence check: no sign-in
    app.include_router(permit_ratings.router)
    app.include_router(permit_ratings.public_router)  # 好差评 results: no sign-in
    app.include_router(policies.router)
    app.include_router(city.router)  # 一网统管 (issue #9)
    app.include_router(open311.router)  # Open311 GeoReport v2: reading needs no sign-in
    if console:
        from lingang.console.app import mount_console

        mount_console(app, platform)

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/console/")

    return app
