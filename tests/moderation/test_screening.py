"""The screening rules over one text, with the lists a new installation starts
with (the seed migration's constants): what each rule finds, exactly where, and
the near-misses it must leave alone (law and file numbers, amounts, dates,
words that contain an insult, names, real bill texts).

Every expectation is the whole answer of :func:`screen_text` as (rule, label,
the text found), so a hit that should not be there fails the test as surely as
one that is missing.
"""

import importlib
import re
import time

import pytest

from moderation.screening import Lists, Term, links, normalise, screen_text, tokens

SEED = importlib.import_module("moderation.migrations.0002_initial_lists")


def _seed_lists(max_links: int = 2) -> Lists:
    """The seed lists, with the default link allowance (APORTA_SCREENING_MAX_LINKS)."""
    terms = tuple(
        term
        for written, category in (
            *((text, "insult") for text in SEED.SPANISH_INSULTS),
            *((text, "slur") for text in SEED.SPANISH_SLURS),
            *((text, "insult") for text in SEED.ENGLISH_INSULTS),
            *((text, "slur") for text in SEED.ENGLISH_SLURS),
        )
        if (term := Term.parse(written, category)) is not None
    )
    return Lists(terms=terms, blocked_domains=frozenset(SEED.SHORTENERS), max_links=max_links)


LISTS = _seed_lists()


def found(text: str, lists: Lists = LISTS) -> list[tuple[str, str, str]]:
    """What screening answers, as (rule, label, the text found), in order of place."""
    return [(hit.rule, hit.label, text[hit.start : hit.end]) for hit in screen_text(text, lists)]


def test_the_seed_lists_all_parse():
    written = [
        *SEED.SPANISH_INSULTS,
        *SEED.SPANISH_SLURS,
        *SEED.ENGLISH_INSULTS,
        *SEED.ENGLISH_SLURS,
    ]
    assert len(LISTS.terms) == len(written)


# --- Normalising -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        pytest.param("HUEVÓN", "huevon", id="case-and-accent"),
        pytest.param("p3nd3j0", "pendejo", id="digits-for-letters"),
        pytest.param("1d10t4", "idiota", id="leet"),
        pytest.param("@sshole", "ashole", id="at-for-a"),
        pytest.param("$hit", "shit", id="dollar-for-s"),
        pytest.param("idiotaaaa", "idiota", id="stretched"),
        pytest.param("27444", "27444", id="a-number-stays-a-number"),
    ],
)
def test_normalise(word, expected):
    assert normalise(word) == expected


def test_tokens_keep_their_place_in_the_text():
    text = "¡Qué CoJuDo!"
    assert [(token.text, text[token.start : token.end]) for token in tokens(text)] == [
        ("que", "Qué"),
        ("cojudo", "CoJuDo"),
    ]


@pytest.mark.parametrize(
    ("text", "spelt"),
    [
        pytest.param("eres una p u t a", "p u t a", id="spaces"),
        pytest.param("eres un i.d.i.o.t.a!", "i.d.i.o.t.a", id="dots"),
        pytest.param("C-S-M", "C-S-M", id="dashes"),
    ],
)
def test_tokens_read_a_word_spelt_letter_by_letter_as_one(text, spelt):
    words = tokens(text)
    [joined] = [token for token in words if text[token.start : token.end] == spelt]
    assert joined.text == normalise(re.sub(r"\W", "", spelt))
    # In the order written: the word spelt out comes just before its first letter.
    first_letter = words[words.index(joined) + 1]
    assert (first_letter.start, len(first_letter.text)) == (joined.start, 1)


@pytest.mark.parametrize(
    ("written", "words", "prefix"),
    [
        pytest.param("pendej*", ("pendej",), True, id="prefix"),
        pytest.param("Huevón", ("huevon",), False, id="normalised"),
        pytest.param("concha de tu madre", ("concha", "de", "tu", "madre"), False, id="phrase"),
        pytest.param(" hijo de put* ", ("hijo", "de", "put"), True, id="phrase-with-prefix"),
    ],
)
def test_term_parse(written, words, prefix):
    term = Term.parse(written, "insult")
    assert (term.words, term.prefix, term.category) == (words, prefix, "insult")


@pytest.mark.parametrize(
    "written", ["", "   ", "*", "¡¿?!"], ids=["empty", "blank", "star", "marks"]
)
def test_term_parse_refuses_what_has_no_word(written):
    assert Term.parse(written, "insult") is None


