"""Writing a report's content to files: JSON (one document, the annex
streamed into it) and CSV (a zip of one file per table, the annex streamed).
Memory stays flat however many items the annex has."""

from __future__ import annotations

import csv
import io
import json
import queue
import threading
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from django.db.models import Count, F

from config.text import FORMULA_STARTS, spreadsheet_safe
from consultations.models import Comment, Consultation, ItemStatus, Proposal

ANNEX_CHUNK = 2000
ANNEX_COLUMNS = ["kind", "id", "provision", "sent", "author", "supports", "text", "reason",
                 "answer", "answer_reason"]  # fmt: skip


def annex(consultation: Consultation) -> Iterator[dict]:
    """Every published comment and proposal, first sent first, with its
    author's public name (nothing else about the person) and the committee's
    answer. Read in chunks."""
    for kind, model in (("comment", Comment), ("proposal", Proposal)):
        items = (
            model.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
            .select_related("author", "provision")
            .annotate(
                support_count=Count("supports", distinct=True),
                answer=F("responses__outcome"),  # one answer per item at most
                answer_reason=F("responses__reason"),
            )
            .order_by("created_at", "pk")
        )
        for item in items.iterator(chunk_size=ANNEX_CHUNK):
            yield {
                "kind": kind,
                "id": item.pk,
                "provision": str(item.provision) if item.provision_id else "",
                "sent": item.created_at.isoformat(),
                "author": item.author.public_name,
                "supports": item.support_count,
                "text": item.text,
                "reason": getattr(item, "reason", "") or "",
                "answer": item.answer or "",
                "answer_reason": item.answer_reason or "",
            }


def write_json(content: dict, consultation: Consultation, out: BinaryIO) -> None:
    """The content as one JSON document with its annex, streamed."""
    head = json.dumps(content, ensure_ascii=False, indent=1)
    out.write(head[:-1].rstrip().encode())  # without the closing brace
    out.write(b',\n "annex": [')
    if _uses_copy():
        # The database writes one object per line (a delimiter and a quote
        # no JSON text holds keep COPY's CSV mode from touching them). A JSON
        # text never holds a raw line break, so every one ends an object: a
        # comma goes after each object but the last.
        held = b"\n"
        for block in _blocks(_copy(_annex_select(consultation, as_json=True),
                                   "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'")):  # fmt: skip
            written = held + block.replace(b"\n", b",\n")
            out.write(written[:-2])
            held = written[-2:]  # the comma after the last object so far
        out.write(b"\n ]\n}\n")
        return
    for index, row in enumerate(annex(consultation)):
        line = json.dumps(row, ensure_ascii=False).encode()
        out.write((b",\n  " if index else b"\n  ") + line)
    out.write(b"\n ]\n}\n")


def tables(content: dict) -> dict[str, tuple[list[str], list[list]]]:
    """The content as tables: name → (header, rows)."""
    about = content["consultation"]
    provisions = content["provisions"]
    return {
        "about": (
            ["field", "value"],
            [["schema", content["schema"]], ["generated_at", content["generated_at"]],
             ["data_until", content["data_until"] or ""], ["consultation", about["title"]],
             ["bill", about["bill"]["number"]], ["bill_title", about["bill"]["title"]],
             ["version", about["bill"]["version"]], ["chamber", about["chamber"]],
             ["committee", about["committee"]], ["opens_at", about["opens_at"]],
             ["closes_at", about["closes_at"]]],
        ),
        "totals": (list(content["totals"]), [list(content["totals"].values())]),
        "provisions": (
            ["eid", "label", "agree", "disagree", "abstain", "agree_share", "disagree_share",
             "abstain_share", "comments", "proposals"],
            [[row["eid"], row["label"], row["votes"]["agree"], row["votes"]["disagree"],
              row["votes"]["abstain"], row["shares"]["agree"], row["shares"]["disagree"],
              row["shares"]["abstain"], row["comments"], row["proposals"]] for row in provisions],
        ),
        "most_supported": (
            ["eid", "kind", "id", "supports", "author", "text"],
            [[row["eid"], item["kind"], item["id"], item["supports"], item["author"], item["text"]]
             for row in provisions for item in row["most_supported"]],
        ),
        "regions": (
            ["code", "name", "participants", "share", "population_share"],
            [[row["code"], row["name"], _blank(row["participants"]), _blank(row["share"]),
              _blank(row["population_share"])] for row in content["regions"]],
        ),
        "respondent_types": _group_table(content["respondent_types"]),
        "age_ranges": _group_table(content["age_ranges"]),
        "per_day": (
            ["day", "votes", "comments", "proposals"],
            [[row["day"], row["votes"], row["comments"], row["proposals"]]
             for row in content["per_day"]],
        ),
        "moderation": (
            ["figure", "value"],
            [["received", content["moderation"]["received"]],
             *[[f"status_{status}", count]
               for status, count in content["moderation"]["by_status"].items()],
             *[[f"reason: {row['reason']}", row["count"]]
               for row in content["moderation"]["decisions_by_reason"]],
             ["hidden_by_flags", content["moderation"]["hidden_by_flags"]],
             ["median_hours_to_decision",
              _blank(content["moderation"]["median_hours_to_decision"])]],
        ),
        "campaigns": (
            ["id", "signatories", "first_seen", "last_seen", "confirmed", "text"],
            [[row["id"], row["signatories"], row["first_seen"], row["last_seen"],
              row["confirmed"], row["text"]] for row in content["campaigns"]],
        ),
        "responses": (
            ["outcome", "count"],
            [*[[outcome, count] for outcome, count in content["responses"]["by_outcome"].items()],
             ["answered", content["responses"]["answered"]],
             ["unanswered", content["responses"]["unanswered"]]],
        ),
        "methodology": (["note"], [[note] for note in content["methodology"]]),
    }  # fmt: skip


