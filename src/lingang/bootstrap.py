"""The composition root: the only module that turns ``Settings`` into concrete adapters.

API, CLI, console, workers and tests all build the platform through :func:`bootstrap`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lingang.audit.service import AuditService, load_or_create_key
from lingang.auth.model import SessionKind, ThrottlePolicy
from lingang.auth.service import AuthService
from lingang.bus.base import Bus
from lingang.bus.inprocess import InProcessBus
from lingang.bus.relay import IdempotentConsumer, OutboxRelay, write_outbox
from lingang.cases.attachments import AttachmentStore
from lingang.cases.dashboards import CaseDashboards
from lingang.cases.events import CaseClosed, CaseReopened
from lingang.cases.feedback import FeedbackService
from lingang.cases.records import CaseRecords
from lingang.cases.service import CaseService
from lingang.city.sensors.service import SensorService
from lingang.city.sensors.store import DeadLetterStore, SensorRegistry
from lingang.city.service import CityService
from lingang.config import Settings
from lingang.credit.effects import load_policies
from lingang.credit.events import CreditGradeChanged
from lingang.credit.grades import CreditService
from lingang.credit.objections import ObjectionService
from lingang.credit.repairs import RepairService
from lingang.credit.rulesets import load_rulesets
from lingang.credit.service import CREDIT_CONSUMER, CreditRecords
from lingang.db import Database, UnitOfWorkFactory
from lingang.entities.service import EntityService
from lingang.errors import Conflict, LingangError, NotFound
from lingang.inspections.service import InspectionService
from lingang.lake.service import LakeService
from lingang.lake.store import LakeStore
from lingang.overview.service import OverviewService
from lingang.permits.licences import LicenceSigner, load_or_create_signing_key
from lingang.permits.model import load_catalogue
from lingang.permits.ratings import RatingService
from lingang.permits.service import PermitService
from lingang.plan.registry import load_thresholds
from lingang.plan.service import PlanService
from lingang.policies.service import POLICY_CONSUMER, PolicyService
from lingang.risk.assessments.events import AlertRaised
from lingang.risk.assessments.service import AssessmentService
from lingang.risk.backtest import Backtester
from lingang.risk.features.library import load_library
from lingang.risk.features.provider import CatalogSource, LakeBatchFeatures, LakeFeatures
from lingang.risk.features.state import state_from_url
from lingang.risk.lists.service import RiskListService
from lingang.risk.network import LakeNetwork, register_clusters
from lingang.risk.rulesets.service import RuleSetService
from lingang.risk.scenarios.compiled import CompiledRuleSet
from lingang.risk.scenarios.model import RuleSetDocument
from lingang.risk.service import RiskService
from lingang.simulate.load import simulation_dir
from lingang.types import SYSTEM, Actor, Role

log = logging.getLogger(__name__)


@dataclass
class Platform:
    """A running platform: adapters and the services built on them."""

    settings: Settings
    database: Database
    bus: Bus
    relay: OutboxRelay
    uow: UnitOfWorkFactory
    audit: AuditService
    entities: EntityService
    auth: AuthService
    overview: OverviewService
    lake: LakeService
    risk_lists: RiskListService
    risk: RiskService
    rulesets: RuleSetService
    assessments: AssessmentService
    cases: CaseService
    feedback: FeedbackService
    case_dashboards: CaseDashboards
    case_records: CaseRecords
    credit: CreditService
    credit_repairs: RepairService
    credit_objections: ObjectionService
    credit_records: CreditRecords
    inspections: InspectionService
    plan: PlanService
    permits: PermitService
    permit_ratings: RatingService
    policies: PolicyService
    city: CityService
    sensors: SensorService
    started: bool = field(default=False)

    def start(self) -> None:
        """Connect the bus and start relaying the outbox. On the in-process bus, alerts also
        become cases here (on NATS, ``lingang worker cases`` does it), and closed cases
        become credit records of their enterprise."""
        if not self.started:
            if self.settings.bus == "inprocess":
                subscribe_case_intake(self)
                subscribe_credit_records(self)
                subscribe_policy_matching(self)
            self.bus.start()
            self.relay.start_background()
            self.started = True

    def readiness(self) -> dict[str, str]:
        """``ok`` or the reason, for the database and the bus."""
        checks: dict[str, str] = {}
        for name, probe in (("database", self.database.ping), ("bus", self.bus.ping)):
            try:
                probe()
                checks[name] = "ok"
            except LingangError as exc:
                checks[name] = exc.message
        return checks

    def close(self) -> None:
        """Stop the relay (after a last flush), let the in-process consumers finish every
        event that was published (the outbox already counts them as delivered, so nothing
        may be left behind; a long wait is logged every 5 s), close the bus and the
        database pool."""
        self.relay.stop()
        if self.started:
            self.relay.notify()
            if isinstance(self.bus, InProcessBus):
                _drain(self.bus)
        self.bus.close()
        self.database.dispose()
        self.started = False


def _drain(bus: InProcessBus) -> None:
    """Wait until the in-process consumers have handled everything published."""
    while not bus.wait_idle(DRAIN_LOG_EVERY_S):
        log.warning("closing: %d in-process event(s) still being handled", bus.pending)


DRAIN_LOG_EVERY_S = 5.0
CASE_INTAKE = "case-intake"


def subscribe_case_intake(platform: Platform) -> None:
    """Turn every ``AlertRaised`` on the platform's bus into case intake
    (``CaseService.ingest_alert``, each event once); a second call does nothing."""
    consumer = IdempotentConsumer(platform.database, CASE_INTAKE, platform.cases.ingest_alert)
    try:
        platform.bus.subscribe(CASE_INTAKE, [AlertRaised], consumer)
    except Conflict:
        return  # already subscribed on this bus


def subscribe_credit_records(platform: Platform) -> None:
    """Turn every ``CaseClosed`` on the platform's bus into credit records of the enterprise
    (``CreditRecords.record_case_closed``, each event once); a second call does nothing."""
    consumer = IdempotentConsumer(
        platform.database, CREDIT_CONSUMER, platform.credit_records.record_case_event
    )
    try:
        platform.bus.subscribe(CREDIT_CONSUMER, [CaseClosed, CaseReopened], consumer)
    except Conflict:
        return  # already subscribed on this bus


def subscribe_policy_matching(platform: Platform) -> None:
    """Re-match an enterprise's incentive policies whenever its credit grade changes
    (``PolicyService.on_grade_changed``, each event once); a second call does nothing."""
    consumer = IdempotentConsumer(
        platform.database, POLICY_CONSUMER, platform.policies.on_grade_changed
    )
    try:
        platform.bus.subscribe(POLICY_CONSUMER, [CreditGradeChanged], consumer)
    except Conflict:
        return  # already subscribed on this bus


def build_bus(settings: Settings) -> Bus:
    """The bus adapter named by ``settings.bus``."""
    if settings.bus == "nats":
        from lingang.bus.nats import NatsBus

        return NatsBus(url=settings.nats_url, stream=settings.nats_stream,
                       subject_prefix=settings.nats_subject_prefix)  # fmt: skip
    return InProcessBus()


def build_features(
    settings: Settings, catalog: CatalogSource, store: LakeStore, network: LakeNetwork
) -> LakeFeatures:
    """The online feature provider (in process, or Redis when ``LINGANG_REDIS_URL`` is set)."""
    return LakeFeatures(catalog, state_from_url(settings.redis_url), store, network=network)


def build_batch_features(
    catalog: CatalogSource, store: LakeStore, network: LakeNetwork
) -> LakeBatchFeatures:
    """Features over the lake's history, for back-tests (network ones only when used)."""
    return LakeBatchFeatures(catalog, store, network=network,
                             plain=lambda: load_library(network=False))  # fmt: skip


