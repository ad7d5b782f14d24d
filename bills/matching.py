"""Which provision of one version is which provision of the next.

Identity across versions comes from labels and text, never from eIds alone:
an eId is positional, so renumbering changes it. The match is one to one —
each provision of either version appears in exactly one ``Match`` — and is
stored (``store_matches``) so that comments can follow a provision into the
next text.

It works on plain ``Item`` values, so the same code serves ``Provision`` rows
(``version_match``) and an importer's ``Node`` tree before anything is saved
(``items_from_nodes``).

How it decides
==============

Provisions are compared only with provisions of the same kind — an article
with articles, a literal with literals — across the whole version, kind by
kind from the top of the tree down (titles and chapters, then articles, then
paragraphs, numerals and literals, ordered by how deep each kind sits in the
two versions). Going top down means that when the literals ``a)``, ``b)`` …
are matched, it is already known which article became which, and a literal
prefers the one in the corresponding article. Where a kind also sits under a
kind matched after it (Akoma Ntoso nests paragraphs in numerals and numerals
in paragraphs), what it left alone gets further rounds, with the label as
evidence, until nothing more is matched.

What is compared is a provision's *whole* text: its heading and own text
followed by the text of everything under it, labels left out. An article whose
words all sit in its numbered paragraphs is still recognised, and a chapter
whose heading was reworded is still the chapter holding the same articles.

For each kind, in this order:

1. **Same text.** Provisions whose whole text is identical after whitespace
   is normalised are paired. Where a text occurs more than once (``Derogado.``),
   the pairing prefers the same label, then corresponding parents, then the
   same eId, then the nearest position in the document.
2. **Similar text.** Among what is left, every plausible pair gets a
   similarity: the share of tokens (words and punctuation, compared without
   case or accents) that survive in order, as in ``difflib``'s ratio. A pair
   *with the same label* — the same number, however it is written: ``Artículo
   5.``, ``Art. 5°`` — needs 0.5; any other pair needs 0.65. For labels that
   repeat in a version (``a)``, ``1.``, ``PRIMERA``) and for unlabelled
   provisions, where the label is their place among unlabelled siblings, the
   label only counts when the parents correspond. Pairs are then taken
   greedily, the best first: similarity plus small bonuses for the same label
   (0.05), corresponding parents (0.02) and the same eId (0.01) — so the eId
   only ever breaks near ties.
3. **Same place.** Paragraphs, numerals and literals still alone whose
   parents were matched to each other are paired when they have the same
   label (or, unlabelled, the same place among their siblings), however
   rewritten: numeral 2 of an article is still numeral 2 of that article.
4. Whatever is still alone was **deleted** (old) or **inserted** (new).

The status speaks of the provision's own text, not of what is under it: a
chapter whose heading stayed is unchanged even if its articles changed, since
they carry their own status. A pair is **unchanged** when its label (number)
and own text (heading and text, whitespace normalised) are the same and its
parents correspond;
**moved** when the label differs (renumbered) or the parents do not correspond
(moved to another chapter or article) — a moved provision may also have
changed, which its similarity tells; otherwise **changed**. Parents
correspond when both are at the top, or the old parent was matched to the new
one. ``similarity`` compares own texts: 1.0 when identical.

Short texts (fewer than three words) are paired only through their label, so
that a deleted ``Derogado.`` does not turn up as "moved" into an unrelated new
``Derogado.`` elsewhere.

Speed: the same-text pass is a dictionary lookup, so a version that mostly
kept or renumbered its provisions costs little more than reading them. In the
similar-text pass a pair is only measured when it can reach its threshold at
all: the tokens two texts share, counted as multisets, bound the ratio from
above, and that bound is one ``&`` and one ``bit_count`` on bit masks. The
candidates then wait in a heap under their bound and are measured only when
they reach its top, so pairs whose provisions were already taken are never
measured. 300 renumbered articles, each of them also edited, match in about
0.1 s; with their 1,500 numerals and paragraphs, in about 0.15 s.

Limits
======

- One to one: a split article matches the part most like it (the rest is
  inserted), and merged articles match the one most like the result (the other
  is deleted). A provision whose kind changed (a paragraph that became an
  article) is deleted and inserted.
- Greedy: the pairing is not a global optimum, although taking the most
  similar pairs first makes the difference rare.
- A provision that was heavily rewritten *and* renumbered is deleted and
  inserted: below 0.65 there is nothing left to tell it from a new one.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction

from bills.diff import opcodes, tokens
from bills.importers.base import Node, eid_number
from bills.models import BillVersion, MatchStatus, Provision, ProvisionKind, ProvisionMatch

SAME_LABEL_THRESHOLD = 0.5
OTHER_THRESHOLD = 0.65
LABEL_BONUS = 0.05
PARENT_BONUS = 0.02
EID_BONUS = 0.01
# Fewer words than this: too little text to recognise a provision elsewhere.
MIN_WORDS_ELSEWHERE = 3

# Parents before children, so that a child can prefer its parent's match.
KIND_ORDER = [
    ProvisionKind.HEADER,
    ProvisionKind.PREAMBLE,
    ProvisionKind.FORMULA,
    ProvisionKind.EXPLANATORY_STATEMENT,
    ProvisionKind.PART,
    ProvisionKind.TITLE,
    ProvisionKind.CHAPTER,
    ProvisionKind.SUBCHAPTER,
    ProvisionKind.SECTION,
    ProvisionKind.PROVISIONS_GROUP,
    ProvisionKind.ARTICLE,
    ProvisionKind.PROVISION,
    ProvisionKind.PARAGRAPH,
    ProvisionKind.NUMERAL,
    ProvisionKind.LITERAL,
    ProvisionKind.NOTE,
]
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
_ACCENTS = re.compile("[\u0300-\u036f]")
# Parts of a provision: when their provision was matched, the same label in
# it is the same part, however rewritten.
_PARTS = frozenset({ProvisionKind.PARAGRAPH, ProvisionKind.NUMERAL, ProvisionKind.LITERAL})
_LATIN_SUFFIXES = ("bis", "ter", "quater", "quinquies")
_TOP = object()  # the parent of top-level items, in lookups


@dataclass(frozen=True, slots=True)
class Item:
    """One provision as the matcher sees it. Items are listed in document order,
    each parent before its children."""

    key: Hashable
    kind: str
    label: str = ""
    text: str = ""
    eid: str = ""
    parent_key: Hashable | None = None
    heading: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """``old_key`` is None for an inserted provision, ``new_key`` for a deleted one."""

    old_key: Hashable | None
    new_key: Hashable | None
    status: MatchStatus
    similarity: float


def match_items(old: Sequence[Item], new: Sequence[Item]) -> list[Match]:
    """Matches the items of an old version to those of a new one.

    Every item of either side appears in exactly one match. The result is in
    the new version's document order, each deleted item placed after the new
    position of the old item that preceded it.
    """
    return _Matcher(_Side(old), _Side(new)).run()


def items_from_provisions(provisions: Iterable[Provision]) -> list[Item]:
    """Items keyed by primary key; the provisions must be in document order."""
    return [
        Item(
            key=provision.pk,
            kind=provision.kind,
            label=provision.label,
            text=provision.text,
            eid=provision.eid,
            parent_key=provision.parent_id,
            heading=provision.heading,
        )
        for provision in provisions
    ]


def items_from_nodes(nodes: Sequence[Node]) -> list[Item]:
    """Items of an importer's tree, keyed by their place in ``walk`` order (0, 1, …)."""
    items: list[Item] = []

    def visit(node: Node, parent_key: int | None) -> None:
        key = len(items)
        items.append(
            Item(
                key=key,
                kind=node.kind,
                label=node.label,
                text=node.text,
                eid=node.eid,
                parent_key=parent_key,
                heading=node.heading,
            )
        )
        for child in node.children:
            visit(child, key)

    for root in nodes:
        visit(root, None)
    return items


