"""Hostile input thrown at every HTML form of the accounts area, through HTTP.

The rule: malformed or hostile input is refused with an error shown next to
the field (the form re-renders at 200) or a clear 4xx, never a 500, and
nothing is saved by halves. Loops over many inputs collect every failure and
report them together, so one run shows the whole picture.
"""

import ipaddress
import random
import re
import time
from urllib.parse import quote, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client
from django.utils.html import escape

from accounts.models import AgeRange, PrivacyConsent, Region, RespondentType, User
from tests.support import HOSTILE_NEXT, stays_on_site

SIGNUP_URL = "/accounts/signup/"
LOGIN_URL = "/accounts/login/"
PROFILE_URL = "/accounts/profile/"
RESET_URL = "/accounts/password/reset/"
EMAIL_URL = "/accounts/email/"
PASSWORD_CHANGE_URL = "/accounts/password/change/"
REAUTHENTICATE_URL = "/accounts/reauthenticate/"
TOTP_ACTIVATE_URL = "/accounts/2fa/totp/activate/"
LOGOUT_URL = "/accounts/logout/"

NEW_PASSWORD = "granite-lantern-orbit-73"
TEN_THOUSAND = "x" * 10_000
REDIRECTS = {301, 302, 303, 307, 308}

# Lines of the naughty-strings corpus always included in a sample: script
# tags, SQL, zero-width and bidirectional controls, emoji, other control
# characters and very long lines.
_TARGETED = re.compile(
    r"<script"
    r"|\bdrop\s+table\b|\bselect\b|\bunion\b|'\s*or\s"
    r"|[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
    r"|[\U0001f000-\U0001faff\u2600-\u27bf]"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
    r"|^.{200,}$",
    re.IGNORECASE,
)


# Domains Django's email validator accepts but that cannot be written in an
# email header: IDNA refuses the bidi override, private-use and replacement
# characters, and a label that grows past 63 characters once encoded.
UNDELIVERABLE_EMAILS = [
    "persona@ejemplo.pe\u202e",
    "persona@ejem\ue000plo.pe",
    "persona@ejem\ufffdplo.pe",
    "persona@" + "\u00f1" * 60 + ".pe",
]


def _sample(strings: list[str], size: int = 150, seed: int = 29733) -> list[str]:
    """Every targeted line, plus ``size`` others drawn by a fixed random draw."""
    unique = list(dict.fromkeys(strings))
    targeted = [line for line in unique if _TARGETED.search(line)]
    rest = [line for line in unique if not _TARGETED.search(line)]
    drawn = random.Random(seed).sample(rest, min(size, len(rest)))  # noqa: S311 - not security
    return targeted + drawn


def _ip(n: int) -> str:
    """A distinct client address per request, so per-IP limits stay out of loops."""
    return str(ipaddress.IPv4Address("10.0.0.1") + n)


