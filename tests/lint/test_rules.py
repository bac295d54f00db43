"""Each lint rule, table-driven: a small file and the (code, line, column, path) it yields."""

from __future__ import annotations

import pytest

from conveyor.config.loader import load_text
from conveyor.lint import lint
from conveyor.rules.dependencies import find_cycles
from conveyor.source import Diagnostic

HEAD = "kind: pipeline\nname: p\n"
# Line 3 is the first line after HEAD.

Row = tuple[str, int, int, str]


def _lint(text: str, *, trusted: bool = False) -> list[Diagnostic]:
    return lint(load_text(text, "f.yml"), trusted=trusted)


def _rows(body: str, *, trusted: bool = False) -> list[Row]:
    return [
        (d.code, d.span.line if d.span else 0, d.span.column if d.span else 0, d.path)
        for d in _lint(HEAD + body, trusted=trusted)
    ]


CASES: list[tuple[str, str | None, list[Row]]] = [
    ("clean", "steps:\n- name: a\n  image: alpine\n", []),
    (
        "duplicate step",
        "steps:\n- name: a\n  image: x\n- name: a\n  image: x\n",
        [("E101", 6, 9, "steps[1].name")],
    ),
    (
        "duplicate service",
        "services:\n- {name: a, image: x}\n- {name: a, image: x}\n",
        [("E101", 5, 10, "services[1].name")],
    ),
    (
        "step and service share a name",
        "steps:\n- {name: db, image: x}\nservices:\n- {name: db, image: x}\n",
        [("E102", 6, 10, "services[0].name")],
    ),
    ("step without name", "steps:\n- image: x\n", [("E104", 4, 3, "steps[0]")]),
    ("step without image", "steps:\n- name: a\n", [("E120", 4, 3, "steps[0].image")]),
    ("service without image", "services:\n- name: a\n", [("E120", 4, 3, "services[0].image")]),
    ("empty image", "steps:\n- name: a\n  image: ''\n", [("E120", 5, 10, "steps[0].image")]),
    (
        "invalid image",
        "steps:\n- name: a\n  image: Golang\n",
        [("E121", 5, 10, "steps[0].image")],
    ),
    (
        "substitution is not an invalid image",
        "steps:\n- name: a\n  image: 'x:${DRONE_TAG}'\n",
        [],
    ),
    (
        "unknown pull",
        "steps:\n- name: a\n  image: x\n  pull: yes\n",
        [("E122", 6, 9, "steps[0].pull")],
    ),
    ("unknown pipeline pull", "pull: sometimes\n", [("E122", 3, 7, "pull")]),
    (
        "unknown dependency",
        "steps:\n- name: a\n  image: x\n  depends_on: [b]\n",
        [("E110", 6, 16, "steps[0].depends_on[0]")],
    ),
    (
        "dependency on a later step is fine",
        "steps:\n- {name: a, image: x, depends_on: [b]}\n- {name: b, image: x}\n",
        [],
    ),
    (
        "cycle",
        "steps:\n- {name: a, image: x, depends_on: [b]}\n- {name: b, image: x, depends_on: [a]}\n",
        [("E111", 5, 36, "steps[1].depends_on[0]")],
    ),
    (
        "self dependency",
        "steps:\n- {name: a, image: x, depends_on: [a]}\n",
        [("E111", 4, 36, "steps[0].depends_on[0]")],
    ),
    (
        "repeated dependency",
        "steps:\n- {name: a, image: x}\n- {name: b, image: x, depends_on: [a, a]}\n",
        [("W110", 5, 39, "steps[1].depends_on[1]")],
    ),
    ("unknown pipeline dependency", "depends_on: [other]\n", [("E112", 3, 14, "depends_on[0]")]),
    (
        "Drone's clone step can be depended on",
        "steps:\n- {name: a, image: x, depends_on: [clone]}\n",
        [],
    ),
    (
        "no clone step when clone is disabled",
        "clone: {disable: true}\nsteps:\n- {name: a, image: x, depends_on: [clone]}\n",
        [("E110", 5, 36, "steps[0].depends_on[0]")],
    ),
    (
        "pull policies are case-insensitive, as in Drone",
        "pull: Always\nsteps:\n- {name: a, image: x, pull: IF-NOT-EXISTS}\n",
        [],
    ),
    (
        "Drone's fail-fast failure values",
        "steps:\n- {name: a, image: x, failure: fast}\n- {name: b, image: x, failure: fail-fast}\n"
        "- {name: c, image: x, failure: fast-fail}\n- {name: d, image: x, failure: Ignore}\n",
        [],
    ),
    (
        "failure",
        "steps:\n- {name: a, image: x, failure: fail}\n",
        [("E140", 4, 32, "steps[0].failure")],
    ),
    (
        "unknown volume and relative path",
        "steps:\n- name: a\n  image: x\n  volumes: [{name: v, path: rel}]\n",
        [("W141", 6, 20, "steps[0].volumes[0].name"), ("E144", 6, 29, "steps[0].volumes[0].path")],
    ),
    (
        "volume without host or temp",
        "volumes: [{name: v}]\n",
        [("E142", 3, 11, "volumes[0]")],
    ),
    (
        "volume with both",
        "volumes: [{name: v, temp: {}, host: {path: /x}}]\n",
        [("E142", 3, 11, "volumes[0]"), ("E130", 3, 31, "volumes[0].host")],
    ),
    (
        "duplicate volume",
        "volumes: [{name: v, temp: {}}, {name: v, temp: {}}]\n",
        [("E145", 3, 39, "volumes[1].name")],
    ),
    (
        "bad status",
        "steps:\n- {name: a, image: x, when: {status: [done]}}\n",
        [("E143", 4, 39, "steps[0].when.status.include[0]")],
    ),
    (
        "unknown event",
        "trigger:\n  event:\n    exclude: [pushh]\n",
        [("W140", 5, 15, "trigger.event.exclude[0]")],
    ),
    ("event glob", "trigger: {event: 'pull_*'}\n", []),
    ("no pipeline", None, [("E153", 1, 1, "")]),
    (
        "volume named workspace",
        "volumes: [{name: workspace, temp: {}}]\nsteps:\n- {name: a, image: x}\n",
        [("E146", 3, 18, "volumes[0].name")],
    ),
    (
        "workspace into a system directory",
        "workspace: {base: /drone, path: ../etc}\nsteps:\n- {name: a, image: x}\n",
        [("E147", 3, 1, "workspace")],
    ),
    (
        "workspace at the root",
        "workspace: {path: /}\nsteps:\n- {name: a, image: x}\n",
        [("E147", 3, 1, "workspace")],
    ),
    (
        "malformed substitution",
        "steps:\n- name: a\n  image: x\n  commands:\n  - echo ${TAG\n",
        [("E160", 7, 5, "steps[0].commands[0]")],
    ),
    (
        "malformed substitution in an image",
        "steps:\n- name: a\n  image: app:${TAG\n",
        [("E160", 5, 10, "steps[0].image")],
    ),
    (
        "literal dollar-brace",
        "steps:\n- name: a\n  image: x\n  commands:\n  - echo $${HOME}\n",
        [],
    ),
    (
        "NUL character",
        'steps:\n- name: a\n  image: x\n  environment: {A: "x\\0y"}\n',
        [("E161", 6, 20, "steps[0].environment.A")],
    ),
    (
        "invalid environment names",
        "environment: {A=B: 1}\nsteps:\n- {name: a, image: x, environment: {1A: x}}\n",
        [("E162", 3, 20, "environment.A=B"), ("E162", 5, 41, "steps[0].environment.1A")],
    ),
    (
        "from_secret inside a settings list",
        "steps:\n- name: a\n  image: x\n  settings: {tags: [{from_secret: t}]}\n",
        [("E164", 6, 20, "steps[0].settings.tags")],
    ),
    (
        "pull true",
        "steps:\n- name: a\n  image: x\n  pull: true\n",
        [("W122", 6, 9, "steps[0].pull")],
    ),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(body: str | None, expected: list[Row]) -> None:
    if body is None:
        found = [
            (d.code, d.span.line if d.span else 0, d.span.column if d.span else 0, d.path)
            for d in _lint("kind: secret\nname: s\ndata: x\n")
        ]
        assert found == expected
        return
    assert _rows(body) == expected


TRUSTED_FIELDS = [
    ("privileged: true", "privileged"),
    ("devices: [{name: d, path: /dev/d}]", "devices"),
    ("dns: [1.1.1.1]", "dns"),
    ("dns_search: [corp]", "dns_search"),
    ("extra_hosts: ['a:1.2.3.4']", "extra_hosts"),
    ("network_mode: host", "network_mode"),
    ("shm_size: 1g", "shm_size"),
]


@pytest.mark.parametrize(("line", "name"), TRUSTED_FIELDS)
def test_trusted_only_step_fields(line: str, name: str) -> None:
    body = f"steps:\n- name: a\n  image: x\n  {line}\n"
    assert _rows(body) == [("E130", 6, _column_of(line), f"steps[0].{name}")]
    assert _rows(body, trusted=True) == []


def _column_of(line: str) -> int:
    key, _, value = line.partition(": ")
    return 3 + len(key) + 2 if not value.startswith(("[", "{")) else 3


def test_privileged_false_is_fine() -> None:
    assert _rows("steps:\n- {name: a, image: x, privileged: false}\n") == []


@pytest.mark.parametrize(
    ("volume", "column"),
    [("{name: v, host: {path: /x}}", 21), ("{name: v, temp: {medium: memory}}", 36)],
)
def test_trusted_only_volumes(volume: str, column: int) -> None:
    body = f"volumes: [{volume}]\n"
    (row,) = _rows(body)
    assert row[:3] == ("E130", 3, column)
    assert _rows(body, trusted=True) == []


def test_temp_volume_on_disk_is_untrusted_fine() -> None:
    assert _rows("volumes: [{name: v, temp: {}}]\n") == []


def test_cycle_message_names_the_cycle() -> None:
    body = (
        "steps:\n- {name: a, image: x, depends_on: [c]}\n"
        "- {name: b, image: x, depends_on: [a]}\n- {name: c, image: x, depends_on: [b]}\n"
    )
    (diagnostic,) = _lint(HEAD + body)
    assert "a -> c -> b -> a" in diagnostic.message


def test_pipeline_cycle_and_duplicates_across_documents() -> None:
    text = (
        "kind: pipeline\nname: a\ndepends_on: [b]\n---\n"
        "kind: pipeline\nname: b\ndepends_on: [a]\n---\nkind: pipeline\nname: a\n"
    )
    found = [(d.code, d.span.line if d.span else 0) for d in _lint(text)]
    assert found == [("E113", 7), ("E103", 10)]
    assert "a -> b -> a" in _lint(text)[0].message


def test_a_step_may_depend_on_a_service() -> None:
    body = "steps:\n- {name: a, image: x, depends_on: [db]}\nservices:\n- {name: db, image: y}\n"
    assert _lint(HEAD + body) == []


def test_an_unknown_dependency_never_suggests_the_steps_own_name() -> None:
    body = "steps:\n- {name: build, image: x, depends_on: [buld]}\n"
    (diagnostic,) = _lint(HEAD + body)
    assert diagnostic.code == "E110"
    assert "did you mean" not in diagnostic.message
    body = "steps:\n- {name: build, image: x, depends_on: [tset]}\n- {name: test, image: x}\n"
    (diagnostic,) = _lint(HEAD + body)
    assert 'did you mean "test"?' in diagnostic.message


def test_pull_message_lists_valid_policies_and_a_guess() -> None:
    (diagnostic,) = _lint(HEAD + "steps:\n- {name: a, image: x, pull: alway}\n")
    assert "always, if-not-exists, never, default" in diagnostic.message
    assert "did you mean 'always'?" in diagnostic.message


def test_secret_and_signature_documents() -> None:
    text = HEAD + "---\nkind: secret\n---\nkind: signature\n"
    assert [d.code for d in _lint(text)] == ["E150", "E151", "E152"]


def test_every_problem_at_once_sorted_by_position() -> None:
    body = (
        "steps:\n- name: a\n  image: Bad\n  comands: [x]\n  depends_on: [zz]\n"
        "- name: a\n  pull: often\n"
    )
    found = _lint(HEAD + body)
    assert [d.code for d in found] == ["E121", "W001", "E110", "E120", "E101", "E122"]
    positions = [(d.span.line, d.span.column) for d in found if d.span]
    assert positions == sorted(positions)


def test_a_field_refused_by_the_loader_is_not_reported_again() -> None:
    found = _lint(HEAD + "steps:\n- name: a\n  image: [x]\n")
    assert [d.code for d in found] == ["E013"]


def test_long_dependency_chain_does_not_overflow() -> None:
    steps = "".join(f"- {{name: s{i}, image: x, depends_on: [s{i + 1}]}}\n" for i in range(5000))
    steps += "- {name: s5000, image: x, depends_on: [s0]}\n"
    found = _lint(HEAD + "steps:\n" + steps)
    assert [d.code for d in found] == ["E111"]


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({}, []),
        ({"a": ["b"], "b": []}, []),
        ({"a": ["a"]}, [["a", "a"]]),
        ({"a": ["b"], "b": ["a"]}, [["a", "b", "a"]]),
        ({"a": ["b", "c"], "b": ["c"], "c": []}, []),
        ({"a": ["b"], "b": ["c"], "c": ["b"]}, [["b", "c", "b"]]),
    ],
)
def test_find_cycles(graph: dict[str, list[str]], expected: list[list[str]]) -> None:
    assert find_cycles(graph) == expected


