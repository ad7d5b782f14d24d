"""Moderators' decisions: the states they move, the reasons they need, the log
they leave, and two moderators deciding the same item at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services as participation
from consultations.models import Comment, ItemStatus
from moderation import selectors, services
from moderation.models import AuditEntry
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.fixture
def held(citizen, consultation):
    item = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Son unos cojudos"
    )
    services.item_screen(kind="comment", pk=item.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.HELD
    return item


def decide(moderator, item, action, *, seen=None, reason="", note="", kind="comment"):
    return services.item_decide(
        moderator=moderator, kind=kind, pk=item.pk, action=action,
        seen_status=seen or item.status, reason=reason, note=note,
    )  # fmt: skip


def test_approving_a_held_item_publishes_it_and_logs_who_and_why(moderator, held):
    entry = decide(moderator, held, "approve", note="Crítica dura, no insulto personal.")

    held.refresh_from_db()
    assert held.status == ItemStatus.PUBLISHED
    assert (entry.actor, entry.action, entry.kind, entry.object_id) == (
        moderator, "approve", "comment", held.pk,
    )  # fmt: skip
    assert (entry.status_before, entry.status_after) == ("held", "published")
    assert entry.note == "Crítica dura, no insulto personal."
    assert entry.consultation_id == held.consultation_id


def test_rejecting_needs_a_reason_from_the_published_list(moderator, held):
    for reason in ["", "because", "INSULT"]:
        with pytest.raises(ValidationError) as refusal:
            decide(moderator, held, "reject", reason=reason)
        assert "reason" in refusal.value.message_dict
    assert not AuditEntry.objects.exists()

    entry = decide(moderator, held, "reject", reason="insult")
    assert (entry.reason, entry.status_after) == ("insult", "rejected")


def test_hide_and_restore_a_published_item(moderator, citizen, consultation):
    text = "Mi vecino vive en Av. Arequipa 1234"
    item = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text=text
    )
    decide(moderator, item, "hide", reason="personal_data")
    item.refresh_from_db()
    assert item.status == ItemStatus.HIDDEN
    decide(moderator, item, "restore")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["restore", "hide"]


@pytest.mark.parametrize(
    ("status", "action"),
    [("withdrawn", "approve"), ("withdrawn", "reject"), ("pending", "hide"), ("held", "restore"),
     ("rejected", "hide"), ("withdrawn", "restore")],
)  # fmt: skip
def test_actions_apply_only_where_they_make_sense(moderator, held, status, action):
    Comment.objects.filter(pk=held.pk).update(status=status)
    with pytest.raises(ValidationError) as refusal:
        decide(moderator, held, action, seen=status, reason="spam")
    assert refusal.value.code == "not_allowed"
    assert Comment.objects.get(pk=held.pk).status == status


def test_a_decision_on_an_item_that_changed_meanwhile_is_refused(moderator, held):
    other = UserFactory()
    user_assign_role(user=other, role=Role.MODERATOR)
    decide(other, held, "approve")

    with pytest.raises(ValidationError) as refusal:
        decide(moderator, held, "reject", seen="held", reason="insult")
    assert refusal.value.code == "conflict"
    assert Comment.objects.get(pk=held.pk).status == ItemStatus.PUBLISHED
    assert AuditEntry.objects.count() == 1


def test_only_moderators_and_administrators_decide(held, citizen, committee_staff, administrator):
    former = UserFactory()
    user_assign_role(user=former, role=Role.MODERATOR)
    former.is_active = False
    former.save(update_fields=["is_active"])
    for person in [citizen, committee_staff, former]:
        with pytest.raises(PermissionDenied):
            decide(person, held, "approve")
    user_assign_role(user=administrator, role=Role.ADMINISTRATOR)
    assert decide(administrator, held, "approve").actor == administrator


@pytest.mark.parametrize(
    ("kind", "action", "note"),
    [("display_name", "approve", ""), ("comment", "delete", ""), ("comment", "approve", "x" * 1001),
     ("comment", "approve", "nul\x00")],
)  # fmt: skip
def test_malformed_decisions_are_refused_clearly(moderator, held, kind, action, note):
    with pytest.raises(ValidationError):
        services.item_decide(moderator=moderator, kind=kind, pk=held.pk, action=action,
                             seen_status="held", note=note)  # fmt: skip
    assert Comment.objects.get(pk=held.pk).status == ItemStatus.HELD


def test_a_vote_reason_is_decided_without_touching_the_vote(moderator, citizen, consultation):
    vote = participation.vote_cast(
        voter=citizen, consultation=consultation, provision=article(consultation),
        choice="disagree", reason="Eres un idiota",
    )  # fmt: skip
    services.item_screen(kind="reason", pk=vote.pk)
    vote.refresh_from_db()
    decide(moderator, vote, "reject", kind="reason", seen=vote.reason_status, reason="insult")
    vote.refresh_from_db()
    assert (vote.choice, vote.reason_status) == ("disagree", ItemStatus.REJECTED)


def test_log_entries_are_never_changed_or_deleted(moderator, held):
    entry = decide(moderator, held, "approve")
    entry.note = "rewritten"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_log_entries(moderator, held):
    entry = decide(moderator, held, "approve")
    for statement in ("UPDATE moderation_auditentry SET note = 'x' WHERE id = %s",
                      "DELETE FROM moderation_auditentry WHERE id = %s"):  # fmt: skip
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(note="x")
    assert AuditEntry.objects.get(pk=entry.pk).note == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_never_both_succeed(migration_data, committee_staff):
    consultation = open_consultation(committee_staff)
    item = participation.comment_submit(
        author=UserFactory(), consultation=consultation, provision=None, text="Son unos cojudos"
    )
    services.item_screen(kind="comment", pk=item.pk)
    moderators = []
    for _ in range(2):
        person = UserFactory()
        user_assign_role(user=person, role=Role.MODERATOR)
        moderators.append(person)
    start = threading.Event()

    def decide_at_once(moderator, action):
        try:
            start.wait(timeout=30)
            decide(moderator, item, action, seen="held", reason="insult")
            return "done"
        except ValidationError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(decide_at_once, moderators[0], "approve"),
                   pool.submit(decide_at_once, moderators[1], "reject")]  # fmt: skip
        start.set()
        outcomes = sorted(future.result() for future in futures)

    assert outcomes == ["conflict", "done"]
    assert AuditEntry.objects.count() == 1
    entry = AuditEntry.objects.get()
    assert Comment.objects.get(pk=item.pk).status == entry.status_after


# --- Flags ---------------------------------------------------------------------------------


def flag(item, reason="insult", flagger=None):
    return participation.flag_add(flagger=flagger or UserFactory(), item=item, reason=reason)


def test_enough_different_people_flagging_hide_an_item_until_reviewed(
    settings, citizen, consultation, moderator
):
    settings.APORTA_FLAGS_TO_HIDE = 3
    item = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Un comentario polémico"
    )
    someone = UserFactory()
    flag(item, flagger=someone)
    flag(item, flagger=someone)  # the same person twice counts once
    flag(item, reason="spam")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED

    flag(item, reason="off_topic")

    item.refresh_from_db()
    assert item.status == ItemStatus.HIDDEN
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.note) == (None, "flagged", "3")
    queued = [queued for queued in selectors.queue() if queued.pk == item.pk]
    assert queued[0].flags == {"insult": 1, "spam": 1, "off_topic": 1}

    # The moderator keeps it: the flags are answered, the item is back.
    decide(moderator, item, "approve", seen="hidden")
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert not [queued for queued in selectors.queue() if queued.pk == item.pk]
    # Three new people are needed to hide it again.
    flag(item)
    flag(item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    flag(item)
    item.refresh_from_db()
    assert item.status == ItemStatus.HIDDEN


def test_a_flagged_published_item_waits_in_the_queue_ranked_by_its_flags(
    citizen, consultation, moderator
):
    quiet = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Texto uno"
    )
    flagged = participation.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Texto dos"
    )
    flag(flagged, reason="personal_data")

    queued = selectors.queue()
    assert [item.pk for item in queued] == [flagged.pk]
    assert queued[0].status == ItemStatus.PUBLISHED
    assert [item.pk for item in selectors.queue(rule="flagged")] == [flagged.pk]
    assert quiet.pk not in [item.pk for item in selectors.queue(rule="insult")]
