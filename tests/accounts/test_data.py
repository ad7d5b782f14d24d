"""Regions and roles loaded by migrations; the demo seed."""

import csv
import unicodedata

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings

from accounts.models import Region, Role, User
from bills.models import Chamber, Committee

pytestmark = pytest.mark.django_db


def test_there_are_27_regions_with_lima_split_callao_and_abroad():
    regions = list(Region.objects.all())
    assert len(regions) == 27
    codes = {region.code for region in regions}
    assert {"lima-metropolitana", "lima-provincias", "callao", "abroad"} <= codes
    assert "lima" not in codes
    assert [region.code for region in regions if region.is_abroad] == ["abroad"]


def test_region_names_follow_the_language(settings):
    region = Region.objects.get(code="callao")
    from django.utils import translation

    with translation.override("en"):
        assert region.name == "Constitutional Province of Callao"
    with translation.override("es"):
        assert region.name == "Provincia Constitucional del Callao"


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(part for part in text.lower().split() if not part.endswith("/"))


def test_every_census_division_has_a_region(corpus):
    """INEI's census table lists the same divisions (Lima split into the
    province of Lima and the rest of the department)."""
    census_to_code = {"provincia de lima": "lima-metropolitana", "region lima": "lima-provincias"}
    census_to_code["prov. const. del callao"] = "callao"
    with (corpus / "population" / "inei-pob_03.csv").open(encoding="utf-8") as handle:
        names = [row[0] for row in csv.reader(handle) if row and row[0]]
    divisions = [_plain(name) for name in names[1:] if _plain(name) not in {"total", "lima"}]
    assert len(divisions) == 26
    by_name = {_plain(region.name_es): region.code for region in Region.objects.all()}
    for division in divisions:
        code = census_to_code.get(division) or by_name.get(division)
        assert code is not None, f"no region for census division {division!r}"


def test_staff_role_groups_exist():
    names = set(Group.objects.values_list("name", flat=True))
    assert set(Role.values) <= names
    assert {"Moderators", "Committee staff", "Administrators"} <= names


@override_settings(APORTA_PRINT_DEMO_PASSWORDS=True)
def test_seed_demo_is_idempotent_and_prints_the_logins(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert Chamber.objects.count() == 2
    assert set(Chamber.objects.values_list("slug", flat=True)) == {"senado", "diputados"}
    assert Committee.objects.filter(chamber__slug="senado").count() >= 3
    assert Committee.objects.filter(chamber__slug="diputados").count() >= 3
    # Five sign-in accounts, plus the demo participants (no usable password).
    assert User.objects.filter(email__endswith="@aporta.test").count() == 13
    assert User.objects.filter(email__startswith="participante").count() == 8
    assert not User.objects.get(email="participante01@aporta.test").has_usable_password()
    # Two demo consultations: a closed one on the original text, one open on the substitute.
    from consultations.models import Consultation, ConsultationStatus

    statuses = sorted(Consultation.objects.values_list("status", flat=True))
    assert statuses == [ConsultationStatus.CLOSED, ConsultationStatus.OPEN]
    comision = User.objects.get(email="comision@aporta.test")
    assert comision.committees.filter(slug="descentralizacion").exists()
    assert "demo-moderacion-2026" in output
    moderator = User.objects.get(email="moderacion@aporta.test")
    assert moderator.groups.filter(name=Role.MODERATOR).exists()
    assert moderator.check_password("demo-moderacion-2026")
    admin = User.objects.get(email="admin@aporta.test")
    assert admin.is_staff


@override_settings(APORTA_PRINT_DEMO_PASSWORDS=False)
def test_seed_demo_outside_local_settings_prints_no_password_and_sets_none(capsys):
    call_command("seed_demo")
    output = capsys.readouterr().out
    assert "demo-" not in output
    assert not User.objects.get(email="admin@aporta.test").has_usable_password()
