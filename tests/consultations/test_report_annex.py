"""The annex of published feedback as the database writes it (PostgreSQL's
COPY), read back: every hostile text exactly as stored, valid JSON, the CSV's
formula guard; and a report read from one snapshot while feedback arrives."""

import contextlib
import csv
import io
import json
import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from config.text import spreadsheet_safe
from consultations import services
from consultations.models import Comment, ItemStatus
from consultations.reports.build import write_report
from consultations.reports.content import report_content, report_snapshot
from consultations.reports.formats import _write_behind, write_json
from tests.consultations.factories import article, open_consultation
from tests.consultations.test_report_content import feedback  # noqa: F401 - the fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def written(consultation, fmt: str) -> bytes:
    out = io.BytesIO()
    write_report(consultation, fmt, out)
    return out.getvalue()


def csv_annex(data: bytes) -> list[dict]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return list(
            csv.DictReader(io.TextIOWrapper(archive.open("annex.csv"), "utf-8-sig", newline=""))
        )


def test_hostile_texts_come_out_exactly_as_stored(committee_staff, naughty_strings):
    consultation = open_consultation(committee_staff)
    place = article(consultation)
    people = [UserFactory() for _ in range(4)]
    # Quotes, backslashes, line and paragraph separators, control characters,
    # COPY's own end marker, formulas, right-to-left text, emoji: a sample of
    # the list and the worst of it by hand.
    texts = [*naughty_strings[::9], 'comillas "dobles" y \\ barra', "línea\nnueva\r\ny\ttab",
             "\\.", "=1+1", "-2", "@SUMA(A1)", "\u2028\u2029", "\x01\x02 de control", "‮ al revés",
             "😀 emoji \U0001f1f5\U0001f1ea"]  # fmt: skip
    for index, text in enumerate(texts):
        # One refused with a clear error (empty once cleaned, say) is not in the annex.
        with contextlib.suppress(ValidationError):
            services.comment_submit(
                author=people[index % 4], consultation=consultation, provision=place, text=text
            )
    stored = sorted(
        Comment.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
        .values_list("pk", "text")
    )  # fmt: skip
    assert len(stored) > 40

    document = json.loads(written(consultation, "json"))
    assert sorted((row["id"], row["text"]) for row in document["annex"]) == stored
    assert {row["kind"] for row in document["annex"]} == {"comment"}
    assert all(isinstance(row["id"], int) and row["supports"] == 0 for row in document["annex"])

    rows = csv_annex(written(consultation, "csv"))
    assert sorted((int(row["id"]), row["text"]) for row in rows) == sorted(
        (pk, spreadsheet_safe(text)) for pk, text in stored
    )


def test_json_and_csv_annexes_agree_row_by_row(feedback):  # noqa: F811
    consultation, _people = feedback
    document = json.loads(written(consultation, "json"))
    rows = csv_annex(written(consultation, "csv"))
    assert [(row["kind"], row["id"], row["sent"], row["author"], row["supports"],
             row["answer"]) for row in document["annex"]] == [
        (row["kind"], int(row["id"]), row["sent"], row["author"], int(row["supports"]),
         row["answer"]) for row in rows
    ]  # fmt: skip
    assert [row["kind"] for row in rows] == ["comment"] * 4 + ["proposal"]
    sent = [row["sent"] for row in rows[:4]]
    assert sent == sorted(sent)  # the first sent first
    popular = next(row for row in document["annex"] if "HYPERLINK" in row["text"])
    assert popular["supports"] == 4
    assert popular["answer"] == "noted"
    assert popular["answer_reason"] == "Gracias."


def test_most_supported_lists_only_supported_items(feedback):  # noqa: F811
    consultation, _people = feedback
    provisions = {row["label"]: row for row in report_content(consultation)["provisions"]}
    first, second = provisions["Artículo 1.-"], provisions["Artículo 2.-"]
    assert [item["supports"] for item in first["most_supported"]] == [4]
    assert second["most_supported"] == []  # three comments, nobody supported any


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_reads_one_snapshot_while_feedback_arrives(migration_data, committee_staff):
    consultation = open_consultation(committee_staff)
    place = article(consultation)
    author, late = UserFactory(), UserFactory()
    services.comment_submit(author=author, consultation=consultation, provision=place,
                            text="Llegó antes del informe.")  # fmt: skip

    def arrives():
        try:
            services.comment_submit(author=late, consultation=consultation, provision=place,
                                    text="Llegó mientras se escribía el informe.")  # fmt: skip
        finally:
            connection.close()

    out = io.BytesIO()
    with report_snapshot():
        content = report_content(consultation)
        comer = threading.Thread(target=arrives)
        comer.start()
        comer.join()
        write_json(content, consultation, out)
    document = json.loads(out.getvalue())
    assert document["totals"]["comments"] == len(document["annex"]) == 1
    assert document["totals"]["participants"] == 1
    # The next report has it.
    assert Comment.objects.filter(consultation=consultation).count() == 2
    assert len(json.loads(written(consultation, "json"))["annex"]) == 2


class FullDisk(io.BytesIO):
    """A file that takes two blocks, then fails as a full disk does."""

    def write(self, data):
        if self.tell() >= 2:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_failed_write_fails_the_build_and_leaves_no_thread_waiting():
    blocks = (bytes([n]) for n in range(1000))
    with pytest.raises(OSError, match="No space left"):
        _write_behind(FullDisk(), blocks, depth=2)
    assert not [thread for thread in threading.enumerate() if thread.name == "report-writer"]


def test_a_failed_read_fails_the_build_after_writing_what_came():
    def blocks():
        yield b"first,"
        yield b"second,"
        raise ConnectionError("the database went away")

    out = io.BytesIO()
    with pytest.raises(ConnectionError):
        _write_behind(out, blocks())
    assert out.getvalue() == b"first,second,"
    assert not [thread for thread in threading.enumerate() if thread.name == "report-writer"]
