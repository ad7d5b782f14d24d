"""Builds a consultation's committee report from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from consultations.models import Consultation
from consultations.reports.build import WRITERS, write_report


class Command(BaseCommand):
    help = "Writes a consultation's report (CSV as a zip of tables, JSON or XLSX) to a file."

    def add_arguments(self, parser):
        parser.add_argument("consultation", type=int, help="the consultation's id")
        parser.add_argument("--format", choices=sorted(WRITERS), required=True)
        parser.add_argument("--out", type=Path, required=True, help="the file to write")
        parser.add_argument("--language", choices=["es", "en"], default="es")

    def handle(self, *args, consultation: int, format: str, out: Path, language: str, **options):
        found = (
            Consultation.objects.select_related("version__bill", "committee", "chamber")
            .filter(pk=consultation)
            .first()
        )
        if found is None:
            raise CommandError(f"There is no consultation {consultation}.")
        if found.status == "draft":
            raise CommandError(f"Consultation {consultation} is a draft: it has no feedback.")
        with translation.override(language):
            partial = out.with_name(out.name + ".partial")
            try:
                with partial.open("wb") as handle:
                    write_report(found, format, handle)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
            partial.replace(out)  # never a half-written report under its name
        self.stdout.write(f"{out} ({out.stat().st_size} bytes)")
