"""Telling authors about decisions (an outbox row in the decision's
transaction, the email sent later) and their one appeal, decided by another
moderator."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services as participation
from consultations.models import Comment, ItemStatus
from moderation import selectors, services
from moderation.models import Action, Appeal, AppealOutcome, AuditEntry
from notifications.models import Event, Outbox, OutboxStatus
from notifications.services import outbox_send_due
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.moderation.test_pages import sign_in

pytestmark = pytest.mark.django_db
MINE = "/accounts/contributions/"


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.fixture
def second_moderator(db):
    person = UserFactory(email="segunda@example.org", display_name="Segunda Moderadora")
    user_assign_role(user=person, role=Role.MODERATOR)
    return person


def submitted(consultation, author, text="Son unos cojudos") -> Comment:
    item = participation.comment_submit(
        author=author, consultation=consultation, provision=None, text=text
    )
    services.item_screen(kind="comment", pk=item.pk)
    item.refresh_from_db()
    return item


def decide(moderator, item, action, reason=""):
    item.refresh_from_db()
    return services.item_decide(
        moderator=moderator, kind="comment", pk=item.pk, action=action,
        seen_status=item.status, reason=reason,
    )  # fmt: skip


def appeal(author, item, text="No insulté a nadie: critiqué una decisión."):
    return services.appeal_file(author=author, kind="comment", pk=item.pk, text=text)


def links(message) -> list[str]:
    return re.findall(r"https?://\S+", message.body)


# --- Notices ---------------------------------------------------------------------------------


def test_a_rejection_tells_the_author_why_and_how_to_appeal_in_spanish(
    citizen, consultation, moderator
):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")

    row = Outbox.objects.filter(recipient__isnull=False).get()
    assert (row.event, row.recipient, row.status) == (Event.DECISION, citizen, "pending")
    assert not mail.outbox  # written now, sent later
    assert outbox_send_due() == 1

    [message] = mail.outbox
    assert message.to == [citizen.email]
    assert "no fue publicad" in message.subject
    assert "Insultos, amenazas o acoso" in message.body
    assert "Son unos cojudos" in message.body  # which contribution
    assert consultation.title in message.body
    assert f"http://testserver/accounts/contributions/comment/{item.pk}/appeal/" in links(
        message
    ) or any(f"/accounts/contributions/comment/{item.pk}/appeal/" in url for url in links(message))
    assert any(url.endswith("/moderation-policy/#reason-insult") for url in links(message))
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="' in html
    assert "#reason-insult" in html
    assert message.extra_headers["Message-ID"].startswith(f"<outbox-{row.pk}@")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)
    assert outbox_send_due() == 0  # sent once


def test_the_notice_is_in_the_authors_language(citizen, consultation, moderator):
    citizen.language = "en"
    citizen.save(update_fields=["language"])
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="personal_data")
    outbox_send_due()
    [message] = mail.outbox
    assert message.subject == "[Aporta] Your contribution was not published"
    assert "Reason: Personal data." in message.body


def test_the_notice_exists_exactly_when_the_decision_does(citizen, consultation, moderator):
    item = submitted(consultation, citizen)

    def decide_then_fail():
        with transaction.atomic():
            decide(moderator, item, "reject", reason="insult")
            raise RuntimeError("the request failed after the decision")

    with pytest.raises(RuntimeError):
        decide_then_fail()
    item.refresh_from_db()
    assert item.status == ItemStatus.HELD
    assert not Outbox.objects.filter(recipient__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_publishing_a_held_item_tells_the_author_without_an_appeal_link(
    citizen, consultation, moderator
):
    item = submitted(consultation, citizen)
    decide(moderator, item, "approve")
    outbox_send_due()
    [message] = mail.outbox
    assert "publicad" in message.subject
    assert "/appeal/" not in message.body
    assert f"/consultations/{consultation.pk}/" in message.body


def test_approving_a_flagged_published_item_changes_nothing_for_its_author(
    citizen, consultation, moderator
):
    item = submitted(consultation, citizen, text="Un comentario polémico pero correcto")
    assert item.status == ItemStatus.PUBLISHED
    participation.flag_add(flagger=UserFactory(), item=item, reason="insult")
    decide(moderator, item, "approve")
    assert not Outbox.objects.filter(recipient__isnull=False).exists()


def test_no_one_elses_address_ever_appears_in_a_notice(citizen, consultation, moderator):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    outbox_send_due()
    [message] = mail.outbox
    everything = message.body + message.alternatives[0][0] + message.subject
    assert moderator.email not in everything
    assert moderator.display_name not in everything  # who decided is staff's business
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", everything) == []


# --- Appeals ---------------------------------------------------------------------------------


def test_an_appeal_goes_back_to_the_queue_for_another_moderator(
    citizen, consultation, moderator, second_moderator
):
    item = submitted(consultation, citizen)
    decision = decide(moderator, item, "reject", reason="insult")

    filed = appeal(citizen, item)

    assert (filed.decision, filed.outcome) == (decision, AppealOutcome.OPEN)
    logged = AuditEntry.objects.filter(action=Action.APPEAL).get()
    assert (logged.actor, logged.status_before, logged.status_after) == (
        citizen, "rejected", "rejected",
    )  # fmt: skip
    assert "critiqué" not in logged.note  # the appeal's words stay with moderators

    for viewer, own in ((moderator, True), (second_moderator, False)):
        [queued] = [each for each in selectors.queue(viewer=viewer) if each.pk == item.pk]
        assert queued.appeal == filed
        assert queued.own_decision is own
    assert [each.pk for each in selectors.queue(rule=selectors.APPEALED)] == [item.pk]

    with pytest.raises(ValidationError) as refusal:
        decide(moderator, item, "restore")
    assert refusal.value.code == "own_decision"

    decide(second_moderator, item, "restore")
    item.refresh_from_db()
    filed.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert (filed.outcome, filed.decided_by) == (AppealOutcome.OVERTURNED, second_moderator)
    assert item.pk not in [each.pk for each in selectors.queue()]


def test_an_upheld_appeal_leaves_the_item_as_it_was_and_tells_the_author(
    citizen, consultation, moderator, second_moderator
):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    appeal(citizen, item)
    outbox_send_due()
    mail.outbox.clear()

    entry = decide(second_moderator, item, "uphold")

    item.refresh_from_db()
    assert item.status == ItemStatus.REJECTED
    assert (entry.action, entry.status_before, entry.status_after) == (
        "uphold", "rejected", "rejected",
    )  # fmt: skip
    assert Appeal.objects.get().outcome == AppealOutcome.UPHELD
    assert Outbox.objects.filter(event=Event.APPEAL_DECIDED).count() == 1
    outbox_send_due()
    [message] = mail.outbox
    assert "/appeal/" not in message.body  # one appeal only
    assert "Son unos cojudos" in message.body


def test_each_contribution_is_appealed_once(citizen, consultation, moderator, second_moderator):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    appeal(citizen, item)
    with pytest.raises(ValidationError) as refusal:
        appeal(citizen, item, "Otra vez")
    assert refusal.value.code == "appealed"
    decide(second_moderator, item, "uphold")
    with pytest.raises(ValidationError) as refusal:
        appeal(citizen, item, "Y otra más")
    assert refusal.value.code == "appealed"
    assert Appeal.objects.count() == 1


def test_only_the_author_appeals_and_only_a_moderators_rejection_or_hiding(
    citizen, consultation, moderator, settings
):
    item = submitted(consultation, citizen)
    with pytest.raises(ValidationError) as refusal:
        appeal(citizen, item)  # held: nothing decided yet
    assert refusal.value.code == "not_appealable"
    decide(moderator, item, "reject", reason="insult")
    with pytest.raises(PermissionDenied):
        appeal(UserFactory(), item)

    settings.APORTA_FLAGS_TO_HIDE = 1
    flagged = submitted(consultation, citizen, text="Opino distinto sobre el artículo")
    participation.flag_add(flagger=UserFactory(), item=flagged, reason="spam")
    flagged.refresh_from_db()
    assert flagged.status == ItemStatus.HIDDEN
    with pytest.raises(ValidationError) as refusal:
        appeal(citizen, flagged)  # hidden by flags: a moderator reviews it anyway
    assert refusal.value.code == "not_appealable"


@pytest.mark.parametrize("text", ["", "   ", "\x00texto", "x" * 2001])
def test_an_appeal_needs_a_reasonable_text(citizen, consultation, moderator, text):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    with pytest.raises(ValidationError):
        appeal(citizen, item, text)
    assert not Appeal.objects.exists()


def test_upholding_applies_only_to_an_appeal(citizen, consultation, moderator):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    with pytest.raises(ValidationError) as refusal:
        decide(moderator, item, "uphold")
    assert refusal.value.code == "not_allowed"


def test_an_appeal_does_not_answer_citizens_flags(citizen, consultation, moderator, settings):
    settings.APORTA_FLAGS_TO_HIDE = 2
    item = submitted(consultation, citizen, text="Opino distinto sobre el artículo")
    participation.flag_add(flagger=UserFactory(), item=item, reason="spam")
    decide(moderator, item, "hide", reason="spam")
    appeal(citizen, item)
    assert services.open_flaggers("comment", item.pk) == 0  # the hiding answered it
    assert services.last_decision("comment", item.pk).action == "hide"


def test_a_rejected_public_name_can_be_appealed(citizen, moderator, second_moderator):
    citizen.display_name_status = "held"
    citizen.save(update_fields=["display_name_status"])
    services.item_decide(
        moderator=moderator, kind="display_name", pk=citizen.pk, action="reject",
        seen_status="held", reason="impersonation",
    )  # fmt: skip
    services.appeal_file(author=citizen, kind="display_name", pk=citizen.pk, text="Es mi nombre")
    assert [each.kind for each in selectors.queue(rule=selectors.APPEALED)] == ["display_name"]
    services.item_decide(
        moderator=second_moderator, kind="display_name", pk=citizen.pk, action="restore",
        seen_status="rejected",
    )  # fmt: skip
    citizen.refresh_from_db()
    assert citizen.public_name == citizen.display_name


# --- Pages -------------------------------------------------------------------------------------


def test_a_citizen_sees_their_own_contributions_and_no_one_elses(
    client, citizen, consultation, moderator
):
    mine = submitted(consultation, citizen)
    decide(moderator, mine, "reject", reason="insult")
    published = submitted(consultation, citizen, text="Apoyo el artículo tal como está")
    other = submitted(consultation, UserFactory(), text="Texto de otra persona, retenido: idiota")

    assert client.get(MINE).status_code == 302
    page = sign_in(client, citizen).get(MINE)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Son unos cojudos" in html
    assert "Apoyo el artículo" in html
    assert "Texto de otra persona" not in html
    assert f"/accounts/contributions/comment/{mine.pk}/appeal/" in html
    assert f"/accounts/contributions/comment/{published.pk}/appeal/" not in html
    assert "#reason-insult" in html
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    assert client.get(f"/accounts/contributions/comment/{other.pk}/appeal/").status_code == 404


def test_appealing_from_the_page(client, citizen, consultation, moderator):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    sign_in(client, citizen)
    url = f"/accounts/contributions/comment/{item.pk}/appeal/"
    assert client.get(url).status_code == 200

    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400
    assert not Appeal.objects.exists()

    done = client.post(url, {"text": "Critiqué una norma, no a una persona."})
    assert done.status_code == 302
    assert done["Location"] == MINE
    assert Appeal.objects.get().text == "Critiqué una norma, no a una persona."

    again = client.post(url, {"text": "Otra vez"})
    assert again.status_code == 400
    assert Appeal.objects.count() == 1


def test_appeals_are_rate_limited(client, citizen, consultation, moderator, settings):
    limits = settings.APORTA_PARTICIPATION_RATE_LIMITS
    settings.APORTA_PARTICIPATION_RATE_LIMITS = {**limits, "appeal": (1, 100, 3600)}
    sign_in(client, citizen)
    items = [submitted(consultation, citizen, text=f"idiota número {n}") for n in range(2)]
    for item in items:
        decide(moderator, item, "reject", reason="insult")
    assert client.post(f"{MINE}comment/{items[0].pk}/appeal/", {"text": "Uno"}).status_code == 302
    refused = client.post(f"{MINE}comment/{items[1].pk}/appeal/", {"text": "Dos"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    ["comment/999999/appeal/", "vote/1/appeal/", "nonsense/1/appeal/",
     "comment/99999999999999999999999/appeal/"],
)  # fmt: skip
def test_appeal_urls_for_nothing_of_yours_are_not_found(client, citizen, path):
    assert sign_in(client, citizen).get(f"{MINE}{path}").status_code == 404


def test_every_naughty_appeal_is_saved_as_written_or_refused_with_a_message(
    client, citizen, consultation, moderator, naughty_strings, settings
):
    limits = settings.APORTA_PARTICIPATION_RATE_LIMITS
    settings.APORTA_PARTICIPATION_RATE_LIMITS = {**limits, "appeal": (1000, 1000, 3600)}
    sign_in(client, citizen)
    problems = []
    for text in naughty_strings[::7][:60]:
        item = submitted(consultation, citizen, text=f"idiota {len(text)}")
        if item.status != ItemStatus.HELD:
            continue
        decide(moderator, item, "reject", reason="insult")
        response = client.post(f"{MINE}comment/{item.pk}/appeal/", {"text": text})
        if response.status_code == 302:
            saved = Appeal.objects.get(object_id=item.pk).text
            if saved.strip() != text.strip().replace("\r\n", "\n"):
                problems.append((text, "changed", saved))
        elif response.status_code == 400:
            if 'class="errorlist' not in response.content.decode():
                problems.append((text, "refused without a message"))
        else:
            problems.append((text, response.status_code))
    assert not problems, problems[:10]


def test_the_deciding_moderator_sees_the_appeal_but_not_its_buttons(
    client, citizen, consultation, moderator, second_moderator
):
    item = submitted(consultation, citizen)
    decide(moderator, item, "reject", reason="insult")
    appeal(citizen, item)
    own = sign_in(Client(), moderator).get("/staff/moderation/").content.decode()
    other = sign_in(Client(), second_moderator).get("/staff/moderation/").content.decode()
    for html in (own, other):
        assert "critiqué una decisión" in html
    assert 'value="uphold"' not in own
    assert 'value="uphold"' in other
    assert 'value="restore"' in other


def test_the_policy_page_explains_every_reason_with_an_anchor(client):
    html = client.get("/moderation-policy/").content.decode()
    for reason in ("insult", "discrimination", "personal_data", "spam", "impersonation",
                   "off_topic"):  # fmt: skip
        assert f'id="reason-{reason}"' in html
