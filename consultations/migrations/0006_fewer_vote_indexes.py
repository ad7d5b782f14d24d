"""Two indexes fewer on the votes table, each written on every vote: the
consultation is found through the indexes that begin with it, and the region
is only ever read within a consultation.

On SQLite, Django rebuilds the table to change it, and the rebuilt table has
none of the old one's triggers: the tally triggers are created again.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models


def tally_triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL changed the table in place, triggers and all
    triggers = importlib.import_module("consultations.migrations.0005_tallies_kept_by_the_database")
    for statement in triggers.SQLITE:
        schema_editor.execute(
            statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_region_bilingual_name"),
        ("consultations", "0005_tallies_kept_by_the_database"),
    ]

    operations = [
        migrations.AlterField(
            model_name="vote",
            name="consultation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="votes",
                to="consultations.consultation",
            ),
        ),
        migrations.AlterField(
            model_name="vote",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.region",
            ),
        ),
        migrations.RunPython(tally_triggers_again, migrations.RunPython.noop),
    ]
