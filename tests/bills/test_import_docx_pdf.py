"""DOCX and PDF files made from a known bill give the tree its text gives."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bills.importers.base import MAX_SOURCE_BYTES, ImportRefused, flatten_text, normalise_whitespace
from bills.importers.docx import MAX_ZIP_MEMBERS, parse_docx
from bills.importers.pdf import OcrTools, ocr_tools, parse_pdf
from bills.importers.text import parse_text
from tests.bills import documents

FOOTER = "Página {page} de {pages}"


def shape(nodes) -> list[tuple]:
    """What must be equal between two trees: kinds, labels, headings, text (and the
    eIds and group types that follow from them)."""
    return [
        (
            node.kind,
            node.group_type,
            node.label,
            normalise_whitespace(node.heading),
            normalise_whitespace(node.text),
            node.eid,
            shape(node.children),
        )
        for node in nodes
    ]


def labels(result) -> list[str]:
    return [node.label for node in result.walk() if node.label]


@pytest.fixture(scope="module")
def expected():
    return parse_text(documents.BILL_TEXT)


def test_the_known_bill_has_titles_chapters_articles_numerals_literals_and_final_provisions(
    expected,
):
    kinds = {node.kind for node in expected.walk()}
    articles = [node for node in expected.walk() if node.kind == "article"]
    assert {"title", "chapter", "article", "numeral", "literal", "provision"} <= kinds
    assert len(articles) == 12


# --- DOCX ---------------------------------------------------------------------------------


def test_docx_made_from_the_bill_gives_the_same_tree_as_its_text(expected):
    result = parse_docx(documents.docx_from_text(documents.BILL_TEXT))

    assert shape(result.nodes) == shape(expected.nodes)
    assert flatten_text(result.nodes) == normalise_whitespace(documents.BILL_TEXT)


def test_docx_heading_styles_recognised_as_structure_raise_no_warning():
    result = parse_docx(documents.docx_from_text(documents.BILL_TEXT))

    assert not [warning for warning in result.warnings if warning.code.startswith("docx_")]


def test_docx_whose_labels_come_only_from_automatic_numbering_gives_the_same_tree(expected):
    data = documents.docx_with_automatic_numbering(documents.BILL_TEXT)
    paragraphs = [paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs]
    assert "Objeto de la ley" in paragraphs  # the label is not in the paragraph's text

    result = parse_docx(data)

    assert shape(result.nodes) == shape(expected.nodes)
    assert flatten_text(result.nodes) == normalise_whitespace(documents.BILL_TEXT)
    assert result.metadata["numbering_synthesised"] == "23"  # 12 articles, 6 numerals, 5 literals
    assert "Artículo %1.- (decimal)" in result.metadata["numbering_formats"]
    assert "docx_numbering" in {warning.code for warning in result.warnings}


def numbered_document(levels, paragraphs, **numbering) -> bytes:
    """``paragraphs`` are (level, text) pairs numbered by one list, or (None, text)."""
    document = docx.Document()
    num_id = documents.add_numbering(document, levels=levels, **numbering)
    for level, text in paragraphs:
        paragraph = document.add_paragraph(text)
        if level is not None:
            documents.number_paragraph(paragraph, num_id=num_id, level=level)
    return documents.docx_bytes(document)


def test_automatic_numbering_renders_roman_letter_and_zero_padded_formats():
    data = numbered_document(
        [
            ("upperRoman", "TÍTULO %1", 1),
            ("lowerLetter", "%2)", 3),
            ("decimalZero", "%1.%3", 1),
            ("lowerRoman", "(%4)", 1),
        ],
        [(0, "uno"), (1, "x"), (1, "y"), (2, "z"), (3, "w"), (0, "dos"), (1, "v")],
    )

    result = parse_docx(data)

    assert flatten_text(result.nodes) == ("TÍTULO I uno c) x d) y I.01 z (i) w TÍTULO II dos c) v")


def test_legal_numbering_shows_every_level_in_decimal():
    data = numbered_document(
        [("upperRoman", "TÍTULO %1", 1), ("decimal", "%1.%2", 1)],
        [(0, "uno"), (1, "x"), (1, "y")],
        legal=frozenset({1}),
    )

    assert flatten_text(parse_docx(data).nodes) == "TÍTULO I uno 1.1 x 1.2 y"


def test_automatic_numbering_restarts_deeper_levels_unless_lvl_restart_says_never():
    data = numbered_document(
        [("decimal", "Artículo %1.-", 1), ("decimal", "%2.", 1)],
        [(0, "a"), (1, "b"), (1, "c"), (0, "d"), (1, "e")],
        restart={1: 0},
    )

    assert flatten_text(parse_docx(data).nodes) == ("Artículo 1.- a 1. b 2. c Artículo 2.- d 3. e")


def test_a_second_list_instance_continues_its_definition_unless_it_overrides_the_start():
    document = docx.Document()
    documents.add_numbering(document, levels=[("decimal", "Artículo %1.-", 5)], num_id=90)
    documents.add_num(document, abstract_id=90, num_id=91)
    documents.add_num(document, abstract_id=90, num_id=92, start_override={0: 1})
    for num_id, text in [(90, "a"), (90, "b"), (91, "c"), (92, "d"), (92, "e"), (0, "f")]:
        documents.number_paragraph(document.add_paragraph(text), num_id=num_id)

    result = parse_docx(documents.docx_bytes(document))

    assert flatten_text(result.nodes) == (
        "Artículo 5.- a Artículo 6.- b Artículo 7.- c Artículo 1.- d Artículo 2.- e f"
    )


def test_numbering_given_by_a_paragraph_style_is_rendered():
    document = docx.Document()
    document.add_paragraph("Primer punto", style="List Number")
    document.add_paragraph("Segundo punto", style="List Number")

    assert flatten_text(parse_docx(documents.docx_bytes(document)).nodes) == (
        "1. Primer punto 2. Segundo punto"
    )


def test_bullets_are_not_labels_and_are_left_out():
    document = docx.Document()
    document.add_paragraph("Artículo 1.- Objeto")
    document.add_paragraph("Primer punto", style="List Bullet")

    result = parse_docx(documents.docx_bytes(document))

    assert flatten_text(result.nodes) == "Artículo 1.- Objeto Primer punto"
    assert result.metadata["numbering_bullets_omitted"] == "1"


def test_docx_tables_are_read_cell_by_cell_in_document_order():
    document = docx.Document()
    document.add_paragraph("Artículo 1.- Tasas")
    document.add_paragraph("Las tasas son las siguientes:")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Trámite", "Monto"), ("Registro", "S/ 20")], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("Artículo 2.- Vigencia")

    result = parse_docx(documents.docx_bytes(document))

    assert flatten_text(result.nodes) == (
        "Artículo 1.- Tasas Las tasas son las siguientes: Trámite Monto Registro S/ 20 "
        "Artículo 2.- Vigencia"
    )
    assert labels(result) == ["Artículo 1.-", "Artículo 2.-"]


def test_docx_keeps_tracked_insertions_and_drops_tracked_deletions():
    document = docx.Document()
    paragraph = document.add_paragraph("Artículo 1.- El plazo es de ")
    paragraph._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="A"><w:r><w:delText>diez</w:delText>'
            "</w:r></w:del>"
        )
    )
    paragraph._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="2" w:author="A"><w:r><w:t>veinte</w:t></w:r></w:ins>'
        )
    )
    paragraph.add_run(" días.")

    result = parse_docx(documents.docx_bytes(document))

    assert flatten_text(result.nodes) == "Artículo 1.- El plazo es de veinte días."


def test_docx_warnings_name_paragraphs_not_lines_of_the_joined_text():
    document = docx.Document()
    document.add_paragraph("LEY DE PRUEBA").add_run().add_break()  # two lines, one paragraph
    document.add_paragraph("Artículo 1.- Objeto")
    document.add_paragraph("Artículo 3.- Vigencia")
    text = parse_text("LEY DE PRUEBA\n\nArtículo 1.- Objeto\nArtículo 3.- Vigencia")

    result = parse_docx(documents.docx_bytes(document))

    from_text = [(warning.code, warning.line) for warning in text.warnings if warning.line]
    from_docx = [(warning.code, warning.line) for warning in result.warnings if warning.line]
    line_to_paragraph = {1: 1, 2: 1, 3: 2, 4: 3}
    assert from_docx == [(code, line_to_paragraph[line]) for code, line in from_text]
    article_lines = [node.line for node in result.walk() if node.kind == "article"]
    assert article_lines == [2, 3]


def test_a_heading_styled_paragraph_read_as_text_gets_a_warning():
    document = docx.Document()
    document.add_paragraph("Artículo 1.- Objeto")
    document.add_paragraph("Consideraciones sobre el objeto", style="Heading 3")

    result = parse_docx(documents.docx_bytes(document))

    [warning] = [warning for warning in result.warnings if warning.code == "docx_heading_as_text"]
    assert warning.line == 2
    assert "Consideraciones sobre el objeto" in warning.message


def docx_sample() -> bytes:
    return documents.docx_from_text("Artículo 1.- Objeto\nLa presente ley regula la consulta.")


def pdf_sample() -> bytes:
    return documents.pdf_from_text("Artículo 1.- Objeto\nLa presente ley regula la consulta.")


def docx_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def without_member(data: bytes, name: str) -> bytes:
    members = docx_members(data)
    del members[name]
    return documents.zip_bytes(members)


def with_member(data: bytes, name: str, content: bytes) -> bytes:
    return documents.zip_bytes({**docx_members(data), name: content})


HOSTILE_DOCX = {
    "empty": (lambda: b"", "empty"),
    "only whitespace": (lambda: b"  \n\t ", "empty"),
    "random bytes": (lambda: bytes(range(256)) * 40, "not_docx"),
    "truncated": (lambda: docx_sample()[: len(docx_sample()) // 2], "corrupt"),
    "a PDF renamed .docx": (pdf_sample, "mislabelled"),
    "an old .doc (OLE) file": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000,
        "legacy_format",
    ),
    "a zip without word/document.xml": (
        lambda: documents.zip_bytes({"hola.txt": b"hola"}),
        "not_docx",
    ),
    "a document part that is not XML": (
        lambda: with_member(docx_sample(), "word/document.xml", b"<w:document"),
        "corrupt",
    ),
    "an Office zip without its document part": (
        lambda: without_member(docx_sample(), "word/document.xml"),
        "not_docx",
    ),
    "a zip bomb": (documents.zip_bomb, "zip_bomb"),
    "too many zip members": (
        lambda: documents.zip_bytes(
            {f"word/media/{index}.xml": b"" for index in range(MAX_ZIP_MEMBERS + 1)}
        ),
        "zip_bomb",
    ),
    "an entity declaration": (
        lambda: documents.docx_with_doctype(docx_sample()),
        "unsafe_xml",
    ),
    "over 20 MB": (lambda: b"PK\x03\x04" + b"\x00" * MAX_SOURCE_BYTES, "too_large"),
    "an empty document": (lambda: documents.docx_bytes(docx.Document()), "empty"),
}


@pytest.mark.parametrize(("make", "code"), HOSTILE_DOCX.values(), ids=HOSTILE_DOCX.keys())
def test_hostile_or_broken_docx_is_refused_with_a_clear_reason(make, code):
    with pytest.raises(ImportRefused) as refused:
        parse_docx(make())

    assert refused.value.code == code
    assert re.fullmatch(r"[A-Z].+\.", refused.value.message)  # a sentence for a person


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_made_from_the_bill_gives_the_same_tree_as_its_text(expected):
    result = parse_pdf(documents.pdf_from_text(documents.BILL_TEXT))

    assert shape(result.nodes) == shape(expected.nodes)
    assert flatten_text(result.nodes) == normalise_whitespace(documents.BILL_TEXT)
    assert result.removed == []


def test_pdf_page_headers_and_footers_are_removed_reported_and_the_tree_is_the_texts(expected):
    data = documents.pdf_from_text(documents.BILL_TEXT, header=documents.PDF_HEADER, footer=FOOTER)

    result = parse_pdf(data)

    pages = int(result.metadata["pages"])
    assert pages >= 3
    assert result.removed == [
        line
        for page in range(1, pages + 1)
        for line in (documents.PDF_HEADER, f"Página {page} de {pages}")
    ]
    [warning] = [warning for warning in result.warnings if warning.code == "pdf_furniture_removed"]
    assert str(2 * pages) in warning.message
    assert shape(result.nodes) == shape(expected.nodes)
    assert flatten_text(result.nodes) == normalise_whitespace(documents.BILL_TEXT)


@pytest.mark.parametrize("footer", ["- {page} -", "{page}", "Pág. {page}", "{page}/{pages}"])
def test_page_numbers_in_any_usual_form_are_removed(expected, footer):
    result = parse_pdf(documents.pdf_from_text(documents.BILL_TEXT, footer=footer))

    pages = int(result.metadata["pages"])
    assert result.removed == [footer.format(page=page, pages=pages) for page in range(1, pages + 1)]
    assert shape(result.nodes) == shape(expected.nodes)


def test_a_bill_line_equal_to_the_running_header_is_kept():
    text = f"{documents.PDF_HEADER}\n\n{documents.BILL_TEXT}"
    data = documents.pdf_from_text(text, header=documents.PDF_HEADER, footer=FOOTER)

    result = parse_pdf(data)

    pages = int(result.metadata["pages"])
    assert result.removed.count(documents.PDF_HEADER) == pages
    assert flatten_text(result.nodes) == normalise_whitespace(text)


def test_lines_repeated_on_few_pages_are_not_furniture():
    pages = [
        ["Artículo 1.- Objeto", "Texto del artículo primero."],
        ["Artículo 2.- Objeto", "Texto del artículo segundo."],
        ["Artículo 3.- Ámbito", "Texto del artículo tercero."],
        ["Artículo 4.- Plazos", "Texto del artículo cuarto."],
        ["Artículo 5.- Vigencia", "Texto del artículo quinto."],
    ]

    result = parse_pdf(documents.pdf_from_lines(pages))

    assert result.removed == []
    assert labels(result) == [f"Artículo {number}.-" for number in range(1, 6)]


def test_near_same_running_headers_are_removed():
    pages = [
        [f"Comisión de Constitución - dictamen del {day} de marzo", article, text]
        for day, article, text in [
            ("lunes 3", "Artículo 1.- Objeto", "Regula la consulta."),
            ("martes 4", "Artículo 2.- Plazo", "Es de veinte días."),
            ("miércoles 5", "Artículo 3.- Vigencia", "Rige desde mañana."),
        ]
    ]

    result = parse_pdf(documents.pdf_from_lines(pages))

    assert result.removed == [page[0] for page in pages]
    assert labels(result) == ["Artículo 1.-", "Artículo 2.-", "Artículo 3.-"]


def test_pdf_words_hyphenated_at_line_ends_are_joined_and_reported_but_addresses_are_not():
    pages = [
        [
            "Artículo 1.-",
            "Objeto",
            "La presente ley aprueba el regla-",
            "mento de consulta teórico-",
            "Práctico y el régimen de participa-",
            "ción ciudadana publicado en www.congreso.gob.pe/ley-",
            "consulta y en el portal.",
        ]
    ]

    result = parse_pdf(documents.pdf_from_lines(pages))

    assert flatten_text(result.nodes) == normalise_whitespace(
        "Artículo 1.- Objeto La presente ley aprueba el reglamento de consulta teórico- "
        "Práctico y el régimen de participación ciudadana publicado en "
        "www.congreso.gob.pe/ley- consulta y en el portal."
    )
    assert result.metadata["hyphenations_joined"] == "2"
    [warning] = [w for w in result.warnings if w.code == "pdf_hyphenation_joined"]
    assert "regla-mento" in warning.message
    assert "participa-ción" in warning.message


def test_pdf_text_is_read_in_reading_order_even_when_drawn_out_of_order():
    pdf = FPDF(format=(148, 210))
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    for y, text in [
        (200, "Página 1 de 1"),
        (40, "b) Segundo literal."),
        (20, "Artículo 1.- Objeto"),
        (30, "a) Primer literal."),
        (50, "Artículo 2.- Vigencia"),
    ]:
        pdf.text(15, y, text)

    result = parse_pdf(bytes(pdf.output()))

    assert labels(result) == ["Artículo 1.-", "a)", "b)", "Artículo 2.-"]
    assert result.removed == ["Página 1 de 1"]


def test_pdf_warnings_name_the_page_and_the_line_of_the_extracted_text():
    pages = [["LEY DE PRUEBA", "Artículo 1.- Objeto"], ["Artículo 3.- Vigencia"]]
    text = parse_text("LEY DE PRUEBA\nArtículo 1.- Objeto\nArtículo 3.- Vigencia")

    result = parse_pdf(documents.pdf_from_lines(pages))

    from_text = [(warning.code, warning.line) for warning in text.warnings if warning.line]
    from_pdf = [(warning.code, warning.line) for warning in result.warnings if warning.line]
    assert from_pdf == from_text  # no furniture: the lines are the same
    for warning in result.warnings:
        if warning.line:
            page = 1 if warning.line <= 2 else 2
            assert warning.message.endswith(f"(page {page})")


@pytest.mark.skipif(ocr_tools() is not None, reason="Spanish Tesseract is installed: OCR reads it")
def test_pdf_without_a_text_layer_is_refused_when_ocr_is_not_installed():
    with pytest.raises(ImportRefused) as refused:
        parse_pdf(documents.pdf_scanned())

    assert refused.value.code == "no_text_layer"
    assert "scan" in refused.value.message


@pytest.mark.skipif(
    ocr_tools() is None,
    reason="needs Debian's Spanish Tesseract and Poppler (apt-get install tesseract-ocr-spa "
    "poppler-utils)",
)
def test_pdf_without_a_text_layer_is_read_by_ocr_when_spanish_tesseract_is_installed():
    image = Image.new("L", (1240, 600), color=255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(documents.DEJAVU), 36)
    for row, line in enumerate(["Artículo 1.- Objeto", "La presente ley regula la consulta."]):
        draw.text((60, 60 + row * 80), line, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF(format=(148, 210))
    pdf.add_page()
    pdf.image(buffer, x=5, y=5, w=138)

    result = parse_pdf(bytes(pdf.output()))

    assert result.metadata["ocr"] == "tesseract spa"
    assert labels(result)[0].startswith("Artículo 1")
    assert "pdf_ocr" in {warning.code for warning in result.warnings}


def fake_ocr_tools(directory, *, tesseract_body: str) -> OcrTools:
    """Stand-ins for pdftoppm and tesseract that log their arguments."""
    pdftoppm = directory / "pdftoppm"
    pdftoppm.write_text(
        '#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\nfor last; do :; done\n'
        'printf png > "$last.png"\n'
    )
    tesseract = directory / "tesseract"
    tesseract.write_text(f'#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\n{tesseract_body}\n')
    for script in (pdftoppm, tesseract):
        script.chmod(0o755)
    return OcrTools(pdftoppm=str(pdftoppm), tesseract=str(tesseract), tessdata=directory)


def test_ocr_reads_each_page_without_text_in_spanish_through_pdftoppm_and_tesseract(
    tmp_path, monkeypatch
):
    tools = fake_ocr_tools(
        tmp_path,
        tesseract_body='case "$1" in *-1.png) echo "Artículo 1.- Objeto";; '
        '*) echo "Artículo 2.- Vigencia";; esac',
    )
    monkeypatch.setattr("bills.importers.pdf.ocr_tools", lambda: tools)

    result = parse_pdf(documents.pdf_scanned(pages=2))

    calls = (tmp_path / "calls").read_text().splitlines()
    assert len(calls) == 4
    assert calls[0].startswith("-r 300 -gray -png -singlefile -f 1 -l 1 ")
    assert calls[1].endswith("page-1.png stdout -l spa")
    assert calls[2].startswith("-r 300 -gray -png -singlefile -f 2 -l 2 ")
    assert labels(result) == ["Artículo 1.-", "Artículo 2.-"]
    assert result.metadata["ocr_pages"] == "1, 2"
    assert "pdf_ocr" in {warning.code for warning in result.warnings}


def test_ocr_that_takes_too_long_is_stopped_and_refused(tmp_path, monkeypatch):
    tools = fake_ocr_tools(tmp_path, tesseract_body="sleep 5")
    monkeypatch.setattr("bills.importers.pdf.ocr_tools", lambda: tools)
    monkeypatch.setattr("bills.importers.pdf.OCR_TIMEOUT_S", 0.2)

    with pytest.raises(ImportRefused) as refused:
        parse_pdf(documents.pdf_scanned(pages=1))

    assert refused.value.code == "ocr_failed"


@pytest.mark.skipif(ocr_tools() is not None, reason="Spanish Tesseract is installed: OCR reads it")
def test_pdf_pages_without_text_among_pages_with_text_are_named_in_a_warning():
    pdf = FPDF(format=(148, 210))
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 5, "Artículo 1.- Objeto")
    pdf.add_page()
    pdf.image(Image.new("L", (40, 40), color=128), x=10, y=10, w=40)

    result = parse_pdf(bytes(pdf.output()))

    [warning] = [w for w in result.warnings if w.code == "pdf_page_without_text"]
    assert "2" in warning.message
    assert labels(result) == ["Artículo 1.-"]


def test_pdf_encrypted_only_against_copying_opens_with_the_empty_password():
    data = documents.pdf_encrypted("Artículo 1.- Objeto\nTexto.", user_password="")

    assert labels(parse_pdf(data)) == ["Artículo 1.-"]


def garbage_after_header() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n"


HOSTILE_PDF = {
    "empty": (lambda: b"", "empty"),
    "only whitespace": (lambda: b"\n\n  ", "empty"),
    "random bytes": (lambda: bytes(range(256)) * 40, "not_pdf"),
    "truncated": (lambda: pdf_sample()[: len(pdf_sample()) // 2], "truncated"),
    "cut off just before its end": (lambda: pdf_sample()[:-8], "truncated"),
    "garbage after the header": (garbage_after_header, "corrupt"),
    "a DOCX renamed .pdf": (docx_sample, "mislabelled"),
    "protected by a password": (
        lambda: documents.pdf_encrypted("Artículo 1.- Objeto", user_password="secreta"),
        "encrypted",
    ),
    "over 20 MB": (lambda: b"%PDF-1.7\n" + b"0" * MAX_SOURCE_BYTES, "too_large"),
    "pages without any text": (lambda: documents.pdf_from_lines([[], []]), "no_text_layer"),
}


@pytest.mark.parametrize(("make", "code"), HOSTILE_PDF.values(), ids=HOSTILE_PDF.keys())
def test_hostile_or_broken_pdf_is_refused_with_a_clear_reason(make, code):
    if code == "no_text_layer" and ocr_tools() is not None:
        pytest.skip("Spanish Tesseract is installed: a PDF without text goes to OCR")

    with pytest.raises(ImportRefused) as refused:
        parse_pdf(make())

    assert refused.value.code == code
    assert re.fullmatch(r"[A-Z].+\.", refused.value.message)  # a sentence for a person
