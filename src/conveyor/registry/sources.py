"""The per-run credential set: image_pull_secrets, runner-wide config files, registry plugin.

`collect_credentials` reads every source in precedence order; a broken source becomes one line
in `CredentialSet.problems` and never discards the others. Credential helpers run lazily, only
for runner-wide files, and only for the host being pulled; a secret that names a helper gets a
problem line and nothing is executed. No value ever reaches a problem line or a repr.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from conveyor.errors import CredentialError
from conveyor.images.credentials import Credential
from conveyor.images.dockerconfig import DockerConfig, HelperRule, parse_docker_config
from conveyor.images.matching import order_candidates, reference_host
from conveyor.images.reference import Reference
from conveyor.registry.helpers import helper_credential
from conveyor.registry.plugin import fetch_plugin_credentials
from conveyor.registry.settings import PluginSettings

HelperRunner = Callable[[HelperRule, str, str], Credential | None]
"""(rule, host, source) -> the helper's login for host, None if none; raises CredentialError."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _HelperSlot:
    """A place in the precedence order where a runner file's helper may answer for a host."""

    rule: HelperRule
    source: str


class CredentialSet:
    """Every credential a run may use, in precedence order, plus the problems met collecting it."""

    def __init__(
        self,
        slots: Sequence[Credential | _HelperSlot] = (),
        *,
        problems: Sequence[str] = (),
        run_helper: HelperRunner | None = None,
    ) -> None:
        self._slots = tuple(slots)
        self.problems: list[str] = list(problems)
        self._run_helper = run_helper or _default_helper
        self._helper_answers: dict[tuple[HelperRule, str], Credential | None] = {}
        # Steps ask from their own threads: one helper call per (rule, host), not one each.
        self._helper_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CredentialSet(slots={len(self._slots)}, problems={len(self.problems)})"

    def candidates_for(self, reference: Reference) -> list[Credential]:
        """Logins to try for `reference`, best first (exact host key, then source, then file)."""
        host = reference_host(reference)
        resolved: list[Credential] = []
        for slot in self._slots:
            if isinstance(slot, Credential):
                resolved.append(slot)
            elif slot.rule.host in (None, host):
                answer = self._ask_helper(slot, host)
                if answer is not None:
                    resolved.append(answer)
        return order_candidates(resolved, host)

    def _ask_helper(self, slot: _HelperSlot, host: str) -> Credential | None:
        cache_key = (slot.rule, host)
        with self._helper_lock:
            return self._ask_helper_once(slot, host, cache_key)

    def _ask_helper_once(
        self, slot: _HelperSlot, host: str, cache_key: tuple[HelperRule, str]
    ) -> Credential | None:
        if cache_key not in self._helper_answers:
            try:
                answer = self._run_helper(slot.rule, host, slot.source)
            except CredentialError as exc:
                self.problems.append(exc.message)
                answer = None
            self._helper_answers[cache_key] = answer
        return self._helper_answers[cache_key]


def _default_helper(rule: HelperRule, host: str, source: str) -> Credential | None:
    return helper_credential(rule, host, source=source)


def read_config_file(path: Path) -> DockerConfig:
    """Read and parse one runner-wide config.json; CredentialError names the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise CredentialError(f"{path} is a directory, not a config.json file") from None
    except UnicodeDecodeError:
        raise CredentialError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise CredentialError(f"{path} cannot be read ({exc.strerror or 'I/O error'})") from None
    return parse_docker_config(text, source=str(path))


def collect_credentials(
    *,
    secret_configs: Sequence[tuple[str, str]],
    runner_config_files: Sequence[Path] = (),
    plugin: PluginSettings | None = None,
    build: Mapping[str, str] | None = None,
    run_helper: HelperRunner | None = None,
) -> CredentialSet:
    """Gather the credentials of one run from every source, in precedence order."""
    slots: list[Credential | _HelperSlot] = []
    problems: list[str] = []
    for name, text in secret_configs:
        parse = partial(parse_docker_config, text, source=f"secret {name}")
        config = _parse_or_report(parse, problems)
        if config is not None:
            slots.extend(config.credentials)
            if config.helpers:
                problems.append(
                    f"secret {name}: credHelpers/credsStore were ignored, because a repository "
                    'secret may not make the runner run a program; use "auths" entries'
                )
    for path in runner_config_files:
        config = _parse_or_report(partial(read_config_file, path), problems)
        if config is not None:
            slots.extend(_runner_slots(config))
    if plugin is not None:
        slots.extend(_plugin_credentials(plugin, build or {}, problems))
    return CredentialSet(slots, problems=problems, run_helper=run_helper)


def _runner_slots(config: DockerConfig) -> list[Credential | _HelperSlot]:
    """credHelpers for a host first (Docker's precedence), then auths, then credsStore."""
    per_host = [_HelperSlot(rule=r, source=config.source) for r in config.helpers if r.host]
    store = [_HelperSlot(rule=r, source=config.source) for r in config.helpers if not r.host]
    return [*per_host, *config.credentials, *store]


def _parse_or_report(parse: Callable[[], DockerConfig], problems: list[str]) -> DockerConfig | None:
    try:
        config = parse()
    except CredentialError as exc:
        problems.append(exc.message)
        return None
    problems.extend(error.message for error in config.errors)
    return config


def _plugin_credentials(
    plugin: PluginSettings, build: Mapping[str, str], problems: list[str]
) -> list[Credential]:
    try:
        found, errors = fetch_plugin_credentials(plugin, build)
    except CredentialError as exc:
        problems.append(exc.message)
        return []
    problems.extend(error.message for error in errors)
    return found
