"""The text importer on every real text of ``shared/corpus/bills-es``.

Figures were counted by reading the files (see ``shared/corpus/SOURCES.md``); they
skip, with the reason, where the corpus is absent (the ``corpus`` fixture).
"""

import random
import time

import pytest

from bills.importers.base import ImportRefused, flatten_text, normalise_whitespace
from bills.importers.text import parse_text, strip_markup
from tests.bills.corpus import BILLS, CONSTITUTION, FILES, bill_text, constitution_parts
from tests.bills.corpus import constitution_text as joined_constitution

SOURCES = [*FILES, "constitution"]


def source(corpus, name: str) -> str:
    return joined_constitution(corpus) if name == "constitution" else bill_text(corpus, name)


def parsed(corpus, name: str):
    return parse_text(source(corpus, name))


def of_kind(result, kind: str) -> list:
    return [node for node in result.walk() if node.kind == kind]


def labels(result, kind: str) -> list[str]:
    return [node.label for node in of_kind(result, kind)]


def groups(result) -> list[tuple[str, str, list[str]]]:
    return [
        (group.heading, group.group_type, [child.label for child in group.children])
        for group in of_kind(result, "provisions_group")
    ]


def test_every_text_in_the_corpus_is_covered_here(corpus):
    assert sorted(path.name for path in (corpus / BILLS).iterdir()) == sorted(
        [*FILES.values(), CONSTITUTION]
    )


@pytest.mark.parametrize("name", SOURCES)
def test_every_corpus_text_imports_losslessly(corpus, name):
    text = source(corpus, name)
    result = parse_text(text)
    assert flatten_text(result.nodes) == normalise_whitespace(strip_markup(text))


@pytest.mark.parametrize("name", SOURCES)
def test_every_node_of_a_corpus_text_has_an_eid_unique_in_its_tree(corpus, name):
    eids = [node.eid for node in parsed(corpus, name).walk()]
    assert all(eids)
    assert len(eids) == len(set(eids))


def test_lines_of_the_corpus_mixed_at_random_with_naughty_strings_import_losslessly(
    corpus, naughty_strings
):
    """Any order of real lines (quotations left open, provisions before their group,
    notes anywhere) and hostile strings: no crash, nothing lost, eIds unique."""
    lines = [line for name in SOURCES for line in source(corpus, name).splitlines()]
    generator = random.Random(1993)  # noqa: S311 - a repeatable sample, not a secret
    samples = ["\n".join(naughty_strings)]
    for _ in range(150):
        sample = generator.choices(lines, k=generator.randint(1, 60))
        sample += generator.sample(naughty_strings, 3)
        generator.shuffle(sample)
        samples.append("\n".join(sample))
    for text in samples:
        try:
            result = parse_text(text)
        except ImportRefused:
            assert not text.strip()
            continue
        assert flatten_text(result.nodes) == normalise_whitespace(strip_markup(text))
        eids = [node.eid for node in result.walk()]
        assert len(eids) == len(set(eids))


# --- Proyecto de Ley 2893/2013-CR -----------------------------------------------------------


def test_bill_02893_has_six_articles_two_final_provisions_and_its_exposicion_last(corpus):
    result = parsed(corpus, "02893")
    assert [node.kind for node in result.nodes] == [
        "header",
        "formula",
        *["article"] * 6,
        "provisions_group",
        "explanatory_statement",
    ]
    assert labels(result, "article") == [
        "Artículo 1°“Objeto",
        "Artículo 2°¿Creación",
        "Artículo 3°",
        "Artículo 4°Deberes",
        "Artículo 5°",
        "Artículo 6°",
    ]
    assert (
        result.nodes[4].heading == "Requisitos del registro de accedentes a la información pública"
    )
    assert [child.label for child in result.nodes[5].children] == ["a)", "b)", "c)"]
    assert groups(result) == [
        ("DISPOSICIONES COMPLEMENTARIAS Y FINALES", "final", ["PRIMERA:", "SEGUNDA:"])
    ]
    assert result.nodes[1].heading == "l. FÓRMULA LEGAL"
    explanatory = result.nodes[-1]
    assert explanatory.heading == "Il. EXPOSICIÓN DE MOTIVOS"
    # Footnotes quoting other laws' articles and the later sections stay in it as text.
    for quoted in ("5 Artículo 127‘", "IIl. EFECTOS DE LA NORMA", "IV. ANÁLISIS COSTO-BENEFICIO"):
        assert quoted in explanatory.text
    assert result.metadata["proponents"].startswith("Congresista de la República JULIO CESAR")


# --- Proyecto de Ley 2894/2013-CR -----------------------------------------------------------


