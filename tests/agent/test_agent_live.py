"""`conveyor agent` end to end: a live server on each database, a real agent process, real git
and real Docker. A build from a push with a private image of the basic-auth and of the
token-auth registry through an image_pull_secrets secret added with the API, the stored log
complete and masked, and cancel of a running step (reported before the teardown, the next step
`skipped`) and of a stalled clone."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from conveyor.cli.main import main
from conveyor.server.app import create_app
from tests.agent.live_support import (
    COUNTER,
    SLUG,
    DoneWatch,
    Site,
    admin_session,
    agent_process,
)
from tests.agent.stall_git import stalling_git
from tests.conftest import LocalEnv
from tests.server.conftest import ADMIN_TOKEN, RPC_SECRET, make_settings
from tests.server.git_hook import install_push_hook
from tests.server.git_support import make_repo
from tests.server.live import serve_app

pytestmark = pytest.mark.docker

PASSWORD_LINE = "the password is {secret}"
PIPELINE = """\
kind: pipeline
type: docker
name: default
steps:
- name: test
  image: {image}
  environment:
    PASSWORD: {{from_secret: password}}
  commands:
  - cat file.txt
  - echo "the password is $PASSWORD"
  - for i in 1 2 3 4 5; do echo "line $i"; done
image_pull_secrets: [dockerconfig]
"""
SLEEPER = """\
kind: pipeline
type: docker
name: default
steps:
- name: wait
  image: {image}
  commands: [echo started, sleep 300]
"""
THEN = """\
- name: after
  image: {image}
  commands: [echo never]
"""


LEASE = 3.0
"""The server's lease in these tests (seconds)."""


@pytest.fixture
def served(tmp_path: Path, db_url: str, testenv: LocalEnv) -> Iterator[tuple[Site, DoneWatch]]:
    """The server (with an RPC secret, its `done` reports watched), and acme/widgets whose
    pipeline runs `testenv.image`."""
    files = {".drone.yml": SLEEPER.format(image=testenv.image), "file.txt": "checked out\n"}
    repo = make_repo(tmp_path / "git", files)
    settings = make_settings(tmp_path / "data", db_url, rpc_secret=RPC_SECRET, lease=LEASE)
    watch = DoneWatch(create_app(settings))
    with serve_app(watch) as base:
        site = Site(base=base, http=admin_session(), repo=repo)
        site.api("POST", f"/repos/{SLUG}", json={"git_http_url": repo.url})
        yield site, watch


@pytest.fixture
def site(served: tuple[Site, DoneWatch]) -> Site:
    """The served site."""
    return served[0]


def _secret(site: Site, name: str, value: str) -> None:
    site.api("POST", f"/repos/{SLUG}/secrets", json={"name": name, "data": value})


@pytest.mark.parametrize("registry", ["basic-auth", "token-auth"])
def test_a_build_from_a_push_runs_to_success_with_a_private_image(
    site: Site, tmp_path: Path, testenv: LocalEnv, registry: str
) -> None:
    password = "pa55-w0rd-never-shown"
    _secret(site, "dockerconfig", testenv.docker_auth_config)
    _secret(site, "password", password)
    host = testenv.auth_registry if registry == "basic-auth" else testenv.token_registry
    access = testenv.registry_log("auth" if registry == "basic-auth" else "token")
    seen = access.stat().st_size
    hook = site.api("GET", f"/repos/{SLUG}/hook")
    install_push_hook(site.repo.bare, f"{site.base}/hook", hook["secret"], SLUG)
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1"):
        site.repo.commit({".drone.yml": PIPELINE.format(image=f"{host}/ci-test/remote-only:1")})
        pushed = site.repo.push("main")
        (listed,) = site.api("GET", f"/repos/{SLUG}/builds")
        assert listed["event"] == "push", pushed
        number = int(listed["number"])
        build = site.finished(number)
    assert build["status"] == "success", (build, log.read_text())
    (stage,) = build["stages"]
    assert stage["machine"] == "a1"
    steps = {step["name"]: step for step in stage["steps"]}
    assert [steps[name]["status"] for name in ("clone", "test")] == ["success", "success"]
    clone_log = site.log(number, 1, steps["clone"]["number"])
    assert "+ git init -q" in clone_log
    test_log = site.log(number, 1, steps["test"]["number"])
    assert test_log.splitlines() == [
        "+ cat file.txt",
        "checked out",
        '+ echo "the password is $PASSWORD"',
        "the password is ********",
        '+ for i in 1 2 3 4 5; do echo "line $i"; done',
        *(f"line {n}" for n in range(1, 6)),
    ]
    assert password not in log.read_text()
    testenv.settle_logs()
    with access.open("rb") as lines:
        lines.seek(seen)
        answered = lines.read().decode(errors="replace")
    # the secret's login reached this registry: it answered the image's manifest
    assert re.search(r'"(GET|HEAD) /v2/ci-test/remote-only/manifests/\S+ HTTP/1.1" 200', answered)


