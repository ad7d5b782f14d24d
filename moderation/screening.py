"""The screening rules: what a text holds that a moderator should look at.

Pure functions over one text (no database): :func:`screen_text` answers the
hits, each with the rule, what exactly was found and where (character offsets
into the text as written, for highlighting). The lists they use (terms,
blocked domains, the link allowance) come from :class:`Lists`, which the
services build from what administrators edit.

Words are compared after normalising both the text and the list the same way
(:func:`normalise`): case, accents, common character substitutions (``p3nd3j0``)
and repeated letters (``idiotaaaa``), on word boundaries, so ``computadora``
never matches ``puta``. Numbers that laws and bills are full of (``Ley 27444``,
``Decreto Legislativo 1234``, ``1234/2025-CR``) are not taken for phone or ID
numbers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# --- Normalising words ---------------------------------------------------------------

# Characters written for letters, inside words that have letters.
_SUBSTITUTIONS = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "€": "e"}
)
_REPEATS = re.compile(r"(.)\1+")
_RUNS = re.compile(r"(.)\1*")
# A word: letters and digits, with the symbols written for letters inside it.
_WORD = re.compile(r"(?:[^\W_]|[@$€])+")


def normalise(word: str) -> str:
    """The form words are compared in: lower case, no accents and, in words
    with a letter (``27444`` and ``2744`` stay two numbers), substitutions undone
    and each run of a repeated character kept once (so ``idiotaaaa`` reads
    ``idiota``; lists are normalised the same way). That makes ``perra`` read
    ``pera`` too: a term's doubled letters are checked apart
    (:func:`_keeps_doubles`)."""
    folded = _fold(word)
    return _REPEATS.sub(r"\1", folded) if _has_letter(folded) else folded


def _fold(word: str) -> str:
    """``word`` normalised but for its repeated characters."""
    word = unicodedata.normalize("NFKD", word.casefold())
    word = "".join(char for char in word if not unicodedata.combining(char))
    return word.translate(_SUBSTITUTIONS) if _has_letter(word) else word


def _has_letter(word: str) -> bool:
    return any(char.isalpha() for char in word)


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    folded: str  # normalised but for repeated characters
    start: int
    end: int


@functools.lru_cache(maxsize=100_000)
def _forms(word: str) -> tuple[str, str]:
    """A word's normalised and folded forms. Remembered: a language's common
    words come back in every text, and normalising is most of reading one."""
    folded = _fold(word)
    return (_REPEATS.sub(r"\1", folded) if _has_letter(folded) else folded), folded


def tokens(text: str) -> list[Token]:
    """The words of ``text``, normalised, with their place in it, in the order
    they are written. A word spelt out letter by letter (``p u t a``,
    ``i.d.i.o.t.a``) is also read as one, placed just before its letters: so it
    reads as part of a phrase too (``hijo de p u t a``), and words far apart
    never look like a run of the same word."""
    found = [Token(*_forms(m.group()), m.start(), m.end()) for m in _WORD.finditer(text)]
    spelt, run = [], []
    for token in [*found, None]:
        single = token is not None and len(token.text) == 1 and token.text.isalpha()
        if single and (not run or token.start - run[-1].end <= 2):  # "p u t a", "p.u.t.a"
            run.append(token)
            continue
        if len(run) >= 3:
            folded = "".join(part.folded for part in run)
            spelt.append(Token(normalise(folded), folded, run[0].start, run[-1].end))
        run = [token] if single else []
    return sorted([*found, *spelt], key=lambda token: (token.start, -token.end))


# --- Lists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """An entry of the word lists, normalised: its words, and whether the last
    may end in anything (written with a trailing ``*``: ``pendej*``)."""

    words: tuple[str, ...]
    prefix: bool
    category: str  # "insult" or "slur": the rule it is a hit of
    folded: tuple[str, ...]  # the words normalised but for repeated characters

    @classmethod
    def parse(cls, written: str, category: str) -> Term | None:
        prefix = written.strip().endswith("*")
        folded = tuple(_fold(m.group()) for m in _WORD.finditer(written))
        if not folded:
            return None
        return cls(tuple(normalise(word) for word in folded), prefix, category, folded)


@dataclass(frozen=True)
class Lists:
    """What the rules compare against."""

    terms: tuple[Term, ...] = ()
    blocked_domains: frozenset[str] = frozenset()
    max_links: int = 2
    _index: dict[str, list[Term]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for term in self.terms:
            key = term.words[0] if len(term.words) > 1 or not term.prefix else ""
            self._index.setdefault(key, []).append(term)

    def exact(self, word: str) -> list[Term]:
        return self._index.get(word, [])

    def prefixed(self) -> list[Term]:
        return self._index.get("", [])


# --- Hits ----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Hit:
    start: int
    end: int
    rule: str  # a moderation.models.Rule value
    label: str  # what was found: the category, "phone", "email", the domain…


def screen_text(text: str, lists: Lists, words: list[Token] | None = None) -> list[Hit]:
    """Every hit in ``text``, in order of place; ``words`` are its
    :func:`tokens`, when the caller has them already."""
    if not text:
        return []
    if words is None:
        words = tokens(text)
    hits = [
        *_terms(words, lists),
        *_personal_data(text),
        *_links(text, lists),
        *_shouting(text),
        *_flooding(text, words),
    ]
    return sorted(set(hits))


def _terms(words: list[Token], lists: Lists) -> Iterator[Hit]:
    """The terms found, each once: a term inside a longer one found at the same
    place is part of it ("hijo de puta" is one insult, not also "puta"; "cholo
    de mierda" is a slur, not also an insult)."""
    found = []
    for index, token in enumerate(words):
        candidates = lists.exact(token.text)
        for term in lists.prefixed():
            if token.text.startswith(term.words[0]):
                candidates = [*candidates, term]
        for term in candidates:
            end = _match(words, index, term)
            if end is not None:
                found.append(Hit(token.start, words[end].end, term.category, term.category))
    # In order of start, longest first: a hit ending no later than the farthest
    # end so far lies inside the hit that reached it.
    farthest = (-1, -1)
    for hit in sorted(found, key=lambda hit: (hit.start, -hit.end)):
        if hit.end > farthest[1]:
            farthest = (hit.start, hit.end)
        elif (hit.start, hit.end) != farthest:
            continue
        yield hit


def _match(words: list[Token], index: int, term: Term) -> int | None:
    """The index of the last word of ``term`` read from ``words[index]``, or None."""
    last = index + len(term.words) - 1
    if last >= len(words):
        return None
    for offset, expected in enumerate(term.words):
        word = words[index + offset].text
        is_last = offset == len(term.words) - 1
        if not (word == expected or (is_last and term.prefix and word.startswith(expected))):
            return None
        if not _keeps_doubles(words[index + offset].folded, term.folded[offset]):
            return None
        if offset and words[index + offset].start - words[index + offset - 1].end > 3:
            return None  # the words of a term follow each other
    return last


def _keeps_doubles(word: str, term_word: str) -> bool:
    """Whether ``word`` doubles every letter ``term_word`` doubles (both folded,
    and alike once repeats are kept once): ``perraaa`` is ``perra`` but ``pera``
    is not, and ``Nigeria`` is no ``nigger*``."""
    have = (len(run.group()) for run in _RUNS.finditer(word))
    want = (len(run.group()) for run in _RUNS.finditer(term_word))
    return all(had > 1 or wanted == 1 for had, wanted in zip(have, want, strict=False))


# --- Personal data -------------------------------------------------------------------

# What comes before the @ is read from where a run of its characters starts, and
# taken whole (possessive): read from every place inside a long run, each would
# be scanned to its end again, and a 20,000-character "a.a.a…" took seconds.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_SPELT_AT = r"(?:[(\[](?:at|arroba)[)\]]|\barroba\b)"
_SPELT_DOT = r"(?:\.|[(\[](?:dot|punto)[)\]]|\bpunto\b)"
_SPELT_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w.+-]++\s*{_SPELT_AT}\s*[\w-]+\s*{_SPELT_DOT}\s*[^\W\d_]{{2,}}\b",
    re.IGNORECASE,
)
# Numbers are read only whole: not touching a letter or a digit, so the digits
# inside a code or a hash ("PE987654321X", "e81789143b7") are no phone or DNI.
# A Peruvian mobile (9 digits from 9, in groups of 3 or not, +51 or not).
_MOBILE = re.compile(r"(?<![\w/.-])(?:\+?51[\s.-]?)?9\d{2}[\s.-]?\d{3}[\s.-]?\d{3}(?![\w/-])")
# A landline with its area code: (01) 234-5678, 01 2345678, (084) 23-4567.
_LANDLINE = re.compile(r"(?<![\w/.-])\(0\d{1,2}\)\s?\d{2,3}[\s.-]?\d{4}(?!\w)"
                       r"|(?<![\w/.-])0\d{1,2}[\s-]\d{3}[\s.-]?\d{4}(?![\w/-])")  # fmt: skip
