"""What every page shares: security headers, HTML error pages (the API keeps JSON), the
static files, the layout's landmarks, and forms refusing other encodings."""

from __future__ import annotations

from .conftest import Browser


def test_pages_have_security_headers_and_the_api_keeps_its_own(browser: Browser) -> None:
    page = browser.client.get("/login")
    assert page.headers["content-security-policy"] == (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
    )
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "same-origin"
    api = browser.client.get("/api/user")
    assert api.status_code == 401
    assert api.json() == {"message": "unauthorized: send Authorization: Bearer TOKEN"}
    assert "content-security-policy" not in api.headers


def test_unknown_page_is_an_html_404_and_unknown_api_path_json(browser: Browser) -> None:
    browser.sign_in()
    page = browser.client.get("/a/b/c/d/e/f/g")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "page not found" in page.text
    assert browser.client.get("/api/nothing/here").json() == {"message": "not found"}


def test_static_files_with_etag(browser: Browser) -> None:
    for name, kind in (
        ("app.css", "text/css"),
        ("htmx.min.js", "text/javascript"),
        ("sse.js", "text/javascript"),
        ("app.js", "text/javascript"),
    ):
        answer = browser.client.get(f"/static/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith(kind)
        again = browser.client.get(
            f"/static/{name}", headers={"If-None-Match": answer.headers["etag"]}
        )
        assert again.status_code == 304
    assert browser.client.get("/static/../app.py").status_code == 404
    assert browser.client.get("/static/nothing.css").status_code == 404
    assert browser.client.get("/static/__init__.py").status_code == 404


def test_layout_has_landmarks_labels_and_no_inline_script(browser: Browser) -> None:
    login = browser.client.get("/login").text
    assert '<main id="main">' in login
    assert '<label for="login">' in login
    assert '<label for="password">' in login
    browser.sign_in()
    page = browser.client.get("/account").text
    assert '<header class="top">' in page
    assert '<nav aria-label="Main">' in page
    assert 'aria-current="page">Account' in page
    assert "<script>" not in page
    assert " onclick=" not in page
    assert ' style="' not in page


def test_a_form_must_be_urlencoded(browser: Browser) -> None:
    browser.sign_in()
    answer = browser.client.post("/logout", json={"csrf_token": "x"})
    assert answer.status_code == 415
    assert "x-www-form-urlencoded" in answer.text


def test_the_current_section_is_marked(browser: Browser) -> None:
    browser.sign_in()
    account = browser.client.get("/account").text
    assert account.count('aria-current="page"') == 1
    assert 'aria-current="page">Account' in account
    home = browser.client.get("/").text
    assert home.count('aria-current="page"') == 1
    assert 'aria-current="page">Repositories' in home
