"""Reports asked for by staff, built by a task into stored files with their
size and checksum, downloaded only by the consultation's committee staff."""

import hashlib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services
from consultations.models import Report, ReportStatus
from consultations.reports.build import STALE, report_build
from notifications.models import Event, Outbox
from notifications.services import outbox_send_due
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory
from tests.moderation.test_pages import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(committee_staff):
    consultation = open_consultation(committee_staff)
    services.comment_submit(
        author=UserFactory(), consultation=consultation, provision=None, text="Buen proyecto"
    )
    return consultation


def requested(committee_staff, consultation, fmt="xlsx") -> Report:
    report = services.report_request(actor=committee_staff, consultation=consultation, format=fmt)
    report_build(report.pk)  # what the queued task does (eager without a broker)
    report.refresh_from_db()
    return report


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "pdf", "docx"])
def test_a_report_is_built_stored_with_its_checksum_and_the_requester_told(
    committee_staff, consultation, fmt
):
    report = requested(committee_staff, consultation, fmt)
    assert report.status == ReportStatus.READY
    data = report.file.read()
    assert report.size == len(data) > 0
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    extension = {"csv": "zip"}.get(fmt, fmt)
    assert report.file.name.endswith(f".{extension}")
    assert Outbox.objects.filter(event=Event.REPORT_READY, recipient=committee_staff).exists()
    outbox_send_due()
    [message] = [each for each in mail.outbox if each.to == [committee_staff.email]]
    assert f"/staff/consultations/{consultation.pk}/reports/" in message.body


def test_a_report_is_built_once_and_a_dead_build_is_taken_over(committee_staff, consultation):
    report = requested(committee_staff, consultation)
    assert not report_build(report.pk)  # delivered again: nothing to do
    stuck = services.report_request(actor=committee_staff, consultation=consultation, format="csv")
    Report.objects.filter(pk=stuck.pk).update(
        status=ReportStatus.BUILDING, started_at=timezone.now() - STALE * 2
    )
    assert report_build(stuck.pk)
    assert Report.objects.get(pk=stuck.pk).status == ReportStatus.READY


def test_asking_twice_while_it_is_built_gives_the_same_report(committee_staff, consultation):
    first = services.report_request(actor=committee_staff, consultation=consultation, format="json")
    Report.objects.filter(pk=first.pk).update(status=ReportStatus.BUILDING)
    again = services.report_request(actor=committee_staff, consultation=consultation, format="json")
    assert again.pk == first.pk


def test_a_failed_build_is_marked_failed(committee_staff, consultation, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.consultations.storages.FullStorage"},
    }
    report = requested(committee_staff, consultation, "json")
    assert report.status == ReportStatus.FAILED
    assert report.error == "OSError"
    assert not Outbox.objects.filter(event=Event.REPORT_READY).exists()


def test_only_the_committees_staff_ask_for_reports(consultation, citizen, moderator):
    other = UserFactory()
    user_assign_role(user=other, role=Role.COMMITTEE_STAFF)
    for person in (citizen, moderator, other):
        with pytest.raises(PermissionDenied):
            services.report_request(actor=person, consultation=consultation, format="csv")
    with pytest.raises(ValidationError):
        services.report_request(
            actor=consultation.committee.staff.get(), consultation=consultation, format="odt"
        )


def test_the_reports_page_and_downloads_are_for_the_committees_staff(
    client, committee_staff, consultation, citizen
):
    report = requested(committee_staff, consultation, "json")
    page = f"/staff/consultations/{consultation.pk}/reports/"
    download = f"{page}{report.pk}/download/"
    other = UserFactory()
    user_assign_role(user=other, role=Role.COMMITTEE_STAFF)
    as_citizen, as_other = sign_in(Client(), citizen), sign_in(Client(), other)
    for url in (page, download):
        assert Client().get(url).status_code == 302
        assert as_citizen.get(url).status_code == 403
        assert as_other.get(url).status_code == 404
    staff = sign_in(client, committee_staff)
    assert report.sha256[:16] in staff.get(page).content.decode()
    response = staff.get(download)
    assert response.status_code == 200
    assert response["X-Content-SHA256"] == report.sha256
    assert b"".join(response.streaming_content) == report.file.open("rb").read()


@pytest.mark.parametrize(
    "data", [{"format": "pdf2", "language": "es"}, {"format": "csv", "language": "xx"}, {}]
)
def test_malformed_report_requests_are_refused(client, committee_staff, consultation, data):
    response = sign_in(client, committee_staff).post(
        f"/staff/consultations/{consultation.pk}/reports/", data
    )
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_asking_from_the_page_queues_a_report(client, committee_staff, consultation):
    response = sign_in(client, committee_staff).post(
        f"/staff/consultations/{consultation.pk}/reports/", {"format": "csv", "language": "en"}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.format, report.language, report.requested_by) == ("csv", "en", committee_staff)
