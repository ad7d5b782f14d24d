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

from django.utils.translation import gettext as _

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

_ROMAN = re.compile(r"^(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


MAX_SOURCE_BYTES = 20 * 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported at all; ``message`` says why, for the person."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def check_size(data: bytes) -> None:
    """Refuses an empty source or one over MAX_SOURCE_BYTES, before any parsing."""
    if not data or not data.strip():
        raise ImportRefused(_("The file is empty."), code="empty")
    if len(data) > MAX_SOURCE_BYTES:
        raise ImportRefused(
            _("The file is larger than %(limit)d MB.") % {"limit": MAX_SOURCE_BYTES // 2**20},
            code="too_large",
        )


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
    ``TÍTULO IV`` → ``4``, ``DÉCIMA TERCERA`` → ``13``, ``a)`` → ``a``,
    ``Artículo único`` → ``unico``, ``TÍTULO PRELIMINAR`` → ``preliminar``,
    ``1.2`` → ``2`` (the last number: siblings differ there).

    Read from the end of the label; a single letter counts only when it is the
    whole label (a literal), so a stray ``y`` or ``de`` never becomes a number.
    """
    # The one reader of Spanish ordinals lives with the text importer, which
    # imports this module; importing it here at call time avoids the cycle.
    from bills.importers.text import ordinal_value

    words = [
        word.strip("-–—:") for word in re.sub(r"[.°º)(]", " ", label).split() if word.strip("-–—:")
    ]
    if len(words) == 1 and re.fullmatch(r"[a-zñA-ZÑ]{1,2}", words[0]):
        letters = words[0]
        roman = roman_to_int(letters) if letters.isupper() and len(letters) > 1 else None
        if roman is not None:
            return str(roman)
        return letters.lower().replace("ñ", "nn")  # eIds are ASCII: ñ) is written nn
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        lowered = word.lower()
        if lowered in {"única", "único", "unica", "unico"}:
            return "unico"
        if lowered == "preliminar":
            return "preliminar"
        for start in (index - 1, index):
            value = ordinal_value(" ".join(words[start : index + 1])) if start >= 0 else None
            if value:
                return str(value)
        match = re.fullmatch(r"(\d+)(?:[-–]?([a-z]+))?", lowered)
        if match:
            return match.group(1) + (match.group(2) or "")
        roman = roman_to_int(word) if word.isupper() else None
        if roman is not None:
            return str(roman)
    return ""


def assign_eids(nodes: list[Node]) -> None:
    """Gives every node an eId unique within the tree, in the Akoma Ntoso style:
    ``tit_1__chp_2__art_5``. Unnumbered nodes are counted among their siblings."""
    used: set[str] = set()
    repeats: dict[str, int] = {}  # per base eId: the last suffix handed out

    def visit(siblings: list[Node], prefix: str) -> None:
        counters: dict[str, int] = {}
        for node in siblings:
            short = EID_PREFIX[node.kind]
            counters[short] = counters.get(short, 0) + 1
            number = eid_number(node.label) if node.label else ""
            number = number or str(counters[short])
            base = f"{prefix}__{short}_{number}" if prefix else f"{short}_{number}"
            eid = base
            while eid in used:
                repeats[base] = repeats.get(base, 1) + 1
                eid = f"{base}-{repeats[base]}"
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
