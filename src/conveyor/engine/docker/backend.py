"""The Docker backend of the `Engine` protocol, on the Docker SDK for Python.

Output is read by attaching before the start (no line is lost to log rotation, and a slow
reader slows the container rather than dropping data). It never decides pulls or masks
secrets; every object it creates carries the run's ownership labels.
"""

from __future__ import annotations

import contextlib
import math
import posixpath
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import docker
import docker.errors
import requests.exceptions
from docker.types import NetworkingConfig

from conveyor.engine import labels
from conveyor.engine.contract import (
    ContainerEnv,
    ImageInfo,
    Leftover,
    LogStream,
    PullProgress,
    PullResult,
    ResourceKind,
    RunSpec,
)
from conveyor.engine.docker import container_config as cfg
from conveyor.engine.docker.frames import FrameParser
from conveyor.engine.docker.teardown import remove_resources
from conveyor.engine.docker.workspace_archive import archive_directory
from conveyor.errors import ConfigError, EngineError
from conveyor.plan.model import MountKind, StepPlan

if TYPE_CHECKING:
    from conveyor.images.credentials import Credential
    from conveyor.images.reference import Reference

READ_SIZE = 256 * 1024


def connect() -> DockerEngine:
    """A backend on the engine named by DOCKER_HOST (API version negotiated).

    An engine that does not answer is a configuration error (exit 2), not a failed pipeline.
    """
    import os

    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        # Negotiating the API version asks the engine (GET /version): no ping is needed.
        client = docker.from_env()
    except docker.errors.DockerException as exc:
        raise ConfigError(
            f"cannot reach the Docker engine at {where}: {_connection_reason(exc)}",
            hint="start the Docker engine (in a Conveyor checkout: bash scripts/testenv/up.sh), "
            "or point DOCKER_HOST at "
            "a running engine",
        ) from None
    if client.api.base_url.startswith("http+docker://"):
        # A Unix socket has no proxy nor .netrc login: skip requests' search of the
        # environment for them at every call (a tcp:// engine keeps proxy settings).
        client.api.trust_env = False
    return DockerEngine(client)


def _connection_reason(exc: BaseException) -> str:
    text = _explain(exc)
    lowered = text.lower()
    for marker, reason in (
        ("filenotfounderror", "no such socket"),
        ("connectionrefusederror", "connection refused"),
        ("connection refused", "connection refused"),
        ("permissionerror", "permission denied on the socket"),
        ("name or service not known", "unknown host name"),
        ("name resolution", "unknown host name"),
        ("timed out", "timed out"),
    ):
        if marker in lowered:
            return reason
    return text


