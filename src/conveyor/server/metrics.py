"""Prometheus metrics: request latency (histogram), builds by status and queue length (read
from the database at scrape time). One registry per app, so tests do not share counters."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from conveyor.server.states import Status
from conveyor.server.store.models import Build, Stage


class _StoreCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Metric]:
        builds = GaugeMetricFamily(
            "conveyor_builds", "Builds in the store, by status.", labels=["status"]
        )
        with self.sessions.begin() as session:
            rows = session.execute(select(Build.status, func.count()).group_by(Build.status))
            counts = {status: int(count) for status, count in rows}
            queued = session.scalar(
                select(func.count()).select_from(Stage).where(Stage.status == Status.PENDING)
            )
        for status in Status:
            builds.add_metric([status.value], counts.get(status.value, 0))
        yield builds
        yield GaugeMetricFamily(
            "conveyor_queue_length", "Stages waiting for an agent.", value=queued or 0
        )


class Metrics:
    """The registry of one app: a request latency histogram and the store's gauges."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "conveyor_http_request_duration_seconds",
            "Time to answer an HTTP request.",
            ["method"],
            registry=self.registry,
        )
        self._latency_of: dict[str, Histogram] = {}
        self.registry.register(_StoreCollector(sessions))

    def observe(self, method: str, seconds: float) -> None:
        """Record one request's duration."""
        child = self._latency_of.get(method)
        if child is None:  # labels() takes a lock and checks the names: once per method
            child = self._latency_of[method] = self.latency.labels(method=method)
        child.observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition."""
        return generate_latest(self.registry)
