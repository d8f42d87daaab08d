"""Wire schema of the home dashboard's counts."""

from __future__ import annotations

from pydantic import BaseModel


class OverviewPublic(BaseModel):
    """Headline counts."""

    enterprises: int
    users: int
    audit_records: int
    events_published: int
    events_pending: int
