"""The email preferences page (follows and their frequencies, emails about
one's contributions, the staff summary) and the outbox page for
administrators, hostile input included."""

import re
import smtplib
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.utils import timezone
from lxml import html

from consultations.models import Follow
from notifications import digests
from notifications.models import Digest, Event, Outbox, OutboxStatus, Preferences
from notifications.services import outbox_send_due, preferences_of
from tests.bills.factories import published_bill
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.notifications.factories import rejected

pytestmark = pytest.mark.django_db
PAGE, OUTBOX = "/accounts/notifications/", "/staff/outbox/"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def bills():
    return (
        published_bill("100/2026-CR"),
        published_bill("200/2026-CR"),
        published_bill("300/2026-CR"),
    )


@pytest.fixture
def following(citizen, bills):
    """The citizen follows the first bill daily and the second weekly."""
    Follow.objects.create(follower=citizen, bill=bills[0], frequency="daily")
    Follow.objects.create(follower=citizen, bill=bills[1], frequency="weekly")
    return citizen


@pytest.fixture
def signed_in(client, citizen) -> Client:
    client.force_login(citizen)
    return client


def frequencies(person) -> dict:
    return dict(Follow.objects.filter(follower=person).values_list("bill_id", "frequency"))


def shown(response) -> dict:
    """The frequency each follow field of the page shows, by bill id."""
    page = html.fromstring(response.content)
    return {
        int(select.get("name").removeprefix("follow_")): select.xpath("option[@selected]/@value")[0]
        for select in page.xpath("//main//select[starts-with(@name, 'follow_')]")
    }


def state() -> tuple:
    return (
        sorted(Follow.objects.values_list("follower_id", "bill_id", "frequency")),
        sorted(
            Preferences.objects.values_list("user_id", "about_my_contributions", "staff_summary")
        ),
    )


def sign_in_with_mfa(user) -> Client:
    client = Client()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


# --- Who reaches the page, and what it shows ----------------------------------------------------


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(PAGE, {"about_my_contributions": "on"}).status_code == 302
    assert Preferences.objects.count() == 0


def test_a_person_sees_their_follows_with_their_frequencies(signed_in, following, bills):
    Follow.objects.create(follower=UserFactory(), bill=bills[2], frequency="daily")

    response = signed_in.get(PAGE)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert shown(response) == {bills[0].pk: "daily", bills[1].pk: "weekly"}  # not others'
    assert bills[2].number not in response.content.decode()
    assert response.context["form"]["about_my_contributions"].value() is True


def test_a_person_who_follows_nothing_sees_an_empty_list(signed_in):
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    assert shown(response) == {}
    assert response.context["form"].follows == []


