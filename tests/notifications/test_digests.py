"""Digests: planned once per person and period, grouped per bill and article,
in the person's language, sent once even by senders racing, and never to
someone who unsubscribed."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from consultations import services as participation
from consultations.models import Follow
from moderation import services as moderation
from notifications import digests
from notifications.models import Digest, Event, Outbox, OutboxStatus
from notifications.services import outbox_send_due, unsubscribe
from tests.bills.factories import published_bill
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory
from tests.notifications.factories import rejected

pytestmark = pytest.mark.django_db
NEXT_WEEK = timedelta(days=7)


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)  # its opening is an event of its bill


def follower(bill, frequency="weekly", **fields):
    person = UserFactory(**fields)
    Follow.objects.create(follower=person, bill=bill, frequency=frequency)
    return person


def plan_and_send(frequency="weekly", later=NEXT_WEEK):
    moment = timezone.now() + later
    period, made = digests.digests_plan(frequency=frequency, now=moment)
    sent = sum(digests.digests_send(first=a, last=b, now=moment)[0]
               for a, b in digests.digest_batches(period))  # fmt: skip
    return made, sent


def test_a_weekly_digest_names_each_followed_bill_and_what_happened(consultation):
    bill = consultation.version.bill
    reader = follower(bill)
    other_bill = published_bill("999/2026-CR")
    Outbox.objects.create(event=Event.NEW_VERSION, bill=other_bill, status="digest",
                          payload={"version": 2, "previous": 1})  # fmt: skip

    made, sent = plan_and_send()

    assert (made, sent) == (1, 1)
    [message] = mail.outbox
    assert message.to == [reader.email]
    assert "semanal" in message.subject
    assert bill.title in message.body
    assert consultation.title in message.body
    assert f"/consultations/{consultation.pk}/" in message.body
    assert "999/2026-CR" not in message.body  # not followed
    html = message.alternatives[0][0]
    assert f"/bills/{bill.slug}/" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/notifications/unsubscribe/\S+/>",
                        message.extra_headers["List-Unsubscribe"])  # fmt: skip


def test_a_period_is_planned_and_sent_once(consultation):
    follower(consultation.version.bill)
    assert plan_and_send() == (1, 1)
    assert plan_and_send() == (0, 0)
    assert outbox_send_due(now=timezone.now() + NEXT_WEEK) == 0
    assert len(mail.outbox) == 1
    assert Digest.objects.get().status == OutboxStatus.SENT


def test_daily_and_weekly_followers_get_their_own_digest(consultation):
    bill = consultation.version.bill
    daily, weekly = follower(bill, "daily"), follower(bill, "weekly")
    plan_and_send("daily", later=timedelta(days=1))
    assert [message.to for message in mail.outbox] == [[daily.email]]
    assert "diari" in mail.outbox[0].subject
    plan_and_send("weekly")
    assert [message.to for message in mail.outbox][1:] == [[weekly.email]]


def test_a_digest_is_in_the_readers_language(consultation):
    reader = follower(consultation.version.bill)
    reader.language = "en"
    reader.save(update_fields=["language"])
    plan_and_send()
    [message] = mail.outbox
    assert message.subject == "[Aporta] Your weekly summary from Aporta"
    assert "opened; it takes feedback until" in message.body


def test_a_quiet_week_sends_nothing(committee_staff):
    bill = published_bill()
    follower(bill)
    assert plan_and_send() == (0, 0)
    assert not mail.outbox


def test_new_versions_and_closing_soon_reach_the_digest(consultation, committee_staff):
    bill = consultation.version.bill
    follower(bill)
    participation.consultations_closing_soon(now=consultation.closes_at - timedelta(hours=47))
    participation.consultations_closing_soon(now=consultation.closes_at - timedelta(hours=30))
    assert Outbox.objects.filter(event=Event.CLOSING_SOON).count() == 1  # said once
    plan_and_send()
    body = mail.outbox[0].body
    assert "cierra el" in body


def test_no_one_elses_address_is_in_a_digest(consultation, citizen, moderator):
    follower(consultation.version.bill)
    plan_and_send()
    everything = mail.outbox[0].body + mail.outbox[0].alternatives[0][0]
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", everything) == []


def test_unsubscribing_from_the_bill_stops_its_digest(consultation):
    reader = follower(consultation.version.bill)
    unsubscribe(user=reader, scope=f"bill:{consultation.version.bill_id}")
    assert plan_and_send() == (0, 0)


# --- Emails about one's contributions past the hourly cap -------------------------------------


def test_past_the_hourly_cap_the_rest_wait_for_the_next_digest(
    settings, citizen, consultation, moderator
):
    settings.APORTA_EMAIL_PROMPT_PER_HOUR = 2
    for number in range(3):
        rejected(citizen, consultation, moderator, f"Son unos cojudos, versión {number}")

    assert outbox_send_due() == 2
    waiting = Outbox.objects.get(status=OutboxStatus.DIGEST, recipient=citizen)
    assert waiting.attempts == 0

    made, sent = plan_and_send("daily", later=timedelta(days=1))
    assert (made, sent) == (1, 1)
    digest = mail.outbox[-1]
    assert digest.to == [citizen.email]
    assert "versión 2" in digest.body
    waiting.refresh_from_db()
    assert waiting.status == OutboxStatus.SENT
    assert waiting.digest is not None
    assert plan_and_send("daily", later=timedelta(days=2)) == (0, 0)  # carried once


def test_a_reply_is_told_once_it_is_published(citizen, consultation):
    parent = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Mi comentario"
    )
    replier = UserFactory(display_name="Vecina Atenta")
    participation.comment_submit(
        author=replier, consultation=consultation, provision=None,
        text="Le contesto con respeto", parent=parent,
    )  # fmt: skip
    participation.comment_submit(  # one's own reply says nothing
        author=citizen, consultation=consultation, provision=None, text="Y yo", parent=parent
    )
    assert outbox_send_due() == 1
    [message] = mail.outbox
    assert "Vecina Atenta" in message.subject
    assert "Le contesto con respeto" in message.body
    assert f"#comment-{parent.pk + 1}" in message.body


def test_a_reply_waiting_for_a_moderator_is_told_after_it_is_approved(
    citizen, consultation, moderator
):
    parent = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Mi comentario"
    )
    reply = participation.comment_submit(
        author=UserFactory(), consultation=consultation, provision=None,
        text="Usted es un idiota", parent=parent,
    )  # fmt: skip
    moderation.item_screen(kind="comment", pk=reply.pk)
    assert outbox_send_due() == 0  # held: the notice waits
    row = Outbox.objects.get(event=Event.REPLY)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    moderation.item_decide(
        moderator=moderator, kind="comment", pk=reply.pk, action="approve", seen_status="held"
    )
    outbox_send_due(now=timezone.now() + timedelta(minutes=11))
    told = [message for message in mail.outbox if message.to == [citizen.email]]
    assert len(told) == 1
    assert "Usted es un idiota" in told[0].body


# --- Exactly once -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_one_digest_per_person(migration_data, committee_staff):
    consultation = open_consultation(committee_staff)
    readers = [follower(consultation.version.bill) for _ in range(30)]
    moment = timezone.now() + NEXT_WEEK
    start = threading.Event()

    def run() -> int:
        try:
            start.wait(timeout=30)
            period, _made = digests.digests_plan(frequency="weekly", now=moment)
            return sum(digests.digests_send(first=a, last=b, now=moment)[0]
                       for a, b in digests.digest_batches(period))  # fmt: skip
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(run) for _ in range(3)]
        start.set()
        sent = sum(future.result() for future in futures)

    assert sent == 30
    assert sorted(message.to[0] for message in mail.outbox) == sorted(r.email for r in readers)
    assert Digest.objects.count() == 30


def test_a_digest_counts_what_was_published_on_each_article(committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    reader = follower(consultation.version.bill)
    # Only the week's comments: the opening event is taken out of the picture.
    Outbox.objects.filter(recipient__isnull=True).delete()
    first, third = (article(consultation, number) for number in (1, 3))
    for text in ("Bien", "Muy bien"):
        participation.comment_submit(
            author=UserFactory(), consultation=consultation, provision=third, text=text
        )
    participation.proposal_submit(
        author=citizen, consultation=consultation, provision=first, text="Otra redacción",
        reason="Es más clara",
    )  # fmt: skip
    held = participation.comment_submit(
        author=citizen, consultation=consultation, provision=first, text="Son unos cojudos"
    )
    moderation.item_screen(kind="comment", pk=held.pk)  # held: not counted

    assert plan_and_send() == (1, 1)

    [message] = mail.outbox
    assert message.to == [reader.email]
    body = message.body
    assert "Artículo 1.-: 1 nueva redacción alternativa" in body
    assert "Artículo 3.-: 2 comentarios nuevos" in body
    assert body.index("Artículo 1.-") < body.index("Artículo 3.-")
    assert f"open={first.eid}&show=proposals" in body
