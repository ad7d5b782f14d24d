"""The plain-text and Markdown importer on small texts, one pattern at a time."""

import pytest

from bills.importers.base import ImportRefused, flatten_text, normalise_whitespace
from bills.importers.text import ordinal_value, parse_text, strip_markup


def parse(text: str):
    """Parses ``text`` and checks what must hold for every input: the lossless rule
    and eIds unique within the tree."""
    result = parse_text(text)
    assert flatten_text(result.nodes) == normalise_whitespace(strip_markup(text))
    eids = [node.eid for node in result.walk()]
    assert all(eids)
    assert len(eids) == len(set(eids))
    return result


def of_kind(result, kind: str) -> list:
    return [node for node in result.walk() if node.kind == kind]


def labels(result, kind: str) -> list[str]:
    return [node.label for node in of_kind(result, kind)]


def codes(result) -> list[tuple[str, int | None]]:
    return [(warning.code, warning.line) for warning in result.warnings]


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\u00a0\u2003\r\n"])
def test_an_empty_text_is_refused(text):
    with pytest.raises(ImportRefused) as refused:
        parse_text(text)
    assert refused.value.code == "empty"


# --- Divisions ------------------------------------------------------------------------------

STRUCTURED = """\
TÍTULO I
DISPOSICIONES GENERALES

CAPÍTULO I
DEL OBJETO

Artículo 1.- Objeto de la Ley
La presente ley regula la consulta.

CAPÍTULO II
DE LOS PRINCIPIOS

Artículo 2.- Principios
Rigen los principios de publicidad y participación.

Artículo 3.- Publicidad
Todo es público.

Artículo 4.- Participación
Toda persona puede participar.

Artículo 5.- Derechos
Toda persona tiene derechos.

TÍTULO II DE LA CONSULTA

Artículo 6.- Plazo
El plazo es de veinte días.
"""


def test_titles_and_chapters_hold_their_articles_with_akoma_ntoso_eids():
    result = parse(STRUCTURED)
    first, second = result.nodes
    assert (first.kind, first.label, first.heading) == (
        "title",
        "TÍTULO I",
        "DISPOSICIONES GENERALES",
    )
    assert [chapter.label for chapter in first.children] == ["CAPÍTULO I", "CAPÍTULO II"]
    article_5 = first.children[1].children[-1]
    assert (article_5.label, article_5.heading) == ("Artículo 5.-", "Derechos")
    assert article_5.text == "Toda persona tiene derechos."
    assert article_5.eid == "tit_1__chp_2__art_5"
    assert (second.label, second.heading) == ("TÍTULO II", "DE LA CONSULTA")
    assert second.children[0].eid == "tit_2__art_6"
    assert result.warnings == []


def test_a_division_heading_may_stand_on_the_next_line_after_a_blank_one():
    result = parse("TÍTULO III\n\nDEL RÉGIMEN ECONÓMICO\n\nArtículo 1.- Objeto\nTexto.\n")
    title = result.nodes[0]
    assert (title.label, title.heading) == ("TÍTULO III", "DEL RÉGIMEN ECONÓMICO")
    assert title.children[0].kind == "article"


def test_titulo_preliminar_capitulo_unico_and_sections_are_divisions():
    result = parse(
        "TÍTULO PRELIMINAR\nPRINCIPIOS\n\nArtículo 1.- Uno\nTexto.\n\n"
        "TÍTULO I\nDEL ESTADO\n\nCAPÍTULO ÚNICO\nDEL GOBIERNO\n\n"
        "SECCIÓN PRIMERA\nDEL PODER\n\nArtículo 2.- Dos\nTexto.\n"
    )
    preliminar, title = result.nodes
    assert preliminar.label == "TÍTULO PRELIMINAR"
    chapter = title.children[0]
    assert (chapter.kind, chapter.label) == ("chapter", "CAPÍTULO ÚNICO")
    assert chapter.eid.endswith("__chp_unico")
    section = chapter.children[0]
    assert (section.kind, section.heading) == ("section", "DEL PODER")
    assert section.children[0].label == "Artículo 2.-"
    assert "numbering_repeat" not in [code for code, _ in codes(result)]


def test_a_chapter_mentioned_in_a_sentence_is_not_a_division():
    result = parse("Artículo 1.- Objeto\nLo dispuesto en el\nCapítulo II del Título I se aplica.\n")
    assert of_kind(result, "chapter") == []
    assert "Capítulo II del Título I" in result.nodes[0].text