class DockerEngine:
    """Runs plans on one Docker engine; safe to call from several threads."""

    def __init__(self, client: docker.DockerClient) -> None:
        self._client = client
        self._api = client.api
        self._lock = threading.Lock()
        self._unseeded: set[str] = set()

    @property
    def client(self) -> docker.DockerClient:
        """The SDK client (benchmarks compare against it)."""
        return self._client

    def setup(self, run: RunSpec) -> None:
        """Network, workspace volume and the pipeline's own volumes, all labelled."""
        owned = labels.owner_labels(run.run_id, run.owner)
        name = cfg.network_name(run.run_id)
        with _engine_errors(f"cannot create network {name}"):
            self._api.create_network(name, driver="bridge", labels=owned)
            self._api.create_volume(cfg.volume_name(run.run_id, cfg.WORKSPACE), labels=owned)
            for volume in run.volumes:
                if volume.kind is MountKind.VOLUME:
                    self._api.create_volume(cfg.volume_name(run.run_id, volume.name), labels=owned)
        if run.workspace_source is not None:
            with self._lock:
                self._unseeded.add(run.run_id)

    def image_info(self, reference: str) -> ImageInfo | None:
        """The cached image, or None."""
        try:
            data = self._api.inspect_image(reference)  # type: ignore[no-untyped-call]
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.APIError as exc:
            if exc.status_code == 404:
                return None
            raise EngineError(f"cannot inspect image {reference}: {_explain(exc)}") from None
        return ImageInfo(image_id=data["Id"], repo_digests=tuple(data.get("RepoDigests") or ()))

    def pull(
        self,
        reference: Reference,
        candidates: Sequence[Credential],
        on_progress: Callable[[PullProgress], None] | None = None,
    ) -> PullResult:
        """engine.docker.pull.pull_image on this client."""
        from conveyor.engine.docker.pull import pull_image

        return pull_image(self._client, reference, candidates, on_progress=on_progress)

    def create(self, run: RunSpec, step: StepPlan, env: ContainerEnv) -> str:
        """Create the container on the run network, aliased by the step name; seed the workspace."""
        args = cfg.container_args(run, step, env)
        with _engine_errors(f"cannot create the container of step {step.name!r}"):
            host_config = self._api.create_host_config(**cfg.host_config_args(run, step))
            aliases = cfg.aliases_for(step)
            networking = None
            if aliases is not None:
                endpoint = self._api.create_endpoint_config(aliases=aliases)
                # types-docker says EndpointConfig; the SDK takes {network: EndpointConfig}.
                endpoints: Any = {cfg.network_name(run.run_id): endpoint}
                networking = NetworkingConfig(endpoints)
            created = self._api.create_container(
                host_config=host_config, networking_config=networking, **args
            )
        container: str = created["Id"]
        try:
            self._seed(run, container)
        except BaseException:
            self.remove(container)
            raise
        return container

    def _seed(self, run: RunSpec, container: str) -> None:
        # The lock makes every other create wait until the copy is done, so no step can
        # start on a half-filled workspace.
        if run.workspace_source is None:
            return
        with self._lock:
            if run.run_id not in self._unseeded:
                return
            inside = posixpath.relpath(run.workspace_path, run.workspace_mount)
            archive = archive_directory(
                run.workspace_source, "" if inside == "." else inside, run.workspace_exclude
            )
            with archive, _engine_errors("cannot copy the current directory into the workspace"):
                self._api.put_archive(container, run.workspace_mount, archive)
            self._unseeded.discard(run.run_id)

    def start(self, container: str) -> Iterator[tuple[LogStream, bytes]]:
        """Attach, then start; the returned output must be read to its end."""
        params = {"stdout": 1, "stderr": 1, "stream": 1, "logs": 0}
        with _engine_errors("cannot attach to the container"):
            attached = self._api.attach_socket(container, params=params)
        raw: socket.socket = getattr(attached, "_sock", attached)
        try:
            with _engine_errors("cannot start the container"):
                self._api.start(container)
        except EngineError as exc:
            raw.close()
            raise EngineError(_start_failure(exc.message)) from None
        except BaseException:
            raw.close()
            raise
        raw.settimeout(None)
        return _read_output(raw)

    def wait(self, container: str, timeout: float | None = None) -> int | None:
        """Exit code; None when `timeout` passes first."""
        try:
            limit = None if timeout is None else max(1, math.ceil(timeout))
            result = self._api.wait(container, timeout=limit)
        except (requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError):
            return None
        except docker.errors.APIError as exc:
            raise EngineError(f"cannot wait for the container: {_explain(exc)}") from None
        return int(result.get("StatusCode", -1))

    def stop(self, container: str, grace: float = 2.0) -> None:
        """SIGTERM, SIGKILL after `grace` seconds; a gone container is fine."""
        with contextlib.suppress(docker.errors.DockerException, requests.RequestException):
            self._api.stop(container, timeout=max(0, math.ceil(grace)))

    def remove(self, container: str) -> None:
        """Forced removal; a gone container is fine."""
        with contextlib.suppress(docker.errors.NotFound):
            self._remove_container(container)

    def destroy(self, run: RunSpec) -> list[str]:
        """Remove the run's containers (by label, so none escapes), network and volumes.

        The network and volumes are the ones `setup` names, removed by name without listing
        them (an absent one is fine); only containers can exist that the run did not track.
        """
        with self._lock:
            self._unseeded.discard(run.run_id)
        found = self._labelled_containers({"label": [f"{labels.RUN}={run.run_id}"]})
        network = cfg.network_name(run.run_id)
        found.append(_own(ResourceKind.NETWORK, network, run.run_id))
        names = [cfg.WORKSPACE, *(v.name for v in run.volumes if v.kind is MountKind.VOLUME)]
        for name in names:
            found.append(_own(ResourceKind.VOLUME, cfg.volume_name(run.run_id, name), run.run_id))
        return self.remove_leftovers(found)

    def leftovers(self) -> list[Leftover]:
        """Every Conveyor-labelled container, network and volume on this engine."""
        return self._labelled(labels.RUN)

    def remove_leftovers(self, leftovers: Sequence[Leftover]) -> list[str]:
        """Containers first (they hold the network and volumes), then networks, then volumes;
        busy containers are waited for (engine/docker/teardown.py)."""
        return [
            f"could not remove {item.kind} {item.name}: {_explain(exc)}"
            for item, exc in remove_resources(self._api, leftovers)
        ]

    def _remove_container(self, ident: str) -> None:
        self._api.remove_container(ident, force=True, v=True)

    def _labelled_containers(self, filters: dict[str, list[str]]) -> list[Leftover]:
        found: list[Leftover] = []
        with _engine_errors("cannot list the engine's labelled resources"):
            for data in self._api.containers(all=True, filters=filters):
                name = (data.get("Names") or [data["Id"]])[0].lstrip("/")
                found.append(_leftover(ResourceKind.CONTAINER, data["Id"], name, data["Labels"]))
        return found

    def _labelled(self, label: str) -> list[Leftover]:
        filters = {"label": [label]}
        found = self._labelled_containers(filters)
        with _engine_errors("cannot list the engine's labelled resources"):
            for data in self._api.networks(filters=filters):
                found.append(
                    _leftover(ResourceKind.NETWORK, data["Id"], data["Name"], data["Labels"])
                )
            volumes = self._api.volumes(filters=filters).get("Volumes") or []
            for data in volumes:
                found.append(
                    _leftover(ResourceKind.VOLUME, data["Name"], data["Name"], data["Labels"])
                )
        return found


