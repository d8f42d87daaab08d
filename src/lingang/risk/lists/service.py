"""Risk-list use cases: create, add, remove, read (now or as of a time), history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from lingang.audit.service import AuditService
from lingang.db import UnitOfWork, UnitOfWorkFactory
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.risk.lists import store
from lingang.risk.lists.events import RiskListChanged
from lingang.risk.lists.model import (
    ElementType,
    ListChange,
    ListKind,
    RiskList,
    normalise_value,
    validate_list_name,
)
from lingang.types import Actor, Role, utcnow

EDITORS = frozenset({Role.ADMIN, Role.RISK_OFFICER})
MAX_VALUES_PER_CHANGE = 10_000


class RiskListService:
    """Named lists that rules consult; every change is audited and versioned."""

    def __init__(self, uow: UnitOfWorkFactory, audit: AuditService) -> None:
        self._uow = uow
        self._audit = audit

    def create_list(self, name: str, kind: ListKind, element_type: ElementType, *, actor: Actor,
                    description_zh: str = "", description_en: str = "") -> RiskList:  # fmt: skip
        """Create an empty list (risk officers and administrators)."""
        _require_editor(actor)
        clean = validate_list_name(name)
        with self._uow() as uow:
            if store.find(uow.session, clean) is not None:
                raise Conflict(f"risk list {clean!r} already exists")
            row = store.RiskListRow(name=clean, kind=kind.value, element_type=element_type.value,
                                    description_zh=description_zh[:200],
                                    description_en=description_en[:200], version=0,
                                    created_at=utcnow())  # fmt: skip
            uow.session.add(row)
            uow.session.flush()
            self._audit.record(uow.session, actor=actor, action="risk.create_list",
                               object_type="risk_list", object_id=clean,
                               detail=f"kind={kind.value} type={element_type.value}")  # fmt: skip
            uow.commit()
        return store.to_list(row, frozenset())

    def add_values(self, name: str, values: Iterable[str], *, actor: Actor,
                   note: str = "") -> RiskList:  # fmt: skip
        """Add values (normalised per the list's element type); present ones are left as is."""
        return self._change(name, values, actor=actor, note=note, adding=True)

    def remove_values(self, name: str, values: Iterable[str], *, actor: Actor,
                      note: str = "") -> RiskList:  # fmt: skip
        """End these values' membership; the history keeps them."""
        return self._change(name, values, actor=actor, note=note, adding=False)

    def get_list(self, name: str, *, actor: Actor, as_of: dt.datetime | None = None) -> RiskList:
        """A list's values now, or as they were at ``as_of`` (staff only)."""
        _require_staff(actor)
        with self._uow.read() as session:
            row = _existing(session, name)
            return store.to_list(row, store.values_at(session, row.id, as_of))

    def list_lists(self, *, actor: Actor) -> list[RiskList]:
        """Every list with its current values (staff only)."""
        _require_staff(actor)
        with self._uow.read() as session:
            return [store.to_list(r, store.values_at(session, r.id, None))
                    for r in store.all_lists(session)]  # fmt: skip

    def history(self, name: str, *, actor: Actor) -> list[ListChange]:
        """Every addition and removal of a list, oldest first (staff only)."""
        _require_staff(actor)
        with self._uow.read() as session:
            return store.history(session, _existing(session, name).id)

    def snapshot(self) -> dict[str, frozenset[str]]:
        """Every list's current values, for rule evaluation (no actor: the engine's own read)."""
        with self._uow.read() as session:
            return {r.name: store.values_at(session, r.id, None) for r in store.all_lists(session)}

    def versions(self) -> dict[str, int]:
        """Every list's version number (cheap: tells an evaluator when to re-read)."""
        with self._uow.read() as session:
            return {r.name: r.version for r in store.all_lists(session)}

    def _change(self, name: str, values: Iterable[str], *, actor: Actor, note: str,
                adding: bool) -> RiskList:  # fmt: skip
        _require_editor(actor)
        with self._uow() as uow:
            row = _existing(uow.session, name)
            wanted = _normalised(ElementType(row.element_type), values)
            now = utcnow()
            if adding:
                changed = wanted - store.values_at(uow.session, row.id, None)
                uow.session.add_all(store.RiskListItemRow(
                    list_id=row.id, value=v, note=note[:200], added_at=now,
                    added_by=actor.username) for v in sorted(changed))  # fmt: skip
            else:
                changed = store.remove(uow.session, row.id, wanted, at=now,
                                       actor=actor.username, note=note[:200])  # fmt: skip
            if changed:
                row.version += 1
                self._record(uow, row, actor, sorted(changed), adding=adding)
            uow.commit()
            return store.to_list(row, store.values_at(uow.session, row.id, None))

    def _record(self, uow: UnitOfWork, row: store.RiskListRow, actor: Actor, changed: list[str],
                *, adding: bool) -> None:  # fmt: skip
        session = uow.session
        action = "risk.add_list_values" if adding else "risk.remove_list_values"
        self._audit.record(session, actor=actor, action=action, object_type="risk_list",
                           object_id=row.name, after={"version": row.version, "values": changed},
                           detail=f"{len(changed)} value(s), version {row.version}")  # fmt: skip
        uow.emit(RiskListChanged(list_name=row.name, version=row.version,
                                 added=changed if adding else [],
                                 removed=[] if adding else changed))  # fmt: skip


def _existing(session: Session, name: str) -> store.RiskListRow:
    row = store.find(session, name)
    if row is None:
        raise NotFound(f"risk list {name!r} not found")
    return row


def _normalised(element_type: ElementType, values: Iterable[str]) -> set[str]:
    clean: set[str] = set()
    for index, value in enumerate(values):
        if index >= MAX_VALUES_PER_CHANGE:
            raise Invalid("values", f"at most {MAX_VALUES_PER_CHANGE} values per change")
        try:
            clean.add(normalise_value(element_type, value))
        except Invalid as exc:
            raise Invalid(f"values[{index}]", exc.reason) from exc
    if not clean:
        raise Invalid("values", "give at least one value")
    return clean


def _require_editor(actor: Actor) -> None:
    if actor.role not in EDITORS:
        raise Forbidden("only risk officers and administrators edit risk lists")


def _require_staff(actor: Actor) -> None:
    if actor.is_enterprise:
        raise Forbidden("enterprise users do not read risk lists")
