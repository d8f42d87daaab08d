"""Events of policy matching: a new eligibility, a benefit granted without application."""

from __future__ import annotations

from lingang.bus.events import Event, register_event


@register_event
class PolicyEligibilityFound(Event):
    """An enterprise newly qualifies for a policy (its inbox got a message)."""

    name = "policies.eligibility_found"
    enterprise_uscc: str
    policy_id: str
    exempt_application: bool


@register_event
class PolicyGranted(Event):
    """A 免申即享 benefit was granted to an enterprise without an application."""

    name = "policies.granted"
    enterprise_uscc: str
    policy_id: str
    amount_wan: float | None
