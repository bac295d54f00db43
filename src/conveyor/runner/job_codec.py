"""A StageJob as JSON-able data and back, for an agent that receives its work over the network.

`job_to_data` writes dicts, lists, strings and numbers (the plan as plan/codec.py writes it);
`job_from_data` checks every key and type and raises ConfigError naming the bad key. Every key
but `plan` may be left out (the job's default). The data holds secret values: it may travel
only over an authenticated channel and is never logged. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from conveyor.errors import ConfigError
from conveyor.plan.codec import plan_from_data, plan_to_data
from conveyor.registry.settings import PluginSettings, RegistrySources, TlsMode
from conveyor.runner.job import StageJob
from conveyor.runner.run_loop import Limits

_JOB_KEYS = frozenset(
    {
        "plan", "secrets", "pull_request_secrets", "build", "registry", "limits", "parallel",
        "workspace_source", "workspace_exclude", "extra_env",
    }
)  # fmt: skip


def job_to_data(job: StageJob) -> dict[str, object]:
    """`job` as JSON-able data, secret values included."""
    plugin = job.registry.plugin
    return {
        "plan": plan_to_data(job.plan),
        "secrets": dict(sorted(job.secrets.items())),
        "pull_request_secrets": sorted(job.pull_request_secrets),
        "build": dict(sorted(job.build.items())),
        "registry": {
            "config_files": [str(path) for path in job.registry.config_files],
            "plugin": None
            if plugin is None
            else {
                "endpoint": plugin.endpoint,
                "secret": plugin.secret,
                "tls": plugin.tls.value,
                "timeout": plugin.timeout,
            },
        },
        "limits": {
            "step_timeout": job.limits.step_timeout,
            "run_timeout": job.limits.run_timeout,
            "stop_grace": job.limits.stop_grace,
        },
        "parallel": job.parallel,
        "workspace_source": None if job.workspace_source is None else str(job.workspace_source),
        "workspace_exclude": [str(path) for path in job.workspace_exclude],
        "extra_env": dict(sorted(job.extra_env.items())),
    }


def job_from_data(data: object) -> StageJob:
    """The job of `job_to_data`; ConfigError (naming the key) when `data` is not such a job."""
    top = _object(data, "job", _JOB_KEYS)
    if "plan" not in top:
        raise ConfigError("the stage job lacks the key job.plan; add it.")
    parallel = _number(top.get("parallel", 4), "job.parallel", whole=True)
    if parallel < 1:
        raise _bad("job.parallel", "a whole number of at least 1")
    source = top.get("workspace_source")
    return StageJob(
        plan=plan_from_data(top["plan"]),
        secrets=_texts(top.get("secrets", {}), "job.secrets"),
        pull_request_secrets=frozenset(
            _names(top.get("pull_request_secrets", []), "job.pull_request_secrets")
        ),
        build=_texts(top.get("build", {}), "job.build"),
        registry=_registry(top.get("registry", {})),
        limits=_limits(top.get("limits", {})),
        parallel=int(parallel),
        workspace_source=None if source is None else Path(_text(source, "job.workspace_source")),
        workspace_exclude=tuple(
            Path(p) for p in _names(top.get("workspace_exclude", []), "job.workspace_exclude")
        ),
        extra_env=_texts(top.get("extra_env", {}), "job.extra_env"),
    )


def _registry(data: object) -> RegistrySources:
    where = "job.registry"
    fields = _object(data, where, frozenset({"config_files", "plugin"}))
    files = _names(fields.get("config_files", []), f"{where}.config_files")
    plugin = fields.get("plugin")
    return RegistrySources(
        config_files=tuple(Path(p) for p in files),
        plugin=None if plugin is None else _plugin(plugin, f"{where}.plugin"),
    )


def _plugin(data: object, where: str) -> PluginSettings:
    fields = _object(data, where, frozenset({"endpoint", "secret", "tls", "timeout"}))
    tls = _text(fields.get("tls", TlsMode.VERIFY.value), f"{where}.tls")
    if tls not in {mode.value for mode in TlsMode}:
        raise _bad(f"{where}.tls", " or ".join(mode.value for mode in TlsMode))
    return PluginSettings(
        endpoint=_text(fields.get("endpoint"), f"{where}.endpoint"),
        secret=_text(fields.get("secret"), f"{where}.secret"),
        tls=TlsMode(tls),
        timeout=_number(fields.get("timeout", 60.0), f"{where}.timeout"),
    )


def _limits(data: object) -> Limits:
    where = "job.limits"
    fields = _object(data, where, frozenset({"step_timeout", "run_timeout", "stop_grace"}))
    step, run = fields.get("step_timeout"), fields.get("run_timeout")
    return Limits(
        step_timeout=None if step is None else _number(step, f"{where}.step_timeout"),
        run_timeout=None if run is None else _number(run, f"{where}.run_timeout"),
        stop_grace=_number(fields.get("stop_grace", 1.0), f"{where}.stop_grace"),
    )


def _object(data: object, where: str, keys: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(data, dict):
        raise _bad(where, "an object")
    unknown = sorted(str(key) for key in data if key not in keys)
    if unknown:
        raise ConfigError(f"the stage job has an unknown key {where}.{unknown[0]}; remove it.")
    return data


def _text(data: object, where: str) -> str:
    if not isinstance(data, str):
        raise _bad(where, "a string")
    return data


def _number(data: object, where: str, *, whole: bool = False) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float) or (whole and data % 1):
        raise _bad(where, "a whole number" if whole else "a number")
    return float(data)


def _texts(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict):
        raise _bad(where, "an object of strings")
    return {str(key): _text(value, f"{where}.{key}") for key, value in data.items()}


def _names(data: object, where: str) -> list[str]:
    if not isinstance(data, list):
        raise _bad(where, "a list of strings")
    return [_text(item, f"{where}[{index}]") for index, item in enumerate(data)]


def _bad(where: str, expected: str) -> ConfigError:
    return ConfigError(f"the stage job's {where} must be {expected}.")
