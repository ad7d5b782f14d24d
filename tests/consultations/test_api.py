import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken

from accounts import services as account_services
from consultations import services
from consultations.models import (
    Comment,
    Flag,
    Follow,
    ItemStatus,
    Proposal,
    Vote,
)
from tests.consultations.api_support import RecordingClient, send, undocumented
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NO_LIMITS = dict.fromkeys(("vote", "comment", "flag", "follow"), (10**6, 10**6, 60))


@pytest.fixture(scope="module", autouse=True)
def _every_answer_is_documented():
    RecordingClient.seen = set()
    yield
    assert undocumented(RecordingClient.seen) == []


@pytest.fixture
def client():
    return RecordingClient()


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
        for text in naughty_strings:
            response = post_json(client, path, {"text": text})
            if text.strip():
                assert response.status_code == 201, text
                assert response.json()["text"] == text.strip()
                assert Comment.objects.latest("pk").text == text.strip()
            else:
                assert response.status_code == 400
                assert response.json()["text"]
        stored = {item["text"] for item in client.get(f"{path}?sort=newest").json()["results"]}
        assert stored <= {text.strip() for text in naughty_strings}


def test_commenting_is_rate_limited_with_a_clear_429(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    answers = [post_json(client, path, {"text": f"Comentario {n}"}) for n in range(12)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[:10] == [201] * 10
    assert statuses[-1] == 429
    # When to come back: within the limit's window (a minute for comments).
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


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


# --- Tokens and sessions ---------------------------------------------------------


@pytest.fixture
def token(citizen):
    _row, value = account_services.api_token_create(user=citizen)
    return value


def test_a_token_takes_part_without_csrf(consultation, citizen, token):
    client = RecordingClient(enforce_csrf_checks=True)
    response = send(
        client,
        "POST",
        f"/api/v1/consultations/{consultation.pk}/comments/",
        {"text": "Enviado con un token"},
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201, response.content
    assert Comment.objects.get().author == citizen


def test_a_session_write_without_csrf_is_refused(consultation, citizen):
    client = RecordingClient(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = send(
        client, "POST", f"/api/v1/consultations/{consultation.pk}/comments/", {"text": "Hola"}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        "Token aporta_" + "0" * 64,
        "Token",
        "Token a b",
        "Token \u00ff\u00fe",
        "Token " + "x" * 5000,
        "token aporta_",
    ],
)
def test_a_bad_token_is_a_401_with_a_challenge(consultation, header):
    client = RecordingClient()
    response = send(
        client,
        "POST",
        f"/api/v1/consultations/{consultation.pk}/comments/",
        {"text": "Hola"},
        HTTP_AUTHORIZATION=header,
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]
    assert not Comment.objects.exists()


def test_a_bad_token_is_refused_even_on_public_reads(consultation):
    client = RecordingClient()
    response = client.get("/api/v1/consultations/", HTTP_AUTHORIZATION="Token nope")
    assert response.status_code == 401


def test_revoked_and_expired_tokens_are_refused(consultation, citizen, token):
    client = RecordingClient()
    path = f"/api/v1/consultations/{consultation.pk}/vote/"
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert send(client, "GET", path, **auth).status_code == 200

    AuthToken.objects.filter(user=citizen).update(expiry=timezone.now() - timedelta(seconds=1))
    assert send(client, "GET", path, **auth).status_code == 401

    _row, fresh = account_services.api_token_create(user=citizen)
    digest = AuthToken.objects.get(user=citizen).digest
    account_services.api_token_revoke(user=citizen, digest=digest)
    response = send(client, "PUT", path, {"choice": "agree"}, HTTP_AUTHORIZATION=f"Token {fresh}")
    assert response.status_code == 401
    assert not Vote.objects.exists()


def test_an_anonymous_write_is_a_401_with_a_clear_message(client, consultation):
    response = send(client, "PUT", f"/api/v1/consultations/{consultation.pk}/vote/", {})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "token" in response.json()["detail"].lower()


# --- My votes ----------------------------------------------------------------------


def test_my_votes_are_mine_only(client, citizen, consultation):
    other = UserFactory()
    services.vote_cast(
        voter=other, consultation=consultation, provision=article(consultation), choice="disagree"
    )
    services.vote_cast(
        voter=citizen,
        consultation=consultation,
        provision=article(consultation, 2),
        choice="agree",
        reason="Bien",
    )
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="abstain")
    client.force_login(citizen)

    body = client.get(f"/api/v1/consultations/{consultation.pk}/vote/").json()

    assert {(vote["provision"], vote["choice"]) for vote in body} == {
        (article(consultation, 2).eid, "agree"),
        (None, "abstain"),
    }


def test_a_first_vote_costs_three_queries(client, citizen, consultation, django_assert_num_queries):
    """The session, the person (with their verified address), and the vote,
    stored by a statement that reads the consultation and the provision (its
    tally moves with it): a vote is the most frequent write, and each query
    more is felt on a busy day. A changed vote reads them first."""
    client.force_login(citizen)
    url = f"/api/v1/consultations/{consultation.pk}/vote/"
    vote = {"provision": article(consultation).eid, "choice": "agree"}
    cache.clear()  # the session too: with Redis it is read there, sparing a query
    with django_assert_num_queries(3):
        response = send(client, "PUT", url, vote)
    assert response.status_code == 200
    assert response.json()["provision"] == vote["provision"]
    assert Vote.objects.get(voter=citizen).provision == article(consultation)


def test_my_votes_need_credentials(client, consultation):
    response = client.get(f"/api/v1/consultations/{consultation.pk}/vote/")
    assert response.status_code == 401


def test_a_draft_consultation_is_not_found(client, citizen, consultation):
    consultation.status = "draft"
    consultation.save(update_fields=["status"])
    client.force_login(citizen)
    assert client.get(f"/api/v1/consultations/{consultation.pk}/").status_code == 404
    vote = {"provision": article(consultation).eid, "choice": "agree"}
    response = send(client, "PUT", f"/api/v1/consultations/{consultation.pk}/vote/", vote)
    assert response.status_code == 404


# --- Lists, filters, withdrawn items -----------------------------------------------


@pytest.fixture
def discussion(consultation):
    """Comments on article 1, on the bill, a reply, a hidden one and a pending one."""
    ana, beto, cris = UserFactory(), UserFactory(), UserFactory()
    on_article = services.comment_submit(
        author=ana, consultation=consultation, provision=article(consultation), text="Sobre el 1"
    )
    on_bill = services.comment_submit(author=beto, consultation=consultation, text="Sobre todo")
    reply = services.comment_submit(
        author=cris, consultation=consultation, parent=on_article, text="Respondo"
    )
    hidden = services.comment_submit(author=cris, consultation=consultation, text="Oculto")
    Comment.objects.filter(pk=hidden.pk).update(status=ItemStatus.HIDDEN)
    pending = services.comment_submit(author=cris, consultation=consultation, text="Pendiente")
    Comment.objects.filter(pk=pending.pk).update(status=ItemStatus.PENDING)
    services.support_add(supporter=beto, item=on_article)
    services.support_add(supporter=cris, item=on_bill)
    services.support_add(supporter=ana, item=on_bill)
    return {"article": on_article, "bill": on_bill, "reply": reply, "author": ana}


def _texts(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.content
    return [item["text"] for item in response.json()["results"]]


def test_lists_show_only_public_items_filtered_and_sorted(client, consultation, discussion):
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    assert _texts(client, path) == ["Sobre el 1", "Sobre todo", "Respondo"]
    assert _texts(client, f"{path}?sort=newest") == ["Respondo", "Sobre todo", "Sobre el 1"]
    assert _texts(client, f"{path}?sort=supported")[0] == "Sobre todo"
    eid = article(consultation).eid
    assert _texts(client, f"{path}?provision={eid}") == ["Sobre el 1", "Respondo"]
    assert _texts(client, f"{path}?provision=bill") == ["Sobre todo"]


def test_items_carry_parent_supports_quote_and_withdrawal(client, consultation, discussion):
    path = f"/api/v1/consultations/{consultation.pk}/comments/"
    items = {item["text"]: item for item in client.get(path).json()["results"]}
    assert items["Respondo"]["parent"] == discussion["article"].pk
    assert items["Sobre todo"]["supports"] == 2
    assert items["Sobre el 1"]["quote"] == ""
    assert items["Sobre el 1"]["withdrawn"] is False


@pytest.mark.parametrize(
    "query", ["?provision=art_999", "?sort=loudest", "?provision=" + "a" * 300, "?page=999"]
)
def test_bad_list_queries_get_clear_errors(client, consultation, discussion, query):
    response = client.get(f"/api/v1/consultations/{consultation.pk}/comments/{query}")
    assert response.status_code in {400, 404}
    assert response.json()


def test_a_withdrawn_comment_stays_listed_without_its_text(client, consultation, discussion):
    client.force_login(discussion["author"])
    item = discussion["article"]
    assert client.delete(f"/api/v1/comments/{item.pk}/").status_code == 204
    client.logout()

    listing = client.get(f"/api/v1/consultations/{consultation.pk}/comments/").json()
    withdrawn = next(entry for entry in listing["results"] if entry["id"] == item.pk)
    assert (withdrawn["text"], withdrawn["withdrawn"], withdrawn["status"]) == (
        None,
        True,
        "withdrawn",
    )
    assert "Sobre el 1" not in json.dumps(listing)
    reply = next(entry for entry in listing["results"] if entry["text"] == "Respondo")
    assert reply["parent"] == item.pk
    detail = client.get(f"/api/v1/consultations/{consultation.pk}/").json()
    on_article = next(t for t in detail["tallies"] if t["provision"] == article(consultation).eid)
    assert on_article["comments"] == 1  # the reply; the withdrawn comment no longer counts


def test_a_pending_item_is_visible_to_its_author_only(client, consultation, citizen):
    comment = services.comment_submit(author=citizen, consultation=consultation, text="En espera")
    Comment.objects.filter(pk=comment.pk).update(status=ItemStatus.PENDING)
    assert client.get(f"/api/v1/comments/{comment.pk}/").status_code == 404
    client.force_login(citizen)
    assert client.get(f"/api/v1/comments/{comment.pk}/").json()["text"] == "En espera"


def test_an_author_edits_a_pending_item_but_not_a_published_one(client, citizen, consultation):
    client.force_login(citizen)
    comment = services.comment_submit(author=citizen, consultation=consultation, text="Primera")
    response = send(client, "PATCH", f"/api/v1/comments/{comment.pk}/", {"text": "Segunda"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"]

    Comment.objects.filter(pk=comment.pk).update(status=ItemStatus.PENDING)
    response = send(client, "PATCH", f"/api/v1/comments/{comment.pk}/", {"text": "Segunda"})
    assert response.status_code == 200
    assert response.json()["text"] == "Segunda"
    response = send(client, "PATCH", f"/api/v1/comments/{comment.pk}/", {"text": "x" * 5001})
    assert response.status_code == 400
    assert response.json()["text"]


def test_proposals_are_listed_edited_and_withdrawn(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/consultations/{consultation.pk}/proposals/"
    body = {"provision": article(consultation).eid, "text": "Nueva redacción.", "reason": "Claro"}
    created = send(client, "POST", path, body).json()
    assert (created["text"], created["reason"], created["supports"]) == (
        "Nueva redacción.",
        "Claro",
        0,
    )
    assert [item["id"] for item in client.get(path).json()["results"]] == [created["id"]]
    Proposal.objects.filter(pk=created["id"]).update(status=ItemStatus.PENDING)
    edited = send(client, "PATCH", f"/api/v1/proposals/{created['id']}/", {"text": "Otra."})
    assert edited.json()["text"] == "Otra."
    assert client.delete(f"/api/v1/proposals/{created['id']}/").status_code == 204
    public = client.get(f"/api/v1/proposals/{created['id']}/").json()
    assert (public["text"], public["reason"], public["withdrawn"]) == (None, None, True)


# --- Flags and follows -----------------------------------------------------------------


def test_flags_record_a_reason_once(client, citizen, consultation):
    comment = services.comment_submit(author=UserFactory(), consultation=consultation, text="Spam")
    client.force_login(citizen)
    path = f"/api/v1/comments/{comment.pk}/flag/"
    assert send(client, "PUT", path, {"reason": "spam"}).status_code == 204
    assert send(client, "PUT", path, {"reason": "insult"}).status_code == 204
    assert Flag.objects.get().reason == "spam"
    response = send(client, "PUT", path, {"reason": "boring"})
    assert response.status_code == 400
    assert response.json()["reason"]


def test_items_that_are_not_public_cannot_be_supported_or_flagged(client, citizen, consultation):
    comment = services.comment_submit(author=UserFactory(), consultation=consultation, text="X")
    Comment.objects.filter(pk=comment.pk).update(status=ItemStatus.HIDDEN)
    client.force_login(citizen)
    assert send(client, "PUT", f"/api/v1/comments/{comment.pk}/support/").status_code == 404
    flag = send(client, "PUT", f"/api/v1/comments/{comment.pk}/flag/", {"reason": "spam"})
    assert flag.status_code == 404
    assert (
        send(client, "PUT", "/api/v1/proposals/999999/flag/", {"reason": "spam"}).status_code == 404
    )


def test_following_a_bill(client, citizen, consultation):
    client.force_login(citizen)
    path = f"/api/v1/bills/{consultation.version.bill.slug}/follow/"
    assert client.get(path).json()["frequency"] == "never"
    assert send(client, "PUT", path, {"frequency": "weekly"}).json()["frequency"] == "weekly"
    assert client.get(path).json()["frequency"] == "weekly"
    assert send(client, "PUT", path, {"frequency": "hourly"}).status_code == 400
    assert send(client, "PUT", path, {"frequency": "never"}).json()["frequency"] == "never"
    send(client, "PUT", path, {"frequency": "daily"})
    assert client.delete(path).status_code == 204
    assert not Follow.objects.exists()
    assert client.get("/api/v1/bills/no-such-bill/follow/").status_code == 404


# --- A closed consultation ---------------------------------------------------------------


def test_a_closed_consultation_is_read_only_with_a_clear_message(
    client, citizen, committee_staff, consultation
):
    comment = services.comment_submit(author=UserFactory(), consultation=consultation, text="Hola")
    mine = services.comment_submit(author=citizen, consultation=consultation, text="Mía")
    Comment.objects.filter(pk=mine.pk).update(status=ItemStatus.PENDING)
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="agree")
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    client.force_login(citizen)
    pk = consultation.pk
    eid = article(consultation).eid
    writes = [
        ("PUT", f"/api/v1/consultations/{pk}/vote/", {"choice": "disagree"}),
        ("DELETE", f"/api/v1/consultations/{pk}/vote/", None),
        ("POST", f"/api/v1/consultations/{pk}/comments/", {"text": "Tarde"}),
        ("POST", f"/api/v1/consultations/{pk}/proposals/", {"provision": eid, "text": "Tarde"}),
        ("PUT", f"/api/v1/comments/{comment.pk}/support/", None),
        ("PUT", f"/api/v1/comments/{comment.pk}/flag/", {"reason": "spam"}),
        ("PATCH", f"/api/v1/comments/{mine.pk}/", {"text": "Cambio"}),
    ]
    for method, path, body in writes:
        response = send(client, method, path, body)
        assert response.status_code == 403, (method, path)
        assert "cerrada" in response.json()["detail"].lower(), response.json()
    assert Vote.objects.get().choice == "agree"
    assert Comment.objects.count() == 2
    assert client.get(f"/api/v1/consultations/{pk}/").status_code == 200
    assert client.get(f"/api/v1/consultations/{pk}/comments/").status_code == 200
    # Withdrawing stays possible at any time.
    assert client.delete(f"/api/v1/comments/{mine.pk}/").status_code == 204


# --- Naughty strings -----------------------------------------------------------------------


def _roundtrip(client, method, path, body, field, text, stored):
    response = send(client, method, path, body)
    assert response.status_code != 500
    if text.strip():
        assert response.status_code in {200, 201}, (text, response.content[:300])
        if field in response.json():
            assert response.json()[field] == text.strip()
        assert stored() == text.strip()
    else:
        assert response.status_code in {200, 201, 400}


def test_naughty_strings_through_every_text_field_are_stored_and_returned_exactly(
    client, citizen, consultation, naughty_strings
):
    client.force_login(citizen)
    pk = consultation.pk
    provision = article(consultation)
    eid = provision.eid
    with override_settings(APORTA_PARTICIPATION_RATE_LIMITS=NO_LIMITS):
        for text in naughty_strings:
            _roundtrip(
                client,
                "PUT",
                f"/api/v1/consultations/{pk}/vote/",
                {"provision": eid, "choice": "agree", "reason": text},
                "reason",
                text,
                lambda: Vote.objects.get().reason,
            )
            _roundtrip(
                client,
                "POST",
                f"/api/v1/consultations/{pk}/proposals/",
                {"provision": eid, "text": "Redacción: " + text, "reason": text or "x"},
                "text",
                "Redacción: " + text,
                lambda: Proposal.objects.latest("pk").text,
            )
            if text.strip():
                assert Proposal.objects.latest("pk").reason == text.strip()
            response = send(
                client,
                "POST",
                f"/api/v1/consultations/{pk}/comments/",
                {"text": text, "provision": eid, "quote": text},
            )
            # A quote must be a passage of the provision: a clear 400, never a 500.
            assert response.status_code in {201, 400}, (text, response.content[:300])
        listing = client.get(f"/api/v1/consultations/{pk}/proposals/?page=1")
        assert listing.status_code == 200


def test_a_quote_from_the_provision_is_stored_exactly(client, citizen, consultation):
    client.force_login(citizen)
    provision = article(consultation)
    quote = provision.text[: max(1, len(provision.text) // 2)].strip()
    response = send(
        client,
        "POST",
        f"/api/v1/consultations/{consultation.pk}/comments/",
        {"text": "<b>¿Por qué?</b>", "provision": provision.eid, "quote": quote},
    )
    assert response.status_code == 201
    assert response.json()["quote"] == quote
    assert response.json()["text"] == "<b>¿Por qué?</b>"
    assert Comment.objects.get().quote == quote


def test_naughty_strings_as_query_parameters_never_500(client, consultation, naughty_strings):
    for text in naughty_strings[:200]:
        for name in ("provision", "sort", "page"):
            response = client.get(
                f"/api/v1/consultations/{consultation.pk}/comments/", {name: text}
            )
            assert response.status_code in {200, 400, 404}, (name, text)


def test_the_undocumented_answer_check_notices_a_missing_status():
    assert undocumented({("/api/v1/consultations/1/vote/", "put", 418)}) == [
        ("/api/v1/consultations/1/vote/", "put", 418)
    ]
    assert undocumented({("/api/v1/consultations/1/", "put", 405)}) == []
