"""Who may do what on the consultation page: every participation action for
every kind of person, as the browser sends it (htmx), checked in the database."""

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services
from consultations.models import Comment, Flag, Follow, ItemStatus, Proposal, Support, Vote
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PERSONAS = [
    "anonymous",
    "unverified",
    "citizen",
    "moderator",
    "staff_of_this_committee",
    "staff_of_another_committee",
    "administrator",
]
TAKE_PART = {"citizen", "moderator", "staff_of_this_committee",
             "staff_of_another_committee", "administrator"}  # fmt: skip


@pytest.fixture
def world(committee_staff, citizen, moderator, administrator):
    consultation = open_consultation(committee_staff)
    other_staff = UserFactory(email="otra@example.org")
    user_assign_role(user=other_staff, role=Role.COMMITTEE_STAFF)
    author = UserFactory(email="autora@example.org")
    comment = services.comment_submit(
        author=author, consultation=consultation, provision=article(consultation), text="Base."
    )
    proposal = services.proposal_submit(
        author=author, consultation=consultation, provision=article(consultation), text="Otro."
    )
    people = {
        "anonymous": None,
        "unverified": UserFactory(email="sin-verificar@example.org", email_verified=False),
        "citizen": citizen,
        "moderator": moderator,
        "staff_of_this_committee": committee_staff,
        "staff_of_another_committee": other_staff,
        "administrator": administrator,
    }
    return consultation, comment, proposal, people


def act(client, consultation, comment, proposal, action):
    key = article(consultation).eid
    pk = consultation.pk
    requests = {
        "vote": ("consultations:vote", [pk], {"unit": key, "choice": "agree"}),
        "vote_bill": ("consultations:vote", [pk], {"unit": "bill", "choice": "abstain"}),
        "comment": ("consultations:comment", [pk], {"unit": key, "text": "Nuevo comentario."}),
        "reply": ("consultations:comment", [pk],
                  {"unit": key, "text": "Respuesta.", "parent": comment.pk}),
        "proposal": ("consultations:proposal", [pk], {"unit": key, "text": "Texto propio."}),
        "support": ("consultations:support", [pk, "comment", comment.pk], {}),
        "support_proposal": ("consultations:support", [pk, "proposal", proposal.pk], {}),
        "flag": ("consultations:flag", [pk, "comment", comment.pk], {"reason": "spam"}),
    }  # fmt: skip
    name, args, data = requests[action]
    return client.post(reverse(name, args=args), data, **HTMX)


STORED = {
    "vote": lambda: Vote.objects.filter(provision__isnull=False).count(),
    "vote_bill": lambda: Vote.objects.filter(provision__isnull=True).count(),
    "comment": lambda: Comment.objects.filter(parent=None).count() - 1,
    "reply": lambda: Comment.objects.exclude(parent=None).count(),
    "proposal": lambda: Proposal.objects.count() - 1,
    "support": lambda: Support.objects.filter(comment__isnull=False).count(),
    "support_proposal": lambda: Support.objects.filter(proposal__isnull=False).count(),
    "flag": lambda: Flag.objects.count(),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(STORED))
def test_who_may_take_part(client, world, persona, action):
    consultation, comment, proposal, people = world
    if people[persona] is not None:
        client.force_login(people[persona])
    response = act(client, consultation, comment, proposal, action)
    if persona == "anonymous":
        # htmx is told to take the whole page to the sign-in form.
        assert response.has_header("HX-Redirect") or response.status_code == 302
        assert STORED[action]() == 0
    elif persona in TAKE_PART:
        assert response.status_code in {200, 302}, response.content[:300]
        assert STORED[action]() == 1
    else:
        assert response.status_code in {302, 400, 403}
        assert STORED[action]() == 0


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_follow(client, world, persona):
    consultation, _comment, _proposal, people = world
    if people[persona] is not None:
        client.force_login(people[persona])
    client.post(reverse("consultations:follow", args=[consultation.pk]), {"frequency": "weekly"})
    assert Follow.objects.count() == (1 if persona in TAKE_PART else 0)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", ["comment", "proposal"])
def test_only_the_author_withdraws_or_edits(client, world, persona, kind):
    consultation, comment, proposal, people = world
    item = comment if kind == "comment" else proposal
    if people[persona] is not None:
        client.force_login(people[persona])
    withdraw = reverse("consultations:withdraw", args=[consultation.pk, kind, item.pk])
    edit = reverse("consultations:edit", args=[consultation.pk, kind, item.pk])
    response = client.post(withdraw, **HTMX)
    assert response.status_code != 200 or persona == "anonymous"
    assert client.post(edit, {"text": "Cambiado."}).status_code in {302, 403}
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert item.text in {"Base.", "Otro."}


def test_the_author_withdraws_and_edits_their_own(client, world):
    consultation, comment, _proposal, _people = world
    client.force_login(comment.author)
    withdraw = reverse("consultations:withdraw", args=[consultation.pk, "comment", comment.pk])
    assert client.post(withdraw, **HTMX).status_code == 200
    comment.refresh_from_db()
    assert comment.status == ItemStatus.WITHDRAWN