def version_match(old_version: BillVersion, new_version: BillVersion) -> list[Match]:
    """Matches the provisions of two versions; keys are provision ids. Two queries."""
    fields = ("id", "kind", "label", "heading", "text", "eid", "parent", "order")

    def load(version: BillVersion) -> list[Item]:
        rows = Provision.objects.filter(version=version).order_by("order").only(*fields)
        return items_from_provisions(rows)

    return match_items(load(old_version), load(new_version))


@transaction.atomic
def store_matches(
    old_version: BillVersion, new_version: BillVersion, matches: Iterable[Match]
) -> list[ProvisionMatch]:
    """Replaces the stored match between two versions with ``matches``.

    Safe to repeat: the rows for this pair of versions are deleted first, in
    the same transaction. The keys must be the ids of the versions' provisions,
    as ``version_match`` gives them.
    """
    ProvisionMatch.objects.filter(old_version=old_version, new_version=new_version).delete()
    rows = [
        ProvisionMatch(
            old_version=old_version,
            new_version=new_version,
            old_id=match.old_key,
            new_id=match.new_key,
            status=match.status,
            similarity=match.similarity,
        )
        for match in matches
    ]
    return ProvisionMatch.objects.bulk_create(rows)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _label_key(label: str) -> str:
    """The number in a label: ``Artículo 5.-`` and ``Art. 5°`` give ``5``, ``Artículo
    5-A`` gives ``5a``, ``Artículo 5 bis`` gives ``5bis``, ``TÍTULO IV`` gives ``4``;
    a label without a number is kept whole (``TÍTULO PRELIMINAR``)."""
    number = eid_number(label)
    if not number:
        return _comparable(label)
    words = re.findall(r"\w+", _comparable(label))
    return number + "".join(word for word in words if word in _LATIN_SUFFIXES)


