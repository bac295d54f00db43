"""config.json parsing: auth decoding, precedence, helpers, and malformed-entry errors."""

from __future__ import annotations

import base64
import json

import pytest

from conveyor.errors import CredentialError
from conveyor.images.dockerconfig import HelperRule, decode_auth, parse_docker_config

SRC = "secret dockerconfig"
PASSWORD = "s3cr3t-Pa55"


def b64(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def doc(auths: object, **extra: object) -> str:
    return json.dumps({"auths": auths, **extra})


# auth value, user, password
DECODE = [
    (b64("user:pass"), "user", "pass"),
    (b64("user:pa:ss:"), "user", "pa:ss:"),  # split at the first ':'
    (b64("user:"), "user", ""),
    (b64("user:pass\x00\x00"), "user", "pass"),  # trailing NULs trimmed
    (b64("user:pass")[:4] + "\n" + b64("user:pass")[4:], "user", "pass"),  # line break
    (b64("user:pass")[:4] + "\r\n" + b64("user:pass")[4:], "user", "pass"),
    (b64("üser:pässword"), "üser", "pässword"),
]


@pytest.mark.parametrize(("value", "user", "password"), DECODE)
def test_decode_auth(value: str, user: str, password: str) -> None:
    assert decode_auth(value, where="w") == (user, password)


# auth value, message fragment
BAD_AUTH = [
    ("not base64!", "not valid base64"),
    (b64("user:pas").rstrip("="), "not valid base64"),  # strict: padding required
    (b64("user:pass") + " ", "not valid base64"),  # spaces are not line breaks
    (b64("userpass"), "no ':' found"),
    (b64(":pass"), "empty user name"),
    (b64(b"\xff\xfe:x"), "UTF-8"),
]


@pytest.mark.parametrize(("value", "fragment"), BAD_AUTH)
def test_decode_auth_refuses_without_showing_the_value(value: str, fragment: str) -> None:
    with pytest.raises(CredentialError) as caught:
        decode_auth(value, where="secret x, auths entry 'gcr.io'")
    assert fragment in caught.value.message
    assert "secret x, auths entry 'gcr.io'" in caught.value.message
    assert value.strip() not in caught.value.message


def test_auth_wins_over_username_and_password() -> None:
    text = doc({"gcr.io": {"auth": b64("a:b"), "username": "x", "password": "y"}})
    (cred,) = parse_docker_config(text, source=SRC).credentials
    assert (cred.username, cred.password) == ("a", "b")


def test_username_password_and_identity_token() -> None:
    text = doc(
        {
            "https://gcr.io": {"username": "u", "password": PASSWORD},
            "quay.io/v1/": {"identitytoken": "tok", "username": "u2"},
        }
    )
    got = parse_docker_config(text, source=SRC)
    assert got.errors == ()
    first, second = got.credentials
    assert (first.registry, first.key, first.source) == ("gcr.io", "https://gcr.io", SRC)
    assert first.auth_config() == {
        "username": "u",
        "password": PASSWORD,
        "serveraddress": "gcr.io",
    }
    assert second.registry == "quay.io"
    assert second.auth_config() == {"identitytoken": "tok", "serveraddress": "quay.io"}


def test_a_key_written_twice_keeps_both_logins_in_file_order() -> None:
    """JSON parsers keep only the last of two equal keys; a stale last copy would then hide
    the good first one. Both stay candidates, in file order, so the fallback can reach either."""
    first, second = b64("first:" + PASSWORD), b64("second:" + PASSWORD)
    text = f'{{"auths": {{"gcr.io": {{"auth": "{first}"}}, "gcr.io": {{"auth": "{second}"}}}}}}'
    got = parse_docker_config(text, source=SRC)
    assert [c.username for c in got.credentials] == ["first", "second"]
    assert got.errors == ()


def test_keys_match_case_insensitively_like_go_json() -> None:
    text = json.dumps({"Auths": {"gcr.io": {"Auth": b64("a:b")}}})
    (cred,) = parse_docker_config(text, source=SRC).credentials
    assert cred.username == "a"


def test_file_order_is_kept() -> None:
    text = doc({"https://gcr.io": {"auth": b64("1:x")}, "gcr.io": {"auth": b64("2:x")}})
    users = [c.username for c in parse_docker_config(text, source=SRC).credentials]
    assert users == ["1", "2"]


# entry, message fragment
MALFORMED = [
    ({"auth": "%%%"}, "not valid base64"),
    ({"auth": 12}, "'auth' must be a string"),
    ({"username": ["u"]}, "'username' must be a string"),
    ("user:pass", "must be a JSON object"),
    ({}, "has no auth, username/password or identitytoken"),
    ({"email": "a@b.c"}, "has no auth"),
]


@pytest.mark.parametrize(("entry", "fragment"), MALFORMED)
def test_malformed_entry_names_source_and_key_and_keeps_the_others(
    entry: object, fragment: str
) -> None:
    text = doc({"bad.example.com": entry, "good.example.com": {"auth": b64("u:" + PASSWORD)}})
    got = parse_docker_config(text, source=SRC)
    assert [c.registry for c in got.credentials] == ["good.example.com"]
    (error,) = got.errors
    assert error.message.startswith("secret dockerconfig, auths entry 'bad.example.com': ")
    assert fragment in error.message
    assert PASSWORD not in error.message


def test_malformed_entry_under_a_key_with_user_info_does_not_show_it() -> None:
    key = f"https://ci:{PASSWORD}@registry.example.com/v2/"
    got = parse_docker_config(doc({key: {"auth": "%%%"}}), source=SRC)
    (error,) = got.errors
    assert "auths entry 'https://registry.example.com/v2/'" in error.message
    assert PASSWORD not in error.message
    got = parse_docker_config(doc({key: {}}), source=SRC)
    assert PASSWORD not in got.errors[0].message


def test_key_without_host_is_malformed() -> None:
    got = parse_docker_config(doc({"https://": {"auth": b64("u:p")}}), source=SRC)
    assert "does not name a registry host" in got.errors[0].message


# document, message fragment
BAD_DOCUMENTS = [
    ("", "not valid JSON"),
    ("{auths:", "not valid JSON (line 1"),
    ("[]", "must be a JSON object"),
    (json.dumps({"auths": []}), '"auths" must be a JSON object'),
    (json.dumps({"gcr.io": {"auth": "x"}}), "legacy .dockercfg layout"),
    (json.dumps({"credHelpers": {"gcr.io": 1}}), "credHelpers entry 'gcr.io'"),
    (json.dumps({"credHelpers": []}), '"credHelpers" must be a JSON object'),
    (json.dumps({"credsStore": 3}), '"credsStore" must be a string'),
]


@pytest.mark.parametrize(("text", "fragment"), BAD_DOCUMENTS)
def test_unusable_documents_raise_naming_the_source(text: str, fragment: str) -> None:
    with pytest.raises(CredentialError) as caught:
        parse_docker_config(text, source="/etc/conveyor/config.json")
    assert caught.value.message.startswith("/etc/conveyor/config.json")
    assert fragment in caught.value.message


def test_empty_document_is_no_credentials_and_no_error() -> None:
    assert parse_docker_config("{}", source=SRC).credentials == ()
    assert parse_docker_config("{}", source=SRC).errors == ()


def test_helpers_are_described_not_run() -> None:
    text = json.dumps(
        {
            "auths": {"https://index.docker.io/v1/": {}},  # placeholder next to a store
            "credHelpers": {"https://GCR.io": "gcloud"},
            "credsStore": "desktop",
        }
    )
    got = parse_docker_config(text, source=SRC)
    assert got.errors == ()
    assert got.credentials == ()
    assert got.helpers == (
        HelperRule(helper="gcloud", host="gcr.io", key="https://GCR.io"),
        HelperRule(helper="desktop", host=None, key="credsStore"),
    )


def test_credential_repr_never_shows_the_password() -> None:
    text = doc({"gcr.io": {"auth": b64("user:" + PASSWORD), "identitytoken": "tok-123"}})
    (cred,) = parse_docker_config(text, source=SRC).credentials
    assert PASSWORD not in repr(cred)
    assert "tok-123" not in repr(cred)


def test_login_values_lists_every_secret_string_of_a_config() -> None:
    from conveyor.images.dockerconfig import login_values

    auth = base64.b64encode(b"bot:pass-one").decode()
    text = json.dumps(
        {
            "auths": {
                "a.example.com": {"auth": auth},
                "b.example.com": {"username": "u", "password": "pass-two"},
                "c.example.com": {"identitytoken": "token-three"},
            }
        }
    )
    assert sorted(login_values(text)) == sorted(["pass-one", "pass-two", "token-three", auth])
    assert login_values("not json") == []
    assert login_values('{"auths": {"x.io": {"auth": "%%%"}}}') == ["%%%"]
