"""The demo zone: a simulated Lingang zone (thousands of enterprises, a year of activity) and
one user per role, with saved credentials.

Everything here is simulated and labelled so. Re-running on the same data directory finds the
simulation manifest and reuses the zone; credentials are kept (mode 0600) in the data dir.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lingang.bootstrap import Platform
from lingang.cases.access import DEPARTMENT_ROLES
from lingang.city.demo import seed_demo_city
from lingang.city.model import COMMAND_CENTRE
from lingang.entities.model import USCC_ALPHABET, Enterprise, uscc_check_char
from lingang.errors import Conflict, Invalid, NotFound
from lingang.plan.demo import ensure_demo_plan
from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation, simulation_dir
from lingang.simulate.load import MANIFEST
from lingang.simulate.output import read_manifest
from lingang.simulate.zone import Plan
from lingang.types import ROLE_LABELS, SYSTEM, Role

PUDONG_DIVISION = "310115"  # 上海市浦东新区 administrative division code
DEMO_ENTERPRISES = 2000
DEMO_DAYS = 365
CREDIT_CHUNK = 5_000
DEMO_START = dt.date(2025, 1, 1)  # a fixed, recent year: the demo is the same every time
DEMO_SEED = 20250101
DEMO_CITY_UNIT = "临港新片区市政养护所"


@dataclass(frozen=True, slots=True)
class DemoCredential:
    """One demo login."""

    role: Role
    username: str
    password: str
    #: the staff user's department or unit (核查一处, 临港新片区市政养护所), if any
    department: str | None = None


@dataclass(frozen=True, slots=True)
class DemoZone:
    """What the demo built (or found): the simulation manifest and the enterprise user's firm."""

    enterprises: int
    enterprise_user_firm: Enterprise
    manifest: dict[str, Any]
    reused: bool
    #: the zone scorer the ``declaration_model`` scenario uses, or why there is none
    scorer: str = ""
    #: how the zone's credit grades spread over the classes, e.g. "A 95 · B 1,520 · …"
    credit: str = ""
    #: the plan indicators' statuses on the simulated 2020–2023 observations
    plan: str = ""
    #: the incentive-policy catalogue matched against the zone
    policies: str = ""
    #: 一网统管: the seeded sensors and 12345 tickets
    city: str = ""


def demo_uscc(index: int) -> str:
    """A well-formed, clearly fictitious USCC (GB 32100-2015 check character included)."""
    body = f"91{PUDONG_DIVISION}MA{index:07d}"
    body = "".join(c if c in USCC_ALPHABET else "0" for c in body)[:17]
    return body + uscc_check_char(body)


def build_demo_zone(
    platform: Platform, *, enterprises: int = DEMO_ENTERPRISES, days: int = DEMO_DAYS
) -> tuple[DemoZone, list[DemoCredential]]:
    """Simulate and load the zone unless a simulation is already there; one user per role."""
    manifest = read_manifest(simulation_dir(platform.settings.data_dir) / MANIFEST)
    reused = manifest is not None
    if manifest is None:
        manifest = _simulate(platform, enterprises, days)
    firm = _enterprise_by_uscc(platform, str(manifest["demo_enterprise"]))
    path = platform.settings.ensure_data_dir() / "demo-credentials.json"
    saved = _load_credentials(path)
    credentials = [_ensure_user(platform, role, saved, firm) for role in Role]
    # a second risk officer, so a rule-set version can be approved by someone else (四眼原则)
    credentials.insert(2, _ensure_user(platform, Role.RISK_OFFICER, saved, firm, suffix="-2"))
    # a second case officer of the same department, to approve a confirmed violation
    credentials.insert(4, _ensure_user(platform, Role.CASE_OFFICER, saved, firm, suffix="-2"))
    # a user of a second enterprise: 一网通办 shows each enterprise only its own applications
    credentials.append(_ensure_user(platform, Role.ENTERPRISE, saved, _another_firm(platform, firm),
                                    suffix="-2"))  # fmt: skip
    # an operator of the unit the manhole-cover rule dispatches to (一网统管 处置)
    credentials.append(_ensure_user(platform, Role.CITY_OPERATOR, saved, firm, suffix="-2",
                                    department=DEMO_CITY_UNIT))  # fmt: skip
    _save_credentials(path, credentials)
    platform.rulesets.ensure_shipped()
    scorer = _ensure_zone_scorer(platform)
    credit = _ensure_credit(platform)
    plan = ensure_demo_plan(platform)
    policies = _ensure_policies(platform)
    city = seed_demo_city(platform.city, platform.database, seed=DEMO_SEED).summary()
    zone = DemoZone(platform.entities.count(), firm, manifest, reused, scorer, credit, plan,
                    policies, city)  # fmt: skip
    return zone, credentials


def _ensure_policies(platform: Platform) -> str:
    """Load the shipped incentive-policy catalogue once and match the zone against it."""
    loaded = platform.policies.policies(actor=SYSTEM)
    if loaded:
        return f"{len(loaded)} policies (loaded before)"
    report = platform.policies.load_catalogue(actor=SYSTEM)
    count = len(platform.policies.policies(actor=SYSTEM))
    return (f"{count} policies matched against {report.enterprises:,} enterprises: "
            f"{report.new_eligibilities:,} eligibilities pushed to inboxes, "
            f"{report.grants:,} 免申即享 grants")  # fmt: skip


