"""SQLAlchemy 2 typed models of the server's tables (Drone's columns where Drone has them).

Times are Unix seconds. Secret values (and webhook secrets) are stored only as ciphertext
(`server/crypto.py`); no other column ever holds a value. Schema changes need a migration.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """The declarative base of every table; constraints get stable names for migrations."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Meta(Base):
    """Server-wide facts, e.g. the secret key's check value."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class User(Base):
    """A person or a machine account; the token is kept only as its SHA-256."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(250), unique=True)
    email: Mapped[str] = mapped_column(String(500), default="")
    avatar: Mapped[str] = mapped_column(String(2000), default="")
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    machine: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    last_login: Mapped[int] = mapped_column(BigInteger, default=0)


class WebSession(Base):
    """A signed-in browser: the cookie holds the user id and a nonce kept here only as its
    SHA-256; signing out deletes the row."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[int] = mapped_column(BigInteger)
    expires: Mapped[int] = mapped_column(BigInteger)


class Repo(Base):
    """A repository the server builds; `hook_secret` is the encrypted webhook secret."""

    __tablename__ = "repos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    namespace: Mapped[str] = mapped_column(String(250))
    name: Mapped[str] = mapped_column(String(250))
    slug: Mapped[str] = mapped_column(String(501), unique=True)
    git_http_url: Mapped[str] = mapped_column(String(2000))
    default_branch: Mapped[str] = mapped_column(String(250))
    visibility: Mapped[str] = mapped_column(String(20), default="private")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    config_path: Mapped[str] = mapped_column(String(500), default=".drone.yml")
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    timeout: Mapped[int] = mapped_column(Integer, default=60)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    image_cache_mode: Mapped[str] = mapped_column(String(20), default="verify")
    hook_secret: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Perm(Base):
    """What one user may do with one repository (collaborators)."""

    __tablename__ = "perms"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    repo_id: Mapped[int] = mapped_column(
        ForeignKey("repos.id", ondelete="CASCADE"), primary_key=True
    )
    read: Mapped[bool] = mapped_column(Boolean, default=True)
    write: Mapped[bool] = mapped_column(Boolean, default=False)
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)


class Secret(Base):
    """A repository (`repo:owner/name`) or organisation (`org:ORG`) secret; `data` is ciphertext."""

    __tablename__ = "secrets"
    __table_args__ = (UniqueConstraint("scope", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(520))
    repo_id: Mapped[int | None] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    namespace: Mapped[str | None] = mapped_column(String(250), default=None)
    name: Mapped[str] = mapped_column(String(500))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    pull_request: Mapped[bool] = mapped_column(Boolean, default=False)
    pull_request_push: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)


class Build(Base):
    """One build of a repository; `number` counts per repository (repos.counter)."""

    __tablename__ = "builds"
    __table_args__ = (
        UniqueConstraint("repo_id", "number"),
        Index("ix_builds_repo_status", "repo_id", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    parent: Mapped[int] = mapped_column(Integer, default=0)
    trigger: Mapped[str] = mapped_column(String(250), default="")
    status: Mapped[str] = mapped_column(String(50))
    error: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(50), default="")
    link: Mapped[str] = mapped_column(String(2000), default="")
    timestamp: Mapped[int] = mapped_column(BigInteger, default=0)
    title: Mapped[str] = mapped_column(String(2000), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(String(250), default="")
    after: Mapped[str] = mapped_column(String(250), default="")
    ref: Mapped[str] = mapped_column(String(500), default="")
    source_repo: Mapped[str] = mapped_column(String(250), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    target: Mapped[str] = mapped_column(String(500), default="")
    author_login: Mapped[str] = mapped_column(String(250), default="")
    author_name: Mapped[str] = mapped_column(String(250), default="")
    author_email: Mapped[str] = mapped_column(String(500), default="")
    author_avatar: Mapped[str] = mapped_column(String(2000), default="")
    sender: Mapped[str] = mapped_column(String(250), default="")
    params: Mapped[str] = mapped_column(Text, default="{}")
    """JSON object of the build's parameters (query parameters of a custom build)."""
    started: Mapped[int] = mapped_column(BigInteger, default=0)
    finished: Mapped[int] = mapped_column(BigInteger, default=0)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Stage(Base):
    """One pipeline of a build: what an agent claims from the queue."""

    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("build_id", "number"),
        Index("ix_stages_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    build_id: Mapped[int] = mapped_column(ForeignKey("builds.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250))
    kind: Mapped[str] = mapped_column(String(50), default="pipeline")
    type: Mapped[str] = mapped_column(String(50), default="docker")
    status: Mapped[str] = mapped_column(String(50))
    error: Mapped[str] = mapped_column(Text, default="")
    errignore: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_code: Mapped[int] = mapped_column(Integer, default=0)
    machine: Mapped[str] = mapped_column(String(250), default="")
    os: Mapped[str] = mapped_column(String(50), default="linux")
    arch: Mapped[str] = mapped_column(String(50), default="amd64")
    variant: Mapped[str] = mapped_column(String(50), default="")
    kernel: Mapped[str] = mapped_column(String(50), default="")
    limit: Mapped[int] = mapped_column(Integer, default=0)
    on_success: Mapped[bool] = mapped_column(Boolean, default=True)
    on_failure: Mapped[bool] = mapped_column(Boolean, default=False)
    depends_on: Mapped[str] = mapped_column(Text, default="[]")
    labels: Mapped[str] = mapped_column(Text, default="{}")
    plan_json: Mapped[str | None] = mapped_column(Text, default=None)
    secret_names: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of every secret the stage's plan names (what may leave the server for it)."""
    registry_secrets: Mapped[str] = mapped_column(Text, default="[]")
    """JSON list of the plan's `image_pull_secrets` (values must be Docker config.json)."""
    started: Mapped[int] = mapped_column(BigInteger, default=0)
    stopped: Mapped[int] = mapped_column(BigInteger, default=0)
    created: Mapped[int] = mapped_column(BigInteger)
    updated: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, default=1)
    clone_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    """JSON of the pipeline's `clone:` (disable, depth, skip_verify) as the agent receives it."""
    lease_until: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    """While running: when the stage is `error` unless its agent is heard from again."""
    contact: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    """When the stage's agent was last heard from about it."""
    cancel: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    """Set by a cancel while the stage runs; the next heartbeat answers it to the agent."""


