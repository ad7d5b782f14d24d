"""Open data: published feedback and aggregates for everyone, under a stated
licence, with public names only and small groups suppressed."""

import csv
import io
import json

import pytest

from tests.consultations.test_report_content import feedback  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_feedback_files_hold_public_names_and_nothing_personal(client, feedback):  # noqa: F811
    consultation, people = feedback
    base = f"/consultations/{consultation.pk}/open-data/"
    response = client.get(f"{base}feedback.csv")
    assert response.status_code == 200
    assert response["Link"].endswith('rel="license"')
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5  # published comments and proposals only
    assert set(rows[0]) == {"kind", "id", "provision", "sent", "author", "supports", "text",
                            "reason", "answer", "answer_reason"}  # fmt: skip
    lines = b"".join(client.get(f"{base}feedback.jsonl").streaming_content).decode().splitlines()
    assert len(lines) == 5
    assert {json.loads(line)["kind"] for line in lines} == {"comment", "proposal"}
    everything = body + "".join(lines)
    for person in people:
        assert person.email not in everything
    assert "@example.org" not in everything
    assert "cusco" not in everything.lower()  # no per-item region


def test_the_aggregates_suppress_small_groups_and_carry_the_licence(client, feedback):  # noqa: F811
    consultation, people = feedback
    for url in (f"/consultations/{consultation.pk}/open-data/aggregates.json",
                f"/api/v1/consultations/{consultation.pk}/aggregates/"):  # fmt: skip
        data = client.get(url).json()
        assert data["licence"]["name"] == "CC BY 4.0"
        assert data["totals"]["participants"] == len(people)
        regions = {row["code"]: row["participants"] for row in data["regions"]}
        assert regions["tacna"] is None
        assert "annex" not in data
    page = client.get(f"/consultations/{consultation.pk}/open-data/").content.decode()
    assert 'rel="license"' in page


def test_drafts_have_no_open_data(client, committee_staff):
    from consultations.models import Consultation, ConsultationStatus
    from tests.consultations.factories import open_consultation

    consultation = open_consultation(committee_staff)
    Consultation.objects.filter(pk=consultation.pk).update(status=ConsultationStatus.DRAFT)
    for suffix in ("", "aggregates.json", "feedback.csv"):
        assert client.get(f"/consultations/{consultation.pk}/open-data/{suffix}").status_code == 404
    assert client.get(f"/api/v1/consultations/{consultation.pk}/aggregates/").status_code == 404


def test_big_downloads_are_rate_limited(client, feedback, settings):  # noqa: F811
    consultation, _people = feedback
    limits = settings.APORTA_PARTICIPATION_RATE_LIMITS
    settings.APORTA_PARTICIPATION_RATE_LIMITS = {**limits, "open_data": (2, 2, 60)}
    url = f"/consultations/{consultation.pk}/open-data/feedback.csv"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.get(url)["Retry-After"]) > 0
