"""``lingang ARGS`` run inside the test process (Typer's ``CliRunner``) instead of a new
Python process: the same arguments, environment, exit codes (``cli.app.EXIT_CODES``) and
stdout/stderr, without paying the interpreter and import start-up on every call.

Tests that need a real process (a server, signals, ``--help`` of the console script itself)
keep using ``subprocess``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence

from typer.testing import CliRunner

from lingang.cli.app import EXIT_CODES, app
from lingang.errors import LingangError

_runner = CliRunner()


def run_lingang(
    args: Sequence[str], env: Mapping[str, str] | None = None, *, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``lingang *args`` with ``env`` as the whole environment; a CompletedProcess."""
    changes: dict[str, str | None] = {}
    if env is not None:
        changes = {k: v for k, v in env.items() if os.environ.get(k) != v}
        changes |= {k: None for k in os.environ if k not in env}
    result = _runner.invoke(app, list(args), env=changes, input=stdin)
    stdout, stderr, code = result.stdout, result.stderr, result.exit_code
    error = result.exception
    if isinstance(error, LingangError):
        code = next((c for cls, c in EXIT_CODES.items() if isinstance(error, cls)), 1)
        stderr += f"error: {error.message}\n"
    elif error is not None and not isinstance(error, SystemExit):
        raise error
    return subprocess.CompletedProcess(["lingang", *args], code, stdout, stderr)
