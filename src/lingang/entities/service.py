"""Enterprise use cases: register (one or in bulk), search, read, and the 360° profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from lingang.audit.model import digest
from lingang.audit.service import AuditService
from lingang.db import UnitOfWorkFactory
from lingang.entities import access, store
from lingang.entities.events import EnterpriseRegistered, EnterprisesImported
from lingang.entities.model import (
    AeoStatus,
    Enterprise,
    EnterpriseDraft,
    Link,
    LinkKind,
    Person,
    Shareholding,
    validate_id_number,
    validate_percent,
    visible_id_number,
)
from lingang.errors import Conflict, Forbidden, Invalid
from lingang.types import Actor, Role, utcnow

REGISTRARS = frozenset({Role.ADMIN, Role.SERVICE_OFFICER})


@dataclass(frozen=True, slots=True)
class PersonDraft:
    """A person to register; ``key`` lets a batch refer to it before it has an id."""

    key: str
    name: str
    id_number: str
    nationality: str = "CN"


@dataclass(frozen=True, slots=True)
class ZoneBatch:
    """Enterprises, persons and shareholdings registered together (simulator, bulk import).

    ``legal_rep_keys`` maps an enterprise USCC to its legal representative's person key;
    ``holdings`` are ``(enterprise uscc, holder uscc or person key, percent)``.
    """

    enterprises: Sequence[EnterpriseDraft]
    persons: Sequence[PersonDraft] = ()
    legal_rep_keys: dict[str, str] | None = None
    holdings: Sequence[tuple[str, str, float]] = ()


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    """The 360° view's operational part: the enterprise, its people and its links."""

    enterprise: Enterprise
    legal_rep: Person | None
    shareholdings: list[Shareholding]
    links: list[Link]
    related: dict[int, Enterprise]
    people: dict[int, Person]


class EntityService:
    """Registers and reads enterprises and the people and holdings around them."""

    def __init__(self, uow: UnitOfWorkFactory, audit: AuditService) -> None:
        self._uow = uow
        self._audit = audit

    def register_enterprise(self, draft: EnterpriseDraft, *, actor: Actor) -> Enterprise:
        """Add one enterprise; its USCC must be valid and new."""
        _require_registrar(actor)
        clean = draft.validated()
        with self._uow() as uow:
            if store.get_by_uscc(uow.session, clean.uscc) is not None:
                raise Conflict(f"uscc {clean.uscc} is already registered")
            enterprise = store.add(uow.session, store.EnterpriseRow(**_row_values(clean)))
            self._audit.record(
                uow.session, actor=actor, action="entities.register_enterprise",
                object_type="enterprise", object_id=str(enterprise.id), after=asdict(enterprise),
            )  # fmt: skip
            uow.emit(EnterpriseRegistered(enterprise_id=enterprise.id, uscc=clean.uscc))
            uow.commit()
        return enterprise

    def register_batch(self, batch: ZoneBatch, *, actor: Actor) -> int:
        """Register a whole batch in one transaction, with one audit record; returns the count.

        Any invalid or duplicate row rejects the whole batch, naming it; nothing is written.
        """
        _require_registrar(actor)
        drafts = [_validated_at(i, d) for i, d in enumerate(batch.enterprises)]
        persons = [_validated_person(i, p) for i, p in enumerate(batch.persons)]
        with self._uow() as uow:
            taken = store.existing_usccs(uow.session, [d.uscc for d in drafts])
            if taken:
                raise Conflict(f"uscc {sorted(taken)[0]} is already registered")
            person_ids = _insert_persons(uow.session, persons)
            rows = [_row_values(d, person_ids.get((batch.legal_rep_keys or {}).get(d.uscc, "")))
                    for d in drafts]  # fmt: skip
            store.bulk_insert(uow.session, store.EnterpriseRow, rows)
            _insert_holdings(uow.session, batch.holdings, person_ids)
            self._audit.record(
                uow.session, actor=actor, action="entities.register_batch",
                object_type="enterprise_batch", object_id=f"{len(drafts)} enterprises",
                after={"usccs": digest([d.uscc for d in drafts]), "persons": len(persons),
                       "holdings": len(batch.holdings)},
            )  # fmt: skip
            uow.emit(EnterprisesImported(count=len(drafts)))
            uow.commit()
        return len(drafts)

    def get_enterprise(self, enterprise_id: int, *, actor: Actor) -> Enterprise:
        """One enterprise the actor may see."""
        with self._uow.read() as session:
            return access.get_enterprise_for(session, actor, enterprise_id)

    def list_enterprises(
        self, *, actor: Actor, limit: int = 100, offset: int = 0
    ) -> tuple[list[Enterprise], int]:
        """A page of the enterprises the actor may see, and their total."""
        with self._uow.read() as session:
            if actor.is_enterprise:
                own = access.get_enterprise_for(session, actor, actor.enterprise_id or 0)
                return ([own] if offset == 0 else []), 1
            return store.page(session, limit=limit, offset=offset), store.count(session)

    def search_enterprises(self, query: str, *, actor: Actor, limit: int = 50) -> list[Enterprise]:
        """Enterprises by name (zh/en, substring) or USCC prefix; enterprise users find only
        their own."""
        text = query.strip()
        if not text:
            raise Invalid("q", "must not be empty")
        with self._uow.read() as session:
            found = store.search(session, text, limit=limit)
        if actor.is_enterprise:
            return [e for e in found if e.id == actor.enterprise_id]
        return found

    def get_profile(
        self, enterprise_id: int, *, actor: Actor, limit: int = 50
    ) -> EnterpriseProfile:
        """The enterprise, its legal representative, holdings and related enterprises.

        Identity numbers are masked for roles that do not need them. An enterprise user sees
        its own profile; the names of related enterprises come with it.
        """
        with self._uow.read() as session:
            enterprise = access.get_enterprise_for(session, actor, enterprise_id)
            holdings = store.shareholdings_of(session, enterprise_id)
            links = _holding_links(enterprise_id, holdings)
            links += store.shared_attribute_links(session, enterprise_id, limit)
            related_ids = {i for link in links for i in (link.source_id, link.target_id)}
            related = {i: e for i in related_ids if (e := store.get(session, i)) is not None}
            person_ids = {h.holder_person_id for h in holdings if h.holder_person_id}
            if enterprise.legal_rep_id:
                person_ids.add(enterprise.legal_rep_id)
            people = {
                row.id: _person(row, actor.role) for row in store.persons(session, list(person_ids))
            }
        legal_rep = people.get(enterprise.legal_rep_id or -1)
        return EnterpriseProfile(enterprise, legal_rep, holdings, links, related, people)

    def exists(self, enterprise_id: int) -> bool:
        """Whether an enterprise id is registered (used to bind enterprise users)."""
        with self._uow.read() as session:
            return store.get(session, enterprise_id) is not None

    def by_uscc(self, uscc: str) -> Enterprise | None:
        """The registered enterprise of a USCC, or None (for other domains' reports and
        gradings; the name and USCC of a registered enterprise are public)."""
        with self._uow.read() as session:
            return store.get_by_uscc(session, uscc)

    def aeo_statuses(self, usccs: Sequence[str] | None = None) -> dict[str, AeoStatus]:
        """The registered AEO status of each registered enterprise among ``usccs`` (all when
        None), by USCC (for grading)."""
        with self._uow.read() as session:
            return store.aeo_statuses(session, usccs)

    def count(self) -> int:
        """Number of registered enterprises."""
        with self._uow.read() as session:
            return store.count(session)


