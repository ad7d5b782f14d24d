"""PDF importer: the text layer in reading order, page furniture removed, then the text parser.

What happens to the extracted text, in order, and how each step is reported:

1. Each page's text is taken in *layout* mode (lines ordered by their position on
   the page, which keeps the reading order of a single-column bill even when the
   file draws its footer first); a page where layout mode yields other characters
   than the content stream order falls back to the latter (``metadata``). Spaces
   inside a line are collapsed and runs of blank lines become one blank line.
2. Page furniture is removed (``result.removed`` lists every line, and a warning
   counts them): see ``_find_furniture``.
3. A word broken across two lines by a hyphen (``regla-`` / ``mento``: a word of
   letters ending in a lower-case one before the hyphen, a lower-case letter starting
   the next line) is joined without the hyphen; a warning lists the joined words.

The lossless rule holds against the text after these steps. A PDF without a text
layer is refused, or read through Tesseract OCR where Debian's Spanish Tesseract
and Poppler's ``pdftoppm`` are installed.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import DependencyError

from bills.importers.base import ImportRefused, ParseResult, check_size
from bills.importers.text import parse_text

MAX_PAGES = 2000
MAX_OCR_PAGES = 200
OCR_DPI = 300
RASTER_TIMEOUT_S = 60
OCR_TIMEOUT_S = 180
EDGE_LINES = 3  # lines at the top and at the bottom of a page where furniture may sit
SIMILAR = 0.9  # difflib ratio from which two edge lines count as the same furniture

TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)

# A line that is nothing but a page number: "3", "- 3 -", "Página 3 de 10", "Pág. 3",
# "3/10", "3 de 10", "Page 3 of 10".
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—(\[]*(?P<word>(?:p[áa]gina|p[áa]g\.?|page|p\.)\s*)?(?P<number>\d{1,4})"
    r"(?:\s*(?:de|of|/)\s*(?P<total>\d{1,4}))?[\s\-–—)\]]*$",
    re.IGNORECASE,
)
_HYPHENATED = re.compile(r"(?<=[a-záéíóúüñ])[-\u2010]$|\u00ad$")
_LOWER_START = re.compile(r"^[a-záéíóúüñ]")
_LETTER_START = re.compile(r"^[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass
class _Line:
    text: str
    page: int  # 1-based
    number: int  # 1-based line of the extracted text, all pages in a row, blank lines too


def parse_pdf(data: bytes) -> ParseResult:
    """Parses a PDF. Raises ``ImportRefused`` for anything that is not a readable
    PDF with text (or, with OCR available, a scan): never another exception for a
    hostile file."""
    _check_bytes(data)
    reader = _open(data)
    pages, plain_pages = _extract(reader)

    ocr_pages: list[int] = []
    textless = [index for index, lines in enumerate(pages) if not _has_text(lines)]
    if textless:
        tools = ocr_tools()
        if len(textless) == len(pages) and tools is None:
            raise ImportRefused(
                _(
                    "This PDF has no text layer: it looks like a scanned image. Upload "
                    "the original Word or PDF file, or a PDF with recognised text (OCR)."
                ),
                code="no_text_layer",
            )
        if tools is not None:
            for index, lines in zip(textless, _ocr(data, textless, tools), strict=True):
                pages[index] = lines
            ocr_pages = [index + 1 for index in textless]
    if not any(_has_text(lines) for lines in pages):
        raise ImportRefused(_("The PDF has no text."), code="empty")

    numbered = _number_lines(pages)
    furniture = _find_furniture(numbered)
    removed = [line for page in numbered for line in page if id(line) in furniture]
    lines = _blank_lines_between_paragraphs(numbered, furniture)
    lines, joins = _join_hyphenation(lines)

    result = parse_text("\n".join(line.text for line in lines))
    _renumber_lines(result, lines)
    result.removed.extend(line.text for line in removed)
    result.metadata["pages"] = str(len(pages))
    if removed:
        result.warn(
            "pdf_furniture_removed",
            _(
                "Removed %(count)d lines of page headers, footers and page numbers "
                "repeated across the pages; they are listed with the import."
            )
            % {"count": len(removed)},
        )
    if joins:
        result.metadata["hyphenations_joined"] = str(len(joins))
        result.warn(
            "pdf_hyphenation_joined",
            _("Joined %(count)d words broken across lines by a hyphen: %(words)s.")
            % {"count": len(joins), "words": ", ".join(joins)},
        )
    if plain_pages:
        result.metadata["pages_in_stream_order"] = ", ".join(map(str, plain_pages))
    if ocr_pages:
        result.metadata["ocr"] = "tesseract spa"
        result.metadata["ocr_pages"] = ", ".join(map(str, ocr_pages))
        result.warn(
            "pdf_ocr",
            _(
                "Pages %(pages)s have no text layer and were read by OCR; "
                "check their text against the scan."
            )
            % {"pages": _page_list(ocr_pages)},
        )
    elif textless:
        result.warn(
            "pdf_page_without_text",
            _("Pages %(pages)s have no text layer (blank or scanned); nothing was read there.")
            % {"pages": _page_list([index + 1 for index in textless])},
        )
    return result


# --- Opening ------------------------------------------------------------------------------


def _check_bytes(data: bytes) -> None:
    check_size(data)
    if data.startswith(b"PK\x03\x04"):
        raise ImportRefused(
            _("This file is a Word (DOCX) document or another zip archive, not a PDF."),
            code="mislabelled",
        )
    # The PDF header may follow some bytes of junk, but not many.
    if b"%PDF-" not in data[:1024]:
        raise ImportRefused(_("This file is not a PDF."), code="not_pdf")
    # pypdf would rebuild a cut-off file and give part of the bill without a word.
    if b"%%EOF" not in data[-2048:]:
        raise ImportRefused(
            _("The PDF is incomplete: it may have been cut off while it was copied."),
            code="truncated",
        )


def _open(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                # Many PDFs are encrypted only to restrict printing or copying: they
                # open with the empty user password.
                opened = reader.decrypt("")
            except DependencyError:
                opened = 0
            if not opened:
                raise ImportRefused(
                    _("The PDF is protected by a password. Upload a copy without a password."),
                    code="encrypted",
                )
        count = len(reader.pages)
    except ImportRefused:
        raise
    except Exception:  # pypdf raises PdfReadError, PdfStreamError, and others on damage
        raise ImportRefused(_("The PDF is damaged and cannot be read."), code="corrupt") from None
    if count == 0:
        raise ImportRefused(_("The PDF has no pages."), code="empty")
    if count > MAX_PAGES:
        raise ImportRefused(
            _("The PDF has more than %(limit)d pages.") % {"limit": MAX_PAGES},
            code="too_large",
        )
    return reader


def _extract(reader: PdfReader) -> tuple[list[list[str]], list[int]]:
    """Each page's lines (blank ones kept), and the pages read in stream order."""
    pages: list[list[str]] = []
    plain_pages: list[int] = []
    for number, page in enumerate(reader.pages, start=1):
        layout = _page_text(page, "layout")
        plain = _page_text(page, "plain")
        if layout is None and plain is None:
            raise ImportRefused(
                _("Page %(page)d of the PDF is damaged and cannot be read.") % {"page": number},
                code="corrupt",
            )
        if layout is None or (plain is not None and _characters(layout) != _characters(plain)):
            text = plain or ""
            if _characters(text):
                plain_pages.append(number)
        else:
            text = layout
        pages.append(_lines(text))
    return pages, plain_pages


