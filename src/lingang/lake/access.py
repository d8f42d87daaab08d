"""Who may do what with the lake.

- **Import** (file door, API, ``ingest``): administrators, risk officers (customs, payment
  and logistics feeds are their evidence) and service officers (enterprise registration
  feeds). Everyone else gets ``Forbidden``.
- **Read** the lake page, the quarantine and the import journal: every staff role.
- **Enterprise users** never read the lake as such; the 360° helpers answer them about
  their own enterprise only — any other enterprise code is ``NotFound``, never ``Forbidden``.
"""

from __future__ import annotations

from lingang.errors import Forbidden, NotFound
from lingang.types import Actor, Role

IMPORTERS = frozenset({Role.ADMIN, Role.RISK_OFFICER, Role.SERVICE_OFFICER})
READERS = frozenset(Role) - {Role.ENTERPRISE}


def require_importer(actor: Actor) -> None:
    """Raise ``Forbidden`` unless the actor may import into the lake."""
    if actor.role not in IMPORTERS:
        raise Forbidden(f"role {actor.role.value} may not import into the lake")


def require_reader(actor: Actor) -> None:
    """Raise ``Forbidden`` unless the actor may read lake statistics and quarantine."""
    if actor.role not in READERS:
        raise Forbidden(f"role {actor.role.value} may not read the lake")


def require_enterprise_view(actor: Actor, code: str, own_code: str | None) -> None:
    """Staff see any enterprise's rows; an enterprise user only its own (else ``NotFound``)."""
    if actor.is_enterprise and (own_code is None or code != own_code):
        raise NotFound(f"enterprise {code} not found")
