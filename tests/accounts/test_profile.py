import pytest

from accounts.models import Region, RespondentType

pytestmark = pytest.mark.django_db


def test_profile_needs_a_signed_in_person(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_person_updates_their_profile(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/accounts/profile/",
        {
            "display_name": "  Rosa   Q.  ",
            "region": Region.objects.get(code="abroad").pk,
            "respondent_type": RespondentType.TRADE_UNION,
            "age_range": "65+",
        },
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.display_name == "Rosa Q."
    assert citizen.region.is_abroad
    assert citizen.respondent_type == RespondentType.TRADE_UNION
    assert citizen.age_range == "65+"


def test_a_refused_profile_change_keeps_the_old_values(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/accounts/profile/",
        {"display_name": "x", "region": "999999", "respondent_type": "alien"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"display_name", "region", "respondent_type"} <= set(errors)
    citizen.refresh_from_db()
    assert citizen.display_name == "Ciudadana Ejemplo"
