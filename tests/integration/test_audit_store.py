"""The audit store on SQLite and PostgreSQL: concurrent appends keep one unbroken chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from lingang.bootstrap import Platform
from lingang.types import SYSTEM


def append_many(platform: Platform, worker: int, count: int) -> None:
    for i in range(count):
        with platform.uow() as uow:
            platform.audit.record(uow.session, actor=SYSTEM, action="test.concurrent",
                                  object_type="thing", object_id=f"{worker}-{i}")
            uow.commit()


def test_concurrent_appends_do_not_fork_the_chain(platform: Platform) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(append_many, platform, w, 15) for w in range(4)]:
            future.result()
    with platform.uow.read() as session:
        report = platform.audit.verify(session, actor=SYSTEM)
        seqs = [row[0] for row in session.execute(text("SELECT seq FROM audit_records"))]
    assert report.ok, report.findings
    assert report.checked == report.head_seq == 60
    assert sorted(seqs) == list(range(1, 61))


def test_a_rolled_back_write_leaves_no_audit_record(platform: Platform) -> None:
    with platform.uow() as uow:
        platform.audit.record(uow.session, actor=SYSTEM, action="test.rollback",
                              object_type="thing", object_id="1")
    with platform.uow.read() as session:
        assert platform.audit.count(session) == 0
        assert platform.audit.verify(session, actor=SYSTEM).ok
