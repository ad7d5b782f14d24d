import re

import pytest

pytestmark = pytest.mark.django_db


def test_a_person_resets_a_forgotten_password_from_the_emailed_link(client, citizen, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": citizen.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [citizen.email]
    assert mailoutbox[0].subject.startswith("[Aporta]")
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    response = client.post(
        action, {"password1": "otra-clave-segura-2026", "password2": "otra-clave-segura-2026"}
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": citizen.email, "password": "otra-clave-segura-2026"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_reset_for_an_unknown_address_does_not_reveal_it(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302  # the same answer as for a known address
    assert all("nobody@example.org" in message.to for message in mailoutbox)
