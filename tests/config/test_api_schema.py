from django.core.management import call_command


def test_the_openapi_schema_builds_without_warnings_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text(encoding="utf-8")
    for path in ["/api/v1/bills/", "/api/v1/consultations/{id}/vote/", "/api/v1/me/"]:
        assert path in schema
