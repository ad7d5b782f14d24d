"""Email preferences and unsubscribe links in Chromium: a frequency changed
and kept, a real link from a digest pressed through to its end, and axe on
every state of both pages in both languages (CSP left on, as people get them)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from consultations.models import Follow
from notifications import digests
from notifications import unsubscribe as links
from tests.bills.factories import published_bill
from tests.consultations.factories import open_consultation
from tests.e2e.test_accessibility import AXE_OPTIONS, LANGUAGES, describe
from tests.factories import UserFactory
from tests.notifications.test_unsubscribe import old_token

pytestmark = pytest.mark.e2e
PAGE = "/accounts/notifications/"


def follows_two_bills(person) -> None:
    Follow.objects.create(follower=person, bill=published_bill("100/2026-CR"), frequency="daily")
    Follow.objects.create(follower=person, bill=published_bill("200/2026-CR"), frequency="weekly")


def select_for(page: Page, number: str):
    """The frequency select of the followed bill ``number``."""
    return page.locator("main .field").filter(has_text=number).locator("select")


def test_a_changed_frequency_is_saved_and_kept(context, sign_in, citizen, browser_log):
    follows_two_bills(citizen)
    sign_in(context, citizen)
    page = context.new_page()
    page.goto(PAGE)
    expect(select_for(page, "100/2026-CR")).to_have_value("daily")

    select_for(page, "100/2026-CR").select_option("weekly")
    select_for(page, "200/2026-CR").select_option("never")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    assert urlsplit(page.url).path == PAGE
    expect(page.locator(".messages")).to_be_visible()
    expect(select_for(page, "100/2026-CR")).to_have_value("weekly")
    expect(select_for(page, "200/2026-CR")).to_have_count(0)  # "never" stopped following it
    page.reload()
    expect(select_for(page, "100/2026-CR")).to_have_value("weekly")
    frequencies = Follow.objects.filter(follower=citizen).values_list("bill__number", "frequency")
    assert list(frequencies) == [("100/2026-CR", "weekly")]
    browser_log.assert_clean()


def test_the_link_in_a_digest_unsubscribes_once_pressed(context, committee_staff, browser_log):
    consultation = open_consultation(committee_staff)
    reader = UserFactory()
    Follow.objects.create(follower=reader, bill=consultation.version.bill, frequency="weekly")
    moment = timezone.now() + timedelta(days=7)
    period, _made = digests.digests_plan(frequency="weekly", now=moment)
    for first, last in digests.digest_batches(period):
        digests.digests_send(first=first, last=last, now=moment)
    [digest] = mail.outbox
    header = digest.extra_headers["List-Unsubscribe"].strip("<>")
    page = context.new_page()  # not signed in: the link is enough

    page.goto(urlsplit(header).path)
    assert Follow.objects.filter(follower=reader).exists()  # opening it changes nothing
    expect(page.locator("main [role=status]")).to_have_count(0)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page.locator("main [role=status]")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    assert not Follow.objects.filter(follower=reader).exists()
    browser_log.assert_clean()


# --- axe ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """One state of the preferences or unsubscribe pages."""

    name: str
    prepare: Callable[[object], str]  # given the citizen, makes data and answers the path
    signed_in: bool = False
    status: int = 200
    then: Callable[[Page], None] | None = None


def preferences_with_follows(person) -> str:
    follows_two_bills(person)
    return PAGE


def post_an_unknown_frequency(page: Page) -> None:
    """What a tampered form gets back: the page with the field's error."""
    with page.expect_navigation():
        page.locator("main select").first.evaluate(
            """select => {
                select.add(new Option("monthly", "monthly", true, true));
                select.form.submit();
            }"""
        )
    page.locator("main [aria-invalid=true]").wait_for()


def bill_link(person) -> str:
    bill = published_bill("100/2026-CR")
    Follow.objects.create(follower=person, bill=bill, frequency="weekly")
    return urlsplit(links.url(person, links.bill_scope(bill.pk))).path


def all_link(person) -> str:
    return urlsplit(links.url(person, links.ALL)).path


def press_unsubscribe(page: Page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator("main [role=status]").wait_for()


def changed_link(person) -> str:
    return all_link(person)[:-6] + "xyz/"


def expired_link(person) -> str:
    seconds = (settings.APORTA_UNSUBSCRIBE_DAYS + 1) * 86400
    return f"/notifications/unsubscribe/{old_token(person, links.ALL, seconds=seconds)}/"


STATES = [
    State("preferences", preferences_with_follows, signed_in=True),
    State("preferences-empty", lambda person: PAGE, signed_in=True),
    State(
        "preferences-with-errors",
        preferences_with_follows,
        signed_in=True,
        then=post_an_unknown_frequency,
    ),
    State("unsubscribe-bill", bill_link),
    State("unsubscribe-all", all_link),
    State("unsubscribe-done", bill_link, then=press_unsubscribe),
    State("unsubscribe-all-done", all_link, then=press_unsubscribe),
    State("unsubscribe-changed-link", changed_link, status=400),
    State("unsubscribe-expired-link", expired_link, status=400),
]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("state", STATES, ids=lambda state: state.name)
def test_no_wcag_violations(state, language, axe, context, live_server, sign_in, citizen,
                            browser_log):  # fmt: skip
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    path = state.prepare(citizen)
    if state.signed_in:
        sign_in(context, citizen)
    page = context.new_page()

    response = page.goto(path)
    assert response.status == state.status
    assert urlsplit(page.url).path == urlsplit(path).path  # not redirected to sign in
    if state.then:
        state.then(page)
    assert page.locator("html").get_attribute("lang") == language

    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{state.name} ({language}) at {page.url}\n{describe(violations)}"
    browser_log.assert_clean()
