"""Who reaches which cases: case officers and supervisors work in one department."""

from __future__ import annotations

from lingang.types import Actor, Role

#: roles whose reach is their own department's cases
DEPARTMENT_ROLES = frozenset({Role.CASE_OFFICER, Role.CASE_SUPERVISOR})


def department_scope(actor: Actor) -> str | None:
    """The department an actor is limited to: None for all, "" for none (a case officer or
    supervisor without a department sees no case)."""
    if actor.role in DEPARTMENT_ROLES:
        return actor.department or ""
    return None
