"""Plugin settings -> `PLUGIN_*` variables, encoded as Drone encodes them."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.compiler.settings import encode_setting
from conveyor.errors import ConfigError
from conveyor.spec.model import SettingValue
from tests.compiler.helpers import pipeline_of, steps_yaml


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("text", "text"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (1.5, "1.5"),
        (2.0, "2"),
        (1e21, "1e+21"),
        (1e-05, "1e-05"),
        (("a", "b", 3), "a,b,3"),
        ((), ""),
        ({"b": 1, "a": "x"}, '{"a":"x","b":1}'),
        ({"v": 1.0, "w": 0.5}, '{"v":1,"w":0.5}'),
        (({"a": 1}, "b"), '[{"a":1},"b"]'),
        ((("x", "y"), "z"), '[["x","y"],"z"]'),
        ({"k": ("a", True, None)}, '{"k":["a",true,null]}'),
        ("ünï", "ünï"),
    ],
)
def test_encode_setting(value: SettingValue, encoded: str) -> None:
    assert encode_setting(value) == encoded


def test_settings_become_plugin_variables_and_secret_references() -> None:
    pipeline = pipeline_of(
        steps_yaml(
            """\
            - name: publish
              image: plugins/docker
              environment:
                PLUGIN_REPO: from-env
              settings:
                repo: octocat/hello
                dry-run: true
                skip: ~
                password:
                  from_secret: docker_password
            """
        )
    )
    (step,) = compile_pipeline(pipeline, BuildContext()).steps
    assert step.environment["PLUGIN_REPO"] == "octocat/hello"  # settings win, as in Drone
    assert step.environment["PLUGIN_DRY-RUN"] == "true"
    assert "PLUGIN_SKIP" not in step.environment
    assert "PLUGIN_PASSWORD" not in step.environment
    assert step.secrets == {"PLUGIN_PASSWORD": "docker_password"}


def test_from_secret_nested_in_a_list_is_refused() -> None:
    pipeline = pipeline_of(
        steps_yaml(
            """\
            - name: publish
              image: plugins/docker
              settings:
                tags:
                - a
                - from_secret: nope
            """
        )
    )
    with pytest.raises(ConfigError, match='setting tags of step "publish"') as caught:
        compile_pipeline(pipeline, BuildContext())
    assert caught.value.span is not None
    assert caught.value.span.line >= 7
