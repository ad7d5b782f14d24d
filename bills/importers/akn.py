"""Import of Akoma Ntoso 3.0 (OASIS LegalDocML) documents: bills, acts and the rest.

What is imported. Everything in the document except the ``<meta>`` blocks (which
hold identification, references and analysis, not text), attribute values,
comments and processing instructions. That is the whole text of the cover page,
preface, preamble, body (or main body), conclusions, attachments and components,
in document order. The only text taken from ``<meta>`` is that of an editorial
``<note>`` where a ``<noteRef>`` points to it, read at the reference's place.

The lossless rule this module keeps (and ``tests/bills/test_akn.py`` checks on
every corpus file): write out the document's text nodes in document order,
skipping every ``<meta>``, with a space on each side of every element that is
not in ``INLINE_ELEMENTS`` and the referenced note's text, as a block, at each
``<noteRef>``. After whitespace normalisation that string equals
``flatten_text(result.nodes)``.

How elements become nodes:

- ``coverPage`` and ``preface`` → ``header``; ``preamble`` → ``preamble``;
  ``formula`` → ``formula``; ``conclusions`` (date, signatures, closing
  formula) → ``formula``. In these parts each ``container``, ``blockContainer``
  and ``formula`` is a node of its own; the loose text between them is one node.
- ``book``/``tome``/``part``/``subpart`` → part; ``title``/``subtitle`` → title;
  ``chapter``; ``subchapter``; ``section``/``division``/``subdivision`` →
  section; ``article``; ``paragraph``/``subsection``/``subparagraph``/
  ``clause``/``subclause``/``alinea``/``rule``/``subrule``/``proviso``/
  ``level`` → paragraph; ``point``, ``indent`` and a numbered ``item`` →
  literal when the number is a letter (``a)``, ``(b)``, ``A)``), otherwise
  numeral (``(i)`` among siblings numbered ``(ii)``, ``(iii)`` is a numeral; a
  ``class`` of ``numeral`` or ``literal`` decides where present);
  ``transitional`` → provisions_group (transitory); ``hcontainer`` by its
  ``name`` (``provisionsGroup``, ``provision``, ``note``, ``header``, …; an
  unknown name is a provisions_group of type other).
- ``list``, ``sublist``, ``blockList``, ``intro``, ``content``, ``wrapUp`` and
  the like are not nodes: their text belongs to the node around them.
- ``num`` → label, ``heading`` (and ``subheading``) → heading.
- ``authorialNote``, ``remark`` and a ``noteRef``'s note → ``note`` nodes.
- ``quotedStructure``, ``embeddedStructure``, ``quotedText`` and ``mod`` are
  text: an amending article keeps the provisions it quotes inside its own text.
- A component or attachment holding a ``bill`` or ``act`` adds that document's
  nodes in place; one holding an explanatory statement (its name or title
  says *motivos*, *exposición*, explanatory or memorandum) becomes an
  ``explanatory_statement`` node, any other document a provisions_group of type
  other. A ``componentRef`` imports its component at the reference's place.

A node's own text is the text before its first child node. Text that follows a
child node inside the same element (an AKN ``wrapUp``, text after a note)
becomes an unnumbered ``paragraph`` (or, in a preface, preamble or conclusions,
a node of that part's kind) at that place, so that document order holds.
Blocks (``p``, list items, table cells, …) are separated by line breaks; inside
a block, whitespace is collapsed, and a blank line inside one text counts as a
break between paragraphs.

Source eIds are kept when they are unique among the nodes and match
``EID_PATTERN``; the others are replaced (with a warning) and nodes without one
get one in the same style as ``assign_eids``.

The XML is parsed with entity resolution, DTD loading and network access off,
and a document that declares a DOCTYPE or entities is refused before parsing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from django.utils.translation import gettext as _
from lxml import etree

from bills.importers.base import (
    EID_PREFIX,
    ImportRefused,
    Node,
    ParseResult,
    assign_eids,
    check_size,
    eid_number,
    normalise_whitespace,
    roman_to_int,
)
from bills.models import ProvisionGroupType
from bills.models import ProvisionKind as Kind

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
# Every eId that Aporta keeps or writes: it goes into URL fragments and exports.
EID_PATTERN = re.compile(r"^[a-z][a-zA-Z0-9_.-]*$")
MAX_EID_LENGTH = 200  # Provision.eid
MAX_DEPTH = 200  # element nesting; real documents stay far below

# Elements that sit inside a line of text (the schema's inline, marker and
# subFlow groups, plus quotations); every other element is a block.
INLINE_ELEMENTS = frozenset(
    {
        "a", "abbr", "affectedDocument", "argument", "authorialNote", "b", "change",
        "concept", "courtType", "date", "decoration", "def", "del", "docAuthority",
        "docCommittee", "docDate", "docIntroducer", "docJurisdiction", "docNumber",
        "docProponent", "docPurpose", "docStage", "docStatus", "docTitle", "docType",
        "docketNumber", "embeddedStructure", "embeddedText", "entity", "eol", "eop",
        "event", "fillIn", "i", "img", "inline", "ins", "judge", "lawyer", "legislature",
        "location", "marker", "mmod", "mod", "mref", "neutralCitation", "noteRef", "object",
        "omissis", "opinion", "organization", "outcome", "party", "person", "placeholder",
        "process", "quantity", "quotedStructure", "quotedText", "recordedTime", "ref",
        "relatedDocument", "remark", "rmod", "role", "rref", "session", "shortTitle",
        "signature", "span", "sub", "subFlow", "sup", "term", "time", "u", "vote",
    }
)  # fmt: skip

HIER_KINDS = {
    "book": Kind.PART, "tome": Kind.PART, "part": Kind.PART, "subpart": Kind.PART,
    "title": Kind.TITLE, "subtitle": Kind.TITLE,
    "chapter": Kind.CHAPTER, "subchapter": Kind.SUBCHAPTER,
    "section": Kind.SECTION, "division": Kind.SECTION, "subdivision": Kind.SECTION,
    "article": Kind.ARTICLE,
    "paragraph": Kind.PARAGRAPH, "subsection": Kind.PARAGRAPH, "subparagraph": Kind.PARAGRAPH,
    "clause": Kind.PARAGRAPH, "subclause": Kind.PARAGRAPH, "alinea": Kind.PARAGRAPH,
    "rule": Kind.PARAGRAPH, "subrule": Kind.PARAGRAPH, "proviso": Kind.PARAGRAPH,
    "level": Kind.PARAGRAPH,
    "transitional": Kind.PROVISIONS_GROUP,
}  # fmt: skip
# hcontainer names written by bills.akn, and a few common elsewhere.
HCONTAINER_KINDS = {
    "provisionsGroup": Kind.PROVISIONS_GROUP,
    "provision": Kind.PROVISION,
    "header": Kind.HEADER,
    "preamble": Kind.PREAMBLE,
    "formula": Kind.FORMULA,
    "note": Kind.NOTE,
    "explanatoryStatement": Kind.EXPLANATORY_STATEMENT,
    "article": Kind.ARTICLE,
    "paragraph": Kind.PARAGRAPH,
}
EMPTY_BODY = "emptyBody"  # the placeholder bills.akn writes for a tree with no node
ZONES = {
    "coverPage": Kind.HEADER,
    "preface": Kind.HEADER,
    "header": Kind.HEADER,  # a judgment's
    "preamble": Kind.PREAMBLE,
    "conclusions": Kind.FORMULA,
}
DOCUMENTS = frozenset(
    {
        "act", "bill", "doc", "documentCollection", "statement", "amendment", "amendmentList",
        "officialGazette", "portion", "judgment", "debate", "debateReport",
    }
)  # fmt: skip
DOCUMENT_HOLDERS = frozenset({"component", "attachment", "collectionItem"})
NOTES = frozenset({"authorialNote", "remark"})
QUOTES = frozenset({"quotedStructure", "embeddedStructure", "quotedText", "mod", "mmod", "rmod"})
GROUP_TYPES = frozenset(ProvisionGroupType.values)
KIND_VALUES = frozenset(Kind.values)
PART_KINDS = frozenset({Kind.HEADER, Kind.PREAMBLE, Kind.FORMULA, Kind.NOTE})
EXPLANATORY = re.compile(r"motiv|explanat|exposici|memorand", re.IGNORECASE)
GROUP_NAMES = (
    (re.compile(r"transit", re.IGNORECASE), ProvisionGroupType.TRANSITORY),
    (re.compile(r"modific|amend", re.IGNORECASE), ProvisionGroupType.AMENDING),
    (re.compile(r"derog|repeal", re.IGNORECASE), ProvisionGroupType.REPEALING),
    (re.compile(r"final", re.IGNORECASE), ProvisionGroupType.FINAL),
)
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_LETTERS = re.compile(r"[^\W\d_]{1,3}")

# Contexts: where node-making elements make nodes (body, parts) or are only text.
HIER, PART, TEXT = "hier", "part", "text"
BREAK = object()  # a boundary between blocks in a run of text


def parse_akn(data: bytes) -> ParseResult:
    """Reads an Akoma Ntoso 3.0 document into the node tree; see the module doc."""
    root = parse_xml(data)
    reader = _Reader(root)
    nodes = reader.read()
    if not nodes:
        raise ImportRefused(
            _("The Akoma Ntoso document has no text to import outside its metadata."),
            code="empty",
        )
    reader.result.nodes = nodes
    settle_eids(nodes, reader.result)
    return reader.result


def parse_xml(data: bytes) -> etree._Element:
    """The root of a safely parsed Akoma Ntoso 3.0 document, or ImportRefused."""
    check_size(data)
    _refuse_declarations(data)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )
    try:
        # The parser above resolves no entity, loads no DTD and reaches no network,
        # and DOCTYPEs were refused before this line.
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise _syntax_refusal(error) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _doctype_refusal("doctype")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise _doctype_refusal("entities")
    _check_root(root)
    _check_depth(root)
    return root


def _refuse_declarations(data: bytes) -> None:
    """Refuses a DOCTYPE or entity declaration before the parser sees it."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        big_endian = data[:2] == b"\xfe\xff" or data[:1] == b"\x00"
        text = data.decode("utf-16-be" if big_endian else "utf-16-le", errors="replace")
    else:
        text = data.decode("latin-1")  # one character a byte: enough to find ASCII markup
    if "<!ENTITY" in text:
        external = re.search(r"<!ENTITY[^>]*\b(SYSTEM|PUBLIC)\b", text)
        raise _doctype_refusal("external_entity" if external else "entities")
    if "<!DOCTYPE" in text:
        raise _doctype_refusal("doctype")


