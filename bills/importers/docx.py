"""Word (DOCX) importer: paragraphs in document order, labels included, then the text parser.

Word keeps the labels of automatically numbered paragraphs (``Artículo 1.-``,
``a)``, ``TÍTULO I``) out of the paragraph text: it draws them from the numbering
definitions. This importer renders them the way Word does (see ``_Numbering``)
and puts them in front of the paragraph text, so that the tree is the one the
text importer builds from the same bill typed out by hand.

The lossless rule holds against the paragraphs' text with those rendered labels:
``result.metadata["numbering_synthesised"]`` says how many there were, and a
warning asks staff to check them. Bullets are not labels and are left out.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

import docx
from django.utils.translation import gettext as _
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from bills.importers.base import ImportRefused, ParseResult, check_size, normalise_whitespace
from bills.importers.text import parse_text

# A DOCX is a zip: its parts are checked before any of them is decompressed.
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"

# Heading styles, by name as stored in the file: Word stores its built-in names in
# English ("heading 1", "Title"); LibreOffice and older Word store localised ones.
_HEADING_STYLE = re.compile(
    r"^(?:heading|t[íi]tulo|encabezado|titre|[üu]berschrift|intestazione)\s*(\d)$",
    re.IGNORECASE,
)
_TITLE_STYLE = re.compile(r"^(?:title|t[íi]tulo|titre|titel|titolo)$", re.IGNORECASE)

_SPANISH_CARDINALS = (
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez",
    "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho",
    "diecinueve", "veinte",
)  # fmt: skip
_SPANISH_ORDINALS = (
    "primero", "segundo", "tercero", "cuarto", "quinto", "sexto", "séptimo", "octavo", "noveno",
    "décimo", "undécimo", "duodécimo", "decimotercero", "decimocuarto", "decimoquinto",
    "decimosexto", "decimoséptimo", "decimoctavo", "decimonoveno", "vigésimo",
)  # fmt: skip
_ROMAN_PAIRS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def parse_docx(data: bytes) -> ParseResult:
    """Parses a DOCX file. Raises ``ImportRefused`` for anything that is not a
    readable Word document: never another exception for a hostile file."""
    _check_package(data)
    document = _open(data)
    reader = _Reader(document)
    paragraphs = reader.paragraphs()
    if not any(paragraph.text.strip() for paragraph in paragraphs):
        raise ImportRefused(_("The Word document has no text."), code="empty")

    lines: list[str] = []
    paragraph_of_line: list[int] = []
    for number, paragraph in enumerate(paragraphs, start=1):
        # Split as the text parser will (``str.splitlines``), so that line numbers agree.
        for line in paragraph.text.splitlines() or [""]:
            lines.append(line)
            paragraph_of_line.append(number)

    result = parse_text("\n".join(lines))
    _renumber_lines(result, paragraph_of_line)
    _report_numbering(result, paragraphs, reader.numbering)
    _check_headings(result, paragraphs)
    return result


@dataclass
class _Paragraph:
    text: str  # rendered label (if any) and the paragraph's own text
    label: str = ""  # the label Word generates through automatic numbering
    style: str = ""  # style name
    outline_level: int | None = None  # 0 for "Heading 1", … (from style or paragraph)


# --- The package --------------------------------------------------------------------------


def _check_package(data: bytes) -> None:
    check_size(data)
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        raise ImportRefused(
            _("This file is a PDF, not a Word (DOCX) document. Upload it as a PDF."),
            code="mislabelled",
        )
    if data.startswith(_OLE_MAGIC):
        raise ImportRefused(
            _(
                "This is an old Word (.doc) file or a password-protected document. "
                "Open it in Word, save it as .docx without a password, and try again."
            ),
            code="legacy_format",
        )
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(_("This file is not a Word (DOCX) document."), code="not_docx")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise ImportRefused(
                    _("The Word document has too many internal parts (%(count)d).")
                    % {"count": len(members)},
                    code="zip_bomb",
                )
            # Python's zipfile never inflates a member past its declared size, so the
            # declared sizes bound what python-docx will read.
            if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
                raise ImportRefused(
                    _("The Word document would take more than %(limit)d MB once unpacked.")
                    % {"limit": MAX_UNCOMPRESSED_BYTES // 2**20},
                    code="zip_bomb",
                )
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise ImportRefused(
                    _("This file is a zip archive, not a Word (DOCX) document."),
                    code="not_docx",
                )
            if any(member.flag_bits & 0x1 for member in members):
                raise ImportRefused(
                    _("The Word document is encrypted. Save it without a password."),
                    code="encrypted",
                )
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    # No part of a Word document declares a DTD; one that does is
                    # hostile (entity expansion) whatever the parser would make of it.
                    content = archive.read(member)
                    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
                        raise ImportRefused(
                            _("The Word document contains XML declarations that are not allowed."),
                            code="unsafe_xml",
                        )
    except ImportRefused:
        raise
    except Exception:  # zipfile raises BadZipFile, OSError, EOFError, zlib.error, …
        raise ImportRefused(
            _("The Word document is damaged and cannot be read."), code="corrupt"
        ) from None


def _open(data: bytes) -> docx.document.Document:
    try:
        return docx.Document(BytesIO(data))
    except (PackageNotFoundError, KeyError):
        raise ImportRefused(
            _("This file is a zip archive, not a Word (DOCX) document."), code="not_docx"
        ) from None
    except ValueError as error:
        if "not a Word file" in str(error):  # a template, a .docm, an .xlsx renamed …
            raise ImportRefused(
                _(
                    "This file is not a Word (DOCX) document: it may be a template, a "
                    "document with macros or another Office file. Save it as .docx."
                ),
                code="not_docx",
            ) from None
        raise ImportRefused(
            _("The Word document is damaged and cannot be read."), code="corrupt"
        ) from None
    except Exception:  # lxml syntax errors and whatever a damaged part provokes
        raise ImportRefused(
            _("The Word document is damaged and cannot be read."), code="corrupt"
        ) from None


# --- Reading paragraphs -------------------------------------------------------------------


class _Reader:
    """Walks the body in document order: paragraphs, table cells row by row, content
    controls and text boxes (after the paragraph that anchors them)."""

    def __init__(self, document: docx.document.Document) -> None:
        self.document = document
        self.styles = _Styles(_part_element(document, RT.STYLES))
        self.numbering = _Numbering(_part_element(document, RT.NUMBERING), self.styles)

    def paragraphs(self) -> list[_Paragraph]:
        found: list[_Paragraph] = []
        try:
            self._blocks(self.document.element.body, found)
        except ImportRefused:
            raise
        except Exception:  # a structure python-docx accepted but that makes no sense
            raise ImportRefused(
                _("The Word document is damaged and cannot be read."), code="corrupt"
            ) from None
        return found

    def _blocks(self, parent: etree._Element, found: list[_Paragraph]) -> None:
        for child in parent.iterchildren():
            tag = child.tag
            if tag == qn("w:p"):
                self._paragraph(child, found)
            elif tag == qn("w:tbl"):
                for row in child.iterchildren(qn("w:tr")):
                    for cell in _cells(row):
                        self._blocks(cell, found)
            elif tag == qn("w:sdt"):
                for content in child.iterchildren(qn("w:sdtContent")):
                    self._blocks(content, found)
            elif tag in {qn("w:customXml"), qn("w:ins"), qn("w:moveTo")}:
                self._blocks(child, found)

    def _paragraph(self, element: etree._Element, found: list[_Paragraph]) -> None:
        properties = element.find(qn("w:pPr"))
        style_id = _val(properties, "w:pStyle") if properties is not None else None
        style = self.styles.get(style_id)
        text_boxes: list[etree._Element] = []
        own = "".join(_inline_text(element, text_boxes))
        label, suffix = self.numbering.label_for(properties, style)
        paragraph = _Paragraph(
            text=f"{label}{suffix}{own}" if label else own,
            label=label,
            style=style.name if style else "",
            outline_level=_outline_level(properties, style),
        )
        found.append(paragraph)
        for box in text_boxes:
            self._blocks(box, found)


def _cells(row: etree._Element) -> list[etree._Element]:
    cells = []
    for child in row.iterchildren():
        if child.tag == qn("w:tc"):
            cells.append(child)
        elif child.tag == qn("w:sdt"):  # a content control around cells
            for content in child.iterchildren(qn("w:sdtContent")):
                cells.extend(content.iterchildren(qn("w:tc")))
    return cells


_SKIPPED_INLINE = {
    qn("w:pPr"),
    qn("w:rPr"),
    qn("w:del"),  # tracked deletions: not part of the text as it stands
    qn("w:moveFrom"),
    qn("w:delText"),
    qn("w:instrText"),  # field codes; the field's result is ordinary runs
    qn("w:delInstrText"),
    qn("w:footnoteReference"),
    qn("w:endnoteReference"),
    qn("w:commentReference"),
    f"{{{_MC}}}Fallback",  # the same content as the mc:Choice next to it
}


def _inline_text(element: etree._Element, text_boxes: list[etree._Element]) -> list[str]:
    """The text of a paragraph, in order; text boxes met on the way are collected
    into ``text_boxes`` to be read as paragraphs of their own."""
    parts: list[str] = []
    for child in element.iterchildren():
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED_INLINE:
            continue
        if tag in {qn("w:t"), f"{{{_MATH}}}t"}:
            parts.append(child.text or "")
        elif tag in {qn("w:tab"), qn("w:ptab")}:
            parts.append("\t")
        elif tag in {qn("w:br"), qn("w:cr")}:
            parts.append("\n")
        elif tag == qn("w:noBreakHyphen"):
            parts.append("-")
        elif tag == qn("w:softHyphen"):
            continue  # invisible unless Word breaks the line there
        elif tag == qn("w:sym"):
            parts.append(_symbol(child))
        elif tag == qn("w:txbxContent"):
            text_boxes.append(child)
        elif tag == qn("w:r") and _hidden(child):
            continue
        else:
            parts.extend(_inline_text(child, text_boxes))
    return parts


def _hidden(run: etree._Element) -> bool:
    properties = run.find(qn("w:rPr"))
    if properties is None:
        return False
    vanish = properties.find(qn("w:vanish"))
    return vanish is not None and _on(vanish)


def _symbol(element: etree._Element) -> str:
    code = element.get(qn("w:char")) or ""
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    # Symbol fonts map their glyphs into the private use area at U+F000.
    if 0xF020 <= value <= 0xF0FF:
        value -= 0xF000
    return chr(value) if 0 < value < 0x110000 else ""


def _outline_level(properties: etree._Element | None, style: _Style | None) -> int | None:
    if properties is not None:
        level = _int(_val(properties, "w:outlineLvl"))
        if level is not None:
            return level if level < 9 else None
    return style.outline_level if style else None


# --- Styles -------------------------------------------------------------------------------


@dataclass
class _Style:
    style_id: str
    name: str
    based_on: str | None
    num_id: str | None
    num_level: int | None
    outline_level: int | None


class _Styles:
    """Paragraph styles, with what matters here inherited along ``basedOn``."""

    def __init__(self, root: etree._Element | None) -> None:
        self._raw: dict[str, _Style] = {}
        self.default_id: str | None = None
        if root is None:
            return
        for element in root.iterchildren(qn("w:style")):
            if element.get(qn("w:type")) not in {None, "paragraph", "numbering"}:
                continue
            style_id = element.get(qn("w:styleId")) or ""
            properties = element.find(qn("w:pPr"))
            num = properties.find(qn("w:numPr")) if properties is not None else None
            style = _Style(
                style_id=style_id,
                name=_val(element, "w:name") or style_id,
                based_on=_val(element, "w:basedOn"),
                num_id=_val(num, "w:numId") if num is not None else None,
                num_level=_int(_val(num, "w:ilvl")) if num is not None else None,
                outline_level=_int(_val(properties, "w:outlineLvl"))
                if properties is not None
                else None,
            )
            heading = _HEADING_STYLE.match(style.name.strip())
            if style.outline_level is None and heading:
                style.outline_level = int(heading.group(1)) - 1
            self._raw[style_id] = style
            if _on_attribute(element, "w:default") and element.get(qn("w:type")) == "paragraph":
                self.default_id = style_id

    def get(self, style_id: str | None) -> _Style | None:
        style_id = style_id or self.default_id
        if style_id is None or style_id not in self._raw:
            return None
        style = self._raw[style_id]
        merged = _Style(**vars(style))
        seen = {style_id}
        parent_id = style.based_on
        while parent_id and parent_id in self._raw and parent_id not in seen:
            seen.add(parent_id)
            parent = self._raw[parent_id]
            if merged.num_id is None:
                merged.num_id, merged.num_level = parent.num_id, parent.num_level
            elif merged.num_level is None and parent.num_id == merged.num_id:
                merged.num_level = parent.num_level
            if merged.outline_level is None:
                merged.outline_level = parent.outline_level
            parent_id = parent.based_on
        return merged

    def raw(self, style_id: str) -> _Style | None:
        return self._raw.get(style_id)


# --- Automatic numbering ------------------------------------------------------------------


@dataclass
class _Level:
    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level; 0 never
    legal: bool = False  # w:isLgl: every %N in decimal
    suffix: str = " "  # w:suff: tab (read as a space), space or nothing
    caps: bool = False
    style_id: str | None = None  # w:pStyle: the paragraph style this level belongs to


@dataclass
class _Abstract:
    key: str
    levels: dict[int, _Level] = field(default_factory=dict)
    style_link: str | None = None  # w:numStyleLink: the definition lives elsewhere


@dataclass
class _Num:
    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, _Level] = field(default_factory=dict)


class _Numbering:
    """Renders the label of each numbered paragraph, in document order.

    A paragraph's numbering comes from its ``w:numPr`` (``numId`` and ``ilvl``) or
    from its style's (along ``basedOn``; the level is then the one whose ``pStyle``
    names the style). ``numId`` leads to a ``w:num``, which points at a
    ``w:abstractNum`` (through ``numStyleLink`` if it is a numbering style) and may
    override a level's start value or definition.

    Counters belong to the abstract definition, as in Word: two ``w:num`` that share
    one keep counting together, and a ``startOverride`` restarts its level the first
    time a paragraph of that ``w:num`` uses the level. Using a level resets the
    deeper levels (or those whose ``lvlRestart`` allows it). ``%N`` in ``lvlText``
    is level N's counter in level N's format, or in decimal under ``isLgl``; a level
    not used yet shows its start value.
    """

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self.styles = styles
        self.abstracts: dict[str, _Abstract] = {}
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.pending_starts: dict[str, dict[int, int]] = {}  # startOverrides not yet used
        self.synthesised = 0
        self.bullets = 0
        self.formats: dict[str, str] = {}  # lvlText → numFmt, for the report
        self.unknown_formats: set[str] = set()
        if root is None:
            return
        for element in root.iterchildren(qn("w:abstractNum")):
            key = element.get(qn("w:abstractNumId")) or ""
            abstract = _Abstract(key=key, style_link=_val(element, "w:numStyleLink"))
            for level in element.iterchildren(qn("w:lvl")):
                index = _int(level.get(qn("w:ilvl")))
                if index is not None:
                    abstract.levels[index] = _read_level(level)
            self.abstracts[key] = abstract
        for element in root.iterchildren(qn("w:num")):
            num = _Num(abstract_id=_val(element, "w:abstractNumId") or "")
            for override in element.iterchildren(qn("w:lvlOverride")):
                index = _int(override.get(qn("w:ilvl")))
                if index is None:
                    continue
                start = _int(_val(override, "w:startOverride"))
                if start is not None:
                    num.start_overrides[index] = start
                level = override.find(qn("w:lvl"))
                if level is not None:
                    num.level_overrides[index] = _read_level(level)
            num_id = element.get(qn("w:numId")) or ""
            self.nums[num_id] = num
            self.pending_starts[num_id] = dict(num.start_overrides)

    def label_for(self, properties: etree._Element | None, style: _Style | None) -> tuple[str, str]:
        """The label of the next paragraph and what separates it from the text."""
        num_id, index = self._numbering_of(properties, style)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return "", ""
        num = self.nums[num_id]
        abstract = self._abstract(num.abstract_id)
        if abstract is None:
            return "", ""
        if index is None:
            index = self._level_of_style(abstract, style)
        index = min(max(index, 0), 8)
        levels = {**abstract.levels, **num.level_overrides}
        level = levels.get(index)
        if level is None:
            return "", ""

        counters = self.counters.setdefault(abstract.key, {})
        pending = self.pending_starts.get(num_id, {})
        if index in pending:
            counters[index] = pending.pop(index)
        elif index in counters:
            counters[index] += 1
        else:
            counters[index] = level.start
        for deeper in [key for key in counters if key > index]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart > 0 and index < restart):
                del counters[deeper]

        if level.fmt == "bullet":
            self.bullets += 1
            return "", ""
        label = _render(level, index, levels, counters, self.unknown_formats)
        if not label.strip():
            return "", ""
        self.synthesised += 1
        self.formats.setdefault(level.text, level.fmt)
        return label, level.suffix

    def _numbering_of(
        self, properties: etree._Element | None, style: _Style | None
    ) -> tuple[str | None, int | None]:
        num = properties.find(qn("w:numPr")) if properties is not None else None
        if num is not None:
            num_id = _val(num, "w:numId")
            index = _int(_val(num, "w:ilvl"))
            if num_id is not None:
                if index is None and style is not None and style.num_id == num_id:
                    index = style.num_level
                return num_id, index
            if index is not None and style is not None and style.num_id:
                return style.num_id, index
        if style is not None and style.num_id:
            return style.num_id, style.num_level
        return None, None

    def _abstract(self, abstract_id: str) -> _Abstract | None:
        seen: set[str] = set()
        abstract = self.abstracts.get(abstract_id)
        # A numbering style's definition: numStyleLink → style → numId → abstractNum.
        while abstract is not None and abstract.style_link and abstract.key not in seen:
            seen.add(abstract.key)
            style = self.styles.raw(abstract.style_link)
            num = self.nums.get(style.num_id or "") if style else None
            if num is None:
                return None
            abstract = self.abstracts.get(num.abstract_id)
        return abstract

    @staticmethod
    def _level_of_style(abstract: _Abstract, style: _Style | None) -> int:
        if style is not None:
            for index, level in abstract.levels.items():
                if level.style_id == style.style_id:
                    return index
        return 0


def _read_level(element: etree._Element) -> _Level:
    level = _Level()
    start = _int(_val(element, "w:start"))
    if start is not None:
        level.start = start
    level.fmt = _val(element, "w:numFmt") or "decimal"
    level.text = _val(element, "w:lvlText") or ""
    level.restart = _int(_val(element, "w:lvlRestart"))
    legal = element.find(qn("w:isLgl"))
    level.legal = legal is not None and _on(legal)
    suffix = _val(element, "w:suff") or "tab"
    level.suffix = "" if suffix == "nothing" else " "
    properties = element.find(qn("w:rPr"))
    caps = properties.find(qn("w:caps")) if properties is not None else None
    level.caps = caps is not None and _on(caps)
    level.style_id = _val(element, "w:pStyle")
    return level


def _render(
    level: _Level,
    index: int,
    levels: dict[int, _Level],
    counters: dict[int, int],
    unknown_formats: set[str],
) -> str:
    def placeholder(match: re.Match[str]) -> str:
        referenced = int(match.group(1)) - 1
        definition = levels.get(referenced, _Level())
        value = counters.get(referenced, definition.start)
        fmt = "decimal" if level.legal and referenced <= index else definition.fmt
        return _format_number(value, fmt, unknown_formats)

    label = re.sub(r"%([1-9])", placeholder, level.text)
    return label.upper() if level.caps else label


def _format_number(value: int, fmt: str, unknown_formats: set[str]) -> str:
    if fmt in {"decimal", "decimalHalfWidth", "decimalFullWidth"}:
        return str(value)
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt in {"upperRoman", "lowerRoman"} and value > 0:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in {"upperLetter", "lowerLetter"} and value > 0:
        # Word's letters go a … z, then aa … zz, then aaa …
        letter = "abcdefghijklmnopqrstuvwxyz"[(value - 1) % 26] * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt == "ordinal":
        return f"{value}º"
    if fmt == "cardinalText" and 0 <= value < len(_SPANISH_CARDINALS):
        return _SPANISH_CARDINALS[value].capitalize()
    if fmt == "ordinalText" and 0 < value <= len(_SPANISH_ORDINALS):
        return _SPANISH_ORDINALS[value - 1].capitalize()
    if fmt == "none":
        return ""
    if fmt not in {"upperRoman", "lowerRoman", "upperLetter", "lowerLetter"}:
        unknown_formats.add(fmt)
    return str(value)


def _roman(value: int) -> str:
    digits = []
    for number, letters in _ROMAN_PAIRS:
        count, value = divmod(value, number)
        digits.append(letters * count)
    return "".join(digits)


# --- After parsing ------------------------------------------------------------------------


def _renumber_lines(result: ParseResult, paragraph_of_line: list[int]) -> None:
    """Lines of the text given to the parser → paragraphs of the document (1-based)."""

    def paragraph(line: int | None) -> int | None:
        if line is None or not 1 <= line <= len(paragraph_of_line):
            return line
        return paragraph_of_line[line - 1]

    for warning in result.warnings:
        warning.line = paragraph(warning.line)
    for node in result.walk():
        node.line = paragraph(node.line)


def _report_numbering(
    result: ParseResult, paragraphs: list[_Paragraph], numbering: _Numbering
) -> None:
    if numbering.synthesised:
        result.metadata["numbering_synthesised"] = str(numbering.synthesised)
        result.metadata["numbering_formats"] = "; ".join(
            f"{text} ({fmt})" for text, fmt in numbering.formats.items()
        )
        first = next(paragraph.label for paragraph in paragraphs if paragraph.label)
        result.warn(
            "docx_numbering",
            _(
                "%(count)d labels (such as “%(example)s”) come from Word's automatic "
                "numbering, not from the text; check them in the preview."
            )
            % {"count": numbering.synthesised, "example": first},
        )
    if numbering.bullets:
        result.metadata["numbering_bullets_omitted"] = str(numbering.bullets)
    if numbering.unknown_formats:
        result.warn(
            "docx_numbering_format",
            _("Some automatic numbering uses formats read as plain numbers: %(formats)s.")
            % {"formats": ", ".join(sorted(numbering.unknown_formats))},
        )


def _check_headings(result: ParseResult, paragraphs: list[_Paragraph]) -> None:
    """Heading styles are hints: a paragraph styled as a heading that the text parser
    read as ordinary text gets a warning rather than a silent guess either way."""
    starts = {node.line for node in result.walk() if node.line is not None}
    titled = {
        normalise_whitespace(part)
        for node in result.walk()
        for part in (node.label, node.heading, f"{node.label} {node.heading}")
        if part.strip()
    }
    for number, paragraph in enumerate(paragraphs, start=1):
        text = normalise_whitespace(paragraph.text)
        if not text:
            continue
        if _TITLE_STYLE.match(paragraph.style.strip()):
            result.metadata.setdefault("title", text)
            continue
        if paragraph.outline_level is None:
            continue
        if number in starts or text in titled:
            continue
        result.warn(
            "docx_heading_as_text",
            _("The paragraph “%(text)s” has the heading style “%(style)s” but was read as text.")
            % {"text": text[:80], "style": paragraph.style or _("outline level")},
            line=number,
        )


# --- Small XML helpers --------------------------------------------------------------------


def _part_element(document: docx.document.Document, relationship: str) -> etree._Element | None:
    try:
        part = document.part.part_related_by(relationship)
    except KeyError:
        return None
    return getattr(part, "element", None)


def _val(parent: etree._Element | None, tag: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(qn(tag))
    return child.get(qn("w:val")) if child is not None else None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _on(element: etree._Element) -> bool:
    """An on/off property: present means on unless ``w:val`` says otherwise."""
    return element.get(qn("w:val")) not in {"0", "false", "off"}


def _on_attribute(element: etree._Element, name: str) -> bool:
    return element.get(qn(name)) in {"1", "true", "on"}
