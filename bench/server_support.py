"""What the server benchmarks share: a test server's settings, latency sampling, percentiles.

Servers run under a real uvicorn on 127.0.0.1 (tests/server/live.py); requests go through one
`requests` session without proxies, as a client would send them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import requests

from conveyor.server.settings import Settings, UserCreate

TOKEN = "bench-admin-token-0123456789"


def bench_settings(data_dir: Path, database_url: str) -> Settings:
    """A server whose admin's token is TOKEN."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key_file=data_dir / "secret.key",
        public_url="http://127.0.0.1:8080",
        user_create=UserCreate(login="admin", admin=True, token=TOKEN),
    )


def session() -> requests.Session:
    """A session with the admin token and no proxy from the environment."""
    http = requests.Session()
    http.trust_env = False
    http.headers["Authorization"] = f"Bearer {TOKEN}"
    return http


def sample_pair(
    first: Callable[[], object], second: Callable[[], object], count: int, warmup: int = 20
) -> tuple[list[float], list[float]]:
    """Seconds of `count` calls of each, interleaved so that load on the machine hits both."""
    for _ in range(warmup):
        first()
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for call, into in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            call()
            into.append(time.perf_counter() - start)
    return times


def getter(http: requests.Session, url: str) -> Callable[[], bytes]:
    """A call that GETs `url` and reads the whole answer."""
    return lambda: http.get(url, timeout=30).content


def p50_p95(times: list[float]) -> tuple[float, float]:
    """Median and 95th percentile, in milliseconds."""
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return statistics.median(times) * 1000, cuts[94] * 1000


def postgres_databases() -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    """("postgresql", a fresh database's URL) when the test PostgreSQL answers, else nothing."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError
    from tests.server.conftest import postgres_url

    admin = postgres_url()
    engine = create_engine(admin)
    try:
        with engine.connect():
            pass
    except SQLAlchemyError:
        print(f"PostgreSQL at {admin} does not answer: measuring SQLite only")
        return []
    finally:
        engine.dispose()
    return [("postgresql", lambda: _fresh_postgres(admin))]


@contextmanager
def _fresh_postgres(admin: str) -> Iterator[str]:
    from tests.server.conftest import _create_database, _drop_database, _url_of

    name = _create_database(admin)
    try:
        yield _url_of(admin, name)
    finally:
        _drop_database(admin, name)
