import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_URL_LIKE = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_MANY_DIGITS = re.compile(r"\d[\d\s.-]{6,}\d")


def validate_display_name(value: str) -> None:
    """A public name must be readable and must not publish contact details."""
    if len(value.strip()) < 2:
        raise ValidationError(_("Use at least two characters."), code="too_short")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in value):
        raise ValidationError(
            _("Use letters, numbers and ordinary punctuation only."), code="invalid_characters"
        )
    if _EMAIL_LIKE.search(value) or _URL_LIKE.search(value) or _MANY_DIGITS.search(value):
        raise ValidationError(
            _(
                "Your public name is shown to everyone: do not include an email address, "
                "a web address or a phone or ID number."
            ),
            code="contact_details",
        )