def test_bill_02894_keeps_the_quoted_article_3_a_inside_article_2(corpus):
    result = parsed(corpus, "02894")
    assert [node.kind for node in result.nodes] == [
        "header",
        "explanatory_statement",
        "formula",
        "article",
        "article",
        "provisions_group",
    ]
    assert labels(result, "article") == ["Artículo 1°.-", "Artículo 2°.-"]
    article_2 = result.nodes[4]
    assert article_2.heading == "Incorporación de artículo 3-A"
    inside = flatten_text([article_2])
    assert "“Artículo 3-A.- Cuando se trata de estacionamiento" in inside
    assert "por el lapso de 45 minutos.”" in inside
    assert groups(result) == [
        ("DISPOSICIONES FINALES Y DEROGATORIAS", "final", ["PRIMERA:", "SEGUNDA:"])
    ]


def test_bill_02894_keeps_its_analysis_sections_with_the_exposicion(corpus):
    result = parsed(corpus, "02894")
    explanatory, formula = result.nodes[1], result.nodes[2]
    assert explanatory.heading == "I.- EXPOSICIÓN DE MOTIVOS"
    assert "u.- ANÁLISIS COSTO BENEFICIO /" in explanatory.text
    assert "III.- EFECTO DE LA VIGENCIA DE LA NORMA" in explanatory.text
    assert formula.heading == "IV. FÓRMULA LEGAL"
    assert "Ha dado Ia Ley siguiente" in formula.text


# --- Proyecto de Ley 2895/2013-CR -----------------------------------------------------------


def test_bill_02895_keeps_the_amended_articles_inside_its_four_articles(corpus):
    result = parsed(corpus, "02895")
    assert labels(result, "article") == [
        "Artículo 1°.-",
        "Artículo 2°.-",
        "Artículo 3°.-",
        "Artículo 4°.-",
    ]
    articles = of_kind(result, "article")
    quoted = [
        "Artículo 8°.- Consejo Directivo",
        "Articulo 9°.- Integrantes del Consejo Directivo",
        "Artículo 14°. causales de vacancia",
        "Artículo 21°. Recursos",
    ]
    for article, amended in zip(articles, quoted, strict=True):
        assert amended in flatten_text([article])
    assert articles[0].heading == (
        "Modificación del artículo 8° de la Ley 29981, que crea la Superintendencia "
        "Nacional de Fiscalización Laboral"
    )
    assert groups(result) == [("DISPOSICIÓN COMPLEMENTARIA FINAL", "final", ["ÚNICA.-"])]
    assert result.nodes[-1].kind == "formula"
    assert result.nodes[-1].text.startswith("Comunlquese al señor Presidente")
    assert result.warnings == []


# --- Ley 32069 ------------------------------------------------------------------------------


def test_ley_32069_has_its_100_articles_in_titles_chapters_and_subchapters(corpus):
    result = parsed(corpus, "ley32069")
    assert labels(result, "article") == [f"Artículo {number}." for number in range(1, 101)]
    assert labels(result, "title") == [f"TÍTULO {roman}" for roman in ("I", "II", "III", "IV", "V")]
    assert len(of_kind(result, "chapter")) == 14
    assert len(of_kind(result, "subchapter")) == 6
    article_3 = of_kind(result, "article")[2]
    assert article_3.eid == "tit_1__art_3"
    assert [child.label for child in article_3.children] == ["3.1.", "3.2."]
    assert [child.label for child in article_3.children[1].children][-2:] == ["k)", "I)"]


def test_ley_32069_has_its_four_groups_of_provisions(corpus):
    result = parsed(corpus, "ley32069")
    final, amending, transitory, repealing = groups(result)
    assert final[:2] == ("DISPOSICIONES COMPLEMENTARIAS FINALES", "final")
    assert len(final[2]) == 29
    assert (final[2][0], final[2][12], final[2][-1]) == (
        "PRIMERA.",
        "DÉCIMA TERCERA.",
        "VIGÉSIMA NOVENA.",
    )
    assert amending == ("", "amending", ["DISPOSICIÓN COMPLEMENTARIA MODIFICATORIA ÚNICA."])
    # The source lost the label of the fourth transitory provision.
    assert transitory == (
        "DISPOSICIONES COMPLEMENTARIAS TRANSITORIAS",
        "transitory",
        ["PRIMERA", "SEGUNDA.", "TERCERA.", "QUINTA.", "SEXTA.", "SÉPTIMA.", "OCTAVA", "NOVENA.",
         "DÉCIMA."],
    )  # fmt: skip
    assert repealing == ("", "repealing", ["DISPOSICIÓN COMPLEMENTARIA DEROGATORIA ÚNICA."])
    derogatoria = of_kind(result, "provisions_group")[-1].children[0]
    assert [child.label for child in derogatoria.children] == ["a)", "b)", "c)", "d)", "e)"]
    assert ("numbering_gap", 1023) in [(w.code, w.line) for w in result.warnings]


def test_ley_32069_keeps_its_spij_notes_and_concordances_as_notes(corpus):
    result = parsed(corpus, "ley32069")
    notes = of_kind(result, "note")
    assert sum(note.text.startswith("(*)") for note in notes) == 21
    assert sum(note.text.startswith("CONCORDANCIAS") for note in notes) == 16
    assert [node.kind for node in result.nodes[:8]] == ["header", *["note"] * 6, "formula"]
    assert result.nodes[7].text.startswith("LA PRESIDENTA DE LA REPÚBLICA POR CUANTO:")
    assert result.nodes[-1].kind == "formula"
    assert result.metadata["number"] == "32069"


