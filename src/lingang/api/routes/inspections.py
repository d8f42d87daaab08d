"""双随机、一公开: the catalogue, the inspector library, plans (create, commit, draw), results
and their publication — and the public record anyone may read without signing in.

Credit officers and administrators manage; auditors read; enterprise users get 403. The
public endpoints answer 404 for a plan not yet drawn. Rules in docs/inspections.md.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.inspections import (
    ConflictRequest,
    ImportRequest,
    InspectorCreate,
    InspectorPublic,
    ItemCreate,
    ItemPublic,
    PlanCreate,
    PlanDetailPublic,
    PlanPublic,
    PublicDraw,
    ResultCreate,
    ResultPublic,
    detail_public,
    inspector_public,
    item_public,
    plan_public,
    public_draw,
    result_public,
)

router = APIRouter(prefix="/api/inspections", tags=["inspections"])
public_router = APIRouter(prefix="/api/public/inspections", tags=["public"])
Year = Annotated[int | None, Query(ge=1900, le=9999, description="only plans of this year")]


# --- the catalogue and the inspector library --------------------------------------------------


@router.get("/items", operation_id="inspections-items", response_model=list[ItemPublic])
def items(platform: PlatformDep, actor: CurrentActor) -> list[ItemPublic]:
    """The 抽查事项清单 (active items), by code."""
    return [item_public(i) for i in platform.inspections.list_items(actor=actor)]


@router.post("/items", operation_id="inspections-add-item", status_code=201,
             response_model=ItemPublic)  # fmt: skip
def add_item(body: ItemCreate, platform: PlatformDep, actor: CurrentActor) -> ItemPublic:
    """Add an item; a known code answers 409."""
    made = platform.inspections.add_item(body.code, body.name_zh, body.name_en,
                                         body.department, key=body.key, actor=actor)  # fmt: skip
    return item_public(made)


@router.post("/items/import", operation_id="inspections-import-items", status_code=201,
             response_model=list[ItemPublic])  # fmt: skip
def import_items(
    body: ImportRequest, platform: PlatformDep, actor: CurrentActor
) -> list[ItemPublic]:
    """Add many items at once; one bad row (named ``rows[n].field``) writes nothing."""
    return [item_public(i) for i in platform.inspections.import_items(body.rows, actor=actor)]


@router.get("/inspectors", operation_id="inspections-inspectors",
            response_model=list[InspectorPublic])  # fmt: skip
def inspectors(
    platform: PlatformDep, actor: CurrentActor,
    department: Annotated[str | None, Query(max_length=80)] = None,
) -> list[InspectorPublic]:  # fmt: skip
    """The 执法检查人员名录库 (active inspectors), by id."""
    found = platform.inspections.list_inspectors(actor=actor, department=department)
    return [inspector_public(i) for i in found]


@router.post("/inspectors", operation_id="inspections-add-inspector", status_code=201,
             response_model=InspectorPublic)  # fmt: skip
def add_inspector(
    body: InspectorCreate, platform: PlatformDep, actor: CurrentActor
) -> InspectorPublic:
    """Add an inspector; a known id answers 409."""
    made = platform.inspections.add_inspector(body.id, body.name, body.department,
                                              body.qualifications, actor=actor)  # fmt: skip
    return inspector_public(made)


@router.post("/inspectors/import", operation_id="inspections-import-inspectors",
             status_code=201, response_model=list[InspectorPublic])  # fmt: skip
def import_inspectors(
    body: ImportRequest, platform: PlatformDep, actor: CurrentActor
) -> list[InspectorPublic]:
    """Add many inspectors at once; one bad row (named ``rows[n].field``) writes nothing."""
    found = platform.inspections.import_inspectors(body.rows, actor=actor)
    return [inspector_public(i) for i in found]


@router.post("/inspectors/{inspector_id}/conflicts", operation_id="inspections-conflict",
             response_model=InspectorPublic)  # fmt: skip
def declare_conflict(
    inspector_id: str, body: ConflictRequest, platform: PlatformDep, actor: CurrentActor
) -> InspectorPublic:
    """Record an inspector's conflict of interest with an enterprise: recused from it."""
    made = platform.inspections.declare_conflict(inspector_id, body.uscc, body.reason,
                                                 actor=actor)  # fmt: skip
    return inspector_public(made)


# --- plans (fixed paths before /{plan_id}) ----------------------------------------------------


