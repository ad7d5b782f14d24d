"""The moderation log is append-only in the database itself: PostgreSQL
refuses any UPDATE or DELETE of its rows, whoever asks (the admin, a shell, a
bug). TRUNCATE, which only the database owner's maintenance uses, is not a row
change. SQLite (development only) relies on the model refusing."""

from django.db import migrations

CREATE = """
CREATE FUNCTION moderation_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the moderation log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_log_append_only
    BEFORE UPDATE OR DELETE ON moderation_auditentry
    FOR EACH ROW EXECUTE FUNCTION moderation_log_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS moderation_log_append_only ON moderation_auditentry;
DROP FUNCTION IF EXISTS moderation_log_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0003_decisions")]

    operations = [migrations.RunPython(create, drop)]
