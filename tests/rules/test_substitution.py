"""Drone's `${...}` substitution: the expressions, `$$`, and where a compiled plan shows them."""

from __future__ import annotations

import pytest

from conveyor.compiler.compile import compile_pipeline
from conveyor.compiler.context import BuildContext
from conveyor.errors import ConfigError
from conveyor.rules.substitution import BadSubstitutionError, substitute
from tests.compiler.helpers import pipeline_of, steps_yaml

VARS = {
    "TAG": "v1.2.3",
    "SHA": "0123456789abcdef",
    "BRANCH": "feature/login/form",
    "MIXED": "abcDEF",
    "FILE": "bash.string.txt",
    "EMPTY": "",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("${TAG}", "v1.2.3"),
        ("x-${TAG}-y", "x-v1.2.3-y"),
        ("${UNKNOWN}", ""),
        ("$$", "$"),
        ("$${TAG}", "${TAG}"),
        ("$$TAG", "$TAG"),
        ("$TAG and ${TAG}", "$TAG and v1.2.3"),
        ("a } b $ c", "a } b $ c"),
        ("${#TAG}", "6"),
        ("${MIXED^}", "AbcDEF"),
        ("${MIXED^^}", "ABCDEF"),
        ("${MIXED,}", "abcDEF"),
        ("${MIXED,,}", "abcdef"),
        ("${SHA:0:8}", "01234567"),
        ("${SHA:10}", "abcdef"),
        ("${SHA:-4}", "0123456789abcdef"),
        ("${SHA:12:100}", "cdef"),
        ("${TAG##v}", "1.2.3"),
        ("${TAG#v}", "1.2.3"),
        ("${FILE#*.}", "string.txt"),
        ("${FILE##*.}", "txt"),
        ("${FILE%.*}", "bash.string"),
        ("${FILE%%.*}", "bash"),
        ("${BRANCH##*/}", "login/form"),
        ("${BRANCH/\\//-}", "feature-login/form"),
        ("${BRANCH//\\//-}", "feature-login-form"),
        ("${FILE/./}", "bashstring.txt"),
        ("${FILE/#bash/zsh}", "zsh.string.txt"),
        ("${FILE/%txt/md}", "bash.string.md"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${UNKNOWN=x${TAG}y}", "xv1.2.3y"),
        ("${TAG:=unused}", "v1.2.3"),
        ("${UNKNOWN:-${MIXED^^}}", "ABCDEF"),
        ("${TAG-default}", ""),
    ],
)
def test_expressions(text: str, expected: str) -> None:
    assert substitute(text, VARS) == expected


@pytest.mark.parametrize("text", ["${", "${TAG", "${}", "${ TAG}", "${TAG/x}", "${#}"])
def test_malformed_expressions(text: str) -> None:
    with pytest.raises(BadSubstitutionError):
        substitute(text, VARS)


def test_values_on_several_lines_are_quoted() -> None:
    assert substitute("${M}", {"M": "a\nb"}) == '"a\\nb"'


CTX = BuildContext(
    event="tag",
    ref="refs/tags/v1.2.3",
    branch="main",
    commit="abcdef0123456789abcdef0123456789abcdef01",
)


def test_a_plan_has_the_substituted_values() -> None:
    body = """\
    - name: build
      image: golang:${DRONE_TAG##v}
      environment:
        SHORT: ${DRONE_COMMIT_SHA:0:8}
      commands:
      - echo $${HOME} ${DRONE_TAG}
    - name: publish
      image: plugins/docker
      settings:
        tags: [latest, "${DRONE_TAG##v}"]
    """
    plan = compile_pipeline(pipeline_of(steps_yaml(body)), CTX)
    build, publish = plan.steps
    assert build.image == "docker.io/library/golang:1.2.3"
    assert build.environment["SHORT"] == "abcdef01"
    assert "\necho ${HOME} v1.2.3\n" in build.environment["DRONE_SCRIPT"]
    assert publish.environment["PLUGIN_TAGS"] == "latest,1.2.3"


def test_a_malformed_expression_is_an_error_at_its_field() -> None:
    body = "- name: a\n  image: x\n  commands:\n  - echo ok\n  - echo ${oops\n"
    with pytest.raises(ConfigError) as caught:
        compile_pipeline(pipeline_of(steps_yaml(body)), CTX)
    assert caught.value.span is not None
    assert (caught.value.span.line, caught.value.span.column) == (9, 5)
    assert "commands[1]" in caught.value.message


@pytest.mark.timeout(20)
@pytest.mark.parametrize("operator", ["#", "##", "%", "%%"])
def test_trimming_with_a_pathological_pattern_finishes(operator: str) -> None:
    sha = "a" * 40
    pattern = "*?" * 5000 + "*Z"
    assert substitute(f"${{SHA{operator}{pattern}}}", {"SHA": sha}) == sha
    long_value = "ab" * 5000
    assert substitute(f"${{V{operator}*?*?*?*Z}}", {"V": long_value}) == long_value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${V#[ab]}", "bc"),
        ("${V%[bc]}", "ab"),
        ("${V##[ab]*}", ""),
        ("${V%%?[c]}", "a"),
    ],
)
def test_trimming_with_classes(text: str, expected: str) -> None:
    assert substitute(text, {"V": "abc"}) == expected
