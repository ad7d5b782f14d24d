from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_display_name, validate_email_deliverable
from config.models import BilingualName


class Role(models.TextChoices):
    """Staff roles. Each is a ``Group`` of this exact name (see migration 0002)."""

    MODERATOR = "Moderators", _("Moderators")
    COMMITTEE_STAFF = "Committee staff", _("Committee staff")
    ADMINISTRATOR = "Administrators", _("Administrators")


class RespondentType(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    CIVIL_SOCIETY = "civil_society", _("Civil-society organisation")
    COMPANY = "company", _("Company")
    ACADEMIA = "academia", _("Academia")
    PUBLIC_BODY = "public_body", _("Public body")
    TRADE_UNION = "trade_union", _("Trade union")


class AgeRange(models.TextChoices):
    FROM_14_TO_17 = "14-17", _("14 to 17")
    FROM_18_TO_24 = "18-24", _("18 to 24")
    FROM_25_TO_34 = "25-34", _("25 to 34")
    FROM_35_TO_44 = "35-44", _("35 to 44")
    FROM_45_TO_54 = "45-54", _("45 to 54")
    FROM_55_TO_64 = "55-64", _("55 to 64")
    FROM_65 = "65+", _("65 or older")


class Region(BilingualName):
    """Where a participant lives: a first-level division of the country, or abroad.

    Regions are data (loaded by a migration), so another parliament replaces the
    rows rather than the code.
    """

    code = models.SlugField(max_length=40, unique=True)
    official_code = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("The region's official code (ISO 3166-2, such as PE-CUS)."),
    )
    is_abroad = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class UserManager(DjangoUserManager):
    """Users are identified by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField(
        _("email address"), unique=True, validators=[validate_email_deliverable]
    )
    display_name = models.CharField(
        _("public name"),
        max_length=60,
        validators=[validate_display_name],
        help_text=_("Shown next to everything you publish. You may use a pseudonym."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    respondent_type = models.CharField(
        _("I take part as"),
        max_length=20,
        choices=RespondentType.choices,
        default=RespondentType.CITIZEN,
    )
    age_range = models.CharField(_("age range"), max_length=8, choices=AgeRange.choices, blank=True)
    language = models.CharField(
        _("language of our emails"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Public names are screened like what people write ("published", "held" or
    # "rejected", as contributions are); until a moderator approves a held or
    # rejected name, a neutral one is shown (``public_name``).
    display_name_status = models.CharField(max_length=20, default="published", editable=False)
    display_name_screened_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def public_name(self) -> str:
        """The name shown next to what the person publishes: their display name,
        or a neutral one while a moderator has not approved it."""
        if self.display_name_status == "published":
            return self.display_name
        return _("Participant %(number)s") % {"number": self.pk}


class PrivacyConsent(models.Model):
    """Proof that a person accepted a given version of the privacy notice (Ley 29733)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="privacy_consents")
    notice_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("privacy consent")
        verbose_name_plural = _("privacy consents")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "notice_version"], name="accounts_consent_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.notice_version}"