def _page_text(page, mode: str) -> str | None:
    try:
        return page.extract_text(extraction_mode=mode)
    except Exception:  # a hostile or damaged content stream
        return None


def _characters(text: str) -> Counter[str]:
    return Counter(character for character in text if not character.isspace())


def _lines(text: str) -> list[str]:
    """Lines with their spaces collapsed, no blank lines at either end and at most
    one blank line in a row (layout mode renders vertical gaps as blank lines)."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _has_text(lines: list[str]) -> bool:
    return any(character.isalnum() for line in lines for character in line)


# --- Page furniture -----------------------------------------------------------------------


def _number_lines(pages: list[list[str]]) -> list[list[_Line]]:
    numbered: list[list[_Line]] = []
    counter = 0
    for page_number, lines in enumerate(pages, start=1):
        page = []
        for text in lines:
            counter += 1
            page.append(_Line(text=text, page=page_number, number=counter))
        numbered.append(page)
    return numbered


def _find_furniture(pages: list[list[_Line]]) -> set[int]:
    """The ids of the lines that are page furniture.

    Only the first and last ``EDGE_LINES`` lines of a page are candidates, and a
    page gives at most one line to each kind of furniture:

    - *Page numbers*: a line that is only a page number (``3``, ``- 3 -``,
      ``Página 3 de 10``, ``Pág. 3``, ``3/10``) whose number follows the page's
      position with the offset most of them share (so the numbering may start
      after a cover). A bare number needs that agreement on two pages at least.
    - *Running headers and footers*: lines that are the same once digits are
      ignored and case and spacing normalised (or, between consecutive pages, at
      at least 90 % similar at the very edge), in the same zone (top or bottom) of at least half of
      the pages with text, and of two pages at least.
    """
    furniture: set[int] = set()
    text_pages = [page for page in pages if any(line.text for line in page)]
    zones = {id(page): _zones(page) for page in text_pages}

    # Page numbers.
    found: list[tuple[_Line, int, bool, int]] = []  # line, offset, decorated, zone index
    for page in text_pages:
        for zone_index, zone in enumerate(zones[id(page)]):
            for line in zone:
                match = _PAGE_NUMBER.match(line.text)
                if not match:
                    continue
                number = int(match.group("number"))
                total = match.group("total")
                if total is not None and int(total) < number:
                    continue
                decorated = bool(match.group("word") or total) or line.text.strip() != str(number)
                found.append((line, number - line.page, decorated, zone_index))
    if found:
        offsets = Counter(offset for _line, offset, _decorated, _zone in found)
        offset, support = offsets.most_common(1)[0]
        taken: set[tuple[int, int]] = set()
        for line, line_offset, decorated, zone_index in found:
            if line_offset != offset or (line.page, zone_index) in taken:
                continue
            if decorated or support >= 2:
                furniture.add(id(line))
                taken.add((line.page, zone_index))

    # Running headers and footers.
    if len(text_pages) < 2:
        return furniture
    threshold = max(2, math.ceil(len(text_pages) / 2))
    for zone_index in (0, 1):
        groups = _Groups()
        previous_edge: str | None = None
        for page in text_pages:
            current = [
                (line, _furniture_key(line.text))
                for line in zones[id(page)][zone_index]
                if id(line) not in furniture
            ]
            for line, key in current:
                groups.add(line, key)
            # Near-same lines are looked for only at the very edge of consecutive pages:
            # body lines with a long common start must not pass for a running header.
            edge = (current[0] if zone_index == 0 else current[-1])[1] if current else None
            if edge and previous_edge and edge != previous_edge and _similar(edge, previous_edge):
                groups.union(edge, previous_edge)
            previous_edge = edge
        for members in groups.components():
            pages_with = {line.page for line in members}
            if len(pages_with) < threshold:
                continue
            # Nearest the edge: first in the top zone, last in the bottom zone.
            by_page: dict[int, _Line] = {}
            for line in sorted(members, key=lambda item: item.number, reverse=zone_index == 1):
                by_page.setdefault(line.page, line)
            furniture.update(id(line) for line in by_page.values())
    return furniture


def _zones(page: list[_Line]) -> tuple[list[_Line], list[_Line]]:
    content = [line for line in page if line.text]
    return content[:EDGE_LINES], content[-EDGE_LINES:]


def _furniture_key(text: str) -> str:
    return " ".join(re.sub(r"\d+", "#", text.casefold()).split())


def _similar(first: str, second: str) -> bool:
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return matcher.real_quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


class _Groups:
    """Lines grouped by key, with keys joined when they are found similar."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.lines: dict[str, list[_Line]] = {}

    def add(self, line: _Line, key: str) -> None:
        self.parent.setdefault(key, key)
        self.lines.setdefault(key, []).append(line)

    def find(self, key: str) -> str:
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, first: str, second: str) -> None:
        self.parent[self.find(first)] = self.find(second)

    def components(self) -> list[list[_Line]]:
        merged: dict[str, list[_Line]] = {}
        for key, lines in self.lines.items():
            merged.setdefault(self.find(key), []).extend(lines)
        return list(merged.values())


