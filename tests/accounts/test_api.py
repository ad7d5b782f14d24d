"""The accounts API (/api/v1/regions/, /api/v1/me/) under malformed and hostile input.

Every refused request answers 400 (415 for a body that is not JSON at all)
with a JSON body naming the problem, and leaves the profile as it was.
"""

import json
import time

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Region, User

REGIONS_URL = "/api/v1/regions/"
ME_URL = "/api/v1/me/"


@pytest.fixture
def api() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(api, citizen) -> Client:
    api.force_login(citizen)
    return api


def _profile(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.email,
        user.display_name,
        user.region_id,
        user.respondent_type,
        user.age_range,
        user.is_staff,
        user.is_superuser,
        user.password,
    )


def _patch(client: Client, body: bytes | str, content_type: str = "application/json"):
    return client.generic("PATCH", ME_URL, body, content_type=content_type)


def _patch_json(client: Client, data):
    return _patch(client, json.dumps(data))


def _assert_refused(response, status: int = 400, key: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert body, "the error body names no problem"
    if key is not None:
        assert key in body, body
        assert body[key], body
    return body


# --- Regions ----------------------------------------------------------------


def test_regions_are_public_and_list_all_27_including_abroad(api, db):
    response = api.get(REGIONS_URL)

    assert response.status_code == 200
    regions = response.json()
    assert len(regions) == 27
    codes = [region["code"] for region in regions]
    assert len(set(codes)) == 27
    assert "abroad" in codes
    abroad = next(region for region in regions if region["code"] == "abroad")
    assert abroad["is_abroad"] is True


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_regions_refuse_writes_from_anyone(api, citizen, method):
    before = list(Region.objects.values_list("code", "name_es"))
    anonymous = api.generic(method, REGIONS_URL, '{"code": "atlantis"}', "application/json")
    api.force_login(citizen)
    signed_in = api.generic(method, REGIONS_URL, '{"code": "atlantis"}', "application/json")

    for response in (anonymous, signed_in):
        assert response.status_code in {403, 405}, response.status_code
        assert "detail" in response.json()
    assert list(Region.objects.values_list("code", "name_es")) == before


def test_regions_answer_406_for_an_accept_header_it_cannot_serve(api, db):
    response = api.get(REGIONS_URL, HTTP_ACCEPT="application/xml")

    assert response.status_code == 406


@pytest.mark.parametrize(
    "query", ["?format=xml", "?page=%00", "?page=-1&page_size=999999999", "?%ff%fe=%00"]
)
def test_regions_survive_odd_query_strings(api, db, query):
    response = api.get(REGIONS_URL + query)

    assert response.status_code in {200, 400, 404}, response.status_code


# --- Me: who may ask --------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_me_refuses_anonymous_requests_with_401(api, citizen, method):
    before = _profile(citizen)

    response = api.generic(method, ME_URL, '{"display_name": "Intrusa"}', "application/json")

    _assert_refused(response, 401, "detail")
    assert response["WWW-Authenticate"] == "Token"
    assert _profile(citizen) == before


def test_me_returns_the_signed_in_profile(signed_in, citizen):
    response = signed_in.get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "email": "citizen@example.org",
        "display_name": "Ciudadana Ejemplo",
        "region": "cusco",
        "respondent_type": "citizen",
        "age_range": "",
    }


def test_me_patch_updates_the_profile(signed_in, citizen):
    response = _patch_json(
        signed_in,
        {"display_name": "  Nueva   Ciudadana ", "region": "abroad", "age_range": "25-34"},
    )

    assert response.status_code == 200, response.content
    citizen.refresh_from_db()
    assert citizen.display_name == "Nueva Ciudadana"
    assert citizen.region.code == "abroad"
    assert citizen.age_range == "25-34"
    assert response.json()["display_name"] == "Nueva Ciudadana"


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_me_refuses_other_methods_with_405(signed_in, citizen, method):
    before = _profile(citizen)

    response = signed_in.generic(method, ME_URL, '{"display_name": "Otra"}', "application/json")

    _assert_refused(response, 405, "detail")
    assert _profile(citizen) == before


def test_me_patch_without_a_csrf_token_is_refused_when_csrf_is_enforced(citizen):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(citizen)
    before = _profile(citizen)

    response = _patch_json(client, {"display_name": "Sin Token"})

    _assert_refused(response, 403, "detail")
    assert "CSRF" in response.json()["detail"]
    assert _profile(citizen) == before


