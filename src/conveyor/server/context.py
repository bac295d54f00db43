"""What every request handler reaches through the app: settings, database, cipher, metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from conveyor.server.crypto import Cipher
from conveyor.server.live.hub import Hub
from conveyor.server.metrics import Metrics
from conveyor.server.rpc.signal import QueueSignal
from conveyor.server.settings import Settings
from conveyor.server.startup import ServerState


@dataclass(frozen=True, slots=True, kw_only=True)
class AppContext:
    """The running server's parts; one per app."""

    settings: Settings
    state: ServerState
    metrics: Metrics = field(repr=False)
    queue_signal: QueueSignal = field(default_factory=QueueSignal, repr=False)
    """Wakes long-polling agents when a stage becomes pending."""
    cancel_signal: QueueSignal = field(default_factory=QueueSignal, repr=False)
    """Wakes held heartbeats when a build is cancelled."""
    hub: Hub = field(default_factory=Hub, repr=False)
    """Fans build events, log lines and pull progress out to live readers."""

    @property
    def cipher(self) -> Cipher:
        """Encrypts and decrypts secrets at rest."""
        return self.state.cipher

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self.state.sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (never writes: SQLite would refuse the upgrade)."""
        with self.state.readers.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction on a Core connection, without the ORM's session (hot
        read paths: authentication, `GET builds`, `GET build`)."""
        with self.state.reader.begin() as connection:
            yield connection
