"""Committee staff import a text, preview it and publish it, in the browser's forms."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile

from bills.models import Bill, BillVersion, VersionStatus
from tests.bills import factories

pytestmark = pytest.mark.django_db

TEXT = """PROYECTO DE LEY N.° 555/2026-CR

TÍTULO I
DISPOSICIONES GENERALES

Artículo 1.- Objeto
La presente ley regula la participación ciudadana.

Artículo 2.- Ámbito
Se aplica a todas las comisiones.
"""


@pytest.fixture
def staff_client(client, committee_staff):
    TOTP.activate(committee_staff, generate_totp_secret())
    client.force_login(committee_staff)
    factories.chamber()
    return client


def upload(name: str, content: bytes, **fields):
    data = {
        "source": SimpleUploadedFile(name, content),
        "number": "555/2026-CR",
        "title": "Ley de participación",
        "origin_chamber": factories.chamber().pk,
        "kind": "original",
    }
    data.update(fields)
    return data


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/staff/bills/import/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_citizens_and_moderators_may_not_import(client, citizen, moderator):
    client.force_login(citizen)
    assert client.get("/staff/bills/import/").status_code == 403
    TOTP.activate(moderator, generate_totp_secret())
    client.force_login(moderator)
    assert client.get("/staff/bills/import/").status_code == 403


def test_staff_import_preview_and_publish_a_text(staff_client):
    response = staff_client.post("/staff/bills/import/", upload("proyecto.txt", TEXT.encode()))
    assert response.status_code == 302
    version = BillVersion.objects.get()
    assert version.status == VersionStatus.DRAFT
    assert staff_client.get("/bills/555-2026-CR/").status_code == 404  # not public yet

    preview = staff_client.get(response["Location"])
    assert preview.status_code == 200
    assert "Artículo 2" in preview.content.decode()

    response = staff_client.post(
        response["Location"], {"title": "Ley de participación ciudadana", "summary": "Resumen"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/bills/555-2026-CR/"
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert Bill.objects.get().title == "Ley de participación ciudadana"


def test_a_second_upload_becomes_the_next_version(staff_client):
    staff_client.post("/staff/bills/import/", upload("v1.txt", TEXT.encode()))
    staff_client.post(
        "/staff/bills/import/",
        upload("v2.txt", TEXT.replace("todas", "las").encode(), title="", origin_chamber=""),
    )
    assert list(BillVersion.objects.values_list("number", flat=True)) == [1, 2]


def test_a_draft_can_be_discarded(staff_client):
    response = staff_client.post("/staff/bills/import/", upload("proyecto.txt", TEXT.encode()))
    version = BillVersion.objects.get()
    assert staff_client.post(f"/staff/bills/versions/{version.pk}/discard/").status_code == 302
    assert not BillVersion.objects.exists()
    assert staff_client.get(response["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("proyecto.txt", b""),
        ("proyecto.txt", b"   \n\n "),
        ("proyecto.exe", TEXT.encode()),
        ("proyecto.docx", b"%PDF-1.7 not really a docx"),
        ("proyecto.pdf", TEXT.encode()),
        ("proyecto.txt", b"\xff\xfe\x00\x00binary"),
        ("proyecto.xml", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"),
    ],
)
def test_bad_files_get_a_clear_error_and_nothing_is_saved(staff_client, name, content):
    response = staff_client.post("/staff/bills/import/", upload(name, content))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Bill.objects.exists()
    assert not BillVersion.objects.exists()


def test_a_new_bill_needs_a_title_and_chamber(staff_client):
    response = staff_client.post(
        "/staff/bills/import/", upload("p.txt", TEXT.encode(), title="", origin_chamber="")
    )
    assert {"title", "origin_chamber"} <= set(response.context["form"].errors)


def test_an_oversized_upload_is_refused_before_it_is_read(staff_client):
    big = "Artículo 1.- Texto.\n".encode() * (21 * 2**20 // 20 + 10)
    response = staff_client.post("/staff/bills/import/", upload("grande.txt", big))
    assert response.status_code == 413
    assert not Bill.objects.exists()


def test_staff_record_a_stage_change_that_the_public_page_shows(staff_client):
    factories.published_bill()
    response = staff_client.post(
        "/staff/bills/1234-2025-CR/",
        {"stage": "committee_report", "happened_on": "2026-11-20", "note": "Dictamen favorable"},
    )
    assert response.status_code == 302
    bill = Bill.objects.get()
    assert bill.stage == "committee_report"
    page = staff_client.get("/bills/1234-2025-CR/").content.decode()
    assert "Dictamen favorable" in page


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "nonsense", "happened_on": "2026-11-20"},
        {"stage": "approved", "happened_on": "20/20/2026"},
        {"stage": "approved", "happened_on": "2026-11-20", "note": "x" * 501},
        {"stage": "approved", "happened_on": "2026-11-20", "note": "a\x00b"},
    ],
)
def test_a_bad_stage_change_is_refused_with_field_errors(staff_client, data):
    factories.published_bill()
    response = staff_client.post("/staff/bills/1234-2025-CR/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Bill.objects.get().stage == "presented"


def test_citizens_cannot_record_stage_changes(client, citizen):
    factories.published_bill()
    client.force_login(citizen)
    response = client.post(
        "/staff/bills/1234-2025-CR/", {"stage": "enacted", "happened_on": "2026-11-20"}
    )
    assert response.status_code == 403
    assert Bill.objects.get().stage == "presented"
