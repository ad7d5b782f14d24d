import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bills import services
from tests.bills import factories

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_bills_with_a_published_text(client):
    factories.published_bill()
    services.bill_create(number="9/2025-CR", title="Borrador", origin_chamber=factories.chamber())
    html = client.get("/bills/").content.decode()
    assert "Ley de prueba sobre participación ciudadana" in html
    assert "Borrador" not in html


def test_the_list_filters_by_chamber_and_stage(client):
    factories.published_bill()
    assert "Ley de prueba" in client.get("/bills/?chamber=diputados").content.decode()
    assert "Ley de prueba" not in client.get("/bills/?stage=enacted").content.decode()


def test_hostile_filters_are_ignored_not_errors(client):
    factories.published_bill()
    for query in ["?chamber=<script>", "?stage=%00", "?page=-1", "?page=abc", "?q=" + "a" * 5000]:
        assert client.get("/bills/" + query).status_code == 200, query


def test_search_finds_words_of_the_title(client):
    factories.published_bill()
    assert "Ley de prueba" in client.get("/bills/?q=participación").content.decode()
    assert "Ley de prueba" not in client.get("/bills/?q=tributario").content.decode()


@pytest.mark.postgres
def test_search_ignores_accents_and_word_forms(client):
    factories.published_bill()
    assert "Ley de prueba" in client.get("/bills/?q=participacion+ciudadanas").content.decode()


def test_the_bill_page_shows_contents_provisions_with_permalinks_versions_and_stages(client):
    factories.published_bill(versions=2)
    response = client.get("/bills/1234-2025-CR/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="tit_1__chp_1__art_2"' in html
    assert 'href="#tit_1__chp_1__art_2"' in html
    assert "Texto cambiado en la versión 2." in html
    assert "/bills/1234-2025-CR/compare/1/2/" in html
    assert "Presentado" in html or "Presented" in html


def test_an_earlier_version_is_shown_on_request(client):
    factories.published_bill(versions=2)
    html = client.get("/bills/1234-2025-CR/?version=1").content.decode()
    assert "Texto del artículo 2" in html


@pytest.mark.parametrize("version", ["9", "0", "abc", "-1", "9" * 30])
def test_an_unknown_version_is_404(client, version):
    factories.published_bill()
    assert client.get(f"/bills/1234-2025-CR/?version={version}").status_code == 404


def test_a_bill_without_a_published_text_is_404(client):
    services.bill_create(number="9/2025-CR", title="Borrador", origin_chamber=factories.chamber())
    assert client.get("/bills/9-2025-CR/").status_code == 404


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_bill_page_query_count_does_not_grow_with_articles(client):
    factories.published_bill("20/2025-CR", articles=20)
    factories.published_bill("300/2025-CR", articles=300)
    assert _queries(client, "/bills/20-2025-CR/") == _queries(client, "/bills/300-2025-CR/")


def test_the_comparison_marks_changes_for_eyes_and_screen_readers(client):
    factories.published_bill(versions=2)
    response = client.get("/bills/1234-2025-CR/compare/1/2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>" in html
    assert "<ins>" in html
    assert "visually-hidden" in html


def test_the_version_downloads_as_akoma_ntoso(client):
    factories.published_bill()
    response = client.get("/bills/1234-2025-CR/v1/akn.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/akn+xml"
    assert b"akomaNtoso" in response.content


def test_the_comparison_can_show_only_what_changed(client):
    factories.published_bill(versions=2)
    everything = client.get("/bills/1234-2025-CR/compare/1/2/").content.decode()
    changes = client.get("/bills/1234-2025-CR/compare/1/2/?show=changes").content.decode()
    assert "diff-unchanged" in everything
    assert "diff-unchanged" not in changes
    assert "diff-changed" in changes


def test_an_article_is_also_reachable_by_its_short_anchor(client):
    factories.published_bill()
    html = client.get("/bills/1234-2025-CR/").content.decode()
    assert 'id="tit_1__chp_1__art_2"' in html
    assert 'id="art_2"' in html
