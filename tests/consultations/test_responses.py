"""The response ledger: committee staff answer each published comment and
proposal (one, a selection or a campaign at once), the author is told, and
sees the answer with their contributions."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services
from consultations.models import ItemStatus, Response
from moderation import services as moderation
from moderation.models import Campaign, CampaignMember
from notifications.models import Event, Outbox
from notifications.services import outbox_send_due
from tests.bills.factories import published_bill
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory
from tests.moderation.test_pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


def comment(consultation, text="Propongo precisar el plazo", author=None, number=1):
    return services.comment_submit(
        author=author or UserFactory(), consultation=consultation,
        provision=article(consultation, number), text=text,
    )  # fmt: skip


def answer(actor, consultation, items, outcome="incorporated", reason="Se precisó el plazo."):
    return services.responses_set(
        actor=actor, consultation=consultation, items=items, outcome=outcome, reason=reason
    )


def notices():
    return Outbox.objects.filter(event=Event.ANSWER)


def test_answering_tells_the_author_once_per_outcome(committee_staff, consultation, citizen):
    item = comment(consultation, author=citizen)
    assert answer(committee_staff, consultation, [("comment", item.pk)]) == 1
    response = Response.objects.get()
    assert (response.comment, response.outcome, response.answered_by) == (
        item, "incorporated", committee_staff,
    )  # fmt: skip
    assert notices().count() == 1

    answer(committee_staff, consultation, [("comment", item.pk)], reason="Mejor redactado.")
    assert notices().count() == 1  # same outcome, better reason: no second email
    assert Response.objects.get().reason == "Mejor redactado."
    answer(committee_staff, consultation, [("comment", item.pk)], outcome="partial")
    assert notices().count() == 2

    outbox_send_due()
    [first, second] = [message for message in mail.outbox if message.to == [citizen.email]]
    assert "Parcialmente incorporado" in second.body
    assert "Mejor redactado." not in second.body or "Se precisó" in second.body
    assert f"#comment-{item.pk}" in second.body
    assert consultation.version.bill.number in first.body


def test_a_selection_and_a_campaign_are_answered_at_once(committee_staff, consultation):
    items = [comment(consultation, text=f"Texto {n}") for n in range(3)]
    proposal = services.proposal_submit(
        author=UserFactory(), consultation=consultation, provision=article(consultation, 2),
        text="Nueva redacción del artículo", reason="Más clara",
    )  # fmt: skip
    chosen = [("comment", items[0].pk), ("proposal", proposal.pk)]
    assert answer(committee_staff, consultation, chosen, outcome="noted") == 2

    campaign = Campaign.objects.create(
        consultation=consultation, representative_kind="comment", representative_id=items[1].pk
    )
    for item in items[1:]:
        CampaignMember.objects.create(
            campaign=campaign, kind="comment", object_id=item.pk, created_at=item.created_at
        )
    from consultations.staff_selectors import campaign_items

    assert answer(committee_staff, consultation, campaign_items(consultation, campaign.pk)) == 2
    assert Response.objects.count() == 4


def test_only_the_consultations_committee_staff_answer(consultation, citizen, moderator):
    item = comment(consultation)
    other_staff = UserFactory()
    user_assign_role(user=other_staff, role=Role.COMMITTEE_STAFF)
    for person in (citizen, moderator, other_staff):
        with pytest.raises(PermissionDenied):
            answer(person, consultation, [("comment", item.pk)])
    assert not Response.objects.exists()


def test_only_published_contributions_of_this_consultation_are_answered(
    committee_staff, consultation
):
    held = comment(consultation, text="Son unos cojudos")
    moderation.item_screen(kind="comment", pk=held.pk)
    held.refresh_from_db()
    assert held.status == ItemStatus.HELD
    other_bill = published_bill("999/2026-CR")
    elsewhere = comment(open_consultation(committee_staff, version=other_bill.versions.get()))
    fine = comment(consultation)
    for items in ([("comment", held.pk)], [("comment", elsewhere.pk)],
                  [("comment", fine.pk), ("comment", 999999)], [("vote", fine.pk)]):  # fmt: skip
        with pytest.raises(ValidationError) as refusal:
            answer(committee_staff, consultation, items)
        assert refusal.value.code == "not_answerable"
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "reason", "field"),
    [("adopted", "Bien", "outcome"), ("noted", "", "reason"), ("noted", "   ", "reason"),
     ("noted", "\x00", "reason"), ("noted", "x" * 3001, "reason")],
)  # fmt: skip
def test_an_answer_needs_an_outcome_from_the_list_and_a_reason(
    committee_staff, consultation, outcome, reason, field
):
    item = comment(consultation)
    with pytest.raises(ValidationError) as refusal:
        answer(committee_staff, consultation, [("comment", item.pk)], outcome, reason)
    assert field in refusal.value.message_dict
    assert not Response.objects.exists()


# --- Pages -------------------------------------------------------------------------------------


def ledger_url(consultation) -> str:
    return f"/staff/consultations/{consultation.pk}/responses/"


def test_the_ledger_page_is_for_the_committees_staff(
    client, consultation, committee_staff, citizen, moderator
):
    url = ledger_url(consultation)
    assert client.get(url).status_code == 302
    assert sign_in(Client(), citizen).get(url).status_code == 403
    other = UserFactory()
    user_assign_role(user=other, role=Role.COMMITTEE_STAFF)
    assert sign_in(Client(), other).get(url).status_code == 404
    assert sign_in(Client(), committee_staff).get(url).status_code == 200


def test_answering_from_the_ledger_and_filtering_the_unanswered(
    client, consultation, committee_staff
):
    first, second = comment(consultation, text="Primero"), comment(consultation, text="Segundo")
    sign_in(client, committee_staff)
    url = ledger_url(consultation)
    data = {
        "item": [f"comment:{first.pk}"],
        "outcome": "not_incorporated",
        "reason": "Excede el objeto del proyecto.",
        "next": f"{url}?state=unanswered",
    }
    done = client.post(url, data)
    assert done.status_code == 302
    assert done["Location"] == f"{url}?state=unanswered"
    assert Response.objects.get().comment == first

    page = client.get(url, {"state": "unanswered"}).content.decode()
    assert "Segundo" in page
    assert "Primero" not in page
    page = client.get(url, {"state": "not_incorporated"}).content.decode()
    assert "Primero" in page
    assert "Excede el objeto del proyecto." in page
    assert second.pk  # still unanswered


@pytest.mark.parametrize(
    "data",
    [{"outcome": "noted", "reason": "Bien"},  # nothing chosen
     {"item": ["comment:abc"], "outcome": "noted", "reason": "Bien"},
     {"item": ["vote:1"], "outcome": "noted", "reason": "Bien"},
     {"item": ["comment:99999999999999999999"], "outcome": "noted", "reason": "Bien"},
     {"item": ["comment:1"], "outcome": "<script>", "reason": "Bien"},
     {"item": ["comment:1"], "outcome": "noted", "reason": ""},
     {"item": ["comment:1"], "outcome": "noted", "reason": "Bien", "campaign": "x"},
     {"item": ["comment:1"], "outcome": "noted", "reason": "Bien", "next": "https://evil.example/"}],
)  # fmt: skip
def test_malformed_answers_are_refused_with_a_message(client, consultation, committee_staff, data):
    comment(consultation)
    sign_in(client, committee_staff)
    response = client.post(ledger_url(consultation), data, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(ledger_url(consultation))
    if "next" not in data:
        assert not Response.objects.exists()
    assert list(response.context["messages"])


def test_naughty_reasons_are_saved_as_written_and_shown_escaped(
    client, consultation, committee_staff, naughty_strings
):
    item = comment(consultation)
    sign_in(client, committee_staff)
    for reason in naughty_strings[::25]:
        data = {"item": [f"comment:{item.pk}"], "outcome": "noted", "reason": reason}
        client.post(ledger_url(consultation), data)
        page = client.get(ledger_url(consultation))
        assert page.status_code == 200
        assert "<script>alert" not in page.content.decode()


def test_the_author_sees_the_answer_with_their_contributions(
    client, consultation, committee_staff, citizen
):
    item = comment(consultation, author=citizen)
    answer(committee_staff, consultation, [("comment", item.pk)], reason="Se incorporó al texto.")
    page = sign_in(client, citizen).get("/accounts/contributions/").content.decode()
    assert "Se incorporó al texto." in page
    assert "Incorporado" in page


def test_the_consultation_page_shows_the_answer_next_to_the_item(
    client, consultation, committee_staff
):
    item = comment(consultation, text="Hay que fijar un plazo de 30 días")
    answer(committee_staff, consultation, [("comment", item.pk)], reason="Se fijó el plazo.")
    provision = article(consultation, 1)
    page = client.get(
        f"/consultations/{consultation.pk}/", {"open": provision.eid, "show": "comments"}
    ).content.decode()
    assert "Hay que fijar un plazo de 30 días" in page
    assert "Se fijó el plazo." in page
