"""Everything that changes people's accounts. Views, forms, the admin and
commands call these; none of them repeat the rules."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from accounts.models import PrivacyConsent, Region, RespondentType, Role, User
from config.tasks import enqueue_on_commit


def _normalise_name(display_name: str) -> str:
    return " ".join(display_name.split())


def _apply_profile(
    user: User, display_name: str, region: Region | None, respondent_type: str, age_range: str
) -> None:
    """Sets the profile fields and validates the whole account."""
    user.display_name = _normalise_name(display_name)
    user.region = region
    user.respondent_type = respondent_type
    user.age_range = age_range
    user.full_clean(exclude=["password"])


@transaction.atomic
def user_register(
    *,
    user: User,
    display_name: str,
    region: Region | None,
    respondent_type: str = RespondentType.CITIZEN,
    age_range: str = "",
    privacy_notice_version: str,
    language: str = "",
) -> User:
    """Saves a new account with its profile and its consent to the privacy notice.

    ``user`` is unsaved (allauth has set its email and password). Both rows are
    written in one transaction: there is never an account without consent.
    ``language`` (the one the person signed up in) is the language of our emails.
    """
    _apply_profile(user, display_name, region, respondent_type, age_range)
    user.language = _known_language(language)
    user.save()
    user_record_consent(user=user, notice_version=privacy_notice_version)
    _queue_name_screening(user)
    return user


def user_record_consent(*, user: User, notice_version: str) -> PrivacyConsent:
    consent, _created = PrivacyConsent.objects.get_or_create(
        user=user, notice_version=notice_version, defaults={"consented_at": timezone.now()}
    )
    return consent


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    display_name: str,
    region: Region | None,
    respondent_type: str,
    age_range: str = "",
    language: str | None = None,
) -> User:
    before = user.display_name
    _apply_profile(user, display_name, region, respondent_type, age_range)
    fields = ["display_name", "region", "respondent_type", "age_range"]
    if language is not None:
        user.language = _known_language(language)
        fields.append("language")
    if user.display_name != before:
        # A new name shows at once and is screened like anything published.
        user.display_name_status = "published"
        user.display_name_screened_at = None
        fields += ["display_name_status", "display_name_screened_at"]
        _queue_name_screening(user)
    user.save(update_fields=fields)
    return user


def _known_language(language: str) -> str:
    """One of the site's languages (the default for anything else)."""
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _queue_name_screening(user: User) -> None:
    from consultations.tasks import screen_item

    enqueue_on_commit(screen_item, "display_name", user.pk)


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> None:
    """Puts ``user`` in a staff role. Administrators also reach the Django admin."""
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)
    if role == Role.ADMINISTRATOR and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    display_name: str,
    region: Region | None = None,
    respondent_type: str = RespondentType.CITIZEN,
    age_range: str = "",
    email_verified: bool = False,
    privacy_notice_version: str | None = None,
) -> User:
    """Creates an account outside the sign-up form (commands, the demo, tests).

    ``password=None`` leaves the account without a usable password: its owner
    sets one through password reset. ``email_verified`` records the address as
    verified for allauth, as if the owner had followed the link.
    """
    from allauth.account.models import EmailAddress

    user = User(
        email=User.objects.normalize_email(email),
        display_name=_normalise_name(display_name),
        region=region,
        respondent_type=respondent_type,
        age_range=age_range,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _queue_name_screening(user)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    if privacy_notice_version:
        user_record_consent(user=user, notice_version=privacy_notice_version)
    return user


def user_set_password(*, user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


# --- API tokens --------------------------------------------------------------------


def api_tokens_of(*, user: User) -> list[AuthToken]:
    """The person's unexpired API tokens, newest first (only digests are stored)."""
    now = timezone.now()
    return list(
        AuthToken.objects.filter(user=user)
        .exclude(expiry__lte=now)
        .order_by("-created")
        .only("digest", "created", "expiry")
    )


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """Creates an API token and returns ``(token_row, token)``: the token itself
    exists only in this return value (the database keeps its digest), so the
    caller shows it once. Expired tokens are cleared; at most
    APORTA_API_TOKENS_PER_USER may be alive at once."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    # Lock the person's row so two parallel requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    limit = settings.APORTA_API_TOKENS_PER_USER
    if AuthToken.objects.filter(user=user).count() >= limit:
        raise ValidationError(
            _("You already have %(limit)d API tokens. Revoke one to create another.")
            % {"limit": limit},
            code="too_many",
        )
    return AuthToken.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, user: User, digest: str) -> bool:
    """Revokes one of the person's own tokens; another person's is never touched."""
    deleted, _rows = AuthToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)
