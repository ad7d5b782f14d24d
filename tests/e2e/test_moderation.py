"""A moderator works the queue in Chromium with the keyboard alone."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services as participation
from consultations.models import Comment, ItemStatus
from moderation import services as moderation
from moderation.models import AuditEntry
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_three_items_moderated_with_the_keyboard_alone(context, sign_in, moderator, browser_log):
    organiser = UserFactory()
    user_assign_role(user=organiser, role=Role.COMMITTEE_STAFF)
    consultation = open_consultation(organiser)
    for text in ["Son unos cojudos.", "Llamen al 987 654 321.", "Vean http://bit.ly/x"]:
        comment = participation.comment_submit(
            author=UserFactory(), consultation=consultation, provision=None, text=text
        )
        moderation.item_screen(kind="comment", pk=comment.pk)
    TOTP.activate(moderator, generate_totp_secret())
    sign_in(context, moderator)
    page = context.new_page()
    page.goto("/staff/moderation/")

    # The riskiest (the phone number) is first: j reaches it, a approves it.
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("a")
    # The next two are rejected together: select each with x, then the bulk form.
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("b")  # to the form for the selected items
    page.keyboard.press("ArrowDown")  # reject
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first reason
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    statuses = dict(Comment.objects.values_list("text", "status"))
    assert statuses == {
        "Llamen al 987 654 321.": ItemStatus.PUBLISHED,
        "Son unos cojudos.": ItemStatus.REJECTED,
        "Vean http://bit.ly/x": ItemStatus.REJECTED,
    }
    assert AuditEntry.objects.count() == 3
    assert page.locator(".empty-state").count() == 1  # nothing left to decide
    browser_log.assert_clean()
