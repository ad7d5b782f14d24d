"""What every importer produces: a tree of nodes, warnings, and what was removed.

An importer never touches the database. ``bills.services`` turns a
``ParseResult`` into a ``BillVersion`` with its ``Provision`` rows.

The lossless rule: after whitespace normalisation, ``flatten_text(result.nodes)``
(each node's label, heading and own text, in document order) reproduces the
text content of the source, apart from what ``result.removed`` reports (page
headers, footers and numbers of a PDF).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from bills.models import ProvisionKind

KINDS = frozenset(ProvisionKind.values)

# Akoma Ntoso eId prefixes for each kind of node.
EID_PREFIX = {
    ProvisionKind.HEADER: "header",
    ProvisionKind.PREAMBLE: "preamble",
    ProvisionKind.FORMULA: "formula",
    ProvisionKind.PART: "part",
    ProvisionKind.TITLE: "tit",
    ProvisionKind.CHAPTER: "chp",
    ProvisionKind.SUBCHAPTER: "subchp",
    ProvisionKind.SECTION: "sec",
    ProvisionKind.ARTICLE: "art",
    ProvisionKind.PARAGRAPH: "para",
    ProvisionKind.NUMERAL: "item",
    ProvisionKind.LITERAL: "point",
    ProvisionKind.PROVISIONS_GROUP: "grp",
    ProvisionKind.PROVISION: "prov",
    ProvisionKind.EXPLANATORY_STATEMENT: "expl",
    ProvisionKind.NOTE: "note",
}

_ORDINALS = {
    "primera": 1, "primero": 1, "segunda": 2, "segundo": 2, "tercera": 3, "tercero": 3,
    "cuarta": 4, "cuarto": 4, "quinta": 5, "quinto": 5, "sexta": 6, "sexto": 6,
    "sétima": 7, "séptima": 7, "sétimo": 7, "séptimo": 7, "octava": 8, "octavo": 8,
    "novena": 9, "noveno": 9, "décima": 10, "décimo": 10, "única": 1, "único": 1,
}  # fmt: skip
_ROMAN = re.compile(r"^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


class ImportRefused(Exception):
    """The file cannot be imported at all; ``message`` says why, for the person."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Node:
    kind: str
    label: str = ""
    heading: str = ""
    text: str = ""
    children: list[Node] = field(default_factory=list)
    eid: str = ""
    group_type: str = ""
    line: int | None = None  # 1-based line (or paragraph) of the source where it starts

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown provision kind {self.kind!r}")

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ImportWarning:
    code: str
    message: str
    line: int | None = None


@dataclass
class ParseResult:
    nodes: list[Node]
    warnings: list[ImportWarning] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # page furniture, reported
    metadata: dict[str, str] = field(default_factory=dict)  # number, title, proponents

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def warn(self, code: str, message: str, line: int | None = None) -> None:
        self.warnings.append(ImportWarning(code=code, message=message, line=line))


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


def flatten_text(nodes: list[Node]) -> str:
    """Labels, headings and own text of every node in document order."""
    parts: list[str] = []
    for root in nodes:
        for node in root.walk():
            parts.extend(part for part in (node.label, node.heading, node.text) if part)
    return normalise_whitespace(" ".join(parts))


def roman_to_int(value: str) -> int | None:
    value = value.upper()
    if not _ROMAN.match(value):
        return None
    total = 0
    for current, following in zip(value, [*value[1:], ""], strict=True):
        number = _ROMAN_VALUES[current]
        total += -number if following and _ROMAN_VALUES[following] > number else number
    return total


def eid_number(label: str) -> str:
    """The number part of an eId from a label: ``Artículo 5-A`` → ``5a``,
    ``TÍTULO IV`` → ``4``, ``PRIMERA`` → ``1``, ``a)`` → ``a``, ``Artículo único`` → ``unico``."""
    words = label.replace("°", " ").replace("º", " ").replace(".", " ").replace(")", " ").split()
    for word in reversed(words):
        lowered = word.lower().strip("-–:")
        if lowered in _ORDINALS and lowered not in {"única", "único"}:
            return str(_ORDINALS[lowered])
        if lowered in {"única", "único"}:
            return "unico"
        match = re.fullmatch(r"(\d+)(?:[-–]?([a-z]+))?", lowered)
        if match:
            return match.group(1) + (match.group(2) or "")
        # Literals are lower-case letters (``c)``, ``i)``); Roman numerals of
        # titles and chapters are upper-case (``TÍTULO IV``).
        if re.fullmatch(r"[a-zñ]{1,2}", word.strip("-–:")):
            # eIds are ASCII: the literal after n) is ñ), written nn.
            return word.strip("-–:").replace("ñ", "nn")
        roman = roman_to_int(word.strip("-–:")) if word.strip("-–:").isupper() else None
        if roman is not None:
            return str(roman)
        if re.fullmatch(r"[a-zñ]{1,2}", lowered):
            return lowered.replace("ñ", "nn")
    return ""


def assign_eids(nodes: list[Node]) -> None:
    """Gives every node an eId unique within the tree, in the Akoma Ntoso style:
    ``tit_1__chp_2__art_5``. Unnumbered nodes are counted among their siblings."""
    used: set[str] = set()

    def visit(siblings: list[Node], prefix: str) -> None:
        counters: dict[str, int] = {}
        for node in siblings:
            short = EID_PREFIX[node.kind]
            counters[short] = counters.get(short, 0) + 1
            number = eid_number(node.label) if node.label else ""
            number = number or str(counters[short])
            base = f"{prefix}__{short}_{number}" if prefix else f"{short}_{number}"
            eid, repeat = base, 1
            while eid in used:
                repeat += 1
                eid = f"{base}-{repeat}"
            used.add(eid)
            node.eid = eid
            visit(node.children, eid)

    visit(nodes, "")


def result_as_json(result: ParseResult) -> dict:
    """The shape printed by ``import_bill --dry-run --json``."""

    def node_json(node: Node) -> dict:
        return {
            "kind": node.kind,
            "label": node.label,
            "heading": node.heading,
            "text": node.text,
            "eid": node.eid,
            "children": [node_json(child) for child in node.children],
        }

    return {
        "nodes": [node_json(node) for node in result.nodes],
        "warnings": [
            {key: value for key, value in asdict(warning).items() if value is not None}
            for warning in result.warnings
        ],
    }