# --- Articles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "label", "heading"),
    [
        ("Artículo 1. Objeto de la Ley", "Artículo 1.", "Objeto de la Ley"),
        ("Artículo 1° Objeto de la Ley", "Artículo 1°", "Objeto de la Ley"),
        ("Artículo 1°.- Objeto de la Ley", "Artículo 1°.-", "Objeto de la Ley"),
        ("Artículo 1.- Objeto de la Ley", "Artículo 1.-", "Objeto de la Ley"),
        ("Art. 1 Objeto de la Ley", "Art. 1", "Objeto de la Ley"),
        ("ARTÍCULO 1º.- OBJETO DE LA LEY", "ARTÍCULO 1º.-", "OBJETO DE LA LEY"),
        ("Articulo 1.- Objeto de la Ley", "Articulo 1.-", "Objeto de la Ley"),
        ("ARTICULO 1", "ARTICULO 1", ""),
    ],
)
def test_every_way_of_writing_an_article_label_is_recognised(line, label, heading):
    result = parse(f"{line}\nLa presente ley regula la consulta pública.\n")
    (article,) = result.nodes
    assert (article.kind, article.label, article.heading) == ("article", label, heading)
    assert article.text == "La presente ley regula la consulta pública."
    assert article.eid == "art_1"


def test_article_5_a_follows_article_5_and_gets_the_eid_art_5a():
    result = parse(
        "Artículo 5.- Cinco\nTexto.\n\nArtículo 5-A.- Cinco A\nTexto.\n\n"
        "Artículo 6.- Seis\nTexto.\n"
    )
    assert labels(result, "article") == ["Artículo 5.-", "Artículo 5-A.-", "Artículo 6.-"]
    assert [node.eid for node in result.nodes] == ["art_5", "art_5a", "art_6"]
    assert result.warnings == []


def test_articulo_unico_is_one_article_with_the_eid_art_unico():
    result = parse(
        "El Congreso de la República ha dado la Ley siguiente:\n\n"
        "Artículo único. Modificación de la Ley 29461\n"
        "Modifícase el artículo 3 de la Ley 29461.\n"
    )
    formula, article = result.nodes
    assert formula.kind == "formula"
    assert (article.label, article.heading, article.eid) == (
        "Artículo único.",
        "Modificación de la Ley 29461",
        "art_unico",
    )


@pytest.mark.parametrize(
    ("rest", "heading", "text"),
    [
        ("Objeto de la Ley", "Objeto de la Ley", ""),
        ("La presente ley entra en vigencia.", "", "La presente ley entra en vigencia."),
        ("Créase el registro nacional.", "", "Créase el registro nacional."),
        ("Entrada en vigor.", "Entrada en vigor.", ""),
        ("DEL DERECHO A LA IDENTIDAD.", "DEL DERECHO A LA IDENTIDAD.", ""),
        ("Son funciones del registro:", "", "Son funciones del registro:"),
    ],
)
def test_the_rest_of_an_article_line_is_a_heading_only_when_it_reads_as_one(rest, heading, text):
    result = parse(f"Artículo 1.- {rest}\n\nArtículo 2.- Otro\nTexto.\n")
    article = result.nodes[0]
    assert (article.heading, article.text) == (heading, text)


def test_a_heading_wrapped_onto_the_next_line_is_joined():
    result = parse(
        "Artículo 13. Requisitos para la designación del presidente\n"
        "ejecutivo\n"
        "13.1. Para ser designado se requiere lo siguiente:\n"
    )
    article = result.nodes[0]
    assert article.heading == "Requisitos para la designación del presidente ejecutivo"
    assert article.children[0].label == "13.1."


def test_a_reference_to_an_article_at_the_start_of_a_line_is_not_an_article():
    result = parse(
        "Artículo 1.- Objeto\nSe aplica lo dispuesto en el\n"
        "Artículo 5 de la Ley 27444 y sus normas.\n"
    )
    assert labels(result, "article") == ["Artículo 1.-"]


# --- The quoted-article trap ----------------------------------------------------------------


