"""The stage a server hands an agent (`Assignment`): repository, build, steps, clone, job."""

from __future__ import annotations

from dataclasses import dataclass, field

from conveyor.rpc.fields import Fields, ProtocolError

BUILD_KEYS = (
    "number", "event", "ref", "branch", "commit", "before", "source", "target", "message",
    "author", "link", "trusted",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class RepoRef:
    """The repository the stage checks out."""

    slug: str
    git_http_url: str

    def to_data(self) -> dict[str, object]:
        return {"slug": self.slug, "git_http_url": self.git_http_url}

    @staticmethod
    def from_data(data: object, where: str) -> RepoRef:
        fields = Fields(data, where, frozenset({"slug", "git_http_url"}))
        return RepoRef(slug=fields.text("slug"), git_http_url=fields.text("git_http_url"))


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildRef:
    """The build's values, as Drone names them."""

    number: int
    event: str
    ref: str = ""
    branch: str = ""
    commit: str = ""
    before: str = ""
    source: str = ""
    target: str = ""
    message: str = ""
    author: str = ""
    link: str = ""
    trusted: bool = False

    def to_data(self) -> dict[str, object]:
        return {key: getattr(self, key) for key in BUILD_KEYS}

    @staticmethod
    def from_data(data: object, where: str) -> BuildRef:
        fields = Fields(data, where, frozenset(BUILD_KEYS))
        words = {key: fields.text(key, "") for key in BUILD_KEYS[2:-1]}
        return BuildRef(
            number=fields.integer("number"),
            event=fields.text("event"),
            trusted=fields.boolean("trusted", False),
            **words,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StepRef:
    """A step's number (1-based, clone first) and name."""

    number: int
    name: str

    def to_data(self) -> dict[str, object]:
        return {"number": self.number, "name": self.name}

    @staticmethod
    def from_data(data: object, where: str) -> StepRef:
        fields = Fields(data, where, frozenset({"number", "name"}))
        return StepRef(number=fields.integer("number"), name=fields.text("name"))


@dataclass(frozen=True, slots=True, kw_only=True)
class CloneOptions:
    """The pipeline's `clone:` section: skip it, shallow depth, TLS verification."""

    disable: bool = False
    depth: int | None = None
    skip_verify: bool = False

    def to_data(self) -> dict[str, object]:
        return {"disable": self.disable, "depth": self.depth, "skip_verify": self.skip_verify}

    @staticmethod
    def from_data(data: object, where: str) -> CloneOptions:
        fields = Fields(data, where, frozenset({"disable", "depth", "skip_verify"}))
        depth = fields.optional_integer("depth")
        if depth is not None and depth < 0:
            raise ProtocolError(f"{fields.path('depth')} must not be negative.")
        return CloneOptions(
            disable=fields.boolean("disable", False),
            depth=depth,
            skip_verify=fields.boolean("skip_verify", False),
        )


_KEYS = frozenset(
    {"stage_id", "build_id", "repo", "build", "stage", "steps", "clone", "lease_seconds", "job"}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """200 answer of /stages/request. `job` is runner/job_codec.py's dict (holds secrets)."""

    stage_id: int
    build_id: int
    repo: RepoRef
    build: BuildRef
    stage: StepRef
    steps: tuple[StepRef, ...]
    clone: CloneOptions = field(default_factory=CloneOptions)
    lease_seconds: float = 30.0
    job: dict[str, object] = field(default_factory=dict, repr=False)

    def to_data(self) -> dict[str, object]:
        return {
            "stage_id": self.stage_id,
            "build_id": self.build_id,
            "repo": self.repo.to_data(),
            "build": self.build.to_data(),
            "stage": self.stage.to_data(),
            "steps": [step.to_data() for step in self.steps],
            "clone": self.clone.to_data(),
            "lease_seconds": self.lease_seconds,
            "job": self.job,
        }

    @staticmethod
    def from_data(data: object, where: str = "stage") -> Assignment:
        fields = Fields(data, where, _KEYS)
        steps = fields.items("steps")
        job = fields.raw("job")
        if not isinstance(job, dict):
            raise ProtocolError(f"{fields.path('job')} must be a JSON object.")
        return Assignment(
            stage_id=fields.integer("stage_id"),
            build_id=fields.integer("build_id"),
            repo=RepoRef.from_data(fields.raw("repo"), fields.path("repo")),
            build=BuildRef.from_data(fields.raw("build"), fields.path("build")),
            stage=StepRef.from_data(fields.raw("stage"), fields.path("stage")),
            steps=tuple(
                StepRef.from_data(s, f"{fields.path('steps')}[{i}]") for i, s in enumerate(steps)
            ),
            clone=CloneOptions.from_data(fields.get("clone", {}), fields.path("clone")),
            lease_seconds=fields.number("lease_seconds", 30.0),
            job={str(key): value for key, value in job.items()},
        )