def test_me_patch_with_a_csrf_token_is_accepted_when_csrf_is_enforced(citizen):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(citizen)
    client.get("/accounts/profile/")
    token = client.cookies["csrftoken"].value

    response = client.generic(
        "PATCH",
        ME_URL,
        json.dumps({"display_name": "Con Token"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 200, response.content
    citizen.refresh_from_db()
    assert citizen.display_name == "Con Token"


def test_me_patch_with_a_forged_csrf_token_is_refused(citizen):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(citizen)
    client.get("/accounts/profile/")
    before = _profile(citizen)

    response = client.generic(
        "PATCH",
        ME_URL,
        json.dumps({"display_name": "Token Falso"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="<script>" + "\u202e" * 10,
    )

    _assert_refused(response, 403, "detail")
    assert _profile(citizen) == before


# --- Me: bodies that are not acceptable JSON ---------------------------------


_OVERSIZED = '{"display_name": "' + "a" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'

HOSTILE_BODIES = {
    "nested-100000-arrays": "[" * 100_000,
    "nested-100000-arrays-closed": "[" * 100_000 + "]" * 100_000,
    "nested-objects": '{"a":' * 5_000 + "1" + "}" * 5_000,
    "nested-just-past-the-limit": '{"display_name": ' + "[" * 40 + "]" * 40 + "}",
    "oversized": _OVERSIZED,
    "nul-in-value": '{"display_name": "Ana\\u0000Maria"}',
    "nul-in-key": '{"display_name\\u0000": "Ana Maria"}',
    "nul-deep-in-a-list": '{"display_name": ["ok", ["\\u0000"]]}',
    "lone-high-surrogate": '{"display_name": "\\ud800 Ana"}',
    "lone-low-surrogate": '{"display_name": "Ana \\udfff"}',
    "surrogate-in-key": '{"\\udfff": "Ana Maria"}',
    "nan": '{"display_name": NaN}',
    "infinity": '{"display_name": Infinity}',
    "minus-infinity": '{"age_range": -Infinity}',
    "huge-integer": '{"display_name": ' + "9" * 5_000 + "}",
    "trailing-garbage": '{"display_name": "Ana Maria"} trailing',
    "two-documents": '{"display_name": "Ana"}{"display_name": "Maria"}',
    "byte-order-mark": '\ufeff{"display_name": "Ana Maria"}',
    "whitespace-only": "   \n\t ",
    "single-quotes": "{'display_name': 'Ana Maria'}",
    "unterminated": '{"display_name": "Ana',
    "comment": '{"display_name": "Ana Maria" /* hi */}',
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_me_patch_with_a_hostile_json_body_is_refused_and_changes_nothing(signed_in, citizen, body):
    before = _profile(citizen)

    response = _patch(signed_in, body.encode("utf-8", "surrogatepass"))

    _assert_refused(response, 400, "detail")
    assert _profile(citizen) == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"display_name": "\xff\xfe Ana"}',
        b'{"display_name": "\xc0\xaf"}',
        b'{"display_name": "\xed\xa0\x80"}',
        b"\xff\xfe{\x00}\x00",
        '{"display_name": "Ana María"}'.encode("latin-1"),
        '{"display_name": "Ana"}'.encode("utf-16"),
    ],
    ids=["ff-fe", "overlong-slash", "encoded-surrogate", "utf16-bom", "latin-1", "utf-16"],
)
def test_me_patch_with_a_body_that_is_not_utf8_is_refused(signed_in, citizen, body):
    before = _profile(citizen)

    response = _patch(signed_in, body)

    _assert_refused(response, 400, "detail")
    assert _profile(citizen) == before


@pytest.mark.parametrize("body", ["[]", '["display_name"]', '"Ana"', "42", "null", "true"])
def test_me_patch_with_json_that_is_not_an_object_is_refused(signed_in, citizen, body):
    before = _profile(citizen)

    response = _patch(signed_in, body)

    _assert_refused(response, 400, "non_field_errors")
    assert _profile(citizen) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "text/plain",
        "application/octet-stream",
        "application/xml",
        "application/json-patch+json",
        "application/jsonx",
        "",
    ],
)
def test_me_patch_with_an_unsupported_content_type_answers_415(signed_in, citizen, content_type):
    before = _profile(citizen)

    response = _patch(signed_in, '{"display_name": "Ana Maria"}', content_type)

    _assert_refused(response, 415, "detail")
    assert _profile(citizen) == before


# --- Me: JSON objects with the wrong contents --------------------------------


def test_me_patch_with_wrong_field_types_names_every_field(signed_in, citizen):
    before = _profile(citizen)

    response = _patch_json(
        signed_in,
        {
            "display_name": ["Ana"],
            "region": {"code": "cusco"},
            "respondent_type": 5,
            "age_range": True,
        },
    )

    body = _assert_refused(response, 400)
    assert set(body) >= {"display_name", "region", "respondent_type", "age_range"}
    assert _profile(citizen) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", None),
        ("display_name", True),
        ("display_name", {}),
        ("display_name", 12),
        ("display_name", 12.5),
        ("region", None),
        ("region", 1),
        ("region", ["cusco"]),
        ("respondent_type", None),
        ("respondent_type", ["citizen"]),
        ("age_range", None),
        ("age_range", 65),
    ],
)
def test_me_patch_with_a_value_of_the_wrong_type_is_refused(signed_in, citizen, field, value):
    before = _profile(citizen)

    response = _patch_json(signed_in, {field: value})

    _assert_refused(response, 400, field)
    assert _profile(citizen) == before