@pytest.mark.parametrize(("opening", "closing"), [("“", "”"), ('"', '"'), ("«", "»")])
def test_a_quoted_article_stays_inside_the_amending_article(opening, closing):
    result = parse(
        "Artículo 1.- Objeto de la Ley\nProteger a los consumidores.\n\n"
        "Artículo 2.- Incorporación del artículo 3-A\n"
        "Incorpórese el artículo 3-A a la Ley 29461, cuyo texto es el siguiente:\n\n"
        f"{opening}Artículo 3-A.- Estacionamiento gratuito\n\n"
        "Cuando se trata de estacionamiento como servicio accesorio:\n"
        "a) Es gratuito.\n\n"
        f"Artículo 3-B.- Excepciones\nEstán exceptuados los demás.{closing}\n\n"
        "DISPOSICIÓN COMPLEMENTARIA FINAL\n\nÚNICA.- Vigencia\nRige desde mañana.\n"
    )
    assert labels(result, "article") == ["Artículo 1.-", "Artículo 2.-"]
    amending = result.nodes[1]
    assert "Artículo 3-A.- Estacionamiento gratuito" in amending.text
    assert "Artículo 3-B.- Excepciones" in amending.text
    assert "a) Es gratuito." in amending.text
    assert of_kind(result, "literal") == []
    assert labels(result, "provision") == ["ÚNICA.-"]
    assert result.warnings == []


def test_a_quoted_article_whose_number_follows_on_still_stays_inside():
    result = parse(
        "Artículo 1.- Modificación\nModifícase el artículo 2 de la Ley 123, en los términos "
        "siguientes:\n“Artículo 2.- Del registro\nEl registro es público.”\n\n"
        "Artículo 2.- Vigencia\nRige desde mañana.\n"
    )
    assert labels(result, "article") == ["Artículo 1.-", "Artículo 2.-"]
    assert "“Artículo 2.- Del registro" in result.nodes[0].text


def test_unquoted_wording_of_another_law_stays_inside_the_amending_article():
    result = parse(
        "Artículo 1°.- Modificación del artículo 8° de la Ley 29981\n\n"
        "Modifícase el artículo 8° de la Ley N° 29981, en los términos siguientes:\n\n"
        "Artículo 8°.- Consejo Directivo\nEl Consejo Directivo es el órgano máximo.\n\n"
        "Artículo 2°.- Modificación del artículo 9° de la Ley 29981\n\n"
        "Modifícase el artículo 9° de la Ley N° 29981, en los términos siguientes:\n\n"
        "Congreso de la República\n\n"
        "Articulo 9°.- Integrantes del Consejo Directivo\n"
        "9.1 El Consejo Directivo está conformado así:\n\na) Dos representantes.\n\n"
        "DISPOSICIÓN COMPLEMENTARIA FINAL\nÚNICA.- Adecuación reglamentaria\nTexto.\n"
    )
    assert labels(result, "article") == ["Artículo 1°.-", "Artículo 2°.-"]
    second = result.nodes[1]
    assert "Articulo 9°.- Integrantes del Consejo Directivo" in second.text
    assert second.children == []
    assert result.warnings == []


def test_a_quotation_left_open_is_warned_and_ends_at_the_next_group_of_provisions():
    result = parse(
        "Artículo 1.- Modificación\nModifícase el artículo 5, cuyo texto es el siguiente:\n"
        "“Artículo 5.- Del registro\nEl registro es público.\n\n"
        "DISPOSICIONES COMPLEMENTARIAS FINALES\n\nPRIMERA. Vigencia\nRige.\n"
    )
    assert codes(result) == [("unclosed_quote", 3)]
    assert labels(result, "provision") == ["PRIMERA."]
    assert "El registro es público." in result.nodes[0].text


def test_a_stray_ocr_quote_does_not_swallow_the_next_articles():
    result = parse(
        "Artículo 4°Deberes de las entidades\n\na)\n\nb)\n\n“l\n\nc)\n\nLas entidades deben.\n\n"
        "Artículo 5° Derechos\nLos titulares tienen derechos.\n"
    )
    assert labels(result, "article") == ["Artículo 4°Deberes", "Artículo 5°"]
    assert labels(result, "literal") == ["a)", "b)", "c)"]


# --- Numerals, literals, paragraphs ---------------------------------------------------------


