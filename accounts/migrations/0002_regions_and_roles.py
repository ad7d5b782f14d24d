"""Loads the regions and creates the staff role groups."""

from django.db import migrations

from accounts.regions import ABROAD, PERU_REGIONS

ROLE_GROUPS = ["Moderators", "Committee staff", "Administrators"]


def load(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Group = apps.get_model("auth", "Group")
    for position, (code, name_es, name_en, official_code) in enumerate(
        [*PERU_REGIONS, ABROAD], start=1
    ):
        Region.objects.update_or_create(
            code=code,
            defaults={
                "name_es": name_es,
                "name_en": name_en,
                "official_code": official_code,
                "is_abroad": code == ABROAD[0],
                "position": position,
            },
        )
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def unload(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()
    apps.get_model("accounts", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, unload)]