def _leftover(kind: ResourceKind, ident: str, name: str, tags: dict[str, str] | None) -> Leftover:
    tags = tags or {}
    return Leftover(
        kind=kind,
        ident=ident,
        name=name,
        run_id=tags.get(labels.RUN, ""),
        owner_alive=labels.owner_alive(tags),
    )


def _own(kind: ResourceKind, name: str, run_id: str) -> Leftover:
    """A resource of this process's run, known by name."""
    return Leftover(kind=kind, ident=name, name=name, run_id=run_id, owner_alive=True)


def _read_output(raw: socket.socket) -> Iterator[tuple[LogStream, bytes]]:
    parser = FrameParser()
    try:
        while True:
            try:
                data = raw.recv(READ_SIZE)
            except OSError:
                return
            if not data:
                return
            yield from parser.feed(data)
    finally:
        raw.close()


@contextlib.contextmanager
def _engine_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except docker.errors.DockerException as exc:
        raise EngineError(f"{doing}: {_explain(exc)}") from None
    except requests.RequestException as exc:
        raise EngineError(f"{doing}: {_explain(exc)}") from None


_MISSING_EXECUTABLE = re.compile(
    r'exec: "([^"]+)": (?:stat [^:]+: no such file or directory|executable file not found)'
)


def _start_failure(message: str) -> str:
    """Docker's OCI runtime error for a missing program, said the way a user can act on."""
    match = _MISSING_EXECUTABLE.search(message)
    if match is None:
        return message
    return (
        f"cannot start the container: the image has no executable {match.group(1)!r} "
        "(its entrypoint or command); a step with `commands` needs /bin/sh in its image"
    )


def _explain(exc: BaseException) -> str:
    explanation: Any = getattr(exc, "explanation", None)
    text = str(explanation or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
