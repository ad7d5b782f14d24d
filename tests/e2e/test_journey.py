"""A person's first visit, in a real browser: sign up, verify, sign in, switch language."""

import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import RespondentType, User

pytestmark = pytest.mark.e2e

CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+")
NARROWEST_PHONE = {"width": 320, "height": 640}


def spanish(message: str) -> str:
    """The Spanish the site shows for ``message`` (the catalogues keep changing)."""
    with translation.override("es"):
        translated = translation.gettext(message)
    assert translated != message, f"no Spanish translation for {message!r}"
    return translated


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang")


def header(page: Page):
    return page.locator("header.site-header")


def submit(page: Page) -> None:
    """Presses the main form's submit button and waits for the next page."""
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def sign_in_with_form(page: Page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    submit(page)


def test_sign_up_verify_sign_in_and_switch_language(page, browser_log, mailoutbox, password):
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert html_lang(page) == "es"

    with page.expect_navigation():
        header(page).locator("a[href='/accounts/signup/']").click()
    expect(page.locator("h1")).to_have_text(spanish("Sign Up"))
    page.locator("input[name=email]").fill("ana.quispe@example.org")
    page.locator("input[name=display_name]").fill("Ana Quispe")
    page.locator("input[name=password1]").fill(password)
    page.locator("input[name=password2]").fill(password)
    page.locator("select[name=region]").select_option(label="Cusco")
    page.locator("select[name=respondent_type]").select_option(RespondentType.ACADEMIA.value)
    page.locator("input[name=privacy_consent]").check()
    submit(page)

    # allauth's "verification sent" page; nobody is signed in until the link is followed.
    assert page.url.endswith("/accounts/confirm-email/")
    expect(header(page).locator("a[href='/accounts/login/']")).to_be_visible()
    person = User.objects.get(email="ana.quispe@example.org")
    assert person.display_name == "Ana Quispe"
    assert person.region.code == "cusco"
    assert person.respondent_type == RespondentType.ACADEMIA
    assert person.privacy_consents.filter(
        notice_version=settings.APORTA_PRIVACY_NOTICE_VERSION
    ).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ana.quispe@example.org"]
    link = CONFIRMATION_LINK.search(mailoutbox[0].body)
    assert link, mailoutbox[0].body

    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: the link shows a page with a button.
    page.goto(link.group(0))
    assert not person.emailaddress_set.get().verified
    expect(page.locator("h1")).to_have_text(spanish("Confirm Email Address"))
    submit(page)
    assert person.emailaddress_set.get().verified
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION signs the person in straight away.
    expect(header(page).get_by_role("link", name="Ana Quispe")).to_be_visible()

    with page.expect_navigation():
        header(page).locator("form[action='/accounts/logout/'] button").click()
    expect(header(page).get_by_role("link", name="Ana Quispe")).to_have_count(0)
    expect(header(page).locator("a[href='/accounts/login/']")).to_be_visible()

    sign_in_with_form(page, "ana.quispe@example.org", password)
    expect(header(page).get_by_role("link", name="Ana Quispe")).to_be_visible()

    # The header's language form: Spanish by default, English after choosing it.
    page.goto("/accounts/password/reset/")
    assert html_lang(page) == "es"
    sign_out = header(page).locator("form[action='/accounts/logout/'] button")
    expect(page.locator("h1")).to_have_text(spanish("Password Reset"))
    expect(sign_out).to_have_text(spanish("Sign out"))
    expect(page.locator(".skip-link")).to_have_text(spanish("Skip to main content"))
    language_form = header(page).locator("form.language-form")
    language_form.locator("select[name=language]").select_option("en")
    with page.expect_navigation():
        language_form.locator("button[type=submit]").click()
    # set_language sends the person back to the page they were on.
    assert page.url.endswith("/accounts/password/reset/")
    assert html_lang(page) == "en"
    expect(page.locator("h1")).to_have_text("Password Reset")
    expect(sign_out).to_have_text("Sign out")
    expect(page.locator(".skip-link")).to_have_text("Skip to main content")
    expect(language_form.locator("select[name=language]")).to_have_value("en")
    # The choice sticks: the next page is English too.
    page.goto("/")
    assert html_lang(page) == "en"

    browser_log.assert_clean()


def test_sign_in_works_without_javascript(new_context, browser_log, citizen, password):
    page = new_context(java_script_enabled=False).new_page()
    sign_in_with_form(page, citizen.email, password)
    assert page.url.endswith("/")
    expect(header(page).get_by_role("link", name=citizen.display_name)).to_be_visible()
    browser_log.assert_clean()


def test_a_browser_asking_for_neither_language_gets_spanish(new_context, browser_log):
    page = new_context(locale="fr-FR").new_page()
    page.goto("/")
    assert html_lang(page) == "es"
    browser_log.assert_clean()


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_no_horizontal_scrolling_at_320_pixels(new_context, browser_log, path):
    page = new_context(viewport=NARROWEST_PHONE).new_page()
    page.goto(path)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= NARROWEST_PHONE["width"], f"{path} is {scroll_width}px wide"
    browser_log.assert_clean()


def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, browser_log):
    page.goto("/")
    page.keyboard.press("Tab")
    skip_link = page.locator(".skip-link")
    expect(skip_link).to_be_focused()
    # Off screen until focused, then inside the viewport where it can be seen.
    box = skip_link.bounding_box()
    assert box is not None
    assert box["y"] >= 0
    assert box["x"] >= 0

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
    browser_log.assert_clean()


def test_the_harness_notices_csp_violations(page, browser_log):
    """Guards the CSP assertions above against passing vacuously."""
    page.goto("/")
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.injected = true";
                document.head.append(script);
            }"""
        )
    assert browser_log.csp_violations()
    assert page.evaluate("window.injected") is None
