"""A realistic demo bill written for Aporta, in the Peruvian format, with a
substitute text that renumbers, changes, inserts and deletes articles."""

from pathlib import Path

from django.db import transaction

from bills import services
from bills.importers import parse_source
from bills.models import Bill, BillStage, Chamber, Committee, SourceFormat, VersionKind

DEMO_NUMBER = "0987/2026-CR"
HERE = Path(__file__).resolve().parent


@transaction.atomic
def seed_demo_bill(*, chamber: Chamber, committee: Committee) -> Bill:
    """Creates the demo bill with its two published versions; safe to repeat."""
    existing = Bill.objects.filter(number=DEMO_NUMBER).first()
    if existing is not None:
        return existing
    bill = services.bill_create(
        number=DEMO_NUMBER,
        title="Ley que promueve la participación ciudadana digital en el procedimiento legislativo",
        summary="Regula las consultas ciudadanas digitales sobre proyectos de ley: apertura, "
        "formas de participación, moderación, informe de resultados y respuesta de las "
        "comisiones.",
        proponents="Congresista Ana María Ccori Huamán (demostración)",
        origin_chamber=chamber,
        committees=[committee],
        stage=BillStage.PRESENTED,
    )
    services.bill_change_stage(
        bill=bill, stage=BillStage.IN_COMMITTEE, happened_on=bill.created_at.date()
    )
    for name, kind in [("v1.txt", VersionKind.ORIGINAL), ("v2.txt", VersionKind.SUBSTITUTE)]:
        data = (HERE / name).read_bytes()
        version = services.bill_version_create(
            bill=bill,
            result=parse_source(data, source_format=SourceFormat.TEXT),
            source_format=SourceFormat.TEXT,
            source_name=name,
            source_bytes=data,
            kind=kind,
        )
        services.bill_version_publish(version=version)
    return bill
