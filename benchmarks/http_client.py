"""The HTTP load client of bench_risk_e2e.py, run as its own process (so that it does not
share the server's interpreter lock): posts batches of records to ``/api/assessments`` one
request at a time over one keep-alive connection.

stdin: JSON ``{"base": url, "token": str, "dataset": str, "batches": [[record, …], …],
"detail": "full" | "summary"}``; stdout: JSON ``{"seconds": float, "latencies": [s, …],
"verdicts": {record_key: [outcome, score]}}``.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import httpx


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Post every batch in order; time each request and the whole run."""
    verdicts: dict[str, list[Any]] = {}
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {job['token']}"}
    with httpx.Client(base_url=job["base"], headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for batch in job["batches"]:
            t0 = time.perf_counter()
            answer = client.post("/api/assessments", params={"detail": job["detail"]},
                                 json={"dataset": job["dataset"], "records": batch})  # fmt: skip
            answer.raise_for_status()
            latencies.append(time.perf_counter() - t0)
            for a in answer.json()["assessments"]:
                verdicts[a["record_key"]] = [a["outcome"], float(a["score"])]
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "latencies": latencies, "verdicts": verdicts}


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
