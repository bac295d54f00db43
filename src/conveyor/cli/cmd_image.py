"""`conveyor image resolve REF... [--pull POLICY] [--registry-config FILE]... [--json]`.

For each image reference: its normalised form, what the pull policy does with it, and which
credential a pull would use. Exit 0 when every reference is valid, 2 when one is not (after
reporting all of them) or when a config file cannot be read or parsed. Never prints a password.
Only argparse is imported at module level so that `conveyor --help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conveyor.images.credentials import Credential
    from conveyor.images.policy import PullPolicy
    from conveyor.images.reference import Reference
    from conveyor.registry.sources import CredentialSet

POLICIES = ("default", "always", "if-not-exists", "never")
"""The values of `pull:` (images.policy.PullPolicy), listed here to keep imports lazy."""

EPILOG = """\
exit codes: 0 every reference is valid, 2 an invalid one or an unreadable file

examples:
  conveyor image resolve golang library/golang:1.7 docker.company.com/golang
  conveyor image resolve --pull never --json 127.0.0.1:5001/ci-test/busybox:1
  conveyor image resolve --registry-config ~/.docker/config.json \\
                         gcr.io/project/app:1
"""


def register(subparsers: Any) -> None:
    """Add the `image` command and its `resolve` sub-command."""
    image = subparsers.add_parser(
        "image",
        help="explain image references, pull decisions and credentials",
        description="Explain how Conveyor reads image references and pulls images.",
    )
    image.set_defaults(handler=_missing_subcommand, image_parser=image)
    sub = image.add_subparsers(dest="image_command", metavar="SUBCOMMAND")
    resolve = sub.add_parser(
        "resolve",
        help="normalise references and say what a pull would do, with which credential",
        description=(
            "For each image reference, print its normalised form, what the pull policy does\n"
            "when the image is cached or absent, and which registry credential a pull would\n"
            "try first (passwords are never printed)."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    resolve.add_argument("refs", nargs="+", metavar="REF", help="an image reference")
    resolve.add_argument(
        "--pull",
        choices=POLICIES,
        default="default",
        metavar="POLICY",
        help=f"the step's pull policy: {', '.join(POLICIES)} (default: default)",
    )
    resolve.add_argument(
        "--registry-config",
        action="append",
        default=[],
        metavar="FILE",
        help="a Docker config.json to take credentials from (repeatable; earlier files first)",
    )
    resolve.add_argument("--json", action="store_true", help="one JSON object per reference")
    resolve.set_defaults(handler=run_resolve)


def _missing_subcommand(args: argparse.Namespace) -> int:
    import sys

    args.image_parser.print_help(sys.stderr)
    return 2


def run_resolve(args: argparse.Namespace) -> int:
    """Resolve every reference in `args.refs`; returns the exit code."""
    import json
    import sys

    from conveyor.errors import InvalidReferenceError
    from conveyor.images.policy import PullPolicy
    from conveyor.images.reference import parse_reference

    credentials = _load_credentials(args.registry_config)
    policy = PullPolicy(args.pull)
    status = 0
    for text in args.refs:
        try:
            reference = parse_reference(text)
        except InvalidReferenceError as exc:
            status = 2
            failure = {"input": text, "error": exc.message}
            line = json.dumps(failure) + "\n" if args.json else f"{text}\n  error: {exc.message}\n"
            sys.stdout.write(line)
            continue
        report = describe(text, reference, policy, credentials)
        sys.stdout.write(json.dumps(report) + "\n" if args.json else render_text(report))
    for problem in credentials.problems:  # e.g. a credential helper that failed
        sys.stderr.write(f"conveyor: warning: {problem}\n")
    sys.stdout.flush()
    return status


def _load_credentials(files: list[str]) -> CredentialSet:
    """Read every --registry-config file; the first unusable one stops the command (exit 2)."""
    from pathlib import Path

    from conveyor.errors import CredentialError
    from conveyor.registry.sources import collect_credentials, read_config_file

    paths = [Path(name).expanduser() for name in files]
    for path in paths:
        try:
            config = read_config_file(path)
        except CredentialError as exc:
            raise CredentialError(exc.message) from None  # one line, no hint
        if config.errors:
            raise CredentialError(config.errors[0].message)
    return collect_credentials(secret_configs=(), runner_config_files=paths)


def describe(
    text: str, reference: Reference, policy: PullPolicy, credentials: CredentialSet
) -> dict[str, Any]:
    """The JSON object of one reference, keys in the documented order."""
    from conveyor.images.decision import decide

    candidates = credentials.candidates_for(reference)
    return {
        "input": text,
        "reference": reference.string(),
        "name": reference.name,
        "domain": reference.domain,
        "path": reference.path,
        "tag": reference.tag,
        "digest": reference.digest,
        "familiar": reference.familiar(),
        "is_latest": reference.is_latest(),
        "pull": {
            "policy": policy.value,
            "when_cached": decide(policy, reference, cached=True).value,
            "when_absent": decide(policy, reference, cached=False).value,
        },
        "credential": _credential_summary(candidates[0]) if candidates else None,
        "fallbacks": max(len(candidates) - 1, 0),
    }


def _credential_summary(credential: Credential) -> dict[str, Any]:
    return {
        "registry": credential.registry,
        "username": credential.username,
        "source": credential.source,
        "has_password": bool(credential.password),
        "has_identity_token": bool(credential.identity_token),
    }


_WHEN_CACHED = {"use": "use the cached image", "pull": "pull the newest version"}
_WHEN_ABSENT = {"pull": "pull it", "fail": "fail (the policy forbids pulling)"}


def render_text(report: dict[str, Any]) -> str:
    """The report of one reference for people: a few aligned lines, no secret."""
    pull = report["pull"]
    lines = [
        report["input"],
        f"  reference   {report['reference']}",
        f"  familiar    {report['familiar']}",
        f"  registry    {report['domain']}   repository {report['path']}",
        f"  tag         {report['tag'] or '(none: latest)'}"
        + (f"   digest {report['digest']}" if report["digest"] else ""),
        f"  pull        policy {pull['policy']}: if cached, "
        f"{_WHEN_CACHED[pull['when_cached']]}; if absent, {_WHEN_ABSENT[pull['when_absent']]}",
        f"  credential  {_credential_text(report)}",
    ]
    return "\n".join(lines) + "\n"


def _credential_text(report: dict[str, Any]) -> str:
    cred = report["credential"]
    if cred is None:
        return "none: the pull is anonymous"
    kind = "identity token" if cred["has_identity_token"] else "password"
    if not (cred["has_password"] or cred["has_identity_token"]):
        kind = "no password"
    more = report["fallbacks"]
    tail = f"; {more} more to try if refused" if more else ""
    user = cred["username"] or "(token)"
    return f"{user} ({kind}) for {cred['registry']} from {cred['source']}{tail}"