def test_cancel_kills_the_running_step_skips_the_next_and_reports_before_the_teardown(
    served: tuple[Site, DoneWatch], tmp_path: Path, testenv: LocalEnv
) -> None:
    site, watch = served
    site.use((SLEEPER + THEN).format(image=testenv.image))
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1") as agent:
        number = site.build()
        site.wait(number, lambda build: _step(build, "wait")["status"] == "running")
        site.wait(number, lambda _build: "started" in site.log(number, 1, 2))
        site.api("DELETE", f"/repos/{SLUG}/builds/{number}")
        build = site.wait(number, lambda build: build["stages"][0]["status"] == "killed")
        # the teardown still follows the report: nothing of the run is left
        deadline = time.monotonic() + 60
        while _resources(agent.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _resources(agent.pid) == [], log.read_text()
    steps = {name: _step(build, name)["status"] for name in ("clone", "wait", "after")}
    assert steps == {"clone": "success", "wait": "killed", "after": "skipped"}
    assert build["status"] == "killed"
    # when `done` reached the server, the stage's network was still there
    (owners,) = watch.seen
    assert str(agent.pid) in owners, log.read_text()


def test_a_failed_step_fails_the_stage_and_the_next_step_is_skipped_not_run(
    served: tuple[Site, DoneWatch], tmp_path: Path, testenv: LocalEnv
) -> None:
    site, watch = served
    failing = SLEEPER.replace("[echo started, sleep 300]", "[echo started, exit 3]")
    site.use((failing + THEN).format(image=testenv.image))
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1") as agent:
        build = site.finished(site.build())
    steps = {name: _step(build, name) for name in ("clone", "wait", "after")}
    assert [steps[name]["status"] for name in steps] == ["success", "failure", "skipped"]
    assert (steps["wait"]["exit_code"], build["status"]) == (3, "failure")
    # the report came before the teardown here too
    (owners,) = watch.seen
    assert str(agent.pid) in owners, log.read_text()


def test_cancel_during_the_clone_kills_git_and_the_stage(
    site: Site, tmp_path: Path, testenv: LocalEnv
) -> None:
    site.use((SLEEPER + THEN).format(image=testenv.image))
    log = tmp_path / "agent.log"
    with stalling_git(site.repo.bare.parent) as git:
        url = f"{git.url}/{site.repo.bare.name}"
        site.api("PATCH", f"/repos/{SLUG}", json={"git_http_url": url})
        number = site.build()  # the server reads the pipeline: the git server still answers
        git.stall.set()
        with agent_process(site.base, tmp_path / "state", log, "--name", "a1"):
            assert git.asked.wait(60), log.read_text()
            site.wait(number, lambda build: _step(build, "clone")["status"] == "running")
            site.api("DELETE", f"/repos/{SLUG}/builds/{number}")
            build = site.wait(number, lambda b: b["stages"][0]["status"] == "killed", 30.0)
            assert git.closed.wait(30), "git still holds its connection"
    assert _step(build, "clone")["status"] == "killed"
    # the steps after the clone never started: skipped, as Drone does
    assert [_step(build, name)["status"] for name in ("wait", "after")] == ["skipped", "skipped"]
    assert build["status"] == "killed"
    assert "+ git fetch" in site.log(number, 1, 1)


def test_a_killed_agent_errors_the_stage_and_cleans_up_when_back(
    site: Site, tmp_path: Path, testenv: LocalEnv
) -> None:
    site.use(SLEEPER.format(image=testenv.image))
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1") as agent:
        number = site.build()
        site.wait(number, lambda _build: "started" in site.log(number, 1, 2))
        agent.send_signal(signal.SIGKILL)
        agent.wait()
    left = _resources(agent.pid)
    assert left, "the killed agent's run should have left its containers"
    build = site.wait(number, lambda b: b["stages"][0]["status"] == "error", LEASE + 5.0)
    assert build["stages"][0]["error"].startswith("agent a1 stopped answering at ")
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1"):
        # The agent cleans up before it says it takes work (another run of `conveyor exec` on
        # this engine may have removed these resources first: both are the same cleanup).
        deadline = time.monotonic() + 60
        while log.read_text().count("takes work from") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _resources(agent.pid) == [], log.read_text()


def _resources(pid: int) -> list[str]:
    """Names of the containers, networks and volumes that process `pid` owned."""
    client = docker.from_env()
    try:
        label: dict[str, str | list[str] | bool] = {"label": f"conveyor.pid={pid}"}
        return [
            *(str(c.name) for c in client.containers.list(all=True, filters=label)),
            *(str(n.name) for n in client.networks.list(filters=label)),
            *(str(v.name) for v in client.volumes.list(filters=label)),
        ]
    finally:
        client.close()


def _step(build: dict[str, object], name: str) -> dict[str, object]:
    stages = build["stages"]
    assert isinstance(stages, list)
    for step in stages[0]["steps"]:
        if step["name"] == name:
            return dict(step)
    raise AssertionError(f"no step {name} in {build}")


def test_an_agent_with_the_wrong_secret_stops_with_the_servers_sentence(
    site: Site, tmp_path: Path
) -> None:
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, secret="wrong") as agent:
        code = agent.wait(timeout=60)
    assert code == 1
    last = log.read_text().splitlines()[-1]
    assert last.startswith(f"conveyor: error: the server at {site.base} refused: ")
    assert "wrong" not in last


def test_build_logs_follow_prints_the_lines_as_they_come(
    site: Site, tmp_path: Path, testenv: LocalEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    site.use(COUNTER.format(image=testenv.image, lines=20))
    log = tmp_path / "agent.log"
    with agent_process(site.base, tmp_path / "state", log, "--name", "a1"):
        number = site.build()
        site.wait(number, lambda build: _step(build, "count")["status"] == "running")
        capsys.readouterr()
        argv = ["build", "logs", SLUG, str(number), "1", "2", "--follow"]
        code = main([*argv, "--server", site.base, "--token", ADMIN_TOKEN])
        out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines()[1:] == [f"line {n}" for n in range(1, 21)]
