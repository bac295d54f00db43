"""Runner settings of `conveyor exec`: their flags, and the guard and credential sources they make.

Flags are registered with argparse only (fast `--help`); the guard, the credential sources and
the registry plugin are built inside functions called by `run`. The plugin's shared secret is
read from the environment (`DRONE_REGISTRY_PLUGIN_SECRET`, or Drone's
`DRONE_REGISTRY_PLUGIN_TOKEN`), never from a flag that `ps` shows.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from conveyor.registry.settings import PluginSettings, RegistrySources
    from conveyor.runner.image_guard import ImageGuard

POLICIES = ("default", "always", "if-not-exists", "never")
CACHE_MODES = ("verify", "always-pull", "off")
PLUGIN_ENDPOINT_ENV = "DRONE_REGISTRY_PLUGIN_ENDPOINT"
PLUGIN_SECRET_ENV = "DRONE_REGISTRY_PLUGIN_SECRET"  # noqa: S105 - a variable name
PLUGIN_TOKEN_ENV = "DRONE_REGISTRY_PLUGIN_TOKEN"  # noqa: S105 - Drone runner's name for it
PLUGIN_SKIP_VERIFY_ENV = "DRONE_REGISTRY_PLUGIN_SKIP_VERIFY"
_DURATION = re.compile(
    r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s?)?", re.ASCII
)


def duration(text: str) -> float:
    """`90`, `90s`, `10m`, `1h30m` -> seconds (argparse type)."""
    match = _DURATION.fullmatch(text.strip())
    if not text.strip() or match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 90s, 10m or 1h30m")
    hours, minutes, secs = (float(part) if part else 0.0 for part in match.groups())
    total = hours * 3600 + minutes * 60 + secs
    if total <= 0:
        raise argparse.ArgumentTypeError("a time limit must be more than 0 seconds")
    return total


def positive(text: str) -> int:
    """A whole number of at least 1 (argparse type)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def add_runner_arguments(runner: Any) -> None:
    """Pull policies, parallelism, time limits, the image cache mode and the registry plugin."""
    runner.add_argument(
        "--pull-policy",
        choices=POLICIES,
        default="default",
        help="pull policy of steps and pipelines that name none (default: default)",
    )
    runner.add_argument(
        "--allow-pull-policy",
        action="append",
        default=[],
        choices=POLICIES,
        metavar="POLICY",
        help="admin: the only pull policies pipelines may use (repeatable; default: all)",
    )
    runner.add_argument(
        "--parallel",
        type=positive,
        default=4,
        metavar="N",
        help="most steps running at once (default: 4)",
    )
    runner.add_argument(
        "--step-timeout",
        type=duration,
        metavar="DURATION",
        help="time limit of each step, e.g. 10m",
    )
    runner.add_argument(
        "--timeout", type=duration, metavar="DURATION", help="time limit of the whole run, e.g. 1h"
    )
    runner.add_argument(
        "--image-cache-mode",
        choices=CACHE_MODES,
        default="verify",
        help="private image cache check (default: verify; see docs/security.md)",
    )
    runner.add_argument(
        "--image-cache-max-age",
        type=duration,
        metavar="DURATION",
        help="re-check with the registry a cached private image whose last pull or check by "
        "this login is older than this, e.g. 24h (default: no limit)",
    )
    runner.add_argument(
        "--registry-plugin",
        metavar="URL",
        help=f"a Drone registry credential plugin (default: ${PLUGIN_ENDPOINT_ENV}); "
        f"its shared secret comes from ${PLUGIN_SECRET_ENV} (or ${PLUGIN_TOKEN_ENV})",
    )


def make_guard(mode: str, err: TextIO, max_age: float | None = None) -> ImageGuard:
    """The private-image-cache guard of `--image-cache-mode` (cache room)."""
    import os
    from pathlib import Path

    from conveyor.cache.guard import default_state_dir
    from conveyor.cache.guard import make_guard as build

    def report(line: str) -> None:
        err.write(f"conveyor: {line}\n")

    state = default_state_dir(os.environ, Path.home())
    guard = build(mode, state, report=report, max_age=max_age)
    if guard.notice:
        err.write(f"conveyor: warning: {guard.notice}\n")
    return guard


def plugin_settings(args: argparse.Namespace, env: Mapping[str, str]) -> PluginSettings | None:
    """The registry plugin of `--registry-plugin` or Drone's DRONE_REGISTRY_PLUGIN_* variables."""
    from conveyor.registry.settings import PluginSettings, TlsMode, safe_endpoint

    endpoint = args.registry_plugin or env.get(PLUGIN_ENDPOINT_ENV)
    if not endpoint:
        return None
    secret = env.get(PLUGIN_SECRET_ENV) or env.get(PLUGIN_TOKEN_ENV, "")
    if not secret:
        from conveyor.errors import UsageError

        raise UsageError(
            f"the registry plugin {safe_endpoint(endpoint)} needs its shared secret in "
            f"${PLUGIN_SECRET_ENV} (or ${PLUGIN_TOKEN_ENV}, as for a Drone runner)"
        )
    skip = env.get(PLUGIN_SKIP_VERIFY_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
    return PluginSettings(
        endpoint=endpoint, secret=secret, tls=TlsMode.SKIP_VERIFY if skip else TlsMode.VERIFY
    )


def registry_sources(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> RegistrySources:
    """`--registry-config` files and the registry plugin (after image_pull_secrets, in order)."""
    import os
    from pathlib import Path

    from conveyor.registry.settings import RegistrySources

    return RegistrySources(
        config_files=tuple(Path(p) for p in args.registry_config),
        plugin=plugin_settings(args, os.environ if environ is None else environ),
    )
