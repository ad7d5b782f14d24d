"""Export of a provision tree as an Akoma Ntoso 3.0 bill; ``parse_akn`` reads it back.

The document is ``<akomaNtoso><bill name="…">`` with, in the schema's order:

- ``<meta>``: FRBR identification (Work, Expression, Manifestation: this, uri,
  date, author; country ``pe`` and language ``spa`` unless told otherwise;
  the bill's number and title as FRBRnumber and FRBRname) and the references
  that the authors point to.
- ``<preface>``: the header nodes (and notes) that open the tree.
- ``<preamble>``: the preamble and formula nodes (and notes) that follow them.
- ``<body>``: everything else, in order.
- ``<conclusions>``: the formula nodes (and notes) after the last body node —
  the closing formula and signatures.
- ``<components>``: one ``<component><doc name="explanatoryStatement">`` for each
  explanatory statement, with the statement's own text as the doc's preface and
  its children in its mainBody. Where the statement stands before or among the
  provisions, a ``<componentRef>`` marks its place in the body; statements at the
  very end need none. This keeps the explanatory statement out of the normative
  body, as Akoma Ntoso means it to be, while the importer puts it back where it
  was.

Element for each kind of node:

- in the body: part, title, chapter, subchapter, section, article and paragraph
  as the elements of those names; numeral and literal as ``<point>`` with
  ``class="numeral"`` or ``class="literal"``; provisions_group as
  ``<hcontainer name="provisionsGroup" class="final">`` (the class carries the
  group type: AKN has no element for a Peruvian *disposiciones
  complementarias* group, and ``hcontainer`` is its generic hierarchical
  container); provision as ``<hcontainer name="provision">``; header, preamble
  and formula nodes found among the provisions as ``<hcontainer>`` of those names.
- in the preface, preamble and conclusions: each node as a ``<blockContainer>``
  whose class is the node's kind (it may carry ``<num>`` and ``<heading>``, and
  blocks); a plain formula node at the top of the preamble or conclusions as
  ``<formula name="enactingFormula">`` or ``name="closingFormula"``.
- notes: an ``<authorialNote>`` inside the text they follow where they stand
  right after a node's own text (or, in the preface, preamble and conclusions,
  in a ``<p>`` of their own), else an ``<hcontainer name="note">``. Editorial
  notes in ``<meta><notes>`` would sit outside the text flow, so they are not
  used.

Every element made for a node carries the node's eId; ``<num>`` holds the label,
``<heading>`` the heading; the text goes in ``<content><p>`` (one ``<p>`` a
line) for a node without children and in ``<intro><p>`` for one with children.
Characters that XML cannot hold (control characters) become spaces or U+FFFD.
"""

from __future__ import annotations

import copy
import datetime
import re

from django.utils import timezone
from lxml import etree

from bills.importers.akn import AKN_NS, EMPTY_BODY, eid_is_valid, fill_missing_eids
from bills.importers.base import Node
from bills.models import BillStage, BillVersion
from bills.models import ProvisionKind as Kind

HIER_ELEMENTS = {
    Kind.PART: "part",
    Kind.TITLE: "title",
    Kind.CHAPTER: "chapter",
    Kind.SUBCHAPTER: "subchapter",
    Kind.SECTION: "section",
    Kind.ARTICLE: "article",
    Kind.PARAGRAPH: "paragraph",
    Kind.NUMERAL: "point",
    Kind.LITERAL: "point",
}
HCONTAINER_NAMES = {
    Kind.PROVISIONS_GROUP: "provisionsGroup",
    Kind.PROVISION: "provision",
    Kind.HEADER: "header",
    Kind.PREAMBLE: "preamble",
    Kind.FORMULA: "formula",
    Kind.NOTE: "note",
}
PREFACE_KINDS = frozenset({Kind.HEADER, Kind.NOTE})
PREAMBLE_KINDS = frozenset({Kind.PREAMBLE, Kind.FORMULA, Kind.NOTE})
CONCLUSION_KINDS = frozenset({Kind.FORMULA, Kind.NOTE})
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_SPACES = re.compile("[\x0b\x0c]")