@pytest.mark.parametrize(
    "value", ["ignore", "IGNORE", "fast", "fail-fast", "fast-fail", "always", "''", "bogus"]
)
def test_lint_accepts_exactly_the_failure_values_the_compiler_accepts(value: str) -> None:
    from conveyor.compiler.compile import compile_pipeline
    from conveyor.compiler.context import BuildContext
    from conveyor.errors import ConfigError

    text = HEAD + f"steps:\n- {{name: a, image: x, failure: {value}}}\n"
    lint_ok = not _lint(text)
    try:
        compile_pipeline(load_text(text, "f.yml").file.pipelines[0], BuildContext())
    except ConfigError:
        compiled = False
    else:
        compiled = True
    assert lint_ok == compiled
    assert lint_ok is (value != "bogus")


def test_pipelines_of_other_types_get_one_note_and_no_docker_rules() -> None:
    text = (
        "kind: pipeline\ntype: vm\nname: v\npool: {use: ubuntu}\n"
        "steps:\n- {name: s, commands: [x]}\nvolumes: [{name: c, host: {path: rel}}]\n"
        "---\nkind: pipeline\nname: d\ndepends_on: [v]\nsteps:\n- {name: s, image: x}\n"
    )
    found = _lint(text)
    assert [(d.code, d.severity, d.span.line if d.span else 0) for d in found] == [
        ("N001", "note", 2)
    ]
    assert found[0].message == (
        'pipeline "v" is for another runner (type: vm); Conveyor runs and checks only '
        "`type: docker` pipelines"
    )