def _error_codes(response, field: str) -> list[str]:
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def _assert_refused_at(response, field: str, code: str | None = None) -> None:
    """The form came back with an error shown next to ``field``."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html, f"no error shown next to {field}"
    codes = _error_codes(response, field)
    assert codes, f"no error recorded for {field}"
    if code is not None:
        assert code in codes, codes


def _assert_every_account_is_whole() -> None:
    """No account without its consent to the privacy notice or its email row."""
    assert not User.objects.filter(privacy_consents__isnull=True).exists()
    assert not User.objects.exclude(pk__in=EmailAddress.objects.values("user")).exists()


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def browser() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def region(db) -> Region:
    return Region.objects.get(code="cusco")


@pytest.fixture
def naughty_sample(naughty_strings) -> list[str]:
    return _sample(naughty_strings)


@pytest.fixture
def naughty_few(naughty_sample) -> list[str]:
    """A third of the sample, for forms that only ever read an email address."""
    return naughty_sample[::3]


def _signup_data(home: Region, **overrides) -> dict:
    data = {
        "email": "nueva@example.org",
        "display_name": "Nueva Participante",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "region": home.pk,
        "respondent_type": RespondentType.CITIZEN,
        "age_range": AgeRange.FROM_25_TO_34,
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def _sign_up(client: Client, home: Region, n: int = 0, **overrides):
    return client.post(SIGNUP_URL, _signup_data(home, **overrides), REMOTE_ADDR=_ip(n))


# --- Sign-up ----------------------------------------------------------------


def test_signup_with_valid_data_creates_one_account_with_consent_to_the_current_notice(
    browser, region
):
    response = _sign_up(browser, region)

    assert response.status_code == 302
    user = User.objects.get(email="nueva@example.org")
    assert user.display_name == "Nueva Participante"
    assert user.region == region
    consent = PrivacyConsent.objects.get(user=user)
    assert consent.notice_version == settings.APORTA_PRIVACY_NOTICE_VERSION
    assert EmailAddress.objects.filter(user=user, email="nueva@example.org").exists()


@pytest.mark.parametrize("consent", [None, "", "false"])
def test_signup_without_consent_creates_no_account(browser, region, consent):
    data = _signup_data(region)
    if consent is None:
        del data["privacy_consent"]
    else:
        data["privacy_consent"] = consent

    response = browser.post(SIGNUP_URL, data)

    _assert_refused_at(response, "privacy_consent", "required")
    assert not User.objects.filter(email="nueva@example.org").exists()
    assert not PrivacyConsent.objects.exists()


@pytest.mark.parametrize(
    "display_name",
    [
        "Escríbeme a ana@example.org",
        "ana [at] example.org o ana@example.org",
        "Mi web https://ana.example",
        "Mi web http://ana.example",
        "visita www.ana.pe",
        "Llámame al 987 654 321",
        "DNI 12345678",
        "Tel. 01-234-5678",
    ],
)
def test_signup_refuses_a_display_name_with_contact_details(browser, region, display_name):
    response = _sign_up(browser, region, display_name=display_name)

    _assert_refused_at(response, "display_name", "contact_details")
    assert not User.objects.filter(email="nueva@example.org").exists()


@pytest.mark.parametrize("value", ["999999", "9" * 30, "-1", "0", "1.5", "cusco", "", "1e3"])
def test_signup_refuses_a_region_that_is_not_an_existing_one(browser, region, value):
    response = _sign_up(browser, region, region=value)

    _assert_refused_at(response, "region")
    assert not User.objects.filter(email="nueva@example.org").exists()


@pytest.mark.parametrize("value", ["", "robot", "CITIZEN", "citizen ", "' OR 1=1 --", "\u202e"])
def test_signup_refuses_an_invalid_respondent_type(browser, region, value):
    response = _sign_up(browser, region, respondent_type=value)

    _assert_refused_at(response, "respondent_type")
    assert not User.objects.filter(email="nueva@example.org").exists()


@pytest.mark.parametrize("value", ["0-13", "65", "18 - 24", "<script>"])
def test_signup_refuses_an_invalid_age_range(browser, region, value):
    response = _sign_up(browser, region, age_range=value)

    _assert_refused_at(response, "age_range", "invalid_choice")
    assert not User.objects.filter(email="nueva@example.org").exists()


@pytest.mark.parametrize(
    "field", ["email", "display_name", "password1", "password2", "region", "respondent_type"]
)
def test_signup_refuses_a_nul_byte_in_each_field(browser, region, field):
    value = {
        "email": "nueva\x00@example.org",
        "display_name": "Nueva\x00Participante",
        "password1": NEW_PASSWORD + "\x00",
        "password2": NEW_PASSWORD + "\x00",
        "region": f"{region.pk}\x00",
        "respondent_type": "citizen\x00",
    }[field]

    response = _sign_up(browser, region, **{field: value})

    _assert_refused_at(response, field)
    assert User.objects.count() == 0


def test_signup_refuses_ten_thousand_character_values_in_every_field(browser, region):
    fields = ["email", "display_name", "region", "respondent_type", "age_range"]
    response = _sign_up(browser, region, **dict.fromkeys(fields, TEN_THOUSAND))

    for field in fields:
        _assert_refused_at(response, field)
    assert User.objects.count() == 0


def test_signup_refuses_a_thirty_thousand_character_display_name_in_well_under_a_second(
    browser, region
):
    """Anyone may post 2.5 MB; checking the name must not take time that grows
    with the square of its length."""
    started = time.perf_counter()
    response = _sign_up(browser, region, display_name="x" * 30_000)
    elapsed = time.perf_counter() - started

    _assert_refused_at(response, "display_name", "max_length")
    assert User.objects.count() == 0
    assert elapsed < 1.0, f"took {elapsed:.1f} s"


def test_signup_refuses_a_ten_thousand_character_password_mismatch(browser, region):
    response = _sign_up(browser, region, password1=TEN_THOUSAND, password2=TEN_THOUSAND + "y")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.count() == 0


def test_signup_with_an_empty_body_shows_every_required_field_error(browser, db):
    response = browser.post(SIGNUP_URL, {})

    for field in ["email", "display_name", "password1", "region", "privacy_consent"]:
        _assert_refused_at(response, field, "required")
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    "email",
    ["Citizen@Example.org", "CITIZEN@EXAMPLE.ORG", " citizen@example.org ", "citizen@EXAMPLE.org"],
)
def test_signup_with_an_existing_email_in_another_case_creates_no_second_account(
    browser, region, citizen, email
):
    response = _sign_up(browser, region, email=email)

    # Enumeration is prevented: the answer looks like success, the owner gets mail.
    assert response.status_code in {200, 302}
    assert User.objects.count() == 1
    assert User.objects.get().pk == citizen.pk
    assert EmailAddress.objects.filter(email__iexact="citizen@example.org").count() == 1


@pytest.mark.parametrize(
    "email",
    ["citizen@exa\u200bmple.org", "citizen@exa\u00admple.org", "citizen@example.org\u200d"],
    ids=["zero-width-space", "soft-hyphen", "zero-width-joiner"],
)
def test_signup_with_an_invisible_character_in_an_existing_email_creates_no_second_account(
    browser, region, citizen, email
):
    """IDNA drops these characters, so mail for the new address reaches the old mailbox."""
    response = _sign_up(browser, region, email=email)

    assert response.status_code in {200, 302}
    assert User.objects.count() == 1, list(User.objects.values_list("email", flat=True))


def test_signup_with_an_email_longer_than_the_account_can_hold_is_refused_not_truncated(
    browser, region
):
    email = "p" * 64 + "@" + ".".join(["d" * 60] * 4) + ".pe"
    max_length = User._meta.get_field("email").max_length
    assert max_length < len(email) <= 320

    response = _sign_up(browser, region, email=email)

    assert not User.objects.filter(email__startswith="p" * 64).exists(), (
        "the address was saved cut short, not refused"
    )
    _assert_refused_at(response, "email")


@pytest.mark.parametrize(
    "email", UNDELIVERABLE_EMAILS, ids=["bidi-override", "private-use", "replacement", "long-idn"]
)
def test_signup_with_an_email_domain_that_cannot_be_encoded_is_refused_without_saving(
    browser, region, email
):
    response = _sign_up(browser, region, email=email)

    kept = User.objects.count()
    assert (response.status_code, kept) == (200, 0), (
        f"answered {response.status_code} and kept {kept} account(s) with no mail sent"
    )
    _assert_refused_at(response, "email")


def test_signup_survives_every_naughty_display_name_and_saves_accepted_ones_intact(
    region, naughty_sample
):
    problems = []
    for n, name in enumerate(naughty_sample):
        email = f"naughty{n}@example.org"
        client = Client(raise_request_exception=False)
        response = _sign_up(client, region, n, email=email, display_name=name)
        if response.status_code == 302:
            user = User.objects.filter(email=email).first()
            if user is None:
                problems.append((name, "redirected but no account"))
            elif user.display_name != " ".join(name.split()):
                problems.append((name, f"saved as {user.display_name!r}"))
        elif response.status_code == 200:
            if not _error_codes(response, "display_name"):
                problems.append(
                    (
                        name,
                        f"refused without a display_name error: {response.context['form'].errors}",
                    )
                )
            if User.objects.filter(email=email).exists():
                problems.append((name, "refused but the account exists"))
        else:
            problems.append((name, response.status_code))

    assert not problems, problems[:20]
    _assert_every_account_is_whole()


def test_signup_survives_every_naughty_email_and_saves_nothing_it_refuses(region, naughty_sample):
    problems = []
    for n, value in enumerate(naughty_sample):
        client = Client(raise_request_exception=False)
        before = User.objects.count()
        response = _sign_up(client, region, n, email=value, display_name="Persona Prueba")
        created = User.objects.count() - before
        if response.status_code == 200:
            if not _error_codes(response, "email") or created:
                problems.append((value, "refused without an email error, or saved anyway"))
        elif response.status_code == 302:
            expected = value.strip().lower()
            if created > 1 or (created and not User.objects.filter(email=expected).exists()):
                problems.append((value, f"{created} account(s), not under {expected!r}"))
        else:
            problems.append((value, response.status_code))

    assert not problems, problems[:20]
    _assert_every_account_is_whole()


def test_signup_answers_429_after_the_fifth_attempt_from_one_ip(region):
    for n in range(5):
        response = Client().post(
            SIGNUP_URL,
            _signup_data(region, email=f"rate{n}@example.org"),
            REMOTE_ADDR="198.51.100.7",
        )
        assert response.status_code == 302, n

    response = Client().post(
        SIGNUP_URL, _signup_data(region, email="rate5@example.org"), REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code == 429
    assert not User.objects.filter(email="rate5@example.org").exists()
    other = Client().post(
        SIGNUP_URL, _signup_data(region, email="rate6@example.org"), REMOTE_ADDR="198.51.100.8"
    )
    assert other.status_code == 302


# --- Sign-in ----------------------------------------------------------------


def test_sign_in_survives_every_naughty_login_and_password(naughty_few, citizen):
    problems = []
    for n, value in enumerate(naughty_few):
        client = Client(raise_request_exception=False)
        response = client.post(LOGIN_URL, {"login": value, "password": value}, REMOTE_ADDR=_ip(n))
        if response.status_code != 200 or not response.context["form"].errors:
            problems.append((value, response.status_code))
        elif _signed_in(client):
            problems.append((value, "signed in"))

    assert not problems, problems[:20]


@pytest.mark.parametrize(
    ("login", "password", "field"),
    [
        ("citizen@example.org\x00", "whatever-password", "login"),
        ("citizen@example.org", "correct-horse-battery-42\x00", "password"),
        (TEN_THOUSAND, "whatever-password", "login"),
    ],
    ids=["nul-login", "nul-password", "oversized-login"],
)
def test_sign_in_refuses_nul_bytes_and_oversized_values_with_a_field_error(
    browser, citizen, login, password, field
):
    response = browser.post(LOGIN_URL, {"login": login, "password": password})

    _assert_refused_at(response, field)
    assert not _signed_in(browser)


def test_sign_in_with_a_ten_thousand_character_password_is_refused(browser, citizen):
    response = browser.post(LOGIN_URL, {"login": citizen.email, "password": TEN_THOUSAND})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not _signed_in(browser)


def test_sign_in_is_locked_after_five_failures_on_one_account_even_with_the_right_password(
    citizen, password
):
    for n in range(5):
        response = Client().post(
            LOGIN_URL, {"login": citizen.email, "password": f"wrong-{n}"}, REMOTE_ADDR=_ip(n)
        )
        assert response.status_code == 200

    client = Client()
    response = client.post(
        LOGIN_URL, {"login": "Citizen@Example.org", "password": password}, REMOTE_ADDR=_ip(99)
    )

    assert response.status_code == 200
    assert "too_many_login_attempts" in _error_codes(response, "__all__")
    assert not _signed_in(client)


def test_sign_in_from_one_ip_is_locked_after_ten_failures(citizen, password):
    for n in range(10):
        Client().post(
            LOGIN_URL,
            {"login": f"nobody{n}@example.org", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.20",
        )

    client = Client()
    response = client.post(
        LOGIN_URL, {"login": citizen.email, "password": password}, REMOTE_ADDR="198.51.100.20"
    )

    assert "too_many_login_attempts" in _error_codes(response, "__all__")
    assert not _signed_in(client)


def test_sign_in_answers_429_after_thirty_attempts_from_one_ip(citizen, password):
    for n in range(30):
        response = Client().post(
            LOGIN_URL,
            {"login": f"nobody{n}@example.org", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.30",
        )
        assert response.status_code == 200, n

    client = Client()
    response = client.post(
        LOGIN_URL, {"login": citizen.email, "password": password}, REMOTE_ADDR="198.51.100.30"
    )

    assert response.status_code == 429
    assert not _signed_in(client)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_sign_in_never_redirects_off_site_whatever_next_says(browser, citizen, password, hostile):
    response = browser.post(
        f"{LOGIN_URL}?next={quote(hostile, safe='')}",
        {"login": citizen.email, "password": password, "next": hostile},
    )

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert _signed_in(browser)


# --- The admin's sign-in is allauth's ----------------------------------------


def test_admin_login_redirects_to_the_allauth_sign_in(browser, db):
    response = browser.get("/admin/login/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL


def test_posting_credentials_to_the_admin_login_does_not_sign_in(browser, administrator, password):
    response = browser.post(
        "/admin/login/", {"username": administrator.email, "password": password}
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL
    assert not _signed_in(browser)


def test_admin_login_shares_the_sign_in_lockout(administrator, password):
    for n in range(5):
        Client().post(
            LOGIN_URL, {"login": administrator.email, "password": f"wrong-{n}"}, REMOTE_ADDR=_ip(n)
        )
    client = Client()

    response = client.get("/admin/login/", REMOTE_ADDR=_ip(50))
    response = client.post(
        response["Location"],
        {"login": administrator.email, "password": password},
        REMOTE_ADDR=_ip(50),
    )

    assert "too_many_login_attempts" in _error_codes(response, "__all__")
    assert not _signed_in(client)


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_admin_login_never_sends_a_signed_in_person_off_site(
    browser, administrator, password, hostile
):
    response = browser.get("/admin/login/", {"next": hostile})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]

    response = browser.post(
        response["Location"], {"login": administrator.email, "password": password}
    )
    hops = 0
    while response.status_code in REDIRECTS and hops < 6:
        assert stays_on_site(response["Location"]), response["Location"]
        response = browser.get(response["Location"])
        hops += 1

    assert _signed_in(browser)
    assert response.status_code < 500


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_sign_out_never_redirects_off_site(browser, citizen, hostile):
    browser.force_login(citizen)

    response = browser.post(LOGOUT_URL, {"next": hostile})

    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert not _signed_in(browser)


# --- Profile ----------------------------------------------------------------


def _profile_data(user: User, **overrides) -> dict:
    data = {
        "display_name": user.display_name,
        "region": user.region_id,
        "respondent_type": user.respondent_type,
        "age_range": user.age_range,
    }
    data.update(overrides)
    return data


def _profile_snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (user.display_name, user.region_id, user.respondent_type, user.age_range)


def test_profile_needs_a_signed_in_person(browser, citizen):
    before = _profile_snapshot(citizen)

    response = browser.post(PROFILE_URL, _profile_data(citizen, display_name="Intrusa"))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == LOGIN_URL
    assert _profile_snapshot(citizen) == before


def test_profile_saves_or_refuses_every_naughty_display_name_and_renders_it_escaped(
    browser, citizen, naughty_sample
):
    browser.force_login(citizen)
    problems = []
    for name in naughty_sample:
        before = _profile_snapshot(citizen)
        response = browser.post(PROFILE_URL, _profile_data(citizen, display_name=name))
        if response.status_code == 302:
            saved = " ".join(name.split())
            if _profile_snapshot(citizen)[0] != saved:
                problems.append((name, f"saved as {citizen.display_name!r}"))
                continue
            html = browser.get(PROFILE_URL).content.decode()
            field = re.search(r'<input[^>]*name="display_name"[^>]*value="([^"]*)"', html)
            link = re.search(r'<a href="/accounts/profile/">(.*?)</a>', html, re.DOTALL)
            if not field or field.group(1) != escape(saved):
                problems.append((name, "field value not escaped"))
            if not link or link.group(1) != escape(saved):
                problems.append((name, "name in the header not escaped"))
            if "<script>alert" in html:
                problems.append((name, "raw script in the page"))
        elif response.status_code == 200:
            if not _error_codes(response, "display_name"):
                problems.append((name, "refused without a display_name error"))
            if _profile_snapshot(citizen) != before:
                problems.append((name, "refused but changed"))
        else:
            problems.append((name, response.status_code))

    assert not problems, problems[:20]


def test_profile_renders_a_saved_script_tag_as_text_everywhere(browser, citizen):
    browser.force_login(citizen)
    name = "<script>alert(1)</script>"

    response = browser.post(PROFILE_URL, _profile_data(citizen, display_name=name))
    assert response.status_code == 302

    for url in [PROFILE_URL, "/", "/privacy/"]:
        html = browser.get(url).content.decode()
        assert "<script>alert(1)" not in html, url
        assert escape(name) in html, url


@pytest.mark.parametrize(
    "display_name",
    ["Escríbeme a ana@example.org", "https://ana.example", "www.ana.pe", "Llámame al 987 654 321"],
)
def test_profile_refuses_a_display_name_with_contact_details(browser, citizen, display_name):
    browser.force_login(citizen)
    before = _profile_snapshot(citizen)

    response = browser.post(PROFILE_URL, _profile_data(citizen, display_name=display_name))

    _assert_refused_at(response, "display_name", "contact_details")
    assert _profile_snapshot(citizen) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region", "999999"),
        ("region", "9" * 30),
        ("region", "-1"),
        ("region", "lima"),
        ("region", ""),
        ("respondent_type", "robot"),
        ("respondent_type", ""),
        ("age_range", "0-13"),
        ("display_name", ""),
        ("display_name", " \t "),
        ("display_name", "a"),
        ("display_name", "\u202eevil"),
        ("display_name", "Ana\u200bMaria"),
    ],
)
def test_profile_refuses_an_invalid_value_and_changes_nothing(browser, citizen, field, value):
    browser.force_login(citizen)
    before = _profile_snapshot(citizen)

    response = browser.post(PROFILE_URL, _profile_data(citizen, **{field: value}))

    _assert_refused_at(response, field)
    assert _profile_snapshot(citizen) == before


@pytest.mark.parametrize("field", ["display_name", "region", "respondent_type", "age_range"])
def test_profile_refuses_a_nul_byte_in_each_field(browser, citizen, field):
    browser.force_login(citizen)
    before = _profile_snapshot(citizen)
    value = f"{_profile_data(citizen)[field] or '18-24'}\x00"

    response = browser.post(PROFILE_URL, _profile_data(citizen, **{field: value}))

    _assert_refused_at(response, field)
    assert _profile_snapshot(citizen) == before


def test_profile_refuses_ten_thousand_character_values_in_every_field(browser, citizen):
    browser.force_login(citizen)
    before = _profile_snapshot(citizen)
    fields = ["display_name", "region", "respondent_type", "age_range"]

    response = browser.post(PROFILE_URL, dict.fromkeys(fields, TEN_THOUSAND))

    for field in fields:
        _assert_refused_at(response, field)
    assert _profile_snapshot(citizen) == before


# --- Password reset ---------------------------------------------------------


def test_password_reset_survives_every_naughty_email(naughty_few, citizen):
    problems = []
    for n, value in enumerate(naughty_few):
        response = Client(raise_request_exception=False).post(
            RESET_URL, {"email": value}, REMOTE_ADDR=_ip(n)
        )
        if response.status_code == 200:
            if not _error_codes(response, "email"):
                problems.append((value, "refused without an email error"))
        elif response.status_code != 302:
            problems.append((value, response.status_code))

    assert not problems, problems[:20]


@pytest.mark.parametrize(
    "email",
    ["citizen@example.org\x00", TEN_THOUSAND, "<script>@example.org", "' OR 1=1 --"],
    ids=["nul", "oversized", "script", "sql"],
)
def test_password_reset_refuses_a_malformed_email_with_a_field_error(browser, citizen, email):
    response = browser.post(RESET_URL, {"email": email})

    _assert_refused_at(response, "email")


@pytest.mark.parametrize(
    "email", UNDELIVERABLE_EMAILS, ids=["bidi-override", "private-use", "replacement", "long-idn"]
)
def test_password_reset_for_an_email_domain_that_cannot_be_encoded_is_refused(browser, db, email):
    response = browser.post(RESET_URL, {"email": email})

    assert response.status_code != 500, "password reset crashed sending mail"
    _assert_refused_at(response, "email")


# --- Email addresses, password change, reauthentication, second factor ------


@pytest.mark.parametrize(
    "email",
    ["extra\x00@example.org", "e" * 400 + "@example.org", "not-an-email", "CITIZEN@example.org"],
    ids=["nul", "oversized", "invalid", "own-address-other-case"],
)
def test_adding_a_malformed_email_address_is_refused_and_adds_nothing(browser, citizen, email):
    browser.force_login(citizen)

    response = browser.post(EMAIL_URL, {"action_add": "", "email": email})

    _assert_refused_at(response, "email")
    assert EmailAddress.objects.filter(user=citizen).count() == 1


def test_adding_an_email_longer_than_an_address_can_hold_is_refused_and_adds_nothing(
    browser, citizen
):
    email = "p" * 64 + "@" + ".".join(["d" * 60] * 4) + ".pe"
    assert EmailAddress._meta.get_field("email").max_length < len(email) <= 320
    browser.force_login(citizen)

    response = browser.post(EMAIL_URL, {"action_add": "", "email": email})

    # Checked first: after a database error PostgreSQL refuses further queries.
    assert response.status_code == 200, f"answered {response.status_code}"
    _assert_refused_at(response, "email")
    assert EmailAddress.objects.filter(user=citizen).count() == 1


@pytest.mark.parametrize(
    "email", UNDELIVERABLE_EMAILS, ids=["bidi-override", "private-use", "replacement", "long-idn"]
)
def test_adding_an_email_whose_domain_cannot_be_encoded_is_refused_and_adds_nothing(
    browser, citizen, email
):
    browser.force_login(citizen)

    response = browser.post(EMAIL_URL, {"action_add": "", "email": email})

    kept = EmailAddress.objects.filter(user=citizen).count() - 1
    assert (response.status_code, kept) == (200, 0), (
        f"answered {response.status_code} and kept {kept} new address(es) with no mail sent"
    )
    _assert_refused_at(response, "email")


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (
            {"oldpassword": "x\x00", "password1": "y\x00" * 8, "password2": "y\x00" * 8},
            ["oldpassword", "password1", "password2"],
        ),
        (
            {"oldpassword": TEN_THOUSAND, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
            ["oldpassword"],
        ),
    ],
    ids=["nul", "oversized"],
)
def test_password_change_refuses_hostile_values_and_keeps_the_password(
    browser, citizen, password, data, fields
):
    browser.force_login(citizen)

    response = browser.post(PASSWORD_CHANGE_URL, data)

    for field in fields:
        _assert_refused_at(response, field)
    citizen.refresh_from_db()
    assert citizen.check_password(password)


@pytest.mark.parametrize("value", ["\x00", TEN_THOUSAND, "' OR 1=1 --"], ids=["nul", "long", "sql"])
def test_reauthentication_refuses_hostile_passwords(browser, citizen, value):
    browser.force_login(citizen)

    response = browser.post(REAUTHENTICATE_URL, {"password": value})

    _assert_refused_at(response, "password")


@pytest.mark.parametrize(
    "code", ["\x00", "1" * 10_000, "<script>", "12345\u0663", "", "' OR 1=1 --"]
)
def test_second_factor_set_up_refuses_hostile_codes_and_saves_no_authenticator(
    browser, citizen, password, code
):
    browser.force_login(citizen)
    assert browser.post(REAUTHENTICATE_URL, {"password": password}).status_code == 302
    assert browser.get(TOTP_ACTIVATE_URL).status_code == 200

    response = browser.post(TOTP_ACTIVATE_URL, {"code": code})

    _assert_refused_at(response, "code")
    assert not Authenticator.objects.filter(user=citizen).exists()


# --- Links from email with forged keys --------------------------------------


@pytest.mark.parametrize(
    "key", ["x", "%00", "a" * 5000, "%3Cscript%3E", "MQ:1abc:xyz", "..%2f..%2f", "%ff%fe"]
)
def test_a_forged_email_confirmation_key_verifies_nothing(browser, citizen, key):
    EmailAddress.objects.filter(user=citizen).update(verified=False)

    for response in (
        browser.get(f"/accounts/confirm-email/{key}/"),
        browser.post(f"/accounts/confirm-email/{key}/"),
    ):
        assert response.status_code in {200, 302, 404}, response.status_code

    assert not EmailAddress.objects.filter(user=citizen, verified=True).exists()


@pytest.mark.parametrize(
    ("uid", "key"),
    [("1", "x"), ("zzzzzzzzzzzz", "set-password"), ("0", "%00"), ("a" * 5000, "b" * 5000)],
)
def test_a_forged_password_reset_key_changes_no_password(browser, citizen, password, uid, key):
    url = f"/accounts/password/reset/key/{uid}-{key}/"

    responses = [
        browser.get(url),
        browser.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
    ]

    for response in responses:
        assert response.status_code in {200, 302, 400, 404}, response.status_code
    citizen.refresh_from_db()
    assert citizen.check_password(password)
