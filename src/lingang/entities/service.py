"""Enterprise use cases."""

from __future__ import annotations

from dataclasses import asdict

from lingang.audit.service import AuditService
from lingang.db import UnitOfWorkFactory
from lingang.entities import access, store
from lingang.entities.events import EnterpriseRegistered
from lingang.entities.model import Enterprise, validate_name, validate_uscc
from lingang.errors import Conflict, Forbidden
from lingang.types import Actor, Role, utcnow

REGISTRARS = frozenset({Role.ADMIN, Role.SERVICE_OFFICER})


class EntityService:
    """Registers and reads enterprises."""

    def __init__(self, uow: UnitOfWorkFactory, audit: AuditService) -> None:
        self._uow = uow
        self._audit = audit

    def register_enterprise(
        self, uscc: str, name_zh: str, name_en: str = "", *, actor: Actor
    ) -> Enterprise:
        """Add an enterprise; its USCC must be valid and new."""
        if actor.role not in REGISTRARS:
            raise Forbidden("only administrators and service officers register enterprises")
        code = validate_uscc(uscc)
        row = store.EnterpriseRow(
            uscc=code,
            name_zh=validate_name("name_zh", name_zh, required=True),
            name_en=validate_name("name_en", name_en, required=False),
            created_at=utcnow(),
        )
        with self._uow() as uow:
            if store.get_by_uscc(uow.session, code) is not None:
                raise Conflict(f"uscc {code} is already registered")
            enterprise = store.add(uow.session, row)
            self._audit.record(
                uow.session,
                actor=actor,
                action="entities.register_enterprise",
                object_type="enterprise",
                object_id=str(enterprise.id),
                after=asdict(enterprise),
            )
            uow.emit(EnterpriseRegistered(enterprise_id=enterprise.id, uscc=code))
            uow.commit()
        return enterprise

    def get_enterprise(self, enterprise_id: int, *, actor: Actor) -> Enterprise:
        """One enterprise the actor may see."""
        with self._uow.read() as session:
            return access.get_enterprise_for(session, actor, enterprise_id)

    def list_enterprises(
        self, *, actor: Actor, limit: int = 100, offset: int = 0
    ) -> tuple[list[Enterprise], int]:
        """A page of the enterprises the actor may see, and their total."""
        with self._uow.read() as session:
            if actor.is_enterprise:
                own = access.get_enterprise_for(session, actor, actor.enterprise_id or 0)
                return ([own] if offset == 0 else []), 1
            return store.page(session, limit=limit, offset=offset), store.count(session)

    def exists(self, enterprise_id: int) -> bool:
        """Whether an enterprise id is registered (used to bind enterprise users)."""
        with self._uow.read() as session:
            return store.get(session, enterprise_id) is not None

    def count(self) -> int:
        """Number of registered enterprises."""
        with self._uow.read() as session:
            return store.count(session)
