import json

import pytest
from django.core.management import CommandError, call_command

from bills.models import Bill
from tests.bills import factories

TEXT = """TÍTULO I
DISPOSICIONES GENERALES

Artículo 1.- Objeto
La presente ley regula la participación ciudadana.

Artículo 2.- Ámbito
Se aplica a todas las comisiones.
"""


def test_dry_run_prints_the_tree_as_json_and_saves_nothing(tmp_path, capsys, db):
    source = tmp_path / "proyecto.txt"
    source.write_text(TEXT, encoding="utf-8")
    call_command("import_bill", str(source), "--format", "text", "--dry-run", "--json")
    output = json.loads(capsys.readouterr().out)
    assert set(output) == {"nodes", "warnings"}
    title = output["nodes"][0]
    assert title["kind"] == "title"
    assert {"kind", "label", "heading", "text", "eid", "children"} == set(title)
    assert [child["label"] for child in title["children"]][:1] == ["Artículo 1.-"]
    assert not Bill.objects.exists()


def test_import_creates_the_bill_then_its_next_version(tmp_path, db):
    factories.chamber()
    source = tmp_path / "proyecto.txt"
    source.write_text(TEXT, encoding="utf-8")
    arguments = ["--bill", "77/2026-CR", "--title", "Ley", "--chamber", "diputados"]
    call_command("import_bill", str(source), *arguments)
    call_command("import_bill", str(source), "--bill", "77/2026-CR")
    bill = Bill.objects.get(number="77/2026-CR")
    assert list(bill.versions.values_list("number", "status")) == [
        (1, "published"),
        (2, "published"),
    ]


def test_import_refuses_a_missing_or_mislabelled_file_clearly(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_bill", str(tmp_path / "none.txt"), "--dry-run")
    bad = tmp_path / "proyecto.pdf"
    bad.write_text(TEXT, encoding="utf-8")
    with pytest.raises(CommandError, match="mislabelled"):
        call_command("import_bill", str(bad), "--format", "pdf", "--dry-run")


def test_export_writes_akoma_ntoso(capsys, db):
    factories.published_bill(versions=2)
    call_command("export_bill", "1234/2025-CR", "--format", "akn")
    latest = capsys.readouterr().out
    assert latest.startswith("<?xml")
    assert "akomaNtoso" in latest
    assert 'eId="tit_1__chp_1__art_1"' in latest
    assert "Texto cambiado en la versión 2." in latest
    call_command("export_bill", "1234/2025-CR", "--version", "1")
    assert "Texto cambiado" not in capsys.readouterr().out
    with pytest.raises(CommandError, match="No such published version"):
        call_command("export_bill", "1234/2025-CR", "--version", "9")
