"""Writes a published version of a bill as Akoma Ntoso XML to standard output."""

from django.core.management.base import BaseCommand, CommandError

from bills.models import Bill, VersionStatus


class Command(BaseCommand):
    help = "Exports a bill version (the latest published by default) as Akoma Ntoso."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version names the bill's version here; it replaces Django's own option.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("number", help="The bill's number, such as 1234/2025-CR.")
        parser.add_argument("--version", type=int, dest="version_number")
        parser.add_argument("--format", choices=["akn"], default="akn")

    def handle(self, *args, number, version_number, **options):
        from bills.akn import version_to_akn

        bill = Bill.objects.filter(number=number).first()
        if bill is None:
            raise CommandError(f"No bill numbered {number!r}.")
        versions = bill.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number")
        if version_number is not None:
            versions = versions.filter(number=version_number)
        version = versions.first()
        if version is None:
            raise CommandError("No such published version.")
        self.stdout.write(version_to_akn(version).decode("utf-8"), ending="")
