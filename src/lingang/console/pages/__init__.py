"""Console pages; :func:`register_pages` registers every one of them with NiceGUI."""

from __future__ import annotations

from lingang.bootstrap import Platform
from lingang.console.pages import (
    assessments,
    audit,
    backtest,
    case_dashboard,
    cases,
    city_events,
    city_kpis,
    city_map,
    city_sensors,
    credit,
    enterprise360,
    enterprises,
    home,
    inspections,
    lake,
    login,
    permits_desk,
    permits_portal,
    permits_rating,
    plan,
    policies,
    requests,
    risk_lists,
    rules,
    rulesets,
    users,
)


def register_pages(platform: Platform) -> None:
    """Register the login page and every signed-in page (once per process).

    ``case_dashboard`` comes before ``cases``: its ``/cases/dashboard`` must be matched before
    the case page's ``/cases/{item_id}``.
    """
    modules = (login, home, enterprises, enterprise360, lake, rules, rulesets, backtest,
               assessments, case_dashboard, cases, requests, credit, risk_lists, users, audit,
               inspections, plan, policies, permits_portal, permits_rating,
               permits_desk, city_kpis, city_sensors, city_events, city_map)  # fmt: skip
    for module in modules:
        module.register(platform)
