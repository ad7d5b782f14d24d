"""Helpers for the API tests: JSON requests, and a test client that records
every (path, method, status) so each module can check that the OpenAPI schema
documents every answer the tests saw."""

import json
import re
from functools import cache

from django.test import Client
from drf_spectacular.generators import SchemaGenerator


class RecordingClient(Client):
    seen: set[tuple[str, str, int]] = set()

    def request(self, **request):
        response = super().request(**request)
        path = request["PATH_INFO"]
        if path.startswith("/api/v1/"):
            self.seen.add((path, request["REQUEST_METHOD"].lower(), response.status_code))
        return response


def send(client: Client, method: str, path: str, data=None, **extra):
    body = "" if data is None else json.dumps(data)
    return client.generic(method, path, body, content_type="application/json", **extra)


@cache
def documented() -> list[tuple[re.Pattern, str, frozenset[str]]]:
    """(path regex, method, documented statuses) for every operation of the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for template, item in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            operations.append((pattern, method, frozenset(operation["responses"])))
    return operations


def undocumented(seen: set[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """The answers seen that the schema does not document. A method that the
    schema lists nowhere for a path must have answered 405."""
    missing = []
    for path, method, status in sorted(seen):
        matches = [
            ops for pattern, verb, ops in documented() if verb == method and pattern.match(path)
        ]
        if not matches:
            if status != 405:
                missing.append((path, method, status))
        elif str(status) not in matches[0]:
            missing.append((path, method, status))
    return missing
