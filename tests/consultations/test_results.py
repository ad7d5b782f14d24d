"""Public results: once the committee publishes them, anyone reads, article
by article, what it did with the feedback, and which version followed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from bills import services as bills
from consultations import services
from moderation import services as moderation
from notifications.models import Event, Outbox
from tests.bills.factories import tree
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory
from tests.moderation.test_pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(committee_staff):
    consultation = open_consultation(committee_staff)
    kept = services.comment_submit(
        author=UserFactory(display_name="Vecina"), consultation=consultation,
        provision=article(consultation, 2), text="Ampliar el plazo a 30 días",
    )  # fmt: skip
    later_hidden = services.comment_submit(
        author=UserFactory(), consultation=consultation, provision=None, text="Otro aporte"
    )
    services.responses_set(
        actor=committee_staff, consultation=consultation, items=[("comment", kept.pk)],
        outcome="incorporated", reason="El plazo ahora es de 30 días.",
    )  # fmt: skip
    services.responses_set(
        actor=committee_staff, consultation=consultation, items=[("comment", later_hidden.pk)],
        outcome="noted", reason="Respuesta a un aporte luego oculto.",
    )  # fmt: skip
    moderator = UserFactory()
    from accounts.models import Role
    from accounts.services import user_assign_role

    user_assign_role(user=moderator, role=Role.MODERATOR)
    moderation.item_decide(moderator=moderator, kind="comment", pk=later_hidden.pk,
                           action="hide", seen_status="published", reason="off_topic")  # fmt: skip
    return consultation


def test_results_are_published_once_the_consultation_closed(committee_staff, answered, citizen):
    with pytest.raises(ValidationError) as refusal:
        services.results_publish(actor=committee_staff, consultation=answered)
    assert refusal.value.code == "not_closed"
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    with pytest.raises(PermissionDenied):
        services.results_publish(actor=citizen, consultation=answered)

    services.results_publish(actor=committee_staff, consultation=answered, summary="Gracias.")
    services.results_publish(actor=committee_staff, consultation=answered, summary="Corregido.")

    answered.refresh_from_db()
    assert answered.results_summary == "Corregido."
    assert Outbox.objects.filter(event=Event.RESULTS, consultation=answered).count() == 1


def test_the_results_page_says_what_was_done_article_by_article(client, committee_staff, answered):
    url = f"/consultations/{answered.pk}/results/"
    assert client.get(url).status_code == 404  # not published yet
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    services.results_publish(actor=committee_staff, consultation=answered, summary="<b>Hola</b>")

    page = client.get(url).content.decode()
    assert "Artículo 2.-" in page
    assert "Ampliar el plazo a 30 días" in page
    assert "El plazo ahora es de 30 días." in page
    assert "Incorporado" in page
    assert "Vecina" in page
    assert "Respuesta a un aporte luego oculto." not in page  # hidden since
    assert "&lt;b&gt;Hola&lt;/b&gt;" in page
    assert (
        f"/consultations/{answered.pk}/results/"
        in client.get(f"/consultations/{answered.pk}/").content.decode()
    )


def test_the_results_link_to_the_version_that_followed(client, committee_staff, answered):
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    services.results_publish(actor=committee_staff, consultation=answered)
    bill = answered.version.bill
    version = bills.bill_version_create(
        bill=bill, result=tree(3, changed={2: "Plazo de 30 días."}), source_format="text",
        source_name="v2.txt", source_bytes=b"v2",
    )  # fmt: skip
    bills.bill_version_publish(version=version)
    page = client.get(f"/consultations/{answered.pk}/results/").content.decode()
    assert f"/bills/{bill.slug}/compare/1/2/" in page


@pytest.mark.parametrize("summary", ["\x00", "x" * 5001])
def test_a_bad_summary_is_refused_from_the_staff_page(client, committee_staff, answered, summary):
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    response = sign_in(client, committee_staff).post(
        f"/staff/consultations/{answered.pk}/results/", {"results_summary": summary}, follow=True
    )
    assert response.status_code == 200
    answered.refresh_from_db()
    assert answered.results_published_at is None
    assert list(response.context["messages"])


def test_publishing_from_the_staff_page(client, committee_staff, answered):
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    staff = sign_in(client, committee_staff)
    assert staff.post(f"/staff/consultations/{answered.pk}/results/",
                      {"results_summary": "Resumen"}).status_code == 302  # fmt: skip
    answered.refresh_from_db()
    assert answered.results_published_at is not None
    assert Client().post(f"/staff/consultations/{answered.pk}/results/").status_code == 302


def test_the_bills_followers_read_of_the_results_in_their_digest(committee_staff, answered):
    from django.core import mail

    from tests.notifications.test_digests import follower, plan_and_send

    reader = follower(answered.version.bill)
    services.consultation_close_early(actor=committee_staff, consultation=answered)
    services.results_publish(actor=committee_staff, consultation=answered)
    plan_and_send()
    [message] = [each for each in mail.outbox if each.to == [reader.email]]
    assert "publicó qué hizo con los aportes" in message.body
    assert f"/consultations/{answered.pk}/results/" in message.body
