"""The lake's HTTP door: upload, quarantine, idempotent re-upload, refusals, permissions."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from environment import require_shared
from factories import login_as, make_enterprise, make_user
from lingang.bootstrap import Platform
from lingang.demo import demo_uscc
from lingang.errors import NotFound
from lingang.types import SYSTEM, Role

HEADER = (
    "payment_id,paid_on,kind,enterprise_uscc,payer,payee,counterparty_country,currency,"
    "amount,purpose_code,declaration_id"
)


def payment_line(i: int, **changes: str) -> str:
    """One payment as a CSV line, with some fields replaced."""
    row = {
        "payment_id": f"PAY-{i:06d}", "paid_on": f"2025-04-{1 + i % 28:02d}", "kind": "payment",
        "enterprise_uscc": demo_uscc(1), "payer": "Lingang Co", "payee": "Acme Inc",
        "counterparty_country": "US", "currency": "USD", "amount": f"{100 + i}.50",
        "purpose_code": "121010", "declaration_id": "",
    }  # fmt: skip
    row.update(changes)
    return ",".join(row.values())


def payments_csv() -> bytes:
    """Eight good rows and three broken ones (lines 4, 7 and 10)."""
    lines = [HEADER] + [payment_line(i) for i in range(8)]
    lines.insert(3, payment_line(100, currency="RMB"))
    lines.insert(6, payment_line(101, enterprise_uscc="913101150000000000"))
    lines.insert(9, payment_line(102, paid_on="2025-13-01"))
    return ("\n".join(lines) + "\n").encode()


def upload(
    client: TestClient, headers: dict[str, str], name: str, data: bytes, dataset: str = "payments"
) -> Any:
    return client.post(
        f"/api/lake/{dataset}/imports", headers=headers, files={"file": (name, data, "text/csv")}
    )


def test_upload_keeps_good_rows_and_quarantines_bad_ones(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.RISK_OFFICER)
    response = client.post(
        "/api/lake/payments/imports",
        headers=headers,
        files={"file": ("pay.csv", payments_csv(), "text/csv")},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["rows"], body["accepted"], body["duplicates"], body["rejected"]) == (11, 8, 0, 3)
    assert body["rejected_by_field"] == {"currency": 1, "enterprise_uscc": 1, "paid_on": 1}
    assert body["source"] == "upload:pay.csv"
    held = client.get("/api/lake/payments/quarantine", headers=headers).json()
    assert held["total"] == 3
    assert [(r["line"], r["field"]) for r in held["rejects"]] == [
        (4, "currency"), (7, "enterprise_uscc"), (10, "paid_on"),
    ]  # fmt: skip
    assert held["rejects"][0]["reason"] == "currency: RMB is not an ISO 4217 currency code"
    assert held["rejects"][0]["raw"]["payment_id"] == "PAY-000100"


def test_uploading_the_same_file_twice_changes_nothing(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    first = upload(client, headers, "pay.csv", payments_csv()).json()
    again = upload(client, headers, "pay.csv", payments_csv()).json()
    assert again["import_id"] == first["import_id"]
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 8, 3)
    listed = client.get("/api/lake/datasets", headers=headers).json()
    payments = next(d for d in listed["data"] if d["name"] == "payments")
    assert (payments["rows"], payments["imports"], payments["quarantined_rows"]) == (8, 2, 3)
    assert payments["last_day"] == "2025-04-08" and payments["label_zh"] == "跨境收付汇"


def test_wrong_header_is_refused_and_nothing_is_written(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    data = payments_csv().replace(b"currency,amount", b"ccy,amt", 1)
    response = upload(client, headers, "pay.csv", data)
    assert response.status_code == 422
    assert response.json()["message"] == (
        "header: pay.csv: missing required columns: currency, amount"
    )
    assert platform.lake.store.files("payments") == []
    assert platform.lake.list_imports(actor=SYSTEM) == []


def test_unreadable_file_is_refused_with_the_reason(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    broken = upload(client, headers, "pay.parquet", b"PAR1 not really parquet")
    assert broken.status_code == 422
    assert broken.json()["message"].startswith("file: cannot read pay.parquet")
    odd = upload(client, headers, "pay.xlsx", b"PK")
    assert odd.json()["message"].startswith("file: pay.xlsx: unsupported file type")
    assert platform.lake.store.files("payments") == []


def test_json_lines_and_parquet_come_through_the_same_door(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.SERVICE_OFFICER)
    keys = HEADER.split(",")
    records = [dict(zip(keys, payment_line(i).split(","), strict=True)) for i in range(4)]
    records[1]["amount"] = -5  # type: ignore[assignment]
    jsonl = "\n".join(json.dumps(r) for r in records).encode()
    body = upload(client, headers, "pay.jsonl", jsonl).json()
    assert (body["accepted"], body["rejected"]) == (3, 1)
    held = client.get("/api/lake/payments/quarantine", headers=headers).json()
    assert (held["rejects"][0]["line"], held["rejects"][0]["reason"]) == (
        2, "amount: -5 is not greater than 0",
    )  # fmt: skip
    buffer = io.BytesIO()
    more = [dict(zip(keys, payment_line(i).split(","), strict=True)) for i in range(2, 6)]
    pq.write_table(pa.Table.from_pylist(more), buffer)
    body = upload(client, headers, "pay.parquet", buffer.getvalue()).json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (2, 2, 0)


def test_planner_may_read_but_not_import(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.PLANNER)
    refused = upload(client, headers, "pay.csv", payments_csv())
    assert refused.status_code == 403
    assert client.get("/api/lake/datasets", headers=headers).status_code == 200


def test_enterprise_user_may_neither_import_nor_read_the_lake(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ENTERPRISE)
    assert upload(client, headers, "pay.csv", payments_csv()).status_code == 403
    assert client.get("/api/lake/datasets", headers=headers).status_code == 403
    assert client.get("/api/lake/payments/quarantine", headers=headers).status_code == 403


def test_unknown_dataset_and_mapping_are_not_found(client: TestClient, platform: Platform) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    assert upload(client, headers, "x.csv", payments_csv(), "trades").status_code == 404
    response = client.post(
        "/api/lake/declarations/imports", headers=headers, data={"mapping": "/etc/passwd"},
        files={"file": ("x.csv", b"a\n1\n", "text/csv")},
    )  # fmt: skip
    assert response.status_code == 404


def test_declarations_check_hs_codes_against_the_nomenclature(
    client: TestClient, platform: Platform
) -> None:
    require_file(platform.settings.hs_nomenclature)
    headers = login_as(client, platform, Role.RISK_OFFICER)
    header = (
        "declaration_id,item_no,declared_on,direction,enterprise_code,declarant_id,"
        "foreign_party,hs_code,origin_country,departure_country,declared_value,currency,"
        "quantity,unit,net_mass_kg,transport_mode,customs_office,trade_mode"
    )
    good = (
        f"224820250000000001,1,2025-01-02,import,{demo_uscc(1)},B1,ACME,4408900010,DE,DE,"
        "10.5,EUR,1,KGM,1,sea,2248,0110"
    )
    bad = good.replace(",1,2025", ",2,2025").replace("4408900010", "999999")
    body = upload(
        client, headers, "d.csv", f"{header}\n{good}\n{bad}\n".encode(), "declarations"
    ).json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    held = client.get("/api/lake/declarations/quarantine", headers=headers).json()
    assert held["rejects"][0]["reason"] == "hs_code: 999999 is not an HS 2022 subheading"


def require_file(path: Path) -> None:
    """Skip when shared reference data is missing (fail under CI)."""
    require_shared(path)


def test_ragged_rows_are_quarantined_with_their_line(
    client: TestClient, platform: Platform
) -> None:
    headers = login_as(client, platform, Role.ADMIN)
    lines = [HEADER, payment_line(1), "PAY-000002,2025-04-02,payment", payment_line(3),
             payment_line(4) + ",extra"]  # fmt: skip
    body = upload(client, headers, "pay.csv", ("\n".join(lines) + "\n").encode()).json()
    assert (body["accepted"], body["rejected"]) == (2, 2)
    held = client.get("/api/lake/payments/quarantine", headers=headers).json()
    assert [(r["line"], r["field"]) for r in held["rejects"]] == [(3, "_row"), (5, "_row")]
    assert held["rejects"][0]["reason"].startswith("_row: expected 11 fields, found 3")
    stored = platform.lake.store.read("payments").column("payment_id").to_pylist()
    assert stored == ["PAY-000001", "PAY-000003"]


def test_ingest_takes_in_memory_tables_with_journal_audit_and_event(platform: Platform) -> None:
    keys = HEADER.split(",")
    rows = [dict(zip(keys, payment_line(i).split(","), strict=True)) for i in range(5)]
    rows[4]["kind"] = "gift"
    table = pa.Table.from_pylist(rows)
    first = platform.lake.ingest("payments", table, source="simulator:day-1", actor=SYSTEM)
    again = platform.lake.ingest("payments", table, source="simulator:day-1", actor=SYSTEM)
    assert (first.accepted, first.rejected, again.accepted, again.duplicates) == (4, 1, 0, 4)
    journal = platform.lake.list_imports(actor=SYSTEM, dataset="payments")
    assert [(j.source, j.accepted) for j in journal] == [
        ("simulator:day-1", 0),
        ("simulator:day-1", 4),
    ]
    with platform.uow.read() as session:
        records = platform.audit.list_records(session, actor=SYSTEM, limit=5)
    assert records[0].action == "lake.ingest" and records[0].object_id == first.import_id


def test_360_rows_are_limited_to_the_enterprise_users_own_code(platform: Platform) -> None:
    own, other = make_enterprise(platform), make_enterprise(platform)
    keys = HEADER.split(",")
    rows = [dict(zip(keys, payment_line(i, enterprise_uscc=e.uscc).split(","), strict=True))
            for i, e in enumerate([own, own, other])]  # fmt: skip
    platform.lake.ingest("payments", pa.Table.from_pylist(rows), source="t", actor=SYSTEM)
    user = make_user(platform, Role.ENTERPRISE, enterprise_id=own.id).as_actor()
    mine = platform.lake.recent_records("payments", own.uscc, actor=user)
    assert [r["payment_id"] for r in mine] == ["PAY-000001", "PAY-000000"]
    volume = platform.lake.monthly_volume("payments", own.uscc, "amount", actor=user)
    assert [(v.rows, v.total) for v in volume] == [(2, 202.0)]
    with pytest.raises(NotFound):
        platform.lake.recent_records("payments", other.uscc, actor=user)
    staff = make_user(platform, Role.RISK_OFFICER).as_actor()
    assert len(platform.lake.recent_records("payments", other.uscc, actor=staff)) == 1
