"""Importers turn a bill's source file into a tree of provisions (see base.py).

``parse_source`` is the one entry point: it checks that the bytes are what they
claim to be, then hands them to the importer for their format.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

from django.utils.translation import gettext as _

from bills.importers.base import MAX_SOURCE_BYTES, ImportRefused, ParseResult, check_size

__all__ = ["MAX_SOURCE_BYTES", "parse_source", "sniff_format"]
from bills.models import SourceFormat


def sniff_format(data: bytes) -> str | None:
    """The format the bytes themselves show, or None for plain text."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return SourceFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return SourceFormat.DOCX
        except zipfile.BadZipFile:
            pass
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith((b"<?xml", b"<akomaNtoso", b"<!DOCTYPE", b"<")):
        return SourceFormat.AKN
    return None


def decode_text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            _("The text file is not UTF-8. Save it as UTF-8 and try again."), code="encoding"
        ) from None
    if "\x00" in text:
        raise ImportRefused(_("The file contains NUL characters: it is not text."), code="binary")
    return text


def parse_source(data: bytes, *, source_format: str | None = None) -> ParseResult:
    """Parses ``data``; ``source_format`` (text, docx, pdf, akn) is checked against
    what the bytes show, so a mislabelled file gets a clear error."""
    check_size(data)
    detected = sniff_format(data)
    if detected in {"zip", "ole"}:
        raise ImportRefused(
            _("This file is not a Word (DOCX), PDF, Akoma Ntoso or text document."),
            code="unsupported",
        )
    claimed = source_format or detected or SourceFormat.TEXT
    if claimed != (detected or SourceFormat.TEXT) and not (
        claimed == SourceFormat.TEXT and detected == SourceFormat.AKN
    ):
        raise ImportRefused(
            _("The file was sent as %(claimed)s but its content is %(detected)s.")
            % {
                "claimed": SourceFormat(claimed).label,
                "detected": SourceFormat(detected or SourceFormat.TEXT).label,
            },
            code="mislabelled",
        )
    if claimed == SourceFormat.PDF:
        from bills.importers.pdf import parse_pdf

        return parse_pdf(data)
    if claimed == SourceFormat.DOCX:
        from bills.importers.docx import parse_docx

        return parse_docx(data)
    if claimed == SourceFormat.AKN:
        from bills.importers.akn import parse_akn

        return parse_akn(data)
    from bills.importers.text import parse_text

    return parse_text(decode_text(data))
