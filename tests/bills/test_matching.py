"""Matching provisions across versions: moved, renumbered, inserted, deleted, changed."""

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bills.importers.base import Node
from bills.matching import (
    OTHER_THRESHOLD,
    SAME_LABEL_THRESHOLD,
    Item,
    Match,
    items_from_nodes,
    match_items,
    store_matches,
    version_match,
)
from bills.models import (
    Bill,
    BillVersion,
    Chamber,
    MatchStatus,
    Provision,
    ProvisionMatch,
    SourceFormat,
)

pytestmark = pytest.mark.django_db

UNCHANGED, CHANGED, MOVED = MatchStatus.UNCHANGED, MatchStatus.CHANGED, MatchStatus.MOVED
DELETED, INSERTED = MatchStatus.DELETED, MatchStatus.INSERTED

# Twelve articles on different subjects, as in a real bill.
TEXTS = [
    "La presente ley tiene por objeto promover la participación ciudadana en la "
    "elaboración de las leyes mediante consultas públicas abiertas.",
    "Las comisiones ordinarias publican el texto de cada proyecto de ley y reciben "
    "comentarios de la ciudadanía durante un plazo no menor de quince días.",
    "El Congreso de la República habilita una plataforma digital accesible, gratuita "
    "y segura, que cumple las pautas de accesibilidad para personas con discapacidad.",
    "Toda persona natural o jurídica puede presentar aportes, sin más requisito que "
    "identificarse conforme al reglamento aprobado por la Mesa Directiva.",
    "Los datos personales de los participantes se tratan conforme a la Ley 29733, "
    "Ley de Protección de Datos Personales, y no se publican sin su consentimiento.",
    "La comisión responde de manera motivada a cada aporte, indicando si fue "
    "incorporado, incorporado parcialmente o no incorporado al dictamen.",
    "El informe final de la consulta forma parte del expediente del proyecto y se "
    "publica junto con el dictamen de la comisión dictaminadora.",
    "Los gobiernos regionales y municipalidades pueden adherirse a la plataforma "
    "para consultar sus ordenanzas, previo convenio con el Congreso.",
    "La Oficialía Mayor supervisa el funcionamiento técnico de la plataforma y "
    "presenta un reporte anual de uso al Pleno del Congreso.",
    "Se prohíbe el uso de la plataforma para fines de propaganda electoral o "
    "difusión de contenidos que inciten al odio o la violencia.",
    "La implementación de la presente ley se financia con cargo al presupuesto "
    "institucional del pliego Congreso, sin demandar recursos adicionales al Tesoro.",
    "El reglamento de la presente ley se aprueba en un plazo máximo de noventa días "
    "calendario contados desde su publicación en el diario oficial.",
]
NEW_TEXT = (
    "Las universidades públicas y privadas colaboran con la difusión de las consultas "
    "entre sus estudiantes, docentes y egresados de todas las regiones del país."
)


def article(side: str, number: int, text: str, **fields) -> Item:
    fields.setdefault("eid", f"art_{number}")
    fields.setdefault("key", f"{side}:art_{number}")
    return Item(kind="article", label=f"Artículo {number}.", text=text, **fields)


def articles(side: str, texts: list[str], first: int = 1) -> list[Item]:
    return [article(side, first + n, text) for n, text in enumerate(texts)]


