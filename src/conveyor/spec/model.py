"""Typed model of a Drone pipeline file, exactly as the user wrote it.

Values are kept raw where their validation is a lint rule (for example `pull` stays a
string so an unknown policy can be reported with its position). Every object keeps the
`Span` of its mapping and, in `spans`, the span of each field's value keyed by a
relative path (`"image"`, `"depends_on[1]"`, `"environment.GOOS"`). No I/O here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from conveyor.source import Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Base for spec objects: where the object is, and where each of its fields is."""

    span: Span
    spans: Mapping[str, Span] = field(default_factory=dict, repr=False, compare=False)

    def span_of(self, path: str) -> Span:
        """The span of a field path such as `depends_on[1]`, falling back to its parents."""
        probe = path
        while probe:
            found = self.spans.get(probe)
            if found is not None:
                return found
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.span


@dataclass(frozen=True, slots=True, kw_only=True)
class FromSecret:
    """`{from_secret: NAME}`: a value that the runner fills from a secret at run time."""

    name: str


EnvValue = str | FromSecret
"""An environment value: YAML scalars become strings (`true` -> "true", `1` -> "1")."""

SettingValue = (
    str
    | int
    | float
    | bool
    | None
    | FromSecret
    | tuple["SettingValue", ...]
    | Mapping[str, "SettingValue"]
)
"""A plugin setting: any YAML value, or `from_secret`. Becomes `PLUGIN_<NAME>` env."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraint:
    """Include/exclude glob lists of one `when`/`trigger` key (empty include: anything)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditions(Node):
    """`when:` of a step or `trigger:` of a pipeline; an absent key matches everything."""

    branch: Constraint = Constraint()
    event: Constraint = Constraint()
    ref: Constraint = Constraint()
    repo: Constraint = Constraint()
    instance: Constraint = Constraint()
    target: Constraint = Constraint()
    cron: Constraint = Constraint()
    action: Constraint = Constraint()
    status: Constraint = Constraint()


@dataclass(frozen=True, slots=True, kw_only=True)
class VolumeMount(Node):
    """A step's `volumes:` entry: mount pipeline volume `name` at `path`."""

    name: str
    path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Device(Node):
    """A step's `devices:` entry (trusted only): host device `name` at `path`."""

    name: str
    path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Step(Node):
    """One entry of `steps:` or `services:`."""

    name: str
    image: str | None = None
    pull: str | None = None
    commands: tuple[str, ...] = ()
    entrypoint: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    environment: Mapping[str, EnvValue] = field(default_factory=dict)
    settings: Mapping[str, SettingValue] = field(default_factory=dict)
    when: Conditions | None = None
    depends_on: tuple[str, ...] = ()
    failure: str | None = None
    detach: bool = False
    privileged: bool = False
    volumes: tuple[VolumeMount, ...] = ()
    working_dir: str | None = None
    user: str | None = None
    shm_size: int | None = None
    network_mode: str | None = None
    dns: tuple[str, ...] = ()
    dns_search: tuple[str, ...] = ()
    extra_hosts: tuple[str, ...] = ()
    devices: tuple[Device, ...] = ()
    cpu_limit: float | None = None
    mem_limit: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HostVolume:
    """`host: {path: ...}` of a pipeline volume (trusted only)."""

    path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TempVolume:
    """`temp: {}` of a pipeline volume; `medium: memory` is a tmpfs (trusted only)."""

    medium: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineVolume(Node):
    """A pipeline's `volumes:` entry: exactly one of `host` or `temp`."""

    name: str
    host: HostVolume | None = None
    temp: TempVolume | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Platform:
    """`platform:` of a pipeline."""

    os: str = "linux"
    arch: str = "amd64"
    variant: str | None = None
    version: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Workspace:
    """`workspace:` of a pipeline; `path` is where the workspace volume is mounted."""

    path: str | None = None
    base: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Clone:
    """`clone:` of a pipeline."""

    disable: bool = False
    depth: int | None = None
    retries: int | None = None
    skip_verify: bool = False
    trace: bool = False


DOCKER = "docker"
"""The pipeline type Conveyor runs; other types (kubernetes, exec, vm...) are other runners'."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pipeline(Node):
    """A `kind: pipeline` document (`type: docker`, the default).

    A pipeline of another type keeps only what the server needs to queue it for a runner of
    that type (name, type, platform, trigger, depends_on, node); its steps are not read.
    """

    name: str = "default"
    type: str = DOCKER
    pull: str | None = None
    """Beyond Drone: a default pull policy for every step of this pipeline."""
    platform: Platform | None = None
    workspace: Workspace | None = None
    clone: Clone | None = None
    steps: tuple[Step, ...] = ()
    services: tuple[Step, ...] = ()
    volumes: tuple[PipelineVolume, ...] = ()
    environment: Mapping[str, EnvValue] = field(default_factory=dict)
    image_pull_secrets: tuple[str, ...] = ()
    trigger: Conditions | None = None
    depends_on: tuple[str, ...] = ()
    node: Mapping[str, str] = field(default_factory=dict)
    concurrency_limit: int | None = None

    @property
    def is_docker(self) -> bool:
        """True for the pipelines Conveyor runs (`type: docker`)."""
        return self.type == DOCKER


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretDoc(Node):
    """A `kind: secret` document: an external secret (`get`) or encrypted `data`."""

    name: str
    get_path: str | None = None
    get_name: str | None = None
    data: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class SignatureDoc(Node):
    """A `kind: signature` document (`hmac:`)."""

    hmac: str = field(repr=False)


Document = Pipeline | SecretDoc | SignatureDoc


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigFile:
    """Every document of one file, in file order."""

    path: str
    documents: tuple[Document, ...]

    @property
    def pipelines(self) -> tuple[Pipeline, ...]:
        """The pipeline documents, in file order."""
        return tuple(d for d in self.documents if isinstance(d, Pipeline))

    @property
    def docker_pipelines(self) -> tuple[Pipeline, ...]:
        """The pipelines Conveyor runs and checks, in file order."""
        return tuple(d for d in self.pipelines if d.is_docker)
