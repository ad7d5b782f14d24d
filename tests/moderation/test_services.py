"""Screening of submitted texts: findings stored, items held, run once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts import services as accounts
from accounts.models import User
from consultations import services as participation
from consultations.models import Comment, ItemStatus, ModerationPolicy, Proposal, Vote
from moderation import selectors, services
from moderation.models import BlockedDomain, Finding, Term
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


def comment(author, consultation, text: str) -> Comment:
    return participation.comment_submit(
        author=author, consultation=consultation, provision=article(consultation), text=text
    )


def found(kind: str, item) -> list[tuple[str, str, str, str]]:
    """(field, rule, label, the text found) of each finding on the item."""
    findings = Finding.objects.filter(kind=kind, object_id=item.pk)
    return [
        (each.field, each.rule, each.label, getattr(item, each.field)[each.start : each.end])
        for each in findings
    ]


def test_a_clean_comment_stays_published_and_is_marked_screened(citizen, consultation):
    item = comment(citizen, consultation, "Propongo ampliar el plazo del artículo 2 a 90 días.")

    assert services.item_screen(kind="comment", pk=item.pk) is True

    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    assert item.screened_at is not None
    assert found("comment", item) == []


def test_a_comment_with_an_insult_and_a_phone_is_held_with_what_was_found(citizen, consultation):
    item = comment(citizen, consultation, "El ministro es un IDIOTAAA, llámenlo al 987 654 321.")

    services.item_screen(kind="comment", pk=item.pk)

    item.refresh_from_db()
    assert item.status == ItemStatus.HELD
    assert found("comment", item) == [
        ("text", "insult", "insult", "IDIOTAAA"),
        ("text", "personal_data", "phone", "987 654 321"),
    ]
    assert Finding.objects.get(rule="personal_data").consultation == consultation


def test_under_pre_moderation_a_finding_leaves_the_item_pending(citizen, committee_staff):
    consultation = open_consultation(committee_staff, policy=ModerationPolicy.PRE)
    item = comment(citizen, consultation, "Escríbanme a vecina@example.org")

    services.item_screen(kind="comment", pk=item.pk)

    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING
    assert found("comment", item) == [("text", "personal_data", "email", "vecina@example.org")]


def test_screening_twice_gives_one_result(citizen, consultation):
    item = comment(citizen, consultation, "Son unos cojudos")
    assert services.item_screen(kind="comment", pk=item.pk) is True
    assert services.item_screen(kind="comment", pk=item.pk) is False
    assert Finding.objects.filter(object_id=item.pk).count() == 1


def test_a_deleted_item_is_not_screened(citizen, consultation):
    item = comment(citizen, consultation, "Texto")
    Comment.objects.filter(pk=item.pk).delete()
    assert services.item_screen(kind="comment", pk=item.pk) is False


def test_a_withdrawn_item_stays_withdrawn(citizen, consultation):
    item = comment(citizen, consultation, "Son unos pendejos")
    participation.item_withdraw(author=citizen, item=item)

    services.item_screen(kind="comment", pk=item.pk)

    item.refresh_from_db()
    assert item.status == ItemStatus.WITHDRAWN
    assert found("comment", item) == [("text", "insult", "insult", "pendejos")]


def test_both_texts_of_a_proposal_are_screened(citizen, consultation):
    proposal = participation.proposal_submit(
        author=citizen,
        consultation=consultation,
        provision=article(consultation),
        text="El plazo será de noventa días, ver www.bit.ly/plazo",
        reason="Mi DNI es 45678912 y lo digo como afectado.",
    )

    services.item_screen(kind="proposal", pk=proposal.pk)

    proposal.refresh_from_db()
    assert proposal.status == ItemStatus.HELD
    assert found("proposal", proposal) == [
        ("reason", "personal_data", "id_number", "45678912"),
        ("text", "link", "bit.ly", "www.bit.ly/plazo"),
    ]


def test_a_vote_reason_is_held_but_the_vote_counts(citizen, consultation):
    vote = participation.vote_cast(
        voter=citizen,
        consultation=consultation,
        provision=article(consultation),
        choice="disagree",
        reason="Esto lo escribió un huevón",
    )

    services.item_screen(kind="reason", pk=vote.pk)

    vote.refresh_from_db()
    assert (vote.choice, vote.reason_status) == ("disagree", ItemStatus.HELD)
    assert found("reason", vote) == [("reason", "insult", "insult", "huevón")]


def test_the_same_text_a_third_time_from_one_author_is_held(citizen, consultation):
    text = "¡Archiven este proyecto ya!"
    items = [comment(citizen, consultation, text) for _ in range(3)]
    for item in items:
        services.item_screen(kind="comment", pk=item.pk)

    statuses = [Comment.objects.get(pk=item.pk).status for item in items]
    assert statuses == [ItemStatus.PUBLISHED, ItemStatus.PUBLISHED, ItemStatus.HELD]
    assert found("comment", items[2]) == [("text", "repetition", "3", text)]
    # Someone else saying the same is no repetition.
    other = comment(UserFactory(), consultation, text)
    services.item_screen(kind="comment", pk=other.pk)
    assert Comment.objects.get(pk=other.pk).status == ItemStatus.PUBLISHED


def test_edits_to_the_lists_apply_to_the_next_screening(citizen, consultation):
    first = comment(citizen, consultation, "Todos son unos chanchulleros")
    services.item_screen(kind="comment", pk=first.pk)
    assert Comment.objects.get(pk=first.pk).status == ItemStatus.PUBLISHED

    Term.objects.create(text="chanchuller*", category="insult")
    second = comment(citizen, consultation, "Todos son unos chanchulleros, repito")
    services.item_screen(kind="comment", pk=second.pk)
    assert Comment.objects.get(pk=second.pk).status == ItemStatus.HELD

    Term.objects.filter(text="chanchuller*").update(is_active=False)
    BlockedDomain.objects.create(domain="ejemplo.pe")
    third = comment(citizen, consultation, "Chanchulleros todos: lean noticias.ejemplo.pe/nota")
    services.item_screen(kind="comment", pk=third.pk)
    link = "noticias.ejemplo.pe/nota"
    assert found("comment", third) == [("text", "link", "noticias.ejemplo.pe", link)]


def test_an_edited_pending_item_is_screened_afresh(citizen, committee_staff):
    consultation = open_consultation(committee_staff, policy=ModerationPolicy.PRE)
    item = comment(citizen, consultation, "Llámenme al 987654321")
    services.item_screen(kind="comment", pk=item.pk)

    participation.item_edit(author=citizen, item=item, text="Mejor no publico mi número.")
    services.item_screen(kind="comment", pk=item.pk)

    item.refresh_from_db()
    assert found("comment", item) == []
    assert item.status == ItemStatus.PENDING


@pytest.mark.parametrize(
    ("text", "valid"),
    [("chanchullero", True), ("hijo de *", True), ("  ", False), ("a*", False), ("**", False)],
)
def test_a_screened_word_needs_letters(text, valid):
    term = Term(text=text, category="insult")
    if valid:
        term.full_clean()
    else:
        with pytest.raises(ValidationError):
            term.full_clean()


@pytest.mark.parametrize(
    ("domain", "stored"),
    [("WWW.Ejemplo.PE", "ejemplo.pe"), ("ejemplo.com.pe", "ejemplo.com.pe"), ("localhost", None),
     ("http://x.com/a", None), ("ex ample.com", None), ("-x.com", None), ("x..com", None)],
)  # fmt: skip
def test_a_blocked_domain_is_a_domain_name(domain, stored):
    blocked = BlockedDomain(domain=domain)
    if stored is None:
        with pytest.raises(ValidationError):
            blocked.full_clean()
    else:
        blocked.full_clean()
        assert blocked.domain == stored


def test_the_starting_lists_are_in_place():
    assert Term.objects.filter(text="conchatumadre", category="insult").exists()
    assert Term.objects.filter(text="rosquete", category="slur").exists()
    assert BlockedDomain.objects.filter(domain="bit.ly").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_screening_run_by_two_workers_at_once_gives_one_result(
    migration_data, committee_staff
):
    consultation = open_consultation(committee_staff)
    item = comment(UserFactory(), consultation, "Son unos cojudos, llamen al 987 654 321")
    start = threading.Event()

    def screen():
        try:
            start.wait(timeout=30)
            return services.item_screen(kind="comment", pk=item.pk)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(screen) for _ in range(4)]
        start.set()
        results = [future.result() for future in futures]

    assert sorted(results) == [False, False, False, True]
    assert Finding.objects.filter(object_id=item.pk).count() == 2
    assert Comment.objects.get(pk=item.pk).status == ItemStatus.HELD


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="signature"):
        services.item_screen(kind="signature", pk=1)


def test_what_is_screened():
    models = {spec.model for spec in services.SCREENED.values()}
    assert models == {Comment, Proposal, Vote, User}


# --- Public names ----------------------------------------------------------------------------


def test_an_offensive_public_name_is_replaced_until_a_moderator_approves_it(
    citizen, consultation, moderator, django_capture_on_commit_callbacks
):
    item = comment(citizen, consultation, "Un aporte")
    with django_capture_on_commit_callbacks() as queued:
        accounts.user_update_profile(
            user=citizen, display_name="El Cojudo Mayor", region=None, respondent_type="citizen"
        )
    assert len(queued) == 1  # screening queued once the change is committed
    assert citizen.public_name == "El Cojudo Mayor"  # shown at once, as a contribution is

    assert services.item_screen(kind="display_name", pk=citizen.pk) is True

    citizen.refresh_from_db()
    assert citizen.display_name_status == ItemStatus.HELD
    assert citizen.public_name == f"Participante {citizen.pk}"
    assert found("display_name", citizen) == [("display_name", "insult", "insult", "Cojudo")]
    assert [queued.pk for queued in selectors.queue(kind="display_name")] == [citizen.pk]
    assert selectors.queue(consultation_id=consultation.pk, kind="display_name") == []

    services.item_decide(moderator=moderator, kind="display_name", pk=citizen.pk,
                         action="approve", seen_status="held")  # fmt: skip
    citizen.refresh_from_db()
    assert citizen.public_name == "El Cojudo Mayor"
    assert item.author.pk == citizen.pk


def test_a_rejected_name_stays_neutral_until_its_owner_chooses_another(citizen, moderator):
    accounts.user_update_profile(
        user=citizen, display_name="Idiota", region=None, respondent_type="citizen"
    )
    services.item_screen(kind="display_name", pk=citizen.pk)
    services.item_decide(moderator=moderator, kind="display_name", pk=citizen.pk,
                         action="reject", seen_status="held", reason="insult")  # fmt: skip
    citizen.refresh_from_db()
    assert citizen.public_name == f"Participante {citizen.pk}"

    accounts.user_update_profile(
        user=citizen, display_name="Vecina de Surco", region=None, respondent_type="citizen"
    )
    citizen.refresh_from_db()
    assert (citizen.display_name_status, citizen.display_name_screened_at) == ("published", None)
    services.item_screen(kind="display_name", pk=citizen.pk)
    citizen.refresh_from_db()
    assert citizen.public_name == "Vecina de Surco"


def test_the_api_and_the_page_show_the_public_name(client, citizen, consultation):
    comment(citizen, consultation, "Un aporte visible")
    User.objects.filter(pk=citizen.pk).update(display_name="Ofensivo", display_name_status="held")
    eid = article(consultation).eid
    page = client.get(f"/consultations/{consultation.pk}/?open={eid}&show=comments")
    page = page.content.decode()
    assert "Un aporte visible" in page
    assert "Ofensivo" not in page
    assert f"Participante {citizen.pk}" in page
    body = client.get(f"/api/v1/consultations/{consultation.pk}/comments/").json()
    assert [item["author"] for item in body["results"]] == [f"Participante {citizen.pk}"]


def test_the_sweeper_screens_names_never_screened(citizen, settings):
    from datetime import timedelta

    from django.utils import timezone

    from config.celery import app

    app.conf.task_always_eager = True
    try:
        later = timezone.now() + timedelta(minutes=6)
        assert services.unscreened_requeue(now=later) >= 1
    finally:
        app.conf.task_always_eager = settings.REDIS_URL is None
    citizen.refresh_from_db()
    assert citizen.display_name_screened_at is not None