def _doctype_refusal(code: str) -> ImportRefused:
    messages = {
        "external_entity": _(
            "The XML file declares an external entity, a reference to another file or web "
            "address that a parser would read in. It is refused for safety: Akoma Ntoso "
            "needs no entities. Remove the DOCTYPE and its declarations and try again."
        ),
        "entities": _(
            "The XML file declares entities (the kind that can expand into billions of "
            "characters). It is refused for safety: Akoma Ntoso needs no entities. Remove "
            "the DOCTYPE and its declarations and try again."
        ),
        "doctype": _(
            "The XML file has a DOCTYPE declaration. It is refused for safety: Akoma Ntoso "
            "needs none. Remove the DOCTYPE and try again."
        ),
    }
    return ImportRefused(messages[code], code=code)


def _syntax_refusal(error: etree.XMLSyntaxError) -> ImportRefused:
    detail = str(error.msg or error)
    if "depth" in detail.lower():
        return ImportRefused(
            _("The XML file nests its elements too deeply to be a bill."), code="too_deep"
        )
    if "Document is empty" in detail or "Start tag expected" in detail:
        return ImportRefused(
            _("This file is not XML, so it cannot be an Akoma Ntoso document."), code="not_xml"
        )
    return ImportRefused(
        _(
            "This file is not well-formed XML (line %(line)s: %(detail)s). "
            "It may be truncated or damaged."
        )
        % {"line": error.lineno or "?", "detail": detail},
        code="not_xml",
    )