# --- Insults and slurs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        # Peruvian Spanish.
        pytest.param("No seas huevón, lee el proyecto", "insult", "huevón", id="huevon"),
        pytest.param("Qué cojudo el congresista", "insult", "cojudo", id="cojudo"),
        pytest.param("conchatumadre, otra vez", "insult", "conchatumadre", id="conchatumadre"),
        pytest.param("csm, qué ley", "insult", "csm", id="csm"),
        pytest.param("CTM!!", "insult", "CTM", id="ctm"),
        pytest.param("son unos pendejos", "insult", "pendejos", id="pendej-prefix"),
        pytest.param("p3nd3j0 el que lo firmó", "insult", "p3nd3j0", id="pendejo-leet"),
        pytest.param("1d10t4 total", "insult", "1d10t4", id="idiota-leet"),
        pytest.param("idiotaaaa", "insult", "idiotaaaa", id="idiota-stretched"),
        pytest.param("terrucos todos", "insult", "terrucos", id="terruc-prefix"),
        pytest.param("es un cabro", "slur", "cabro", id="cabro"),
        pytest.param("ese rosquete", "slur", "rosquete", id="rosquete"),
        pytest.param("un cholo de mierda", "slur", "cholo de mierda", id="slur-phrase"),
        # Phrases, also spread over more spaces, or spelt out.
        pytest.param("hijo de puta", "insult", "hijo de puta", id="phrase"),
        pytest.param("hijo  de   puta", "insult", "hijo  de   puta", id="phrase-spaces"),
        pytest.param("hijo de p u t a", "insult", "hijo de p u t a", id="phrase-spelt"),
        # Letter by letter.
        pytest.param("eres una p u t a", "insult", "p u t a", id="spelt-spaces"),
        pytest.param("eres un i.d.i.o.t.a", "insult", "i.d.i.o.t.a", id="spelt-dots"),
        # English.
        pytest.param("You are an idiot", "insult", "idiot", id="en-idiot"),
        pytest.param("what a fucking joke", "insult", "fucking", id="en-fuck-prefix"),
        pytest.param("what an @sshole", "insult", "@sshole", id="en-at-for-a"),
        pytest.param("what an a$$hole", "insult", "a$$hole", id="en-dollar-for-s"),
        pytest.param("n1gg3r", "slur", "n1gg3r", id="en-slur-leet"),
        pytest.param("N I G G E R", "slur", "N I G G E R", id="en-slur-spelt"),
    ],
)
def test_terms_are_found(text, rule, matched):
    assert found(text) == [(rule, rule, matched)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("La computadora del despacho", id="computadora"),
        pytest.param("Es una disputa legítima", id="disputa"),
        pytest.param("La reputación del Congreso", id="reputacion"),
        pytest.param("El imputado tiene derechos", id="imputado"),
        pytest.param("Scunthorpe United", id="scunthorpe"),
        pytest.param("Queda pendiente la votación", id="pendiente"),
        pytest.param("El precio del huevo subió", id="huevo"),
        pytest.param("La cabra y el cabrito", id="cabra"),
        pytest.param("Es un proyecto estupendo", id="estupendo"),
        pytest.param("Kike Morón y Gil opinaron", id="names"),
        pytest.param("El Perú firmó con Nigeria y Níger", id="nigeria"),
        pytest.param("El fagot y la fagotista de la orquesta", id="fagot"),
        pytest.param("a spicy shiitake dish", id="en-spicy"),
    ],
)
def test_words_that_only_contain_a_term_are_not_hits(text):
    assert found(text) == []


def test_a_doubled_letter_of_a_term_must_be_doubled_in_the_word():
    """Repeats are read once (``perraaa``), but ``perra`` is no ``pera``: an
    administrator who adds a word with rr or ll must not hold every pear."""
    lists = Lists(terms=(Term.parse("perra", "insult"),))
    assert found("Una pera y dos peras", lists) == []
    assert found("Esa perraaa, esa p3rr4", lists) == [
        ("insult", "insult", "perraaa"),
        ("insult", "insult", "p3rr4"),
    ]


def test_a_term_inside_a_longer_term_is_found_once():
    assert found("hijo de puta y puta") == [
        ("insult", "insult", "hijo de puta"),
        ("insult", "insult", "puta"),
    ]