@pytest.mark.parametrize(
    "code",
    ["atlantis", "", "CUSCO", " cusco", "cusco ", "../cusco", "cusco' OR '1'='1", "x" * 10_000],
)
def test_me_patch_with_an_unknown_region_code_is_refused(signed_in, citizen, code):
    before = _profile(citizen)

    response = _patch_json(signed_in, {"region": code})

    _assert_refused(response, 400, "region")
    assert _profile(citizen) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("respondent_type", "robot"),
        ("respondent_type", "Citizen"),
        ("age_range", "0-13"),
        ("age_range", "18 - 24"),
        ("display_name", ""),
        ("display_name", "a"),
        ("display_name", "x" * 61),
        ("display_name", "Ana\u202eMaria"),
        ("display_name", "Ana\u200bMaria"),
        ("display_name", "Escríbeme a ana@example.org"),
        ("display_name", "https://ana.example"),
        ("display_name", "Llámame al 987 654 321"),
    ],
)
def test_me_patch_with_an_invalid_value_is_refused_with_its_field_named(
    signed_in, citizen, field, value
):
    before = _profile(citizen)

    response = _patch_json(signed_in, {field: value})

    _assert_refused(response, 400, field)
    assert _profile(citizen) == before


def test_me_patch_refuses_a_thirty_thousand_character_display_name_in_well_under_a_second(
    signed_in, citizen
):
    """The body limit lets 2.5 MB through; checking the name must not take time
    that grows with the square of its length."""
    before = _profile(citizen)

    started = time.perf_counter()
    response = _patch_json(signed_in, {"display_name": "x" * 30_000})
    elapsed = time.perf_counter() - started

    _assert_refused(response, 400, "display_name")
    assert _profile(citizen) == before
    assert elapsed < 1.0, f"took {elapsed:.1f} s"


def test_me_patch_ignores_fields_it_does_not_own(signed_in, citizen):
    before = _profile(citizen)

    response = _patch_json(
        signed_in,
        {
            "email": "attacker@example.org",
            "is_staff": True,
            "is_superuser": True,
            "password": "hunter2-hunter2",
            "id": 999,
            "groups": ["Administrators"],
        },
    )

    assert response.status_code == 200, response.content
    assert _profile(citizen) == before
    assert not citizen.groups.exists()


def test_me_patch_with_a_repeated_key_judges_the_value_that_wins(signed_in, citizen):
    before = _profile(citizen)

    response = _patch(signed_in, '{"display_name": "Ana Maria", "display_name": "ana@example.org"}')

    _assert_refused(response, 400, "display_name")
    assert _profile(citizen) == before


def test_me_patch_saves_every_naughty_display_name_intact_or_names_the_field(
    signed_in, citizen, naughty_strings
):
    problems = []
    for name in dict.fromkeys(naughty_strings):
        before = _profile(citizen)
        response = _patch_json(signed_in, {"display_name": name})
        if response.status_code == 200:
            saved = " ".join(name.split())
            if _profile(citizen)[1] != saved or response.json()["display_name"] != saved:
                problems.append((name, f"saved as {citizen.display_name!r}"))
        elif response.status_code == 400:
            if "display_name" not in response.json():
                problems.append((name, f"refused without naming the field: {response.json()}"))
            if _profile(citizen) != before:
                problems.append((name, "refused but changed"))
        else:
            problems.append((name, response.status_code))

    assert not problems, problems[:20]
