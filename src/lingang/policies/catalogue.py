"""The shipped policy catalogue (``policies/catalogue/policies-v*.yaml``): versioned data, read
through importlib.resources. Every policy is checked when loaded; an error names the file,
the policy id and the field."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lingang.errors import Invalid
from lingang.policies.eligibility import compile_eligibility
from lingang.policies.model import Area, Policy
from lingang.yamltext import load_yaml

REQUIRED = ("id", "title_zh", "title_en", "issuer", "area", "benefit_zh", "benefit_en",
            "valid_from", "eligibility")  # fmt: skip
OPTIONAL = ("amount_wan", "valid_to", "exempt_application", "illustrative")
MAX_ID = 64


def load_catalogue(directory: Path | None = None) -> list[Policy]:
    """Every policy of every ``policies-*.yaml`` of ``directory`` (default: the shipped
    catalogue); a later version of a policy id replaces an earlier one."""
    if directory is None:
        base = resources.files("lingang.policies") / "catalogue"
        texts = sorted((p.name, p.read_text("utf-8")) for p in base.iterdir()
                       if p.name.startswith("policies-") and p.name.endswith(".yaml"))  # fmt: skip
    else:
        texts = [(p.name, p.read_text("utf-8")) for p in sorted(directory.glob("policies-*.yaml"))]
    found: dict[str, Policy] = {}
    for name, text in texts:
        for policy in parse_catalogue(text, name):
            found[policy.id] = policy
    return sorted(found.values(), key=lambda p: p.id)


def parse_catalogue(text: str, source: str) -> list[Policy]:
    """Parse and check one catalogue file: ``version`` and a list of ``policies``."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise Invalid("catalogue", f"{source}: not YAML ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("policies"), list):
        raise Invalid("catalogue", f"{source}: expected a mapping with a list of policies")
    version = str(data.get("version", source))
    policies: list[Policy] = []
    seen: set[str] = set()
    for index, item in enumerate(data["policies"]):
        policy = parse_policy(item, f"{source}: policies[{index}]", version=version)
        if policy.id in seen:
            raise Invalid(f"{policy.id}.id", f"{source}: policy id {policy.id!r} is repeated")
        seen.add(policy.id)
        policies.append(policy)
    return policies


def parse_policy(item: Any, where: str = "policy", *, version: str = "") -> Policy:
    """One policy from its mapping; ``Invalid``'s field is ``<policy id>.<field>``."""
    if not isinstance(item, dict):
        raise Invalid("policy", f"{where}: expected a mapping")
    pid = str(item.get("id") or "").strip()
    if not pid or len(pid) > MAX_ID:
        raise Invalid("id", f"{where}: every policy needs an id of at most {MAX_ID} characters")
    unknown = sorted(set(item) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise Invalid(f"{pid}.{unknown[0]}", f"{where}: unknown field")
    for key in REQUIRED:
        if item.get(key) in (None, ""):
            raise Invalid(f"{pid}.{key}", f"{where}: required")
    try:
        area = Area(str(item["area"]))
    except ValueError:
        raise Invalid(f"{pid}.area", f"{where}: one of {', '.join(Area)}") from None
    valid_from = _date(item["valid_from"], pid, "valid_from", where)
    valid_to = _date(item["valid_to"], pid, "valid_to", where) if item.get("valid_to") else None
    if valid_to is not None and valid_to < valid_from:
        raise Invalid(f"{pid}.valid_to", f"{where}: ends before it starts")
    amount = item.get("amount_wan")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)
                               or amount < 0):  # fmt: skip
        raise Invalid(f"{pid}.amount_wan", f"{where}: a non-negative number of 万元")
    exempt = item.get("exempt_application", False)
    if not isinstance(exempt, bool):
        raise Invalid(f"{pid}.exempt_application", f"{where}: true or false")
    eligibility = str(item["eligibility"]).strip()
    try:
        compile_eligibility(eligibility)
    except Invalid as exc:
        raise Invalid(f"{pid}.eligibility", f"{where}: {exc.message}") from None
    return Policy(
        id=pid, title_zh=str(item["title_zh"]), title_en=str(item["title_en"]),
        issuer=str(item["issuer"]), area=area, benefit_zh=str(item["benefit_zh"]),
        benefit_en=str(item["benefit_en"]),
        amount_wan=float(amount) if amount is not None else None,
        valid_from=valid_from, valid_to=valid_to, exempt_application=exempt,
        eligibility=eligibility, illustrative=bool(item.get("illustrative", True)),
        version=version,
    )  # fmt: skip


def _date(value: object, pid: str, key: str, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{pid}.{key}", f"{where}: a date YYYY-MM-DD") from None