def _check_root(root: etree._Element) -> None:
    tag = root.tag if isinstance(root.tag, str) else ""
    qname = etree.QName(tag) if tag else None
    if qname is None or qname.localname != "akomaNtoso":
        raise ImportRefused(
            _(
                "This XML file is not an Akoma Ntoso document: its root element is "
                "<%(root)s>, not <akomaNtoso>."
            )
            % {"root": qname.localname if qname else "?"},
            code="not_akn",
        )
    namespace = qname.namespace or ""
    if not namespace:
        raise ImportRefused(
            _(
                "This Akoma Ntoso document has no namespace; Aporta reads Akoma Ntoso 3.0 "
                "(namespace %(expected)s)."
            )
            % {"expected": AKN_NS},
            code="not_akn",
        )
    if namespace != AKN_NS and not namespace.startswith(AKN_NS + "/"):
        raise ImportRefused(
            _(
                "This Akoma Ntoso document uses the namespace “%(namespace)s”; Aporta reads "
                "Akoma Ntoso 3.0 (%(expected)s)."
            )
            % {"namespace": namespace, "expected": AKN_NS},
            code="not_akn",
        )
    if not any(etree.QName(child).localname in DOCUMENTS for child in _elements(root)):
        raise ImportRefused(
            _("The Akoma Ntoso document holds no bill, act or other document."),
            code="not_akn",
        )


