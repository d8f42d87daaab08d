"""Left-drawer navigation: one entry per page, shown only to roles that hold its permission."""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from lingang.auth.model import Permission, can
from lingang.console.i18n import Language, t
from lingang.types import Role


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A console page in the navigation: its label key, path, icon and required permission."""

    key: str
    path: str
    icon: str
    permission: Permission


HOME = NavEntry("nav.home", "/", "dashboard", Permission.VIEW_OVERVIEW)
ENTERPRISES = NavEntry("nav.enterprises", "/enterprises", "business", Permission.VIEW_ENTERPRISES)
LAKE = NavEntry("nav.lake", "/lake", "storage", Permission.VIEW_LAKE)
RISK_LISTS = NavEntry(
    "nav.risk_lists", "/risk/lists", "playlist_add_check", Permission.VIEW_RISK_LISTS
)
RULES = NavEntry("nav.rules", "/risk/rules", "rule", Permission.WRITE_RULES)
RULE_SETS = NavEntry("nav.rule_sets", "/risk/rule-sets", "account_tree", Permission.WRITE_RULES)
BACKTEST = NavEntry("nav.backtest", "/risk/backtest", "query_stats", Permission.WRITE_RULES)
ASSESSMENTS = NavEntry(
    "nav.assessments", "/risk/assessments", "notifications_active", Permission.VIEW_ASSESSMENTS
)
CASES = NavEntry("nav.cases", "/cases", "assignment", Permission.VIEW_CASES)
CASE_DASHBOARD = NavEntry(
    "nav.case_dashboard", "/cases/dashboard", "insights", Permission.VIEW_CASES
)
REQUESTS = NavEntry(
    "nav.requests", "/requests", "mark_email_unread", Permission.ANSWER_REQUESTS
)
CREDIT = NavEntry("nav.credit", "/credit", "credit_score", Permission.VIEW_CREDIT)
MY_CREDIT = NavEntry("nav.my_credit", "/credit/mine", "verified_user", Permission.VIEW_OWN_CREDIT)
PLAN = NavEntry("nav.plan", "/plan", "flag", Permission.VIEW_PLAN)
POLICIES = NavEntry("nav.policies", "/policies", "redeem", Permission.VIEW_POLICIES)
USERS = NavEntry("nav.users", "/users", "manage_accounts", Permission.MANAGE_USERS)
AUDIT = NavEntry("nav.audit", "/audit", "fact_check", Permission.READ_AUDIT)
INSPECTIONS = NavEntry("nav.inspections", "/inspections", "shuffle", Permission.MANAGE_INSPECTIONS)
SERVICES = NavEntry("nav.services", "/services", "storefront", Permission.APPLY_PERMITS)
MY_APPLICATIONS = NavEntry(
    "nav.my_applications", "/services/mine", "assignment_ind", Permission.APPLY_PERMITS
)
MY_LICENCES = NavEntry("nav.my_licences", "/services/licences", "badge", Permission.APPLY_PERMITS)
PERMIT_DESK = NavEntry("nav.permit_desk", "/permits", "approval", Permission.VIEW_PERMITS)
CITY_MAP = NavEntry("nav.city_map", "/city", "map", Permission.VIEW_CITY)
CITY_EVENTS = NavEntry("nav.city_events", "/city/events", "report_problem", Permission.VIEW_CITY)
CITY_KPIS = NavEntry("nav.city_kpis", "/city/kpis", "leaderboard", Permission.VIEW_CITY)
CITY_SENSORS = NavEntry("nav.city_sensors", "/city/sensors", "sensors", Permission.VIEW_CITY)
NAV_ENTRIES: tuple[NavEntry, ...] = (
    HOME, ENTERPRISES, LAKE, RULES, RULE_SETS, BACKTEST, ASSESSMENTS, CASES, CASE_DASHBOARD,
    REQUESTS, CREDIT, MY_CREDIT, POLICIES, SERVICES, MY_APPLICATIONS, MY_LICENCES,
    PERMIT_DESK, CITY_MAP, CITY_EVENTS, CITY_KPIS, CITY_SENSORS, INSPECTIONS, PLAN, RISK_LISTS,
    USERS, AUDIT,
)  # fmt: skip


def entries_for(role: Role) -> list[NavEntry]:
    """The entries a role may see, in menu order."""
    return [entry for entry in NAV_ENTRIES if can(role, entry.permission)]


def render_nav(role: Role, lang: Language, active: NavEntry) -> None:
    """The navigation list for ``role``, with the current page highlighted."""
    with ui.column().classes("w-full gap-1").props("role=navigation"):
        for entry in entries_for(role):
            _nav_link(entry, lang, selected=entry == active)


def _nav_link(entry: NavEntry, lang: Language, *, selected: bool) -> None:
    tone = "bg-blue-100 text-blue-900 font-medium" if selected else "text-gray-800"
    with ui.link(target=entry.path).classes(
        f"w-full flex items-center gap-3 px-4 py-2 rounded no-underline hover:bg-gray-100 {tone}"
    ):
        ui.icon(entry.icon).classes("text-xl")
        ui.label(t(entry.key, lang))