def test_numerals_and_literals_nest_under_the_item_they_follow():
    result = parse(
        "Artículo 9.- Contenido\nLa convocatoria contiene:\n"
        "1. La identificación del proyecto.\n"
        "2. Los plazos, que comprenden:\n"
        "a) La fecha de apertura.\n"
        "b) La fecha de cierre.\n"
        "3. Los canales:\n"
        "3.1 Presenciales.\n"
        "3.2 Virtuales.\n"
        "4. Lo demás.\n"
    )
    article = result.nodes[0]
    assert [child.label for child in article.children] == ["1.", "2.", "3.", "4."]
    second, third = article.children[1], article.children[2]
    assert [(child.kind, child.label) for child in second.children] == [
        ("literal", "a)"),
        ("literal", "b)"),
    ]
    assert [child.label for child in third.children] == ["3.1", "3.2"]
    assert second.children[1].eid == "art_9__item_2__point_b"
    assert result.warnings == []


def test_numbered_paragraphs_of_an_article_sit_at_its_top_level():
    result = parse(
        "Artículo 3. Ámbito\n3.1. La ley se aplica a:\na) Los ministerios.\nb) Los gobiernos.\n"
        "3.2. También a las empresas.\n"
    )
    article = result.nodes[0]
    assert [child.label for child in article.children] == ["3.1.", "3.2."]
    assert [child.label for child in article.children[0].children] == ["a)", "b)"]


def test_numerals_may_hold_literals_that_hold_numerals():
    result = parse(
        "Artículo 1.- Condiciones\n5. Los contratos incluyen:\na) Por el otro gobierno:\n"
        "1. Un plan.\n1.1. Su diagnóstico.\n2. Un legado.\nb) Por el ministerio:\n"
        "1. La documentación.\n6. La ejecución.\n"
    )
    article = result.nodes[0]
    assert [child.label for child in article.children] == ["5.", "6."]
    literal_a, literal_b = article.children[0].children
    assert [child.label for child in literal_a.children] == ["1.", "2."]
    assert literal_a.children[0].children[0].label == "1.1."
    assert [child.label for child in literal_b.children] == ["1."]


def test_numerals_with_a_parenthesis_and_literals_with_a_full_stop_are_items_too():
    result = parse(
        "ARTICULO 2\nToda persona tiene derecho:\n1) A la vida.\n2) A la libertad:\n"
        "a. Nadie está obligado.\nb. No hay prisión por deudas.\n"
    )
    article = result.nodes[0]
    assert [child.label for child in article.children] == ["1)", "2)"]
    assert [(c.kind, c.eid) for c in article.children[1].children] == [
        ("literal", "art_2__item_2__point_a"),
        ("literal", "art_2__item_2__point_b"),
    ]


def test_an_ocr_capital_i_after_k_is_the_literal_l():
    result = parse("Artículo 1.- Entidades\nSon:\nk) Los órganos desconcentrados. I) Las demás.\n")
    assert labels(result, "literal") == ["k)", "I)"]
    assert result.warnings == []


def test_clearly_separate_paragraphs_become_paragraph_nodes_and_page_breaks_do_not():
    result = parse(
        "Artículo 1.- Objeto\n\nLa ley crea el registro.\n\nEl registro es público.\n\n"
        "Artículo 2.- Exclusiones\n\nQuedan excluidas las comisiones que por la naturaleza\n\n"
        "reservada de sus investigaciones no se registran.\n"
    )
    first, second = result.nodes
    assert [child.kind for child in first.children] == ["paragraph", "paragraph"]
    assert [child.text for child in first.children] == [
        "La ley crea el registro.",
        "El registro es público.",
    ]
    assert first.text == ""
    assert second.children == []
    assert second.text.startswith("Quedan excluidas")


def test_incisos_and_spanish_points_are_labelled_items():
    result = parse(
        "ARTÍCULO 1°.  DEL DERECHO.\n\nINCISO PRIMERO. Toda persona tiene derecho.\n\n"
        "INCISO SEGUNDO. Toda norma lo respeta.\n\n"
        "Artículo 2. Modificación.\n\nLa ley queda modificada como sigue:\n\n"
        "Uno. Se añade el apartado 7:\n\n«7. Se prohíbe la difusión.»\n\n"
        "Dos. Se añade el párrafo z4).\n"
    )
    first, second = result.nodes
    assert [(child.kind, child.eid) for child in first.children] == [
        ("paragraph", "art_1__para_1"),
        ("paragraph", "art_1__para_2"),
    ]
    assert [(child.kind, child.label) for child in second.children] == [
        ("numeral", "Uno."),
        ("numeral", "Dos."),
    ]
    assert "«7. Se prohíbe la difusión.»" in second.children[0].text


