"""``lingang inspections`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_inprocess import run_lingang
from factories import make_enterprise
from lingang.bootstrap import bootstrap
from lingang.config import Settings

LINGANG = str(Path(sys.executable).with_name("lingang"))
TEAM = "市场监管执法一队"


def test_a_draw_made_from_the_cli_verifies_and_a_tampered_record_fails(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": url}  # fmt: skip
    platform = bootstrap(Settings(data_dir=tmp_path / "data", database_url=url), start=False)
    try:
        firms = [make_enterprise(platform) for _ in range(3)]
    finally:
        platform.close()

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = run_lingang(["inspections", *args], env)
        if ok:
            assert done.returncode == 0, (args, done.stderr)
        return done

    items = tmp_path / "items.csv"
    items.write_text(f"code,name_zh,name_en,department,key\nSJ-001,营业执照检查,Business "
                     f"licence,{TEAM},否\n", encoding="utf-8")  # fmt: skip
    staff = tmp_path / "inspectors.json"
    staff.write_text(json.dumps([{"id": f"I-{n}", "name": f"检查员{n}", "department": TEAM}
                                 for n in range(3)], ensure_ascii=False))  # fmt: skip
    run("items", "import", str(items))
    run("inspectors", "import", str(staff))
    made = run("plan", "create", "--year", "2026", "--item", "SJ-001", "--rate", "A=0",
               "--rate", "B=1", "--rate", "C=0", "--rate", "D=0", "--json")  # fmt: skip
    plan_id = json.loads(made.stdout)["id"]
    committed = json.loads(run("plan", "commit", plan_id, "--json").stdout)
    announcement = tmp_path / "announcement.json"
    announcement.write_text(json.dumps(committed["announcement"]))
    drawn = run("plan", "draw", plan_id)
    assert "已抽取" in drawn.stdout and firms[0].name_zh in drawn.stdout
    record = tmp_path / "record.json"
    run("published", plan_id, "--out", str(record))

    verified = run("verify-draw", str(record), "--announcement", str(announcement))
    assert "核验通过" in verified.stdout and "Verified" in verified.stdout

    data = json.loads(record.read_text(encoding="utf-8"))
    data["inputs"] = data["inputs"].replace('"credit_class":"B"', '"credit_class":"D"', 1)
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    failed = run("verify-draw", str(tampered), ok=False)
    assert failed.returncode == 1 and "核验失败（inputs）" in failed.stderr
    wrong_seed = run("verify-draw", str(record), "--seed", "0" * 64, ok=False)
    assert wrong_seed.returncode == 1 and "FAILED (seed)" in wrong_seed.stderr
