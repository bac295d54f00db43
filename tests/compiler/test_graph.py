"""depends_on: serial by default, a DAG as written, errors for unknown names and cycles."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.errors import ConfigError
from tests.compiler.helpers import pipeline_of, steps_yaml


def edges(body: str, head: str = "") -> dict[str, tuple[str, ...]]:
    plan = compile_pipeline(pipeline_of(steps_yaml(body, head)), BuildContext())
    return {step.name: step.depends_on for step in plan.steps}


def test_serial_when_nobody_depends() -> None:
    body = "- {name: a, image: x}\n- {name: b, image: x}\n- {name: c, image: x}\n"
    head = "services:\n- {name: db, image: redis}\n"
    assert edges(body, head) == {"db": (), "a": (), "b": ("a",), "c": ("b",)}


def test_dag_as_written() -> None:
    body = (
        "- {name: a, image: x}\n"
        "- {name: b, image: x, depends_on: [a]}\n"
        "- {name: c, image: x, depends_on: [a]}\n"
        "- {name: d, image: x, depends_on: [b, c, b]}\n"
    )
    assert edges(body) == {"a": (), "b": ("a",), "c": ("a",), "d": ("b", "c")}


def test_an_edge_to_a_service_is_kept() -> None:
    # Drone: the step starts once the service has started (the runner waits for it).
    body = "- {name: a, image: x}\n- {name: b, image: x, depends_on: [db, a]}\n"
    assert edges(body, "services:\n- {name: db, image: redis}\n")["b"] == ("db", "a")


def test_an_edge_to_drones_clone_step_is_already_met() -> None:
    body = "- {name: a, image: x}\n- {name: b, image: x, depends_on: [clone, a]}\n"
    assert edges(body)["b"] == ("a",)
    assert edges("- {name: a, image: x, depends_on: [clone]}\n")["a"] == ()


def test_no_clone_step_when_clone_is_disabled() -> None:
    with pytest.raises(ConfigError, match='depends on "clone", which does not exist'):
        edges("- {name: a, image: x, depends_on: [clone]}\n", "clone: {disable: true}\n")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- {name: a, image: x, depends_on: [zz]}\n", 'depends on "zz", which does not exist'),
        ("- {name: a, image: x, depends_on: [a]}\n", "depends on itself"),
        (
            "- {name: a, image: x, depends_on: [c]}\n"
            "- {name: b, image: x, depends_on: [a]}\n"
            "- {name: c, image: x, depends_on: [b]}\n",
            "depends_on forms a cycle: a -> c -> b -> a",
        ),
        ("- {name: a, image: x}\n- {name: a, image: y}\n", 'the name "a" is used by two'),
    ],
)
def test_graph_errors(body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        edges(body)