def test_a_phrase_in_both_lists_is_a_hit_of_each():
    lists = Lists(terms=(Term.parse("indio bruto", "slur"), Term.parse("indio bruto", "insult")))
    assert found("indio bruto", lists) == [
        ("insult", "insult", "indio bruto"),
        ("slur", "slur", "indio bruto"),
    ]


def test_the_words_of_a_phrase_must_follow_each_other():
    assert found("hijo de la vecina, puta madre") == [("insult", "insult", "puta")]
    assert found("hijo de\n\n\n\nputa") == [("insult", "insult", "puta")]


def test_a_prefix_term_in_a_phrase():
    lists = Lists(terms=(Term.parse("hijo de put*", "insult"),))
    assert found("hijos de putas, hijo de putísima", lists) == [
        ("insult", "insult", "hijo de putísima")
    ]


# --- Personal data --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "matched"),
    [
        # Phones.
        pytest.param("Llámame al 987 654 321", "phone", "987 654 321", id="mobile-groups"),
        pytest.param("Llámame al 987654321", "phone", "987654321", id="mobile"),
        pytest.param("Escríbeme al +51 987 654 321", "phone", "+51 987 654 321", id="mobile-51"),
        pytest.param("whatsapp +51987654321", "phone", "+51987654321", id="mobile-51-together"),
        pytest.param("mi celular N° 987654321", "phone", "987654321", id="mobile-numbered"),
        pytest.param("Fijo: (01) 234-5678", "phone", "(01) 234-5678", id="landline-lima"),
        pytest.param("En Cusco al (084) 23-4567", "phone", "(084) 23-4567", id="landline-cusco"),
        pytest.param("Call me at +1 (202) 555-0143", "phone", "+1 (202) 555-0143", id="us"),
        # E-mail addresses.
        pytest.param(
            "Escríbeme a juan.perez@gmail.com", "email", "juan.perez@gmail.com", id="email"
        ),
        pytest.param(
            "juan arroba gmail punto com", "email", "juan arroba gmail punto com", id="email-spelt"
        ),
        pytest.param(
            "juan (arroba) gmail (punto) com",
            "email",
            "juan (arroba) gmail (punto) com",
            id="email-spelt-brackets",
        ),
        pytest.param(
            "john [at] gmail [dot] com", "email", "john [at] gmail [dot] com", id="email-spelt-en"
        ),
        # Identity documents.
        pytest.param("Mi DNI es 45678912", "id_number", "45678912", id="dni"),
        pytest.param("D.N.I. N° 45678912", "id_number", "45678912", id="dni-dotted"),
        pytest.param("Su número es 45678912", "id_number", "45678912", id="eight-digits"),
        pytest.param("RUC 10456789121", "id_number", "10456789121", id="ruc-person-10"),
        pytest.param("Ficha RUC 17456789121", "id_number", "17456789121", id="ficha-ruc-person"),
        pytest.param(
            "carné de extranjería N° 001234567", "id_number", "001234567", id="carne-extranjeria"
        ),
        pytest.param("pasaporte X1234567", "id_number", "X1234567", id="pasaporte"),
        pytest.param("passport number 123456789", "id_number", "123456789", id="passport"),
        # Addresses.
        pytest.param("Vivo en Av. Arequipa 1234", "address", "Av. Arequipa 1234", id="avenida"),
        pytest.param(
            "Vive en Jr. de la Unión 456", "address", "Jr. de la Unión 456", id="jiron-connectors"
        ),
        pytest.param(
            "en la Calle Los Pinos 123", "address", "Calle Los Pinos 123", id="calle-capitalised"
        ),
        pytest.param(
            "Av. 28 de Julio 1234, Miraflores", "address", "Av. 28 de Julio 1234", id="date-name"
        ),
        pytest.param(
            "Av. Javier Prado Este 4200, dpto. 301",
            "address",
            "Av. Javier Prado Este 4200, dpto. 301",
            id="with-flat",
        ),
        pytest.param("AAHH Los Olivos Mz. B Lt. 12", "address", "Mz. B Lt. 12", id="manzana-lote"),
        pytest.param(
            "1600 Pennsylvania Avenue", "address", "1600 Pennsylvania Avenue", id="en-avenue"
        ),
        pytest.param("at 10 Mulholland Dr.", "address", "10 Mulholland Dr.", id="en-drive"),
    ],
)
def test_personal_data_is_found(text, label, matched):
    assert found(text) == [("personal_data", label, matched)]