def _check_depth(root: etree._Element) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ImportRefused(
                _("The XML file nests its elements too deeply to be a bill."), code="too_deep"
            )
        stack.extend((child, depth + 1) for child in element)


def _elements(element: etree._Element) -> Iterable[etree._Element]:
    return (child for child in element if isinstance(child.tag, str))


def canonical_text(items: Iterable[object]) -> str:
    """A run of text fragments and block breaks as lines: one line a block."""
    raw = "".join("\n\n" if item is BREAK else str(item) for item in items)
    lines = (normalise_whitespace(line) for line in _BLANK_LINE.split(raw))
    return "\n".join(line for line in lines if line)


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.ns = etree.QName(root).namespace or AKN_NS
        self.result = ParseResult(nodes=[])
        self.holders: dict[str, etree._Element] = {}
        self.notes: dict[str, etree._Element] = {}
        self.imported: set[etree._Element] = set()
        self.from_style: set[int] = set()  # nodes whose numeral/literal came from the num
        self.zone_kind: str = Kind.HEADER  # the kind of the part being read
        for holder in self._iter("component", "attachment", "collectionItem"):
            for key in (holder.get("eId"), holder.get("id"), holder.get("GUID")):
                if key:
                    self.holders.setdefault(key, holder)
        for note in self._iter("note"):
            for key in (note.get("eId"), note.get("id"), note.get("GUID")):
                if key:
                    self.notes.setdefault(key, note)

    def read(self) -> list[Node]:
        items: list[object] = []
        self.content(self.root, HIER, items)
        self._metadata()
        return self.sequence(items, Kind.PARAGRAPH, warn=True)

    # -- walking ---------------------------------------------------------------

    def _iter(self, *names: str) -> Iterable[etree._Element]:
        return self.root.iter(*(f"{{{self.ns}}}{name}" for name in names))

    def local(self, element: etree._Element) -> str | None:
        tag = element.tag
        prefix = f"{{{self.ns}}}"
        if isinstance(tag, str) and tag.startswith(prefix):
            return tag[len(prefix) :]
        return None

    def content(self, element: etree._Element, context: str, out: list[object]) -> None:
        """Appends the element's text and its children's items, each with its tail."""
        if element.text:
            out.append(element.text)
        for child in element:
            self.child(child, context, out)
            if child.tail:
                out.append(child.tail)

    def child(self, element: etree._Element, context: str, out: list[object]) -> None:
        name = self.local(element)
        if name is None:
            if isinstance(element.tag, str):  # another namespace: read as inline text
                self.content(element, context, out)
            return
        if name == "meta":
            return
        if name == "noteRef":
            note = self.notes.get(_fragment(element.get("href")))
            if note is not None and context == TEXT:
                out.append(BREAK)
                self.content(note, TEXT, out)
                out.append(BREAK)
            elif note is not None:
                out.append(self.structure(note, Kind.NOTE, TEXT))
            return
        if context != TEXT:
            nodes = self.nodes_for(element, name, context)
            if nodes is not None:
                out.extend(nodes)
                return
        inner = TEXT if name in QUOTES else context
        block = name not in INLINE_ELEMENTS
        if block:
            out.append(BREAK)
        self.content(element, inner, out)
        if block:
            out.append(BREAK)

    def nodes_for(self, element: etree._Element, name: str, context: str) -> list[Node] | None:
        """The nodes an element makes where nodes are made, or None for plain text."""
        if name in NOTES:
            return [self.structure(element, Kind.NOTE, TEXT)]
        if name in ZONES:
            return self.zone(element, ZONES[name])
        if name in DOCUMENTS:
            return self.document(element)
        if name in DOCUMENT_HOLDERS:
            return self.holder(element)
        if name in ("componentRef", "documentRef"):
            target = self.holders.get(_fragment(element.get("src") or element.get("href")))
            return self.holder(target) if target is not None else []
        if name in HIER_KINDS:
            group = ProvisionGroupType.TRANSITORY if name == "transitional" else ""
            return [self.structure(element, HIER_KINDS[name], HIER, group)]
        if name == "hcontainer":
            return self.hcontainer(element)
        if name in ("point", "indent") or (
            name == "item" and context == HIER and self._num(element) is not None
        ):
            return [self.numbered(element)]
        if context == PART and name == "formula":
            return [self.structure(element, Kind.FORMULA, PART)]
        if context == PART and name in ("container", "blockContainer"):
            # bills.akn writes the kind as a class; a container's name may say it too
            kinds = [token for token in self._classes(element) if token in KIND_VALUES]
            named = element.get("name", "") if name == "container" else ""
            kind = kinds[0] if kinds else named if named in PART_KINDS else self.zone_kind
            return [self.structure(element, kind, PART)]
        return None

    # -- node makers -----------------------------------------------------------

    def structure(
        self, element: etree._Element, kind: str, context: str, group_type: str = ""
    ) -> Node:
        """A node from a structural element: num → label, heading → heading, the text
        before the first child node → text, the rest → children."""
        node = Node(kind=str(kind), eid=element.get("eId") or "", line=element.sourceline)
        node.group_type = str(
            group_type
            or next((token for token in self._classes(element) if token in GROUP_TYPES), "")
        )
        inner = context  # TEXT for an authorialNote: what it holds is its text
        items: list[object] = []
        if element.text:
            items.append(element.text)
        headings: list[str] = []
        for child in element:
            name = self.local(child)
            if name == "num" and not node.label:
                node.label = self.line_text(child)
            elif name in ("heading", "subheading"):
                headings.append(self.line_text(child))
            else:
                self.child(child, inner, items)
            if child.tail:
                items.append(child.tail)
        node.heading = normalise_whitespace(" ".join(headings))
        first = next((i for i, item in enumerate(items) if isinstance(item, Node)), len(items))
        node.text = canonical_text(items[:first])
        follow = kind if kind in PART_KINDS else Kind.PARAGRAPH
        node.children = self.sequence(items[first:], follow, warn=follow == Kind.PARAGRAPH)
        self._settle_numbering(node.children)
        return node

    def numbered(self, element: etree._Element) -> Node:
        classes = self._classes(element)
        forced = next((c for c in classes if c in (Kind.NUMERAL, Kind.LITERAL)), "")
        num = self._num(element)
        label = self.line_text(num) if num is not None else ""
        node = self.structure(element, forced or _kind_from_label(label), HIER)
        if not forced:
            self.from_style.add(id(node))
        return node

    def hcontainer(self, element: etree._Element) -> list[Node]:
        name = element.get("name") or ""
        kind = HCONTAINER_KINDS.get(name, Kind.PROVISIONS_GROUP)
        group = ""
        if kind == Kind.PROVISIONS_GROUP and name != "provisionsGroup":
            group = next(
                (value for pattern, value in GROUP_NAMES if pattern.search(name)),
                ProvisionGroupType.OTHER,
            )
        node = self.structure(element, kind, HIER, group)
        if name == EMPTY_BODY and not (node.text or node.children or node.label):
            return []
        return [node]

    def zone(self, element: etree._Element, kind: str) -> list[Node]:
        outer, self.zone_kind = self.zone_kind, kind
        items: list[object] = []
        self.content(element, PART, items)
        self.zone_kind = outer
        return self.sequence(items, kind)

    def document(self, element: etree._Element) -> list[Node]:
        items: list[object] = []
        self.content(element, HIER, items)
        return self.sequence(items, Kind.PARAGRAPH, warn=True)

    def holder(self, element: etree._Element) -> list[Node]:
        """A component or attachment: its document's nodes, or one node wrapping them."""
        if element in self.imported:
            return []
        self.imported.add(element)
        parts = list(_elements(element))
        document = next((e for e in parts if self.local(e) in DOCUMENTS), None)
        labelled = any(self.local(e) in ("num", "heading", "subheading") for e in parts)
        spliced = ("bill", "act", "documentCollection")
        if document is not None and self.local(document) in spliced and not labelled:
            return self.document(document)
        if document is None and not labelled:  # a documentRef, an interstitial
            items: list[object] = []
            self.content(element, HIER, items)
            return self.sequence(items, Kind.PARAGRAPH, warn=True)
        if document is None:
            return [self.structure(element, Kind.PROVISIONS_GROUP, HIER)]
        explanatory = EXPLANATORY.search(document.get("name") or "") or EXPLANATORY.search(
            self._title(document)
        )
        kind = Kind.EXPLANATORY_STATEMENT if explanatory else Kind.PROVISIONS_GROUP
        node = Node(kind=str(kind), eid=element.get("eId") or "", line=element.sourceline)
        if kind == Kind.PROVISIONS_GROUP:
            node.group_type = ProvisionGroupType.OTHER.value
        items: list[object] = []
        headings: list[str] = []
        for child in element:
            name = self.local(child)
            if name == "num" and not node.label:
                node.label = self.line_text(child)
            elif name in ("heading", "subheading"):
                headings.append(self.line_text(child))
            elif child is document:
                self._document_parts(document, items)
            else:
                self.child(child, HIER, items)
            if child.tail:
                items.append(child.tail)
        node.heading = normalise_whitespace(" ".join(headings))
        first = next((i for i, item in enumerate(items) if isinstance(item, Node)), len(items))
        node.text = canonical_text(items[:first])
        node.children = self.sequence(items[first:], Kind.PARAGRAPH, warn=True)
        return [node]

    def _document_parts(self, document: etree._Element, items: list[object]) -> None:
        """A wrapped document's cover page and preface are its node's own text."""
        if document.text:
            items.append(document.text)
        for part in document:
            if self.local(part) in ("coverPage", "preface"):
                outer, self.zone_kind = self.zone_kind, Kind.HEADER
                items.append(BREAK)
                self.content(part, PART, items)
                items.append(BREAK)
                self.zone_kind = outer
            else:
                self.child(part, HIER, items)
            if part.tail:
                items.append(part.tail)

    def sequence(self, items: list[object], filler: str, *, warn: bool = False) -> list[Node]:
        """Nodes in order; each run of text between them becomes a ``filler`` node."""
        nodes: list[Node] = []
        run: list[object] = []

        def flush() -> None:
            text = canonical_text(run)
            run.clear()
            if not text:
                return
            nodes.append(Node(kind=str(filler), text=text))
            if warn:
                self.result.warn(
                    "akn_loose_text",
                    _(
                        "Text outside any numbered provision was kept as an unnumbered "
                        "paragraph: “%(start)s”."
                    )
                    % {"start": text[:60]},
                )

        for item in items:
            if isinstance(item, Node):
                flush()
                nodes.append(item)
            else:
                run.append(item)
        flush()
        return nodes

    # -- helpers ---------------------------------------------------------------

    def line_text(self, element: etree._Element) -> str:
        items: list[object] = []
        self.content(element, TEXT, items)
        return normalise_whitespace("".join(" " if item is BREAK else str(item) for item in items))

    def _num(self, element: etree._Element) -> etree._Element | None:
        return next((child for child in element if self.local(child) == "num"), None)

    def _classes(self, element: etree._Element) -> list[str]:
        return (element.get("class") or "").split()

    def _title(self, document: etree._Element) -> str:
        for part in document:
            if self.local(part) in ("coverPage", "preface"):
                return normalise_whitespace(" ".join(part.itertext()))[:200]
        return ""

    def _settle_numbering(self, siblings: list[Node]) -> None:
        """``(i)`` next to ``(ii)`` is a roman numeral, not the letter i."""
        styled = [node for node in siblings if id(node) in self.from_style]
        if not any(_is_roman_run(node.label) for node in styled):
            return
        for node in styled:
            if roman_to_int(_label_core(node.label) or "-") is not None:
                node.kind = Kind.NUMERAL.value

    def _metadata(self) -> None:
        metadata = self.result.metadata
        document = next((e for e in _elements(self.root) if self.local(e) in DOCUMENTS), None)
        if document is not None:
            metadata["document_type"] = self.local(document) or ""
            if document.get("name"):
                metadata["name"] = document.get("name", "")
        meta = next(self._iter("meta"), None)
        if meta is not None:
            for path, attribute, key in (
                ("FRBRWork/FRBRthis", "value", "uri"),
                ("FRBRWork/FRBRdate", "date", "date"),
                ("FRBRWork/FRBRcountry", "value", "country"),
                ("FRBRWork/FRBRnumber", "value", "number"),
                ("FRBRWork/FRBRname", "value", "title"),
                ("FRBRExpression/FRBRlanguage", "language", "language"),
            ):
                steps = "/".join(f"a:{step}" for step in path.split("/"))
                found = meta.xpath(f"a:identification/{steps}", namespaces={"a": self.ns})
                if found and found[0].get(attribute):
                    metadata[key] = found[0].get(attribute)
        for name, key in (("docTitle", "title"), ("docNumber", "number")):
            element = next(self._iter(name), None)
            if element is not None and not any(
                self.local(ancestor) == "meta" for ancestor in element.iterancestors()
            ):
                text = self.line_text(element)
                if text:
                    metadata[key] = text


