"""A tar archive of a local directory, to copy into a run's workspace volume.

Everything is kept, `.git` included (steps may run git); sockets are skipped by tarfile. The
archive spills to a temporary file past 64 MiB so a large tree does not sit in memory.
"""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path
from typing import IO

from conveyor.errors import EngineError

SPILL_BYTES = 64 * 1024 * 1024


def archive_directory(source: Path) -> IO[bytes]:
    """A readable tar of the contents of `source` (names relative to it), positioned at 0."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPILL_BYTES)  # noqa: SIM115
    try:
        with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for child in sorted(source.iterdir()):
                tar.add(child, arcname=child.name, recursive=True)
    except OSError as exc:
        spool.close()
        where = exc.filename or source
        raise EngineError(
            f"cannot copy {where} into the workspace: {exc.strerror or exc}",
            hint="make the files readable, or run from another directory",
        ) from None
    spool.seek(0)
    return spool