def _group_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    return (
        ["value", "label", "participants", "share"],
        [[row["value"], row["label"], _blank(row["participants"]), _blank(row["share"])]
         for row in rows],
    )  # fmt: skip


def _blank(value):
    """Suppressed or not applicable: an empty cell."""
    return "" if value is None else value


def write_csv(content: dict, consultation: Consultation, out: BinaryIO) -> None:
    """A zip of one CSV (UTF-8 with BOM, for spreadsheets) per table, the
    annex streamed into its own file."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, (header, rows) in tables(content).items():
            with archive.open(f"{name}.csv", "w") as raw:
                _write_rows(raw, header, rows)
        with archive.open("annex.csv", "w", force_zip64=True) as raw:
            if _uses_copy():  # the database writes the rows (formula guard included)
                raw.write("\ufeff".encode())
                raw.write((",".join(ANNEX_COLUMNS) + "\r\n").encode())
                _write_behind(raw, _blocks(_copy(_annex_select(consultation, as_json=False),
                                                 "FORMAT csv")))  # fmt: skip
            else:
                rows = ([row[column] for column in ANNEX_COLUMNS] for row in annex(consultation))
                _write_rows(raw, ANNEX_COLUMNS, rows)


def _write_rows(raw: BinaryIO, header: list[str], rows) -> None:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    text.flush()
    text.detach()


def write_xlsx(content: dict, consultation: Consultation, out: BinaryIO) -> None:
    """A workbook with one sheet per table and the annex, written row by row
    (openpyxl's write-only mode, so memory stays flat): numbers as numbers,
    times as Lima dates and times, headers bold and frozen, and text always
    text (a cell starting with "=" is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(name: str, header: list[str], rows) -> None:
        worksheet = workbook.create_sheet(name[:31])
        worksheet.freeze_panes = "A2"
        worksheet.append([_xlsx_cell(worksheet, column, bold) for column in header])
        for row in rows:
            worksheet.append([_xlsx_cell(worksheet, value) for value in row])

    for name, (header, rows) in tables(content).items():
        sheet(name, header, rows)
    sheet("annex", ANNEX_COLUMNS,
          ([row[column] for column in ANNEX_COLUMNS] for row in annex(consultation)))  # fmt: skip
    workbook.save(out)


def _xlsx_cell(worksheet, value, font=None):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and _looks_like_time(value):
        value = _local_time(value)
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text, whatever it starts with
    if font is not None:
        cell.font = font
    return cell


def _looks_like_time(value: str) -> bool:
    return len(value) >= 19 and value[4] == "-" and value[10] == "T" and value[13] == ":"


def _local_time(value: str):
    """An ISO time as a Lima date and time without zone (spreadsheets have none)."""
    from datetime import datetime

    from django.utils import timezone

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return timezone.localtime(moment).replace(tzinfo=None) if moment.tzinfo else moment


# --- The annex in SQL (PostgreSQL) ---------------------------------------------------------
# The annex is the big part of a report: on PostgreSQL the rows are written by
# the database itself (COPY), so a 100,000-row annex streams at COPY's speed.


def _annex_select(consultation: Consultation, *, as_json: bool):
    """The annex's rows as one SQL query (psycopg ``sql`` objects): the same
    columns and order as :func:`annex`; for CSV, text a spreadsheet would run
    as a formula starts with an apostrophe; for JSON, one object per row.
    Supports are counted once for the whole consultation and joined, not by a
    subquery per item."""
    from django.utils.translation import gettext
    from psycopg import sql

    prefix, _sep, suffix = gettext("Participant %(number)s").partition("%(number)s")
    # The characters config.text.spreadsheet_safe guards, as code points:
    # ascii() reads a text's first one without copying the text.
    starts = ", ".join(str(ord(character)) for character in FORMULA_STARTS)

    def safe(expression: str) -> str:
        return (f"CASE WHEN ascii({expression}) IN ({starts}) "
                f"THEN '''' || {expression} ELSE {expression} END")  # fmt: skip

    parts = []
    for order, (kind, model, reason) in enumerate(
        (("comment", Comment, "''"), ("proposal", Proposal, "i.reason"))
    ):
        table = model._meta.db_table
        parts.append(
            f"SELECT {order} AS part, i.created_at AS at, i.id AS id, '{kind}' AS kind, "  # noqa: S608 - names from the models
            "COALESCE(NULLIF(p.label, ''), p.kind, '') AS provision, "
            "to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') "
            "|| '+00:00' AS sent, "
            "CASE WHEN u.display_name_status = 'published' THEN u.display_name "
            "ELSE {prefix} || u.id || {suffix} END AS author, "
            "COALESCE(sc.supports, 0) AS supports, "
            f"i.text AS text, {reason} AS reason, "
            "COALESCE(r.outcome, '') AS answer, COALESCE(r.reason, '') AS answer_reason "
            f"FROM {table} i JOIN accounts_user u ON u.id = i.author_id "
            "LEFT JOIN bills_provision p ON p.id = i.provision_id "
            f"LEFT JOIN consultations_response r ON r.{kind}_id = i.id "
            f"LEFT JOIN (SELECT s.{kind}_id AS item, COUNT(*) AS supports "
            f"FROM consultations_support s JOIN {table} si ON si.id = s.{kind}_id "
            f"WHERE si.consultation_id = {{consultation}} GROUP BY s.{kind}_id) AS sc "
            "ON sc.item = i.id "
            "WHERE i.consultation_id = {consultation} AND i.status = 'published'"
        )
    rows = " UNION ALL ".join(parts)
    if as_json:
        # Each object built by concatenation (much faster than
        # json_build_object): numbers as they are, the kind and the time
        # (made above of letters and digits) in quotes, all other text
        # through to_json. One object per line; write_json adds the commas.
        def member(column: str) -> str:
            if column in ("id", "supports"):
                value = f"{column}::text"
            elif column in ("kind", "sent"):
                value = f"'\"' || {column} || '\"'"
            else:
                value = f"to_json({column})::text"
            return f"'{json.dumps(column)}:' || {value}"

        members = " || ',' || ".join(member(column) for column in ANNEX_COLUMNS)
        select = (
            f"SELECT {{opening}} || {members} || {{closing}} "  # noqa: S608
            f"FROM ({rows}) AS annex ORDER BY part, at, id"
        )
    else:
        columns = ", ".join(
            safe(column) if column in ("provision", "author", "text", "reason", "answer_reason")
            else column
            for column in ANNEX_COLUMNS
        )  # fmt: skip
        select = f"SELECT {columns} FROM ({rows}) AS annex ORDER BY part, at, id"  # noqa: S608
    return sql.SQL(select).format(
        prefix=sql.Literal(prefix), suffix=sql.Literal(suffix),
        consultation=sql.Literal(consultation.pk), opening=sql.Literal("  {"),
        closing=sql.Literal("}"),
    )  # fmt: skip


def _copy(query, options: str):
    """Streams ``COPY (query) TO STDOUT`` from PostgreSQL, chunk by chunk."""
    from django.db import connection
    from psycopg import sql

    connection.ensure_connection()
    statement = sql.SQL("COPY ({}) TO STDOUT WITH (" + options + ")").format(query)
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        yield from copy


def _blocks(chunks, size: int = 1 << 18) -> Iterator[bytes]:
    """``chunks`` (COPY gives a row at a time) joined into blocks of about
    ``size`` bytes: far fewer writes, checksums and compressor calls."""
    block = bytearray()
    for chunk in chunks:
        block += chunk
        if len(block) >= size:
            yield bytes(block)
            block.clear()
    if block:
        yield bytes(block)


def _write_behind(raw: BinaryIO, blocks: Iterator[bytes], depth: int = 4) -> None:
    """Writes ``blocks`` into ``raw`` from a helper thread while the next ones
    are read: zlib and the checksum let go of the GIL, so compressing one
    block overlaps receiving the next from the database. At most ``depth``
    blocks wait; an error on either side stops both and is raised here."""
    waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
    failed: list[BaseException] = []

    def write() -> None:
        try:
            while (block := waiting.get()) is not None:
                raw.write(block)
        except BaseException as error:  # raised again in the caller
            failed.append(error)
            while waiting.get() is not None:  # the reader is never left blocked
                pass

    writer = threading.Thread(target=write, name="report-writer", daemon=True)
    writer.start()
    try:
        for block in blocks:
            if failed:
                break
            waiting.put(block)
    finally:
        waiting.put(None)
        writer.join()
    if failed:
        raise failed[0]


def _uses_copy() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"
