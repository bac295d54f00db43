"""pull_image logic with a scripted stand-in for the Docker API (no engine needed).

Integration tests against the real engine and registries are in test_pull_docker.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import docker
import pytest
import requests

from conveyor.engine.contract import PullProgress
from conveyor.engine.docker.pull import FailureKind, classify, pull_image
from conveyor.errors import PullError
from conveyor.images.credentials import Credential
from conveyor.images.reference import parse_reference

REF = parse_reference("gcr.io/project/app:1")
DIGEST = "sha256:" + "b" * 64


def api_error(status: int, text: str) -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    return docker.errors.APIError(text, response=response, explanation=text)


OK_EVENTS: list[dict[str, Any]] = [
    {"status": "Pulling from project/app", "id": "1"},
    {"status": "Downloading", "progressDetail": {"current": 10, "total": 100}, "id": "abc"},
    {"status": "Pull complete", "progressDetail": {}, "id": "abc"},
    {"status": f"Digest: {DIGEST}"},
    {"status": "Status: Downloaded newer image for gcr.io/project/app:1"},
]


@dataclass
class FakeAPI:
    """Each pull() call takes the next script step: an exception, or a list of events."""

    script: list[Any]
    calls: list[dict[str, Any]] = field(default_factory=list)
    inspected: list[str] = field(default_factory=list)

    def pull(self, repository: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append({"repository": repository, **kwargs})
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return iter(step)

    def inspect_image(self, name: str) -> dict[str, str]:
        self.inspected.append(name)
        return {"Id": "sha256:imageid"}


@dataclass
class FakeClient:
    api: FakeAPI


def client(*script: Any) -> FakeClient:
    return FakeClient(api=FakeAPI(script=list(script)))


def cred(user: str, key: str = "gcr.io", source: str = "secret dockerconfig") -> Credential:
    return Credential(
        registry="gcr.io", username=user, password=f"pw-{user}", source=source, key=key
    )


def run(fake: FakeClient, *candidates: Credential, **kwargs: Any) -> Any:
    sleeps: list[float] = kwargs.pop("sleeps", [])
    return pull_image(
        cast(docker.DockerClient, fake), REF, list(candidates), sleep=sleeps.append, **kwargs
    )


def test_anonymous_pull_sends_an_empty_auth_config_and_reports_progress() -> None:
    fake = client(OK_EVENTS)
    seen: list[PullProgress] = []
    result = run(fake, on_progress=seen.append)
    assert fake.api.calls == [
        {
            "repository": "gcr.io/project/app",
            "tag": "1",
            "stream": True,
            "decode": True,
            "auth_config": {},
        }
    ]
    assert result.digest == DIGEST
    assert result.image_id == "sha256:imageid"
    assert result.credential is None
    assert result.attempts == 1
    assert result.reference == "gcr.io/project/app:1"
    assert seen[1] == PullProgress(layer="abc", status="Downloading", current=10, total=100)
    assert seen[2].current is None


def test_digest_reference_passes_the_digest_as_tag() -> None:
    ref = parse_reference(f"gcr.io/project/app:1@{DIGEST}")
    fake = client(OK_EVENTS)
    pull_image(cast(docker.DockerClient, fake), ref, [])
    assert fake.api.calls[0]["tag"] == DIGEST
    assert fake.api.inspected == [f"gcr.io/project/app@{DIGEST}"]


@pytest.mark.parametrize(
    "failure",
    [
        api_error(500, "unauthorized: authentication required"),
        api_error(401, "whatever"),
        api_error(
            500, 'Head "http://x/v2/a/manifests/1": unauthorized: invalid username or password'
        ),
        api_error(
            404, "pull access denied for x, repository does not exist or may require 'docker login'"
        ),
    ],
)
def test_auth_failure_moves_to_the_next_candidate_without_retrying(
    failure: docker.errors.APIError,
) -> None:
    fake = client(failure, OK_EVENTS)
    sleeps: list[float] = []
    result = run(fake, cred("stale", "https://gcr.io"), cred("fresh"), sleeps=sleeps)
    assert result.credential is not None
    assert result.credential.username == "fresh"
    assert result.attempts == 2
    assert sleeps == []
    assert [c["auth_config"]["username"] for c in fake.api.calls] == ["stale", "fresh"]


def test_gcr_duplicate_keys_never_fail_intermittently() -> None:
    """Whatever the first candidate, a good second one always wins: 50 runs, 50 successes."""
    for _ in range(50):
        fake = client(
            api_error(500, "unauthorized: You don't have the needed permissions"), OK_EVENTS
        )
        assert run(fake, cred("a", "https://gcr.io"), cred("b")).credential.username == "b"


def test_every_candidate_refused_names_count_and_sources_not_values() -> None:
    denied = api_error(500, "unauthorized: authentication required")
    fake = client(denied, denied)
    with pytest.raises(PullError) as caught:
        run(fake, cred("a", "https://gcr.io"), cred("b", source="/etc/docker/config.json"))
    message = caught.value.message
    assert message.startswith("cannot pull gcr.io/project/app:1 from gcr.io (2 credentials tried: ")
    assert "secret dockerconfig key 'https://gcr.io'" in message
    assert "/etc/docker/config.json key 'gcr.io'" in message
    assert "pw-a" not in message
    assert "pw-b" not in message
    assert caught.value.hint is not None
    assert "refused every credential" in caught.value.hint


def test_refusal_never_shows_user_info_of_a_key() -> None:
    denied = api_error(500, "unauthorized: authentication required")
    with pytest.raises(PullError) as caught:
        run(client(denied), cred("a", "https://a:key-password@gcr.io/v1/"))
    assert "key-password" not in caught.value.render()
    assert "key 'https://gcr.io/v1/'" in caught.value.message


def test_anonymous_refusal_suggests_image_pull_secrets() -> None:
    fake = client(api_error(500, 'Head "http://x": no basic auth credentials'))
    with pytest.raises(PullError) as caught:
        run(fake)
    assert "no credentials were used" in caught.value.message
    assert caught.value.hint is not None
    assert "image_pull_secrets" in caught.value.hint


def test_not_found_is_not_retried_and_not_tried_with_other_credentials() -> None:
    fake = client(api_error(404, "manifest for x not found: manifest unknown"), OK_EVENTS)
    with pytest.raises(PullError, match="manifest unknown"):
        run(fake, cred("a"), cred("b"))
    assert len(fake.api.calls) == 1


def test_transient_failures_are_retried_with_growing_backoff() -> None:
    fake = client(
        api_error(500, "dial tcp 127.0.0.1:5009: connect: connection refused"),
        api_error(429, "toomanyrequests"),
        api_error(503, "Service Unavailable"),
        OK_EVENTS,
    )
    sleeps: list[float] = []
    result = run(fake, cred("a"), sleeps=sleeps)
    assert result.attempts == 4
    assert sleeps == [1.0, 2.0, 4.0]


def test_transient_failures_give_up_after_the_retries() -> None:
    refused = api_error(500, "connect: connection refused")
    fake = client(refused, refused, refused)
    sleeps: list[float] = []
    with pytest.raises(PullError, match="connection refused") as caught:
        run(fake, cred("a"), cred("b"), retries=2, sleeps=sleeps)
    assert len(fake.api.calls) == 3  # the same candidate; the next one would not help
    assert sleeps == [1.0, 2.0]
    assert caught.value.hint is not None
    assert "try again later" in caught.value.hint


def test_engine_connection_errors_are_transient() -> None:
    fake = client(requests.ConnectionError("boom"), OK_EVENTS)
    assert run(fake).attempts == 2


def test_error_event_in_the_stream_is_a_failure() -> None:
    broken = [
        {"status": "Downloading", "id": "abc"},
        {"errorDetail": {"message": "unexpected EOF"}, "error": "unexpected EOF"},
    ]
    fake = client(broken, broken, broken, broken)
    with pytest.raises(PullError, match="unexpected EOF"):
        run(fake)
    assert len(fake.api.calls) == 4


def test_error_event_saying_unauthorized_moves_to_next_candidate() -> None:
    fake = client([{"error": "unauthorized: authentication required"}], OK_EVENTS)
    assert run(fake, cred("a"), cred("b")).credential.username == "b"


def test_time_limit_stops_a_hanging_pull() -> None:
    release = threading.Event()

    def hanging() -> Iterator[dict[str, Any]]:
        yield {"status": "Pulling from project/app"}
        release.wait(10)

    fake = client(hanging())
    try:
        with pytest.raises(PullError, match="time limit"):
            run(fake, timeout=0.3)
    finally:
        release.set()


def test_no_retry_pause_beyond_the_time_limit() -> None:
    fake = client(api_error(503, "Service Unavailable"), OK_EVENTS)
    with pytest.raises(PullError, match="gave up before the time limit"):
        run(fake, timeout=0.5)


# status, message, kind
# fmt: off
CLASSIFY = [
    (500, "unauthorized: authentication required", FailureKind.AUTH),
    (500, 'Head "http://127.0.0.1:5001/v2/x/manifests/1": no basic auth credentials',
     FailureKind.AUTH),
    (404, "pull access denied for x, repository does not exist or may require 'docker login': "
          "denied: requested access to the resource is denied", FailureKind.AUTH),
    (403, "", FailureKind.AUTH),
    (500, "unauthorized: You don't have the needed permissions to perform this operation",
     FailureKind.AUTH),
    (404, "manifest for x:1 not found: manifest unknown: manifest unknown", FailureKind.NOT_FOUND),
    (500, "Get \"http://127.0.0.1:5009/v2/\": dial tcp: connect: connection refused",
     FailureKind.TRANSIENT),
    (500, "proxyconnect tcp: dial tcp 127.0.0.1:9: connect: connection refused",
     FailureKind.TRANSIENT),
    (429, "", FailureKind.TRANSIENT),
    (502, "", FailureKind.TRANSIENT),
    (500, "something odd", FailureKind.TRANSIENT),
    (None, "net/http: TLS handshake timeout", FailureKind.TRANSIENT),
    (400, "invalid reference format", FailureKind.FATAL),
    (None, "no space left on device", FailureKind.FATAL),
]
# fmt: on


@pytest.mark.parametrize(("status", "message", "kind"), CLASSIFY)
def test_classify(status: int | None, message: str, kind: FailureKind) -> None:
    assert classify(status, message) is kind


# image, status, message, kind: words in the image's own name never decide the class
# fmt: off
CLASSIFY_NAMED = [
    ("127.0.0.1:5000/ci-test/denied-app:1", 404,
     "manifest for 127.0.0.1:5000/ci-test/denied-app:1 not found: manifest unknown: "
     "manifest unknown", FailureKind.NOT_FOUND),
    ("127.0.0.1:5000/team/not-found-page:1", 500,
     'Get "http://127.0.0.1:5000/v2/team/not-found-page/manifests/1": dial tcp: connect: '
     "connection refused", FailureKind.TRANSIENT),
    ("forbidden/timeout:2", 404, "manifest for forbidden/timeout:2 not found: manifest unknown",
     FailureKind.NOT_FOUND),
    ("127.0.0.1:5000/app:denied", 404,
     "manifest for 127.0.0.1:5000/app:denied not found: manifest unknown", FailureKind.NOT_FOUND),
    ("unauthorized", 500, "pull access denied for unauthorized, repository does not exist or "
     "may require 'docker login'", FailureKind.AUTH),
    ("denied.example.com/app:1", 500,
     'Head "https://denied.example.com/v2/app/manifests/1": unauthorized: authentication required',
     FailureKind.AUTH),
    ("denied.example.com/app:1", 500,
     'Get "https://denied.example.com/v2/": dial tcp: lookup denied.example.com: no such host',
     FailureKind.TRANSIENT),
]
# fmt: on


@pytest.mark.parametrize(("image", "status", "message", "kind"), CLASSIFY_NAMED)
def test_classify_ignores_the_image_name(
    image: str, status: int, message: str, kind: FailureKind
) -> None:
    assert classify(status, message, parse_reference(image)) is kind


def test_not_found_image_whose_name_says_denied_tries_no_other_credential() -> None:
    ref = parse_reference("127.0.0.1:5000/ci-test/denied-app:1")
    gone = api_error(
        404,
        "manifest for 127.0.0.1:5000/ci-test/denied-app:1 not found: "
        "manifest unknown: manifest unknown",
    )
    fake = client(gone, OK_EVENTS)
    with pytest.raises(PullError) as caught:
        pull_image(cast(docker.DockerClient, fake), ref, [cred("a"), cred("b")], sleep=print)
    assert len(fake.api.calls) == 1
    assert caught.value.hint is not None
    assert "check the image name" in caught.value.hint
