"""The base UI as a visitor meets it: pages, languages, headers, errors."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = [
    "/",
    "/privacy/",
    "/terms/",
    "/moderation-policy/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects inline scripts, inline styles and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        # JSON data blocks (type="application/json") are not executed.
        is_data = ("type", "application/json") in attrs
        if tag == "script" and "src" not in names and not is_data:
            self._in_script = True
        if tag == "style":
            self.problems.append("<style> element")
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems.extend(f"{name} on <{tag}>" for name in names if name.startswith("on"))

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_spanish_by_default(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert 'href="#main"' in html
    assert 'id="main"' in html
    for landmark in ("<header", "<main", "<footer", "<nav"):
        assert landmark in html


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_have_no_inline_script_or_style(client, path):
    parser = InlineCode()
    parser.feed(client.get(path).content.decode())
    assert parser.problems == []


def test_pages_for_a_signed_in_person_have_no_inline_code_either(client, citizen):
    client.force_login(citizen)
    for path in ["/", "/accounts/profile/", "/accounts/email/", "/accounts/2fa/"]:
        parser = InlineCode()
        parser.feed(client.get(path).content.decode())
        assert parser.problems == [], path


def test_content_security_policy_allows_no_inline_script_or_style(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_security_headers_are_sent(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_home_has_an_honest_empty_state_and_a_sign_up_call(client):
    html = client.get("/", headers={"Accept-Language": "en"}).content.decode()
    assert "There are no open consultations right now." in html
    assert 'href="/accounts/signup/"' in html


def test_header_shows_the_sign_in_state(client, citizen):
    html = client.get("/").content.decode()
    assert 'href="/accounts/login/"' in html
    client.force_login(citizen)
    html = client.get("/").content.decode()
    assert "Ciudadana Ejemplo" in html
    assert 'action="/accounts/logout/"' in html


def test_sign_out_is_a_post_not_a_link(client, citizen):
    client.force_login(citizen)
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_language_switcher_changes_the_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    html = client.get("/privacy/").content.decode()
    assert '<html lang="en">' in html
    assert "Privacy notice" in html


def test_spanish_is_translated(client):
    html = client.get("/").content.decode()
    assert "Consultas abiertas" in html
    assert "Open consultations" not in html


def test_footer_links_to_the_policies(client):
    html = client.get("/").content.decode()
    for path in ["/privacy/", "/terms/", "/moderation-policy/"]:
        assert f'href="{path}"' in html


def test_privacy_notice_shows_its_version(client):
    html = client.get("/privacy/").content.decode()
    assert settings.APORTA_PRIVACY_NOTICE_VERSION in html
    assert "29733" in html


def test_unknown_page_gets_the_site_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<html lang="es">' in response.content.decode()
    assert "<h1>" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.config.urls_raising")
def test_a_bug_shows_the_500_page_without_details(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "a bug" not in html
    assert "Traceback" not in html
    assert "<h1>" in html


def test_an_expired_form_gets_a_clear_403(client):
    client.handler.enforce_csrf_checks = True
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "<h1>" in response.content.decode()


def test_htmx_is_vendored_with_its_version_recorded(client):
    html = client.get("/").content.decode()
    assert re.search(r'<script src="/static/vendor/htmx/htmx\.min(\.[0-9a-f]+)?\.js" defer>', html)
    version = (ROOT / "static/vendor/htmx/VERSION").read_text()
    assert re.search(r"htmx\.org \d+\.\d+\.\d+", version)
    assert (ROOT / "static/vendor/htmx/htmx.min.js").stat().st_size > 10_000
    assert '"allowEval": false' in html


def test_the_old_favicon_address_points_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
