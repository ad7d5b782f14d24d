"""Signing up, verifying the address and signing in, through HTTP."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import override_settings

from accounts.models import PrivacyConsent, Region, RespondentType, User

pytestmark = pytest.mark.django_db


def signup_data(**overrides) -> dict:
    data = {
        "email": "maria@example.org",
        "display_name": "María Mamani",
        "password1": "una-clave-muy-segura-77",
        "password2": "una-clave-muy-segura-77",
        "region": Region.objects.get(code="puno").pk,
        "respondent_type": RespondentType.ACADEMIA,
        "age_range": "25-34",
        "privacy_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_link(mailoutbox) -> str:
    assert len(mailoutbox) == 1
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body)
    assert match, mailoutbox[0].body
    return match.group(1)


def test_signup_saves_the_profile_and_the_consent_with_its_version(client, mailoutbox):
    response = client.post("/accounts/signup/", signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="maria@example.org")
    assert user.display_name == "María Mamani"
    assert user.region.code == "puno"
    assert user.respondent_type == RespondentType.ACADEMIA
    assert user.age_range == "25-34"
    consent = PrivacyConsent.objects.get(user=user)
    assert consent.notice_version == settings.APORTA_PRIVACY_NOTICE_VERSION
    assert consent.consented_at is not None


def test_signup_without_consent_creates_no_account(client):
    response = client.post("/accounts/signup/", signup_data(privacy_consent=None))
    assert response.status_code == 200
    assert "privacy_consent" in response.context["form"].errors
    assert not User.objects.filter(email="maria@example.org").exists()


def test_signup_asks_for_the_region_and_accepts_no_age_range(client):
    response = client.post("/accounts/signup/", signup_data(region=None))
    assert "region" in response.context["form"].errors
    response = client.post("/accounts/signup/", signup_data(age_range=""))
    assert response.status_code == 302
    assert User.objects.get(email="maria@example.org").age_range == ""


def test_a_new_account_cannot_sign_in_until_its_email_is_verified(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "maria@example.org", "password": "una-clave-muy-segura-77"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-email/")
    assert "_auth_user_id" not in client.session


def test_following_the_emailed_link_verifies_and_signs_in(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    link = confirmation_link(mailoutbox)
    assert client.get(link).status_code == 200  # a confirmation page, not a GET side effect
    assert not EmailAddress.objects.get(email="maria@example.org").verified
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="maria@example.org").verified
    assert client.get("/").context["user"].is_authenticated


def test_the_link_opened_in_another_browser_verifies_then_asks_to_sign_in(client, mailoutbox):
    client.post("/accounts/signup/", signup_data())
    link = confirmation_link(mailoutbox)
    client.logout()
    client.post(link)
    assert EmailAddress.objects.get(email="maria@example.org").verified
    response = client.post(
        "/accounts/login/", {"login": "maria@example.org", "password": "una-clave-muy-segura-77"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


def test_verified_person_signs_in_and_sees_their_public_name(client, citizen, password):
    response = client.post(
        "/accounts/login/", {"login": citizen.email, "password": password}, follow=True
    )
    assert response.status_code == 200
    assert citizen.display_name in response.content.decode()


def test_email_is_unique_whatever_its_case(client, citizen):
    response = client.post("/accounts/signup/", signup_data(email="CITIZEN@example.org"))
    # allauth does not reveal that the address exists; it sends a notice instead.
    assert User.objects.filter(email__iexact="citizen@example.org").count() == 1
    assert response.status_code in {200, 302}


def test_a_display_name_with_contact_details_is_refused(client):
    for name in ["maria@example.org", "www.example.org", "Llámame 987 654 321"]:
        response = client.post("/accounts/signup/", signup_data(display_name=name))
        assert "display_name" in response.context["form"].errors, name
    assert not User.objects.exists()


def test_sign_up_is_rate_limited_per_address(client):
    statuses = [
        client.post(
            "/accounts/signup/", signup_data(email=f"p{n}@example.org", privacy_consent=None)
        ).status_code
        for n in range(7)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[-1] == 429


def test_failed_sign_ins_are_rate_limited(client, citizen, password):
    def attempt(secret):
        return client.post(
            "/accounts/login/",
            {"login": citizen.email, "password": secret},
            headers={"Accept-Language": "en"},
        )

    for _ in range(5):
        assert "Too many failed login attempts" not in attempt("wrong").content.decode()
    assert "Too many failed login attempts" in attempt("wrong").content.decode()
    # Even the right password is refused while the limit holds.
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in attempt(password).content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_limits_count_per_visitor_not_per_proxy(client):
    def attempt(n, visitor):
        data = signup_data(email=f"p{n}@example.org", privacy_consent=None)
        return client.post(
            "/accounts/signup/", data, headers={"X-Forwarded-For": visitor}
        ).status_code

    assert [attempt(n, "203.0.113.7") for n in range(6)][-1] == 429
    assert attempt(99, "198.51.100.20") == 200