# --- Groups of provisions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "group_type"),
    [
        ("DISPOSICIONES COMPLEMENTARIAS FINALES", "final"),
        ("DISPOSICIONES COMPLEMENTARIAS TRANSITORIAS", "transitory"),
        ("DISPOSICIONES COMPLEMENTARIAS MODIFICATORIAS", "amending"),
        ("DISPOSICIONES COMPLEMENTARIAS DEROGATORIAS", "repealing"),
        ("DISPOSICIONES FINALES Y DEROGATORIAS", "final"),
        ("DISPOSICIONES TRANSITORIAS", "transitory"),
        ("DISPOSICIÓN COMPLEMENTARIA FINAL", "final"),
        ("DISPOSICIONES COMPLEMENTARIAS Y FINALES", "final"),
        ("DISPOSICIONES ADICIONALES", "other"),
        ("## Disposiciones finales", "final"),
    ],
)
def test_a_group_of_provisions_gets_its_type(heading, group_type):
    result = parse(f"Artículo 1.- Objeto\nTexto.\n\n{heading}\n\nPRIMERA. Vigencia\nRige.\n")
    group = result.nodes[1]
    assert (group.kind, group.group_type) == ("provisions_group", group_type)
    assert group.heading == heading.lstrip("# ")
    assert [child.kind for child in group.children] == ["provision"]


def test_provisions_are_numbered_by_ordinal_words_in_every_spelling():
    result = parse(
        "DISPOSICIONES COMPLEMENTARIAS FINALES\n\nPRIMERA. Reglamentación\nTexto.\n\n"
        "SEGUNDA.- Financiamiento\nTexto.\n\nTERCERA: Vigencia\nTexto.\n\n"
        "CUARTA Derogación\nTexto.\n\n"
        "DISPOSICIÓN COMPLEMENTARIA TRANSITORIA\n\nÚNICA.- Adecuación\nTexto.\n"
    )
    finales, transitoria = result.nodes
    assert [(p.label, p.heading) for p in finales.children] == [
        ("PRIMERA.", "Reglamentación"),
        ("SEGUNDA.-", "Financiamiento"),
        ("TERCERA:", "Vigencia"),
        ("CUARTA", "Derogación"),
    ]
    assert [p.eid for p in finales.children] == ["grp_1__prov_1", "grp_1__prov_2",
                                                 "grp_1__prov_3", "grp_1__prov_4"]  # fmt: skip
    assert transitoria.children[0].eid == "grp_2__prov_unico"
    assert result.warnings == []


@pytest.mark.parametrize(
    ("word", "value"),
    [("PRIMERA", 1), ("Sétima", 7), ("Séptima", 7), ("Undécima", 11), ("Decimotercera", 13),
     ("DÉCIMA TERCERA", 13), ("Decimoctava", 18), ("VIGÉSIMA NOVENA", 29), ("VIGÉSIMANOVENA", 29),
     ("ÚNICA", 1), ("nada", None)],
)  # fmt: skip
def test_ordinal_words_have_their_value(word, value):
    assert ordinal_value(word) == value


def test_the_one_line_form_disposicion_final_unica_is_a_provision_in_a_group():
    result = parse(
        "Artículo único.  Modificación.\n\nTexto.\n\nDisposición final única.  Entrada en vigor."
        "\n\n     Esta ley entrará en vigor a los dos meses.\n"
    )
    group = result.nodes[1]
    assert (group.kind, group.group_type, group.heading) == ("provisions_group", "final", "")
    provision = group.children[0]
    assert (provision.label, provision.heading) == ("Disposición final única.", "Entrada en vigor.")
    assert provision.eid == "grp_1__prov_unico"


