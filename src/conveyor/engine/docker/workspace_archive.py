"""A tar archive of a local directory, to copy into a run's workspace volume.

Everything is kept, `.git` included (steps may run git), except the files the run was told to
leave out (the secret files given to `conveyor exec`); sockets are skipped by tarfile. The
archive spills to a temporary file past 64 MiB so a large tree does not sit in memory.
"""

from __future__ import annotations

import posixpath
import tarfile
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import IO

from conveyor.errors import EngineError

SPILL_BYTES = 64 * 1024 * 1024


def archive_directory(source: Path, prefix: str = "", exclude: Collection[Path] = ()) -> IO[bytes]:
    """A readable tar of the contents of `source`, names under `prefix`, positioned at 0.

    Files of `exclude` that lie inside `source` are left out (paths outside it are ignored).
    """
    left_out = _inside(source, exclude, prefix)

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        return None if info.name in left_out else info

    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPILL_BYTES)  # noqa: SIM115
    try:
        with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for parent in _parents(prefix):
                info = tarfile.TarInfo(parent)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            for child in sorted(source.iterdir()):
                name = posixpath.join(prefix, child.name) if prefix else child.name
                tar.add(child, arcname=name, recursive=True, filter=keep)
    except OSError as exc:
        spool.close()
        where = exc.filename or source
        raise EngineError(
            f"cannot copy {where} into the workspace: {exc.strerror or exc}",
            hint="make the files readable, or run from another directory",
        ) from None
    spool.seek(0)
    return spool


def _parents(prefix: str) -> list[str]:
    parts = [part for part in prefix.split("/") if part and part != "."]
    return ["/".join(parts[: index + 1]) for index in range(len(parts))]


def _inside(source: Path, paths: Collection[Path], prefix: str) -> frozenset[str]:
    root = source.resolve()
    names: set[str] = set()
    for path in paths:
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            continue  # not inside the copied directory
        names.add(posixpath.join(prefix, relative.as_posix()) if prefix else relative.as_posix())
    return frozenset(names)
