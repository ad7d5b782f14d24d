"""Hostile requests at the site level: URLs, methods, headers, cookies, bodies,
the language switch and the health check. Never a 500, never a redirect off-site."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.support import HOSTILE_NEXT, stays_on_site

HTML_FORMS = ["/accounts/signup/", "/accounts/login/", "/accounts/password/reset/"]


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


# --- Paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/%00",
        "/%ff%fe",
        "/%c0%af",
        "/%ed%a0%80",
        "/" + "a" * 10_000,
        "/api/v1/" + "%ff" * 3_000,
        "/accounts/%00/",
        "/accounts/profile/%00",
        "/accounts/login/%0d%0aSet-Cookie:%20pwned=1",
        "/accounts/confirm-email/%00/",
        "/accounts/password/reset/key/%00-%00/",
        "/api/v1/%00",
        "/api/v1/regions/%ff%fe",
        "/api/v1/me/..%2f..%2f",
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/media/%00",
        "/static/%00",
        "/admin/%00",
        "/admin/" + "%ff" * 1_000,
        "/<script>alert(1)</script>",
        "/privacy/%3Cscript%3Ealert(1)%3C/script%3E",
        "/healthz/",
    ],
)
def test_a_hostile_path_answers_not_found_or_a_redirectstays_on_site(browser, db, path):
    response = browser.get(path)

    assert response.status_code in {301, 302, 400, 404}, response.status_code
    if response.status_code in {301, 302}:
        assert stays_on_site(response["Location"]), response["Location"]
    else:
        assert b"<script>alert(1)" not in response.content
    assert "pwned" not in response.cookies


@pytest.mark.parametrize("query", ["?<script>alert(1)</script>", "?next=%3Cscript%3Ealert(1)"])
def test_a_not_found_page_shows_a_hostile_query_string_only_escaped(browser, db, query):
    response = browser.get("/no-such-page/" + query)

    assert response.status_code == 404
    assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("FOO", "/"),
        ("PROPFIND", "/accounts/login/"),
        ("TRACE", "/api/v1/regions/"),
        ("CONNECT", "/accounts/signup/"),
        ("POST", "/"),
        ("POST", "/privacy/"),
        ("PUT", "/terms/"),
        ("DELETE", "/moderation-policy/"),
        ("PATCH", "/accounts/profile/"),
    ],
)
def test_an_unexpected_method_answers_405_or_a_redirect(browser, db, method, path):
    response = browser.generic(method, path)

    assert response.status_code in {302, 403, 405}, response.status_code
    if response.status_code == 302:
        assert stays_on_site(response["Location"]), response["Location"]


# --- Health check -----------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_healthz_refuses_writes_with_405(browser, db, method):
    response = browser.generic(method, "/healthz", b"{}", content_type="application/json")

    assert response.status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "?%00=%ff",
        "?a=" + "b" * 10_000,
        "?&&&==;;",
        "?format=xml&callback=<script>",
        "?" + "&".join(f"k{i}=v" for i in range(2_000)),
    ],
)
def test_healthz_ignores_odd_query_strings(browser, db, query):
    response = browser.get("/healthz" + query)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_answers_head(browser, db):
    assert browser.head("/healthz").status_code == 200


# --- Headers and cookies ----------------------------------------------------


@pytest.mark.parametrize(
    "host", ["evil.example", "testserver.evil.example", "\x00", "a" * 1_000, "testserver:99999x"]
)
def test_a_foreign_or_malformed_host_header_answers_400(browser, db, host):
    response = browser.get("/", HTTP_HOST=host)

    assert response.status_code == 400


@pytest.mark.parametrize(
    "accept_language",
    ["x" * 10_000, "*;q=garbage", "es-\x00", "zz-ZZ,*;q=0", ";;;,,,", "en;q=" + "9" * 400],
)
def test_a_hostile_accept_language_header_falls_back_to_a_supported_language(
    browser, db, accept_language
):
    response = browser.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 200
    assert (
        response.content.count(b'<html lang="es">') + response.content.count(b'<html lang="en">')
        == 1
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("sessionid", "' OR 1=1 --"),
        ("sessionid", "a" * 4_000),
        ("django_language", "../../etc/passwd"),
        ("django_language", "x" * 4_000),
        ("django_language", "es;en"),
        ("csrftoken", "<script>alert(1)</script>"),
    ],
)
def test_hostile_cookies_leave_the_visitor_anonymous_and_the_page_working(browser, db, name, value):
    browser.cookies[name] = value

    for path in ["/", "/accounts/login/", "/api/v1/regions/"]:
        response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert b"<script>alert(1)" not in browser.get("/").content


def test_a_forged_session_cookie_cannot_reach_the_profile(browser, citizen):
    browser.cookies["sessionid"] = "x" * 32

    response = browser.get("/accounts/profile/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/accounts/login/"


# --- Bodies sent to the HTML forms ------------------------------------------


@pytest.mark.parametrize("path", HTML_FORMS)
def test_a_form_body_over_the_upload_limit_answers_400(browser, db, path):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1

    response = browser.post(path, {"email": "x" * size, "login": "x", "password": "x"})

    assert response.status_code == 400
    assert User.objects.count() == 0


@pytest.mark.parametrize("path", HTML_FORMS)
def test_a_form_with_too_many_fields_answers_400(browser, db, path):
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1

    response = browser.post(path, {f"field{i}": "1" for i in range(fields)})

    assert response.status_code == 400
    assert User.objects.count() == 0


@pytest.mark.parametrize("path", HTML_FORMS)
@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=", "multipart/form-data", "multipart/form-data; boundary=\x00"],
)
def test_a_broken_multipart_body_answers_400(browser, db, path, content_type):
    response = browser.generic("POST", path, b"--x\r\nbroken", content_type=content_type)

    assert response.status_code == 400
    assert User.objects.count() == 0


@pytest.mark.parametrize("path", HTML_FORMS)
@pytest.mark.parametrize("charset", ["utf-16", "idna", "rot13", "base64", "no-such-charset"])
def test_a_form_body_in_an_odd_charset_is_refused_or_read_safely(browser, db, path, charset):
    response = browser.generic(
        "POST",
        path,
        b"email=a%40example.org&login=a%40example.org&password=x",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )

    assert response.status_code in {200, 302, 400}, response.status_code
    if response.status_code == 302:
        assert stays_on_site(response["Location"]), response["Location"]
    assert User.objects.count() == 0


@pytest.mark.parametrize("path", HTML_FORMS)
def test_a_form_body_with_invalid_utf8_shows_the_form_again(browser, db, path):
    response = browser.generic(
        "POST",
        path,
        b"email=%ff%fe%00&login=%c0%af&password=%ed%a0%80&display_name=%ff",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.count() == 0


def test_an_html_form_posted_without_a_csrf_token_is_refused_with_403(db):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = client.post(
        "/accounts/signup/",
        {"email": "nueva@example.org", "password1": "x", "password2": "x"},
    )

    assert response.status_code == 403
    assert User.objects.count() == 0


def test_the_profile_form_posted_with_a_forged_csrf_token_changes_nothing(citizen):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(citizen)
    client.get("/accounts/profile/")

    response = client.post(
        "/accounts/profile/",
        {
            "csrfmiddlewaretoken": "<script>" + "a" * 100,
            "display_name": "Falsificada",
            "region": citizen.region_id,
            "respondent_type": "citizen",
        },
    )

    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.display_name == "Ciudadana Ejemplo"


# --- Language switch --------------------------------------------------------


@pytest.mark.parametrize(
    "language", ["xx", "es\x00", "x" * 10_000, "", "en-<script>", "../en", "en\r\nX-Pwned: 1"]
)
def test_switching_to_an_unknown_language_sets_no_cookie(browser, db, language):
    response = browser.post("/i18n/setlang/", {"language": language, "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert "X-Pwned" not in response


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_the_language_switch_never_redirects_off_site(browser, db, hostile):
    response = browser.post(
        "/i18n/setlang/",
        {"language": "en", "next": hostile},
        HTTP_REFERER="https://evil.example/",
    )

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_language_switch_cannot_be_used_to_inject_headers(browser, db):
    response = browser.post(
        "/i18n/setlang/", {"language": "en", "next": "/privacy/\r\nSet-Cookie: pwned=1"}
    )

    assert response.status_code == 302
    assert "\r" not in response["Location"]
    assert "\n" not in response["Location"]
    assert "pwned" not in response.cookies


def test_the_language_switch_by_get_changes_no_language(browser, db):
    response = browser.get("/i18n/setlang/", {"language": "en", "next": "//evil.example"})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_switch_goes_back_to_a_page_on_the_site(browser, db):
    response = browser.post("/i18n/setlang/", {"language": "en", "next": "/privacy/"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert b'<html lang="en">' in browser.get("/privacy/").content


def test_the_language_switch_survives_every_naughty_string(browser, db, naughty_strings):
    problems = []
    for value in dict.fromkeys(naughty_strings):
        response = browser.post("/i18n/setlang/", {"language": value, "next": value})
        if response.status_code != 302:
            problems.append((value, response.status_code))
        elif not stays_on_site(response["Location"]):
            problems.append((value, response["Location"]))
        elif settings.LANGUAGE_COOKIE_NAME in response.cookies:
            problems.append((value, "set a language cookie"))

    assert not problems, problems[:20]
