"""The registry credential form's core: host normalised as `docker login` writes it, field errors,
and a config.json that the secret store's own parser accepts with the same login."""

from __future__ import annotations

import base64
import json
import re

import pytest

from conveyor.images.dockerconfig import parse_docker_config
from conveyor.server.secret_store import check_docker_config
from conveyor.server.web.form_errors import FormError
from conveyor.server.web.registry_form import (
    build_config,
    default_secret_name,
    normalise_host,
    pull_secrets_snippet,
)


@pytest.mark.parametrize(
    ("entered", "key"),
    [
        ("docker.io", "https://index.docker.io/v1/"),
        ("index.docker.io", "https://index.docker.io/v1/"),
        ("https://index.docker.io/v1/", "https://index.docker.io/v1/"),
        ("Registry-1.Docker.IO", "https://index.docker.io/v1/"),
        ("127.0.0.1:5001", "127.0.0.1:5001"),
        ("https://ghcr.io/", "ghcr.io"),
        ("http://localhost:5000/v2/", "localhost:5000"),
        ("  Registry.Example.COM  ", "registry.example.com"),
        ("[::1]:5000", "[::1]:5000"),
        ("localhost", "localhost"),
    ],
)
def test_host_is_normalised_as_docker_login_does(entered: str, key: str) -> None:
    assert normalise_host(entered) == key


@pytest.mark.parametrize(
    ("entered", "words"),
    [
        ("", "enter the registry host"),
        ("   ", "enter the registry host"),
        ("ftp://registry.example", "https://"),
        ("registry.example/team/app", "without a path"),
        ("user@registry.example", "without a user name"),
        ("registry.example:0", "1 to 65535"),
        ("registry.example:70000", "1 to 65535"),
        ("registry.example:http", "1 to 65535"),
        ("bad_host.example", "a name like registry.example.com"),
        ("-bad.example", "a name like registry.example.com"),
        ("two..dots", "a name like registry.example.com"),
        ("[zz::1]:5000", "not an IPv6 address"),
        ("a" * 64 + ".example", "a name like registry.example.com"),
    ],
)
def test_bad_hosts_are_refused_with_one_sentence(entered: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        normalise_host(entered)


def test_config_holds_the_login_and_parses_as_a_registry_secret() -> None:
    config = build_config(host="127.0.0.1:5001", username="ci-bot", password="p:a ss")
    document = json.loads(config.text)
    assert list(document) == ["auths"]
    assert list(document["auths"]) == ["127.0.0.1:5001"]
    auth = base64.b64decode(document["auths"]["127.0.0.1:5001"]["auth"]).decode()
    assert auth == "ci-bot:p:a ss"
    check_docker_config("docker_config_127_0_0_1_5001", config.text)
    parsed = parse_docker_config(config.text, source="secret x")
    [login] = parsed.credentials
    assert (login.registry, login.username, login.password) == (
        "127.0.0.1:5001",
        "ci-bot",
        "p:a ss",
    )
    assert config.default_name == "docker_config_127_0_0_1_5001"


def test_docker_hub_login_uses_the_hub_key_and_a_readable_name() -> None:
    config = build_config(host="docker.io", username="me", password="tok")
    assert config.key == "https://index.docker.io/v1/"
    assert config.default_name == "docker_config_docker_io"
    [login] = parse_docker_config(config.text, source="secret x").credentials
    assert login.registry == "docker.io"


def test_every_wrong_field_is_named_and_no_value_is_quoted() -> None:
    with pytest.raises(FormError) as caught:
        build_config(host="not a host", username="a:b", password="")
    errors = caught.value.errors
    assert set(errors) == {"host", "username", "password"}
    assert "':'" in errors["username"]
    assert "password" in errors["password"]
    assert "not a host" not in str(caught.value)
    assert "a:b" not in str(caught.value)


@pytest.mark.parametrize(
    ("username", "password", "field", "words"),
    [
        ("", "pw", "username", "enter the user name"),
        (" bob", "pw", "username", "spaces at its ends"),
        ("bob", "line\nbreak", "password", "line breaks"),
        ("bob", "", "password", "enter the password"),
    ],
)
def test_user_and_password_rules(username: str, password: str, field: str, words: str) -> None:
    with pytest.raises(FormError) as caught:
        build_config(host="registry.example", username=username, password=password)
    assert list(caught.value.errors) == [field]
    assert words in caught.value.errors[field]
    if password:
        assert password not in str(caught.value)


def test_the_config_repr_hides_the_password() -> None:
    config = build_config(host="registry.example", username="bob", password="hunter2")
    assert "hunter2" not in repr(config)
    assert config.text not in repr(config)


def test_names_and_snippet() -> None:
    assert default_secret_name("[::1]:5000") == "docker_config_1_5000"
    assert default_secret_name("registry.example.com") == "docker_config_registry_example_com"
    assert pull_secrets_snippet("docker_config_x") == "image_pull_secrets:\n- docker_config_x\n"
