"""The stable codes of lint rules (E1xx errors, W1xx warnings); loading codes are E0xx/W0xx.

Codes never change meaning once published in docs/lint.md; retired codes are not reused.
Pure data.
"""

from __future__ import annotations

from conveyor.config import codes as loading
from conveyor.config.codes import Code
from conveyor.source import Severity


def _error(code: str, title: str) -> Code:
    return Code(code=code, severity=Severity.ERROR, title=title)


def _warning(code: str, title: str) -> Code:
    return Code(code=code, severity=Severity.WARNING, title=title)


DUPLICATE_STEP = _error("E101", "two steps (or two services) share a name")
STEP_SERVICE_CLASH = _error("E102", "a step and a service share a name")
DUPLICATE_PIPELINE = _error("E103", "two pipelines share a name")
MISSING_NAME = _error("E104", "step or service without a name")
UNKNOWN_DEPENDENCY = _error("E110", "`depends_on` names no step of the pipeline")
STEP_CYCLE = _error("E111", "steps depend on each other in a cycle")
UNKNOWN_PIPELINE = _error("E112", "pipeline `depends_on` names no pipeline of the file")
PIPELINE_CYCLE = _error("E113", "pipelines depend on each other in a cycle")
MISSING_IMAGE = _error("E120", "step or service without an image")
BAD_IMAGE = _error("E121", "invalid image reference")
BAD_PULL = _error("E122", "unknown pull policy")
TRUSTED_ONLY = _error("E130", "field allowed only for trusted repositories")
BAD_FAILURE = _error("E140", "`failure` other than ignore or always")
UNKNOWN_VOLUME = _error("E141", "step mounts a volume the pipeline does not define")
BAD_VOLUME = _error("E142", "pipeline volume without exactly one of host or temp")
BAD_STATUS = _error("E143", "`status` condition other than success or failure")
RELATIVE_PATH = _error("E144", "mount or device path that is not absolute")
DUPLICATE_VOLUME = _error("E145", "two pipeline volumes share a name")
SECRET_NAME = _error("E150", "secret document without a name")
SECRET_SOURCE = _error("E151", "secret document without `get` or `data`")
SIGNATURE_HMAC = _error("E152", "signature document without `hmac`")
NO_PIPELINE = _error("E153", "file without a pipeline")

UNKNOWN_EVENT = _warning("W140", "`event` condition naming no Drone event")
DUPLICATE_DEPENDENCY = _warning("W110", "the same name twice in `depends_on`")

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
    UNKNOWN_VOLUME,
    BAD_VOLUME,
    BAD_STATUS,
    RELATIVE_PATH,
    DUPLICATE_VOLUME,
    SECRET_NAME,
    SECRET_SOURCE,
    SIGNATURE_HMAC,
    NO_PIPELINE,
    DUPLICATE_DEPENDENCY,
    UNKNOWN_EVENT,
)
"""Every lint rule code, in the order of the docs table."""

ALL: tuple[Code, ...] = loading.ALL + RULES
"""Every code `conveyor lint` can print."""
