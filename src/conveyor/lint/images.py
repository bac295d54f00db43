"""Rules about images: every step has one, references are valid, `pull` names a policy.

References are checked with `conveyor.images.reference.parse_reference`. Drone substitutes
`${VAR}` before parsing, so a `${...}` part is checked as if it were a plain word. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from conveyor.config.reader import close_match
from conveyor.errors import InvalidReferenceError
from conveyor.images.policy import PullPolicy
from conveyor.images.reference import parse_reference
from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Node, Step

POLICIES = (*(p.value for p in PullPolicy if p is not PullPolicy.DEFAULT), PullPolicy.DEFAULT.value)
"""Valid `pull:` values, in the order messages list them (the default last)."""
_SUBSTITUTION = re.compile(r"\$\{[^}]*\}")


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every image and pull-policy problem of the file."""
    for pipeline in file.pipelines:
        yield from _pull(pipeline, pipeline.pull, "")
        for prefix, step in each_step(pipeline):
            yield from _image(prefix, step)
            yield from _pull(step, step.pull, prefix)


def _image(prefix: str, step: Step) -> Iterator[Diagnostic]:
    if not step.image:
        yield finding(
            codes.MISSING_IMAGE,
            step,
            "image",
            f"{label(prefix, step)} has no image; add `image:` (for example golang:1.22)",
            prefix=prefix,
        )
        return
    try:
        parse_reference(_SUBSTITUTION.sub("x", step.image))
    except InvalidReferenceError as exc:
        yield finding(codes.BAD_IMAGE, step, "image", exc.message, prefix=prefix, hint=exc.hint)


def _pull(node: Node, value: str | None, prefix: str) -> Iterator[Diagnostic]:
    if value is None or value.strip().lower() in POLICIES:
        return  # Drone compares policy names case-insensitively, and so does the compiler
    guess = close_match(value, POLICIES)
    yield finding(
        codes.BAD_PULL,
        node,
        "pull",
        f"unknown pull policy {value!r}; use one of: {', '.join(POLICIES)}"
        + (f" (did you mean {guess!r}?)" if guess else ""),
        prefix=prefix,
    )
