"""`conveyor image resolve`: JSON contract, text output, exit codes, config errors, no secrets."""

from __future__ import annotations

import ast
import base64
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from conveyor.cli import cmd_image
from conveyor.cli.main import main

PASSWORD = "pa55-w0rd-never-printed"
DIGEST = "sha256:" + "c" * 64

KEYS = [
    "input", "reference", "name", "domain", "path", "tag", "digest", "familiar",
    "is_latest", "pull", "credential", "fallbacks",
]  # fmt: skip
CREDENTIAL_KEYS = ["registry", "username", "source", "has_password", "has_identity_token"]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def write_config(tmp_path: Path, name: str, auths: dict[str, object]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"auths": auths}))
    return path


def resolve_json(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[dict[str, Any]]]:
    code = main(["image", "resolve", "--json", *argv])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines()]


def test_json_objects_have_exactly_the_documented_keys_and_types(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(tmp_path, "c.json", {"gcr.io": {"auth": b64(f"me:{PASSWORD}")}})
    code, (hub, gcr) = resolve_json(
        capsys, "golang", "gcr.io/project/app:1", "--registry-config", str(config)
    )
    assert code == 0
    assert list(hub) == KEYS
    assert hub == {
        "input": "golang",
        "reference": "docker.io/library/golang:latest",
        "name": "docker.io/library/golang",
        "domain": "docker.io",
        "path": "library/golang",
        "tag": None,
        "digest": None,
        "familiar": "golang",
        "is_latest": True,
        "pull": {"policy": "default", "when_cached": "pull", "when_absent": "pull"},
        "credential": None,
        "fallbacks": 0,
    }
    assert list(gcr["pull"]) == ["policy", "when_cached", "when_absent"]
    assert list(gcr["credential"]) == CREDENTIAL_KEYS
    assert gcr["credential"] == {
        "registry": "gcr.io",
        "username": "me",
        "source": str(config),
        "has_password": True,
        "has_identity_token": False,
    }


# ref, reference, tag, digest, familiar, is_latest, when_cached (policy default)
# fmt: off
SEED = [
    ("golang", "docker.io/library/golang:latest", None, None, "golang", True, "pull"),
    ("golang:1.7", "docker.io/library/golang:1.7", "1.7", None, "golang:1.7", False, "use"),
    ("library/golang:1.7", "docker.io/library/golang:1.7", "1.7", None, "golang:1.7", False,
     "use"),
    ("index.docker.io/library/golang", "docker.io/library/golang:latest", None, None, "golang",
     True, "pull"),
    ("index.docker.io/library/golang:1.7", "docker.io/library/golang:1.7", "1.7", None,
     "golang:1.7", False, "use"),
    ("docker.company.com/golang", "docker.company.com/golang:latest", None, None,
     "docker.company.com/golang", True, "pull"),
    (f"golang@{DIGEST}", f"docker.io/library/golang@{DIGEST}", None, DIGEST,
     f"golang@{DIGEST}", False, "use"),
]
# fmt: on


@pytest.mark.parametrize(
    ("ref", "reference", "tag", "digest", "familiar", "latest", "when_cached"), SEED
)
def test_seed_examples(
    capsys: pytest.CaptureFixture[str],
    ref: str,
    reference: str,
    tag: str | None,
    digest: str | None,
    familiar: str,
    latest: bool,
    when_cached: str,
) -> None:
    code, (got,) = resolve_json(capsys, ref)
    assert code == 0
    assert (got["reference"], got["tag"], got["digest"]) == (reference, tag, digest)
    assert (got["familiar"], got["is_latest"]) == (familiar, latest)
    assert got["pull"]["when_cached"] == when_cached


@pytest.mark.parametrize(
    ("policy", "cached", "absent"),
    [("always", "pull", "pull"), ("if-not-exists", "use", "pull"), ("never", "use", "fail")],
)
def test_pull_policies(
    capsys: pytest.CaptureFixture[str], policy: str, cached: str, absent: str
) -> None:
    _, (got,) = resolve_json(capsys, "--pull", policy, "golang")
    assert got["pull"] == {"policy": policy, "when_cached": cached, "when_absent": absent}


def test_unknown_policy_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["image", "resolve", "--pull", "sometimes", "golang"])
    assert exited.value.code == 2
    assert "if-not-exists" in capsys.readouterr().err


def test_invalid_reference_reports_and_exits_2_after_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = resolve_json(capsys, "Golang", "golang:1.7", "a//b")
    assert code == 2
    assert lines[0] == {
        "input": "Golang",
        "error": "invalid image reference 'Golang': repository name must be lowercase",
    }
    assert lines[1]["reference"] == "docker.io/library/golang:1.7"
    assert list(lines[2]) == ["input", "error"]


