"""Load a `.drone.yml` file into the spec model, with a diagnostic for every problem.

`load_file` is the only function here that touches the file system; bad content never
raises, it comes back as diagnostics in the `LoadResult`. Only an unreadable file raises
`errors.ConfigError` (exit 2).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from conveyor.config import codes
from conveyor.config.composer import Limits, compose
from conveyor.config.decoding import decode
from conveyor.config.documents import document
from conveyor.config.reader import Reader
from conveyor.errors import ConfigError
from conveyor.source import Diagnostic, Span
from conveyor.spec.model import ConfigFile, Document

MAX_FILE_BYTES = 32 * 1024 * 1024
"""Larger files are refused before parsing: no pipeline file is anywhere near this size."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadResult:
    """The spec of a file, the loading diagnostics, and the text (to show source lines)."""

    file: ConfigFile
    diagnostics: tuple[Diagnostic, ...]
    source: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        """True when loading found no error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)


def load_file(
    path: Path, *, limits: Limits | None = None, project: Path | None = None
) -> LoadResult:
    """Read and load `path`; raises ConfigError only when the file cannot be read.

    Only a regular file is read (a FIFO or a device would block or never end), and a symlink
    that leads outside `project` (default: the current directory) is refused unread.
    """
    name = str(path)
    _refuse_outside_link(path, project)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ConfigError(
            f"{name} does not exist; pass the pipeline file to use", hint=None
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{name} is a directory; pass the pipeline file inside it") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{name} cannot be read ({reason}); check its permissions") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise ConfigError(f"{name} is a directory; pass the pipeline file inside it")
        raise ConfigError(
            f"{name} is not a regular file (a pipe, socket or device); "
            "pass the pipeline file itself"
        )
    with os.fdopen(fd, "rb") as stream:
        try:
            data = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(f"{name} cannot be read ({reason})") from None
    return load_bytes(data, name, limits=limits)


def _refuse_outside_link(path: Path, project: Path | None) -> None:
    if not path.is_symlink():
        return
    root = (project or Path.cwd()).resolve()
    target = path.resolve()
    if not target.is_relative_to(root):
        raise ConfigError(
            f"{path} is a symlink to a file outside the project directory ({root}); "
            "Conveyor reads only pipeline files inside the project"
        )


def load_bytes(data: bytes, filename: str, *, limits: Limits | None = None) -> LoadResult:
    """Load the bytes of a file named `filename` (used in every span)."""
    if len(data) > MAX_FILE_BYTES:
        problem = codes.TOO_LARGE.at(
            Span(file=filename, line=1, column=1),
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; "
            "a pipeline file should be far smaller",
        )
        return _result(filename, (), [problem], "")
    decoded = decode(data)
    if decoded.problem is not None:
        span = Span(file=filename, line=decoded.line, column=decoded.column)
        return _result(filename, (), [codes.NOT_UTF8.at(span, decoded.problem)], decoded.text)
    return load_text(decoded.text, filename, limits=limits)


def load_text(text: str, filename: str, *, limits: Limits | None = None) -> LoadResult:
    """Load YAML `text` as the file `filename`."""
    composed = compose(text, filename, limits)
    reader = Reader(filename, aliased=composed.aliased)
    documents: list[Document] = []
    try:
        for node in composed.documents:
            built = document(reader, node)
            if built is not None:
                documents.append(built)
    except RecursionError:  # the composer bounds depth; this is a second line of defence
        span = Span(file=filename, line=1, column=1)
        reader.diagnostics.append(codes.TOO_DEEP.at(span, "the YAML is nested too deeply"))
    found = reader.finish()
    if composed.problem is not None:
        found.append(composed.problem)
    elif not composed.documents:
        found.append(
            codes.EMPTY_FILE.at(
                Span(file=filename, line=1, column=1),
                "the file holds no YAML document; add a `kind: pipeline` document",
            )
        )
    return _result(filename, tuple(documents), found, text)


def _result(
    filename: str, documents: tuple[Document, ...], found: list[Diagnostic], text: str
) -> LoadResult:
    return LoadResult(
        file=ConfigFile(path=filename, documents=documents),
        diagnostics=tuple(found),
        source=text,
    )
