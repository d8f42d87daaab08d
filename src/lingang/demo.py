"""The demo zone: a few simulated enterprises and one user per role, with saved credentials.

Everything here is simulated and labelled so; re-running keeps what exists and reuses the
credentials saved (mode 0600) in the data directory.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from lingang.bootstrap import Platform
from lingang.entities.model import USCC_ALPHABET, Enterprise, EnterpriseDraft, uscc_check_char
from lingang.errors import Conflict
from lingang.types import ROLE_LABELS, SYSTEM, Role

PUDONG_DIVISION = "310115"  # 上海市浦东新区 administrative division code
DEMO_ENTERPRISES: tuple[tuple[str, str], ...] = (
    ("上海临港智能装备有限公司（模拟）", "Lingang Intelligent Equipment Co. (simulated)"),
    ("洋山国际物流有限公司（模拟）", "Yangshan International Logistics Co. (simulated)"),
    ("临港新能源汽车零部件有限公司（模拟）", "Lingang NEV Components Co. (simulated)"),
    ("滴水湖跨境贸易有限公司（模拟）", "Dishui Lake Cross-border Trade Co. (simulated)"),
    ("东海集成电路材料有限公司（模拟）", "Donghai IC Materials Co. (simulated)"),
)


@dataclass(frozen=True, slots=True)
class DemoCredential:
    """One demo login."""

    role: Role
    username: str
    password: str


def demo_uscc(index: int) -> str:
    """A well-formed, clearly fictitious USCC (GB 32100-2015 check character included)."""
    body = f"91{PUDONG_DIVISION}MA{index:07d}"
    body = "".join(c if c in USCC_ALPHABET else "0" for c in body)[:17]
    return body + uscc_check_char(body)


def build_demo_zone(platform: Platform) -> tuple[list[Enterprise], list[DemoCredential]]:
    """Create (or find) the demo enterprises and one user per role; return them."""
    enterprises = [
        _ensure_enterprise(platform, i, zh, en)
        for i, (zh, en) in enumerate(DEMO_ENTERPRISES, start=1)
    ]
    path = platform.settings.ensure_data_dir() / "demo-credentials.json"
    saved = _load_credentials(path)
    credentials = [_ensure_user(platform, role, saved, enterprises[0]) for role in Role]
    _save_credentials(path, credentials)
    return enterprises, credentials


def _ensure_enterprise(platform: Platform, index: int, name_zh: str, name_en: str) -> Enterprise:
    uscc = demo_uscc(index)
    try:
        draft = EnterpriseDraft(uscc=uscc, name_zh=name_zh, name_en=name_en)
        return platform.entities.register_enterprise(draft, actor=SYSTEM)
    except Conflict:
        page, _ = platform.entities.list_enterprises(actor=SYSTEM, limit=10_000)
        return next(e for e in page if e.uscc == uscc)


def _ensure_user(
    platform: Platform, role: Role, saved: dict[str, str], enterprise: Enterprise
) -> DemoCredential:
    username = f"demo-{role.value.replace('_', '-')}"
    password = saved.get(username) or _new_password()
    try:
        platform.auth.create_user(
            username,
            password,
            role,
            actor=SYSTEM,
            display_name=f"演示·{ROLE_LABELS[role][0]}",
            enterprise_id=enterprise.id if role is Role.ENTERPRISE else None,
        )
    except Conflict:
        if username not in saved:
            raise Conflict(
                f"user {username} exists but its demo password was not saved in "
                "this data directory; use a fresh LINGANG_DATA_DIR"
            ) from None
    return DemoCredential(role, username, password)


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