def test_provisions_run_together_on_one_line_are_split():
    result = parse(
        "Artículo 1. Objeto\nTexto.\n## DISPOSICIONES COMPLEMENTARIAS FINALES\n"
        "PRIMERA. Prevalencia\n1. La ley prevalece. SEGUNDA. Pertinencia de las exigencias\n"
        "1. El reglamento establece. TERCERA. Modernización del pago El Ministerio implementa "
        "el pago. DISPOSICIÓN COMPLEMENTARIA DEROGATORIA ÚNICA. Derogación Se derogan:\n"
        "a) La Ley 30225. Comuníquese a la señora Presidenta de la República.\n"
    )
    assert labels(result, "provision") == [
        "PRIMERA.",
        "SEGUNDA.",
        "TERCERA.",
        "DISPOSICIÓN COMPLEMENTARIA DEROGATORIA ÚNICA.",
    ]
    groups = of_kind(result, "provisions_group")
    assert [group.group_type for group in groups] == ["final", "repealing"]
    assert result.nodes[-1].kind == "formula"
    assert result.nodes[-1].text.startswith("Comuníquese")


# --- Header, formula, explanatory statement ------------------------------------------------

BILL = """\
Proyecto de Ley N.° 1234/2025-CR

LEY QUE PROMUEVE LA PARTICIPACIÓN CIUDADANA
EN EL PROCEDIMIENTO LEGISLATIVO

El Congresista de la República JUAN PÉREZ, integrante del Grupo Parlamentario Ejemplo,
que suscribe, ejerciendo el derecho de iniciativa legislativa, presenta el siguiente
proyecto de ley:

FÓRMULA LEGAL

El Congreso de la República
Ha dado la Ley siguiente:

Artículo 1.- Objeto
La presente ley promueve la participación.

Artículo 2.- Vigencia
Rige desde mañana.

EXPOSICIÓN DE MOTIVOS

El artículo 107 de la Constitución lo permite.
1 Artículo 2° Toda persona tiene derecho a la participación.
Artículo 3.- Este artículo citado no es del proyecto.

II. ANÁLISIS COSTO BENEFICIO
No irroga gasto.
"""


def test_header_formula_and_explanatory_statement_are_separate_parts():
    result = parse(BILL)
    assert [node.kind for node in result.nodes] == [
        "header",
        "formula",
        "article",
        "article",
        "explanatory_statement",
    ]
    header, formula, *_, explanatory = result.nodes
    assert header.text.startswith("Proyecto de Ley N.° 1234/2025-CR")
    assert formula.heading == "FÓRMULA LEGAL"
    assert formula.text == "El Congreso de la República\nHa dado la Ley siguiente:"
    assert explanatory.heading == "EXPOSICIÓN DE MOTIVOS"
    assert "Artículo 3.- Este artículo citado" in explanatory.text
    assert "II. ANÁLISIS COSTO BENEFICIO" in explanatory.text
    assert labels(result, "article") == ["Artículo 1.-", "Artículo 2.-"]
    assert result.metadata == {
        "number": "1234/2025-CR",
        "title": "LEY QUE PROMUEVE LA PARTICIPACIÓN CIUDADANA EN EL PROCEDIMIENTO LEGISLATIVO",
        "proponents": "Congresista de la República JUAN PÉREZ, integrante del Grupo "
        "Parlamentario Ejemplo",
    }
    assert result.warnings == []


def test_an_explanatory_statement_before_the_formula_ends_at_the_formula():
    result = parse(
        "PROYECTO DE LEY\n\nI.- EXPOSICIÓN DE MOTIVOS\nSe propone lo siguiente:\n"
        "Artículo 1° de la NORMA G.010 del Reglamento.\n\nu.- ANÁLISIS COSTO BENEFICIO /\n"
        "No irroga gasto.\n\nIII.- EFECTO DE LA VIGENCIA DE LA NORMA\nModifica la Ley 29461.\n\n"
        "IV. FÓRMULA LEGAL\n\nEI Congreso de la República:\nHa dado Ia Ley siguiente\n\n"
        "Artículo 1°.- Objeto de la Ley\nProteger a los consumidores.\n"
    )
    assert [node.kind for node in result.nodes] == [
        "header",
        "explanatory_statement",
        "formula",
        "article",
    ]
    explanatory = result.nodes[1]
    assert "ANÁLISIS COSTO BENEFICIO" in explanatory.text
    assert "EFECTO DE LA VIGENCIA" in explanatory.text


def test_an_explanatory_statement_before_the_articles_ends_at_article_1():
    result = parse(
        "Exposición de motivos:\n\nI. DEL PROPÓSITO.\n\nEl artículo 5 del Código lo dice.\n\n"
        "ARTÍCULO 1°.  DEL DERECHO A LA IDENTIDAD.\n\nToda persona tiene derecho.\n"
    )
    assert [node.kind for node in result.nodes] == ["explanatory_statement", "article"]