# --- Spanish and Chilean bills --------------------------------------------------------------


def test_the_spanish_proposicion_has_one_article_with_seven_points(corpus):
    result = parsed(corpus, "bocg")
    assert [node.kind for node in result.nodes] == [
        "header",
        "explanatory_statement",
        "article",
        "provisions_group",
    ]
    article = result.nodes[2]
    assert (article.label, article.eid) == ("Artículo único.", "art_unico")
    assert article.heading.startswith("Modificación del texto refundido")
    assert article.heading.endswith("de 30 de octubre.")
    assert [child.label for child in article.children] == [
        "Uno.",
        "Dos.",
        "Tres.",
        "Cuatro.",
        "Cinco.",
        "Seis.",
        "Siete.",
    ]
    assert "«c)\u2003 Conducir con tasas de alcohol" in article.children[2].text
    assert groups(result) == [("", "final", ["Disposición final única."])]
    assert result.metadata["number"] == "122/000139"
    assert result.metadata["proponents"] == "Grupo Parlamentario Socialista"


def test_the_chilean_mocion_has_eleven_articles_and_a_transitory_one(corpus):
    result = parsed(corpus, "mocion")
    assert labels(result, "article") == [
        *(f"ARTÍCULO {number}°." for number in range(1, 10)),
        "ARTÍCULO 10°.CONFIDENCIALIDAD.",
        "ARTÍCULO 11°.",
    ]
    first = result.nodes[2]
    assert first.heading == "DEL DERECHO A LA IDENTIDAD DE GÉNERO."
    assert [child.label for child in first.children] == ["INCISO PRIMERO.", "INCISO SEGUNDO."]
    assert [child.label for child in first.children[0].children] == ["a)", "b)", "c)"]
    assert groups(result) == [
        ("DISPOSICIONES TRANSITORIAS.", "transitory", ["ARTÍCULO ÚNICO TRANSITORIO."])
    ]
    assert result.nodes[1].kind == "explanatory_statement"
    assert result.metadata["number"] == "8.924-07"
    assert result.warnings == []


# --- The 1993 Constitution ------------------------------------------------------------------


def test_the_constitution_is_joined_in_the_order_of_its_tables_of_contents(corpus):
    parts = [path for path, _ in constitution_parts(corpus)]
    assert parts[0] == "README.md"
    assert parts.index("titulo-iv/capitulo-viii.md") + 1 == parts.index("titulo-iv/capitulo-ix.md")
    assert parts.index("titulo-iv/capitulo-xiv.md") < parts.index("titulo-v/README.md")
    assert parts[-3:] == [
        "disposiciones-finales-y-transitorias.md",
        "disposiciones-transitorias-especiales.md",
        "declaracion.md",
    ]
    text = joined_constitution(corpus)
    assert "](" not in text.split("ARTICULO 1\n")[0]  # the tables of contents are left out


def test_the_constitution_has_its_206_articles_in_6_titles_and_26_chapters(corpus):
    result = parsed(corpus, "constitution")
    assert labels(result, "article") == [f"ARTICULO {number}" for number in range(1, 207)]
    assert labels(result, "title") == [
        f"TITULO {roman}" for roman in ("I", "II", "III", "IV", "V", "VI")
    ]
    assert len(of_kind(result, "chapter")) == 26
    assert of_kind(result, "article")[4].eid == "tit_1__chp_2__art_5"
    article_2 = of_kind(result, "article")[1]
    assert [child.label for child in article_2.children] == [f"{n}." for n in range(1, 25)]
    assert [child.label for child in article_2.children[-1].children] == [
        f"{letter}." for letter in "abcdefgh"
    ]


def test_the_constitution_keeps_its_preamble_provisions_and_declaration(corpus):
    result = parsed(corpus, "constitution")
    assert [node.kind for node in result.nodes[:3]] == ["preamble", "header", "title"]
    assert result.metadata["title"] == "Constitución Política del Perú 1993"
    finales, especiales, declaration = groups(result)
    assert finales[:2] == ("DISPOSICIONES FINALES Y TRANSITORIAS", "final")
    assert len(finales[2]) == 16
    assert (finales[2][6], finales[2][-1]) == ("Sétima", "Decimosexta")
    assert especiales == (
        "DISPOSICIONES TRANSITORIAS ESPECIALES",
        "transitory",
        ["Primera", "Segunda", "Tercera"],
    )
    assert declaration[:2] == ("DECLARACION", "other")
    warnings = [(warning.code, warning.line) for warning in result.warnings]
    # Article 118 lost the number of its incise 22; the declaration has a heading of its own.
    assert [code for code, _ in warnings] == ["numbering_gap", "unknown_heading"]


def test_the_constitution_parses_in_well_under_a_second(corpus):
    text = joined_constitution(corpus)
    parse_text(text)
    best = min(_seconds(lambda: parse_text(text)) for _ in range(3))
    assert best < 0.5


def _seconds(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started