def test_windows_paths_are_absolute_in_windows_pipelines_only() -> None:
    pipe = r"\\\\.\\pipe\\docker_engine"  # as rancher/fleet writes it (a plain scalar)
    body = (
        f"volumes: [{{name: pipe, host: {{path: {pipe}}}}}]\n"
        "steps:\n- name: a\n  image: x\n  volumes: [{name: pipe, path: 'C:\\cache'}]\n"
    )
    assert _lint(HEAD + "platform: {os: windows}\n" + body, trusted=True) == []
    found = _lint(HEAD + body, trusted=True)
    assert [d.code for d in found] == ["E144", "E144"]
    assert found[0].message == f'path "{pipe}" must be absolute (start with /)'
    assert found[1].message == 'path "C:\\cache" must be absolute (start with /)'


@pytest.mark.parametrize(
    ("host", "advice"),
    [
        ("/var/run/docker.sock", "it mounts the Docker socket"),
        ("/run/docker.sock", "it mounts the Docker socket"),
        ("/tmp/cache", "for a cache or scratch directory, use `temp: {}`"),
    ],
)
def test_the_host_volume_error_suggests_what_fits(host: str, advice: str) -> None:
    body = f"volumes: [{{name: v, host: {{path: {host}}}}}]\nsteps:\n- {{name: a, image: x}}\n"
    (diagnostic,) = _lint(HEAD + body)
    assert diagnostic.code == "E130"
    assert advice in diagnostic.message


def test_an_environment_of_200000_variables_is_an_error() -> None:
    env = "".join(f"  V{i}: x\n" for i in range(200_000))
    found = _lint(HEAD + "environment:\n" + env + "steps:\n- {name: a, image: x}\n")
    assert [d.code for d in found] == ["E163"]
    assert "more than the 1024 KiB a container can start with" in found[0].message


def test_a_missing_document_separator_is_named() -> None:
    text = HEAD + "steps:\n- {name: a, image: x}\nkind: pipeline\nname: q\nsteps: []\n"
    found = _lint(text)
    assert [d.code for d in found] == ["W004", "W004", "W004"]
    kind = next(d for d in found if d.path == "kind")
    assert kind.message.startswith("`kind` is written twice in one document (lines 1 and 5)")
    assert kind.hint == "put a `---` line before line 5 to start a new document"
    name = next(d for d in found if d.path == "name")
    assert name.message == (
        "key 'name' is written twice (lines 2 and 6); Drone keeps the last one, and so does "
        "Conveyor: line 2 is dropped"
    )
