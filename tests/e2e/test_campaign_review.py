"""A moderator reviews a campaign in Chromium: from the queue to the campaign,
moves some texts to a new campaign, releases one with JavaScript off, and
confirms the rest. axe finds no WCAG 2.1 A/AA violation on either page."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Page

from accounts.models import Role
from accounts.services import user_assign_role
from consultations.models import Comment, ItemStatus
from moderation import services as moderation
from moderation.models import AuditEntry, Campaign, CampaignMember
from tests.consultations.factories import open_consultation
from tests.e2e.test_accessibility import AXE_OPTIONS, describe
from tests.factories import UserFactory
from tests.moderation.test_campaign_records import copies, send

pytestmark = pytest.mark.e2e


def campaign_of_eight() -> tuple[Campaign, list[Comment]]:
    organiser = UserFactory()
    user_assign_role(user=organiser, role=Role.COMMITTEE_STAFF)
    consultation = open_consultation(organiser)
    items = send(consultation, copies(8, seed=21))
    moderation.campaigns_refresh(consultation_id=consultation.pk)
    # Waiting in the queue, so the queue links to the campaign.
    Comment.objects.filter(pk__in=[item.pk for item in items]).update(status=ItemStatus.HELD)
    return Campaign.objects.get(), items


def accessible(page: Page, axe: Axe) -> None:
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    assert not violations, f"{page.url}\n{describe(violations)}"


def tick(page: Page, item: Comment) -> None:
    """Checks a text's box by clicking its label, as a person would."""
    page.locator(f"label[for=member-comment-{item.pk}]").click()


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_moderator_splits_releases_and_confirms_a_campaign(
    language, new_context, live_server, sign_in, moderator, browser_log
):
    campaign, items = campaign_of_eight()
    TOTP.activate(moderator, generate_totp_secret())
    cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
    context = new_context()
    context.add_cookies([cookie])
    sign_in(context, moderator)
    page = context.new_page()
    axe = Axe()

    # From the queue to the list of campaigns, then to this one.
    page.goto("/staff/moderation/")
    chips = page.locator(f"a.hit-chip[href='/staff/moderation/campaigns/{campaign.pk}/']")
    assert chips.count() == 8
    with page.expect_navigation():
        page.locator("main .button-row a[href='/staff/moderation/campaigns/']").click()
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("ol.queue > li").count() == 1
    accessible(page, axe)
    with page.expect_navigation():
        page.locator(f".queue-title a[href='/staff/moderation/campaigns/{campaign.pk}/']").click()
    assert page.locator("input[name=member]").count() == 8
    accessible(page, axe)

    # Two texts moved to a campaign of their own.
    tick(page, items[6])
    tick(page, items[7])
    with page.expect_navigation():
        page.locator("#members button[type=submit]:not([formaction])").click()
    assert page.locator(".message-success").count() == 1
    new = Campaign.objects.get(split_from=campaign)
    assert set(new.members.values_list("object_id", flat=True)) == {items[6].pk, items[7].pk}
    assert page.locator("input[name=member]").count() == 6
    assert page.locator(f"a[href='/staff/moderation/campaigns/{new.pk}/']").count() == 1
    accessible(page, axe)  # with the message shown

    # Nothing chosen: told so, nothing changes.
    with page.expect_navigation():
        page.locator("#members button[formaction]").click()
    assert page.locator(".message-error").count() == 1
    assert not CampaignMember.objects.filter(released_at__isnull=False).exists()

    # One released with JavaScript off: the page works without it.
    still = new_context(java_script_enabled=False)
    still.add_cookies([cookie])
    sign_in(still, moderator)
    plain = still.new_page()
    plain.goto(f"/staff/moderation/campaigns/{campaign.pk}/")
    tick(plain, items[0])
    with plain.expect_navigation():
        plain.locator("#members button[formaction]").click()
    assert plain.locator(".message-success").count() == 1
    assert plain.locator("input[name=member]").count() == 5
    released = CampaignMember.objects.get(released_at__isnull=False)
    assert released.object_id == items[0].pk

    # The rest confirmed.
    page.reload()
    with page.expect_navigation():
        page.locator("form[action$='/confirm/'] button").click()
    assert page.locator(".message-success").count() == 1
    assert page.locator("form[action$='/confirm/']").count() == 0
    campaign.refresh_from_db()
    assert campaign.confirmed_by == moderator
    assert Campaign.objects.with_figures().get(pk=campaign.pk).size == 5
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "split", "release", "confirm",
    ]  # fmt: skip
    accessible(page, axe)
    page.goto("/staff/moderation/campaigns/")
    assert page.locator("ol.queue > li").count() == 2
    accessible(page, axe)
    browser_log.assert_clean()