def test_changing_a_frequency_is_kept(signed_in, following, bills):
    response = signed_in.post(
        PAGE,
        {"about_my_contributions": "on", f"follow_{bills[0].pk}": "weekly",
         f"follow_{bills[1].pk}": "daily"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert frequencies(following) == {bills[0].pk: "weekly", bills[1].pk: "daily"}
    assert shown(signed_in.get(PAGE)) == {bills[0].pk: "weekly", bills[1].pk: "daily"}


def test_never_ends_the_follow_and_its_digests(signed_in, following, bills, committee_staff):
    consultation = open_consultation(committee_staff, version=bills[0].versions.get())
    response = signed_in.post(
        PAGE,
        {"about_my_contributions": "on", f"follow_{bills[0].pk}": "never",
         f"follow_{bills[1].pk}": "weekly"},
    )  # fmt: skip
    assert response.status_code == 302
    assert frequencies(following) == {bills[1].pk: "weekly"}
    assert shown(signed_in.get(PAGE)) == {bills[1].pk: "weekly"}
    assert consultation.status == "open"  # news of the first bill today
    _period, made = digests.digests_plan(frequency="daily", now=timezone.now() + timedelta(days=1))
    assert made == 0


def test_turning_off_emails_about_my_contributions_skips_the_next_notice(
    signed_in, citizen, committee_staff, moderator
):
    response = signed_in.post(PAGE, {})  # the box left unticked
    assert response.status_code == 302
    assert preferences_of(citizen).about_my_contributions is False
    assert signed_in.get(PAGE).context["form"]["about_my_contributions"].value() is False

    consultation = open_consultation(committee_staff)
    row = rejected(citizen, consultation, moderator)
    assert outbox_send_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.SKIPPED
    assert mail.outbox == []

    signed_in.post(PAGE, {"about_my_contributions": "on"})  # and back on
    rejected(citizen, consultation, moderator, "Idiotas")
    assert outbox_send_due() == 1
    assert [message.to for message in mail.outbox] == [[citizen.email]]


@pytest.mark.parametrize("persona", ["moderator", "committee_staff", "administrator"])
def test_staff_can_turn_off_their_daily_summary(persona, request):
    person = request.getfixturevalue(persona)
    client = Client()
    client.force_login(person)
    page = client.get(PAGE)
    assert "staff_summary" in page.context["form"].fields
    assert html.fromstring(page.content).xpath("//main//input[@name='staff_summary'][@checked]")

    assert client.post(PAGE, {"about_my_contributions": "on"}).status_code == 302

    assert preferences_of(person).staff_summary is False
    summary = Outbox.objects.create(
        event=Event.STAFF_SUMMARY, recipient=person, payload={"moderation": {"held": 2}}
    )
    assert outbox_send_due() == 0
    summary.refresh_from_db()
    assert summary.status == OutboxStatus.SKIPPED


def test_the_staff_summary_switch_is_not_offered_to_citizens(signed_in, citizen):
    page = signed_in.get(PAGE)
    assert "staff_summary" not in page.context["form"].fields
    assert 'name="staff_summary"' not in page.content.decode()
    signed_in.post(PAGE, {"about_my_contributions": "on", "staff_summary": ""})
    assert preferences_of(citizen).staff_summary is True  # the post could not change it


# --- Hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["monthly", "", "NEVER", "daily ", " weekly", "0", "1", "None", "daily\x00", "diario"]
)
def test_an_unknown_frequency_is_refused_and_changes_nothing(signed_in, following, bills, value):
    before = state()
    response = signed_in.post(
        PAGE,
        {"about_my_contributions": "", f"follow_{bills[0].pk}": value,
         f"follow_{bills[1].pk}": "daily"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors[f"follow_{bills[0].pk}"][0]
    assert state() == before


def test_a_missing_follow_field_is_refused(signed_in, following, bills):
    before = state()
    response = signed_in.post(PAGE, {f"follow_{bills[0].pk}": "weekly"})
    assert response.status_code == 400
    assert state() == before


def test_fields_for_bills_one_does_not_follow_are_ignored(signed_in, following, bills):
    neighbour = UserFactory()
    Follow.objects.create(follower=neighbour, bill=bills[2], frequency="weekly")
    fresh = published_bill("400/2026-CR")
    response = signed_in.post(
        PAGE,
        {"about_my_contributions": "on", f"follow_{bills[0].pk}": "daily",
         f"follow_{bills[1].pk}": "weekly", f"follow_{bills[2].pk}": "never",
         f"follow_{fresh.pk}": "daily", "follow_999999": "daily", "follow_-1": "never",
         "follow_1 OR 1=1": "never", f"follow_{bills[2].pk}.0": "daily"},
    )  # fmt: skip
    assert response.status_code == 302
    assert frequencies(following) == {bills[0].pk: "daily", bills[1].pk: "weekly"}
    assert frequencies(neighbour) == {bills[2].pk: "weekly"}
    assert Follow.objects.count() == 3


def test_a_post_without_the_csrf_token_is_refused(following, bills):
    client = Client(enforce_csrf_checks=True)
    client.force_login(following)
    before = state()
    response = client.post(PAGE, {f"follow_{bills[0].pk}": "never"})
    assert response.status_code == 403
    assert state() == before


def test_naughty_strings_in_every_field_never_break_the_page(
    naughty_strings, signed_in, following, bills
):
    before = state()
    for text in naughty_strings:
        everything = {
            "about_my_contributions": text,
            "staff_summary": text,
            f"follow_{bills[0].pk}": text,
            f"follow_{bills[1].pk}": text,
            f"follow_{text}": "never",
            text: "never",
        }
        response = signed_in.post(PAGE, everything)
        assert response.status_code == 400, text  # no naughty string is a frequency
        assert state() == before


def test_naughty_strings_in_the_switches_are_read_as_ticked_boxes(
    naughty_strings, signed_in, following, bills
):
    for text in naughty_strings[:150]:
        response = signed_in.post(
            PAGE,
            {f"follow_{text}": "never", "about_my_contributions": text,
             f"follow_{bills[0].pk}": "daily", f"follow_{bills[1].pk}": "weekly"},
        )  # fmt: skip
        assert response.status_code == 302, text
        ticked = text.lower() != "false"  # what a browser's checkbox sends is "on"
        assert preferences_of(following).about_my_contributions is ticked, text
    assert frequencies(following) == {bills[0].pk: "daily", bills[1].pk: "weekly"}


def test_only_get_head_and_post_are_answered(signed_in, following):
    before = state()
    for method in ("put", "patch", "delete"):
        assert getattr(signed_in, method)(PAGE).status_code == 405
    assert state() == before


# --- The outbox page for administrators ---------------------------------------------------------


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as servers do."""

    def send_messages(self, messages):
        refused = {
            address: (550, f"5.1.1 <{address}>: Recipient address rejected".encode())
            for message in messages
            for address in message.to
        }
        raise smtplib.SMTPRecipientsRefused(refused)


@pytest.fixture
def traffic(citizen, committee_staff, moderator, settings):
    """Two notices sent, one that failed for good, one waiting, and a digest."""
    consultation = open_consultation(committee_staff)
    rejected(citizen, consultation, moderator, "Son unos cojudos")
    rejected(citizen, consultation, moderator, "Otra vez: cojudos")
    assert outbox_send_due() == 2
    settings.APORTA_EMAIL_MAX_ATTEMPTS = 1
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    victim = UserFactory(email="persona.reservada@example.org")
    rejected(victim, consultation, moderator, "Son idiotas")
    assert outbox_send_due() == 0
    Outbox.objects.create(event=Event.REPLY, recipient=citizen, payload={})
    Digest.objects.create(
        recipient=citizen, frequency="weekly", period_start=consultation.opens_at.date()
    )
    return victim


@pytest.mark.parametrize(
    ("persona", "status"),
    [("citizen", 403), ("moderator", 403), ("committee_staff", 403), ("administrator", 200)],
)
def test_only_administrators_see_the_outbox(persona, status, request):
    person = request.getfixturevalue(persona)
    assert sign_in_with_mfa(person).get(OUTBOX).status_code == status


def test_a_visitor_is_sent_to_sign_in_from_the_outbox(client):
    response = client.get(OUTBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_administrator_without_a_second_factor_sets_one_up_first(administrator):
    client = Client()
    client.force_login(administrator)
    response = client.get(OUTBOX)
    assert response.status_code == 302
    assert "2fa" in response["Location"]


def test_the_outbox_shows_counts_per_kind_and_state(traffic, administrator):
    response = sign_in_with_mfa(administrator).get(OUTBOX)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    statuses = response.context["statuses"]
    counts = {
        str(label): dict(zip(statuses, numbers, strict=True))
        for label, numbers in response.context["events"]
    }
    decisions = counts[str(Event.DECISION.label)]
    assert (decisions[OutboxStatus.SENT], decisions[OutboxStatus.FAILED]) == (2, 1)
    assert counts[str(Event.REPLY.label)][OutboxStatus.PENDING] == 1
    [period] = response.context["periods"]
    assert (period["pending"], period["sent"], period["failed"]) == (1, 0, 0)
    assert response.context["oldest_pending"] is not None
    [failure] = response.context["failures"]
    assert failure.recipient == traffic


def test_the_outbox_shows_no_ones_address(traffic, administrator, citizen, moderator):
    page = sign_in_with_mfa(administrator).get(OUTBOX).content.decode()
    assert "550" in page  # what failed is there…
    for person in (traffic, citizen, moderator, administrator):
        assert person.email not in page
    assert ADDRESS.search(page) is None  # …and no one's address


def test_the_outbox_page_with_nothing_sent_yet(administrator):
    response = sign_in_with_mfa(administrator).get(OUTBOX)
    assert response.status_code == 200
    assert response.context["events"] == []
    assert response.context["oldest_pending"] is None
