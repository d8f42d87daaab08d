"""``lingang risk amlsim``: the AMLSim typology scenarios against the simulator's labels."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from lingang.cli.common import print_json, print_table
from lingang.risk.network import amlsim as scenarios

DEFAULT_DATA = Path("../shared/data/amlsim-sample")
HEADERS = ("data set", "scenario", "flagged", "precision", "recall", "F1", "baseline P/R/F1")


def amlsim(
    data: Annotated[
        Path, typer.Option("--data", help="Folder holding the AMLSim 20K_* data sets")
    ] = DEFAULT_DATA,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", help="Only transfers of steps 1 … N")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Run aml_cycle and aml_fan_in on each AMLSim data set found; report precision, recall
    and F1 against isFraud, and a top-degree baseline flagging as many accounts."""
    started = time.perf_counter()
    results = scenarios.evaluate(data, max_steps)
    if not results:
        typer.echo(f"no AMLSim data set ({', '.join(scenarios.DATA_SETS)}) under {data}", err=True)
        raise typer.Exit(1)
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        print_json({"results": [r.to_json() for r in results], "seconds": seconds})
        return
    rows = []
    for r in results:
        f, b = r.figures, r.baseline
        rows.append(
            (r.data_set, r.scenario, f.flagged, f"{f.precision:.3f}", f"{f.recall:.3f}",
             f"{f.f1:.3f}", f"{b.precision:.3f}/{b.recall:.3f}/{b.f1:.3f}")
        )  # fmt: skip
    print_table(HEADERS, rows)
    typer.echo(f"{seconds} s")
