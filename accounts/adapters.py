from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation

from accounts import services
from accounts.validators import validate_email_deliverable


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """allauth calls this for sign-up, added addresses and password reset."""
        email = super().clean_email(email)
        validate_email_deliverable(email)
        return email

    def is_safe_url(self, url: str | None) -> bool:
        """allauth's check parses the URL before Django's and lets a malformed
        one (``//[::1``) raise ValueError, a 500; such a URL is simply unsafe."""
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def save_user(self, request, user, form, commit=True):
        """Saves the account with its profile and consent in one transaction."""
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        data = form.cleaned_data
        return services.user_register(
            user=user,
            display_name=data["display_name"],
            region=data["region"],
            respondent_type=data["respondent_type"],
            age_range=data.get("age_range", ""),
            privacy_notice_version=settings.APORTA_PRIVACY_NOTICE_VERSION,
            language=translation.get_language() or "",
        )
