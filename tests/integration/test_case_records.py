"""The record of a case on SQLite and PostgreSQL: attachments, comments, the enterprise's
answers to information requests (with the automatic SLA pause), and the PDF report."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from pathlib import Path

import pypdf
import pytest

from factories import Clock, head_revision
from lingang.bootstrap import Platform
from lingang.bus.relay import IdempotentConsumer
from lingang.cases.attachments import AttachmentDamaged, AttachmentStore, sha256_of
from lingang.cases.model import CaseRouting, CaseState, Outcome, SlaPolicy, TaskKind, TaskStatus
from lingang.cases.records import CaseRecords
from lingang.cases.service import CaseService
from lingang.demo import demo_uscc
from lingang.entities.model import EnterpriseDraft
from lingang.errors import Conflict, Forbidden, Invalid, NotFound
from lingang.risk.assessments.events import AlertRaised
from lingang.types import SYSTEM, Actor, Role
from lingang.workdays import SHANGHAI, SlaStatus, default_calendar

PASSWORD = "Correct-horse-42"
CHECKS, INSPECTION = "核查一处", "查验一处"
ACME, BETA = demo_uscc(8_200_001), demo_uscc(8_200_002)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
ZIP = b"PK\x03\x04" + bytes(40)
_names = itertools.count(1)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))  # a Monday


@pytest.fixture
def cases(platform: Platform, clock: Clock) -> CaseService:
    return CaseService(
        platform.uow, platform.audit,
        officers=lambda unit: platform.auth.active_users(Role.CASE_OFFICER, unit),
        routing=CaseRouting(default=CHECKS, by_scenario={"dg_misdeclaration": INSPECTION}),
        sla=SlaPolicy(default_working_days=5), clock=clock,
    )  # fmt: skip


def own_uscc(platform: Platform, actor: Actor) -> str | None:
    if actor.enterprise_id is None:
        return None
    return platform.entities.get_enterprise(actor.enterprise_id, actor=actor).uscc


@pytest.fixture
def records(platform: Platform, cases: CaseService, tmp_path: Path) -> CaseRecords:
    return CaseRecords(
        platform.uow, platform.audit, cases, AttachmentStore(tmp_path / "attachments"),
        enterprise_of=lambda actor: own_uscc(platform, actor), max_bytes=4096,
        name_of=lambda uscc: "艾克米进出口有限公司" if uscc == ACME else None,
    )  # fmt: skip


def staff(
    platform: Platform, role: Role = Role.CASE_OFFICER, department: str | None = CHECKS
) -> Actor:
    name = f"{role.value.replace('_', '-')}-{next(_names)}"
    user = platform.auth.create_user(name, PASSWORD, role, actor=SYSTEM, department=department)
    return user.as_actor()


def enterprise_user(platform: Platform, uscc: str) -> Actor:
    found = [e for e in platform.entities.search_enterprises(uscc, actor=SYSTEM) if e.uscc == uscc]
    if found:
        enterprise_id = found[0].id
    else:
        draft = EnterpriseDraft(uscc=uscc, name_zh=f"临港测试企业{uscc[-4:]}")
        enterprise_id = platform.entities.register_enterprise(draft, actor=SYSTEM).id
    name = f"ent-{next(_names)}"
    user = platform.auth.create_user(
        name, PASSWORD, Role.ENTERPRISE, actor=SYSTEM, enterprise_id=enterprise_id
    )
    return user.as_actor()


def open_case(platform: Platform, cases: CaseService, uscc: str = ACME) -> int:
    """Raise a risk alert for ``uscc`` (scenario undervaluation) and return its case."""
    event = AlertRaised(
        assessment_id=str(uuid.uuid4()), dataset="declarations", record_key="2233/1",
        enterprise_uscc=uscc, outcome="hold", score=82.5, scenario="undervaluation", rules=["UV01"],
        rule_set_version=1,
    )  # fmt: skip
    IdempotentConsumer(platform.database, "cases.intake", cases.ingest_alert)(event)
    return next(c.id for c in cases.inbox(actor=SYSTEM) if c.enterprise_uscc == uscc)


def kinds(cases: CaseService, case_id: int) -> list[str]:
    return [entry.kind for entry in cases.get(case_id, actor=SYSTEM).timeline]


def audit_actions(platform: Platform) -> list[str]:
    with platform.uow.read() as session:
        return [r.action for r in platform.audit.list_records(session, actor=SYSTEM, limit=500)]


# --- attachments ---------------------------------------------------------------------------


def test_the_same_content_is_stored_once_and_read_back_checked(
    platform: Platform, cases: CaseService, records: CaseRecords
) -> None:
    officer = staff(platform)
    case_id = open_case(platform, cases)
    first = records.add_attachment(case_id, "报关单.png", PNG, actor=officer)
    again = records.add_attachment(case_id, "C:\\scans\\copy.png", PNG, actor=officer)
    assert first.sha256 == again.sha256 == sha256_of(PNG) and first.id != again.id
    assert again.name == "copy.png" and first.size == len(PNG)
    path = records.files.root / first.sha256[:2] / first.sha256
    assert path.read_bytes() == PNG
    assert [p.name for p in records.files.root.rglob("*") if p.is_file()] == [first.sha256]
    meta, content = records.attachment(first.id, actor=officer)
    assert content == PNG and meta.media_type == "image/png"
    assert records.attachment(first.sha256, actor=officer)[1] == PNG
    assert [a.id for a in records.attachments(case_id, actor=officer)] == [first.id, again.id]
    assert kinds(cases, case_id)[-2:] == ["attachment_added", "attachment_added"]
    assert {"cases.attachment_added", "cases.attachment_read"} <= set(audit_actions(platform))
    path.write_bytes(PNG[:-1] + b"\x01")  # altered on disk
    with pytest.raises(AttachmentDamaged):
        records.attachment(first.id, actor=officer)
    records.add_attachment(case_id, "again.png", PNG, actor=officer)  # heals the stored copy
    assert records.attachment(first.id, actor=officer)[1] == PNG
    path.unlink()
    with pytest.raises(AttachmentDamaged):
        records.attachment(first.id, actor=officer)


def test_size_is_limited_naming_the_limit(
    platform: Platform, cases: CaseService, records: CaseRecords
) -> None:
    officer = staff(platform)
    case_id = open_case(platform, cases)
    for content in (b"x" * 4097, b""):
        with pytest.raises(Invalid) as refused:
            records.add_attachment(case_id, "big.txt", content, actor=officer)
        assert refused.value.field == "file"
    with pytest.raises(Invalid) as over:
        records.add_attachment(case_id, "big.txt", b"x" * 4097, actor=officer)
    assert "4096" in over.value.reason
    assert records.add_attachment(case_id, "ok.txt", b"x" * 4096, actor=officer).size == 4096


def test_the_type_is_read_from_the_content_not_the_name(
    platform: Platform, cases: CaseService, records: CaseRecords
) -> None:
    officer = staff(platform)
    case_id = open_case(platform, cases)
    disguised = records.add_attachment(case_id, "invoice.pdf", PNG, actor=officer)
    assert (disguised.name, disguised.media_type) == ("invoice.pdf", "image/png")
    assert records.add_attachment(case_id, "scan", PDF, actor=officer).media_type == (
        "application/pdf"
    )
    gbk = "品名,数量\n冻品,2\n".encode("gb18030")
    assert records.add_attachment(case_id, "清单.csv", gbk, actor=officer).media_type == "text/csv"
    notes = "核查记录\n".encode()
    assert records.add_attachment(case_id, "notes", notes, actor=officer).media_type == (
        "text/plain"
    )
    for name, content in (("report.pdf", ZIP), ("data.csv", b"a,b\x00\x01\x02")):
        with pytest.raises(Invalid) as refused:
            records.add_attachment(case_id, name, content, actor=officer)
        assert refused.value.field == "file"
    with pytest.raises(Invalid) as no_name:
        records.add_attachment(case_id, "../", PNG, actor=officer)
    assert no_name.value.field == "name"


def test_attachments_and_comments_follow_case_permissions(
    platform: Platform, cases: CaseService, records: CaseRecords
) -> None:
    officer, elsewhere = staff(platform), staff(platform, department=INSPECTION)
    auditor = staff(platform, Role.AUDITOR, department=None)
    case_id = open_case(platform, cases)
    made = records.add_attachment(case_id, "a.png", PNG, actor=officer)
    records.add_comment(case_id, "已电话联系企业", actor=officer)
    for call in (
        lambda: records.add_attachment(case_id, "b.png", PNG, actor=elsewhere),
        lambda: records.attachment(made.id, actor=elsewhere),
        lambda: records.attachment(made.sha256, actor=elsewhere),
        lambda: records.attachments(case_id, actor=elsewhere),
        lambda: records.add_comment(case_id, "x", actor=elsewhere),
        lambda: records.comments(case_id, actor=elsewhere),
        lambda: records.report_pdf(case_id, actor=elsewhere),
        lambda: records.attachment(10_000, actor=officer),
        lambda: records.comments(10_000, actor=officer),
    ):
        with pytest.raises(NotFound):
            call()
    assert records.attachment(made.id, actor=auditor)[1] == PNG
    assert [c.text for c in records.comments(case_id, actor=auditor)] == ["已电话联系企业"]
    with pytest.raises(Forbidden):
        records.add_comment(case_id, "x", actor=auditor)
    with pytest.raises(Forbidden):
        records.add_attachment(case_id, "a.png", PNG, actor=auditor)


def test_comments_are_listed_on_the_case_and_the_timeline(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    officer, other = staff(platform), staff(platform)
    case_id = open_case(platform, cases)
    first = records.add_comment(case_id, "  请补充提单  ", actor=officer)
    clock.set(2026, 3, 2, 11, 0)
    records.add_comment(case_id, "x" * 2000, actor=other)
    listed = records.comments(case_id, actor=officer)
    assert [(c.author, c.text) for c in listed] == [
        (officer.username, "请补充提单"), (other.username, "x" * 2000)
    ]  # fmt: skip
    assert first.at == dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    for text in ("", "   ", "x" * 2001):
        with pytest.raises(Invalid) as refused:
            records.add_comment(case_id, text, actor=officer)
        assert refused.value.field == "text"
    assert kinds(cases, case_id)[-2:] == ["commented", "commented"]
    assert "cases.commented" in audit_actions(platform)
    cases.move(case_id, CaseState.TRIAGE, actor=officer)
    cases.request_closure(case_id, Outcome.FALSE_POSITIVE, {}, actor=officer)
    with pytest.raises(Conflict):
        records.add_comment(case_id, "after closing", actor=officer)


# --- information requests: the enterprise's side and the SLA pause -----------------------


def test_an_enterprise_sees_and_answers_only_its_own_requests(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    officer = staff(platform)
    acme_user, beta_user = enterprise_user(platform, ACME), enterprise_user(platform, BETA)
    acme_case, beta_case = open_case(platform, cases, ACME), open_case(platform, cases, BETA)
    request = cases.add_task(acme_case, TaskKind.INFORMATION_REQUEST, "请提供原始发票",
                             actor=officer, due_on=dt.date(2026, 3, 9))  # fmt: skip
    lab = cases.add_task(acme_case, TaskKind.LAB_TEST, "取样化验", actor=officer)
    beta_request = cases.add_task(beta_case, TaskKind.INFORMATION_REQUEST, "请说明价格",
                                  actor=officer)  # fmt: skip
    officer_file = records.add_attachment(acme_case, "内部.png", PNG, actor=officer)
    [listed] = records.enterprise_requests(actor=acme_user)
    assert (listed.id, listed.title, listed.status) == (
        request.id,
        "请提供原始发票",
        TaskStatus.OPEN,
    )
    assert listed.due_on == dt.date(2026, 3, 9) and listed.answer is None
    assert [r.id for r in records.enterprise_requests(actor=beta_user)] == [beta_request.id]
    for task_id in (beta_request.id, lab.id, 10_000):
        with pytest.raises(NotFound):
            records.answer_request(task_id, "答复", actor=acme_user)
    with pytest.raises(Forbidden):
        records.enterprise_requests(actor=officer)
    with pytest.raises(Forbidden):
        records.answer_request(request.id, "答复", actor=officer)
    with pytest.raises(Forbidden):  # enterprise users never reach the case itself
        records.comments(acme_case, actor=acme_user)

    clock.set(2026, 3, 4, 15, 0)
    answered = records.answer_request(request.id, "发票见附件", actor=acme_user,
                                      attachment=("发票.pdf", PDF))  # fmt: skip
    assert answered.status is TaskStatus.DONE and answered.answer == "发票见附件"
    assert answered.answered_by == acme_user.username
    [file] = answered.attachments
    assert (file.media_type, file.task_id, file.uploaded_by) == (
        "application/pdf", request.id, acme_user.username
    )  # fmt: skip
    assert records.attachment(file.id, actor=acme_user)[1] == PDF
    assert records.attachment(file.id, actor=officer)[1] == PDF
    for ref in (file.id, file.sha256, officer_file.id):
        with pytest.raises(NotFound):
            records.attachment(ref, actor=beta_user)
    with pytest.raises(NotFound):  # the officers' own files stay theirs
        records.attachment(officer_file.id, actor=acme_user)
    with pytest.raises(Conflict):
        records.answer_request(request.id, "again", actor=acme_user)
    task = next(t for t in cases.get(acme_case, actor=officer).tasks if t.id == request.id)
    assert task.status is TaskStatus.DONE and task.result == "发票见附件"
    assert kinds(cases, acme_case)[-2:] == ["request_answered", "resumed"]
    assert "cases.request_answered" in audit_actions(platform)


def test_an_open_request_pauses_the_clock_until_answered(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    officer, acme_user = staff(platform), enterprise_user(platform, ACME)
    case_id = open_case(platform, cases)
    due_before = cases.get(case_id, actor=officer).case.due_at
    request = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "请提供合同", actor=officer)
    paused = cases.get(case_id, actor=officer)
    assert paused.case.sla_status is SlaStatus.PAUSED
    assert paused.timeline[-1].kind == "paused" and paused.timeline[-1].data["auto"] is True
    with pytest.raises(Invalid):  # already paused: a second pause by hand is refused
        cases.pause(case_id, actor=officer)
    clock.set(2026, 3, 5, 10, 0)  # Thursday: three working days later
    assert cases.get(case_id, actor=officer).case.sla_status is SlaStatus.PAUSED
    records.answer_request(request.id, "合同已上传", actor=acme_user)
    resumed = cases.get(case_id, actor=officer).case
    assert resumed.sla_status is SlaStatus.ON_TRACK and resumed.sla.open_pause is None
    assert resumed.due_at > due_before
    shift = default_calendar().working_days_between(due_before.date(), resumed.due_at.date())
    assert shift == 3


def test_the_clock_runs_again_only_when_the_last_request_ends(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    officer = staff(platform)
    case_id = open_case(platform, cases)
    first = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "请提供发票", actor=officer)
    second = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "请提供合同", actor=officer)
    inside = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "内部调取", actor=officer,
                            to_enterprise=False)  # fmt: skip
    assert kinds(cases, case_id).count("paused") == 1
    clock.set(2026, 3, 3, 10, 0)
    cases.cancel_task(first.id, "合并到第二项", actor=officer)
    assert cases.get(case_id, actor=officer).case.sla_status is SlaStatus.PAUSED
    cases.finish_task(inside.id, "已调取", actor=officer)
    assert cases.get(case_id, actor=officer).case.sla_status is SlaStatus.PAUSED
    cases.finish_task(second.id, "企业邮件答复", actor=officer)  # answered outside the platform
    detail = cases.get(case_id, actor=officer)
    assert detail.case.sla_status is SlaStatus.ON_TRACK
    assert detail.timeline[-1].kind == "resumed" and detail.timeline[-1].data["auto"] is True


def test_a_pause_by_hand_is_not_lifted_by_a_request(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    officer = staff(platform)
    case_id = open_case(platform, cases)
    cases.pause(case_id, actor=officer, note="等待海关总署批复")
    request = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "请说明", actor=officer)
    clock.set(2026, 3, 3, 10, 0)
    cases.cancel_task(request.id, "不再需要", actor=officer)
    detail = cases.get(case_id, actor=officer)
    assert detail.case.sla_status is SlaStatus.PAUSED
    assert kinds(cases, case_id).count("paused") == 1 and "resumed" not in kinds(cases, case_id)


# --- the PDF report ------------------------------------------------------------------------


def test_the_case_report_is_a_chinese_pdf(
    platform: Platform, cases: CaseService, records: CaseRecords, clock: Clock
) -> None:
    first, second = staff(platform), staff(platform)
    auditor = staff(platform, Role.AUDITOR, department=None)
    acme_user = enterprise_user(platform, ACME)
    case_id = open_case(platform, cases)
    cases.assign(case_id, first.username, actor=first)
    cases.move(case_id, CaseState.INVESTIGATING, actor=first)
    request = cases.add_task(case_id, TaskKind.INFORMATION_REQUEST, "请提供原始发票", actor=first)
    clock.set(2026, 3, 3, 9, 0)
    records.answer_request(request.id, "发票已提供", actor=acme_user, attachment=("发票.pdf", PDF))
    records.add_comment(case_id, "申报价格明显低于同类商品", actor=first)
    disposal = {"penalty_rmb": "12000.50", "duty_recovered_rmb": 3400, "goods_seized": "电子元件"}
    cases.request_closure(case_id, Outcome.CONFIRMED_VIOLATION, disposal, actor=first)
    clock.set(2026, 3, 3, 10, 0)
    cases.approve(case_id, actor=second, note="同意")

    pdf = records.report_pdf(case_id, actor=auditor)
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    for expected in ("核查处置报告", "确认违规", "已结案", ACME, "艾克米进出口有限公司",
                     "undervaluation", "UV01",
                     "82.5", "请提供原始发票", "发票已提供", "12000.50", "电子元件",
                     first.username, second.username, "申报价格明显低于同类商品", "发票.pdf",
                     "时限暂停", "时限恢复", "企业答复", "结案"):  # fmt: skip
        assert expected in text, expected
    assert "cases.report_exported" in audit_actions(platform)
    with pytest.raises(Forbidden):
        records.report_pdf(case_id, actor=acme_user)


# --- wiring and migration ------------------------------------------------------------------


def test_the_platform_wires_the_case_records(platform: Platform) -> None:
    records = platform.case_records
    assert records.max_bytes == platform.settings.case_attachment_max_bytes == 20 * 1024 * 1024
    assert records.files.root == platform.settings.data_dir / "cases" / "attachments"
    acme_user = enterprise_user(platform, ACME)
    assert records.enterprise_requests(actor=acme_user) == []


def test_migration_0007_downgrades_to_0006_and_upgrades_again(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from lingang.db import Database, alembic_config

    database = Database(database_url)
    try:
        assert database.current_revision() == head_revision()
        with database.engine.begin() as connection:
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            command.downgrade(config, "0006")
        tables = set(inspect(database.engine).get_table_names())
        assert not tables & {"case_attachments", "case_comments"} and "cases" in tables
        assert database.current_revision() == "0006"
        database.upgrade()
        assert {"case_attachments", "case_comments"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.dispose()


def test_the_orm_matches_the_migrations(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import lingang.models
    from lingang.db import Database

    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            diff = compare_metadata(context, lingang.models.metadata)
        assert diff == []  # every table of every domain, indexes and constraints included
    finally:
        database.dispose()
