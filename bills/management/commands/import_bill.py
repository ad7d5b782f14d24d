"""Imports a bill's text from a file: text/Markdown, DOCX, PDF or Akoma Ntoso."""

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bills import services
from bills.importers import parse_source
from bills.importers.base import ImportRefused, result_as_json
from bills.models import Bill, Chamber, SourceFormat, VersionKind


class Command(BaseCommand):
    help = (
        "Parses a bill file. With --dry-run, prints the tree without saving; otherwise "
        "creates the bill (--bill, --title, --chamber) or its next version, published "
        "unless --draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=SourceFormat.values, dest="source_format")
        parser.add_argument("--dry-run", action="store_true", help="Parse only; save nothing.")
        parser.add_argument("--json", action="store_true", help="Print the tree as JSON.")
        parser.add_argument("--bill", help="The bill's number, such as 1234/2025-CR.")
        parser.add_argument("--title", help="The bill's title (for a new bill).")
        parser.add_argument("--chamber", help="Chamber of origin's slug (for a new bill).")
        parser.add_argument("--kind", choices=VersionKind.values, default=VersionKind.ORIGINAL)
        parser.add_argument("--draft", action="store_true", help="Leave the version unpublished.")

    def handle(self, *args, path: Path, source_format, dry_run, json, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            result = parse_source(data, source_format=source_format)
        except ImportRefused as refusal:
            raise CommandError(f"{refusal.message} ({refusal.code})") from None
        if dry_run:
            self._print(result, as_json=json)
            return
        if not options["bill"]:
            raise CommandError("--bill is required unless --dry-run is given.")
        try:
            version = self._save(result, data, path, source_format, options)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if json:
            self._print(result, as_json=True)
        else:
            published = "draft" if options["draft"] else "published"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{version.bill.number}: version {version.number} ({published}), "
                    f"{version.provisions.count()} provisions, {len(result.warnings)} warnings."
                )
            )

    @transaction.atomic
    def _save(self, result, data, path, source_format, options):
        bill = Bill.objects.filter(number=options["bill"].strip()).first()
        if bill is None:
            if not options["title"] or not options["chamber"]:
                raise CommandError("A new bill needs --title and --chamber.")
            chamber = Chamber.objects.filter(slug=options["chamber"]).first()
            if chamber is None:
                raise CommandError(f"No chamber with slug {options['chamber']!r}.")
            bill = services.bill_create(
                number=options["bill"],
                title=options["title"],
                origin_chamber=chamber,
                proponents=result.metadata.get("proponents", ""),
            )
        version = services.bill_version_create(
            bill=bill,
            result=result,
            source_format=source_format or _detected(data),
            source_name=path.name,
            source_bytes=data,
            kind=options["kind"],
        )
        if not options["draft"]:
            version = services.bill_version_publish(version=version)
        return version

    def _print(self, result, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result_as_json(result), ensure_ascii=False))
            return
        for root in result.nodes:
            for node in root.walk():
                self.stdout.write(f"{node.eid:<40} {node.kind:<22} {node.label} {node.heading}")
        for warning in result.warnings:
            where = f" (line {warning.line})" if warning.line else ""
            self.stderr.write(f"warning {warning.code}{where}: {warning.message}")


def _detected(data: bytes) -> str:
    from bills.importers import sniff_format

    return sniff_format(data) or SourceFormat.TEXT
