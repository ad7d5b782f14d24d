"""The consultation page: reading, voting, commenting, proposing, supporting,
with htmx and without JavaScript."""

import pytest
from django.urls import reverse

from consultations import services
from consultations.models import Comment, ItemStatus, ModerationPolicy, Proposal, Vote
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(consultation, **query) -> str:
    url = reverse("consultations:detail", args=[consultation.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_anonymous_visitors_read_the_text_with_tallies_and_are_invited_to_sign_in(
    client, committee_staff
):
    consultation = open_consultation(committee_staff)
    response = client.get(page_url(consultation))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Texto del artículo 1 sobre la participación ciudadana." in html
    assert 'id="unit-bill"' in html
    assert f'id="unit-{article(consultation, 2).eid}"' in html
    assert 'name="choice"' not in html
    assert "/accounts/login/?next=" in html


def unit_key(consultation, number: int = 1) -> str:
    return article(consultation, number).eid


def post(client, consultation, action: str, data: dict, **extra):
    return client.post(reverse(f"consultations:{action}", args=[consultation.pk]), data, **extra)


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.fixture
def signed_in(client, citizen):
    client.force_login(citizen)
    return client


def test_a_vote_without_javascript_redirects_to_the_provision(signed_in, citizen, consultation):
    key = unit_key(consultation)
    response = post(signed_in, consultation, "vote", {"unit": key, "choice": "agree"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#unit-{key}")
    vote = Vote.objects.get(voter=citizen)
    assert (vote.provision.eid, vote.choice) == (key, "agree")
    page = signed_in.get(page_url(consultation)).content.decode()
    assert "Su voto está guardado." in page
    assert 'value="agree" checked' in page


def test_a_vote_with_htmx_returns_the_provision_block_updated(signed_in, citizen, consultation):
    key = unit_key(consultation)
    response = post(signed_in, consultation, "vote", {"unit": key, "choice": "disagree"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="unit" id="unit-{key}"')
    assert "<html" not in html
    assert ": 1</span>" in html.split("tally-disagree")[1][:40]


def test_a_vote_can_be_changed_given_a_reason_and_withdrawn(signed_in, citizen, consultation):
    key = unit_key(consultation)
    post(signed_in, consultation, "vote", {"unit": key, "choice": "agree"})
    post(signed_in, consultation, "vote", {"unit": key, "choice": "abstain", "reason": "Dudas."})
    vote = Vote.objects.get(voter=citizen)
    assert (vote.choice, vote.reason) == ("abstain", "Dudas.")
    post(signed_in, consultation, "vote", {"unit": key, "withdraw": "1"})
    assert not Vote.objects.filter(voter=citizen).exists()


def test_reasons_are_public_without_who_gave_them(client, citizen, consultation):
    services.vote_cast(
        voter=citizen,
        consultation=consultation,
        provision=article(consultation),
        choice="disagree",
        reason="El plazo es muy corto.",
    )
    html = client.get(page_url(consultation, open=unit_key(consultation), show="reasons")).content
    html = html.decode()
    assert "El plazo es muy corto." in html
    assert citizen.display_name not in html


def test_the_whole_bill_takes_votes_and_comments(signed_in, citizen, consultation):
    post(signed_in, consultation, "vote", {"unit": "bill", "choice": "agree"})
    post(signed_in, consultation, "comment", {"unit": "bill", "text": "En general, bien."})
    assert Vote.objects.get(voter=citizen).provision is None
    assert Comment.objects.get(author=citizen).provision is None


def test_a_comment_with_a_quote_is_published_and_shown_in_its_discussion(
    signed_in, citizen, consultation
):
    key = unit_key(consultation)
    response = post(
        signed_in,
        consultation,
        "comment",
        # A selection in the browser may wrap lines differently: spacing is forgiven.
        {"unit": key, "text": "Falta precisar.", "quote": "  la participación\n ciudadana"},
    )
    assert response.status_code == 302
    assert f"open={key}" in response["Location"]
    comment = Comment.objects.get(author=citizen)
    assert comment.quote == "la participación ciudadana"
    assert comment.status == ItemStatus.PUBLISHED
    html = signed_in.get(response["Location"]).content.decode()
    assert "Falta precisar." in html
    assert '<blockquote class="item-quote">la participación ciudadana</blockquote>' in html


def test_a_quote_from_elsewhere_is_refused_and_the_input_kept(signed_in, consultation):
    key = unit_key(consultation)
    response = post(
        signed_in,
        consultation,
        "comment",
        {"unit": key, "text": "Mi comentario largo.", "quote": "palabras que no están"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mi comentario largo." in html
    assert "palabras que no están" in html
    assert 'aria-invalid="true"' in html
    assert not Comment.objects.exists()


def test_an_empty_comment_with_htmx_gets_its_error_in_place(signed_in, consultation):
    key = unit_key(consultation)
    response = post(signed_in, consultation, "comment", {"unit": key, "text": "   "}, **HTMX)
    assert response.status_code == 422
    assert f'id="unit-{key}"' in response.content.decode()
    assert "field-errors" in response.content.decode()


def test_replies_go_under_their_comment(signed_in, citizen, consultation):
    other = UserFactory()
    parent = services.comment_submit(
        author=other, consultation=consultation, provision=article(consultation), text="Primero."
    )
    key = unit_key(consultation)
    post(
        signed_in, consultation, "comment", {"unit": key, "text": "Respuesta.", "parent": parent.pk}
    )
    reply = Comment.objects.get(author=citizen)
    assert reply.parent == parent
    html = signed_in.get(page_url(consultation, open=key, show="comments")).content.decode()
    replies = html.split(f'id="comment-{parent.pk}"')[1].split('class="replies"')[1]
    assert "Respuesta." in replies


def test_a_proposal_is_shown_as_a_word_diff(signed_in, citizen, consultation):
    key = unit_key(consultation)
    response = post(
        signed_in,
        consultation,
        "proposal",
        {"unit": key, "text": "Texto del artículo 1 sobre la participación vecinal."},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(author=citizen).status == ItemStatus.PUBLISHED
    html = signed_in.get(page_url(consultation, open=key, show="proposals")).content.decode()
    assert "<del>" in html
    assert "ciudadana" in html.split("<del>")[1].split("</del>")[0]
    assert "vecinal" in html.split("<ins>")[1].split("</ins>")[0]


def test_the_proposal_box_starts_with_the_current_wording(signed_in, consultation):
    key = unit_key(consultation)
    html = signed_in.get(page_url(consultation, open=key, show="proposals")).content.decode()
    box = html.split(f'id="proposal-{key}"')[1].split("</textarea>")[0]
    assert "Texto del artículo 1 sobre la participación ciudadana." in box


def test_support_once_and_take_it_back(signed_in, citizen, consultation):
    other = UserFactory()
    comment = services.comment_submit(
        author=other, consultation=consultation, provision=article(consultation), text="Apóyenme."
    )
    url = reverse("consultations:support", args=[consultation.pk, "comment", comment.pk])
    signed_in.post(url)
    signed_in.post(url)
    assert comment.supports.count() == 1
    html = signed_in.get(page_url(consultation, open=unit_key(consultation))).content.decode()
    assert 'aria-pressed="true"' in html
    signed_in.post(url, {"action": "remove"})
    assert comment.supports.count() == 0


def test_nobody_supports_their_own_comment(signed_in, citizen, consultation):
    comment = services.comment_submit(
        author=citizen, consultation=consultation, provision=article(consultation), text="Mío."
    )
    url = reverse("consultations:support", args=[consultation.pk, "comment", comment.pk])
    response = signed_in.post(url, **HTMX)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert comment.supports.count() == 0


def test_a_withdrawn_comment_shows_as_withdrawn_by_its_author(signed_in, citizen, consultation):
    comment = services.comment_submit(
        author=citizen, consultation=consultation, provision=article(consultation), text="Borrar."
    )
    url = reverse("consultations:withdraw", args=[consultation.pk, "comment", comment.pk])
    assert signed_in.post(url).status_code == 302
    comment.refresh_from_db()
    assert comment.status == ItemStatus.WITHDRAWN
    html = signed_in.get(page_url(consultation, open=unit_key(consultation))).content.decode()
    assert "Borrar." not in html
    assert "Retirado por su autor." in html


def test_only_the_author_withdraws(client, citizen, consultation):
    comment = services.comment_submit(
        author=UserFactory(), consultation=consultation, provision=article(consultation), text="X."
    )
    client.force_login(citizen)
    url = reverse("consultations:withdraw", args=[consultation.pk, "comment", comment.pk])
    assert client.post(url, **HTMX).status_code == 403
    comment.refresh_from_db()
    assert comment.status == ItemStatus.PUBLISHED


def test_pending_items_are_seen_by_their_author_only_and_can_be_edited(
    client, citizen, committee_staff
):
    consultation = open_consultation(committee_staff, policy=ModerationPolicy.PRE)
    key = unit_key(consultation)
    client.force_login(citizen)
    post(client, consultation, "comment", {"unit": key, "text": "Esperando revisión."})
    comment = Comment.objects.get(author=citizen)
    assert comment.status == ItemStatus.PENDING
    mine = client.get(page_url(consultation, open=key)).content.decode()
    assert "Esperando revisión." in mine
    edit = reverse("consultations:edit", args=[consultation.pk, "comment", comment.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"text": "Corregido."}).status_code == 302
    comment.refresh_from_db()
    assert comment.text == "Corregido."
    client.logout()
    theirs = client.get(page_url(consultation, open=key)).content.decode()
    assert "Corregido." not in theirs


def test_reporting_a_comment_stores_one_flag(signed_in, citizen, consultation):
    comment = services.comment_submit(
        author=UserFactory(), consultation=consultation, provision=article(consultation), text="Y."
    )
    url = reverse("consultations:flag", args=[consultation.pk, "comment", comment.pk])
    assert signed_in.get(url).status_code == 200
    assert signed_in.post(url, {"reason": "nonsense"}).status_code == 400
    assert signed_in.post(url, {"reason": "spam", "detail": "Publicidad."}).status_code == 302
    assert signed_in.post(url, {"reason": "spam"}).status_code == 302
    assert comment.flags.count() == 1


def test_following_the_bill_from_the_page(signed_in, citizen, consultation):
    url = reverse("consultations:follow", args=[consultation.pk])
    signed_in.post(url, {"frequency": "daily"})
    assert citizen.follows.get().frequency == "daily"
    signed_in.post(url, {"frequency": "never"})
    assert not citizen.follows.exists()
    assert signed_in.post(url, {"frequency": "hourly"}).status_code == 302
    assert not citizen.follows.exists()


def test_a_closed_consultation_is_read_only_with_a_clear_message(client, citizen, committee_staff):
    consultation = open_consultation(committee_staff)
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    client.force_login(citizen)
    html = client.get(page_url(consultation)).content.decode()
    assert 'name="choice"' not in html
    assert "closed" in html or "cerró" in html
    key = unit_key(consultation)
    response = post(client, consultation, "vote", {"unit": key, "choice": "agree"}, **HTMX)
    assert response.status_code == 403
    assert "closed" in response.content.decode() or "cerrada" in response.content.decode()
    response = post(client, consultation, "vote", {"unit": key, "choice": "agree"}, follow=True)
    assert response.status_code == 200
    assert not Vote.objects.exists()


def test_unverified_people_are_told_to_confirm_their_address(client, consultation):
    person = UserFactory(email_verified=False)
    client.force_login(person)
    html = client.get(page_url(consultation)).content.decode()
    assert 'name="choice"' not in html
    assert "/accounts/email/" in html
    response = post(client, consultation, "vote", {"unit": "bill", "choice": "agree"}, **HTMX)
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_anonymous_posts_are_sent_to_sign_in(client, consultation):
    key = unit_key(consultation)
    response = post(client, consultation, "comment", {"unit": key, "text": "Hola"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    response = post(client, consultation, "comment", {"unit": key, "text": "Hola"}, **HTMX)
    assert response["HX-Redirect"].startswith("/accounts/login/")
    assert not Comment.objects.exists()


def test_too_many_comments_answer_429_and_keep_the_text(signed_in, consultation, settings):
    settings.APORTA_PARTICIPATION_RATE_LIMITS = {
        **settings.APORTA_PARTICIPATION_RATE_LIMITS,
        "comment": (2, 100, 60),
    }
    key = unit_key(consultation)
    for n in range(2):
        post(signed_in, consultation, "comment", {"unit": key, "text": f"Comentario {n}."})
    response = post(signed_in, consultation, "comment", {"unit": key, "text": "El tercero."})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "El tercero." in response.content.decode()
    assert Comment.objects.count() == 2


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("vote", {"unit": "../../etc", "choice": "agree"}),
        ("vote", {"unit": "art_999", "choice": "agree"}),
        ("vote", {"unit": "bill", "choice": "maybe"}),
        ("comment", {"unit": "bill", "text": "a" * 5001}),
        ("comment", {"unit": "bill", "text": "NUL \x00 byte"}),
        ("comment", {"unit": "bill", "text": "Hola", "parent": "-3"}),
        ("comment", {"unit": "bill", "text": "Hola", "parent": "99999"}),
        ("proposal", {"unit": "bill", "text": "Sin artículo."}),
        ("proposal", {"unit": "art_1", "text": ""}),
    ],
)
def test_malformed_posts_get_clear_errors_never_a_500(signed_in, consultation, action, data):
    response = post(signed_in, consultation, action, data)
    assert response.status_code in {400, 404}
    assert not Comment.objects.exists()
    assert not Vote.objects.exists()
    assert not Proposal.objects.exists()


def test_unknown_items_and_kinds_are_not_found(signed_in, consultation):
    for url in (
        f"/consultations/{consultation.pk}/vote/comment/1/support/",
        f"/consultations/{consultation.pk}/comment/999/support/",
        f"/consultations/{consultation.pk}/unit/no-such/",
        "/consultations/999999/",
    ):
        assert signed_in.post(url).status_code in {404, 405}, url
    assert signed_in.get(page_url(consultation, open="art_999")).status_code == 404


def test_participation_endpoints_take_posts_only(signed_in, consultation):
    for action in ("vote", "comment", "proposal", "follow"):
        url = reverse(f"consultations:{action}", args=[consultation.pk])
        assert signed_in.get(url).status_code == 405


def test_drafts_are_not_public(client, committee_staff, consultation):
    from consultations.models import Consultation, ConsultationStatus

    Consultation.objects.filter(pk=consultation.pk).update(status=ConsultationStatus.DRAFT)
    assert client.get(page_url(consultation)).status_code == 404


def test_sending_the_prefilled_wording_unchanged_is_refused(signed_in, consultation):
    key = unit_key(consultation)
    response = post(
        signed_in,
        consultation,
        "proposal",
        {"unit": key, "text": "Texto del artículo 1 sobre la participación  ciudadana.\n"},
    )
    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_address_limits_count_each_visitor_behind_the_proxy(client, consultation, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.APORTA_PARTICIPATION_RATE_LIMITS = {
        **settings.APORTA_PARTICIPATION_RATE_LIMITS,
        "vote": (100, 1, 60),  # one vote per address per minute
    }
    key = unit_key(consultation)
    answers = []
    for address in ("203.0.113.7", "198.51.100.9", "203.0.113.7"):
        client.force_login(UserFactory())
        response = post(
            client, consultation, "vote", {"unit": key, "choice": "agree"},
            HTTP_X_FORWARDED_FOR=address, **HTMX,
        )  # fmt: skip
        answers.append(response.status_code)
    assert answers == [200, 200, 429]
    assert Vote.objects.count() == 2


def test_the_home_page_and_the_bill_page_lead_to_the_consultation(client, consultation):
    url = page_url(consultation)
    assert f'href="{url}"' in client.get("/").content.decode()
    bill = consultation.version.bill
    html = client.get(reverse("bills:detail", args=[bill.slug])).content.decode()
    assert f'href="{url}"' in html
    assert consultation.title in html
