"""Which fields of a step only trusted repositories may use (semantics.md section 1).

One definition for the linter and the compiler; pure, no I/O.
"""

from __future__ import annotations

from conveyor.spec.model import Step


def trusted_only_fields(step: Step) -> list[str]:
    """The trusted-only fields that `step` uses, in a stable order."""
    used = {
        "privileged": step.privileged,
        "devices": bool(step.devices),
        "dns": bool(step.dns),
        "dns_search": bool(step.dns_search),
        "extra_hosts": bool(step.extra_hosts),
        "network_mode": step.network_mode is not None,
        "shm_size": step.shm_size is not None,
    }
    return [name for name, present in used.items() if present]
