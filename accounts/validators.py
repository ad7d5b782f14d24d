import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.encoding import punycode
from django.utils.translation import gettext as _

# Invisible and unassigned characters: control, format (zero-width joiners, bidi
# overrides, soft hyphen), surrogates, private use and unassigned code points.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
# The longest address a mail server accepts (RFC 5321 path limit, less the brackets)
# and the longest our accounts store.
EMAIL_MAX_LENGTH = 254
# Longer names are refused by the length check; the patterns below only ever
# look at a bounded prefix, so hostile input cannot make them slow.
_SCAN_LIMIT = 200


def _has_hidden_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _HIDDEN_CATEGORIES for char in value)


def validate_email_deliverable(value: str) -> None:
    """Refuses addresses that mail cannot be sent to, or that only look unique.

    An invisible character (``exa\u200bmple.org``) disappears when the domain is
    encoded for sending, so the address would be a second account for someone
    else's mailbox; a domain that IDNA cannot encode would fail only when the
    verification mail is sent, after the account was saved.
    """
    if len(value) > EMAIL_MAX_LENGTH:
        raise ValidationError(
            _("An email address can have at most %(limit)d characters.")
            % {"limit": EMAIL_MAX_LENGTH},
            code="too_long",
        )
    if _has_hidden_characters(value):
        raise ValidationError(
            _("The email address contains invisible or unsupported characters."),
            code="hidden_characters",
        )
    _local, _at, domain = value.rpartition("@")
    try:
        punycode(domain)
    except UnicodeError:
        raise ValidationError(
            _("The domain of this email address is not valid."), code="invalid_domain"
        ) from None


_EMAIL_LIKE = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_URL_LIKE = re.compile(r"(https?://|www\.)", re.IGNORECASE)
_MANY_DIGITS = re.compile(r"\d[\d\s.-]{6,}\d")


def validate_display_name(value: str) -> None:
    """A public name must be readable and must not publish contact details."""
    value = value[:_SCAN_LIMIT]
    if len(value.strip()) < 2:
        raise ValidationError(_("Use at least two characters."), code="too_short")
    if _has_hidden_characters(value):
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
