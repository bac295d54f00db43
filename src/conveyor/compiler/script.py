"""Pass `script`: a step's `commands` become one POSIX shell script (semantics.md section 6).

The script starts with `set -e` and prints a trace line `+ <command>` before each command.
The trace is printed with `printf '%s'` and a single-quoted argument, so backticks, `$()`
and quotes in a command are shown, never run. The script reaches the container in the
environment variable DRONE_SCRIPT and runs with `/bin/sh -c 'eval "$DRONE_SCRIPT"'`,
replacing the image's entrypoint. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from conveyor.compiler.passes import StepSource
from conveyor.plan.model import StepPlan

SCRIPT_VARIABLE = "DRONE_SCRIPT"
ENTRYPOINT = ("/bin/sh", "-c")
COMMAND = (f'eval "${SCRIPT_VARIABLE}"',)
"""`eval` rather than Drone's `echo "$DRONE_SCRIPT" | /bin/sh`: dash's `echo` rewrites
backslash sequences in the script, and a piped script is the stdin of its own commands,
so a command that reads stdin (`cat`, `ssh`, `read`) would swallow the lines after it."""

PREAMBLE = f"set -e\nunset {SCRIPT_VARIABLE}\n"
"""Stop at the first failing command; keep the script out of the commands' environment."""


def shell_quote(text: str) -> str:
    """`text` as one single-quoted POSIX shell word: nothing inside is expanded."""
    return "'" + text.replace("'", "'\\''") + "'"


def build_script(commands: Sequence[str]) -> str:
    """The POSIX shell script for `commands`, with a trace line before each."""
    lines = [PREAMBLE]
    for command in commands:
        lines.append(f"printf '+ %s\\n' {shell_quote(command)}\n{command}\n")
    return "".join(lines)


def apply_script(plan: StepPlan, source: StepSource) -> StepPlan:
    """Steps with `commands` run the script; others keep `entrypoint`/`command` as written."""
    step = source.step
    if not step.commands:
        return replace(plan, entrypoint=step.entrypoint, command=step.command)
    environment = dict(plan.environment)
    secrets = dict(plan.secrets)
    environment[SCRIPT_VARIABLE] = build_script(step.commands)
    secrets.pop(SCRIPT_VARIABLE, None)
    return replace(
        plan,
        entrypoint=ENTRYPOINT,
        command=COMMAND,
        environment=environment,
        secrets=secrets,
    )
