"""API plumbing shared by every app's ``api.py``."""

import functools
import json
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema_serializer
from rest_framework import exceptions, relations, serializers
from rest_framework.parsers import BaseParser
from rest_framework.utils.formatting import lazy_format
from rest_framework.utils.serializer_helpers import BindingDict

MAX_JSON_DEPTH = 32


def _reject_constant(name: str) -> None:
    raise ValueError(name)


def _check_value(value: Any, depth: int = 0) -> None:
    """Refuses what the database cannot store or what no client needs to send."""
    if depth > MAX_JSON_DEPTH:
        raise exceptions.ParseError(_("The JSON document is nested too deeply."))
    if isinstance(value, str):
        if "\x00" in value:
            raise exceptions.ParseError(_("Text must not contain NUL characters."))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise exceptions.ParseError(_("Text must be valid Unicode.")) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, depth + 1)
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


class SafeJSONParser(BaseParser):
    """JSON with limits: size, depth, no NaN, no NUL, no lone surrogates.

    DRF's own parser reads the request stream directly, which skips Django's
    DATA_UPLOAD_MAX_MEMORY_SIZE check, and lets a deeply nested document raise
    RecursionError; both would be a 500 instead of a clear 400.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise exceptions.ParseError(_("The request body is too large."))
        try:
            text = body.decode("utf-8")
            data = json.loads(text, parse_constant=_reject_constant)
        except UnicodeDecodeError:
            raise exceptions.ParseError(_("The request body must be UTF-8.")) from None
        except RecursionError:
            raise exceptions.ParseError(_("The JSON document is nested too deeply.")) from None
        except ValueError:
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        _check_value(data)
        return data


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField would quietly turn 12 or true into "12" or "True"."""

    default_error_messages = {"not_text": _lazy("Must be text.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


# Fields that read the serializer they are bound to (its context, request or
# instance) or hold other serializers: they cannot be shared between uses.
_UNSHAREABLE = (
    serializers.BaseSerializer,
    serializers.HiddenField,
    relations.RelatedField,
    relations.ManyRelatedField,
)


class SharedFields:
    """For flat serializers (text, numbers, choices, dates): the fields are
    built and bound once per class and shared by every instance, in every
    thread, instead of deep-copied for each one (DRF's way, most of what a
    small serializer costs on every request). These fields keep no state
    between uses: validating or representing reads their settings only.

    A field that needs its serializer (context, request, nested serializers,
    relations) is refused when the class is first used.

    Put it before ``serializers.Serializer`` in the bases."""

    _shared_fields_lock = threading.Lock()

    @property
    def fields(self) -> BindingDict:
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:
            with SharedFields._shared_fields_lock:
                shared = cls.__dict__.get("_shared_fields") or _shared_fields(cls)
        return shared


def _shared_fields(cls: type) -> BindingDict:
    template = cls()
    fields = BindingDict(template)
    for name, field in template.get_fields().items():
        if isinstance(field, _UNSHAREABLE) or getattr(field.default, "requires_context", False):
            raise ImproperlyConfigured(
                f"{cls.__qualname__}.{name} ({type(field).__name__}) depends on its "
                "serializer: it cannot be shared (remove SharedFields from the class)"
            )
        fields[name] = field
        for validator in field.validators:  # computed now, not by two threads at once
            _translate_on_each_use(validator)
    cls._shared_fields = fields
    return fields


def _translate_on_each_use(validator) -> None:
    """DRF words a validator's message (``lazy_format``) in the language of its
    first use and keeps it: right for a field built per request, wrong for one
    shared by every request. The message is formatted on each use instead."""
    message = getattr(validator, "message", None)
    if isinstance(message, lazy_format) and message.format_string is not None:
        validator.message = format_lazy(message.format_string, *message.args, **message.kwargs)


def exception_handler(exc: Exception, context: dict) -> Any:
    """DRF's handler, plus the errors our services raise. A service's
    PermissionDenied may carry the reason (a closed consultation, an
    unverified address); it is passed on."""
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which
    # names this module, as it loads.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, exceptions.NotAuthenticated) and exc.status_code == 401:
        # DRF has set the WWW-Authenticate header on exc; keep it, change the words.
        exc.detail = exceptions.ErrorDetail(
            _("Sign in, or send an API token in the Authorization header: Token <your token>."),
            code="not_authenticated",
        )
    return drf_exception_handler(exc, context)


# --- Error bodies, for the OpenAPI schema ----------------------------------------


@extend_schema_serializer(component_name="Error")
class ErrorOutput(serializers.Serializer):
    """The body of every refusal other than invalid input."""

    detail = serializers.CharField(help_text=_lazy("What went wrong, for a person to read."))


@functools.cache
def validation_error_output(input_serializer: type[serializers.Serializer], name: str):
    """The body of a 400: a list of messages per field of ``input_serializer``
    that was wrong, ``non_field_errors`` for the request as a whole, or
    ``detail`` when the body was not acceptable JSON at all."""
    names = [*input_serializer().fields, "non_field_errors"]
    fields: dict[str, serializers.Field] = {
        field: serializers.ListField(child=serializers.CharField(), required=False)
        for field in names
    }
    fields["detail"] = serializers.CharField(required=False)
    return type(name, (serializers.Serializer,), {"__module__": __name__, **fields})


_ERRORS = {
    400: _lazy("The request is not valid: the body names each field's problem."),
    401: _lazy("No valid credentials: sign in, or send a valid API token."),
    403: _lazy("Not allowed: the reason is in detail (CSRF, verification, a closed consultation)."),
    404: _lazy("Not found, or not visible to you."),
    415: _lazy("The body is not JSON."),
    429: _lazy("Too many requests from this person or address; wait and try again."),
}


def error_responses(*statuses: int, invalid=None) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the refusals an operation can answer; ``invalid``
    is the serializer describing its 400 body (ErrorOutput when omitted)."""
    return {
        status: OpenApiResponse(
            response=invalid if status == 400 and invalid is not None else ErrorOutput,
            description=_ERRORS[status],
        )
        for status in statuses
    }
