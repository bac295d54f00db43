"""Rules about images: every step has one, references are valid, `pull` names a policy.

References are checked with `conveyor.images.reference.parse_reference`. Drone substitutes
`${VAR}` before parsing, so a `${...}` part is checked as if it were a plain word. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from conveyor.config.nodes import shown
from conveyor.config.reader import close_match
from conveyor.errors import InvalidReferenceError
from conveyor.images.reference import parse_reference
from conveyor.lint import codes
from conveyor.lint.context import each_step, finding, label
from conveyor.rules.substitution import BadSubstitutionError, substitute
from conveyor.rules.vocabulary import POLICIES, is_legacy_pull, pull_policy
from conveyor.source import Diagnostic
from conveyor.spec.model import ConfigFile, Node, Step

_SUBSTITUTION = re.compile(r"\$\{[^}]*\}")


def check(file: ConfigFile, *, trusted: bool) -> Iterator[Diagnostic]:
    """Every image and pull-policy problem of the file."""
    for pipeline in file.docker_pipelines:
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
        substitute(step.image, {})
    except BadSubstitutionError:
        return  # the substitution rule reports it (E160), with what to write instead
    try:
        parse_reference(_SUBSTITUTION.sub("x", step.image))
    except InvalidReferenceError as exc:
        yield finding(codes.BAD_IMAGE, step, "image", exc.message, prefix=prefix, hint=exc.hint)


def _pull(node: Node, value: str | None, prefix: str) -> Iterator[Diagnostic]:
    if value is None:
        return
    if is_legacy_pull(value):
        yield finding(
            codes.LEGACY_PULL,
            node,
            "pull",
            f"`pull: {value}` is Drone 0.8 syntax: Drone 1.x reads it as the default policy, and "
            "so does Conveyor",
            prefix=prefix,
            hint="write `pull: always` to pull every time, or remove the line",
        )
    elif pull_policy(value) is None:
        guess = close_match(value, POLICIES)
        yield finding(
            codes.BAD_PULL,
            node,
            "pull",
            f"unknown pull policy {shown(value)}; use one of: {', '.join(POLICIES)}"
            + (f" (did you mean {shown(guess)}?)" if guess else ""),
            prefix=prefix,
        )
