"""The consultation page: reading, voting, commenting, proposing, supporting,
with htmx and without JavaScript."""

import pytest
from django.urls import reverse

from tests.consultations.factories import article, open_consultation

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
