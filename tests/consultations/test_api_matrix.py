"""Who may do what through the participation API: every action by every role.

Every person with a verified email address takes part as a citizen, whatever
their staff role (committee staff of this committee or of another one,
moderators, administrators); an unverified address is refused with a reason;
a visitor without credentials gets 401 with a WWW-Authenticate header.
"""

import pytest

from accounts import services as account_services
from accounts.models import Role
from consultations import services
from consultations.models import Comment, Flag, Follow, ItemStatus, Proposal, Support, Vote
from consultations.permissions import can_take_part
from tests.bills import factories as bill_factories
from tests.consultations.api_support import RecordingClient, send, undocumented
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "unverified",
    "citizen",
    "moderator",
    "committee_staff",
    "other_committee_staff",
    "administrator",
]
TAKES_PART = set(PERSONAS) - {"anonymous", "unverified"}


@pytest.fixture(scope="module", autouse=True)
def _every_answer_is_documented():
    RecordingClient.seen = set()
    yield
    assert undocumented(RecordingClient.seen) == []


@pytest.fixture
def client():
    return RecordingClient()


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.fixture
def other_committee_staff(db):
    person = UserFactory(email="other-committee@example.org")
    account_services.user_assign_role(user=person, role=Role.COMMITTEE_STAFF)
    chamber = bill_factories.chamber()
    bill_factories.committee(chamber, slug="economia").staff.add(person)
    return person


@pytest.fixture
def unverified(db):
    return UserFactory(email_verified=False)


@pytest.fixture
def author(db):
    return UserFactory(email="author@example.org", display_name="Autora")


@pytest.fixture
def others_comment(author, consultation):
    return services.comment_submit(author=author, consultation=consultation, text="Una idea")


def _person(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


def _own_comment(person, fallback, consultation, *, pending=False):
    """The person's own comment when they can have one; else someone else's."""
    if person is None or not can_take_part(person, consultation):
        return fallback
    comment = services.comment_submit(author=person, consultation=consultation, text="Mía")
    if pending:
        Comment.objects.filter(pk=comment.pk).update(status=ItemStatus.PENDING)
    return comment


def _act(action, client, person, consultation, others_comment):
    """Performs ``action``; returns (response, expected success status, check)."""
    pk = consultation.pk
    eid = article(consultation).eid
    bill = consultation.version.bill
    if action == "vote_put":
        response = send(client, "PUT", f"/api/v1/consultations/{pk}/vote/", {"choice": "agree"})
        return response, 200, lambda: Vote.objects.filter(voter=person).count() == 1
    if action == "vote_delete":
        if person is not None and can_take_part(person, consultation):
            services.vote_cast(
                voter=person, consultation=consultation, provision=None, choice="agree"
            )
        response = send(client, "DELETE", f"/api/v1/consultations/{pk}/vote/")
        return response, 204, lambda: not Vote.objects.exists()
    if action == "comment_post":
        response = send(client, "POST", f"/api/v1/consultations/{pk}/comments/", {"text": "Hola"})
        return response, 201, lambda: Comment.objects.filter(author=person).exists()
    if action == "reply":
        body = {"text": "Respuesta", "parent": others_comment.pk}
        response = send(client, "POST", f"/api/v1/consultations/{pk}/comments/", body)
        return response, 201, lambda: others_comment.replies.count() == 1
    if action == "proposal_post":
        body = {"provision": eid, "text": "Una redacción distinta del artículo."}
        response = send(client, "POST", f"/api/v1/consultations/{pk}/proposals/", body)
        return response, 201, lambda: Proposal.objects.filter(author=person).exists()
    if action == "support_put":
        response = send(client, "PUT", f"/api/v1/comments/{others_comment.pk}/support/")
        return response, 204, lambda: Support.objects.filter(supporter=person).exists()
    if action == "support_delete":
        if person is not None and can_take_part(person, consultation):
            services.support_add(supporter=person, item=others_comment)
        response = send(client, "DELETE", f"/api/v1/comments/{others_comment.pk}/support/")
        return response, 204, lambda: not Support.objects.exists()
    if action == "flag":
        body = {"reason": "spam", "detail": "Publicidad"}
        response = send(client, "PUT", f"/api/v1/comments/{others_comment.pk}/flag/", body)
        return response, 204, lambda: Flag.objects.filter(flagger=person).exists()
    if action == "follow_put":
        body = {"frequency": "daily"}
        response = send(client, "PUT", f"/api/v1/bills/{bill.slug}/follow/", body)
        return response, 200, lambda: Follow.objects.filter(follower=person).exists()
    if action == "follow_delete":
        response = send(client, "DELETE", f"/api/v1/bills/{bill.slug}/follow/")
        return response, 204, lambda: not Follow.objects.exists()
    if action == "withdraw":
        item = _own_comment(person, others_comment, consultation)
        response = send(client, "DELETE", f"/api/v1/comments/{item.pk}/")
        item.refresh_from_db()
        return response, 204, lambda: item.status == ItemStatus.WITHDRAWN
    if action == "edit":
        item = _own_comment(person, others_comment, consultation, pending=True)
        response = send(client, "PATCH", f"/api/v1/comments/{item.pk}/", {"text": "Corregida"})
        return response, 200, lambda: Comment.objects.get(pk=item.pk).text == "Corregida"
    raise AssertionError(action)


ACTIONS = [
    "vote_put",
    "vote_delete",
    "comment_post",
    "reply",
    "proposal_post",
    "support_put",
    "support_delete",
    "flag",
    "follow_put",
    "follow_delete",
    "withdraw",
    "edit",
]
# Stopping a digest is always allowed to a signed-in person: it sends nothing.
ANY_SIGNED_IN = {"follow_delete"}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_by_action(request, client, consultation, others_comment, persona, action):
    person = _person(request, persona)
    if person is not None:
        client.force_login(person)
    others_before = Comment.objects.get(pk=others_comment.pk)

    response, success, check = _act(action, client, person, consultation, others_comment)

    if persona in TAKES_PART or (persona != "anonymous" and action in ANY_SIGNED_IN):
        assert response.status_code == success, response.content
        assert check()
    elif persona == "anonymous":
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"] == "Token"
        assert response.json()["detail"]
    else:
        assert response.status_code == 403, response.content
        assert response.json()["detail"]
    others_after = Comment.objects.get(pk=others_comment.pk)
    assert (others_after.text, others_after.status) == (others_before.text, others_before.status)


@pytest.mark.parametrize("action", ["withdraw", "edit"])
@pytest.mark.parametrize("persona", sorted(TAKES_PART))
def test_nobody_withdraws_or_edits_someone_elses_item(
    request, client, consultation, others_comment, persona, action
):
    client.force_login(request.getfixturevalue(persona))
    Comment.objects.filter(pk=others_comment.pk).update(status=ItemStatus.PENDING)

    if action == "withdraw":
        response = send(client, "DELETE", f"/api/v1/comments/{others_comment.pk}/")
    else:
        response = send(client, "PATCH", f"/api/v1/comments/{others_comment.pk}/", {"text": "X"})

    # A pending item of someone else is not visible: it does not even exist.
    assert response.status_code == 404
    others_comment.refresh_from_db()
    assert (others_comment.text, others_comment.status) == ("Una idea", ItemStatus.PENDING)


def test_unverified_people_are_told_why(client, consultation, unverified):
    client.force_login(unverified)
    response = send(
        client, "POST", f"/api/v1/consultations/{consultation.pk}/comments/", {"text": "Hola"}
    )
    assert response.status_code == 403
    assert "verif" in response.json()["detail"].lower()
