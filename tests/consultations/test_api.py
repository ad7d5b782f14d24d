import json

import pytest
from allauth.account.models import EmailAddress
from django.test import override_settings

from consultations import services
from consultations.models import Comment, Vote
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def put_json(client, path, data):
    return client.put(path, data=json.dumps(data), content_type="application/json")


def post_json(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anonymous", 401),
        ("unverified", 403),
        ("citizen", 200),
        ("moderator", 200),
        ("committee_staff", 200),
        ("administrator", 200),
    ],
)
def test_who_may_vote(client, request, consultation, persona, expected):
    if persona == "unverified":
        person = UserFactory(email_verified=False)
        client.force_login(person)
    elif persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    provision = article(consultation)
    response = put_json(
        client,
        f"/api/v1/consultations/{consultation.pk}/vote/",
        {"provision": provision.eid, "choice": "agree"},
    )
    assert response.status_code == expected


def test_a_vote_is_changed_and_withdrawn_through_the_api(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/vote/"
    eid = article(consultation).eid
    assert put_json(client, path, {"provision": eid, "choice": "agree"}).status_code == 200
    body = put_json(client, path, {"provision": eid, "choice": "abstain"}).json()
    assert (body["provision"], body["choice"], body["reason"]) == (eid, "abstain", "")
    assert Vote.objects.get(voter=citizen).choice == "abstain"
    assert client.delete(f"{path}?provision={eid}").status_code == 204
    assert not Vote.objects.filter(voter=citizen).exists()


def test_the_detail_shows_tallies_per_provision_but_never_who_voted(client, citizen, consultation):
    services.vote_cast(
        voter=citizen,
        consultation=consultation,
        provision=article(consultation),
        choice="disagree",
    )
    body = client.get(f"/api/v1/consultations/{consultation.pk}/").json()
    row = next(t for t in body["tallies"] if t["provision"] == article(consultation).eid)
    assert row["disagree"] == 1
    assert citizen.email not in json.dumps(body)
    assert citizen.display_name not in json.dumps(body)


@pytest.mark.parametrize(
    "body",
    [
        {"choice": "maybe"},
        {"choice": 1},
        {"choice": "agree", "provision": "no_such_eid"},
        {"choice": "agree", "reason": "x" * 1001},
        {"choice": "agree", "reason": 12},
        [],
        "agree",
    ],
)
def test_bad_votes_are_refused_with_field_errors(client, citizen, consultation, body):
    client.force_login(citizen)
    response = put_json(client, f"/api/v1/consultations/{consultation.pk}/vote/", body)
    assert response.status_code in {400, 404}
    assert not Vote.objects.exists()


def test_comments_are_posted_and_listed_with_the_public_name_only(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    response = post_json(client, path, {"text": "<script>alert(1)</script> Opino que sí."})
    assert response.status_code == 201
    client.logout()
    listing = client.get(path).json()
    assert listing["count"] == 1
    assert listing["results"][0]["author"] == citizen.display_name
    assert citizen.email not in json.dumps(listing)


def test_naughty_strings_through_the_comment_api_are_stored_exactly(
    client, citizen, consultation, naughty_strings
):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    with override_settings(APORTA_PARTICIPATION_RATE_LIMITS={"comment": (10**6, 10**6, 60)}):
        for text in naughty_strings[:150]:
            response = post_json(client, path, {"text": text})
            if text.strip():
                assert response.status_code == 201, text
                assert Comment.objects.latest("pk").text == text.strip()
            else:
                assert response.status_code == 400


def test_commenting_is_rate_limited_with_a_clear_429(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    statuses = [post_json(client, path, {"text": f"Comentario {n}"}).status_code for n in range(12)]
    assert statuses[:10] == [201] * 10
    assert statuses[-1] == 429


def test_supports_and_proposals_through_the_api(client, citizen, consultation):
    other = UserFactory()
    comment = services.comment_submit(author=other, consultation=consultation, text="Idea")
    client.force_login(citizen)
    assert client.put(f"/api/v1/comments/{comment.pk}/support/").status_code == 204
    assert client.put(f"/api/v1/comments/{comment.pk}/support/").status_code == 204
    assert comment.supports.count() == 1
    response = post_json(
        client,
        f"/api/v1/consultations/{consultation.pk}/proposals/",
        {"provision": article(consultation).eid, "text": "Otra redacción del artículo."},
    )
    assert response.status_code == 201


def test_an_unverified_address_is_refused_even_with_a_session(client, consultation):
    person = UserFactory(email_verified=False)
    EmailAddress.objects.filter(user=person).update(verified=False)
    client.force_login(person)
    response = post_json(
        client, f"/api/v1/consultations/{consultation.pk}/comments/", {"text": "Hola"}
    )
    assert response.status_code == 403


def test_the_consultation_list_is_public_and_paginated(client, consultation):
    body = client.get("/api/v1/consultations/").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == consultation.pk
    assert body["results"][0]["status"] == "open"
