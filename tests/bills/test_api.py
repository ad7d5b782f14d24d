import pytest

from tests.bills import factories

pytestmark = pytest.mark.django_db


def test_the_bill_list_is_public_and_paginated(client):
    factories.published_bill()
    body = client.get("/api/v1/bills/").json()
    assert body["count"] == 1
    assert body["results"][0]["slug"] == "1234-2025-CR"
    assert body["results"][0]["origin_chamber"]["slug"] == "diputados"


def test_a_bad_filter_is_a_400_with_the_field(client):
    response = client.get("/api/v1/bills/?stage=nonsense")
    assert response.status_code == 400
    assert "stage" in response.json()


def test_a_bill_lists_its_published_versions(client):
    factories.published_bill(versions=2)
    body = client.get("/api/v1/bills/1234-2025-CR/").json()
    assert [version["number"] for version in body["versions"]] == [1, 2]


def test_a_version_comes_with_its_provision_tree(client):
    factories.published_bill()
    body = client.get("/api/v1/bills/1234-2025-CR/versions/1/").json()
    title = body["provisions"][0]
    assert title["eid"] == "tit_1"
    article = title["children"][0]["children"][1]
    assert article["label"] == "Artículo 2.-"
    assert article["children"] == []


def test_the_diff_gives_word_segments(client):
    factories.published_bill(versions=2)
    rows = client.get("/api/v1/bills/1234-2025-CR/versions/1/diff/2/").json()
    changed = [row for row in rows if row["status"] == "changed"]
    assert changed
    assert {segment["op"] for segment in changed[0]["segments"]} >= {"insert", "delete"}


def test_unknown_bills_and_versions_are_404(client):
    factories.published_bill()
    assert client.get("/api/v1/bills/nope/").status_code == 404
    assert client.get("/api/v1/bills/1234-2025-CR/versions/7/").status_code == 404


def test_the_schema_and_docs_are_served_from_this_site(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/bills/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in docs.content
    assert b"cdn" not in docs.content.lower()
