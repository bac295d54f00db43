"""The exception tree of Conveyor; every error a user can see is one of these.

Each error carries a one-sentence message that says what to change, an optional
hint and the process exit code. Errors are raised anywhere and caught only at the
entry points (`conveyor.cli.main`). Messages must never contain secret values.

    ConveyorError                    exit 2 unless stated
    +-- UsageError                   bad command line
    +-- ConfigError                  a file or setting that cannot be used (has a Span)
    +-- InvalidReferenceError        an image reference that the grammar refuses
    +-- CredentialError              a registry credential source that is malformed
    +-- SecretError                  a secret file or value that cannot be used
    +-- EngineError                  the container engine failed (exit 1)
    |   +-- PullError                an image could not be pulled
    |   +-- ImageAccessDeniedError   the private-cache check refused an image
    +-- RunInterruptedError          Ctrl-C / SIGTERM (exit 130)
"""

from __future__ import annotations

from conveyor.source import Span


class ConveyorError(Exception):
    """Base of every error Conveyor reports to a user."""

    exit_code: int = 2

    def __init__(self, message: str, *, hint: str | None = None, span: Span | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.span = span

    def render(self) -> str:
        """The error as one line (`file:line:col: message`), plus the hint on its own line."""
        head = f"{self.span}: {self.message}" if self.span else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class UsageError(ConveyorError):
    """The command line cannot be understood."""


class ConfigError(ConveyorError):
    """A pipeline file, config file or setting cannot be used."""


class InvalidReferenceError(ConveyorError):
    """An image reference is not valid under the Docker reference grammar."""


class CredentialError(ConveyorError):
    """A registry credential source (config.json, secret, plugin) is malformed or unreachable."""


class SecretError(ConveyorError):
    """A secret source (secret file, --secret) cannot be used."""


class EngineError(ConveyorError):
    """The container engine failed to do what a run needed."""

    exit_code = 1


class PullError(EngineError):
    """An image could not be pulled; the message names the image and the registry."""


class ImageAccessDeniedError(EngineError):
    """A cached private image may not be used by this pipeline (semantics.md section 5)."""


class RunInterruptedError(ConveyorError):
    """The run was interrupted by Ctrl-C or SIGTERM."""

    exit_code = 130
