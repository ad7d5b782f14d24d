"""Word and PDF files made in memory from a known bill text, and hostile ones.

The bill text keeps to Latin-1 so that a PDF core font can draw it where the
DejaVu fonts are not installed.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from PIL import Image

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PDF_HEADER = "PROYECTO DE LEY N.° 1234/2025-CR"

BILL_TEXT = """\
LEY DE PARTICIPACIÓN CIUDADANA EN LA ELABORACIÓN DE LAS LEYES

TÍTULO I
DISPOSICIONES GENERALES

CAPÍTULO I
OBJETO Y PRINCIPIOS

Artículo 1.- Objeto de la ley
La presente ley tiene por objeto regular la participación de la ciudadanía en la elaboración de los proyectos de ley que se tramitan en el Congreso de la República, a fin de fortalecer la transparencia y la legitimidad de las decisiones legislativas.

Artículo 2.- Ámbito de aplicación
La presente ley se aplica a las comisiones ordinarias del Congreso de la República y a los grupos de trabajo que estas constituyan para el estudio de los proyectos de ley.

Artículo 3.- Principios
La participación ciudadana en el procedimiento legislativo se rige por los siguientes principios:
a) Transparencia: la información sobre los proyectos de ley y sus versiones es pública y accesible.
b) Inclusión: se garantiza la participación de las personas con discapacidad, de los pueblos indígenas u originarios y de quienes residen en zonas rurales.
c) Rendición de cuentas: las comisiones responden de manera motivada a los aportes recibidos.

CAPÍTULO II
DERECHOS DE LA CIUDADANÍA

Artículo 4.- Derecho a opinar
Toda persona, natural o jurídica, puede presentar opiniones y propuestas de redacción sobre cualquier artículo de un proyecto de ley sometido a consulta pública.

Artículo 5.- Derecho a la información
Las personas tienen derecho a conocer:
1. El texto completo del proyecto de ley y de sus versiones sucesivas.
2. Los dictámenes de las comisiones, con indicación de los aportes que fueron incorporados.
3. El estado del trámite del proyecto en cada etapa del procedimiento legislativo.

Artículo 6.- Protección de datos personales
El tratamiento de los datos personales de quienes participan se sujeta a la Ley N.° 29733, Ley de Protección de Datos Personales, y a su reglamento.

TÍTULO II
PROCEDIMIENTO DE CONSULTA

CAPÍTULO I
APERTURA DE LA CONSULTA

Artículo 7.- Convocatoria
La comisión competente puede abrir una consulta pública sobre un proyecto de ley dentro de los quince días hábiles siguientes a su decreto de envío.

Artículo 8.- Plazo de la consulta
El plazo de la consulta pública no es menor de veinte días calendario. Excepcionalmente, por acuerdo de la comisión, puede reducirse a diez días calendario cuando la materia sea de urgencia.

Artículo 9.- Contenido de la convocatoria
La convocatoria contiene, como mínimo, lo siguiente:
1. La identificación del proyecto de ley y de la comisión responsable.
2. Los plazos de la consulta, que comprenden:
a) La fecha de apertura.
b) La fecha de cierre.
3. Los canales de participación, presenciales y virtuales.

CAPÍTULO II
TRATAMIENTO DE LOS APORTES

Artículo 10.- Sistematización de los aportes
La secretaría técnica de la comisión sistematiza los aportes recibidos y elabora un informe que se publica junto con el dictamen.

Artículo 11.- Respuesta motivada
La comisión indica, respecto de cada aporte, si fue incorporado total o parcialmente, o las razones por las que no fue incorporado.

Artículo 12.- Moderación
Se retiran de la plataforma los aportes que contengan expresiones injuriosas, discriminatorias o ajenas al objeto de la consulta, conforme a las reglas publicadas por el Congreso de la República.

DISPOSICIONES COMPLEMENTARIAS FINALES

PRIMERA. Reglamentación
La Mesa Directiva del Congreso de la República aprueba las disposiciones reglamentarias de la presente ley en un plazo no mayor de sesenta días calendario.

SEGUNDA. Financiamiento
La aplicación de la presente ley se financia con cargo al presupuesto institucional del Congreso de la República, sin demandar recursos adicionales al Tesoro Público.