def test_the_preamble_and_the_closing_formula_are_kept_as_their_own_parts():
    result = parse(
        "PREAMBULO\n\nEL CONGRESO CONSTITUYENTE HA RESUELTO DAR LA SIGUIENTE CONSTITUCIÓN:\n\n"
        "Artículo 1.- Objeto\nTexto.\n\nComuníquese al señor Presidente de la República.\n\n"
        "JUAN PÉREZ\nCongresista\n"
    )
    preamble, article, closing = result.nodes
    assert (preamble.kind, preamble.heading) == ("preamble", "PREAMBULO")
    assert preamble.text.startswith("EL CONGRESO CONSTITUYENTE")
    assert article.text == "Texto."
    assert closing.kind == "formula"
    assert closing.text.endswith("Congresista")


# --- Notes ----------------------------------------------------------------------------------


def test_editorial_notes_become_note_nodes_and_lose_nothing():
    result = parse(
        "Artículo 7. Supuestos excluidos\n7.1. Se excluyen:\n"
        "b) Las contrataciones del Servicio Exterior.(*) (*) Literal modificado por la Ley N° "
        '32515, cuyo texto es el siguiente: "b) Las contrataciones del Servicio Exterior '
        'exclusivamente."\n'
        "c) La contratación de notarios.\n"
        '(*) Numeral modificado por la Ley N° 32187, cuyo texto es el siguiente: "7.2 Nuevo\n'
        'texto en dos líneas."\n'
        "> **CONCORDANCIAS: D.S. N° 009-2025-EF (REGLAMENTO)**\n"
        "R.M. N° 285-2024-EF/54\n"
        "#### Artículo 8. Sujeción\nTexto.\n"
    )
    notes = of_kind(result, "note")
    assert [note.text.split()[0] for note in notes] == ["(*)", "(*)", "CONCORDANCIAS:"]
    literal_b = result.nodes[0].children[0].children[0]
    assert literal_b.text == "Las contrataciones del Servicio Exterior.(*)"
    assert literal_b.children[0].kind == "note"
    assert notes[1].text.endswith('texto en dos líneas."')
    assert notes[2].text.endswith("R.M. N° 285-2024-EF/54")
    assert labels(result, "literal") == ["b)", "c)"]
    assert labels(result, "article") == ["Artículo 7.", "Artículo 8."]


def test_notes_before_the_first_article_stand_on_their_own():
    result = parse(
        "(*) De conformidad con la Ley N° 32513, se autoriza. (*) De conformidad con la Ley N° "
        "32416, se autoriza también.\n\nArtículo 1. Objeto\nTexto.\n"
    )
    assert [node.kind for node in result.nodes] == ["note", "note", "article"]


# --- Warnings -------------------------------------------------------------------------------


def test_numbering_gaps_and_repeats_are_warned_with_their_line():
    result = parse(
        "Artículo 1.- Uno\nTexto.\n\nArtículo 3.- Tres\nTexto:\na) Uno.\nc) Tres.\n\n"
        "Artículo 3.- Otra vez tres\nTexto.\n\n"
        "DISPOSICIONES COMPLEMENTARIAS FINALES\n\nPRIMERA. Una\nTexto.\n\nTERCERA. Tres\nTexto.\n"
    )
    assert codes(result) == [
        ("numbering_gap", 4),
        ("numbering_gap", 7),
        ("numbering_repeat", 9),
        ("numbering_gap", 17),
    ]
    assert "Artículo 3.-" in result.warnings[0].message


def test_text_before_the_first_article_that_is_no_header_is_warned():
    result = parse("Nota del editor: texto suelto.\n\nArtículo 1.- Objeto\nTexto.\n")
    assert codes(result) == [("text_before_first_article", 1)]
    assert result.nodes[0].kind == "header"


def test_a_recognised_header_draws_no_warning():
    result = parse("PROYECTO DE LEY N.° 1234/2025-CR\n\nArtículo 1.- Objeto\nTexto.\n")
    assert result.warnings == []
    assert result.metadata["number"] == "1234/2025-CR"