# Any number in international form: + and 8 to 15 digits.
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d[\d\s().-]{6,20}\d(?![\w-])")
# Eight digits alone: the Peruvian DNI's shape.
_EIGHT_DIGITS = re.compile(r"(?<![\w/.,-])\d{8}(?![\w/-]|[.,]\d)")
# Named documents: "DNI 12345678", "carné de extranjería N° 001234567", "pasaporte X1234567".
_NAMED_DOCUMENT = re.compile(
    r"\b(?:d\.?\s?n\.?\s?i\.?|documento(?:\s+nacional)?\s+de\s+identidad|"
    r"carn[eé]t?\s+de\s+extranjer[ií]a|c\.?\s?e\.?|pasaporte|passport|"
    r"c[eé]dula|id\s+(?:number|card))"
    r"\s*(?:es|is|n[°º.]?|nro\.?|n[uú]mero|number|no\.?|#)?\s*:?\s*([A-Z]{0,2}\d[\d\s.-]{5,12}\d)\b",
    re.IGNORECASE,
)
# RUC of a person (10…, 15…, 17…): it contains their DNI. Companies' (20…) are public.
_PERSONAL_RUC = re.compile(r"(?<![\w/.-])(?:10|15|17)\d{9}(?![\w/-])")
# Words that make a number what laws and money are numbered by.
_NOT_AN_ID = re.compile(
    r"(?:\b(?:ley(?:es)?|decreto|d\.\s?(?:leg|s|u)|legislativo|supremo|urgencia|resoluci[oó]n|"
    r"expediente|exp|oficio|informe|proyecto|pl|art[ií]culo|art|inciso|numeral|partida|"
    r"registro|ficha|c[oó]digo|ordenanza|acuerdo|sentencia|casaci[oó]n|dictamen|"
    r"law|act|bill|section|file|case)\b\.?|n[°º]|nro\.?|s/\.?|us\$|\$|€)"
    r"[\s\w°º.:/-]{0,12}$",
    re.IGNORECASE,
)
# Words after a number that make it an amount or a count: "12000000 soles",
# "31237385 habitantes", "Plaza San Martín 300 personas".
_COUNTED = re.compile(
    r"\s*(?:de\s+)?(?:(?:nuevos\s+)?soles|d[oó]lares|dollars|euros|usd|pen|millones|"
    r"habitantes|personas|peruan[oa]s|ciudadan[oa]s|pobladores|familias|hogares|viviendas|"
    r"votos|electores|trabajadores|usuarios|beneficiarios|estudiantes|niñ[oa]s|casos|"
    r"hect[aá]reas|metros|kil[oó]metros|km|toneladas|litros|a[nñ]os|d[ií]as|people|years)\b",
    re.IGNORECASE,
)
# Words just before a number that say it is what the rule looks for, law's
# numbering or not: "DNI N° 45678912", "Ficha RUC 10456789121", "celular N° 987654321".
_ID_CONTEXT = re.compile(r"\b(?:dni|d\.n\.i|documento|identidad|id|ruc)\b", re.IGNORECASE)
_PHONE_CONTEXT = re.compile(
    r"\b(?:cel|celular|tel|telf|tel[eé]fono|m[oó]vil|whatsapp|wsp|phone|mobile)\b", re.IGNORECASE
)

