"""Docker's start errors for a missing program become a sentence a user can act on."""

from __future__ import annotations

import pytest

from conveyor.engine.docker.backend import _start_failure

RUNC = (
    "cannot start the container: failed to create shim task: OCI runtime create failed: runc "
    'create failed: unable to start container process: exec: "{0}": {1}: unknown'
)


@pytest.mark.parametrize(
    ("program", "reason"),
    [
        ("/no/such/binary", "stat /no/such/binary: no such file or directory"),
        ("/bin/sh", "stat /bin/sh: no such file or directory"),
        ("app", "executable file not found in $PATH"),
    ],
)
def test_a_missing_program_is_named(program: str, reason: str) -> None:
    message = _start_failure(RUNC.format(program, reason))
    assert f"the image has no executable {program!r}" in message
    assert "needs /bin/sh in its image" in message
    assert "runc" not in message


def test_other_errors_pass_unchanged() -> None:
    other = "cannot start the container: port is already allocated"
    assert _start_failure(other) == other
