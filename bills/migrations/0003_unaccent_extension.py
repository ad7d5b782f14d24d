"""PostgreSQL's unaccent, for accent-insensitive search of bills (Perú = Peru).

Needs a role allowed to create extensions (or the extension created by the
database administrator beforehand). Other databases skip it.
"""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = [("bills", "0002_bills_versions_provisions")]

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
