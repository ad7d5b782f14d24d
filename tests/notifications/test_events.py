"""Every event that may produce an email is a row written with the change
that caused it: consultations opening and closing soon, new versions, replies,
and the staff's daily summaries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_assign_role
from bills import services as bills
from consultations import services as participation
from moderation import services as moderation
from notifications.models import Event, Outbox
from notifications.services import outbox_send_due, preferences_save
from notifications.summaries import staff_summaries_add
from tests.bills.factories import published_bill, tree
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def events(kind):
    return Outbox.objects.filter(event=kind)


def test_a_consultation_opening_is_one_event_of_its_bill(committee_staff):
    consultation = open_consultation(committee_staff)
    [opened] = events(Event.CONSULTATION_OPENED)
    assert (opened.bill_id, opened.consultation_id, opened.recipient) == (
        consultation.version.bill_id, consultation.pk, None,
    )  # fmt: skip
    participation.consultations_open_and_close_due()
    assert events(Event.CONSULTATION_OPENED).count() == 1


def test_a_new_version_is_an_event_and_the_first_is_not():
    bill = published_bill()
    assert not events(Event.NEW_VERSION).exists()
    version = bills.bill_version_create(
        bill=bill, result=tree(3, changed={2: "Otro texto."}), source_format="text",
        source_name="v2.txt", source_bytes=b"v2",
    )  # fmt: skip
    bills.bill_version_publish(version=version)
    [event] = events(Event.NEW_VERSION)
    assert (event.bill_id, event.payload) == (bill.pk, {"version": 2, "previous": 1})


def test_closing_soon_is_said_once_within_48_hours(committee_staff):
    consultation = open_consultation(committee_staff)
    closes = consultation.closes_at
    assert participation.consultations_closing_soon(now=closes - timedelta(hours=49)) == 0
    assert participation.consultations_closing_soon(now=closes - timedelta(hours=47)) == 1
    assert participation.consultations_closing_soon(now=closes - timedelta(hours=2)) == 0
    assert events(Event.CLOSING_SOON).count() == 1


def test_an_event_exists_only_if_its_change_does(citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    parent = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Mi comentario"
    )

    def reply_then_fail():
        with transaction.atomic():
            participation.comment_submit(
                author=UserFactory(), consultation=consultation, provision=None,
                text="Una respuesta", parent=parent,
            )  # fmt: skip
            raise RuntimeError("the request failed after the reply")

    with pytest.raises(RuntimeError):
        reply_then_fail()
    assert not events(Event.REPLY).exists()


# --- Staff summaries -------------------------------------------------------------------------


def test_moderators_get_the_days_figures_once(moderator, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    item = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Son unos cojudos"
    )
    moderation.item_screen(kind="comment", pk=item.pk)

    assert staff_summaries_add() >= 1
    assert staff_summaries_add() == 0  # once a day
    [row] = events(Event.STAFF_SUMMARY).filter(recipient=moderator)
    assert row.payload["moderation"]["waiting"] == 1

    outbox_send_due()
    [message] = [each for each in mail.outbox if each.to == [moderator.email]]
    assert "1 aporte espera una decisión" in message.body
    assert "/staff/moderation/" in message.body
    assert citizen.email not in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_committee_staff_get_their_own_consultations_activity(committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Apoyo el proyecto"
    )
    stranger = UserFactory()
    user_assign_role(user=stranger, role=Role.COMMITTEE_STAFF)  # of no committee

    staff_summaries_add()

    [row] = events(Event.STAFF_SUMMARY).filter(recipient=committee_staff)
    [figures] = row.payload["consultations"]
    assert (figures["id"], figures["comments"], figures["total_comments"]) == (
        consultation.pk, 1, 1,
    )  # fmt: skip
    assert figures["unanswered"] == 1
    outbox_send_due()
    [message] = [each for each in mail.outbox if each.to == [committee_staff.email]]
    assert "1 aporte publicado aún sin respuesta" in message.body
    assert not events(Event.STAFF_SUMMARY).filter(recipient=stranger).exists()  # nothing to say


def test_no_summary_for_staff_who_turned_it_off(moderator, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    item = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Son unos cojudos"
    )
    moderation.item_screen(kind="comment", pk=item.pk)
    preferences_save(user=moderator, about_my_contributions=True, staff_summary=False)
    staff_summaries_add(now=timezone.now())
    assert not events(Event.STAFF_SUMMARY).filter(recipient=moderator).exists()