_STREET = (
    r"av(?:enida)?|jr|jir[oó]n|calle|cl|psje|pje|pasaje|prolongaci[oó]n|prol|carretera|"
    r"malec[oó]n|alameda|plaza|urb(?:anizaci[oó]n)?"
)
_CONNECTOR = r"(?:de|del|la|las|los|el|y|san|santa)"
# The words of a street's name are connectors, capitalised (whatever the case
# of the rest: "AV. Brasil hay 3 colegios" names no street "Brasil hay") or the
# day of a date ("Av. 28 de Julio").
_STREET_NAME_WORD = rf"(?:{_CONNECTOR}|(?-i:[A-ZÁÉÍÓÚÑ])[\w.]*|\d{{1,2}}(?=\s+de\b))"
_ADDRESS = re.compile(
    rf"\b(?:{_STREET})\.?\s+((?:{_STREET_NAME_WORD}\s+){{1,5}})"
    r"(?:n[°º.]?\s*|nro\.?\s*|#\s*)?\d{1,5}(?:\s*[-,]?\s*(?:dpto|dto|int|of)\.?\s*\d{1,4})?\b",
    re.IGNORECASE,
)
_LOT = re.compile(r"\bmz\.?\s*[A-Z0-9]{1,3}\s*,?\s*(?:lt|lote)\.?\s*\d{1,3}\b", re.IGNORECASE)
# "Dr" ends an address ("10 Mulholland Dr"), unless a name follows: then it is a
# doctor ("en 2020 Presidente Dr. Vizcarra").
_ENGLISH_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr\b(?!\.?\s+[A-ZÁÉÍÓÚÑ])"
    r"|Court|Ct)\b\.?"
)