class Agent(Base):
    """An agent as it last described itself; `running` is a JSON list of stage ids."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(250), unique=True)
    os: Mapped[str] = mapped_column(String(50), default="")
    arch: Mapped[str] = mapped_column(String(50), default="")
    labels: Mapped[str] = mapped_column(Text, default="{}")
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    running: Mapped[str] = mapped_column(Text, default="[]")
    types: Mapped[str] = mapped_column(Text, default='["docker"]')
    version: Mapped[str] = mapped_column(String(100), default="")
    contact: Mapped[float] = mapped_column(Float, default=0.0)
    created: Mapped[int] = mapped_column(BigInteger)


class Step(Base):
    """One step of a stage (from the stage's plan)."""

    __tablename__ = "steps"
    __table_args__ = (UniqueConstraint("stage_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(50))
    error: Mapped[str] = mapped_column(Text, default="")
    errignore: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_code: Mapped[int] = mapped_column(Integer, default=0)
    image: Mapped[str] = mapped_column(String(2000), default="")
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    depends_on: Mapped[str] = mapped_column(Text, default="[]")
    started: Mapped[int] = mapped_column(BigInteger, default=0)
    stopped: Mapped[int] = mapped_column(BigInteger, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class LogChunk(Base):
    """Lines of a step at positions `pos` to `last` (`count` of them): `outs` holds their texts
    joined, or a JSON array of them when one does not end with its only line break;
    `times` is JSON runs of `[count, seconds since the step started]`. A step's rows
    never overlap, so re-sent lines are stored once (server/logstore.py)."""

    __tablename__ = "log_chunks"
    __table_args__ = (UniqueConstraint("step_id", "pos"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"))
    pos: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    times: Mapped[str] = mapped_column(Text)
    outs: Mapped[str] = mapped_column(Text)


class Delivery(Base):
    """A webhook delivery id already handled: a replay does not build twice."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("provider", "delivery"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    delivery: Mapped[str] = mapped_column(String(250))
    repo_id: Mapped[int] = mapped_column(ForeignKey("repos.id", ondelete="CASCADE"))
    build_id: Mapped[int | None] = mapped_column(ForeignKey("builds.id", ondelete="SET NULL"))
    created: Mapped[int] = mapped_column(BigInteger)