def test_an_unknown_heading_is_warned_and_kept_as_text():
    result = parse("# Ley de prueba\n\n## Artículo 1. Objeto\nTexto.\n\n## Anexo técnico\nTabla.\n")
    assert codes(result) == [("unknown_heading", 6)]
    assert flatten_text(result.nodes[-1:]).endswith("Anexo técnico Tabla.")
    assert result.metadata["title"] == "Ley de prueba"


def test_warning_messages_are_english_sentences_for_staff():
    result = parse("Artículo 1.- Uno\nTexto.\n\nArtículo 4.- Cuatro\nTexto.\n")
    (warning,) = result.warnings
    assert warning.message.endswith("is one missing?")


# --- Markdown -------------------------------------------------------------------------------

MARKDOWN = """\
# LEY N° 32069: LEY GENERAL

> **Entidad:** CONGRESO DE LA REPÚBLICA

---

## ÍNDICE

- [TÍTULO I](#título-i)
- [TÍTULO II](#título-ii)

---

## TÍTULO I
DISPOSICIONES GENERALES
#### **Artículo 1.-** Objeto de la Ley
La presente ley se rige por el [artículo 2](../otro.md#articulo-2) de la Constitución.
- a) Primero.
- b) Segundo.
## TÍTULO II
DE LA CONSULTA
#### Artículo 2. Plazo
Veinte días.
"""


def test_markdown_headings_bold_lists_and_links_are_recognised_and_their_markup_dropped():
    result = parse(MARKDOWN)
    assert [node.kind for node in result.nodes] == ["header", "title", "title"]
    header = result.nodes[0]
    assert "TÍTULO I\nTÍTULO II" in header.text  # the table of contents stays text
    first = result.nodes[1]
    article = first.children[0]
    assert (article.label, article.heading, article.eid) == ("Artículo 1.-", "Objeto de la Ley",
                                                             "tit_1__art_1")  # fmt: skip
    assert article.text == "La presente ley se rige por el artículo 2 de la Constitución."
    assert [child.label for child in article.children] == ["a)", "b)"]
    assert result.metadata["number"] == "32069"
    assert result.warnings == []


def test_strip_markup_drops_only_markup():
    assert strip_markup(MARKDOWN).split("\n")[:8] == [
        "LEY N° 32069: LEY GENERAL",
        "",
        "Entidad: CONGRESO DE LA REPÚBLICA",
        "",
        "",
        "",
        "ÍNDICE",
        "",
    ]
    assert "(*) Numeral (**) nota" in strip_markup("# T\n**(*) Numeral (**) nota**\n")
    plain = "Artículo 1.- Texto con *asteriscos* y # almohadilla\n"
    assert strip_markup(plain) == plain


# --- Real-world noise ------------------------------------------------------------------------


def test_ocr_noise_is_kept_as_text():
    text = (
        "oeqs/ïolñ- CR\n\nE80 DE LA REPUBUCA\nElige}; TÑAMlTE Dacuuznïmﬂú\n\n"
        "l. FÓRMULA LEGAL\n\nArtículo 1°“Objeto de la Ley\n\nEl objeto es la ﬁnalidad.\n\n"
        '.3"P-\'"É°P-9F7?’\n\nIl. EXPOSICIÓN DE MOTIVOS\n\nTexto ﬁnal.\n'
    )
    result = parse(text)
    assert [node.kind for node in result.nodes] == [
        "header",
        "formula",
        "article",
        "explanatory_statement",
    ]
    article = result.nodes[2]
    assert (article.label, article.heading) == ("Artículo 1°“Objeto", "de la Ley")
    assert '.3"P-\'"É°P-9F7?’' in article.text
    assert codes(result) == [("text_before_first_article", 1)]


def test_a_label_glued_to_its_heading_keeps_the_glued_word():
    result = parse("ARTÍCULO 10°.CONFIDENCIALIDAD.\n\nSólo tendrán acceso.\n")
    assert result.nodes[0].label == "ARTÍCULO 10°.CONFIDENCIALIDAD."
    assert result.nodes[0].eid == "art_10"


def test_page_breaks_and_unusual_spaces_do_not_break_the_structure():
    result = parse("Artículo 1.\u2003Objeto\r\nTexto.\r\n\fArtículo 2.-\u00a0Vigencia\r\nRige.\r\n")
    assert [(node.label, node.heading) for node in result.nodes] == [
        ("Artículo 1.", "Objeto"),
        ("Artículo 2.-", "Vigencia"),
    ]
    assert result.nodes[1].line == 3