def test_personal_data_in_one_comment():
    text = (
        "Denuncio a mi vecino: DNI 45678912, vive en Calle Los Pinos 123 y "
        "contesta al 987 654 321 o a vecino@gmail.com."
    )
    assert found(text) == [
        ("personal_data", "id_number", "45678912"),
        ("personal_data", "address", "Calle Los Pinos 123"),
        ("personal_data", "phone", "987 654 321"),
        ("personal_data", "email", "vecino@gmail.com"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # Numbers of laws, decrees, files and bills.
        pytest.param("Artículo 12 del Decreto Legislativo 1234", id="decreto-legislativo"),
        pytest.param("Ley N° 27444", id="ley-n"),
        pytest.param("la Ley 30364 contra la violencia", id="ley"),
        pytest.param("Ley N.º 31814, que promueve la IA", id="ley-n-ordinal"),
        pytest.param("conforme a la Ley N° 12345678, se dispone", id="eight-digit-law"),
        pytest.param("Decreto Supremo 004-2019-JUS", id="decreto-supremo"),
        pytest.param("Expediente 00123-2020-PA/TC", id="expediente-tc"),
        pytest.param("Resolución 045-2023", id="resolucion"),
        pytest.param("Proyecto de Ley 1234/2025-CR", id="proyecto-de-ley"),
        pytest.param("Oficio N° 987654321-2024", id="oficio-nine-digits"),
        # Amounts, counts, dates, percentages.
        pytest.param("S/ 45678912", id="soles-sign"),
        pytest.param("12000000 soles", id="soles-word"),
        pytest.param("10000000000 de soles", id="soles-eleven-digits"),
        pytest.param("US$ 12345678", id="dollars"),
        pytest.param("un incremento de +20 000 000 soles", id="plus-amount"),
        pytest.param("Total 31237385 habitantes", id="count"),
        pytest.param("Se publicó el 12/03/2025", id="date"),
        pytest.param("subió 12.5% y luego 45%", id="percentages"),
        pytest.param("artículo 2, inciso 24, literal f", id="article-numbering"),
        # A company's RUC is public.
        pytest.param("RUC 20123456789", id="company-ruc"),
        # Digits inside codes and hashes.
        pytest.param("pedido PE987654321X", id="code"),
        pytest.param("commit ecff377838b716d4ad009f8e64e81789143b7960", id="hash"),
        # Streets that are not an address.
        pytest.param("murieron en la calle y 20 personas", id="calle-y-20"),
        pytest.param("En la cuadra 12 de la Av. Brasil hay 3 colegios", id="street-then-count"),
        pytest.param("En la Plaza San Martín 300 personas protestaron", id="plaza-count"),
        pytest.param("el Jr. Huallaga 500 metros más allá", id="street-metres"),
        pytest.param("Periodo 2016-2021 Presidente Dr. Martín Vizcarra", id="doctor"),
    ],
)
def test_numbers_and_words_that_look_like_personal_data_are_not(text):
    assert found(text) == []


# --- Links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ver https://www.gob.pe/x", [("https://www.gob.pe/x", "gob.pe")], id="url"),
        pytest.param(
            "ver www.congreso.gob.pe.", [("www.congreso.gob.pe", "congreso.gob.pe")], id="www"
        ),
        pytest.param("ver ejemplo.pe", [("ejemplo.pe", "ejemplo.pe")], id="bare-domain"),
        pytest.param("escribe a juan@gmail.com", [], id="email-is-no-link"),
        pytest.param("archivo informe.pdf", [], id="file-name"),
        pytest.param("Estoy de acuerdo.Es una buena ley.De verdad.Me gusta", [], id="no-space"),
        pytest.param("el numeral 3.1 y el 2.5", [], id="numbering"),
    ],
)
def test_links(text, expected):
    assert [(text[start:end], host) for start, end, host in links(text)] == expected


