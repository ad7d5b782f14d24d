"""The one check every service applies to text people send."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    """``value`` without surrounding space; a clear error naming ``field`` when
    it is empty (if ``required``), longer than ``limit`` or holds a NUL."""
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("This field cannot be empty.")}, code="required")
    if len(value) > limit:
        raise ValidationError(
            {field: _("Use at most %(limit)d characters.") % {"limit": limit}}, code="max_length"
        )
    if "\x00" in value:
        raise ValidationError({field: _("Text must not contain NUL characters.")}, code="null")
    return value


class EchoBuffer:
    """What ``csv.writer`` writes into when a response streams its rows: each
    written line comes straight back, to be yielded."""

    def write(self, value: str) -> str:
        return value


# What a spreadsheet takes for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet never runs as a formula: text starting with one of
    = + - @ (or a tab or carriage return) gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value
