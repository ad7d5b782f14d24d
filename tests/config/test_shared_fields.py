"""Serializers whose fields are built once and shared (config.api.SharedFields)
validate and represent exactly as DRF's own, in any number of threads."""

import copy
import datetime
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from rest_framework import serializers

from accounts.models import User
from config.api import SharedFields, StrictCharField


class Shared(SharedFields, serializers.Serializer):
    name = StrictCharField(max_length=20)
    note = StrictCharField(required=False, allow_blank=True, max_length=5)
    choice = serializers.ChoiceField(choices=[("agree", "De acuerdo"), ("disagree", "En contra")])
    count = serializers.IntegerField(min_value=0, required=False)
    when = serializers.DateTimeField(required=False)
    upper = serializers.SerializerMethodField()

    def validate_name(self, value):
        if value == "forbidden":
            raise serializers.ValidationError("not this one")
        return value

    def get_upper(self, instance) -> str:
        return instance.name.upper()


# The same declarations, built DRF's way on every instance.
Plain = type("Plain", (serializers.Serializer,), {
    **copy.deepcopy(Shared._declared_fields),
    "validate_name": Shared.validate_name,
    "get_upper": Shared.get_upper,
})  # fmt: skip

INPUTS = [
    {"name": "Ana", "choice": "agree"},
    {"name": "Ana", "choice": "agree", "note": "", "count": 3, "when": "2026-11-27T10:00:00Z"},
    {"name": "", "choice": "agree"},
    {"name": 12, "choice": "agree"},
    {"name": "x" * 21, "choice": "maybe", "count": -1},
    {"name": "forbidden", "choice": "disagree", "note": "toolong"},
    {"choice": None},
    {},
    {"name": ["a"], "choice": {"a": 1}, "when": "yesterday", "count": "many"},
]


def outcome(serializer_class, data):
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return "valid", dict(serializer.validated_data)
    return "invalid", {name: [str(error) for error in errors]
                       for name, errors in serializer.errors.items()}  # fmt: skip


@pytest.mark.parametrize("data", INPUTS)
def test_shared_fields_validate_as_drf_does(data):
    assert outcome(Shared, data) == outcome(Plain, data)


def test_hostile_strings_are_validated_as_drf_does(naughty_strings):
    for text in naughty_strings:
        data = {"name": text, "note": text, "choice": text}
        assert outcome(Shared, data) == outcome(Plain, data), text


def test_shared_fields_represent_as_drf_does():
    when = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
    instance = SimpleNamespace(name="Ana", note="", choice="agree", count=2, when=when)
    assert Shared(instance).data == Plain(instance).data
    assert Shared([instance, instance], many=True).data == Plain([instance] * 2, many=True).data


def test_messages_are_in_each_request_language():
    """DRF words some messages once (on first use): shared, they would stay in
    the language of whoever came first."""
    data = {"name": "x" * 21, "choice": "maybe", "count": -1}
    with translation.override("en"):
        english = outcome(Shared, data)
    with translation.override("es"):
        spanish = outcome(Shared, data)
        assert spanish == outcome(Plain, data)
    assert english[1]["name"] == ["Ensure this field has no more than 20 characters."]
    assert spanish[1]["name"] == ["Asegúrese de que este campo no tenga más de 20 caracteres."]
    assert spanish[1]["count"] == ["Asegúrese de que este valor es mayor o igual a 0."]


def test_fields_are_built_once_and_shared():
    assert Shared().fields is Shared(data={}).fields
    assert Shared().fields["name"] is Shared().fields["name"]


def test_threads_sharing_the_fields_each_get_their_own_answer():
    def check(data):
        # Both in the worker thread: error messages follow its active language.
        return outcome(Shared, data) == outcome(Plain, data)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(check, INPUTS * 60))


@pytest.mark.parametrize(
    "field",
    [
        serializers.HiddenField(default=serializers.CurrentUserDefault()),
        serializers.PrimaryKeyRelatedField(queryset=User.objects.none()),
        serializers.CharField(default=serializers.CreateOnlyDefault("x")),
    ],
)
def test_fields_that_need_their_serializer_are_refused(field):
    refused = type("Refused", (SharedFields, serializers.Serializer), {"field": field})
    with pytest.raises(ImproperlyConfigured, match="cannot be shared"):
        refused().fields  # noqa: B018


def test_nested_serializers_are_refused():
    class Inner(serializers.Serializer):
        name = serializers.CharField()

    class Outer(SharedFields, serializers.Serializer):
        inner = Inner()

    with pytest.raises(ImproperlyConfigured, match="cannot be shared"):
        Outer().fields  # noqa: B018
