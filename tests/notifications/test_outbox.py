"""The outbox: rows written with the change, claimed by one sender at a time,
sent once, retried with backoff while the mail server is down, throttled, and
never sent inside a database transaction."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications.models import Event, Outbox, OutboxStatus
from notifications.services import backoff, outbox_send_due
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.notifications.backends import FlakyBackend
from tests.notifications.factories import rejected

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(citizen, committee_staff, moderator):
    """Makes ``count`` rejected comments of the citizen: ``count`` outbox rows."""

    def make(count: int = 1) -> list[Outbox]:
        consultation = open_consultation(committee_staff)
        for number in range(count):
            rejected(citizen, consultation, moderator, f"Son unos cojudos, versión {number}")
        return list(Outbox.objects.filter(recipient__isnull=False).order_by("pk"))

    return make


@pytest.fixture
def flaky(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.backends.FlakyBackend"}}
    FlakyBackend.down, FlakyBackend.delivered = False, []
    yield FlakyBackend
    FlakyBackend.down, FlakyBackend.delivered = False, []


def statuses() -> list[str]:
    """The states of the emails to people (a bill's events wait for digests)."""
    rows = Outbox.objects.filter(recipient__isnull=False).order_by("pk")
    return list(rows.values_list("status", flat=True))


def test_a_mail_server_down_for_a_while_delays_mail_and_never_duplicates_it(decided, flaky):
    decided(3)
    flaky.down = True
    assert outbox_send_due() == 0
    assert statuses() == ["pending"] * 3
    row = Outbox.objects.filter(recipient__isnull=False).first()
    assert row.attempts == 1
    assert "SMTPServerDisconnected" in row.last_error
    assert row.send_after > timezone.now()  # waits before the next attempt

    assert outbox_send_due() == 0  # not due yet: nothing tried
    assert Outbox.objects.filter(recipient__isnull=False).first().attempts == 1

    flaky.down = False
    later = timezone.now() + timedelta(minutes=2)
    assert outbox_send_due(now=later) == 3
    assert outbox_send_due(now=later + timedelta(hours=1)) == 0
    assert len(flaky.delivered) == 3
    assert statuses() == ["sent"] * 3


def test_after_the_last_attempt_a_row_is_marked_failed(decided, flaky, settings):
    settings.APORTA_EMAIL_MAX_ATTEMPTS = 3
    decided(1)
    flaky.down = True
    moment = timezone.now()
    for _attempt in range(5):
        moment += timedelta(hours=2)
        outbox_send_due(now=moment)
    row = Outbox.objects.filter(recipient__isnull=False).get()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    flaky.down = False
    assert outbox_send_due(now=moment + timedelta(days=1)) == 0
    assert flaky.delivered == []


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4, 7, 8, 20)] == [
        1, 2, 4, 8, 60, 60, 60,
    ]  # fmt: skip


def test_sending_is_throttled_and_the_rest_waits_without_losing_an_attempt(decided, settings):
    settings.APORTA_EMAIL_PER_MINUTE = 2
    decided(5)
    assert outbox_send_due() == 2
    assert len(mail.outbox) == 2
    waiting = Outbox.objects.filter(status=OutboxStatus.PENDING, recipient__isnull=False)
    assert waiting.count() == 3
    assert set(waiting.values_list("attempts", flat=True)) == {0}


def test_a_sender_that_died_mid_send_is_taken_over_after_its_claim_expires(decided):
    [row] = decided(1)
    Outbox.objects.filter(pk=row.pk).update(
        status=OutboxStatus.SENDING, claim=Outbox.new_claim(), attempts=1,
        claimed_until=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    assert outbox_send_due() == 0  # still claimed by the other sender
    assert outbox_send_due(now=timezone.now() + timedelta(minutes=6)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_notice_about_something_gone_is_skipped(decided, citizen):
    [row] = decided(1)
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    assert outbox_send_due() == 0
    row.refresh_from_db()
    assert row.status == OutboxStatus.SKIPPED
    assert not mail.outbox


def test_an_unknown_item_in_a_row_is_skipped(citizen):
    Outbox.objects.create(
        event=Event.DECISION, recipient=citizen,
        payload={"kind": "comment", "object_id": 999999, "entry": 999999},
    )  # fmt: skip
    assert outbox_send_due() == 0
    assert statuses() == ["skipped"]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_inside_a_database_transaction(migration_data, decided):
    decided(1)  # committed: with eager tasks its notice went out at once
    Outbox.objects.filter(recipient__isnull=False).update(status=OutboxStatus.PENDING, sent_at=None)
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_send_due()
    assert statuses() == ["pending"]
    assert not mail.outbox


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_email_once(migration_data, decided, settings):
    settings.APORTA_EMAIL_PROMPT_PER_HOUR = 1000  # all forty go to one person
    decided(40)
    Outbox.objects.filter(recipient__isnull=False).update(
        status=OutboxStatus.PENDING, sent_at=None, attempts=0
    )
    mail.outbox.clear()
    start = threading.Event()

    def send() -> int:
        try:
            start.wait(timeout=30)
            return outbox_send_due()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(send) for _ in range(4)]
        start.set()
        counts = [future.result() for future in futures]

    assert sum(counts) == 40
    assert len(mail.outbox) == 40
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 40
    assert statuses() == ["sent"] * 40


def test_a_person_with_no_address_is_skipped(decided, citizen):
    decided(1)
    type(citizen).objects.filter(pk=citizen.pk).update(email="")
    assert outbox_send_due() == 0
    assert statuses() == ["skipped"]
    assert UserFactory  # the factory module loads (used by fixtures)