def nodes_to_akn(nodes: list[Node], *, metadata: dict) -> bytes:
    """The tree as an Akoma Ntoso 3.0 bill (UTF-8 bytes); the nodes are not changed.

    ``metadata`` keys, all optional: ``number`` and ``title`` of the bill,
    ``name`` (the bill element's name; the number in URL form by default),
    ``date`` (the work's date, such as the presentation), ``version`` and
    ``version_date`` (the expression), ``chamber`` and ``chamber_slug`` (the
    author), ``country`` (``pe``), ``language`` (``spa``) and ``generated``
    (the manifestation's date; today by default). Dates are ``datetime.date``
    or ISO strings.
    """
    return _Writer(_prepared(nodes), metadata).write()


def version_to_akn(version: BillVersion) -> bytes:
    """A bill version as Akoma Ntoso, built from its provision rows."""
    bill = version.bill
    rows = list(
        version.provisions.order_by("order").values(
            "pk", "parent_id", "kind", "label", "heading", "text", "eid", "group_type"
        )
    )
    by_pk = {
        row["pk"]: Node(
            kind=row["kind"],
            label=row["label"],
            heading=row["heading"],
            text=row["text"],
            eid=row["eid"],
            group_type=row["group_type"],
        )
        for row in rows
    }
    roots: list[Node] = []
    for row in rows:
        parent = by_pk.get(row["parent_id"]) if row["parent_id"] else None
        (parent.children if parent is not None else roots).append(by_pk[row["pk"]])
    presented = (
        bill.stage_changes.filter(stage=BillStage.PRESENTED)
        .order_by("happened_on")
        .values_list("happened_on", flat=True)
        .first()
    )
    chamber = bill.origin_chamber
    version_moment = version.published_at or version.created_at
    return nodes_to_akn(
        roots,
        metadata={
            "number": bill.number,
            "title": bill.title,
            "name": bill.slug,
            "date": presented or timezone.localdate(bill.created_at),
            "version": version.number,
            "version_date": timezone.localdate(version_moment),
            "chamber": chamber.name_es,
            "chamber_slug": chamber.slug,
        },
    )


def _prepared(nodes: list[Node]) -> list[Node]:
    """A copy of the tree in which every eId is valid and unique."""
    nodes = copy.deepcopy(nodes)
    seen: set[str] = set()
    for root in nodes:
        for node in root.walk():
            if node.eid in seen or not eid_is_valid(node.eid):
                node.eid = ""
            seen.add(node.eid)
    fill_missing_eids(nodes)
    return nodes


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", _XML_SPACES.sub(" ", text))


