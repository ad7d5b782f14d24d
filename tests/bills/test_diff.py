"""The word diff inside a provision, and its accessible HTML."""

import itertools
import random
import re
from html import unescape

import pytest

from bills import diff
from bills.diff import DELETE, EQUAL, INSERT, Segment, render_diff_html, word_diff

ARTICLE = (
    "Artículo 5.- Plazos\n"
    "El Ministerio de Economía y Finanzas aprueba el reglamento en un plazo de "
    "sesenta (60) días hábiles, contados desde la entrada en vigencia de la presente ley; "
    "para ello, coordina con los gobiernos regionales y locales, el Organismo "
    "Especializado para las Contrataciones Públicas Eficientes (OECE) y Perú Compras."
)
# Whitespace the edits may introduce: spaces, tabs, line breaks, a no-break space.
SPACES = [" ", "  ", "\t", "\n", " \n", "\u00a0", "\r\n"]
WORDS = ["ley", "Estado", "artículo", "5-A", "días", "(60)", "«cita»", "N.°", "café", "¿qué?"]


def seeded(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not secrets


def old_side(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments if segment.op != INSERT)


def new_side(segments: list[Segment]) -> str:
    return "".join(segment.text for segment in segments if segment.op != DELETE)


def assert_exact(old: str, new: str) -> list[Segment]:
    segments = word_diff(old, new)
    assert old_side(segments) == old
    assert new_side(segments) == new
    assert all(segment.text for segment in segments), "no empty segments"
    assert all(segment.op in {EQUAL, INSERT, DELETE} for segment in segments)
    for before, after in itertools.pairwise(segments):
        assert before.op != after.op, "neighbours of the same kind are merged"
        assert (before.op, after.op) != (INSERT, DELETE), "a deletion comes first"
    return segments


def random_edit(text: str, rng: random.Random) -> str:
    """Deletes, inserts, replaces or respaces a few pieces of ``text``."""
    pieces = diff._TOKEN.findall(text)
    tokens = [piece for pair in pieces for piece in pair if piece]
    for _ in range(rng.randint(1, 6)):
        action = rng.choice(["delete", "insert", "replace", "space", "swap"])
        position = rng.randrange(len(tokens) + 1)
        if action == "delete" and tokens:
            del tokens[min(position, len(tokens) - 1)]
        elif action == "insert":
            tokens.insert(position, rng.choice(SPACES) + rng.choice(WORDS))
        elif action == "replace" and tokens:
            tokens[min(position, len(tokens) - 1)] = rng.choice(WORDS)
        elif action == "space":
            tokens.insert(position, rng.choice(SPACES))
        elif action == "swap" and len(tokens) > 2:
            index = min(position, len(tokens) - 2)
            tokens[index], tokens[index + 1] = tokens[index + 1], tokens[index]
    return "".join(tokens)


# Exactness


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("", ""),
        ("", "Nuevo texto."),
        ("Texto derogado.", ""),
        ("   ", "\n"),
        ("a b c", "a c"),
        ("b", "a b"),
        ("a  b\n", "a b"),
        ("El plazo es de 30 días hábiles.", "El término es de 60 días calendario."),
        ("Artículo 5.-", "Artículo 5-A.-"),
        ("café", "cafe\u0301"),
        (ARTICLE, ARTICLE.replace("sesenta (60)", "noventa (90)")),
        (ARTICLE, ARTICLE.upper()),
        (ARTICLE, " ".join(reversed(ARTICLE.split()))),
    ],
)
def test_joining_the_segments_gives_back_both_texts_exactly(old, new):
    assert_exact(old, new)


def test_random_edits_of_an_article_always_join_back_exactly():
    rng = seeded(20260101)
    for _ in range(500):
        old = random_edit(ARTICLE, rng) if rng.random() < 0.5 else ARTICLE
        assert_exact(old, random_edit(old, rng))


def test_random_edits_of_a_long_text_compared_sentence_first_join_back_exactly():
    rng = seeded(7)
    long_text = "\n".join([ARTICLE] * 40)  # ~2,000 words, past the sentence pass
    for _ in range(20):
        edited = random_edit(random_edit(long_text, rng), rng)
        assert_exact(long_text, edited)


def test_naughty_strings_against_each_other_join_back_exactly(naughty_strings):
    rng = seeded(1)
    for index, text in enumerate(naughty_strings):
        neighbour = naughty_strings[(index + 1) % len(naughty_strings)]
        assert_exact(text, neighbour)
        assert_exact(text, "")
        assert_exact("", text)
        assert_exact(text, random_edit(text, rng) if text.strip() else text + " x")
        assert_exact(f"Artículo 1. {text} fin.", f"Artículo 1. {neighbour} fin.")


# What the segments say


def test_identical_texts_are_one_equal_segment_and_empty_texts_none():
    assert word_diff(ARTICLE, ARTICLE) == [Segment(EQUAL, ARTICLE)]
    assert word_diff("", "") == []


def test_a_changed_word_is_one_deletion_and_one_insertion_with_its_space():
    segments = word_diff("El plazo es de treinta días.", "El plazo es de sesenta días.")
    assert segments == [
        Segment(EQUAL, "El plazo es de"),
        Segment(DELETE, " treinta"),
        Segment(INSERT, " sesenta"),
        Segment(EQUAL, " días."),
    ]


def test_punctuation_is_a_token_of_its_own():
    segments = word_diff("Artículo 5. Objeto", "Artículo 5: Objeto")
    assert segments == [
        Segment(EQUAL, "Artículo 5"),
        Segment(DELETE, "."),
        Segment(INSERT, ":"),
        Segment(EQUAL, " Objeto"),
    ]


