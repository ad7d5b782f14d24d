"""One strict reader for configuration that comes from environment variables.

Every setting that the environment may change goes through these functions, so a
bad value stops the process at start-up with a message that names the variable,
instead of surfacing later as a confusing failure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


class Env:
    """Reads typed values from a mapping (``os.environ`` unless given another)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def _raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        if "\x00" in value:
            raise ImproperlyConfigured(f"{name} contains a NUL character.")
        return value.strip()

    def is_set(self, name: str) -> bool:
        return self._raw(name) is not None

    def str(self, name: str, default: str | object | None = _UNSET) -> str | None:
        value = self._raw(name)
        if value is not None:
            return value
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name} must be set.")
        return default  # type: ignore[return-value]

    def bool(self, name: str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name} must be one of true/false, yes/no, on/off or 1/0 (got {value!r})."
        )

    def int(self, name: str, default: int, *, minimum: int | None = None) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum} (got {number}).")
        return number

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: set[str]) -> str:
        value = self._raw(name) or default
        if value not in choices:
            allowed = ", ".join(sorted(choices))
            raise ImproperlyConfigured(f"{name} must be one of {allowed} (got {value!r}).")
        return value

    def database(self, name: str, default: str) -> dict:
        url = self._raw(name) or default
        try:
            config = dj_database_url.parse(url, conn_max_age=0)
        except (ValueError, KeyError) as error:
            raise ImproperlyConfigured(f"{name} is not a usable database URL: {error}") from None
        if config.get("ENGINE") not in {
            "django.db.backends.postgresql",
            "django.db.backends.sqlite3",
        }:
            raise ImproperlyConfigured(
                f"{name} must be a postgres:// or sqlite:// URL (got scheme "
                f"{urlsplit(url).scheme!r})."
            )
        return config

    def redis_url(self, name: str) -> str | None:
        value = self._raw(name)
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss", "unix"}:
            raise ImproperlyConfigured(
                f"{name} must be a redis://, rediss:// or unix:// URL (got {value!r})."
            )
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port (got {value!r}).") from None
        return value


env = Env()
