"""`conveyor` entry point: builds the argument parser and catches every error in one place.

Each sub-command lives in its own `cmd_*.py` module exposing `register(subparsers)` and
`run(args) -> int`. Those modules import only argparse at the top, so that `--help` stays
fast; heavy imports happen inside `run`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from conveyor import __version__

COMMANDS: tuple[str, ...] = (
    "exec",
    "lint",
    "compile",
    "image",
    "prune",
    "server",
    "repo",
    "secret",
    "build",
    "agent",
    "queue",
)
"""Sub-command modules (`conveyor.cli.cmd_<name>`), in the order `--help` lists them."""

DESCRIPTION = """\
Conveyor runs Drone pipelines (.drone.yml) on the Docker engine, unchanged,
and fixes what Drone gets wrong: private registries, pull policies and the
shared image cache.

examples:
  conveyor lint                          check .drone.yml, every problem at once
  conveyor exec --secret-file .secrets   run the pipeline here, in containers
  conveyor image resolve golang:1.12     what a pull would fetch, and how
"""


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every sub-command registered explicitly."""
    parser = argparse.ArgumentParser(
        prog="conveyor",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"conveyor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = _command_module(name)
        if module is not None:
            module.register(sub)
    return parser


def _command_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"conveyor.cli.cmd_{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"conveyor.cli.cmd_{name}":
            return None  # command not built yet
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code, never raises."""
    from conveyor.errors import ConveyorError

    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = handler(args)
    except ConveyorError as exc:
        _print_error(exc.render())
        return exc.exit_code
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (`conveyor exec | head`): what was running has been cleaned
        # up on the way out; say so with the shell's SIGPIPE status, not success.
        _silence_stdout()
        return 141
    return code


def program() -> int:
    """The `conveyor` program (console script, `python -m conveyor`): `main` for this process.

    Then what the process made is frozen (`gc.freeze`), so the interpreter's exit does not
    walk every module, class and function in a last garbage collection to free memory that
    the end of the process frees anyway: 40 to 80 ms of CPU after a `conveyor exec`.
    Open files are unaffected (the standard streams are flushed as usual).
    """
    import gc

    code = main()
    gc.freeze()
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    import io
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests): nothing will be flushed to a closed pipe


def _print_error(text: str) -> None:
    sys.stderr.write(f"conveyor: error: {text}\n")
    sys.stderr.flush()


if __name__ == "__main__":
    raise SystemExit(program())
