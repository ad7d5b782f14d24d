"""Building a requested report into a stored file, with its size and checksum."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from datetime import datetime, timedelta
from typing import BinaryIO

from django.core.files import File
from django.db.models import Q
from django.utils import timezone, translation

from consultations.models import Report, ReportStatus
from consultations.reports.content import report_content, report_snapshot
from consultations.reports.documents import write_docx, write_pdf
from consultations.reports.formats import write_csv, write_json, write_xlsx

logger = logging.getLogger(__name__)

WRITERS = {
    "csv": write_csv,
    "json": write_json,
    "xlsx": write_xlsx,
    "pdf": write_pdf,
    "docx": write_docx,
}
# The libraries a writer imports when it is first used: a worker keeps them
# loaded after its first report in that format.
LIBRARIES = {"xlsx": ("openpyxl",), "pdf": ("fpdf",), "docx": ("docx", "PIL.ImageDraw")}
EXTENSIONS = {"csv": "zip", "json": "json", "xlsx": "xlsx", "pdf": "pdf", "docx": "docx"}
# A build that started this long ago without finishing died with its worker.
STALE = timedelta(minutes=15)


def write_report(consultation, fmt: str, out: BinaryIO, *, now: datetime | None = None) -> dict:
    """Writes ``consultation``'s report in format ``fmt`` to ``out``, its
    tables and its annex read from one snapshot of the data; answers the
    content written."""
    with report_snapshot():
        content = report_content(consultation, now=now)
        WRITERS[fmt](content, consultation, out)
    return content


def report_build(report_id: int, *, now: datetime | None = None) -> bool:
    """Builds the report if it is waiting (or its last build died): claimed by
    a conditional update, so a task delivered twice builds it once. The file
    is stored with its size and SHA-256; the requester is told. Answers
    whether this run built it."""
    from notifications.models import Event
    from notifications.services import outbox_add

    now = now or timezone.now()
    waiting = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.BUILDING, started_at__lt=now - STALE
    )
    if not Report.objects.filter(waiting, pk=report_id).update(
        status=ReportStatus.BUILDING, started_at=now
    ):
        return False
    report = Report.objects.select_related(
        "consultation__version__bill", "consultation__committee", "consultation__chamber"
    ).get(pk=report_id)
    consultation = report.consultation
    try:
        with translation.override(report.language), tempfile.TemporaryFile() as handle:
            content = write_report(consultation, report.format, handle, now=now)
            handle.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
            size = handle.tell()
            handle.seek(0)
            stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
            name = (
                f"{consultation.version.bill.slug}-consulta-{consultation.pk}-{stamp}."
                f"{EXTENSIONS[report.format]}"
            )
            report.file.save(name, File(handle), save=False)
    except Exception as error:
        logger.exception("Report %s could not be built", report_id)
        Report.objects.filter(pk=report_id).update(
            status=ReportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}"[:300],
        )
        return False
    report.size, report.sha256 = size, digest.hexdigest()
    report.data_until = (
        datetime.fromisoformat(content["data_until"]) if content["data_until"] else None
    )
    report.status, report.finished_at = ReportStatus.READY, timezone.now()
    report.save(update_fields=["file", "size", "sha256", "data_until", "status", "finished_at"])
    outbox_add(
        event=Event.REPORT_READY,
        recipient_id=report.requested_by_id,
        consultation_id=consultation.pk,
        report=report.pk,
    )
    return True