def _personal_data(text: str) -> Iterator[Hit]:
    taken: list[tuple[int, int]] = []

    def fresh(start: int, end: int) -> bool:
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            return False
        taken.append((start, end))
        return True

    for pattern, label in ((_EMAIL, "email"), (_SPELT_EMAIL, "email")):
        for match in pattern.finditer(text):
            if fresh(match.start(), match.end()):
                yield Hit(match.start(), match.end(), "personal_data", label)
    for match in _NAMED_DOCUMENT.finditer(text):
        if fresh(match.start(1), match.end(1)):
            yield Hit(match.start(1), match.end(1), "personal_data", "id_number")
    for pattern, label, context in (
        (_MOBILE, "phone", _PHONE_CONTEXT),
        (_LANDLINE, "phone", _PHONE_CONTEXT),
        (_INTERNATIONAL, "phone", _PHONE_CONTEXT),
        (_PERSONAL_RUC, "id_number", _ID_CONTEXT),
        (_EIGHT_DIGITS, "id_number", _ID_CONTEXT),
    ):
        for match in pattern.finditer(text):
            digits = sum(char.isdigit() for char in match.group())
            if pattern is _INTERNATIONAL and not 8 <= digits <= 15:
                continue
            if not _numbered_by_law(text, match, unless=context) and fresh(*match.span()):
                yield Hit(match.start(), match.end(), "personal_data", label)
    for pattern in (_ADDRESS, _LOT, _ENGLISH_ADDRESS):
        for match in pattern.finditer(text):
            if pattern is _ADDRESS and (
                not _names_a_street(match.group(1)) or _COUNTED.match(text, match.end())
            ):
                continue
            if fresh(match.start(), match.end()):
                yield Hit(match.start(), match.end(), "personal_data", "address")