def saved_scorers(data_dir: Path) -> Callable[[str], Any]:
    """The saved learned scorers by name (LightGBM loads only when a scenario names one)."""
    found: list[Any] = []

    def lookup(name: str) -> Any:
        if not found:
            from lingang.risk.scorers.zone import SavedScorers

            found.append(SavedScorers(data_dir))
        return found[0](name)

    return lookup


def audit_key(settings: Settings) -> bytes:
    """The audit HMAC key: from settings, else the key file in the data directory."""
    if settings.audit_key is not None:
        return settings.audit_key.get_secret_value().encode()
    return load_or_create_key(settings.ensure_data_dir() / "audit.key")


def _enterprise_uscc(entities: EntityService, actor: Actor) -> str | None:
    """The USCC of an enterprise user's own enterprise (the lake's 360° tenant check)."""
    if actor.enterprise_id is None:
        return None
    return entities.get_enterprise(actor.enterprise_id, actor=actor).uscc


def _enterprise_name(entities: EntityService, uscc: str) -> str | None:
    """The registered Chinese name of an enterprise (None when it is not registered)."""
    found = entities.by_uscc(uscc)
    return found.name_zh if found else None


def _own_enterprise_uscc(entities: EntityService, actor: Actor) -> str | None:
    """Like :func:`_enterprise_uscc`, but None when the user's enterprise is gone."""
    try:
        return _enterprise_uscc(entities, actor)
    except NotFound:
        return None


