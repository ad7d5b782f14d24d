"""Campaign detection: near-identical texts, paraphrased form letters included,
grouped into campaigns. Pure Python and numpy over ``(id, text)`` pairs (no
database): :func:`detect` answers the :class:`Campaign` s, each with its
members and a representative; the services add counts and dates.

How: MinHash with LSH banding finds seeds; each seed's own words (its
*profile*) then decide which texts belong to its campaign.

1. Each text becomes the set of its *content words*: the words of
   :func:`moderation.screening.tokens` in their normalised form (lower case,
   no accents, substitutions undone, repeated letters collapsed), less common
   Spanish function words (:data:`STOPWORDS`) and one-character words. A set
   is blind to word order, so reordered sentences do not matter, and
   rewording changes only the words swapped. Texts with fewer than
   ``MIN_WORDS`` such words are too short to tell apart and are left out.
2. Each word gets a stable 32-bit number (``zlib.crc32`` of its UTF-8 bytes,
   never Python's salted ``hash()``), and each text a MinHash signature of
   ``HASHES`` values: for each of ``HASHES`` universal hash functions
   ``(a·x + b) mod 2^61-1``, the least value over the text's words. Two
   texts' signatures agree in a share of places that estimates their Jaccard
   similarity (shared words over all words).
3. LSH banding: the signature is cut into ``BANDS`` bands of ``ROWS`` values;
   texts whose band is equal fall in one bucket. Texts similar beyond about
   ``(1/BANDS)^(1/ROWS)`` (0.31) share a bucket with high probability. Within
   a bucket each text is compared with the bucket's first text and with the
   one before it (not with every other: a campaign's bucket may hold
   thousands), so the pairs compared grow with the number of texts, not its
   square.
4. A pair is an edge when its signatures agree in at least ``threshold`` of
   places; edges join texts into *seeds* (union-find). Seeds may be chains
   of merely alike texts (A like B, B like C, …), and a heavily reworded copy
   may be in no seed: seeds only point at where campaigns may be.
5. For each seed of at least ``min_size`` texts, largest first: the words in
   PROFILE_SHARE of its texts; the texts that *fit* those words (at least
   ``containment`` of a text's words are among them, and they are at least
   ``coverage`` of them and at least MIN_WORDS); at least SEED_AGREES of the
   seed must fit, or it is a chain. The profile is then the words in
   PROFILE_SHARE of the fitting texts that are also LIFT times as common in
   them as in the other texts (less those already in a campaign, which would
   make any other words look rare): the words of the letter, not of the
   consultation's topic, which everyone uses. A profile of fewer than
   MIN_PROFILE words (a shared phrase, not a letter), or sharing
   PROFILE_OVERLAP of its words with a profile already taken (another seed
   of the same campaign), is dropped. The texts that fit the profile are its
   campaign's (a text fitting several goes to the profile it covers most).
   All this is done twice, the second time leaving out of the comparison the
   texts the first put in any campaign, so that the order the seeds come in
   (a large chain before a campaign) does not matter.
6. Campaigns of at least ``min_size`` texts are answered, with as
   representative the member whose signature agrees most with the others'
   (over an evenly spread sample of at most MEDOID_SAMPLE members).

Costs: reading the words (``screening.tokens``) is most of the time, about
0.2 ms for a comment of 500 characters; the rest is numpy, a few passes over
all the texts' words per seed. Memory: the signatures (``HASHES`` x 4 bytes per
text), the texts' word numbers (12 bytes per word), and CHUNK pairs being
verified at once.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from moderation import screening

HASHES = 96  # MinHash values per text
BANDS = 32  # LSH bands of ...
ROWS = HASHES // BANDS  # ... this many values each
MIN_WORDS = 5  # content words a text needs to be compared at all
THRESHOLD = 0.35  # estimated Jaccard similarity of an edge
CONTAINMENT = 0.3  # least share of a member's words in its campaign's profile
COVERAGE = 0.25  # least share of the profile a member's words cover
PROFILE_SHARE = 0.3  # of a seed's texts a word is in, to be in its profile
PROFILE_OVERLAP = 0.5  # profiles sharing this much are one campaign's
LIFT = 5.0  # how much more common in a seed than elsewhere its profile's words are
MIN_PROFILE = 12  # words a campaign's profile needs (a shared sentence is not a letter)
SEED_AGREES = 0.5  # share of a seed's texts that must fit its profile
MEDOID_SAMPLE = 300
CHUNK = 50_000  # pairs verified at once (bounds the memory of verifying)
_PRIME = (1 << 61) - 1
_SEED = 20_260_527

# Spanish function words, normalised as screening.normalise does (no accents,
# repeated letters kept once: "lla" stays, "ll" in "llegar" reads "legar").
STOPWORDS = frozenset(
    [
        "a",
        "al",
        "algo",
        "algun",
        "alguna",
        "algunas",
        "alguno",
        "algunos",
        "ante",
        "antes",
        "aqui",
        "asi",
        "aun",
        "bajo",
        "bien",
        "cada",
        "como",
        "con",
        "contra",
        "cual",
        "cuales",
        "cuando",
        "de",
        "del",
        "desde",
        "donde",
        "dos",
        "e",
        "el",
        "ela",
        "elas",
        "ello",
        "elos",
        "en",
        "entre",
        "era",
        "eran",
        "es",
        "esa",
        "esas",
        "ese",
        "eso",
        "esos",
        "esta",
        "estan",
        "estas",
        "este",
        "esto",
        "estos",
        "fue",
        "fueron",
        "ha",
        "han",
        "hasta",
        "hay",
        "la",
        "las",
        "le",
        "les",
        "lo",
        "los",
        "mas",
        "me",
        "mi",
        "mis",
        "mucho",
        "muy",
        "ni",
        "no",
        "nos",
        "nosotros",
        "o",
        "otra",
        "otras",
        "otro",
        "otros",
        "para",
        "pero",
        "poco",
        "por",
        "porque",
        "que",
        "quien",
        "se",
        "ser",
        "si",
        "sido",
        "sin",
        "sobre",
        "solo",
        "son",
        "su",
        "sus",
        "tal",
        "tambien",
        "tan",
        "tanto",
        "te",
        "tiene",
        "tienen",
        "todo",
        "todos",
        "tu",
        "un",
        "una",
        "uno",
        "unos",
        "usted",
        "ustedes",
        "y",
        "ya",
        "yo",
    ]
)


@dataclass(frozen=True)
class Campaign:
    """A group of near-identical texts: their ids (sorted) and the id of the
    one most like the others."""

    members: tuple[int, ...]
    representative: int

    @property
    def size(self) -> int:
        return len(self.members)


def words(text: str) -> frozenset[str]:
    """The content words of ``text``, normalised (what texts are compared by)."""
    return frozenset(
        token.text
        for token in screening.tokens(text)
        if len(token.text) > 1 and token.text not in STOPWORDS
    )


def detect(
    texts: Iterable[tuple[int, str]],
    *,
    min_size: int = 5,
    threshold: float = THRESHOLD,
    containment: float = CONTAINMENT,
    coverage: float = COVERAGE,
) -> list[Campaign]:
    """The campaigns among ``texts`` (``(id, text)`` pairs, ids distinct),
    largest first (then by smallest id).

    Seeds are groups of texts joined by edges of estimated Jaccard similarity
    (of their content words) ``threshold`` or more. Each seed of at least
    ``min_size`` texts gives a profile, its campaign's own words; a text
    belongs to the campaign when at least ``containment`` of its words are in
    the profile and they cover at least ``coverage`` of it (see the module's
    description). Campaigns of at least ``min_size`` texts are answered."""
    if min_size < 2:
        raise ValueError("a campaign has at least two members")
    ids, offsets, flat = _read(texts)
    count = len(ids)
    if count < min_size:
        return []
    vocabulary, position = np.unique(flat, return_inverse=True)
    del flat
    signatures = _signatures(offsets, vocabulary, position)
    parent = np.arange(count, dtype=np.int64)
    for first, second in _candidates(signatures):
        for start in range(0, len(first), CHUNK):
            left, right = first[start : start + CHUNK], second[start : start + CHUNK]
            similar = _agreement(signatures[left], signatures[right]) >= threshold
            _union(parent, left[similar], right[similar])
    roots = _roots(parent)
    order = np.argsort(roots, kind="stable")
    bounds = np.flatnonzero(np.diff(roots[order])) + 1
    seeds = sorted(
        (group for group in np.split(order, bounds) if len(group) >= min_size),
        key=len,
        reverse=True,
    )
    starts, lengths = offsets[:-1], np.diff(offsets)
    df = np.bincount(position, minlength=len(vocabulary))

    def fits(profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which texts fit ``profile``, and how much of it each covers."""
        size = max(1, int(profile.sum()))
        hits = np.add.reduceat(profile[position].astype(np.int64), starts)
        covered = hits / size
        fit = (hits >= MIN_WORDS) & (hits >= containment * lengths) & (covered >= coverage)
        return fit, covered

    def assign(before: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each text's campaign (-1: none) and the campaigns' profiles, with
        the texts ``before`` put in a campaign (by an earlier round, or by
        this one so far) left out of what a profile's words are compared
        with, whatever the order the seeds come in."""
        owner = np.full(count, -1, dtype=np.int64)
        best = np.zeros(count)
        profiles: list[np.ndarray] = []
        for seed in seeds:
            # The words most of the seed uses; then the texts using them; then
            # the words those texts use far more than the rest (not the topic's).
            first, _covered = fits(_profile(seed, offsets, position))
            if first[seed].mean() < SEED_AGREES:
                continue  # its texts do not share one letter: a chain of like texts
            attracted = np.flatnonzero(first)
            others = ((before >= 0) | (owner >= 0)) & ~first
            taken = np.bincount(position[np.repeat(others, lengths)], minlength=len(df))
            profile = _profile(attracted, offsets, position, df - taken, count - int(others.sum()))
            size = int(profile.sum())
            if size < MIN_PROFILE or any(
                (profile & other).sum() >= PROFILE_OVERLAP * min(size, other.sum())
                for other in profiles
            ):
                continue  # too generic, or the profile of a campaign already found
            fit, covered = fits(profile)
            joins = fit & (covered > best)
            owner[joins] = len(profiles)
            best[joins] = covered[joins]
            profiles.append(profile)
        return owner, profiles

    owner, _profiles = assign(np.full(count, -1, dtype=np.int64))
    owner, profiles = assign(owner)
    campaigns = []
    for number in range(len(profiles)):
        members = np.flatnonzero(owner == number)
        if len(members) >= min_size:
            centre = _medoid(signatures, members)
            campaigns.append(
                Campaign(tuple(sorted(int(ids[i]) for i in members)), int(ids[centre]))
            )
    campaigns.sort(key=lambda campaign: (-campaign.size, campaign.members[0]))
    return campaigns


def _profile(
    group: np.ndarray,
    offsets: np.ndarray,
    position: np.ndarray,
    df: np.ndarray | None = None,
    total: int = 0,
) -> np.ndarray:
    """A group's own words (a mask over the vocabulary): those in at least
    PROFILE_SHARE of its texts and, given ``df`` (how many of ``total`` texts,
    the group's among them, each word is in), LIFT times as common in them as
    in the other texts, so that the words of the consultation's topic, which
    everyone uses, are not taken for a letter's."""
    found = np.concatenate([position[offsets[i] : offsets[i + 1]] for i in group])
    words = len(df) if df is not None else int(position.max()) + 1
    inside = np.bincount(found, minlength=words)
    share = inside / len(group)
    if df is None:
        return share >= PROFILE_SHARE
    outside = (df - inside) / max(1, total - len(group))
    return (share >= PROFILE_SHARE) & (share >= LIFT * outside)


def _read(texts: Iterable[tuple[int, str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ids of the texts long enough to compare, the offsets of each one's
    word numbers in one flat array, and that array."""
    numbers: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    flat = np.empty(1 << 16, dtype=np.uint32)
    used = 0
    for pk, text in texts:
        found = words(text or "")
        if len(found) < MIN_WORDS:
            continue
        row = []
        for word in found:
            number = numbers.get(word)
            if number is None:
                number = numbers[word] = zlib.crc32(word.encode("utf-8"))
            row.append(number)
        if used + len(row) > len(flat):
            flat = np.resize(flat, 2 * (used + len(row)))
        flat[used : used + len(row)] = row
        used += len(row)
        ids.append(pk)
        lengths.append(len(row))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.asarray(ids, dtype=np.int64), offsets, flat[:used].copy()


def _signatures(offsets: np.ndarray, vocabulary: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Each text's MinHash signature (texts x HASHES, uint32)."""
    rng = np.random.default_rng(_SEED)
    a = rng.integers(1, _PRIME, size=HASHES, dtype=np.uint64)
    b = rng.integers(0, _PRIME, size=HASHES, dtype=np.uint64)
    # Distinct words first: each word is hashed once per function.
    x = vocabulary.astype(np.uint64)
    starts = offsets[:-1]
    signatures = np.empty((len(starts), HASHES), dtype=np.uint32)
    for k in range(HASHES):
        # (a·x + b) mod p, kept in 64 bits: x < 2^32 and a is split in halves.
        hashed = _mulmod(a[k], x, b[k]).astype(np.uint32)  # low 32 bits suffice
        signatures[:, k] = np.minimum.reduceat(hashed[position], starts)
    return signatures


def _mulmod(a: np.uint64, x: np.ndarray, b: np.uint64) -> np.ndarray:
    """``(a·x + b) mod 2^61-1`` for ``x < 2^32``, without overflowing 64 bits."""
    high, low = a >> np.uint64(32), a & np.uint64(0xFFFFFFFF)
    # a·x = high·x·2^32 + low·x; high < 2^29, so high·x < 2^61.
    top = (high * x) % np.uint64(_PRIME)
    # top·2^32 mod p: split top (< 2^61) as t1·2^29 + t0; 2^61 ≡ 1 (mod p).
    t1, t0 = top >> np.uint64(29), top & np.uint64((1 << 29) - 1)
    shifted = (t0 << np.uint64(32)) + t1
    return (shifted % np.uint64(_PRIME) + (low * x) % np.uint64(_PRIME) + b) % np.uint64(_PRIME)


def _candidates(signatures: np.ndarray):
    """Pairs of texts sharing an LSH bucket, band by band: each text with its
    bucket's first text and with the one before it."""
    count = len(signatures)
    for band in range(BANDS):
        rows = signatures[:, band * ROWS : (band + 1) * ROWS]
        key = np.zeros(count, dtype=np.uint64)
        for column in range(ROWS):
            key = key * np.uint64(0x100000001B3) ^ rows[:, column].astype(np.uint64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        same = sorted_key[1:] == sorted_key[:-1]
        if not same.any():
            continue
        # Index (in order) of each position's bucket head.
        new = np.concatenate(([True], ~same))
        head = np.maximum.accumulate(np.where(new, np.arange(count), 0))
        later = np.flatnonzero(~new)
        first = np.concatenate((order[head[later]], order[later - 1]))
        second = np.concatenate((order[later], order[later]))
        keep = first != second
        yield first[keep], second[keep]


def _agreement(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The share of signature values two rows (or rows and one row) agree in."""
    return (left == right).mean(axis=1)


def _find(parent: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    roots = parent[nodes]
    while True:
        up = parent[roots]
        if np.array_equal(up, roots):
            return roots
        roots = up


def _union(parent: np.ndarray, left: np.ndarray, right: np.ndarray) -> None:
    """Joins the groups of each pair, vectorised: repeatedly hang the larger
    root under the smaller until every pair shares a root."""
    while len(left):
        a, b = _find(parent, left), _find(parent, right)
        differ = a != b
        if not differ.any():
            return
        a, b = a[differ], b[differ]
        low, high = np.minimum(a, b), np.maximum(a, b)
        # Several pairs may name the same high root: any one of them wins now,
        # the others are joined on the next pass.
        parent[high] = low
        left, right = left[differ], right[differ]
        # Compress paths so the next finds are short.
        parent[:] = parent[parent]


def _roots(parent: np.ndarray) -> np.ndarray:
    while True:
        up = parent[parent]
        if np.array_equal(up, parent):
            return parent
        parent = up


def _medoid(signatures: np.ndarray, group: np.ndarray) -> int:
    """The member (index) whose signature agrees most with the others', over
    an evenly spread sample of at most MEDOID_SAMPLE members."""
    step = max(1, len(group) // MEDOID_SAMPLE)
    sample = group[::step][:MEDOID_SAMPLE]
    rows = signatures[sample]
    scores = np.zeros(len(sample))
    for column in range(HASHES):
        values = rows[:, column]
        scores += (values[:, None] == values[None, :]).sum(axis=1)
    return int(sample[int(np.argmax(scores))])
