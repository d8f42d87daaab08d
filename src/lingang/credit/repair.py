"""Credit repair (信用修复) eligibility, pure and data-driven (regulations digest §1.7, §2.6).

- Customs: ``repair_eligible_from(cause, determined_on, ruleset)`` is the first day a written
  repair application may be filed after a 失信 determination, by the cause (a criterion code
  of the grade's ``dishonest_reasons``) and the waiting months of the customs rule set in
  force (Order 251: 12 months for administrative smuggling or obstruction, 6 for the
  violation thresholds, 3 for unpaid duties or fines; Order 282 carries them forward,
  confidence U). Causes the rule set does not list cannot be repaired by application.
- National (NDRC 信用修复管理办法, from 2026-04-01, ``national-credit-repair-2026.yaml``):
  ``publicity_period(severity, ruleset)`` gives the minimum and maximum publicity of 失信
  information; ``publicity_window`` turns it into dates from the adjudicating document.

Months are calendar months; a day past the end of the target month falls back to its last
day (2025-08-31 + 6 months = 2026-02-28).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from lingang.credit.rulesets import CreditRepairRuleset, CustomsRuleset, PublicityPeriod, Severity
from lingang.errors import Invalid


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar ``months``, clamped to the last day of the target month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def repair_eligible_from(cause: str, determined_on: dt.date, ruleset: CustomsRuleset) -> dt.date:
    """First day customs credit repair may be applied for; ``Invalid("cause")`` when the
    rule set gives no waiting period for ``cause`` (not repairable by application)."""
    months = ruleset.repair_months.get(cause)
    if months is None:
        listed = ", ".join(sorted(ruleset.repair_months))
        raise Invalid(
            "cause",
            f"{cause!r} cannot be repaired by application under {ruleset.meta.instrument} "
            f"(repairable: {listed})",
        )
    return add_months(determined_on, months)


def publicity_period(severity: Severity | str, ruleset: CreditRepairRuleset) -> PublicityPeriod:
    """Minimum and maximum publicity months of 失信 information of ``severity``."""
    try:
        return ruleset.publicity[Severity(severity)]
    except ValueError as exc:
        allowed = ", ".join(s.value for s in Severity)
        raise Invalid("severity", f"must be one of {allowed}, got {severity!r}") from exc


@dataclass(frozen=True, slots=True)
class PublicityWindow:
    """Dates of one piece of 失信 information: repair possible from ``repairable_from``
    (once corrected and committed), publication ends by itself on ``publicity_ends``."""

    severity: Severity
    repairable_from: dt.date
    publicity_ends: dt.date


def publicity_window(
    severity: Severity | str, decided_on: dt.date, ruleset: CreditRepairRuleset
) -> PublicityWindow:
    """The publicity window counted from the date of the adjudicating document."""
    period = publicity_period(severity, ruleset)
    return PublicityWindow(
        severity=period.severity,
        repairable_from=add_months(decided_on, period.min_months),
        publicity_ends=add_months(decided_on, period.max_months),
    )