def _ensure_credit(platform: Platform) -> str:
    """Load the zone's simulated credit history once, then grade every enterprise today."""
    from lingang.credit.service import RecordDraft
    from lingang.simulate.credit_history import SOURCE, credit_history

    if platform.credit_records.count_from(SOURCE) == 0:
        truth = simulation_dir(platform.settings.data_dir) / "truth"
        rows = credit_history(truth, sorted(platform.entities.aeo_statuses()),
                              today=platform.credit.today(), seed=DEMO_SEED)  # fmt: skip
        drafts = [RecordDraft.from_data(row) for row in rows]
        for start in range(0, len(drafts), CREDIT_CHUNK):
            platform.credit_records.add_records(drafts[start : start + CREDIT_CHUNK],
                                                actor=SYSTEM, trigger="demo history",
                                                regrade=False)  # fmt: skip
    report = platform.credit.regrade_all(actor=SYSTEM)
    return " · ".join(f"{c.value} {n:,}" for c, n in report.by_class.items())


def _ensure_zone_scorer(platform: Platform) -> str:
    """Train ``zone-gbdt`` on the demo zone unless a version is saved; say which is used."""
    from lingang.risk.scorers.model import versions
    from lingang.risk.scorers.runs import train_zone
    from lingang.risk.scorers.zone import ZONE_NAME

    data_dir = platform.settings.data_dir
    saved = versions(data_dir, ZONE_NAME)
    if saved:
        return f"{ZONE_NAME}-{max(saved)}"
    try:
        report = train_zone(data_dir, platform.lake.store)
    except (Invalid, NotFound) as exc:  # a zone too small or too short to learn from
        return f"none ({exc})"
    return f"{ZONE_NAME}-{report.version} (trained now)"


def _simulate(platform: Platform, enterprises: int, days: int) -> dict[str, Any]:
    params = ZoneParams(enterprises=enterprises, days=days, start=DEMO_START, seed=DEMO_SEED)
    plan = plan_zone(params, platform.settings.hs_nomenclature)
    note = {"demo_enterprise": _busy_clean_firm(plan)}
    target = Target(platform.entities, platform.lake, platform.settings.data_dir, SYSTEM)
    run_simulation(plan, target=target, note=note)
    manifest = read_manifest(simulation_dir(platform.settings.data_dir) / MANIFEST)
    assert manifest is not None
    return manifest


def _busy_clean_firm(plan: Plan) -> str:
    """The busiest enterprise that carries no injected risk pattern (a good demo account)."""
    reg = plan.registry
    clean = reg.lay.shell < 0
    for mask in plan.roles.masks.values():
        clean &= ~mask
    for cycle in plan.roles.cycles:
        clean[list(cycle.members)] = False
    busiest = int((reg.headers * clean).argmax())
    return str(reg.uscc[busiest].as_py())


def _another_firm(platform: Platform, firm: Enterprise) -> Enterprise:
    """The first registered enterprise other than ``firm`` (the second enterprise user's)."""
    page, _total = platform.entities.list_enterprises(actor=SYSTEM, limit=2)
    return next(e for e in page if e.id != firm.id)


def _enterprise_by_uscc(platform: Platform, uscc: str) -> Enterprise:
    found = platform.entities.search_enterprises(uscc, actor=SYSTEM, limit=1)
    if not found or found[0].uscc != uscc:
        raise NotFound(f"demo enterprise {uscc} is not registered; use a fresh LINGANG_DATA_DIR")
    return found[0]


def _ensure_user(
    platform: Platform,
    role: Role,
    saved: dict[str, str],
    enterprise: Enterprise,
    suffix: str = "",
    department: str | None = None,
) -> DemoCredential:
    username = f"demo-{role.value.replace('_', '-')}{suffix}"
    password = saved.get(username) or _new_password()
    # case officers and their supervisor work in the department that gets unrouted cases;
    # the first city operator in the command centre (城运中心)
    if department is None and role in DEPARTMENT_ROLES:
        department = platform.cases.routing.default
    elif department is None and role is Role.CITY_OPERATOR:
        department = COMMAND_CENTRE
    try:
        platform.auth.create_user(
            username,
            password,
            role,
            actor=SYSTEM,
            display_name=f"演示·{ROLE_LABELS[role][0]}",
            enterprise_id=enterprise.id if role is Role.ENTERPRISE else None,
            department=department,
        )
    except Conflict:
        if username not in saved:
            raise Conflict(
                f"user {username} exists but its demo password was not saved in "
                "this data directory; use a fresh LINGANG_DATA_DIR"
            ) from None
    return DemoCredential(role, username, password, department)


def _new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "Lg-" + "".join(secrets.choice(alphabet) for _ in range(13))


def _load_credentials(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data: dict[str, str] = json.loads(path.read_text())
    return data


def _save_credentials(path: Path, credentials: list[DemoCredential]) -> None:
    path.write_text(json.dumps({c.username: c.password for c in credentials}, indent=2))
    path.chmod(0o600)