def _label_core(label: str) -> str:
    return label.strip().strip("()[]{}.-–—:;°º ")


def _is_roman_run(label: str) -> bool:
    """``ii``, ``iv``, ``xii``: more than one letter, and only i, v and x."""
    core = _label_core(label)
    return (
        len(core) > 1
        and re.fullmatch(r"[ivx]+", core.lower()) is not None
        and bool(roman_to_int(core))
    )


def _kind_from_label(label: str) -> str:
    """``a)``, ``(b)``, ``A)`` and ``aa)`` are literals; numbers and ``ii`` numerals."""
    core = _label_core(label)
    if _LETTERS.fullmatch(core) and not _is_roman_run(label):
        return Kind.LITERAL
    return Kind.NUMERAL


def _fragment(reference: str | None) -> str:
    """``#cmp_1`` → ``cmp_1``: the eId that a src or href points to."""
    return (reference or "").removeprefix("#")


def eid_is_valid(eid: str) -> bool:
    return bool(EID_PATTERN.match(eid)) and len(eid) <= MAX_EID_LENGTH


def settle_eids(nodes: list[Node], result: ParseResult | None = None) -> None:
    """Keeps every eId that is valid and unique in the tree, and gives the other
    nodes new ones (all of them through ``assign_eids`` when none is kept)."""
    counts = Counter(node.eid for root in nodes for node in root.walk() if node.eid)
    replaced: set[str] = set()
    for root in nodes:
        for node in root.walk():
            if node.eid and (counts[node.eid] > 1 or not eid_is_valid(node.eid)):
                replaced.add(node.eid)
                node.eid = ""
    if result is not None:
        for eid in sorted(replaced):
            reason = _("repeated") if counts[eid] > 1 else _("not a valid identifier")
            result.warn(
                "akn_eid_replaced",
                _("The eId “%(eid)s” was replaced (%(reason)s).")
                % {"eid": eid[:80], "reason": reason},
            )
    if not any(node.eid for root in nodes for node in root.walk()):
        assign_eids(nodes)
    else:
        fill_missing_eids(nodes)


def fill_missing_eids(nodes: list[Node]) -> None:
    """``assign_eids`` for the nodes that have no eId, leaving the others as they are."""
    used = {node.eid for root in nodes for node in root.walk() if node.eid}

    def visit(siblings: list[Node], prefix: str) -> None:
        counters: dict[str, int] = {}
        for node in siblings:
            short = EID_PREFIX[node.kind]
            counters[short] = counters.get(short, 0) + 1
            if not node.eid:
                number = re.sub(r"[^a-zA-Z0-9]", "", eid_number(node.label) if node.label else "")
                number = number or str(counters[short])
                base = f"{prefix}__{short}_{number}" if prefix else f"{short}_{number}"
                eid, repeat = base, 1
                while eid in used:
                    repeat += 1
                    eid = f"{base}-{repeat}"
                used.add(eid)
                node.eid = eid
            visit(node.children, node.eid)

    visit(nodes, "")