TERCERA. Vigencia
La presente ley entra en vigor al día siguiente de su publicación en el diario oficial El Peruano.
"""  # noqa: E501

_ARTICLE_LABEL = re.compile(r"^Artículo (\d+)\.- ")
_NUMERAL_LABEL = re.compile(r"^(\d+)\. ")
_LITERAL_LABEL = re.compile(r"^([a-z])\) ")


# --- DOCX ---------------------------------------------------------------------------------


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_from_text(text: str) -> bytes:
    """One paragraph per line; TÍTULO and CAPÍTULO lines (and the heading line that
    follows them) in heading styles, the rest in Normal."""
    document = docx.Document()
    heading_next = 0
    for line in text.split("\n"):
        if line.startswith("TÍTULO"):
            document.add_paragraph(line, style="Heading 1")
            heading_next = 1
        elif line.startswith("CAPÍTULO"):
            document.add_paragraph(line, style="Heading 2")
            heading_next = 2
        elif heading_next:
            document.add_paragraph(line, style=f"Heading {heading_next}")
            heading_next = 0
        else:
            document.add_paragraph(line)
    return docx_bytes(document)


def docx_with_automatic_numbering(text: str) -> bytes:
    """Article, numeral and literal labels left out of the paragraph text and
    generated by one multilevel list, as Word does: ``Artículo %1.-`` (decimal),
    ``%2.`` (decimal, restarting with each article) and ``%3)`` (lowerLetter).

    The final provisions keep their labels in the text. Articles, numerals and
    literals of the text must count 1, 2, 3 … in order for the labels to match."""
    document = docx.Document()
    num_id = add_numbering(
        document,
        levels=[("decimal", "Artículo %1.-", 1), ("decimal", "%2.", 1), ("lowerLetter", "%3)", 1)],
    )
    in_articles = True
    for line in text.split("\n"):
        if line.startswith("DISPOSICIONES COMPLEMENTARIAS"):
            in_articles = False
        paragraph = None
        for level, pattern in enumerate((_ARTICLE_LABEL, _NUMERAL_LABEL, _LITERAL_LABEL)):
            match = pattern.match(line)
            if in_articles and match:
                paragraph = document.add_paragraph(line[match.end() :])
                number_paragraph(paragraph, num_id=num_id, level=level)
                break
        if paragraph is None:
            document.add_paragraph(line)
    return docx_bytes(document)


def add_numbering(
    document: docx.document.Document,
    *,
    levels: list[tuple[str, str, int]],
    abstract_id: int = 90,
    num_id: int = 90,
    start_override: dict[int, int] | None = None,
    restart: dict[int, int] | None = None,
    legal: frozenset[int] = frozenset(),
) -> int:
    """Adds an abstract numbering definition with ``levels`` (numFmt, lvlText,
    start), ``restart`` (level → lvlRestart) and ``legal`` levels (isLgl), and a
    ``w:num`` instance of it; returns the numId."""
    numbering = document.part.numbering_part.element
    level_xml = "".join(
        f'<w:lvl w:ilvl="{index}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        + (f'<w:lvlRestart w:val="{restart[index]}"/>' if restart and index in restart else "")
        + ("<w:isLgl/>" if index in legal else "")
        + f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for index, (fmt, text, start) in enumerate(levels)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:multiLevelType w:val="multilevel"/>{level_xml}</w:abstractNum>'
    )
    existing = numbering.findall(abstract.tag.replace("abstractNum", "num"))
    if existing:
        existing[0].addprevious(abstract)
    else:
        numbering.append(abstract)
    add_num(document, abstract_id=abstract_id, num_id=num_id, start_override=start_override)
    return num_id


def add_num(
    document: docx.document.Document,
    *,
    abstract_id: int,
    num_id: int,
    start_override: dict[int, int] | None = None,
) -> int:
    overrides = "".join(
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        for level, start in (start_override or {}).items()
    )
    document.part.numbering_part.element.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}">'
            f'<w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'
        )
    )
    return num_id


def number_paragraph(paragraph, *, num_id: int, level: int = 0) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(uncompressed_mb: int = 60) -> bytes:
    """A DOCX-shaped zip whose document part inflates to ``uncompressed_mb`` MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b" " * 2**20
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return buffer.getvalue()


def docx_with_doctype(data: bytes) -> bytes:
    """The same DOCX with an entity-expanding DTD put into its document part."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    document = members["word/document.xml"]
    declaration, _, rest = document.partition(b"?>")
    members["word/document.xml"] = (
        declaration
        + b'?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        + rest
    )
    return zip_bytes(members)


# --- PDF ----------------------------------------------------------------------------------


class _BillPdf(FPDF):
    header_text = ""
    footer_text = ""  # may use {page} and {pages}

    def header(self) -> None:
        if self.header_text:
            self.set_font(self.font_name, size=8)
            self.cell(0, 6, self.header_text, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)
            self.set_font(self.font_name, size=10)

    def footer(self) -> None:
        if self.footer_text:
            self.set_y(-12)
            self.set_font(self.font_name, size=8)
            text = self.footer_text.format(page=self.page_no(), pages="{nb}")
            self.cell(0, 6, text, align="C")


def _new_pdf(*, header: str = "", footer: str = "") -> _BillPdf:
    pdf = _BillPdf(format=(148, 210))
    if DEJAVU.exists():
        pdf.add_font("dejavu", fname=str(DEJAVU))
        pdf.font_name = "dejavu"
    else:
        pdf.font_name = "helvetica"
    pdf.header_text = header
    pdf.footer_text = footer
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_font(pdf.font_name, size=10)
    return pdf


def pdf_from_text(text: str, *, header: str = "", footer: str = "") -> bytes:
    """Each line of ``text`` a paragraph, wrapped to the A5 page; a blank line a gap."""
    pdf = _new_pdf(header=header, footer=footer)
    pdf.add_page()
    for line in text.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(5)
    return bytes(pdf.output())


def pdf_from_lines(pages: list[list[str]]) -> bytes:
    """Each given line drawn as one line, without wrapping, page by page."""
    pdf = _new_pdf()
    for lines in pages:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_scanned(pages: int = 2) -> bytes:
    """Pages holding only an image, as a scanner makes them: no text layer."""
    image = Image.new("L", (120, 170), color=235)
    for x in range(10, 110):
        for y in range(20, 150, 12):
            image.putpixel((x, y), 40)
    pdf = FPDF(format=(148, 210))
    for _ in range(pages):
        pdf.add_page()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.image(buffer, x=10, y=10, w=128)
    return bytes(pdf.output())


def pdf_encrypted(text: str, *, user_password: str) -> bytes:
    pdf = _new_pdf()
    pdf.set_encryption(owner_password="propietario", user_password=user_password)
    pdf.add_page()
    for line in text.split("\n"):
        if line.strip():
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