INSPECTIONS_SOURCE = "inspections"
"""The credit-record source of published 双随机 results."""
TARGETS_PAGE = 1000


def _inspection_targets(entities: EntityService) -> list[tuple[str, str]]:
    """The 双随机 library of targets: every registered enterprise as ``(uscc, name)``."""
    found: list[tuple[str, str]] = []
    while True:
        page, total = entities.list_enterprises(actor=SYSTEM, limit=TARGETS_PAGE,
                                                offset=len(found))  # fmt: skip
        found.extend((e.uscc, e.name_zh) for e in page)
        if not page or len(found) >= total:
            return found


def bootstrap(
    settings: Settings | None = None, *, migrate: bool = True, start: bool = True
) -> Platform:
    """Build (and by default migrate and start) the platform described by ``settings``."""
    settings = settings or Settings()
    settings.ensure_data_dir()
    database = Database(settings.resolved_database_url())
    if migrate:
        database.upgrade()
    bus = build_bus(settings)
    relay = OutboxRelay(database, bus)
    uow = UnitOfWorkFactory(database, write_outbox, relay.notify)
    audit = AuditService(audit_key(settings))
    entities = EntityService(uow, audit)
    auth = AuthService(
        uow,
        audit,
        throttle=ThrottlePolicy(
            max_failures=settings.login_max_failures,
            window=dt.timedelta(minutes=settings.login_window_minutes),
            lockout=dt.timedelta(minutes=settings.login_lockout_minutes),
        ),
        lifetimes={
            SessionKind.CONSOLE: dt.timedelta(hours=settings.session_hours),
            SessionKind.API: dt.timedelta(days=settings.api_token_days),
        },
        enterprise_exists=entities.exists,
    )
    overview = OverviewService(uow, auth, entities, audit)
    lake = LakeService(
        uow, audit, LakeStore(settings.data_dir / "lake"),
        hs_nomenclature=settings.hs_nomenclature,
        enterprise_code_of=lambda actor: _enterprise_uscc(entities, actor),
    )  # fmt: skip
    risk_lists = RiskListService(uow, audit)
    catalog = load_library  # compiled at the first assessment or back-test, not here
    network = LakeNetwork(lake.store, lambda: register_clusters(uow))
    features = build_features(settings, catalog, lake.store, network)
    assessments: AssessmentService | None = None

    def compile_document(document: RuleSetDocument) -> CompiledRuleSet:
        assert assessments is not None
        return assessments.compile(document)

    rulesets = RuleSetService(uow, audit, risk_lists, compile_document)
    scorers = saved_scorers(settings.data_dir)
    assessments = AssessmentService(uow, rulesets, risk_lists, features,
                                    hs_nomenclature=settings.hs_nomenclature,
                                    scorers=scorers)  # fmt: skip
    truth_dir = simulation_dir(settings.data_dir) / "truth"
    backtester = Backtester(
        lake.store, build_batch_features(catalog, lake.store, network), truth_dir,
        scorers=scorers,
    )  # fmt: skip
    cases = CaseService(
        uow, audit, officers=lambda unit: auth.active_users(Role.CASE_OFFICER, unit),
        supervisors=lambda unit: auth.active_users(Role.CASE_SUPERVISOR, unit),
    )  # fmt: skip
    case_records = CaseRecords(
        uow, audit, cases, AttachmentStore(settings.data_dir / "cases" / "attachments"),
        enterprise_of=lambda actor: _own_enterprise_uscc(entities, actor),
        name_of=lambda uscc: _enterprise_name(entities, uscc),
        max_bytes=settings.case_attachment_max_bytes,
    )  # fmt: skip

    def own_enterprise(actor: Actor) -> str | None:
        return _own_enterprise_uscc(entities, actor)

    credit = CreditService(
        uow, audit, rulesets=load_rulesets(), policies=load_policies(),
        registry=entities.aeo_statuses, declarations=lake.declaration_counts,
        enterprise_of=own_enterprise,
    )  # fmt: skip

    def record_inspection(
        uscc: str, occurred_on: dt.date, source_ref: str, summary: str, details: dict[str, Any]
    ) -> None:
        platform.credit_records.add_public_record(
            uscc, occurred_on, INSPECTIONS_SOURCE, source_ref, summary, details
        )

    def default_rates() -> dict[str, float]:
        return {c.value: r for c, r in credit.effects_policy().sampling_rates.items()}

    inspections = InspectionService(
        uow, audit, targets=lambda: _inspection_targets(entities), class_of=credit.class_of,
        record_credit=record_inspection,
        default_rates=default_rates,
        directed=lambda department: platform.permits.directed_checks(department),
        directed_fed=lambda *fed: platform.permits.feed_plan(*fed),
    )  # fmt: skip
    permits = PermitService(
        uow, audit, load_catalogue(), AttachmentStore(settings.data_dir / "permits" / "materials"),
        LicenceSigner(load_or_create_signing_key(settings.data_dir / "permits-licence.key")),
        enterprise_of=own_enterprise,
        commitment_open=lambda uscc: credit.effects(uscc).commitment_approval,
        record_credit=lambda *args: platform.credit_records.add_public_record(*args),
        base_url=settings.resolved_public_url(),
    )  # fmt: skip
    permit_ratings = RatingService(
        uow, audit, permits.catalogue, enterprise_of=own_enterprise
    )  # 好差评 (issue #8 item 5)
    platform = Platform(
        settings,
        database,
        bus,
        relay,
        uow,
        audit,
        entities,
        auth,
        overview,
        lake,
        risk_lists,
        RiskService(lake, risk_lists, rulesets, compile_document, backtester),
        rulesets,
        assessments,
        cases,
        feedback=FeedbackService(uow),
        case_dashboards=CaseDashboards(uow),
        case_records=case_records,
        credit=credit,
        credit_repairs=RepairService(uow, audit, credit),
        credit_objections=ObjectionService(uow, audit, credit),
        credit_records=CreditRecords(
            uow,
            enterprise_of=own_enterprise,
            audit=audit,
            regrade=credit.regrade_in,
            validate=credit.validate_record,
        ),
        inspections=inspections,
        plan=PlanService(
            uow,
            audit,
            registry_path=settings.plan_indicators,
            thresholds=load_thresholds(settings.plan_thresholds),
        ),
        permits=permits,
        permit_ratings=permit_ratings,
        policies=PolicyService(
            uow,
            audit,
            enterprise=entities.by_uscc,
            credit=lambda uscc: credit.effects(uscc),
            enterprises=lambda: sorted(entities.aeo_statuses(None)),
            enterprise_of=own_enterprise,
        ),
        city=CityService(uow, audit, model_dir=settings.data_dir / "city"),  # 一网统管 (#9)
        sensors=SensorService(
            uow, audit, registry=SensorRegistry(database), dead_letters=DeadLetterStore(database)
        ),
    )
    if start:
        platform.start()
    return platform
