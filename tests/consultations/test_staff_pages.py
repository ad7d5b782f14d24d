"""Committee staff run consultations from /staff/consultations/: list, create,
edit, schedule, extend and close early, only for their own committees."""

from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Role
from accounts.services import user_assign_role
from bills.models import BillVersion, Committee
from consultations import services
from consultations.models import Consultation, ConsultationStatus, ItemStatus
from tests.bills import factories as bill_factories
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/staff/consultations/"
NEW = "/staff/consultations/new/"


def local(moment) -> str:
    """A time as a datetime-local input sends it, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def sign_in(client: Client, user, *, second_factor: bool = True) -> Client:
    if second_factor:
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return client


def other_committee_staff():
    """Committee staff of another committee, with a published bill of their own."""
    person = UserFactory(email="otra-comision@example.org", display_name="Otra comisión")
    user_assign_role(user=person, role=Role.COMMITTEE_STAFF)
    chamber = bill_factories.chamber()
    committee = bill_factories.committee(chamber, slug="economia")
    committee.staff.add(person)
    bill = bill_factories.published_bill("999/2026-CR")
    bill.committees.set([committee])
    return person


def new_consultation_data(consultation: Consultation, **changes) -> dict:
    now = timezone.now()
    data = {
        "committee": consultation.committee_id,
        "version": consultation.version_id,
        "title": "Segunda consulta",
        "description": "Descripción",
        "questions": "¿Primera pregunta?\r\n\r\n¿Segunda pregunta?",
        "opens_at": local(now + timedelta(days=1)),
        "closes_at": local(now + timedelta(days=20)),
        "moderation_policy": "pre",
        "minimum_level": "email_verified",
        "action": "schedule",
    }
    data.update(changes)
    return data


def details_data(consultation: Consultation, **changes) -> dict:
    data = {
        "title": consultation.title,
        "description": consultation.description,
        "questions": "\n".join(consultation.questions),
        "moderation_policy": consultation.moderation_policy,
        "minimum_level": consultation.minimum_level,
    }
    if consultation.status in (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED):
        data["opens_at"] = local(consultation.opens_at)
        data["closes_at"] = local(consultation.closes_at)
    data.update(changes)
    return data


@pytest.fixture
def consultation(committee_staff):
    return open_consultation(committee_staff)


@pytest.fixture
def staff_client(client, committee_staff, consultation):
    return sign_in(client, committee_staff)


# --- Who may do what ----------------------------------------------------------

ROLES = [
    "anonymous",
    "unverified",
    "citizen",
    "moderator",
    "own_staff",
    "other_staff",
    "administrator",
]
ACTIONS = ["list", "create", "edit", "extend", "close"]
# What each role gets: "login" (sent to sign in), 403, 404, or "ok".
EXPECTED = {
    "anonymous": dict.fromkeys(ACTIONS, "login"),
    "unverified": dict.fromkeys(ACTIONS, 403),
    "citizen": dict.fromkeys(ACTIONS, 403),
    "moderator": dict.fromkeys(ACTIONS, 403),
    "own_staff": dict.fromkeys(ACTIONS, "ok"),
    # They have their own list and create page, but this consultation, and
    # this committee's versions, are out of their reach.
    "other_staff": {
        "list": "ok-without-it",
        "create": "refused",
        "edit": 404,
        "extend": 404,
        "close": 404,
    },
    "administrator": dict.fromkeys(ACTIONS, "ok"),
}


def person_for(role: str, request):
    if role == "anonymous":
        return None
    if role == "unverified":
        return UserFactory(email="unverified@example.org", email_verified=False)
    if role == "own_staff":
        return request.getfixturevalue("committee_staff")
    if role == "other_staff":
        return other_committee_staff()
    return request.getfixturevalue(role)


def do(action: str, client: Client, consultation: Consultation):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    base = f"/staff/consultations/{consultation.pk}/"
    if action == "list":
        return client.get(LIST)
    if action == "create":
        return client.post(NEW, new_consultation_data(consultation, title="Creada en la matriz"))
    if action == "edit":
        return client.post(base, details_data(consultation, title="Título cambiado"))
    if action == "extend":
        later = consultation.closes_at + timedelta(days=3)
        return client.post(base + "extend/", {"closes_at": local(later)})
    return client.post(base + "close/")


def changed(action: str, consultation: Consultation) -> bool:
    before = (consultation.title, consultation.closes_at, consultation.status)
    consultation.refresh_from_db()
    if action == "create":
        return Consultation.objects.filter(title="Creada en la matriz").exists()
    if action == "edit":
        return consultation.title == "Título cambiado"
    if action == "extend":
        return consultation.closes_at > before[1]
    if action == "close":
        return consultation.status == ConsultationStatus.CLOSED
    return False


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_who_may_run_a_consultation(role, action, client, consultation, request):
    person = person_for(role, request)
    if person is not None:
        sign_in(client, person, second_factor=role != "citizen" and role != "unverified")
    response = do(action, client, consultation)
    expected = EXPECTED[role][action]

    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif expected in (403, 404):
        assert response.status_code == expected
    elif expected == "ok-without-it":
        assert response.status_code == 200
        assert consultation.title not in response.content.decode()
    elif expected == "refused":
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    elif action == "list":
        assert response.status_code == 200
        assert consultation.title in response.content.decode()
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
    if action != "list":
        assert changed(action, consultation) == (expected == "ok")


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, committee_staff):
    sign_in(client, committee_staff, second_factor=False)
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_forms_need_the_csrf_token(committee_staff, consultation):
    client = sign_in(Client(enforce_csrf_checks=True), committee_staff)
    response = client.post(f"/staff/consultations/{consultation.pk}/close/")
    assert response.status_code == 403
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN


def test_a_missing_consultation_is_not_found(staff_client):
    assert staff_client.get("/staff/consultations/999999/").status_code == 404
    assert staff_client.post("/staff/consultations/999999/close/").status_code == 404


# --- The list -------------------------------------------------------------------


def test_the_list_shows_bill_committee_status_and_published_counts(
    staff_client, consultation, citizen
):
    services.comment_submit(author=citizen, consultation=consultation, text="Publicado")
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="agree")
    html = staff_client.get(LIST, headers={"Accept-Language": "en"}).content.decode()
    assert consultation.title in html
    assert "1234/2025-CR, version 1" in html
    assert str(consultation.committee) in html
    assert "Open" in html
    assert "1 comment" in html
    assert "0 proposals" in html
    assert "1 vote" in html


def test_unpublished_items_are_not_counted(staff_client, consultation, citizen):
    comment = services.comment_submit(author=citizen, consultation=consultation, text="Oculto")
    comment.status = ItemStatus.HIDDEN
    comment.save(update_fields=["status"])
    html = staff_client.get(LIST, headers={"Accept-Language": "en"}).content.decode()
    assert "0 comments" in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_one_consultation_or_many(
    staff_client, consultation, committee_staff, citizen
):
    services.comment_submit(author=citizen, consultation=consultation, text="Uno")
    one = _list_queries(staff_client)
    for number in range(5):
        services.consultation_create(
            actor=committee_staff,
            version=consultation.version,
            committee=consultation.committee,
            title=f"Consulta {number}",
            opens_at=timezone.now() + timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=2),
        )
    assert _list_queries(staff_client) == one


def test_the_list_is_paginated_newest_first(staff_client, consultation, committee_staff):
    for number in range(30):
        services.consultation_create(
            actor=committee_staff,
            version=consultation.version,
            committee=consultation.committee,
            title=f"Consulta número {number:02d}",
            opens_at=timezone.now() + timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=2),
        )
    first = staff_client.get(LIST).content.decode()
    assert "Consulta número 29" in first
    assert "Consulta número 00" not in first
    assert 'rel="next"' in first
    second = staff_client.get(LIST + "?page=2").content.decode()
    assert "Consulta número 00" in second
    for page in ("abc", "-1", "999", "1%00"):
        assert staff_client.get(LIST, {"page": page}).status_code == 200


# --- Creating -------------------------------------------------------------------


def test_staff_schedule_a_consultation_with_its_rules(staff_client, consultation):
    response = staff_client.post(NEW, new_consultation_data(consultation))
    created = Consultation.objects.get(title="Segunda consulta")
    assert response.status_code == 302
    assert response["Location"] == f"/staff/consultations/{created.pk}/"
    assert created.status == ConsultationStatus.SCHEDULED
    assert created.moderation_policy == "pre"
    assert created.questions == ["¿Primera pregunta?", "¿Segunda pregunta?"]
    assert created.created_by.email == "committee@example.org"
    # datetime-local values are Peru time (UTC-5).
    expected = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        second=0, microsecond=0
    )
    assert created.opens_at == expected


def test_a_draft_is_not_public_until_it_is_scheduled(staff_client, consultation, client):
    staff_client.post(NEW, new_consultation_data(consultation, action="draft"))
    draft = Consultation.objects.get(title="Segunda consulta")
    assert draft.status == ConsultationStatus.DRAFT
    public = Client().get("/api/v1/consultations/").json()
    assert "Segunda consulta" not in str(public)

    response = staff_client.post(f"/staff/consultations/{draft.pk}/schedule/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ConsultationStatus.SCHEDULED
    assert "Segunda consulta" in str(Client().get("/api/v1/consultations/").json())

    staff_client.post(f"/staff/consultations/{draft.pk}/unschedule/")
    draft.refresh_from_db()
    assert draft.status == ConsultationStatus.DRAFT


def test_the_bill_page_links_to_a_prefilled_form(staff_client, consultation):
    version = consultation.version
    bill_page = staff_client.get(f"/staff/bills/{version.bill.slug}/").content.decode()
    link = f"/staff/consultations/new/?version={version.pk}"
    assert link in bill_page
    html = staff_client.get(link).content.decode()
    assert f'value="{escape(version.bill.title)}"' in html
    assert f'<option value="{version.pk}" selected>' in html
    assert f'<option value="{consultation.committee_id}" selected>' in html


@pytest.mark.parametrize("version", ["abc", "-1", "999999", "1%00", "", "1e3"])
def test_a_strange_version_in_the_link_prefills_nothing(staff_client, consultation, version):
    response = staff_client.get(NEW, {"version": version})
    assert response.status_code == 200
    assert f'value="{escape(consultation.version.bill.title)}"' not in response.content.decode()


def test_another_committees_version_is_neither_prefilled_nor_accepted(staff_client, consultation):
    other_committee_staff()
    foreign_version = BillVersion.objects.get(bill__number="999/2026-CR")
    html = staff_client.get(NEW, {"version": foreign_version.pk}).content.decode()
    assert "999/2026-CR" not in html
    data = new_consultation_data(consultation, version=foreign_version.pk)
    response = staff_client.post(NEW, data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Consultation.objects.filter(version=foreign_version).exists()


def test_an_administrator_is_told_when_the_bill_is_not_the_committees(
    client, administrator, consultation
):
    other_committee_staff()
    sign_in(client, administrator)
    foreign_version = BillVersion.objects.get(bill__number="999/2026-CR")
    data = new_consultation_data(
        consultation,
        committee=Committee.objects.get(slug="descentralizacion").pk,
        version=foreign_version.pk,
    )
    response = client.post(NEW, data, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "This bill is not assigned to the chosen committee." in response.content.decode()
    assert not Consultation.objects.filter(version=foreign_version).exists()


def test_an_empty_title_becomes_the_bills_title(staff_client, consultation):
    staff_client.post(NEW, new_consultation_data(consultation, title="  "))
    created = Consultation.objects.exclude(pk=consultation.pk).get()
    assert created.title == consultation.version.bill.title


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_at": "2020-01-01T10:00", "opens_at": "2020-01-02T10:00"}, "closes_at",
         "The consultation must close after it opens."),
        ({"opens_at": local(timezone.now() - timedelta(days=2))}, "opens_at",
         "The opening time is in the past."),
        ({"opens_at": "2026-13-45T99:99"}, "opens_at", "Enter a valid date/time."),
        ({"opens_at": "tomorrow"}, "opens_at", "Enter a valid date/time."),
        ({"opens_at": ""}, "opens_at", "This field is required."),
        ({"closes_at": "9999-12-31T23:59"}, "closes_at", "Enter a date between the years"),
        ({"closes_at": "0001-01-01T00:00"}, "closes_at", "Enter a date between the years"),
        ({"opens_at": "2026-01-01T10:00\x00"}, "opens_at", ""),
        ({"title": "Título\x00"}, "title", "Null characters are not allowed."),
        ({"description": "\x00"}, "description", "Null characters are not allowed."),
        ({"questions": "¿Una?\n¿Otra\x00?"}, "questions", "Null characters are not allowed."),
        ({"questions": "\n".join(f"¿{n}?" for n in range(21))}, "questions",
         "Ask at most 20 questions."),
        ({"questions": "x" * 501}, "questions", "Use at most 500 characters."),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
        ({"moderation_policy": "none"}, "moderation_policy", "Select a valid choice."),
        ({"minimum_level": "anyone"}, "minimum_level", "Select a valid choice."),
        ({"committee": "abc"}, "committee", "Select a valid choice."),
        ({"version": "999999"}, "version", "Select a valid choice."),
    ],
)  # fmt: skip
def test_bad_input_gets_a_clear_error_and_creates_nothing(
    staff_client, consultation, changes, field, message
):
    response = staff_client.post(
        NEW, new_consultation_data(consultation, **changes), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert Consultation.objects.count() == 1


# --- Editing, extending, closing ---------------------------------------------------


def _draft(committee_staff, consultation) -> Consultation:
    return services.consultation_create(
        actor=committee_staff,
        version=consultation.version,
        committee=consultation.committee,
        title="Borrador",
        opens_at=timezone.now() + timedelta(days=2),
        closes_at=timezone.now() + timedelta(days=10),
        draft=True,
    )


def test_a_draft_can_change_its_dates(staff_client, committee_staff, consultation):
    draft = _draft(committee_staff, consultation)
    later = timezone.now() + timedelta(days=30)
    response = staff_client.post(
        f"/staff/consultations/{draft.pk}/", details_data(draft, closes_at=local(later))
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert local(draft.closes_at) == local(later)


def test_an_open_consultation_keeps_its_dates_but_changes_its_text(staff_client, consultation):
    page = staff_client.get(f"/staff/consultations/{consultation.pk}/").content.decode()
    assert 'name="opens_at"' not in page
    opens_at = consultation.opens_at
    data = details_data(
        consultation,
        title="Nuevo título",
        questions="¿Qué opina?",
        opens_at=local(timezone.now() + timedelta(days=5)),
    )
    assert staff_client.post(f"/staff/consultations/{consultation.pk}/", data).status_code == 302
    consultation.refresh_from_db()
    assert consultation.title == "Nuevo título"
    assert consultation.questions == ["¿Qué opina?"]
    assert consultation.opens_at == opens_at


def test_a_closed_consultation_is_read_only(staff_client, committee_staff, consultation):
    services.consultation_close_early(actor=committee_staff, consultation=consultation)
    url = f"/staff/consultations/{consultation.pk}/"
    page = staff_client.get(url, headers={"Accept-Language": "en"}).content.decode()
    assert 'name="title"' not in page
    assert "can no longer be changed" in page
    response = staff_client.post(url, details_data(consultation, title="Cambio tardío"))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.title != "Cambio tardío"
    later = local(consultation.closes_at + timedelta(days=3))
    response = staff_client.post(url + "extend/", {"closes_at": later})
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED


def test_extending_needs_a_later_time(staff_client, consultation):
    earlier = local(consultation.closes_at - timedelta(days=1))
    response = staff_client.post(
        f"/staff/consultations/{consultation.pk}/extend/",
        {"closes_at": earlier},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert "Choose a later closing time." in response.content.decode()
    for bad in ("", "not a date", "2026-02-30T10:00"):
        response = staff_client.post(
            f"/staff/consultations/{consultation.pk}/extend/", {"closes_at": bad}
        )
        assert response.status_code == 200


def test_closing_early_asks_first_and_only_a_post_closes(staff_client, consultation):
    url = f"/staff/consultations/{consultation.pk}/close/"
    page = staff_client.get(url, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Close this consultation now?" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.OPEN
    assert staff_client.post(url).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.CLOSED
    again = staff_client.post(url, follow=True, headers={"Accept-Language": "en"})
    assert "This consultation is already closed." in again.content.decode()


def test_a_scheduled_consultation_goes_back_to_draft_instead_of_closing(
    staff_client, committee_staff, consultation
):
    draft = _draft(committee_staff, consultation)
    services.consultation_schedule(actor=committee_staff, consultation=draft)
    response = staff_client.post(
        f"/staff/consultations/{draft.pk}/close/", follow=True, headers={"Accept-Language": "en"}
    )
    assert "move it back to draft instead" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == ConsultationStatus.SCHEDULED


def test_the_public_page_is_linked_once_it_exists(staff_client, committee_staff, consultation):
    html = staff_client.get(f"/staff/consultations/{consultation.pk}/").content.decode()
    try:
        public = reverse("consultations:detail", kwargs={"pk": consultation.pk})
    except NoReverseMatch:
        return  # the public pages are not there yet; the staff page still works
    assert f'href="{public}"' in html
    draft = _draft(committee_staff, consultation)
    draft_html = staff_client.get(f"/staff/consultations/{draft.pk}/").content.decode()
    assert f'href="{reverse("consultations:detail", kwargs={"pk": draft.pk})}"' not in draft_html


# --- Hostile text ---------------------------------------------------------------------


def test_naughty_strings_are_stored_exactly_and_shown_escaped(
    staff_client, consultation, naughty_strings
):
    url = f"/staff/consultations/{consultation.pk}/"
    for text in naughty_strings:
        data = details_data(consultation, title=text, description=text, questions=text)
        response = staff_client.post(url, data)
        assert response.status_code in (200, 302), repr(text)
        if "\x00" in text or not text.strip() or len(text.strip()) > 300:
            assert response.status_code == 200, repr(text)
            continue
        assert response.status_code == 302, repr(text)
        consultation.refresh_from_db()
        assert consultation.title == text.strip()
        assert consultation.description == text.strip()
        assert consultation.questions == [text.strip()]
    page = staff_client.get(url).content.decode()
    assert escape(consultation.title) in page


def test_script_in_a_title_is_shown_as_text(staff_client, consultation):
    url = f"/staff/consultations/{consultation.pk}/"
    title = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    staff_client.post(url, details_data(consultation, title=title, questions=title))
    for page in (url, LIST):
        html = staff_client.get(page).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert escape(title) in html
