"""Run one credential-helper program (`docker-credential-NAME ACTION`) under a time limit.

The program runs in a process group of its own: when the time limit runs out (or the run is
interrupted) the whole group is killed and the pipes are closed, so neither a hanging helper
nor a child it started and that keeps the output pipe open can hang a run. The Docker SDK's
`docker.credentials` has no time limit, hence this module. It returns the raw answer only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass

REAP_SECONDS = 5.0
"""How long to wait for a killed helper to be reaped (SIGKILL cannot be ignored)."""


class HelperTimedOutError(Exception):
    """The helper did not answer in time; its process group was killed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HelperAnswer:
    """What the helper printed on its standard output, and its exit code."""

    code: int
    output: bytes


def run_helper(argv: Sequence[str], data: bytes, *, timeout: float) -> HelperAnswer:
    """Run `argv` with `data` on its standard input; raises HelperTimedOutError or OSError.

    Standard error is discarded: helpers answer (errors included) on standard output, and
    nothing a helper says reaches the terminal unfiltered.
    """
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise HelperTimedOutError(f"no answer within {timeout:g}s") from None
    finally:
        if process.returncode is None:
            _stop(process)
    return HelperAnswer(code=process.returncode, output=output)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the helper's whole process group, release our ends of the pipes, reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=REAP_SECONDS)
