"""``lingang permits ratings`` end to end (in process: cli_inprocess.run_lingang): a 差评
given by the applicant, contacted and resolved from the CLI, appealed, the appeal refused to
the resolver and decided by another officer, the dashboard."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from cli_inprocess import run_lingang
from factories import make_user
from lingang.bootstrap import bootstrap
from lingang.config import Settings
from lingang.demo import demo_uscc
from lingang.entities.model import EnterpriseDraft
from lingang.types import SYSTEM, Role


def test_a_negative_rating_is_handled_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["permits", *args], env)

    form = tmp_path / "form.txt"
    form.write_text("申请表", encoding="utf-8")
    uscc = demo_uscc(8282)
    made = run("apply", "construction-permit", "--uscc", uscc,
               "--file", f"application_form={form}", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    app_id = json.loads(made.stdout)["application"]["id"]
    assert run("accept", str(app_id)).returncode == 0
    platform = bootstrap(Settings(data_dir=tmp_path / "data",
                                  database_url=env["LINGANG_DATABASE_URL"]))  # fmt: skip
    try:
        firm_id = platform.entities.register_enterprise(
            EnterpriseDraft(uscc=uscc, name_zh="评价测试有限公司"), actor=SYSTEM).id  # fmt: skip
        firm = make_user(platform, Role.ENTERPRISE, enterprise_id=firm_id).as_actor()
        rated = platform.permit_ratings.rate(app_id, 1, "多次跑腿", actor=firm)
        assert rated.rectification is not None
        task_id = str(rated.rectification.id)
        listed = run("ratings", "list", "--json")
        assert listed.returncode == 0, listed.stderr
        assert [r["level_label"] for r in json.loads(listed.stdout)] == ["非常不满意"]
        table = run("ratings", "rectifications")
        assert table.returncode == 0 and "建设和交通管理部门" in table.stdout
        early = run("ratings", "resolve", task_id, "--result", "已整改")
        assert early.returncode == 4 and "contact the rater first" in early.stderr
        assert run("ratings", "contact", task_id, "--note", "电话回访").returncode == 0
        done = run("ratings", "resolve", task_id, "--result", "推行一次告知", "--json")
        assert done.returncode == 0 and json.loads(done.stdout)["status"] == "resolved"
        platform.permit_ratings.appeal(int(task_id), "仍需多次跑腿", actor=firm)
        own = run("ratings", "decide-appeal", task_id, "--dismiss", "--note", "维持")
        assert own.returncode == 6 and "other than the resolver" in own.stderr  # Forbidden
        reviewer = make_user(platform, Role.SERVICE_OFFICER).as_actor()
        closed = platform.permit_ratings.decide_appeal(int(task_id), False, "维持", actor=reviewer)
        assert closed.status.value == "closed"
    finally:
        platform.close()
    board = run("ratings", "satisfaction", "--json")
    assert board.returncode == 0, board.stderr
    overall = json.loads(board.stdout)["overall"]
    assert (overall["count"], overall["negative"], overall["rectified"]) == (1, 1, 1)
    text = run("ratings", "satisfaction")
    assert text.returncode == 0 and "建筑工程施工许可" in text.stdout
    assert run("ratings", "rectifications", "--all").stdout.count("closed") == 1
