from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AgeRange, Region, RespondentType, User
from accounts.validators import validate_display_name


def _consent_label():
    return format_html(
        gettext('I have read and accept the <a href="{url}">privacy notice</a>.'),
        url=reverse("privacy"),
    )


class ProfileFields(forms.Form):
    """The public name and the facts used, only in aggregate, for report breakdowns."""

    display_name = forms.CharField(
        label=_("Public name"),
        max_length=60,
        validators=[validate_display_name],
        help_text=_("Shown to everyone next to what you publish. You may use a pseudonym."),
    )
    region = forms.ModelChoiceField(
        label=_("Region where you live"),
        queryset=Region.objects.all(),
        empty_label=_("Choose a region"),
    )
    respondent_type = forms.ChoiceField(
        label=_("You take part as"),
        choices=RespondentType.choices,
        initial=RespondentType.CITIZEN,
    )
    age_range = forms.ChoiceField(
        label=_("Age range (optional)"),
        choices=[("", _("Prefer not to say")), *AgeRange.choices],
        required=False,
    )


class SignupForm(AllauthSignupForm, ProfileFields):
    """allauth's sign-up plus the profile and explicit consent to the privacy notice.

    ``accounts.adapters.AccountAdapter.save_user`` saves all of it through
    ``accounts.services.user_register``.
    """

    privacy_consent = forms.BooleanField(
        label=lazy(_consent_label, str)(),
        required=True,
        error_messages={"required": _("You must accept the privacy notice to create an account.")},
    )

    field_order = [
        "email",
        "display_name",
        "password1",
        "password2",
        "region",
        "respondent_type",
        "age_range",
        "privacy_consent",
    ]


class ProfileForm(ProfileFields):
    # Not sent (an older form, a program): the language stays as it was.
    language = forms.TypedChoiceField(
        label=_("Language of our emails"),
        choices=settings.LANGUAGES,
        required=False,
        empty_value=None,
    )

    @classmethod
    def for_user(cls, user: User, data=None) -> "ProfileForm":
        initial = {
            "display_name": user.display_name,
            "region": user.region_id,
            "respondent_type": user.respondent_type,
            "age_range": user.age_range,
            "language": user.language,
        }
        return cls(data=data, initial=initial)
