from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

PARTICIPATION = (
    "/api/v1/consultations/",
    "/api/v1/comments/",
    "/api/v1/proposals/",
)
WRITES = {"put", "post", "patch", "delete"}


def test_the_openapi_schema_builds_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    for path in [
        "/api/v1/bills/",
        "/api/v1/consultations/{id}/vote/",
        "/api/v1/me/",
        "/api/v1/consultations/{id}/proposals/",
        "/api/v1/comments/{item_pk}/flag/",
        "/api/v1/bills/{slug}/follow/",
    ]:
        assert path in schema


def _participation_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        if path.startswith(PARTICIPATION) or path.endswith("/follow/"):
            for method, operation in item.items():
                yield path, method, operation, schema


def test_every_participation_error_has_a_real_body_schema():
    operations = list(_participation_operations())
    assert len(operations) >= 18
    for path, method, operation, schema in operations:
        responses = operation["responses"]
        assert "401" in responses, (path, method)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[-1]
                assert schema["components"]["schemas"][name]["properties"], (path, method, status)
        if method in WRITES:
            assert {"403", "404", "429"} <= set(responses), (path, method)
        if "requestBody" in operation:
            assert {"400", "415"} <= set(responses), (path, method)


def test_token_authentication_is_described():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme["type"] == "apiKey" or scheme.get("scheme") == "bearer"
    assert "Token" in str(scheme)
