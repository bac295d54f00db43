"""`conveyor build logs --follow`: a step's lines as the server streams them, or every step's in
turn, each under the same heading as the stored logs. Imported only when `--follow` is given."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from conveyor.client.api import Slug, get_build
from conveyor.client.http import ServerClient
from conveyor.client.stream import follow_step


def follow(args: argparse.Namespace, client: ServerClient, slug: Slug) -> int:
    """Follow `args.stage`/`args.step`, or each step of the build in order; exit 0."""
    if args.stage is not None:
        _write(args, follow_step(client, slug, args.number, args.stage, args.step))
        return 0
    build = get_build(client, slug, args.number)
    for stage in _dicts(build.get("stages") if isinstance(build, dict) else None):
        for step in _dicts(stage.get("steps")):
            if args.format == "table":
                sys.stdout.write(f"--- {stage.get('name')} / {step.get('name')}\n")
                sys.stdout.flush()
            if step.get("status") == "skipped":
                continue
            lines = follow_step(client, slug, args.number, stage["number"], step["number"])
            _write(args, lines)
    return 0


def _write(args: argparse.Namespace, lines: Any) -> None:
    for line in lines:
        if args.format == "json":
            sys.stdout.write(json.dumps(line, sort_keys=True) + "\n")
        else:
            out = str(line.get("out", ""))
            sys.stdout.write(out if out.endswith("\n") else out + "\n")
        sys.stdout.flush()


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
