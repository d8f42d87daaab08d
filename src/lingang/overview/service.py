"""Live counts for the home dashboard and ``GET /api/overview``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lingang.audit.service import AuditService
from lingang.auth.model import Permission
from lingang.auth.service import AuthService, require
from lingang.bus.outbox import OutboxRow
from lingang.db import UnitOfWorkFactory
from lingang.entities.service import EntityService
from lingang.types import Actor


@dataclass(frozen=True, slots=True)
class Overview:
    """What the home dashboard shows."""

    enterprises: int
    users: int
    audit_records: int
    events_published: int
    events_pending: int


class OverviewService:
    """Reads the platform's headline counts."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        auth: AuthService,
        entities: EntityService,
        audit: AuditService,
    ) -> None:
        self._uow = uow
        self._auth = auth
        self._entities = entities
        self._audit = audit

    def get_overview(self, *, actor: Actor) -> Overview:
        """Headline counts; enterprise users see only their own enterprise."""
        require(actor, Permission.VIEW_OVERVIEW)
        with self._uow.read() as session:
            published = session.scalar(
                select(func.count()).where(OutboxRow.published_at.is_not(None))
            )
            pending = session.scalar(select(func.count()).where(OutboxRow.published_at.is_(None)))
            audit_records = self._audit.count(session)
        return Overview(
            enterprises=1 if actor.is_enterprise else self._entities.count(),
            users=self._auth.count_users(),
            audit_records=audit_records,
            events_published=int(published or 0),
            events_pending=int(pending or 0),
        )