def test_a_change_of_spacing_alone_is_reported_as_a_change_of_spacing():
    segments = word_diff("Artículo  5", "Artículo\n5")
    assert segments == [
        Segment(EQUAL, "Artículo"),
        Segment(DELETE, "  "),
        Segment(INSERT, "\n"),
        Segment(EQUAL, "5"),
    ]


def test_combining_accents_stay_with_their_letter():
    segments = word_diff("cafe\u0301 con leche", "café con leche")
    assert segments[0] == Segment(DELETE, "cafe\u0301")
    assert segments[1] == Segment(INSERT, "café")


def test_a_rewritten_sentence_reads_as_one_deletion_and_one_insertion():
    old = "La ley entra en vigencia al día siguiente de su publicación."
    new = "Esta norma rige desde el primer día del mes siguiente a su publicación oficial."
    segments = assert_exact(old, new)
    first_change = [segment.op for segment in segments[:2]]
    assert first_change == [DELETE, INSERT]
    assert segments[0].text == "La ley entra en vigencia al día"  # "día" folded in


def test_long_equal_stretches_between_changes_are_kept():
    old = "Primero: uno. " + "Texto que no cambia en absoluto. " * 3 + "Segundo: dos."
    new = "Primero: UNO. " + "Texto que no cambia en absoluto. " * 3 + "Segundo: DOS."
    ops = [segment.op for segment in word_diff(old, new)]
    assert ops == [EQUAL, DELETE, INSERT, EQUAL, DELETE, INSERT, EQUAL]


def test_a_small_edit_in_a_long_article_stays_small():
    long_text = "\n".join(f"{n}. {ARTICLE}" for n in range(60))  # ~3,000 words
    edited = long_text.replace("30. Artículo 5.- Plazos", "30. Artículo 5.- Términos")
    segments = assert_exact(long_text, edited)
    changes = [segment for segment in segments if segment.op != EQUAL]
    assert changes == [Segment(DELETE, " Plazos"), Segment(INSERT, " Términos")]


def test_opcodes_on_token_lists_cover_both_sides():
    a = diff.tokens(ARTICLE * 10)
    b = diff.tokens((ARTICLE * 10).replace("días", "meses"))
    codes = diff.opcodes(a, b)
    assert (codes[0][1], codes[0][3]) == (0, 0)
    assert (codes[-1][2], codes[-1][4]) == (len(a), len(b))
    for before, after in itertools.pairwise(codes):
        assert (before[2], before[4]) == (after[1], after[3])
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]


# HTML


def test_the_html_escapes_everything_from_the_texts():
    html = render_diff_html(
        word_diff("<script>alert(1)</script> & \"x\" 'y'", "<img src=x onerror=alert(2)> & z")
    )
    tags = set(re.findall(r"<[^>]*>", html))
    assert tags <= {
        "<del>",
        "</del>",
        "<ins>",
        "</ins>",
        '<span class="visually-hidden">',
        "</span>",
    }
    assert "script&gt;alert(1)&lt;/script&gt;" in html
    assert "img src=x onerror=alert(2)&gt;" in html
    assert "&amp;" in html
    assert "&quot;x&quot;" in html
    assert "&#x27;y&#x27;" in html


def test_the_html_marks_changes_with_del_and_ins_and_cues_for_screen_readers():
    html = render_diff_html(word_diff("Plazo de treinta días.", "Plazo de sesenta días."))
    assert html == (
        "Plazo de "
        '<del><span class="visually-hidden">deleted text: </span>treinta'
        '<span class="visually-hidden"> end of deleted text</span></del> '
        '<ins><span class="visually-hidden">inserted text: </span>sesenta'
        '<span class="visually-hidden"> end of inserted text</span></ins>'
        " días."
    )


def test_the_cues_go_through_gettext(monkeypatch):
    monkeypatch.setattr(diff, "gettext", lambda message: f"«{message}»")
    html = render_diff_html(word_diff("uno", "dos"))
    for cue in ("deleted text:", "end of deleted text", "inserted text:", "end of inserted text"):
        assert f"«{cue}»" in html


def test_a_change_of_spacing_alone_renders_as_plain_spacing():
    html = render_diff_html(word_diff("Artículo  5", "Artículo 5"))
    assert "<del>" not in html
    assert "<ins>" not in html
    assert html == "Artículo 5"


def test_a_deleted_line_break_is_not_shown():
    assert render_diff_html(word_diff("uno\ndos", "uno dos")) == "uno dos"
    assert render_diff_html(word_diff("uno , dos", "uno, dos")) == "uno, dos"


def reading_of(html: str, without: str) -> str:
    """The text a reader sees once the ``without`` elements and the cues are gone,
    whitespace left out: spacing at the edge of a change is shown outside it."""
    html = re.sub(rf"<{without}>.*?</{without}>", "", html, flags=re.DOTALL)
    html = re.sub(r'<span class="visually-hidden">.*?</span>', "", html, flags=re.DOTALL)
    return "".join(unescape(re.sub(r"<[^>]*>", "", html)).split())


def assert_readings(old: str, new: str) -> None:
    html = render_diff_html(word_diff(old, new))
    assert reading_of(html, "del") == "".join(new.split())
    assert reading_of(html, "ins") == "".join(old.split())


def test_the_html_without_deletions_reads_as_the_new_text_and_without_insertions_as_the_old():
    rng = seeded(5)
    for _ in range(200):
        assert_readings(ARTICLE, random_edit(ARTICLE, rng))


def test_the_html_of_naughty_strings_reads_as_both_texts(naughty_strings):
    for old, new in itertools.pairwise(naughty_strings):
        assert_readings(old, new)


def test_the_html_is_safe_for_templates():
    html = render_diff_html([Segment(EQUAL, "<b>")])
    assert html == "&lt;b&gt;"
    assert hasattr(html, "__html__")