def _blank_lines_between_paragraphs(pages: list[list[_Line]], furniture: set[int]) -> list[_Line]:
    """The lines left, pages in a row. A page's leading and trailing blank lines go
    (the gap under a header is not a paragraph break), so a paragraph that runs on
    to the next page stays one paragraph."""
    lines: list[_Line] = []
    for page in pages:
        kept = [line for line in page if id(line) not in furniture]
        for line in _trim_blank(kept):
            if line.text or (lines and lines[-1].text):
                lines.append(line)
    return _trim_blank(lines)


def _trim_blank(lines: list[_Line]) -> list[_Line]:
    start, end = 0, len(lines)
    while start < end and not lines[start].text:
        start += 1
    while end > start and not lines[end - 1].text:
        end -= 1
    return lines[start:end]


def _join_hyphenation(lines: list[_Line]) -> tuple[list[_Line], list[str]]:
    joined: list[_Line] = []
    joins: list[str] = []
    for line in lines:
        if joined and joined[-1].text:
            previous = joined[-1]
            hyphen = _HYPHENATED.search(previous.text)
            starts = _LETTER_START if previous.text.endswith("\u00ad") else _LOWER_START
            left = previous.text[: hyphen.start()] if hyphen else ""
            word = left.rsplit(" ", 1)[-1].lstrip("(«\"“‘'¿¡")
            # Only a word of letters: not a URL, a code, or a compound that has its own hyphen.
            if hyphen and _WORD.fullmatch(word) and starts.match(line.text):
                right = line.text
                joins.append(f"{word}-{right.split(' ', 1)[0]}")
                joined[-1] = _Line(text=left + right, page=previous.page, number=previous.number)
                continue
        joined.append(line)
    return joined, joins