def _require_registrar(actor: Actor) -> None:
    if actor.role not in REGISTRARS:
        raise Forbidden("only administrators and service officers register enterprises")


def _row_values(draft: EnterpriseDraft, legal_rep_id: int | None = None) -> dict[str, Any]:
    values = asdict(draft)
    values["aeo_status"] = draft.aeo_status.value
    values["created_at"] = utcnow()
    if legal_rep_id is not None:
        values["legal_rep_id"] = legal_rep_id
    return values


def _validated_at(index: int, draft: EnterpriseDraft) -> EnterpriseDraft:
    try:
        return draft.validated()
    except Invalid as exc:
        raise Invalid(f"enterprises[{index}].{exc.field}", exc.reason) from exc


def _validated_person(index: int, person: PersonDraft) -> PersonDraft:
    try:
        return replace(person, id_number=validate_id_number(person.id_number))
    except Invalid as exc:
        raise Invalid(f"persons[{index}].{exc.field}", exc.reason) from exc


def _insert_persons(session: Any, persons: Sequence[PersonDraft]) -> dict[str, int]:
    store.bulk_insert(session, store.PersonRow, [
        {"name": p.name, "id_number": p.id_number, "nationality": p.nationality} for p in persons
    ])  # fmt: skip
    by_number = {row.id_number: row.id for row in store.persons_by_numbers(
        session, [p.id_number for p in persons])}  # fmt: skip
    return {p.key: by_number[p.id_number] for p in persons}


def _insert_holdings(
    session: Any, holdings: Sequence[tuple[str, str, float]], person_ids: dict[str, int]
) -> None:
    ids = store.ids_by_uscc(session, {u for h in holdings for u in h[:2] if u not in person_ids})
    rows = []
    for index, (target, holder, percent) in enumerate(holdings):
        try:
            validate_percent(percent)
        except Invalid as exc:
            raise Invalid(f"holdings[{index}].percent", exc.reason) from exc
        if target not in ids:
            raise Invalid(f"holdings[{index}]", f"unknown enterprise {target}")
        rows.append(
            {
                "enterprise_id": ids[target],
                "percent": percent,
                "holder_person_id": person_ids.get(holder),
                "holder_enterprise_id": None if holder in person_ids else ids.get(holder),
            }
        )
        if rows[-1]["holder_person_id"] is None and rows[-1]["holder_enterprise_id"] is None:
            raise Invalid(f"holdings[{index}]", f"unknown holder {holder}")
    store.bulk_insert(session, store.ShareholdingRow, rows)


def _holding_links(enterprise_id: int, holdings: list[Shareholding]) -> list[Link]:
    return [
        Link(LinkKind.SHAREHOLDING, h.holder_enterprise_id, h.enterprise_id, h.percent)
        for h in holdings
        if h.holder_enterprise_id is not None
    ]


def _person(row: store.PersonRow, role: Role) -> Person:
    return Person(row.id, row.name, visible_id_number(row.id_number, role), row.nationality)