def _numbered_by_law(text: str, match: re.Match, *, unless: re.Pattern) -> bool:
    """Whether the number is a law's, a file's or an amount, by the words before
    and after it; never when the words just before say what it is (``unless``)."""
    before = text[max(0, match.start() - 40) : match.start()]
    if unless.search(before[-25:]):
        return False
    return bool(_NOT_AN_ID.search(before) or _COUNTED.match(text, match.end()))


def _names_a_street(words: str) -> bool:
    """A street's name has a capitalised word: "Av. Arequipa", "Jr. de la Unión";
    not "la calle y 20 personas"."""
    return any(word[:1].isupper() for word in words.split())


# --- Links ---------------------------------------------------------------------------

_TLDS = (
    "com|net|org|info|biz|io|co|ly|me|xyz|site|online|top|club|live|app|ru|cn|tk|ml|ga|cf|gq|"
    "pe|es|ar|mx|cl|bo|ec|br|uk|us|de|fr|it|eu|tv|gl|gd|to|be|gob\\.pe|edu\\.pe|org\\.pe|com\\.pe"
)
# A bare domain's ending is written in lower case: "ejemplo.pe" is a link, but
# "de acuerdo.Es una buena ley.De verdad" is three sentences without their spaces.
_URL = re.compile(
    r"(?:\bhttps?://|\bwww\.)[^\s<>\"'()\[\]{}]+"
    rf"|(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?\.)+(?-i:{_TLDS})\b"
    r"(?:/[^\s<>\"'()]*)?",
    re.IGNORECASE,
)


def links(text: str) -> list[tuple[int, int, str]]:
    """The links in ``text``: their place and host (lower case, no ``www.``)."""
    found = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        address = url if "://" in url else f"http://{url}"
        try:
            # "bit.ly." is bit.ly: the root's dot must not hide a blocked domain.
            host = (urlsplit(address).hostname or "").rstrip(".").removeprefix("www.")
        except ValueError:
            continue
        if host:
            found.append((match.start(), match.start() + len(url), host))
    return found


def _links(text: str, lists: Lists) -> Iterator[Hit]:
    found = links(text)
    for start, end, host in found:
        if _blocked(host, lists.blocked_domains):
            yield Hit(start, end, "link", host)
        elif len(found) > lists.max_links:
            yield Hit(start, end, "link", "too_many")


def _blocked(host: str, domains: Iterable[str]) -> bool:
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)


# --- Shouting and flooding -------------------------------------------------------------

SHOUTING_MIN_LETTERS = 30
SHOUTING_SHARE = 0.8
# Ten or more: "!!!!!!!!!!", "aaaaaaaaaaa"; not digits, which are numbers ("S/ 10000000000").
_SAME_CHARACTER = re.compile(r"([^\s\d])\1{9,}")
REPEATED_WORD_RUN = 5  # "no no no no no"
LONGEST_WORD = 60  # no Spanish or English word, and no law's number, is longer


def _shouting(text: str) -> Iterator[Hit]:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < SHOUTING_MIN_LETTERS:
        return
    upper = sum(char.isupper() for char in letters)
    if upper / len(letters) >= SHOUTING_SHARE:
        yield Hit(0, len(text), "shouting", "capitals")


def _flooding(text: str, words: list[Token]) -> Iterator[Hit]:
    for match in _SAME_CHARACTER.finditer(text):
        yield Hit(match.start(), match.end(), "flooding", "repeated_character")
    url_spans = [(start, end) for start, end, _host in links(text)]
    run_start = 0
    for index in range(1, len(words) + 1):
        same = index < len(words) and words[index].text == words[index - 1].text
        if not same:
            if index - run_start >= REPEATED_WORD_RUN:
                start, end = words[run_start].start, words[index - 1].end
                yield Hit(start, end, "flooding", "repeated_word")
            run_start = index
    for word in words:
        long = word.end - word.start > LONGEST_WORD
        if long and not any(start <= word.start < end for start, end in url_spans):
            yield Hit(word.start, word.end, "flooding", "long_word")
