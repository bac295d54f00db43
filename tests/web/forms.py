"""Sending a page's form as a person would (fill, press its button) and checking how an error
comes back: status 400, the sentence next to its field (`p.field-error#FIELD-error`), the
control pointing at it with aria-describedby, and no password or secret value kept."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import Page, Response, expect


@dataclass(frozen=True, slots=True, kw_only=True)
class FormCase:
    """One wrong submission: on page `path`, the form holding `anchor`, `values` filled in."""

    path: str
    anchor: str
    values: dict[str, str]
    field: str
    """The field whose error must show."""
    says: str
    """Words the error sentence must contain."""
    hidden: tuple[str, ...] = ()
    """Fields whose value must not come back (passwords, secret values)."""
    status: int = 400


def send(page: Page, anchor: str, values: dict[str, str]) -> Response:
    """Fill the form that holds control `anchor` with `values`, press its submit button; the
    answer to the POST."""
    form = page.locator(f"form:has([name={anchor}])").first
    for name, value in values.items():
        control = form.locator(f"[name={name}]").first
        if control.get_attribute("type") == "checkbox":
            control.set_checked(value == "on")
        elif control.evaluate("(el) => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    with page.expect_response(lambda answer: answer.request.method == "POST") as info:
        form.locator("[type=submit]").first.click()
    answer = info.value
    page.wait_for_load_state()
    return answer


def check_error(page: Page, case: FormCase, answer: Response) -> None:
    """The error of `case` is shown as the interface says."""
    assert answer.status == case.status, f"{case.path} {case.values}: {answer.status}"
    error = page.locator(f"#{case.field}-error")
    expect(error).to_be_visible()
    expect(error).to_have_class("field-error")
    expect(error).to_contain_text(case.says)
    described = page.locator(f"#{case.field}").get_attribute("aria-describedby") or ""
    assert f"{case.field}-error" in described.split(), described
    for name in case.hidden:
        assert page.locator(f"[name={name}]").first.input_value() == ""
    html = page.content()
    for name in case.hidden:
        secret = case.values.get(name)
        if secret:
            assert secret not in html, f"the value of {name} came back"
