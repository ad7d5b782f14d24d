import pytest

from bills.importers.base import Node, assign_eids, eid_number


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("Artículo 5-A", "5a"),
        ("Artículo 1°", "1"),
        ("Art. 12.-", "12"),
        ("Artículo único", "unico"),
        ("TÍTULO IV", "4"),
        ("TÍTULO PRELIMINAR", "preliminar"),
        ("CAPÍTULO I", "1"),
        ("PRIMERA.-", "1"),
        ("DÉCIMA TERCERA.-", "13"),
        ("VIGÉSIMA NOVENA", "29"),
        ("Decimotercera", "13"),
        ("a)", "a"),
        ("c)", "c"),
        ("i)", "i"),
        ("ñ)", "nn"),
        ("1.2", "2"),
        ("ARTÍCULO 10°.CONFIDENCIALIDAD.", "10"),
        ("DISPOSICIONES FINALES Y DEROGATORIAS", ""),
    ],
)
def test_the_number_of_an_eid_is_read_from_the_label(label, number):
    assert eid_number(label) == number


def test_eids_are_unique_even_with_thousands_of_repeated_labels():
    nodes = [Node(kind="literal", label="a)", text=str(n)) for n in range(5000)]
    assign_eids(nodes)
    eids = [node.eid for node in nodes]
    assert len(set(eids)) == 5000
    assert eids[:3] == ["point_a", "point_a-2", "point_a-3"]


def test_eids_nest_and_are_ascii():
    literal = Node(kind="literal", label="ñ)")
    article = Node(kind="article", label="Artículo 5-A", children=[literal])
    chapter = Node(kind="chapter", label="CAPÍTULO II", children=[article])
    tree = [Node(kind="title", label="TÍTULO I", children=[chapter])]
    assign_eids(tree)
    assert article.eid == "tit_1__chp_2__art_5a"
    assert article.children[0].eid == "tit_1__chp_2__art_5a__point_nn"
    assert all(node.eid.isascii() for node in tree[0].walk())