def edit(text: str, word: str = "CAMBIADO") -> str:
    """Replaces one word in the middle of ``text``."""
    words = text.split()
    if words:
        words[len(words) // 2] = word
    return " ".join(words)


def by_old(matches: list[Match]) -> dict:
    return {match.old_key: match for match in matches if match.old_key is not None}


def by_new(matches: list[Match]) -> dict:
    return {match.new_key: match for match in matches if match.new_key is not None}


def statuses(matches: list[Match]) -> Counter:
    return Counter(match.status for match in matches)


def assert_one_to_one(old: list[Item], new: list[Item], matches: list[Match]) -> None:
    olds = [match.old_key for match in matches if match.old_key is not None]
    news = [match.new_key for match in matches if match.new_key is not None]
    assert sorted(map(str, olds)) == sorted(str(item.key) for item in old)
    assert sorted(map(str, news)) == sorted(str(item.key) for item in new)
    for match in matches:
        assert (match.old_key is None) == (match.status == INSERTED)
        assert (match.new_key is None) == (match.status == DELETED)
        assert 0.0 <= match.similarity <= 1.0


# Articles


def test_an_identical_version_is_unchanged_throughout():
    old, new = articles("old", TEXTS), articles("new", TEXTS)
    matches = match_items(old, new)
    assert statuses(matches) == {UNCHANGED: 12}
    assert all(match.similarity == 1.0 for match in matches)
    assert [match.new_key for match in matches] == [item.key for item in new]


def test_articles_renumbered_after_an_insertion_are_moved_not_deleted_and_added():
    old = articles("old", TEXTS[:10])
    new = [*articles("new", TEXTS[:2]), article("new", 3, NEW_TEXT)]
    new += articles("new", TEXTS[2:10], first=4)  # articles 3..10 become 4..11
    matches = match_items(old, new)
    assert_one_to_one(old, new, matches)
    assert statuses(matches) == {UNCHANGED: 2, INSERTED: 1, MOVED: 8}
    forward = by_old(matches)
    for number in range(3, 11):
        assert forward[f"old:art_{number}"].new_key == f"new:art_{number + 1}"
        assert forward[f"old:art_{number}"].status == MOVED
        assert forward[f"old:art_{number}"].similarity == 1.0
    assert by_new(matches)["new:art_3"].status == INSERTED


def test_renumbered_articles_that_were_also_edited_are_still_moved():
    old = articles("old", TEXTS[:10])
    new = [*articles("new", TEXTS[:2]), article("new", 3, NEW_TEXT)]
    new += articles("new", [edit(text) for text in TEXTS[2:10]], first=4)
    forward = by_old(match_items(old, new))
    for number in range(3, 11):
        match = forward[f"old:art_{number}"]
        assert (match.new_key, match.status) == (f"new:art_{number + 1}", MOVED)
        assert OTHER_THRESHOLD < match.similarity < 1.0


def test_a_deleted_article_is_deleted_and_the_following_ones_move_up():
    old = articles("old", TEXTS[:6])
    new = articles("new", TEXTS[:2] + TEXTS[3:6])
    matches = match_items(old, new)
    assert_one_to_one(old, new, matches)
    forward = by_old(matches)
    assert forward["old:art_3"] == Match("old:art_3", None, DELETED, 0.0)
    assert forward["old:art_4"].new_key == "new:art_3"
    assert statuses(matches) == {UNCHANGED: 2, DELETED: 1, MOVED: 3}


def test_a_small_edit_is_a_change_with_its_similarity():
    old = articles("old", TEXTS[:3])
    new = articles("new", [TEXTS[0], edit(TEXTS[1]), TEXTS[2]])
    match = by_old(match_items(old, new))["old:art_2"]
    assert (match.new_key, match.status) == ("new:art_2", CHANGED)
    assert 0.9 < match.similarity < 1.0


def test_a_heavily_edited_article_that_keeps_its_number_is_changed():
    words = TEXTS[1].split()
    half_rewritten = " ".join(words[: len(words) // 2] + NEW_TEXT.split()[: len(words) // 2])
    old, new = articles("old", TEXTS[:3]), articles("new", [TEXTS[0], half_rewritten, TEXTS[2]])
    match = by_old(match_items(old, new))["old:art_2"]
    assert (match.new_key, match.status) == ("new:art_2", CHANGED)
    assert SAME_LABEL_THRESHOLD <= match.similarity < OTHER_THRESHOLD


def test_an_article_rewritten_beyond_recognition_is_deleted_and_a_new_one_inserted():
    old, new = articles("old", TEXTS[:3]), articles("new", [TEXTS[0], NEW_TEXT, TEXTS[2]])
    matches = match_items(old, new)
    assert by_old(matches)["old:art_2"].status == DELETED
    assert by_new(matches)["new:art_2"].status == INSERTED


def test_swapped_articles_are_both_moved():
    old = articles("old", TEXTS[:4])
    new = articles("new", [TEXTS[0], TEXTS[2], TEXTS[1], TEXTS[3]])
    forward = by_old(match_items(old, new))
    assert (forward["old:art_2"].new_key, forward["old:art_2"].status) == ("new:art_3", MOVED)
    assert (forward["old:art_3"].new_key, forward["old:art_3"].status) == ("new:art_2", MOVED)
    assert forward["old:art_4"].status == UNCHANGED


def test_the_way_a_label_is_written_does_not_matter():
    old = [
        Item("o5", "article", "Artículo 5.", TEXTS[0]),
        Item("o5a", "article", "Artículo 5-A.-", TEXTS[1]),
        Item("o6", "article", "ARTÍCULO 6°", TEXTS[2]),
    ]
    new = [
        Item("n5", "article", "Art. 5°", TEXTS[0]),
        Item("n5a", "article", "Art. 5-A", TEXTS[1]),
        Item("n6", "article", "Artículo 6.-", TEXTS[2]),
    ]
    assert statuses(match_items(old, new)) == {UNCHANGED: 3}


def test_article_5_bis_is_not_article_5():
    old = [Item("o5", "article", "Artículo 5", TEXTS[0])]
    new = [Item("n5", "article", "Artículo 5 bis", TEXTS[0])]
    assert match_items(old, new)[0].status == MOVED


def test_an_equal_eid_is_only_a_hint():
    # Positional eIds: after the insertion, art_4 names another article.
    old = articles("old", TEXTS[:5])
    new = articles("new", [*TEXTS[:3], NEW_TEXT, *TEXTS[3:5]])
    forward = by_old(match_items(old, new))
    assert forward["old:art_4"].new_key == "new:art_5"
    assert forward["old:art_5"].new_key == "new:art_6"


def test_the_eid_breaks_a_tie_between_equally_good_candidates():
    old = [Item("o1", "article", "Artículo 1.", TEXTS[0], eid="art_1")]
    new = [
        Item("n5", "article", "Artículo 5.", TEXTS[0], eid="art_5"),
        Item("n6", "article", "Artículo 6.", TEXTS[0], eid="art_1"),
    ]
    assert by_old(match_items(old, new))["o1"].new_key == "n6"


# Split and merge: the match is one to one, so one side of the split or merge
# has no partner.


def test_a_split_article_matches_its_larger_part_and_the_rest_is_inserted():
    words = (TEXTS[0] + " " + TEXTS[1]).split()
    cut = len(words) * 3 // 5
    old = articles("old", [" ".join(words), TEXTS[2]])
    new = articles("new", [" ".join(words[:cut]), " ".join(words[cut:]), TEXTS[2]])
    matches = match_items(old, new)
    forward = by_old(matches)
    assert (forward["old:art_1"].new_key, forward["old:art_1"].status) == ("new:art_1", CHANGED)
    assert by_new(matches)["new:art_2"].status == INSERTED
    assert (forward["old:art_2"].new_key, forward["old:art_2"].status) == ("new:art_3", MOVED)


def test_merged_articles_match_the_one_most_like_the_result_and_the_other_is_deleted():
    old = articles("old", [TEXTS[0], TEXTS[1] + " " + TEXTS[5], TEXTS[2], TEXTS[3]])
    merged = TEXTS[1] + " " + TEXTS[5] + " " + TEXTS[2]
    new = articles("new", [TEXTS[0], merged, TEXTS[3]])
    matches = match_items(old, new)
    forward = by_old(matches)
    assert (forward["old:art_2"].new_key, forward["old:art_2"].status) == ("new:art_2", CHANGED)
    assert forward["old:art_3"].status == DELETED
    assert (forward["old:art_4"].new_key, forward["old:art_4"].status) == ("new:art_3", MOVED)


# The tree


def chapter(side: str, number: int, heading: str, **fields) -> Item:
    roman = ["", "I", "II", "III", "IV"][number]
    key = f"{side}:chp_{number}"
    return Item(key, "chapter", f"CAPÍTULO {roman}", heading=heading, **fields)


def part(side: str, parent: str, kind: str, label: str, text: str) -> Item:
    return Item(f"{parent}/{label}", kind, label, text, parent_key=parent)


def test_an_article_moved_to_another_chapter_keeps_its_number_and_is_moved():
    old = [
        chapter("old", 1, "Disposiciones generales"),
        article("old", 1, TEXTS[0], parent_key="old:chp_1"),
        article("old", 2, TEXTS[1], parent_key="old:chp_1"),
        chapter("old", 2, "De la consulta"),
        article("old", 3, TEXTS[2], parent_key="old:chp_2"),
    ]
    new = [
        chapter("new", 1, "Disposiciones generales"),
        article("new", 1, TEXTS[0], parent_key="new:chp_1"),
        chapter("new", 2, "De la consulta"),
        article("new", 2, TEXTS[1], parent_key="new:chp_2"),
        article("new", 3, TEXTS[2], parent_key="new:chp_2"),
    ]
    forward = by_old(match_items(old, new))
    assert forward["old:art_1"].status == UNCHANGED
    assert (forward["old:art_2"].new_key, forward["old:art_2"].status) == ("new:art_2", MOVED)
    assert forward["old:art_3"].status == UNCHANGED
    # A chapter's own text is its heading: the articles carry their own status.
    assert forward["old:chp_1"].status == UNCHANGED
    assert forward["old:chp_2"].status == UNCHANGED


def test_a_reworded_chapter_heading_keeps_the_chapter_and_its_articles():
    old = [chapter("old", 1, "Disposiciones generales")] + [
        article("old", n + 1, text, parent_key="old:chp_1") for n, text in enumerate(TEXTS[:4])
    ]
    new = [chapter("new", 1, "Objeto, finalidad y ámbito de la ley")] + [
        article("new", n + 1, text, parent_key="new:chp_1") for n, text in enumerate(TEXTS[:4])
    ]
    matches = match_items(old, new)
    assert by_old(matches)["old:chp_1"].new_key == "new:chp_1"
    assert by_old(matches)["old:chp_1"].status == CHANGED
    assert statuses(matches)[UNCHANGED] == 4


def test_a_renumbered_chapter_is_moved_but_its_articles_are_unchanged():
    old = [chapter("old", 1, "De la consulta"), article("old", 1, TEXTS[0], parent_key="old:chp_1")]
    new = [
        chapter("new", 1, "Disposiciones generales"),
        chapter("new", 2, "De la consulta"),
        article("new", 1, TEXTS[0], parent_key="new:chp_2"),
    ]
    forward = by_old(match_items(old, new))
    assert (forward["old:chp_1"].new_key, forward["old:chp_1"].status) == ("new:chp_2", MOVED)
    assert forward["old:art_1"].status == UNCHANGED


def test_an_article_whose_words_are_all_in_its_paragraphs_is_recognised_after_renumbering():
    def bill(side: str, first: int, inserted: bool) -> list[Item]:
        items = [article(side, 1, NEW_TEXT)] if inserted else []
        for n, (a, b) in enumerate([(0, 1), (2, 3), (4, 5)]):
            key = f"{side}:art_{first + n}"
            items.append(article(side, first + n, ""))
            items.append(part(side, key, "paragraph", f"{first + n}.1", TEXTS[a]))
            items.append(part(side, key, "paragraph", f"{first + n}.2", TEXTS[b]))
        return items

    old, new = bill("old", 1, inserted=False), bill("new", 2, inserted=True)
    matches = match_items(old, new)
    assert_one_to_one(old, new, matches)
    forward = by_old(matches)
    assert [forward[f"old:art_{n}"].new_key for n in (1, 2, 3)] == [
        "new:art_2",
        "new:art_3",
        "new:art_4",
    ]
    assert forward["old:art_1/1.1"].new_key == "new:art_2/2.1"
    # Still the first paragraph of its article: the article was renumbered.
    assert forward["old:art_1/1.1"].status == UNCHANGED


def test_identical_literals_follow_their_own_article():
    reasons = ["Renuncia al cargo.", "Fallecimiento.", "Incapacidad permanente declarada."]

    def bill(side: str, numbers: list[int]) -> list[Item]:
        items = []
        for number, text in zip(numbers, [TEXTS[0], TEXTS[1]], strict=True):
            items.append(article(side, number, text))
            for letter, reason in zip("abc", reasons, strict=True):
                items.append(part(side, f"{side}:art_{number}", "literal", f"{letter})", reason))
        return items

    old, new = bill("old", [1, 2]), bill("new", [2, 3])
    forward = by_old(match_items(old, new))
    for letter in "abc":
        assert forward[f"old:art_1/{letter})"].new_key == f"new:art_2/{letter})"
        assert forward[f"old:art_2/{letter})"].new_key == f"new:art_3/{letter})"
        assert forward[f"old:art_1/{letter})"].status == UNCHANGED


def test_a_literal_moved_to_another_article_is_moved():
    moved = "Los colegios profesionales registrados en el padrón nacional."
    old = [
        article("old", 1, TEXTS[0]),
        part("old", "old:art_1", "literal", "a)", "Las universidades públicas."),
        part("old", "old:art_1", "literal", "b)", moved),
        article("old", 2, TEXTS[1]),
        part("old", "old:art_2", "literal", "a)", "Los gremios empresariales."),
    ]
    new = [
        article("new", 1, TEXTS[0]),
        part("new", "new:art_1", "literal", "a)", "Las universidades públicas."),
        article("new", 2, TEXTS[1]),
        part("new", "new:art_2", "literal", "a)", "Los gremios empresariales."),
        part("new", "new:art_2", "literal", "b)", moved),
    ]
    forward = by_old(match_items(old, new))
    assert (forward["old:art_1/b)"].new_key, forward["old:art_1/b)"].status) == (
        "new:art_2/b)",
        MOVED,
    )
    assert forward["old:art_2/a)"].status == UNCHANGED


def test_a_rewritten_numeral_is_still_that_numeral_of_its_article():
    old = [
        article("old", 1, TEXTS[0]),
        part("old", "old:art_1", "numeral", "1.", "Derechos humanos."),
    ]
    new = [
        article("new", 1, TEXTS[0]),
        part("new", "new:art_1", "numeral", "1.", "Deberes cívicos."),
    ]
    match = by_old(match_items(old, new))["old:art_1/1."]
    assert (match.new_key, match.status) == ("new:art_1/1.", CHANGED)
    assert match.similarity < SAME_LABEL_THRESHOLD


def test_final_provisions_with_the_same_label_stay_in_their_group():
    def bill(side: str, edited: bool) -> list[Item]:
        items = []
        for group, texts in [("FINALES", TEXTS[6:8]), ("TRANSITORIAS", TEXTS[8:10])]:
            key = f"{side}:{group}"
            items.append(Item(key, "provisions_group", f"DISPOSICIONES {group}"))
            for label, text in zip(["PRIMERA.", "SEGUNDA."], texts, strict=True):
                items.append(part(side, key, "provision", label, edit(text) if edited else text))
        return items

    matches = match_items(bill("old", edited=False), bill("new", edited=True))
    for match in matches:
        if match.old_key.endswith("."):
            assert match.new_key == match.old_key.replace("old:", "new:")
            assert match.status == CHANGED


def test_a_short_text_is_not_recognised_under_another_number():
    old = articles("old", [TEXTS[0], "Derogado.", TEXTS[1]])
    new = articles("new", [TEXTS[0], TEXTS[1], "Derogado."])
    matches = match_items(old, new)
    forward = by_old(matches)
    assert forward["old:art_2"].status == DELETED
    assert by_new(matches)["new:art_3"].status == INSERTED
    assert (forward["old:art_3"].new_key, forward["old:art_3"].status) == ("new:art_2", MOVED)


def test_a_short_text_under_the_same_number_is_unchanged():
    old, new = articles("old", ["Derogado."]), articles("new", ["Derogado."])
    assert match_items(old, new)[0].status == UNCHANGED


def test_kinds_are_never_matched_with_each_other():
    old = [Item("o", "article", "Artículo 1.", TEXTS[0])]
    new = [Item("n", "paragraph", "", TEXTS[0])]
    assert statuses(match_items(old, new)) == {DELETED: 1, INSERTED: 1}


def test_unlabelled_paragraphs_that_only_shift_among_their_siblings_are_unchanged():
    def paragraph(key: str, parent: str, text: str) -> Item:
        return Item(key, "paragraph", "", text, parent_key=parent)

    old = [article("old", 1, TEXTS[0])]
    old += [paragraph(f"old:p{n}", "old:art_1", TEXTS[n]) for n in (1, 2, 3)]
    new = [article("new", 1, TEXTS[0])]
    new += [paragraph(f"new:p{n}", "new:art_1", TEXTS[n]) for n in (2, 3)]
    forward = by_old(match_items(old, new))
    assert forward["old:p1"].status == DELETED
    assert (forward["old:p2"].new_key, forward["old:p2"].status) == ("new:p2", UNCHANGED)
    assert (forward["old:p3"].new_key, forward["old:p3"].status) == ("new:p3", UNCHANGED)


# The result


def test_matches_come_in_new_order_with_each_deletion_after_its_predecessor():
    old = articles("old", TEXTS[:5])
    new = articles("new", [TEXTS[0], NEW_TEXT, TEXTS[1], TEXTS[3], TEXTS[4]])
    order = [(match.old_key, match.new_key) for match in match_items(old, new)]
    assert order == [
        ("old:art_1", "new:art_1"),
        (None, "new:art_2"),
        ("old:art_2", "new:art_3"),
        ("old:art_3", None),
        ("old:art_4", "new:art_4"),
        ("old:art_5", "new:art_5"),
    ]


def test_every_provision_appears_exactly_once_after_random_edits():
    rng = random.Random(31)  # noqa: S311 - reproducible test data, not secrets
    pool = [*TEXTS, NEW_TEXT, "Derogado.", "Derogado.", ""]
    for _ in range(150):
        old = _random_bill(rng, "old", pool)
        new = _random_bill(
            rng, "new", [edit(text) if rng.random() < 0.3 else text for text in pool]
        )
        matches = match_items(old, new)
        assert_one_to_one(old, new, matches)
        old_items = {item.key: item for item in old}
        new_items = {item.key: item for item in new}
        for match in matches:
            if match.status == UNCHANGED:
                before, after = old_items[match.old_key], new_items[match.new_key]
                assert (before.kind, before.label, before.text) == (
                    after.kind,
                    after.label,
                    after.text,
                )


def _random_bill(rng: random.Random, side: str, pool: list[str]) -> list[Item]:
    items: list[Item] = []
    number = 0
    for chapter_number in range(1, rng.randint(1, 3) + 1):
        chapter_key = f"{side}:chp_{chapter_number}"
        items.append(chapter(side, chapter_number, rng.choice(["Generalidades", "Consulta"])))
        for _ in range(rng.randint(0, 5)):
            number += 1
            items.append(article(side, number, rng.choice(pool), parent_key=chapter_key))
            for letter in "abc"[: rng.randint(0, 3)]:
                text = rng.choice(["Renuncia.", "Fallecimiento.", *pool[:3]])
                items.append(part(side, f"{side}:art_{number}", "literal", f"{letter})", text))
    return items


def test_three_hundred_renumbered_and_edited_articles_all_find_their_match():
    texts = [
        f"{TEXTS[n % 12]} Número {n} de la serie, con su propia regla {n * 7}." for n in range(300)
    ]
    old = articles("old", texts)
    new = [article("new", 1, NEW_TEXT), *articles("new", list(map(edit, texts)), first=2)]
    forward = by_old(match_items(old, new))
    assert all(forward[f"old:art_{n}"].new_key == f"new:art_{n + 1}" for n in range(1, 301))


def test_items_need_unique_keys_and_parents_listed_before_children():
    with pytest.raises(ValueError, match="share the key"):
        match_items([Item("a", "article"), Item("a", "article")], [])
    with pytest.raises(ValueError, match="not listed before"):
        match_items([Item("b", "literal", parent_key="a"), Item("a", "article")], [])


def test_an_importer_tree_becomes_items_in_walk_order():
    tree = [
        Node("chapter", label="CAPÍTULO I", heading="Generalidades", eid="chp_1"),
        Node("article", label="Artículo 2.", text=TEXTS[1], eid="art_2"),
    ]
    tree[0].children = [
        Node(
            "article",
            label="Artículo 1.",
            text=TEXTS[0],
            eid="chp_1__art_1",
            children=[Node("literal", label="a)", text="Uno.", eid="chp_1__art_1__point_a")],
        )
    ]
    items = items_from_nodes(tree)
    assert [(item.key, item.kind, item.parent_key) for item in items] == [
        (0, "chapter", None),
        (1, "article", 0),
        (2, "literal", 1),
        (3, "article", None),
    ]
    assert items[0].heading == "Generalidades"
    assert items[2].eid == "chp_1__art_1__point_a"
    assert statuses(match_items(items, items_from_nodes(tree))) == {UNCHANGED: 4}


# Stored matches


def make_version(bill: Bill, number: int, tree: list[tuple]) -> BillVersion:
    """A version with provisions from (kind, label, text, children) tuples."""
    version = BillVersion.objects.create(bill=bill, number=number, source_format=SourceFormat.TEXT)
    order = 0

    def add(nodes: list[tuple], parent: Provision | None, depth: int) -> None:
        nonlocal order
        for kind, label, text, children in nodes:
            order += 1
            provision = Provision.objects.create(
                version=version,
                parent=parent,
                kind=kind,
                label=label,
                text=text,
                order=order,
                depth=depth,
                eid=f"{kind}_{order}",
            )
            add(children, provision, depth + 1)

    add(tree, None, 0)
    return version


@pytest.fixture
def bill() -> Bill:
    chamber, _ = Chamber.objects.get_or_create(
        slug="test-chamber", defaults={"name_es": "Cámara", "name_en": "Chamber"}
    )
    return Bill.objects.create(
        number="9999/2026-CR", slug="9999-2026-cr", title="Ley de prueba", origin_chamber=chamber
    )


def tree_of(texts: list[str], first: int = 1) -> list[tuple]:
    """Articles numbered from ``first``, each with a literal a) of its own."""
    return [
        ("article", f"Artículo {first + n}.", text, [("literal", "a)", _tail(text), [])])
        for n, text in enumerate(texts)
    ]


def _tail(text: str) -> str:
    return " ".join(text.split()[-6:]).capitalize()


@pytest.fixture
def versions(bill) -> tuple[BillVersion, BillVersion]:
    old = make_version(bill, 1, tree_of(TEXTS[:4]))
    new_tree = tree_of(TEXTS[:1]) + tree_of([NEW_TEXT], first=2) + tree_of(TEXTS[2:4], first=3)
    return old, make_version(bill, 2, new_tree)


def test_version_match_reads_each_version_in_one_query(versions, django_assert_num_queries):
    with django_assert_num_queries(2):
        matches = version_match(*versions)
    assert len(matches) == 10  # 6 kept, article 2 and its literal deleted and inserted


def test_version_match_keys_are_provision_ids(versions):
    old, new = versions
    matches = version_match(old, new)
    ids = {provision.label: provision.pk for provision in Provision.objects.filter(version=old)}
    forward = by_old(matches)
    moved = Provision.objects.get(pk=forward[ids["Artículo 3."]].new_key)
    assert (moved.version, moved.label) == (new, "Artículo 3.")
    assert forward[ids["Artículo 2."]].status == DELETED
    assert statuses(matches) == {UNCHANGED: 6, DELETED: 2, INSERTED: 2}


def test_storing_writes_one_row_per_match(versions):
    old, new = versions
    matches = version_match(old, new)
    store_matches(old, new, matches)
    rows = ProvisionMatch.objects.filter(old_version=old, new_version=new)
    assert rows.count() == len(matches)
    assert rows.filter(status=DELETED, new__isnull=True).count() == 2
    assert rows.filter(status=INSERTED, old__isnull=True).count() == 2
    stored = {(row.old_id, row.new_id, row.status, row.similarity) for row in rows}
    assert stored == {(m.old_key, m.new_key, m.status, m.similarity) for m in matches}


def test_storing_again_replaces_the_rows_instead_of_adding_to_them(versions):
    old, new = versions
    matches = version_match(old, new)
    store_matches(old, new, matches)
    store_matches(old, new, matches)
    assert ProvisionMatch.objects.filter(old_version=old, new_version=new).count() == len(matches)


def test_storing_leaves_other_pairs_of_versions_alone(bill, versions):
    old, new = versions
    third = make_version(bill, 3, tree_of(TEXTS[:4]))
    store_matches(new, third, version_match(new, third))
    before = ProvisionMatch.objects.filter(old_version=new).count()
    store_matches(old, new, version_match(old, new))
    store_matches(old, new, version_match(old, new))
    assert ProvisionMatch.objects.filter(old_version=new).count() == before


def test_storing_takes_as_many_queries_for_many_provisions_as_for_few(bill):
    few = (make_version(bill, 1, tree_of(TEXTS[:2])), make_version(bill, 2, tree_of(TEXTS[:2])))
    many = (make_version(bill, 3, tree_of(TEXTS)), make_version(bill, 4, tree_of(TEXTS)))
    few_matches, many_matches = version_match(*few), version_match(*many)
    with CaptureQueriesContext(connection) as few_queries:
        store_matches(*few, few_matches)
    with CaptureQueriesContext(connection) as many_queries:
        store_matches(*many, many_matches)
    assert len(many_matches) == 6 * len(few_matches)
    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)
