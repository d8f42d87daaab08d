"""``lingang lake`` end to end on SQLite and PostgreSQL.

Most tests call the console-script entry point in process (``main()``, with its exit-code
mapping) to keep the suite fast; one runs the installed ``lingang`` command as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lingang.cli.app import main
from lingang.demo import demo_uscc

LINGANG = str(Path(sys.executable).with_name("lingang"))
HEADER = (
    "payment_id,paid_on,kind,enterprise_uscc,payer,payee,counterparty_country,currency,"
    "amount,purpose_code"
)


def line(i: int, amount: str | None = None) -> str:
    """One payment row as CSV."""
    value = amount if amount is not None else f"{10 + i}"
    return (
        f"PAY-{i:06d},2025-05-{1 + i % 9:02d},receipt,{demo_uscc(2)},Acme,Lingang Co,"
        f"JP,JPY,{value},121010"
    )


class Run:
    """Runs ``lingang lake …`` in process; returns (exit code, stdout, stderr)."""

    def __init__(
        self, tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setenv("LINGANG_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("LINGANG_DATABASE_URL", database_url)
        self.capsys, self.monkeypatch = capsys, monkeypatch

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "argv", ["lingang", "lake", *args])
        with pytest.raises(SystemExit) as done:
            main()
        out = self.capsys.readouterr()
        return int(done.value.code or 0), out.out, out.err


def test_import_quarantine_and_reimport(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    run = Run(tmp_path, database_url, capsys, monkeypatch)
    source = tmp_path / "payments.csv"
    rows = [HEADER, *(line(i) for i in range(6)), line(99, amount="ten")]
    source.write_text("\n".join(rows) + "\n")
    code, out, err = run("import", "payments", str(source), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (6, 0, 1)
    again = json.loads(run("import", "payments", str(source), "--json")[1])
    assert (again["accepted"], again["duplicates"], again["rejected"]) == (0, 6, 1)
    held = json.loads(run("quarantine", "payments", "--json")[1])
    assert [(r["line"], r["field"]) for r in held["rejects"]] == [(8, "amount")]
    assert held["rejects"][0]["reason"] == "amount: ten is not a finite number"
    listed = json.loads(run("datasets", "--json")[1])
    payments = next(d for d in listed if d["name"] == "payments")
    assert (payments["stored"]["rows"], payments["imports"]) == (6, 2)


def test_text_output_and_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}", capsys, monkeypatch)
    source = tmp_path / "payments.parquet"
    rows = [dict(zip(HEADER.split(","), line(i).split(","), strict=True)) for i in range(3)]
    pq.write_table(pa.Table.from_pylist(rows), source)
    code, out, _ = run("import", "payments", str(source))
    assert code == 0 and "accepted 3 · duplicates 0 · rejected 0" in out
    table = run("datasets")[1]
    assert "跨境收付汇" in table and "payments" in table
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("payment_id,when\nPAY-1,2025-01-01\n")
    code, out, err = run("import", "payments", str(wrong))
    assert (code, out) == (2, "")
    assert "missing required columns: paid_on, kind" in err
    code, _, err = run("import", "payments", str(tmp_path / "nope.csv"))
    assert code == 2 and "does not exist" in err
    code, _, err = run("import", "trades", str(source))
    assert code == 3 and "dataset 'trades' not found" in err


def test_the_installed_command_imports_a_file(tmp_path: Path) -> None:
    source = tmp_path / "payments.csv"
    source.write_text("\n".join([HEADER, line(1), line(2)]) + "\n")
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip
    done = subprocess.run([LINGANG, "lake", "import", "payments", str(source)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "accepted 2 · duplicates 0 · rejected 0" in done.stdout
