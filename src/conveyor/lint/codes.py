"""The stable codes of lint rules (E1xx errors, W1xx warnings); loading codes are E0xx/W0xx.

Codes never change meaning once published in docs/lint.md; retired codes are not reused.
Pure data.
"""

from __future__ import annotations

from conveyor.config import codes as loading
from conveyor.config.codes import Code, error_code, warning_code

DUPLICATE_STEP = error_code("E101", "two steps (or two services) share a name")
STEP_SERVICE_CLASH = error_code("E102", "a step and a service share a name")
DUPLICATE_PIPELINE = error_code("E103", "two pipelines share a name")
MISSING_NAME = error_code("E104", "step or service without a name")
UNKNOWN_DEPENDENCY = error_code("E110", "`depends_on` names no step of the pipeline")
STEP_CYCLE = error_code("E111", "steps depend on each other in a cycle")
UNKNOWN_PIPELINE = error_code("E112", "pipeline `depends_on` names no pipeline of the file")
PIPELINE_CYCLE = error_code("E113", "pipelines depend on each other in a cycle")
MISSING_IMAGE = error_code("E120", "step or service without an image")
BAD_IMAGE = error_code("E121", "invalid image reference")
BAD_PULL = error_code("E122", "unknown pull policy")
TRUSTED_ONLY = error_code("E130", "field allowed only for trusted repositories")
BAD_FAILURE = error_code("E140", "`failure` other than ignore, always or fast")
BAD_VOLUME = error_code("E142", "pipeline volume without exactly one of host or temp")
BAD_STATUS = error_code("E143", "`status` condition other than success or failure")
RELATIVE_PATH = error_code("E144", "mount or device path that is not absolute")
DUPLICATE_VOLUME = error_code("E145", "two pipeline volumes share a name")
RESERVED_VOLUME = error_code("E146", "pipeline volume named `workspace` (the workspace's own)")
BAD_WORKSPACE = error_code("E147", "workspace not absolute, or on a system directory")
SECRET_NAME = error_code("E150", "secret document without a name")
SECRET_SOURCE = error_code("E151", "secret document without `get` or `data`")
SIGNATURE_HMAC = error_code("E152", "signature document without `hmac`")
NO_PIPELINE = error_code("E153", "file without a pipeline")
BAD_SUBSTITUTION = error_code("E160", "a `${` that starts no valid substitution")
NUL_CHARACTER = error_code("E161", "NUL character in a string")
BAD_ENVIRONMENT_NAME = error_code("E162", "environment variable name that is not a valid name")
ENVIRONMENT_SIZE = error_code("E163", "a step's environment larger than the limit (1 MiB)")
NESTED_SECRET = error_code("E164", "`from_secret` inside a list or map of `settings`")

UNKNOWN_EVENT = warning_code("W140", "`event` condition naming no Drone event")
UNKNOWN_VOLUME = warning_code(
    "W141", "step mounts a volume the pipeline does not define (skipped, as in Drone)"
)
LEGACY_PULL = warning_code("W122", "`pull: true`/`false` (Drone 0.8), read as the default policy")
DUPLICATE_DEPENDENCY = warning_code("W110", "the same name twice in `depends_on`")

RULES: tuple[Code, ...] = (
    DUPLICATE_STEP,
    STEP_SERVICE_CLASH,
    DUPLICATE_PIPELINE,
    MISSING_NAME,
    UNKNOWN_DEPENDENCY,
    STEP_CYCLE,
    UNKNOWN_PIPELINE,
    PIPELINE_CYCLE,
    MISSING_IMAGE,
    BAD_IMAGE,
    BAD_PULL,
    TRUSTED_ONLY,
    BAD_FAILURE,
    BAD_VOLUME,
    BAD_STATUS,
    RELATIVE_PATH,
    DUPLICATE_VOLUME,
    RESERVED_VOLUME,
    BAD_WORKSPACE,
    SECRET_NAME,
    SECRET_SOURCE,
    SIGNATURE_HMAC,
    NO_PIPELINE,
    BAD_SUBSTITUTION,
    NUL_CHARACTER,
    BAD_ENVIRONMENT_NAME,
    ENVIRONMENT_SIZE,
    NESTED_SECRET,
    DUPLICATE_DEPENDENCY,
    LEGACY_PULL,
    UNKNOWN_EVENT,
    UNKNOWN_VOLUME,
)
"""Every lint rule code, in the order of the docs table."""

RETIRED = (*loading.RETIRED, "E141")
"""Codes no longer printed (E141 became the warning W141); never reused."""

ALL: tuple[Code, ...] = loading.ALL + RULES
"""Every code `conveyor lint` can print."""