@pytest.mark.parametrize(
    ("text", "matched", "host"),
    [
        pytest.param("mira https://bit.ly/abc123", "https://bit.ly/abc123", "bit.ly", id="url"),
        pytest.param("mira bit.ly/abc123", "bit.ly/abc123", "bit.ly", id="bare"),
        pytest.param(
            "mira http://www.tinyurl.com/x", "http://www.tinyurl.com/x", "tinyurl.com", id="www"
        ),
        pytest.param(
            "mira https://go.bit.ly/x", "https://go.bit.ly/x", "go.bit.ly", id="subdomain"
        ),
        pytest.param("mira https://BIT.LY/X", "https://BIT.LY/X", "bit.ly", id="capitals"),
        pytest.param("mira https://bit.ly./x", "https://bit.ly./x", "bit.ly", id="root-dot"),
    ],
)
def test_a_link_to_a_blocked_domain_is_a_hit(text, matched, host):
    assert found(text) == [("link", host, matched)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("mira https://notbit.ly/x", id="name-ending-alike"),
        pytest.param("mira https://bit.ly.example.com/x", id="blocked-name-as-subdomain"),
        pytest.param("mira https://example.com/?u=bit.ly", id="blocked-name-in-query"),
    ],
)
def test_only_the_blocked_domain_and_its_subdomains_are_blocked(text):
    assert found(text) == []


def test_links_up_to_the_allowance_are_not_hits():
    text = "Ver https://www.congreso.gob.pe y www.gob.pe"
    assert len(links(text)) == LISTS.max_links
    assert found(text) == []


def test_every_link_is_a_hit_above_the_allowance():
    text = "ver ejemplo.pe, congreso.gob.pe y https://www.gob.pe/institucion"
    assert found(text) == [
        ("link", "too_many", "ejemplo.pe"),
        ("link", "too_many", "congreso.gob.pe"),
        ("link", "too_many", "https://www.gob.pe/institucion"),
    ]


def test_a_blocked_link_keeps_its_label_above_the_allowance():
    text = "a.com b.com bit.ly/x"
    assert found(text) == [
        ("link", "too_many", "a.com"),
        ("link", "too_many", "b.com"),
        ("link", "bit.ly", "bit.ly/x"),
    ]


def test_no_links_allowed():
    lists = _seed_lists(max_links=0)
    assert found("ver ejemplo.pe", lists) == [("link", "too_many", "ejemplo.pe")]


# --- Shouting and flooding ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "ESTA LEY ES UNA VERGÜENZA PARA TODOS LOS PERUANOS",
            [("shouting", "capitals", "ESTA LEY ES UNA VERGÜENZA PARA TODOS LOS PERUANOS")],
            id="shouting",
        ),
        pytest.param("ESTA LEY ES UNA VERGÜENZA", [], id="short-capitals"),
        pytest.param("La ONU y la OEA", [], id="acronyms"),
        pytest.param(
            "La ONU, la OEA, la OMS, la OIT, la OCDE y la CEPAL firmaron la declaración",
            [],
            id="many-acronyms",
        ),
        pytest.param(
            "¡¡¡Basta!!!!!!!!!!", [("flooding", "repeated_character", "!!!!!!!!!!")], id="marks"
        ),
        pytest.param("¡¡¡Basta!!!!!!!!!", [], id="nine-marks"),
        pytest.param(
            "noooooooooo", [("flooding", "repeated_character", "oooooooooo")], id="letters"
        ),
        pytest.param("S/ 10000000000", [], id="digits-are-a-number"),
        pytest.param(
            "no no no no no", [("flooding", "repeated_word", "no no no no no")], id="word-run"
        ),
        pytest.param(
            "NO, No, no. no; NO", [("flooding", "repeated_word", "NO, No, no. no; NO")], id="mixed"
        ),
        pytest.param("no no no no", [], id="four-times"),
        pytest.param(
            "Supercalifragilisticoespialidoso" * 2,
            [("flooding", "long_word", "Supercalifragilisticoespialidoso" * 2)],
            id="long-word",
        ),
        pytest.param("https://drive.google.com/file/d/" + "1AbCdEfGh2IjKlMnOp" * 4, [], id="url"),
    ],
)
def test_shouting_and_flooding(text, expected):
    assert found(text) == expected


def test_a_word_spelt_out_several_times_is_no_run():
    """A word spelt out is read in its place: five far apart are not "in a row"."""
    text = ", no sé, ".join(["p u t o"] * 5)
    assert [rule for rule, _label, _text in found(text)] == ["insult"] * 5


# --- Real texts, hostile texts ------------------------------------------------------------