# --- After parsing ------------------------------------------------------------------------


def _renumber_lines(result: ParseResult, lines: list[_Line]) -> None:
    """Lines of the text given to the parser → lines of the extracted text, with
    the page named in warnings."""

    def origin(line: int | None) -> _Line | None:
        if line is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]

    for warning in result.warnings:
        source = origin(warning.line)
        if source is not None:
            warning.line = source.number
            warning.message = _("%(message)s (page %(page)d)") % {
                "message": warning.message,
                "page": source.page,
            }
    for node in result.walk():
        source = origin(node.line)
        if source is not None:
            node.line = source.number


def _page_list(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:30])) + (" …" if len(pages) > 30 else "")


# --- OCR ----------------------------------------------------------------------------------


@dataclass
class OcrTools:
    pdftoppm: str
    tesseract: str
    tessdata: Path


def ocr_tools() -> OcrTools | None:
    """Poppler's pdftoppm and Tesseract with Spanish data, where installed."""
    pdftoppm = shutil.which("pdftoppm")
    tesseract = shutil.which("tesseract")
    if not pdftoppm or not tesseract:
        return None
    candidates = list(TESSDATA_DIRS)
    if os.environ.get("TESSDATA_PREFIX"):
        prefix = Path(os.environ["TESSDATA_PREFIX"])
        candidates[:0] = [prefix, prefix / "tessdata"]
    for directory in candidates:
        if (directory / "spa.traineddata").is_file():
            return OcrTools(pdftoppm=pdftoppm, tesseract=tesseract, tessdata=directory)
    return None


def _ocr(data: bytes, indexes: list[int], tools: OcrTools) -> list[list[str]]:
    """The lines of the given pages (0-based), read by Tesseract in Spanish."""
    if len(indexes) > MAX_OCR_PAGES:
        raise ImportRefused(
            _("The scanned PDF has more than %(limit)d pages to read by OCR.")
            % {"limit": MAX_OCR_PAGES},
            code="too_large",
        )
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "TESSDATA_PREFIX": str(tools.tessdata),
        "OMP_THREAD_LIMIT": "1",
    }
    pages: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="aporta-ocr-") as directory:
        source = Path(directory) / "source.pdf"
        source.write_bytes(data)
        for index in indexes:
            image = Path(directory) / f"page-{index + 1}"
            try:
                # Fixed executables found by shutil.which, arguments we build, no shell.
                subprocess.run(  # noqa: S603
                    [
                        tools.pdftoppm, "-r", str(OCR_DPI), "-gray", "-png", "-singlefile",
                        "-f", str(index + 1), "-l", str(index + 1), str(source), str(image),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=RASTER_TIMEOUT_S,
                    env=environment,
                )  # fmt: skip
                completed = subprocess.run(  # noqa: S603
                    [tools.tesseract, str(image.with_suffix(".png")), "stdout", "-l", "spa"],
                    check=True,
                    capture_output=True,
                    timeout=OCR_TIMEOUT_S,
                    env=environment,
                )
            except subprocess.TimeoutExpired:
                raise ImportRefused(
                    _("Reading page %(page)d of the scan by OCR took too long.")
                    % {"page": index + 1},
                    code="ocr_failed",
                ) from None
            except (subprocess.CalledProcessError, OSError):
                raise ImportRefused(
                    _("Page %(page)d of the scan could not be read by OCR.") % {"page": index + 1},
                    code="ocr_failed",
                ) from None
            pages.append(_lines(completed.stdout.decode("utf-8", errors="replace")))
    return pages