@router.get("/plans", operation_id="inspections-plans", response_model=list[PlanPublic])
def plans(platform: PlatformDep, actor: CurrentActor, year: Year = None) -> list[PlanPublic]:
    """Plans, newest first."""
    return [plan_public(p) for p in platform.inspections.list_plans(actor=actor, year=year)]


@router.get("/plans/overdue", operation_id="inspections-overdue",
            response_model=list[PlanDetailPublic])  # fmt: skip
def overdue(platform: PlatformDep, actor: CurrentActor) -> list[PlanDetailPublic]:
    """Drawn plans past their ``publish_by`` with results still unpublished."""
    return [detail_public(d) for d in platform.inspections.overdue_plans(actor=actor)]


@router.post("/plans", operation_id="inspections-create-plan", status_code=201,
             response_model=PlanPublic)  # fmt: skip
def create_plan(body: PlanCreate, platform: PlatformDep, actor: CurrentActor) -> PlanPublic:
    """A draft plan for a catalogue item."""
    made = platform.inspections.create_plan(
        body.year, body.item_code, actor=actor, rates=body.rates,
        inspectors_per_target=body.inspectors_per_target,
        required_qualification=body.required_qualification, department=body.department,
    )  # fmt: skip
    return plan_public(made)


@router.get("/plans/{plan_id}", operation_id="inspections-plan",
            response_model=PlanDetailPublic)  # fmt: skip
def plan(plan_id: str, platform: PlatformDep, actor: CurrentActor) -> PlanDetailPublic:
    """A plan with its drawn enterprises and every recorded result."""
    return detail_public(platform.inspections.get_plan(plan_id, actor=actor))


@router.post("/plans/{plan_id}/commit", operation_id="inspections-commit",
             response_model=PlanPublic)  # fmt: skip
def commit(plan_id: str, platform: PlatformDep, actor: CurrentActor) -> PlanPublic:
    """Freeze the inputs and commit to a secret seed; publish ``announcement`` now."""
    return plan_public(platform.inspections.commit_plan(plan_id, actor=actor))


@router.post("/plans/{plan_id}/draw", operation_id="inspections-draw",
             response_model=PlanPublic)  # fmt: skip
def run_draw(plan_id: str, platform: PlatformDep, actor: CurrentActor) -> PlanPublic:
    """Draw targets and inspectors, reveal the seed; results are due by ``publish_by``."""
    return plan_public(platform.inspections.run_draw(plan_id, actor=actor))


@router.get("/plans/{plan_id}/results", operation_id="inspections-results",
            response_model=list[ResultPublic])  # fmt: skip
def results(plan_id: str, platform: PlatformDep, actor: CurrentActor) -> list[ResultPublic]:
    """The plan's recorded results, published or not."""
    detail = platform.inspections.get_plan(plan_id, actor=actor)
    return [result_public(r) for r in detail.results]


@router.post("/plans/{plan_id}/results", operation_id="inspections-record-result",
             status_code=201, response_model=ResultPublic)  # fmt: skip
def record_result(
    plan_id: str, body: ResultCreate, platform: PlatformDep, actor: CurrentActor
) -> ResultPublic:
    """Record (or correct, until published) the result for one drawn enterprise."""
    made = platform.inspections.record_result(plan_id, body.uscc, body.outcome, body.finding,
                                              actor=actor)  # fmt: skip
    return result_public(made)


@router.post("/plans/{plan_id}/publish", operation_id="inspections-publish",
             response_model=PlanDetailPublic)  # fmt: skip
def publish(plan_id: str, platform: PlatformDep, actor: CurrentActor) -> PlanDetailPublic:
    """Publish the recorded results; each becomes a credit record of its enterprise."""
    return detail_public(platform.inspections.publish_results(plan_id, actor=actor))


# --- public: no sign-in ------------------------------------------------------------------------


@public_router.get("", operation_id="public-inspections", response_model=list[PublicDraw])
def public_draws(platform: PlatformDep, year: Year = None) -> list[PublicDraw]:
    """Every drawn plan with its commitment, revealed seed, drawn enterprises and published
    results (一公开); no sign-in needed."""
    return [public_draw(d) for d in platform.inspections.public_results(year)]


@public_router.get("/{plan_id}", operation_id="public-inspection-record")
def public_record(plan_id: str, platform: PlatformDep) -> dict[str, Any]:
    """The full public record of a draw, with the seed and the announcement: save it and run
    ``lingang inspections verify-draw FILE``. 404 before the draw."""
    return platform.inspections.published(plan_id)