def test_gcr_duplicate_keys_pick_the_exact_key_and_count_fallbacks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = write_config(tmp_path, "1.json", {"https://gcr.io": {"auth": b64(f"old:{PASSWORD}")}})
    second = write_config(
        tmp_path,
        "2.json",
        {
            "https://gcr.io/v1/": {"username": "other", "password": PASSWORD},
            "gcr.io": {"identitytoken": "tok-never-printed", "username": "new"},
        },
    )
    argv = ["gcr.io/p/i:1", "--registry-config", str(first), "--registry-config", str(second)]
    code, (got,) = resolve_json(capsys, *argv)
    assert code == 0
    assert got["credential"]["username"] == "new"
    assert got["credential"]["source"] == str(second)
    assert got["credential"]["has_identity_token"] is True
    assert got["credential"]["has_password"] is False
    assert got["fallbacks"] == 2


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"auths": {"gcr.io": {"auth": "!!!"}}}', "auths entry 'gcr.io': \"auth\" is not valid"),
        ('{"auths": {"quay.io": {"password": 5}}}', "auths entry 'quay.io': 'password' must be"),
        ("{not json", "is not valid JSON (line 1, column 2)"),
        ('{"auths": []}', '"auths" must be a JSON object'),
    ],
)
def test_unusable_config_exits_2_with_one_line_naming_file_and_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, fragment: str
) -> None:
    path = tmp_path / "config.json"
    path.write_text(content)
    code = main(["image", "resolve", "golang", "--registry-config", str(path)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(path) in captured.err
    assert fragment in captured.err


def test_missing_config_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert main(["image", "resolve", "golang", "--registry-config", str(missing)]) == 2
    assert capsys.readouterr().err == f"conveyor: error: {missing} does not exist\n"


def test_text_output_for_people_never_shows_a_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        "c.json",
        {
            "127.0.0.1:5001": {"auth": b64(f"testuser:{PASSWORD}")},
            "http://127.0.0.1:5001": {"auth": b64(f"other:{PASSWORD}x")},
        },
    )
    code = main(
        ["image", "resolve", "127.0.0.1:5001/ci-test/remote-only:1", "Bad", "--registry-config",
         str(config)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 2
    assert "reference   127.0.0.1:5001/ci-test/remote-only:1" in out
    assert "if cached, use the cached image; if absent, pull it" in out
    assert f"testuser (password) for 127.0.0.1:5001 from {config}; 1 more to try" in out
    assert "Bad\n  error: invalid image reference 'Bad': repository name must be lowercase" in out
    assert PASSWORD not in out


def test_json_never_shows_a_password(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = write_config(tmp_path, "c.json", {"docker.io": {"auth": b64(f"u:{PASSWORD}")}})
    assert main(["image", "resolve", "--json", "golang", "--registry-config", str(config)]) == 0
    captured = capsys.readouterr()
    # the login is there, described: its absence would make the checks below vacuous
    credential = json.loads(captured.out)["credential"]
    assert (credential["username"], credential["has_password"]) == ("u", True)
    assert PASSWORD not in captured.out + captured.err
    assert b64(f"u:{PASSWORD}") not in captured.out + captured.err


def test_image_without_subcommand_prints_help_and_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["image"]) == 2
    assert "resolve" in capsys.readouterr().err


def test_module_imports_only_argparse_at_top_level() -> None:
    tree = ast.parse(Path(cmd_image.__file__).read_text())
    top: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top.add(node.module)
    assert top <= {"__future__", "argparse", "typing"}


DOCS = Path(__file__).resolve().parents[2] / "docs" / "images.md"


def _doc_examples() -> tuple[str, list[tuple[str, str]]]:
    """The registry-config.json block and every `$ conveyor ...` example with its output."""
    text = DOCS.read_text(encoding="utf-8")
    config = re.search(r"```json registry-config.json\n(.*?)```", text, re.DOTALL)
    assert config is not None
    examples: list[tuple[str, str]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
            command, _, output = chunk.partition("\n")
            examples.append((command, output))
    return config.group(1), examples


def test_docs_examples_really_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, examples = _doc_examples()
    assert len(examples) >= 4
    (tmp_path / "registry-config.json").write_text(config)
    monkeypatch.chdir(tmp_path)
    for command, expected in examples:
        argv = shlex.split(command)
        assert argv[0] == "conveyor"
        code = main(argv[1:])
        assert capsys.readouterr().out == expected, command
        # the docs: a reference that does not parse prints {"input", "error"} and exits 2
        assert code == (2 if '"error": ' in expected else 0), command