# Parts of the shared corpus in Spanish: Peruvian bills (OCR), a Peruvian law,
# the Constitution, a Spanish and a Chilean bill.
BILLS = [
    pytest.param("pe-proyecto-ley-*.txt", id="pe-bills"),
    pytest.param("pe-ley-32069-*.md", id="pe-law-32069"),
    pytest.param("pe-constitucion-1993/**/*.md", id="pe-constitution"),
    pytest.param("es-bocg-*.txt", id="es-bill"),
    pytest.param("cl-boletin-*.txt", id="cl-bill"),
]


@pytest.mark.parametrize("pattern", BILLS)
def test_real_bill_texts_hold_no_personal_data_insult_or_slur(corpus, pattern):
    """Each paragraph, and each line, as a citizen would quote it."""
    paths = sorted((corpus / "bills-es").glob(pattern))
    assert paths, f"nothing in the corpus matches {pattern}"
    wrong = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        pieces = {*re.split(r"\n\s*\n", text), *text.splitlines()}
        for piece in pieces:
            for hit in screen_text(piece, LISTS):
                if hit.rule in {"personal_data", "insult", "slur"}:
                    wrong.append((path.name, hit.rule, hit.label, piece[hit.start : hit.end]))
    assert wrong == []


def test_a_whole_law_holds_no_link_personal_data_insult_or_slur(corpus):
    """Ley 32069 whole (228 KB), as a proposal pasting all of it would be read."""
    text = (corpus / "bills-es" / "pe-ley-32069-ley-general-contrataciones-publicas.md").read_text(
        encoding="utf-8"
    )
    hits = screen_text(text, LISTS)
    assert [hit for hit in hits if hit.rule in {"personal_data", "insult", "slur", "link"}] == []


def test_every_naughty_string_is_screened(naughty_strings):
    for text in naughty_strings:
        hits = screen_text(text, LISTS)
        assert hits == sorted(hits)
        for hit in hits:
            assert 0 <= hit.start < hit.end <= len(text), (text, hit)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("😀😀😀 ¡Qué buena ley! 👍🏽", id="emoji"),
        pytest.param("Привет мир, 你好世界, مرحبا بالعالم", id="other-scripts"),
        pytest.param("\u200b\u202e\ufeff", id="invisible"),
    ],
)
def test_text_without_anything_to_find(text):
    assert found(text) == []


def test_a_long_hostile_text_is_screened_quickly():
    """A 20,000-character comment of every kind of hostile content, and floods
    of the kinds that make careless patterns scan a run again from each of its
    characters (seconds each, before): a guard against catastrophic
    backtracking, far above what a worker should spend."""
    comment = (
        "¡HUEVÓN, ERES UN CONCHATUMADRE! Llámame al 987 654 321 o escribe a "
        "juan.perez@gmail.com, vivo en Av. Arequipa 1234. Mi DNI es 45678912. "
        "Lee la Ley N° 27444 y el Decreto Supremo 004-2019-JUS en bit.ly/abc, "
        "tinyurl.com/x y www.congreso.gob.pe: no no no no no!!!!!!!!!! "
        "p u t a, i.d.i.o.t.a, p3nd3j0, @sshole, S/ 45678912. "
    )
    floods = ["jajaja" * 300, "p.u.t.a." * 250, "a-a-" * 500, "www." * 500]
    text = comment * 40
    text = " ".join([text[: 20_000 - sum(len(flood) + 1 for flood in floods)], *floods])
    assert 19_900 <= len(text) <= 20_000

    started = time.perf_counter()
    hits = screen_text(text, LISTS)
    elapsed = time.perf_counter() - started

    assert elapsed < 1, f"{elapsed:.2f} s"
    assert {hit.rule for hit in hits} == {"insult", "personal_data", "link", "flooding"}


@pytest.mark.parametrize(
    "flood",
    [
        pytest.param("jajaja" * 3_400, id="laughter"),
        pytest.param("p.u.t.a." * 2_500, id="dotted-letters"),
        pytest.param("no-no-" * 3_400, id="dashed-words"),
    ],
)
def test_a_long_unbroken_flood_is_screened_quickly(flood):
    started = time.perf_counter()
    hits = screen_text(flood, LISTS)
    elapsed = time.perf_counter() - started
    assert elapsed < 1, f"{elapsed:.2f} s"
    assert "flooding" in {hit.rule for hit in hits}
