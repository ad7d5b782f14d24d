"""Staff must set up TOTP before any staff page; citizens are unaffected."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["moderator", "committee_staff", "administrator"])
def test_staff_without_totp_are_sent_to_set_it_up(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for path in ["/admin/", "/staff/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_an_htmx_request_gets_hx_redirect_not_a_redirect(client, moderator):
    client.force_login(moderator)
    response = client.get("/staff/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Redirect"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_reach_the_admin(client, administrator):
    TOTP.activate(administrator, generate_totp_secret())
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200


def test_citizens_are_not_asked_for_a_second_factor(client, citizen):
    client.force_login(citizen)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403  # not staff: refused, not sent to set up TOTP
    assert "/accounts/2fa/" not in str(response.redirect_chain)


@override_settings(APORTA_STAFF_MFA_REQUIRED=False)
def test_the_setting_relaxes_the_requirement_for_the_local_demo(client, administrator):
    client.force_login(administrator)
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_goes_through_the_rate_limited_allauth_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_administrators_manage_people_and_bills_in_the_admin(client, administrator):
    TOTP.activate(administrator, generate_totp_secret())
    client.force_login(administrator)
    for path in ["/admin/accounts/user/", "/admin/bills/bill/", "/admin/bills/committee/add/"]:
        assert client.get(path).status_code == 200, path


def test_moderators_and_committee_staff_do_not_get_the_admin(client, moderator, committee_staff):
    for person in (moderator, committee_staff):
        TOTP.activate(person, generate_totp_secret())
        client.force_login(person)
        response = client.get("/admin/accounts/user/", follow=True)
        assert response.status_code == 403