def _comparable(text: str) -> str:
    """Lower case without accents, for similarity (never for the status)."""
    return _ACCENTS.sub("", unicodedata.normalize("NFD", text.casefold()))


class _Side:
    """One version's items, with what the matcher needs about each, by index."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = list(items)
        count = len(self.items)
        self.index: dict[Hashable, int] = {}
        self.parent: list[int | None] = []
        self.children: list[list[int]] = [[] for _ in range(count)]
        for position, item in enumerate(self.items):
            if item.key in self.index:
                raise ValueError(f"two items share the key {item.key!r}")
            if item.parent_key is None:
                self.parent.append(None)
            elif item.parent_key in self.index:
                parent = self.index[item.parent_key]
                self.parent.append(parent)
                self.children[parent].append(position)
            else:
                raise ValueError(f"the parent of {item.key!r} is not listed before it")
            self.index[item.key] = position

        # Own text (heading and text) decides the status; the whole text
        # (own text, then every descendant's) decides identity.
        self.own = [_normalise(f"{item.heading} {item.text}") for item in self.items]
        self.whole: list[str] = [""] * count
        for position in reversed(range(count)):  # children before parents
            parts = [self.own[position]] + [self.whole[c] for c in self.children[position]]
            self.whole[position] = "\n".join(part for part in parts if part)
        self.words = [len(text.split()) for text in self.whole]
        self.depth = [0] * count
        for position, parent in enumerate(self.parent):
            if parent is not None:
                self.depth[position] = self.depth[parent] + 1
        self._own_tokens: dict[int, list[str]] = {}
        self._tokens: dict[int, list[str]] = {}

        # A label is compared by its number (``Artículo 5.`` and ``Art. 5°``
        # agree); an unlabelled item's label is its place among unlabelled
        # siblings of its kind.
        self.label: list[str] = []
        self.labelled: list[bool] = []
        unlabelled: Counter[tuple[int | None, str]] = Counter()
        for position, item in enumerate(self.items):
            label = _normalise(item.label)
            self.labelled.append(bool(label))
            if label:
                self.label.append(_label_key(label))
            else:
                unlabelled[self.parent[position], item.kind] += 1
                self.label.append(f"#{unlabelled[self.parent[position], item.kind]}")
        self.label_count = Counter(
            (item.kind, label) for item, label in zip(self.items, self.label, strict=True)
        )

        by_kind: dict[str, list[int]] = defaultdict(list)
        for position, item in enumerate(self.items):
            by_kind[item.kind].append(position)
        self.by_kind = dict(by_kind)
        # Relative place among items of the same kind, 0 to 1.
        self.place = [0.0] * count
        for positions in self.by_kind.values():
            last = max(len(positions) - 1, 1)
            for rank, position in enumerate(positions):
                self.place[position] = rank / last

    def label_is_unique(self, position: int) -> bool:
        return self.label_count[self.items[position].kind, self.label[position]] == 1

    def own_tokens(self, position: int) -> list[str]:
        """Tokens of the own text, compared without case or accents; computed
        only for what the exact pass left over."""
        if position not in self._own_tokens:
            self._own_tokens[position] = tokens(_comparable(self.own[position]))
        return self._own_tokens[position]

    def tokens(self, position: int) -> list[str]:
        """Tokens of the whole text."""
        if position not in self._tokens:
            result = list(self.own_tokens(position))
            for child in self.children[position]:
                result.extend(self.tokens(child))
            self._tokens[position] = result
        return self._tokens[position]


class _Matcher:
    def __init__(self, old: _Side, new: _Side) -> None:
        self.old, self.new = old, new
        self.forward: dict[int, int] = {}  # old index → new index
        self.back: dict[int, int] = {}  # new index → old index

    def run(self) -> list[Match]:
        kinds = sorted(set(self.old.by_kind) | set(self.new.by_kind), key=self._kind_order)
        for kind in kinds:
            self._match_kind(kind, first_round=True)
        # A kind can sit under a kind matched after it (Akoma Ntoso nests
        # paragraphs in numerals and numerals in paragraphs). Its leftovers get
        # another chance once every parent that will be matched is.
        while True:
            matched = len(self.forward)
            for kind in kinds:
                self._match_kind(kind, first_round=False)
            if len(self.forward) == matched:
                return self._matches()

    def _kind_order(self, kind: str) -> tuple:
        """Shallow kinds first, as they sit in these two versions; ties in the
        usual order of a bill."""
        depths = [self.old.depth[i] for i in self.old.by_kind.get(kind, [])]
        depths += [self.new.depth[j] for j in self.new.by_kind.get(kind, [])]
        return (sum(depths) / len(depths), _KIND_RANK.get(kind, len(KIND_ORDER)), kind)

    def _match_kind(self, kind: str, *, first_round: bool) -> None:
        old_left = [i for i in self.old.by_kind.get(kind, []) if i not in self.forward]
        new_left = [j for j in self.new.by_kind.get(kind, []) if j not in self.back]
        if not old_left or not new_left:
            return
        self._same_text(old_left, new_left)
        old_left = [i for i in old_left if i not in self.forward]
        new_left = [j for j in new_left if j not in self.back]
        if old_left and new_left:
            # Later rounds only add what a newly matched parent makes possible:
            # pairs with the same label. Others were already weighed.
            self._similar_text(old_left, new_left, any_label=first_round)
        if kind in _PARTS:
            self._same_place(kind)

    # Evidence about a pair

    def parents_correspond(self, i: int, j: int) -> bool:
        old_parent, new_parent = self.old.parent[i], self.new.parent[j]
        if old_parent is None or new_parent is None:
            return old_parent is None and new_parent is None
        return self.forward.get(old_parent) == new_parent

    def same_label(self, i: int, j: int) -> bool:
        """The same number, in a place where that number identifies the provision."""
        if self.old.label[i] != self.new.label[j]:
            return False
        unique = self.old.label_is_unique(i) and self.new.label_is_unique(j)
        return unique or self.parents_correspond(i, j)

    def bonus(self, i: int, j: int) -> float:
        old_eid, new_eid = self.old.items[i].eid, self.new.items[j].eid
        return (
            LABEL_BONUS * self.same_label(i, j)
            + PARENT_BONUS * self.parents_correspond(i, j)
            + EID_BONUS * (bool(old_eid) and old_eid == new_eid)
        )

    def distance(self, i: int, j: int) -> float:
        return abs(self.old.place[i] - self.new.place[j])

    def long_enough(self, i: int, j: int) -> bool:
        return min(self.old.words[i], self.new.words[j]) >= MIN_WORDS_ELSEWHERE

    def take(self, i: int, j: int) -> bool:
        if i in self.forward or j in self.back:
            return False
        self.forward[i] = j
        self.back[j] = i
        return True

    # Passes

    def _same_text(self, old_left: list[int], new_left: list[int]) -> None:
        by_text: dict[str, list[int]] = defaultdict(list)
        for i in old_left:
            if self.old.whole[i]:
                by_text[self.old.whole[i]].append(i)
        pairs = []
        for j in new_left:
            for i in by_text.get(self.new.whole[j], ()):
                if self.long_enough(i, j) or self.same_label(i, j):
                    pairs.append((-self.bonus(i, j), self.distance(i, j), i, j))
        for _, _, i, j in sorted(pairs):
            self.take(i, j)

    def _similar_text(self, old_left: list[int], new_left: list[int], *, any_label: bool) -> None:
        """Greedy, the best pair first, measuring lazily.

        Every candidate enters a heap under an optimistic score (its upper
        bound plus bonuses). When a candidate comes out for the first time its
        similarity is measured and it goes back under its true score; when it
        comes out measured, nothing left can beat it. Pairs whose provisions
        were taken meanwhile are never measured.
        """
        heap = []
        for i, j, bound, labelled in self._candidates(old_left, new_left, any_label=any_label):
            threshold = SAME_LABEL_THRESHOLD if labelled else OTHER_THRESHOLD
            if bound >= threshold:
                bonus = self.bonus(i, j)
                heap.append((-(bound + bonus), self.distance(i, j), i, j, threshold, bonus, False))
        heapq.heapify(heap)
        while heap:
            _, distance, i, j, threshold, bonus, measured = heapq.heappop(heap)
            if i in self.forward or j in self.back:
                continue
            if measured:
                self.take(i, j)
                continue
            similarity = _similarity(self.old.tokens(i), self.new.tokens(j))
            if similarity >= threshold:
                entry = (-(similarity + bonus), distance, i, j, threshold, bonus, True)
                heapq.heappush(heap, entry)

    def _candidates(
        self, old_left: list[int], new_left: list[int], *, any_label: bool
    ) -> Iterator[tuple[int, int, float, bool]]:
        """Pairs worth measuring: (old, new, upper bound of similarity, same label).

        Pairs with the same label are always candidates. With ``any_label``,
        any other pair of long enough texts is one if the multiset of tokens
        they share could reach the threshold.
        """
        labelled: set[tuple[int, int]] = set()
        by_label_parent: dict[tuple[str, object], list[int]] = defaultdict(list)
        by_label: dict[str, list[int]] = defaultdict(list)
        for j in new_left:
            parent = self.new.parent[j]
            by_label_parent[self.new.label[j], _TOP if parent is None else parent].append(j)
            by_label[self.new.label[j]].append(j)
        for i in old_left:
            parent = self.old.parent[i]
            target = _TOP if parent is None else self.forward.get(parent)
            for j in by_label_parent.get((self.old.label[i], target), ()):
                labelled.add((i, j))
            if self.old.label_is_unique(i):
                for j in by_label.get(self.old.label[i], ()):
                    if self.new.label_is_unique(j):
                        labelled.add((i, j))

        if not any_label:
            if not labelled:
                return
            # Masks only for the provisions that have a labelled partner.
            old_left = sorted({i for i, _ in labelled})
            new_left = sorted({j for _, j in labelled})
        masks = _Masks(
            [self.old.tokens(i) for i in old_left], [self.new.tokens(j) for j in new_left]
        )
        old_place = {i: a for a, i in enumerate(old_left)}
        new_place = {j: b for b, j in enumerate(new_left)}
        for i, j in labelled:
            yield i, j, masks.bound(old_place[i], new_place[j]), True
        if not any_label:
            return

        # The tight loop of the matcher: keep it plain. New texts are sorted by
        # length, and only those whose length allows the threshold are tried.
        ratio = OTHER_THRESHOLD / (2 - OTHER_THRESHOLD)
        others = sorted(
            (masks.new_sizes[b], j, masks.new[b])
            for b, j in enumerate(new_left)
            if self.new.words[j] >= MIN_WORDS_ELSEWHERE
        )
        other_sizes = [size for size, _, _ in others]
        for a, i in enumerate(old_left):
            if self.old.words[i] < MIN_WORDS_ELSEWHERE:
                continue
            size, mask = masks.old_sizes[a], masks.old[a]
            first = bisect.bisect_left(other_sizes, size * ratio)
            last = bisect.bisect_right(other_sizes, size / ratio)
            for other_size, j, other_mask in others[first:last]:
                shared = (mask & other_mask).bit_count()
                if 2 * shared >= OTHER_THRESHOLD * (size + other_size) and (i, j) not in labelled:
                    yield i, j, 2 * shared / (size + other_size), False

    def _same_place(self, kind: str) -> None:
        """Pairs parts of matched provisions left alone that share their label,
        whatever their similarity: numeral 2 of an article, rewritten, is still
        numeral 2 of that article."""
        waiting: dict[tuple[int, str], int] = {}
        for j in self.new.by_kind.get(kind, []):
            parent = self.new.parent[j]
            if j not in self.back and parent is not None and parent in self.back:
                waiting.setdefault((parent, self.new.label[j]), j)
        for i in self.old.by_kind.get(kind, []):
            parent = self.old.parent[i]
            if i in self.forward or parent not in self.forward:
                continue
            j = waiting.pop((self.forward[parent], self.old.label[i]), None)
            if j is not None:
                self.take(i, j)

    # Result

    def _matches(self) -> list[Match]:
        old, new = self.old, self.new
        placed: list[tuple[tuple, Match]] = []
        for j, item in enumerate(new.items):
            i = self.back.get(j)
            if i is None:
                match = Match(None, item.key, MatchStatus.INSERTED, 0.0)
            else:
                match = Match(old.items[i].key, item.key, *self._status(i, j))
            placed.append(((j, 0, 0), match))
        after = -1  # new index of the last matched old item seen so far
        for i, item in enumerate(old.items):
            j = self.forward.get(i)
            if j is not None:
                after = j
            else:
                placed.append(((after, 1, i), Match(item.key, None, MatchStatus.DELETED, 0.0)))
        placed.sort(key=lambda pair: pair[0])
        return [match for _, match in placed]

    def _status(self, i: int, j: int) -> tuple[MatchStatus, float]:
        old, new = self.old, self.new
        same_own = old.own[i] == new.own[j]
        similarity = 1.0 if same_own else _similarity(old.own_tokens(i), new.own_tokens(j))
        # Unlabelled on both sides: its place among siblings is not a number.
        renumbered = (old.labelled[i] or new.labelled[j]) and old.label[i] != new.label[j]
        similarity = round(similarity, 4)
        if renumbered or not self.parents_correspond(i, j):
            return MatchStatus.MOVED, similarity
        if same_own:
            return MatchStatus.UNCHANGED, similarity
        return MatchStatus.CHANGED, similarity


class _Masks:
    """Token multisets as bit masks, one bit per (token, occurrence).

    Two texts can keep at most as many tokens in order as they share as
    multisets, so ``2 * shared / (len a + len b)`` bounds the similarity from
    above; with masks, "shared" is one ``&`` and one ``bit_count``. Each token
    owns a block of bits as wide as its largest count in any one text.
    """

    def __init__(self, old: list[list[str]], new: list[list[str]]) -> None:
        old_counts = [Counter(item) for item in old]
        new_counts = [Counter(item) for item in new]
        widest: dict[str, int] = {}
        for counts in (*old_counts, *new_counts):
            for token, count in counts.items():
                if count > widest.get(token, 0):
                    widest[token] = count
        offset, start = 0, {}
        for token, width in widest.items():
            start[token] = offset
            offset += width
        self.old = [self._mask(counts, start) for counts in old_counts]
        self.new = [self._mask(counts, start) for counts in new_counts]
        self.old_sizes = [len(item) for item in old]
        self.new_sizes = [len(item) for item in new]

    @staticmethod
    def _mask(counts: Counter[str], start: dict[str, int]) -> int:
        mask = 0
        for token, count in counts.items():
            mask |= ((1 << count) - 1) << start[token]
        return mask

    def bound(self, a: int, b: int) -> float:
        total = self.old_sizes[a] + self.new_sizes[b]
        return 2 * (self.old[a] & self.new[b]).bit_count() / total if total else 1.0


def _similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Share of tokens that survive in order: 2 * matched / (len a + len b)."""
    if not a and not b:
        return 1.0
    matched = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes(a, b) if tag == "equal")
    return 2 * matched / (len(a) + len(b))
