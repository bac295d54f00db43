"""The loader builds the spec of semantics.md section 1, with spans, and reports bad values."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conveyor.config.loader import MAX_FILE_BYTES, LoadResult, load_bytes, load_file, load_text
from conveyor.errors import ConfigError
from conveyor.spec.model import (
    Constraint,
    FromSecret,
    Pipeline,
    SecretDoc,
    SignatureDoc,
    Step,
)

HEAD = "kind: pipeline\nname: p\n"


def _load(body: str) -> LoadResult:
    return load_text(HEAD + body, "f.yml")


def _pipeline(body: str) -> Pipeline:
    result = _load(body)
    assert [d.code for d in result.diagnostics] == []
    (pipeline,) = result.file.pipelines
    return pipeline


def _step(fields: str) -> Step:
    return _pipeline("steps:\n- name: s\n" + fields).steps[0]


def _codes(body: str) -> list[tuple[str, int, int, str]]:
    return [
        (d.code, d.span.line if d.span else 0, d.span.column if d.span else 0, d.path)
        for d in _load(body).diagnostics
    ]


def test_every_step_field_is_read() -> None:
    step = _step(
        "  image: golang:1.22\n  pull: always\n  commands: [a, b]\n"
        "  entrypoint: [/bin/sh, -c]\n  command: [echo]\n  failure: ignore\n"
        "  detach: yes\n  privileged: on\n  working_dir: /w\n  user: root\n"
        "  shm_size: 64m\n  network_mode: host\n  dns: [1.1.1.1]\n  dns_search: [x.org]\n"
        "  extra_hosts: ['a:1.2.3.4']\n  cpu_limit: 2\n  mem_limit: 1073741824\n"
        "  depends_on: [x]\n  volumes: [{name: v, path: /v}]\n"
        "  devices: [{name: /dev/fuse, path: /dev/fuse}]\n"
    )
    assert step.image == "golang:1.22"
    assert step.pull == "always"
    assert step.commands == ("a", "b")
    assert step.entrypoint == ("/bin/sh", "-c")
    assert step.command == ("echo",)
    assert step.failure == "ignore"
    assert step.detach is True
    assert step.privileged is True
    assert (step.working_dir, step.user, step.network_mode) == ("/w", "root", "host")
    assert step.shm_size == 64 * 1024**2
    assert step.mem_limit == 1024**3
    assert step.cpu_limit == 2.0
    assert step.dns == ("1.1.1.1",)
    assert step.dns_search == ("x.org",)
    assert step.extra_hosts == ("a:1.2.3.4",)
    assert step.depends_on == ("x",)
    assert [(v.name, v.path) for v in step.volumes] == [("v", "/v")]
    assert [(d.name, d.path) for d in step.devices] == [("/dev/fuse", "/dev/fuse")]


def test_every_pipeline_field_is_read() -> None:
    pipeline = _pipeline(
        "type: docker\npull: if-not-exists\nplatform: {os: linux, arch: arm64}\n"
        "workspace: {path: /src}\nclone: {disable: true, depth: 5}\n"
        "steps: [{name: a, image: b}]\nservices: [{name: db, image: c}]\n"
        "volumes: [{name: t, temp: {}}, {name: h, host: {path: /h}},\n"
        "  {name: m, temp: {medium: memory}}]\n"
        "environment: {A: 1}\nimage_pull_secrets: [cfg]\ntrigger: {branch: main}\n"
        "depends_on: [other]\nnode: {zone: eu}\nconcurrency: {limit: 2}\n"
    )
    assert pipeline.pull == "if-not-exists"
    assert pipeline.platform is not None
    assert (pipeline.platform.os, pipeline.platform.arch) == ("linux", "arm64")
    assert pipeline.workspace is not None
    assert pipeline.workspace.path == "/src"
    assert pipeline.clone is not None
    assert (pipeline.clone.disable, pipeline.clone.depth) == (True, 5)
    assert [s.name for s in pipeline.steps] == ["a"]
    assert [s.name for s in pipeline.services] == ["db"]
    temp, host, memory = pipeline.volumes
    assert (temp.temp is not None, temp.host) == (True, None)
    assert host.host is not None
    assert host.host.path == "/h"
    assert memory.temp is not None
    assert memory.temp.medium == "memory"
    assert pipeline.environment == {"A": "1"}
    assert pipeline.image_pull_secrets == ("cfg",)
    assert pipeline.trigger is not None
    assert pipeline.trigger.branch == Constraint(include=("main",))
    assert pipeline.depends_on == ("other",)
    assert pipeline.node == {"zone": "eu"}
    assert pipeline.concurrency_limit == 2


def test_defaults_of_a_minimal_pipeline() -> None:
    result = load_text("kind: pipeline\n", "f.yml")
    (pipeline,) = result.file.pipelines
    assert (pipeline.name, pipeline.type, pipeline.steps) == ("default", "docker", ())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", "yes"),
        ("true", "true"),
        ("1", "1"),
        ("1.50", "1.50"),
        ("'quoted'", "quoted"),
        ("", ""),
        ("~", ""),
        ("0x1F", "0x1F"),
    ],
)
def test_environment_scalars_stay_as_written(value: str, expected: str) -> None:
    step = _step(f"  image: a\n  environment:\n    X: {value}\n")
    assert step.environment == {"X": expected}


def test_from_secret_in_environment_and_settings() -> None:
    step = _step(
        "  image: a\n  environment:\n    TOKEN: {from_secret: tok}\n"
        "  settings:\n    password: {from_secret: pw}\n    tags: [a, 1]\n"
        "    debug: yes\n    nested: {k: [1.5, ~]}\n"
    )
    assert step.environment == {"TOKEN": FromSecret(name="tok")}
    assert step.settings == {
        "password": FromSecret(name="pw"),
        "tags": ("a", 1),
        "debug": True,
        "nested": {"k": (1.5, None)},
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("main", Constraint(include=("main",))),
        ("[main, 'release/*']", Constraint(include=("main", "release/*"))),
        ("{include: main, exclude: [a, b]}", Constraint(include=("main",), exclude=("a", "b"))),
        ("{exclude: wip/*}", Constraint(exclude=("wip/*",))),
        ("~", Constraint()),
    ],
)
def test_condition_forms(text: str, expected: Constraint) -> None:
    step = _step(f"  image: a\n  when:\n    branch: {text}\n")
    assert step.when is not None
    assert step.when.branch == expected


def test_spans_point_at_values_and_keys() -> None:
    step = _step(
        "  image: golang\n  depends_on: [a, b]\n  environment:\n    GOOS: linux\n"
        "  when:\n    branch: [main]\n"
    )
    lines = {path: (s.line, s.column) for path, s in step.spans.items()}
    assert lines["image"] == (5, 10)
    assert lines["depends_on"] == (6, 3)
    assert lines["depends_on[1]"] == (6, 19)
    assert lines["environment.GOOS"] == (8, 11)
    assert lines["when.branch"] == (10, 5)
    assert lines["when.branch.include[0]"] == (10, 14)
    assert (step.span.line, step.span.column) == (4, 3)
    assert step.span_of("depends_on[7]") == step.spans["depends_on"]


def test_merge_keys_single_list_and_override() -> None:
    result = _load(
        "x-base: &base {image: golang, pull: always, commands: [a]}\n"
        "x-more: &more {pull: never, user: root}\n"
        "steps:\n"
        "- <<: *base\n  name: one\n  pull: if-not-exists\n"
        "- <<: [*more, *base]\n  name: two\n"
    )
    assert result.diagnostics == ()  # the x- keys only hold anchors that are used
    one, two = result.file.pipelines[0].steps
    assert (one.image, one.pull, one.commands) == ("golang", "if-not-exists", ("a",))
    assert (two.image, two.pull, two.user) == ("golang", "never", "root")


def test_anchor_keys_at_top_level_are_warnings_only() -> None:
    assert [c[0] for c in _codes("x-base: &b {a: 1}\n")] == ["W001"]  # never aliased


def test_a_top_level_key_holding_used_anchors_is_not_unknown() -> None:
    body = (
        "anchors:\n  - &image golang:1.22\n  - &unused x\n"
        "extra: &extra {y: 1}\n"
        "steps:\n- {name: a, image: *image}\n"
    )
    assert _codes(body) == [("W001", 6, 1, "extra")]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("steps:\n- name: a\n  commands: go build\n", [("E013", 5, 13, "steps[0].commands")]),
        ("steps:\n- name: a\n  image: [x]\n", [("E013", 5, 10, "steps[0].image")]),
        ("steps:\n- name: a\n  environment: [A=1]\n", [("E013", 5, 16, "steps[0].environment")]),
        ("steps:\n- name: a\n  privileged: 'true'\n", [("E013", 5, 15, "steps[0].privileged")]),
        ("steps:\n- name: a\n  shm_size: big\n", [("E015", 5, 13, "steps[0].shm_size")]),
        ("steps:\n- name: a\n  cpu_limit: 0\n", [("E015", 5, 14, "steps[0].cpu_limit")]),
        ("steps:\n- name: a\n  commands: [{a: b}]\n", [("E013", 5, 14, "steps[0].commands[0]")]),
        ("steps: {a: 1}\n", [("E013", 3, 8, "steps")]),
        ("steps: [1]\n", [("E013", 3, 9, "steps[0]")]),
        ("clone: {depth: -1}\n", [("E015", 3, 16, "clone.depth")]),
        ("concurrency: 3\n", [("E013", 3, 14, "concurrency")]),
        ("volumes: [{name: v, host: {}}]\n", [("E016", 3, 27, "volumes[0].host")]),
        ("volumes: [{temp: {}}]\n", [("E016", 3, 11, "volumes[0]")]),
        ("steps:\n- name: a\n  volumes: [{name: v}]\n", [("E016", 5, 13, "steps[0].volumes[0]")]),
        ("name: again\n", [("W004", 3, 1, "name")]),
        ("<<: 1\n", [("E014", 3, 5, "<<")]),
        (
            "environment: {A: {from_secret: [x]}}\n",
            [("E013", 3, 32, "environment.A.from_secret"), ("E013", 3, 18, "environment.A")],
        ),
        (
            "environment: {A: {secret: x}}\n",
            [("W001", 3, 19, "environment.A.secret"), ("E013", 3, 18, "environment.A")],
        ),
        ("type: exec\n", [("N001", 3, 7, "type")]),
        ("version: 1\n", [("W002", 3, 1, "version")]),
        ("steps:\n- name: a\n  memswap_limit: 1g\n", [("W002", 5, 3, "steps[0].memswap_limit")]),
        ("trigger: {paths: [a]}\n", [("W002", 3, 11, "trigger.paths")]),
        ("trigger: {branch: {only: main}}\n", [("W001", 3, 20, "trigger.branch.only")]),
        ("commands: [a]\n", [("W001", 3, 1, "commands")]),
    ],
)
def test_wrong_values_are_diagnostics(body: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert _codes(body) == expected


def test_unknown_key_suggests_the_closest_key() -> None:
    (diagnostic,) = _load("steps:\n- name: a\n  image: b\n  comands: [x]\n").diagnostics
    assert diagnostic.code == "W001"
    assert "did you mean `commands`?" in diagnostic.message


def test_a_step_field_at_pipeline_level_gets_a_hint() -> None:
    (diagnostic,) = _load("image: golang\n").diagnostics
    assert diagnostic.hint is not None
    assert "steps:" in diagnostic.hint


def test_documents_of_every_kind() -> None:
    text = (
        "kind: pipeline\nname: a\n---\nkind: secret\nname: s\nget: {path: p, name: n}\n"
        "---\nkind: secret\nname: d\ndata: xyz\n---\nkind: signature\nhmac: abc\n"
    )
    result = load_text(text, "f.yml")
    assert result.diagnostics == ()
    pipeline, secret, encrypted, signature = result.file.documents
    assert isinstance(pipeline, Pipeline)
    assert isinstance(secret, SecretDoc)
    assert (secret.name, secret.get_path, secret.get_name) == ("s", "p", "n")
    assert isinstance(encrypted, SecretDoc)
    assert encrypted.data == "xyz"
    assert isinstance(signature, SignatureDoc)
    assert signature.hmac == "abc"
    assert "xyz" not in repr(encrypted)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("name: a\nsteps: []\n", "E011"),
        ("kind: template\n", "E011"),
        ("kind: [pipeline]\n", "E013"),
        ("- a\n", "E010"),
        ("just text\n", "E010"),
        ("", "E009"),
        ("# nothing\n", "E009"),
    ],
)
def test_document_level_problems(text: str, code: str) -> None:
    assert [d.code for d in load_text(text, "f.yml").diagnostics] == [code]


def test_kindless_document_with_steps_is_still_checked() -> None:
    result = load_text("steps:\n- name: a\n  imag: b\n", "f.yml")
    assert sorted(d.code for d in result.diagnostics) == ["E011", "W001"]
    assert len(result.file.pipelines) == 1


def test_non_utf8_bytes_are_located() -> None:
    result = load_bytes(b"kind: pipeline\nname: caf\xe9\n", "f.yml")
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "E002"
    assert diagnostic.span is not None
    assert (diagnostic.span.line, diagnostic.span.column) == (2, 10)
    assert "0xe9" in diagnostic.message


def test_utf8_bom_is_accepted() -> None:
    result = load_bytes(b"\xef\xbb\xbfkind: pipeline\nname: x\n", "f.yml")
    assert result.diagnostics == ()
    assert result.file.pipelines[0].name == "x"


def test_oversized_file_is_refused_without_parsing() -> None:
    result = load_bytes(b"#" * (MAX_FILE_BYTES + 1), "f.yml")
    assert [d.code for d in result.diagnostics] == ["E008"]


def test_many_problems_are_capped() -> None:
    body = "steps:\n" + "".join(f"- name: s{i}\n  bogus: 1\n" for i in range(1200))
    found = _load(body).diagnostics
    assert len(found) == 1001
    assert found[-1].code == "W003"  # only unknown-key warnings were dropped
    assert "200 more problems (0 errors)" in found[-1].message
    body = "steps:\n" + "".join(f"- name: s{i}\n  bogus: 1\n  detach: 7\n" for i in range(600))
    found = _load(body).diagnostics
    assert found[-1].code == "E017"
    assert "(100 errors)" in found[-1].message


def test_large_file_loads(tmp_path: Path) -> None:
    step = "- name: s{i}\n  image: golang:1.22\n  commands:\n  - go test ./... -run {pad}\n"
    body = "".join(step.format(i=i, pad="x" * 60) for i in range(12_000))
    path = tmp_path / "big.yml"
    path.write_text(HEAD + "steps:\n" + body)
    result = load_file(path)
    assert result.diagnostics == ()
    assert len(result.file.pipelines[0].steps) == 12_000


def test_ten_megabyte_file_loads() -> None:
    text = HEAD + "steps:\n- name: a\n  image: x\n  commands:\n  - echo " + "y" * 10_000_000 + "\n"
    result = load_text(text, "f.yml")
    assert result.diagnostics == ()
    assert len(result.file.pipelines[0].steps[0].commands[0]) == 10_000_005


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_file(tmp_path / "nope.yml")


def test_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="directory"):
        load_file(tmp_path)


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    parent = tmp_path / "a-file"
    parent.write_text("")
    with pytest.raises(ConfigError, match="cannot be read") as caught:
        load_file(parent / "pipeline.yml")
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("where", "key", "suggestion"),
    [
        ("step", "comands", "commands"),
        ("step", "enviroment", "environment"),
        ("step", "environement", "environment"),
        ("step", "dependsOn", "depends_on"),
        ("step", "entry_point", "entrypoint"),
        ("step", "imag", "image"),
        ("step", "env", "environment"),
        ("step", "network", "network_mode"),
        ("step", "hostname", None),
        ("step", "secrets", None),
        ("step", "labels", None),
        ("pipeline", "trigers", "trigger"),
        ("pipeline", "secrets", None),
        ("when", "branches", "branch"),
        ("when", "statuses", "status"),
        ("when", "tag", None),
        ("when", "environment", None),
    ],
)
def test_did_you_mean_suggests_only_close_keys(
    where: str, key: str, suggestion: str | None
) -> None:
    body = {
        "step": f"steps:\n- name: a\n  image: b\n  {key}: x\n",
        "pipeline": f"{key}: x\n",
        "when": f"steps:\n- name: a\n  image: b\n  when:\n    {key}: x\n",
    }[where]
    (diagnostic,) = _load(body).diagnostics
    assert diagnostic.code == "W001"
    if suggestion is None:
        assert "did you mean" not in diagnostic.message
    else:
        assert diagnostic.message.endswith(f"did you mean `{suggestion}`?")


def test_a_key_of_elsewhere_gets_its_hint_and_no_guess() -> None:
    (diagnostic,) = _load("steps:\n- name: a\n  image: b\n  services: x\n").diagnostics
    assert diagnostic.hint is not None
    assert "pipeline" in diagnostic.hint
    assert "did you mean" not in diagnostic.message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mem_limit", "99999999999999999999999"),
        ("mem_limit", "9999999999999g"),
        ("shm_size", "99999999999999999999p"),
        ("cpu_limit", "99999999999999999999"),
    ],
)
def test_limits_docker_cannot_hold_are_errors(field: str, value: str) -> None:
    (diagnostic,) = _load(f"steps:\n- name: a\n  image: b\n  {field}: {value}\n").diagnostics
    assert (diagnostic.code, diagnostic.path) == ("E015", f"steps[0].{field}")


def test_ports_of_a_service_are_accepted_and_ignored() -> None:
    (diagnostic,) = _load("services:\n- name: db\n  image: b\n  ports: [5432]\n").diagnostics
    assert diagnostic.code == "W002"
    assert "no port is published" in diagnostic.message


@pytest.mark.timeout(20)
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / ".drone.yml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is not a regular file") as caught:
        load_file(fifo)
    assert caught.value.exit_code == 2


def test_a_symlink_out_of_the_project_is_refused_unread(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0\n")
    project = tmp_path / "project"
    project.mkdir()
    link = project / ".drone.yml"
    link.symlink_to(outside)
    with pytest.raises(ConfigError, match="outside the project directory") as caught:
        load_file(link, project=project)
    assert "root:x" not in caught.value.render()


def test_a_symlink_inside_the_project_is_followed(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text(HEAD + "steps:\n- {name: a, image: x}\n")
    link = tmp_path / ".drone.yml"
    link.symlink_to(tmp_path / "ci.yml")
    assert load_file(link, project=tmp_path).diagnostics == ()