def _date(value: object, default: datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localdate(value).isoformat() if timezone.is_aware(value) else str(value.date())
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    return default.isoformat()


def _slug(value: str, fallback: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", value).strip("-.") or fallback


def _plain(node: Node) -> bool:
    return not (node.label or node.heading or node.children)


class _Writer:
    def __init__(self, nodes: list[Node], metadata: dict) -> None:
        self.nodes = nodes
        self.metadata = metadata
        self.used = {node.eid for root in nodes for node in root.walk()}
        self.statements: list[Node] = []  # explanatory statements, in the order met
        self.aporta = self._unique("aporta")
        chamber = re.sub(r"[^a-z0-9]+", "-", str(metadata.get("chamber_slug") or "").lower())
        chamber = chamber.strip("-") or "congreso"
        self.author = self._unique(chamber if chamber[0].isalpha() else f"org-{chamber}")

    def write(self) -> bytes:
        root = etree.Element(self._q("akomaNtoso"), nsmap={None: AKN_NS})
        number = str(self.metadata.get("number") or "")
        name = str(self.metadata.get("name") or _slug(number, "bill"))
        bill = self._sub(root, "bill", name=name)
        self._meta(bill, "!main")
        preface, preamble, body, conclusions, trailing = self._partition(self.nodes)
        if preface:
            self._part(self._sub(bill, "preface"), preface, "")
        if preamble:
            self._part(self._sub(bill, "preamble"), preamble, "enactingFormula")
        body_element = self._sub(bill, "body")
        for node in body:
            self._hier(node, body_element)
        if not body:
            placeholder = self._sub(
                body_element, "hcontainer", eId=self._unique(EMPTY_BODY), name=EMPTY_BODY
            )
            self._sub(placeholder, "content")
        if conclusions:
            self._part(self._sub(bill, "conclusions"), conclusions, "closingFormula")
        self.statements.extend(trailing)
        if self.statements:
            components = self._sub(bill, "components")
            index = 0
            while index < len(self.statements):  # a statement may hold statements
                self._statement(self.statements[index], components)
                index += 1
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    # -- layout ----------------------------------------------------------------

    @staticmethod
    def _partition(nodes: list[Node]) -> tuple[list[Node], ...]:
        """Preface, preamble, body, conclusions and trailing explanatory statements,
        in the tree's order; the body is never empty while there are nodes."""
        start = 0
        while start < len(nodes) and nodes[start].kind in PREFACE_KINDS:
            start += 1
        preface = nodes[:start]
        middle_start = start
        while middle_start < len(nodes) and nodes[middle_start].kind in PREAMBLE_KINDS:
            middle_start += 1
        preamble = nodes[start:middle_start]
        end = len(nodes)
        while end > middle_start and nodes[end - 1].kind == Kind.EXPLANATORY_STATEMENT:
            end -= 1
        trailing = nodes[end:]
        body_end = end
        while body_end > middle_start and nodes[body_end - 1].kind in CONCLUSION_KINDS:
            body_end -= 1
        conclusions = nodes[body_end:end]
        body = nodes[middle_start:body_end]
        if not body:
            for part in (conclusions, trailing, preamble, preface):
                if part:
                    body = list(part)
                    part.clear()
                    break
        return preface, preamble, body, conclusions, trailing

    # -- elements --------------------------------------------------------------

    def _hier(self, node: Node, parent: etree._Element) -> None:
        """A node in the body, or in an explanatory statement's main body."""
        if node.kind == Kind.EXPLANATORY_STATEMENT:
            self._sub(parent, "componentRef", src=f"#{node.eid}", showAs=self._show(node))
            self.statements.append(node)
            return
        if node.kind in HIER_ELEMENTS:
            element = self._sub(parent, HIER_ELEMENTS[node.kind], eId=node.eid)
        else:
            element = self._sub(
                parent, "hcontainer", eId=node.eid, name=HCONTAINER_NAMES[node.kind]
            )
        classes = [node.kind] if node.kind in (Kind.NUMERAL, Kind.LITERAL) else []
        if node.group_type:
            classes.append(node.group_type)
        if classes:
            element.set("class", " ".join(classes))
        self._num_heading(node, element)
        inline = 0
        while inline < len(node.children) and node.children[inline].kind == Kind.NOTE:
            if not _plain(node.children[inline]):
                break
            inline += 1
        notes, rest = node.children[:inline], node.children[inline:]
        if not rest:
            self._blocks(self._sub(element, "content"), node.text, notes)
            return
        if node.text or notes:
            self._blocks(self._sub(element, "intro"), node.text, notes)
        for child in rest:
            self._hier(child, element)

    def _part(self, parent: etree._Element, nodes: list[Node], formula_name: str) -> None:
        """Nodes in a preface, preamble or conclusions (``formula_name`` empty in a
        preface, where a formula is not expected)."""
        for node in nodes:
            if (
                node.kind == Kind.FORMULA
                and formula_name
                and not (node.label or node.heading)
                and all(child.kind != Kind.EXPLANATORY_STATEMENT for child in node.children)
            ):
                formula = self._sub(parent, "formula", eId=node.eid, name=formula_name)
                self._block_children(node, formula)
            else:
                self._block(node, parent)

    def _block(self, node: Node, parent: etree._Element) -> None:
        """A node where only blocks may stand."""
        if node.kind == Kind.NOTE and _plain(node):
            self._note(node, self._sub(parent, "p"))
            return
        if node.kind == Kind.EXPLANATORY_STATEMENT:
            self._sub(parent, "componentRef", src=f"#{node.eid}", showAs=self._show(node))
            self.statements.append(node)
            return
        container = self._sub(parent, "blockContainer", eId=node.eid)
        container.set("class", " ".join(filter(None, [node.kind, node.group_type])))
        self._num_heading(node, container)
        self._block_children(node, container)
        if len(container) == bool(node.label) + bool(node.heading):
            self._sub(container, "p")  # a blockContainer needs one block

    def _block_children(self, node: Node, element: etree._Element) -> None:
        for line in self._lines(node.text):
            self._sub(element, "p").text = line
        for child in node.children:
            self._block(child, element)

    def _blocks(self, element: etree._Element, text: str, notes: list[Node]) -> None:
        """Text as ``<p>`` lines, then notes inline at the end of the last one."""
        paragraph = None
        for line in self._lines(text):
            paragraph = self._sub(element, "p")
            paragraph.text = line
        if notes and paragraph is None:
            paragraph = self._sub(element, "p")
        for note in notes:
            self._note(note, paragraph)

    def _note(self, note: Node, paragraph: etree._Element) -> None:
        element = self._sub(paragraph, "authorialNote", eId=note.eid, marker="*")
        lines = self._lines(note.text) or [""]
        for line in lines:
            self._sub(element, "p").text = line or None

    def _statement(self, node: Node, components: etree._Element) -> None:
        component = self._sub(components, "component", eId=node.eid)
        self._num_heading(node, component)
        document = self._sub(component, "doc", name="explanatoryStatement")
        self._meta(document, f"!{node.eid}")
        lines = self._lines(node.text)
        if lines:
            preface = self._sub(document, "preface")
            for line in lines:
                self._sub(preface, "p").text = line
        main = self._sub(document, "mainBody")
        for child in node.children:
            self._hier(child, main)
        if not node.children:
            self._sub(main, "p")

    def _num_heading(self, node: Node, element: etree._Element) -> None:
        if node.label:
            self._sub(element, "num").text = _clean(node.label)
        if node.heading:
            self._sub(element, "heading").text = _clean(node.heading)

    # -- metadata --------------------------------------------------------------

    def _meta(self, document: etree._Element, component: str) -> None:
        metadata = self.metadata
        today = timezone.localdate()
        country = str(metadata.get("country") or "pe")
        language = str(metadata.get("language") or "spa")
        number = str(metadata.get("number") or "")
        title = str(metadata.get("title") or "")
        work_date = _date(metadata.get("date"), today)
        expression_date = _date(
            metadata.get("version_date"), datetime.date.fromisoformat(work_date)
        )
        generated = _date(metadata.get("generated"), today)
        work = f"/akn/{country}/bill/{work_date}/{_slug(number, 'sin-numero')}"
        expression = f"{work}/{language}@{expression_date}"
        meta = self._sub(document, "meta")
        identification = self._sub(meta, "identification", source=f"#{self.aporta}")
        frbr = self._sub(identification, "FRBRWork")
        self._sub(frbr, "FRBRthis", value=f"{work}/{component}")
        self._sub(frbr, "FRBRuri", value=work)
        self._sub(frbr, "FRBRdate", date=work_date, name="presentation")
        self._sub(frbr, "FRBRauthor", href=f"#{self.author}")
        self._sub(frbr, "FRBRcountry", value=country)
        if number:
            self._sub(frbr, "FRBRnumber", value=_clean(number))
        if title:
            self._sub(frbr, "FRBRname", value=_clean(title))
        frbr = self._sub(identification, "FRBRExpression")
        self._sub(frbr, "FRBRthis", value=f"{expression}/{component}")
        self._sub(frbr, "FRBRuri", value=expression)
        self._sub(frbr, "FRBRdate", date=expression_date, name="version")
        self._sub(frbr, "FRBRauthor", href=f"#{self.author}")
        if metadata.get("version"):
            self._sub(frbr, "FRBRversionNumber", value=str(metadata["version"]))
        self._sub(frbr, "FRBRlanguage", language=language)
        frbr = self._sub(identification, "FRBRManifestation")
        self._sub(frbr, "FRBRthis", value=f"{expression}/{component}.xml")
        self._sub(frbr, "FRBRuri", value=f"{expression}.akn")
        self._sub(frbr, "FRBRdate", date=generated, name="generation")
        self._sub(frbr, "FRBRauthor", href=f"#{self.aporta}")
        if component == "!main":
            references = self._sub(meta, "references", source=f"#{self.aporta}")
            self._sub(
                references,
                "TLCOrganization",
                eId=self.aporta,
                href=f"/akn/ontology/organization/{country}/aporta",
                showAs="Aporta",
            )
            self._sub(
                references,
                "TLCOrganization",
                eId=self.author,
                href=f"/akn/ontology/organization/{country}/{self.author}",
                showAs=_clean(str(metadata.get("chamber") or "Congreso de la República")),
            )

    # -- helpers ---------------------------------------------------------------

    def _q(self, tag: str) -> str:
        return f"{{{AKN_NS}}}{tag}"

    def _sub(self, parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
        return etree.SubElement(parent, self._q(tag), attributes)

    def _unique(self, base: str) -> str:
        eid, repeat = base, 1
        while eid in self.used:
            repeat += 1
            eid = f"{base}-{repeat}"
        self.used.add(eid)
        return eid

    @staticmethod
    def _lines(text: str) -> list[str]:
        return [_clean(line) for line in text.split("\n") if line.strip()]

    @staticmethod
    def _show(node: Node) -> str:
        return _clean(node.heading or node.label or "Exposición de motivos")
