"""The one door to an enterprise by an id that came from outside."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lingang.entities import store
from lingang.entities.model import Enterprise
from lingang.errors import NotFound
from lingang.types import Actor


def get_enterprise_for(session: Session, actor: Actor, enterprise_id: int) -> Enterprise:
    """The enterprise if the actor may see it; another tenant's id is ``NotFound``, never 403."""
    if actor.is_enterprise and actor.enterprise_id != enterprise_id:
        raise NotFound(f"enterprise {enterprise_id} not found")
    enterprise = store.get(session, enterprise_id)
    if enterprise is None:
        raise NotFound(f"enterprise {enterprise_id} not found")
    return enterprise
