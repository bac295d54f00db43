"""`conveyor server` as a process: zero-config sign-in, kill -9 between queueing and claiming
loses no build, a wrong key refuses to start (exit 2), rotate-key and migrate."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from conveyor.server.crypto import create_key

from .builds_support import PIPELINES
from .conftest import ADMIN_TOKEN, LiveServer, free_port
from .git_support import make_repo


def _call(server: LiveServer, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        server.url + path,
        data=data,
        method=method,
        headers={**server.headers, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read() or b"null")


def _conveyor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conveyor.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_kill_9_between_queueing_and_claiming_loses_no_build(
    live_server: LiveServer, tmp_path: Path
) -> None:
    git = make_repo(tmp_path / "git", {".drone.yml": PIPELINES})
    _call(live_server, "POST", "/api/repos/octo/app", {"git_http_url": git.url})
    build = _call(live_server, "POST", "/api/repos/octo/app/builds")
    assert build["status"] == "pending"
    live_server.kill()  # SIGKILL: no shutdown code runs
    live_server.start()
    again = _call(live_server, "GET", "/api/repos/octo/app/builds/1")
    assert again["status"] == "pending"
    assert [s["status"] for s in again["stages"]] == ["pending", "waiting_on_dependencies"]
    with urllib.request.urlopen(f"{live_server.url}/metrics", timeout=10) as answer:
        metrics = answer.read().decode()
    assert 'conveyor_builds{status="pending"} 1.0' in metrics
    assert "conveyor_queue_length 1.0" in metrics
    assert "conveyor_http_request_duration_seconds_bucket" in metrics
    log = live_server.log.read_text()
    assert 'method=GET path="/api/repos/octo/app/builds/1" status=200' in log
    assert ADMIN_TOKEN not in log


def test_wrong_key_refuses_to_start(live_server: LiveServer, tmp_path: Path) -> None:
    live_server.kill()
    other = tmp_path / "other.key"
    create_key(other)
    done = _conveyor(
        "server",
        "--addr",
        f"127.0.0.1:{free_port()}",
        "--data-dir",
        str(live_server.data_dir),
        "--database-url",
        live_server.database_url,
        env={"CONVEYOR_SECRET_KEY_FILE": str(other)},
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "is not the key this database's secrets were encrypted with" in done.stderr
    assert "Traceback" not in done.stderr


def test_rotate_key_then_restart_with_the_new_key(live_server: LiveServer, tmp_path: Path) -> None:
    _call(live_server, "POST", "/api/repos/octo/app", {"git_http_url": "/srv/x"})
    _call(live_server, "POST", "/api/repos/octo/app/secrets", {"name": "a", "data": "value-a"})
    hook = _call(live_server, "GET", "/api/repos/octo/app/hook")
    live_server.kill()
    new_key = tmp_path / "new.key"
    common = ["--data-dir", str(live_server.data_dir), "--database-url", live_server.database_url]
    done = _conveyor("server", "rotate-key", "--new-key-file", str(new_key), *common)
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 2 values" in done.stdout
    old = _conveyor("server", "--addr", f"127.0.0.1:{free_port()}", *common)
    assert old.returncode == 2
    live_server.start({"CONVEYOR_SECRET_KEY_FILE": str(new_key)})
    assert _call(live_server, "GET", "/api/repos/octo/app/hook") == hook
    assert _call(live_server, "GET", "/api/repos/octo/app/secrets/a")["name"] == "a"


def test_migrate_and_port_in_use(live_server: LiveServer) -> None:
    common = ["--data-dir", str(live_server.data_dir), "--database-url", live_server.database_url]
    done = _conveyor("server", "migrate", *common)
    assert (done.returncode, done.stdout) == (0, "the database is up to date\n")
    port = live_server.url.rsplit(":", 1)[1]
    busy = _conveyor("server", "--addr", f"127.0.0.1:{port}", *common)
    assert busy.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in busy.stderr


def test_zero_config_prints_the_admin_token_once(tmp_path: Path) -> None:
    server = LiveServer(
        url=f"http://127.0.0.1:{free_port()}",
        token="unused-token-0123456789",
        data_dir=tmp_path / "zero",
        database_url=f"sqlite:///{tmp_path / 'zero' / 'conveyor.sqlite'}",
        log=tmp_path / "zero.log",
    )
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    port = server.url.rsplit(":", 1)[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "conveyor.cli.main", "server", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in {**os.environ, **env}.items() if not k.endswith("USER_CREATE")},
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
    finally:
        process.kill()
        process.wait()
    assert "secret.key (mode 0600): back it up" in lines[0]
    token = lines[1].rsplit(" ", 1)[1].strip()
    assert lines[1].startswith("created the admin user admin")
    assert lines[2].startswith(f"conveyor server listening on http://127.0.0.1:{port}")
    assert (tmp_path / "xdg" / "conveyor" / "conveyor.sqlite").exists()
    assert len(token) > 30
