"""Plain-text and Markdown importer for bills in the Spanish-language legislative format.

``parse_text(text)`` is a pure function: text in, ``ParseResult`` out, no database.

What it recognises
------------------
* Divisions: ``PARTE``, ``LIBRO``, ``TÍTULO``, ``CAPÍTULO``, ``SUBCAPÍTULO``, ``SECCIÓN``
  and ``SUBSECCIÓN`` with a Roman or Arabic numeral, an ordinal word, ``PRELIMINAR`` or
  ``ÚNICO``; their heading on the same line or on the next one.
* Articles: ``Artículo 1.``, ``Artículo 1°``, ``Artículo 1°.-``, ``Art. 1``,
  ``Artículo 5-A``, ``Artículo único``, ``ARTÍCULO ÚNICO TRANSITORIO`` (accents optional),
  with a heading where the rest of the line reads as one (see ``_split_heading``).
* Inside articles and provisions: numerals (``1.``, ``1)``, ``1.-``, ``1.1``, ``3.1.``),
  literals (``a)``, ``a.``), ``INCISO PRIMERO.`` paragraphs, the Spanish ``Uno.``, ``Dos.``
  points, and unlabelled paragraphs where blank lines separate them clearly.
* Groups of provisions (``DISPOSICIONES COMPLEMENTARIAS FINALES``, ``… TRANSITORIAS``,
  ``… MODIFICATORIAS``, ``… DEROGATORIAS``, ``DISPOSICIONES FINALES Y DEROGATORIAS``,
  ``DISPOSICIÓN COMPLEMENTARIA FINAL`` …) holding ``PRIMERA.`` / ``SEGUNDA.-`` /
  ``ÚNICA.`` … provisions; the one-line form ``Disposición final única.`` too. The group
  type is the first type its heading names (``FINALES Y DEROGATORIAS`` is final).
* The header (bill number, title, proponents: also put in ``result.metadata``), the
  ``PREÁMBULO``, the enacting formula (``FÓRMULA LEGAL``, ``El Congreso de la República
  ha dado la Ley siguiente``) and the closing one (``Comuníquese …``), and the
  ``EXPOSICIÓN DE MOTIVOS`` with its analysis sections, wherever it stands.
* Editorial notes: SPIJ ``(*) Literal modificado por …`` notes and ``CONCORDANCIAS``
  blocks become ``note`` nodes.

The quoted-article trap: text an amending article quotes (“…”, "…", «…» after a colon or
opening a line) stays in that article's text, and so do article headings whose number
does not follow on after an article that ends ``… en los términos siguientes:``.
In an explanatory statement nothing is parsed: it ends only at the fórmula legal, an
enacting formula, or (when no article came before it) ``Artículo 1`` or ``TÍTULO I``.

Lossless
--------
``flatten_text(result.nodes) == normalise_whitespace(strip_markup(text))``: every
character other than whitespace lands, in order, in one node's label, heading or text.
A label that OCR glued to the next word (``Artículo 10°.CONFIDENCIALIDAD.``) runs to
the next space, since a split there would add a space.

``strip_markup`` only touches a text that looks like Markdown (an ATX heading, a
``**bold**`` run or a ``[link](target)``), and then removes, line by line: horizontal
rules (the whole line); blockquote ``>`` and ATX ``#`` markers (and closing ``#`` runs);
a leading list bullet (``-``, ``*``, ``+``); link and image syntax, keeping the link text;
runs of two or more ``*`` (not a ``(**)`` note marker); ``__`` around words; backticks.
Numbered-list labels (``1.``) are text and stay.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from bills.importers.base import ImportRefused, Node, ParseResult, assign_eids, roman_to_int
from bills.models import ProvisionGroupType, ProvisionKind

K = ProvisionKind

# --- Markdown -------------------------------------------------------------------------------

_MD_SIGNS = re.compile(r"^\s{0,3}#{1,6}\s+\S|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\s]+\)", re.MULTILINE)
# Lines as an editor counts them (a form feed or a vertical tab does not start one).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MD_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_MD_QUOTE = re.compile(r"^\s{0,3}>(?:\s?>)*\s?")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?(?:\s+#+)?\s*$")
_MD_BULLET = re.compile(r"^\s*[-*+]\s+")
_MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_ONLY_LINK = re.compile(r"!?\[[^\[\]\n]*\]\([^()\s]*(?:\s+\"[^\"\n]*\")?\)")
_MD_STRONG = re.compile(r"(?<!\()\*{2,}(?!\))")
_MD_UNDERLINE = re.compile(r"(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")


@dataclass(slots=True)
class _Line:
    number: int  # 1-based line of the source
    text: str  # without markup and surrounding whitespace
    level: int = 0  # Markdown heading level, 0 if none
    toc: bool = False  # a Markdown list item that is only a link: a table-of-contents entry


def looks_like_markdown(text: str) -> bool:
    return bool(_MD_SIGNS.search(text))


def _strip_line(raw: str) -> _Line:
    if _MD_RULE.match(raw):
        return _Line(0, "")
    line = _MD_QUOTE.sub("", raw, count=1)
    level = 0
    heading = _MD_HEADING.match(line)
    if heading:
        level = len(heading.group(1))
        line = heading.group(2) or ""
    toc = False
    bullet = _MD_BULLET.match(line)
    if bullet:
        line = line[bullet.end() :]
        toc = bool(_MD_ONLY_LINK.fullmatch(line.strip()))
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_STRONG.sub("", line)
    line = _MD_UNDERLINE.sub(r"\1", line)
    line = line.replace("`", "")
    return _Line(0, line.strip(), level, toc)


def _read_lines(text: str) -> list[_Line]:
    markdown = looks_like_markdown(text)
    lines = []
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        line = _strip_line(raw) if markdown else _Line(0, raw.strip())
        line.number = number
        lines.append(line)
    return lines


def strip_markup(text: str) -> str:
    """The text the lossless rule is measured against: ``text`` itself, or for
    Markdown the text without its markup (see the module docstring)."""
    if not looks_like_markdown(text):
        return text
    return "\n".join(_strip_line(raw).text for raw in _LINE_BREAK.split(text))


# --- Vocabulary -----------------------------------------------------------------------------

_UNITS = (
    r"primer[oa]|segund[oa]|tercer[oa]|cuart[oa]|quint[oa]|sext[oa]|s[eé]p?tim[oa]"
    r"|octav[oa]|noven[oa]"
)
_TENS = (
    r"d[eé]cim[oa]|vig[eé]sim[oa]|trig[eé]sim[oa]|cuadrag[eé]sim[oa]|quincuag[eé]sim[oa]"
    r"|sexag[eé]sim[oa]|septuag[eé]sim[oa]|octog[eé]sim[oa]|nonag[eé]sim[oa]"
)
_ORDINAL = (
    rf"(?:(?:{_TENS})(?:[\s-]?(?:{_UNITS}))?|d[eé]cim(?:{_UNITS})|und[eé]cim[oa]"
    rf"|duod[eé]cim[oa]|[uú]nic[oa]|{_UNITS})"
)
_TENS_VALUES = (
    ("decim", 10), ("vigesim", 20), ("trigesim", 30), ("cuadragesim", 40),
    ("quincuagesim", 50), ("sexagesim", 60), ("septuagesim", 70), ("octogesim", 80),
    ("nonagesim", 90),
)  # fmt: skip
_UNIT_VALUES = (
    ("primer", 1), ("segund", 2), ("tercer", 3), ("cuart", 4), ("quint", 5), ("sext", 6),
    ("septim", 7), ("setim", 7), ("octav", 8), ("noven", 9),
)  # fmt: skip
_CARDINALS = {
    name: value
    for value, name in enumerate(
        [
            "Uno",
            "Dos",
            "Tres",
            "Cuatro",
            "Cinco",
            "Seis",
            "Siete",
            "Ocho",
            "Nueve",
            "Diez",
            "Once",
            "Doce",
            "Trece",
            "Catorce",
            "Quince",
            "Dieciséis",
            "Diecisiete",
            "Dieciocho",
            "Diecinueve",
            "Veinte",
        ],
        start=1,
    )
}


def _fold(value: str) -> str:
    """Lower case without accents."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def ordinal_value(word: str) -> int | None:
    """``PRIMERA`` → 1, ``Decimotercera`` → 13, ``VIGÉSIMA NOVENA`` → 29, ``ÚNICA`` → 1."""
    rest = re.sub(r"[\s-]", "", _fold(word))
    if rest in {"unico", "unica"}:
        return 1
    for prefix, value in (("undecim", 11), ("duodecim", 12)):
        if rest.startswith(prefix) and rest[len(prefix) :] in {"o", "a"}:
            return value
    total = 0
    for prefix, value in _TENS_VALUES:
        if rest.startswith(prefix):
            total, rest = value, rest[len(prefix) :]
            break
    if rest in {"", "o", "a"}:
        return total or None
    candidates = [rest, rest[1:]] if total and rest[:1] in {"o", "a"} else [rest]
    for candidate in candidates:
        for prefix, value in _UNIT_VALUES:
            if candidate.startswith(prefix) and candidate[len(prefix) :] in {"o", "a"}:
                return total + value
    return None


_SEP = r"(?:\.\s*[-–—]|[.:\-–—])"
_ARTICLE = re.compile(
    r"^(?P<kw>ART[ÍI]CULO|Art[íi]culo|ART\.|Art\.)\s*"
    r"(?:(?P<num>\d{1,4})(?:\s*[°º])?(?:(?:\s*[-–]\s*|(?<=\d))(?P<suffix>[A-Z])(?!\w))?"
    rf"\s*[°º]?|(?P<word>(?i:{_ORDINAL}))(?!\w)(?P<transitory>(?i:\s+transitori[oa]))?)"
    rf"(?P<sep>\s*{_SEP})?"
)
_DIVISION = re.compile(
    r"^(?P<kw>(?i:parte|libro|t[íi]tulo|subcap[íi]tulo|cap[íi]tulo|subsecci[óo]n|secci[óo]n))"
    rf"\s+(?P<num>(?i:preliminar|{_ORDINAL})|[IVXLCDM]+|\d{{1,3}})(?!\w)(?P<sep>\s*{_SEP})?"
)
_DIVISION_KINDS = {
    "parte": (K.PART, 0), "libro": (K.PART, 1), "titulo": (K.TITLE, 2),
    "capitulo": (K.CHAPTER, 3), "subcapitulo": (K.SUBCHAPTER, 4), "seccion": (K.SECTION, 5),
    "subseccion": (K.SECTION, 6),
}  # fmt: skip
_GROUP_WORDS = (
    r"complementarias?|finales|final|transitorias?|modificatorias?|derogatorias?|adicionales"
    r"|adicional|especiales|especial|generales|general|y|e"
)
_GROUP = re.compile(
    rf"^(?P<head>(?i:disposici[óo]n(?:es)?)(?:\s+(?i:{_GROUP_WORDS})(?!\w))+)"
    rf"(?:\s+(?P<ord>(?i:{_ORDINAL}))(?!\w))?(?P<sep>\s*{_SEP})?"
)
_GROUP_TYPES = (
    ("transitori", ProvisionGroupType.TRANSITORY),
    ("modificatori", ProvisionGroupType.AMENDING),
    ("derogatori", ProvisionGroupType.REPEALING),
    ("final", ProvisionGroupType.FINAL),
    ("adicional", ProvisionGroupType.OTHER),
)
_GROUP_KEYWORDS = (
    "final",
    "transitori",
    "modificatori",
    "derogatori",
    "adicional",
    "complementari",
)
_PROVISION = re.compile(rf"^(?P<ord>(?i:{_ORDINAL}))(?!\w)(?P<sep>\s*{_SEP})?")
_NUMERAL = re.compile(
    r"^(?:(?P<dotted>\d{1,3}(?:\.\d{1,3})+)(?P<dsep>\.(?:\s*[-–])?|\))?"
    r"|(?P<simple>\d{1,3})(?P<ssep>\.(?:\s*[-–])?|\)|\s*[-–](?=\s)))(?=\s+\S)"
)
_LITERAL = re.compile(
    r"^(?P<letter>[a-zñ]{1,2}|[ivx]{1,5}|I)(?:\)|(?<![a-zñ]{2})\.(?=\s+[A-ZÁÉÍÓÚÑ¿“\"«]))"
    r"(?=\s|$)"
)
_INCISO = re.compile(
    rf"^(?:INCISO|Inciso|P[ÁA]RRAFO|P[áa]rrafo)\s+(?P<ord>(?i:{_ORDINAL})|\d{{1,3}})(?!\w)"
    rf"(?:\s*{_SEP})?"
)
_CARDINAL = re.compile(rf"^(?P<word>{'|'.join(_CARDINALS)})\.(?=\s|$)")
_SECTION_NUMBER = r"(?:[IVXLl1|u]{1,5}\s*[.\-–—]+\s*)?"
_EXPLANATORY = re.compile(rf"^{_SECTION_NUMBER}EXPOSICI[ÓO]N\s+DE\s+MOTIVOS\b", re.I)
_ANALYSIS = re.compile(
    rf"^{_SECTION_NUMBER}(?:AN[ÁA]LISIS\s+COSTO|EFECTOS?\s+DE\s+LA\s+"
    r"(?:VIGENCIA|NORMA))"
)
_FORMULA_HEADING = re.compile(rf"^{_SECTION_NUMBER}F[ÓO]RMULA\s+LEGAL\b", re.I)
_ENACTING = re.compile(
    r"ha\s+dado\s+[lI]a\s+(?:siguiente\s+)?ley"
    r"|^(?i:el\s+congreso\s+de\s+[lI]a\s+rep[úu]blica)\s*[:;,]?$"
    r"|^(?:EL\s+PRESIDENTE|LA\s+PRESIDENTA)\s+DE\s+LA\s+REP[ÚU]BLICA"
    r"(?:\s*[:;,]?$|\s+POR\s+CUANTO)|^POR\s+CUANTO\b",
    re.I,
)
_CLOSING = re.compile(r"^(?:Comun[íil]quese|COMUN[ÍI]QUESE|POR\s+TANTO\b|Mando\s+se)")
_PREAMBLE = re.compile(r"^PRE[ÁA]MBULO\s*[.:]?$", re.I)
_DECLARATION = re.compile(r"^DECLARACI[ÓO]N\s*[.:]?$")
_NOTE = re.compile(r"\(\*+\)\s+(?=[A-ZÁÉÍÓÚÑ][a-záéíóúñ]|NOTA\b)")
_CONCORDANCE = re.compile(r"^CONCORDANCIAS?\b", re.I)
_AMENDING = re.compile(
    r"modif[íi]c|incorp[óo]r|sustit[úu]y|agr[ée]g|a[ñn][áa]d|redact|texto\s+siguiente"
    r"|siguiente\s+texto|t[ée]rminos\s+siguientes|siguientes\s+t[ée]rminos"
    r"|siguiente\s+redacci|como\s+sigue",
    re.I,
)
_BODY_WORDS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "lo",
        "un",
        "una",
        "unos",
        "unas",
        "toda",
        "todo",
        "todos",
        "todas",
        "se",
        "son",
        "es",
        "está",
        "están",
        "cuando",
        "si",
        "no",
        "ninguna",
        "ningún",
        "ninguno",
        "queda",
        "quedan",
        "corresponde",
        "corresponden",
        "cada",
        "su",
        "sus",
        "este",
        "esta",
        "estos",
        "estas",
        "dicho",
        "dicha",
        "dichos",
        "dichas",
        "mediante",
        "quien",
        "quienes",
        "podrá",
        "podrán",
        "deberá",
        "deberán",
        "puede",
        "pueden",
        "debe",
        "deben",
        "para",
        "en",
        "por",
    ]
)
_FUNCTION_WORDS = frozenset(
    [
        "de",
        "del",
        "la",
        "las",
        "el",
        "los",
        "y",
        "e",
        "o",
        "u",
        "en",
        "a",
        "al",
        "que",
        "por",
        "para",
        "con",
        "sobre",
        "sin",
        "entre",
    ]
)
_HEADER_HINTS = re.compile(
    r"proyecto\s+de\s+ley|proposici[óo]n\s+de\s+ley|^ley\b|\bley\s+n|congres"
    r"|bolet[íi]n|senad|diputad|grupo\s+parlamentario|bancada|iniciativa|suscrib|propone"
    r"|presenta|\bautor|^n\.?\s*[°º]|\d+/\d{4}|moci[óo]n",
    re.I,
)
_BILL_NUMBERS = (
    re.compile(r"\b(\d{1,5}/\d{4}-[A-Z]{2,4})\b"),
    re.compile(r"Bolet[íi]n\s+N[°º.]*\s*(\d[\d.]*-\d{2})", re.I),
    re.compile(r"\b(\d{3}/\d{6})\b"),
)
_LAW_NUMBER = re.compile(r"^LEY\s+N[.°º]*\s*(\d[\d.]*\d)", re.I)
_TITLE_START = re.compile(
    r"^(?:PROYECTO\s+DE\s+LEY\s+QUE|Proyecto\s+de\s+ley\s+que|LEY\s+QUE"
    r"|LEY\s+(?:GENERAL|ORG[ÁA]NICA|MARCO|DE)\b|PROPOSICI[ÓO]N\s+DE\s+LEY\s+\S)"
)
_PROPONENTS = (
    re.compile(
        r"\b(?:El|EI|La|Los|Las)\s+((?:Grupo\s+Parlamentario|[Cc]ongresist|Bancada|Senador"
        r"|Diputad).*?)(?:,?\s+(?:que\s+suscrib|ejerciendo|en\s+uso|al\s+amparo"
        r"|presenta|propone|de\s+conformidad))"
    ),
    re.compile(r"moci[óo]n\s+de\s+(?:los\s+|las\s+)?(.+?),\s+que\b", re.I),
    re.compile(r"^Autor(?:es|a)?:\s*(.+)$", re.MULTILINE),
)
# Where a second structure may start within a line (see ``_Parser._cut``).
_NOTE_CUT = re.compile(r"(?<=\s)(?=\(\*+\)\s+(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]|NOTA\b))")
_GROUP_CUT = re.compile(r"(?<=[.;:)\"”»]\s)\s*(?=DISPOSICI[ÓO]N)")
_CLOSING_CUT = re.compile(r"(?<=[.;]\s)\s*(?=Comun[íil]quese)")
_PROVISION_CUT = re.compile(rf"(?<=[.;:)\"”»])\s+(?={_ORDINAL}(?!\w))", re.IGNORECASE)
# The same, matched at a position of a whole line rather than at the start of a string.
_GROUP_AT = re.compile(_GROUP.pattern.removeprefix("^"))
_PROVISION_AT = re.compile(_PROVISION.pattern.removeprefix("^"))
_LITERAL_AT = re.compile(_LITERAL.pattern.removeprefix("^"))
_NEXT_CHARACTER = re.compile(r"\s*(\S)")
_MAX_ITEM_DEPTH = 6  # numerals and literals nest no deeper than this
_OPENERS = "“«"
_CLOSERS = "”»"
_JUNK = "“”\"«»¿?‘’'`´,;·•*"


@dataclass(eq=False)
class _Info:
    """What the parser keeps about a node while it is being built."""

    blocks: list[list[tuple[int, str]]] = field(default_factory=list)
    rank: int = 0  # divisions
    style: tuple = ()  # list items: what series they belong to
    value: object = None  # list items and provisions: their number
    continuation: bool = False  # a paragraph made for text that follows children


class _Quotes:
    """Counts open quotation marks across lines; straight quotes toggle."""

    def __init__(self) -> None:
        self.depth = 0
        self.straight = False

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.straight

    def feed(self, text: str) -> None:
        for char in text:
            if char in _OPENERS:
                self.depth += 1
            elif char in _CLOSERS:
                if self.depth:
                    self.depth -= 1
                else:
                    self.straight = False  # “…" and "…” both occur
            elif char == '"':
                if self.depth:
                    self.depth -= 1
                else:
                    self.straight = not self.straight


def _mostly_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    if len(letters) < 3:
        return False
    return sum(char.islower() for char in letters) <= len(letters) // 10


def _label_end(text: str, end: int) -> int:
    """A label runs to the next whitespace: OCR may glue it to the next word."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return end


def _letter_successors(letter: str) -> set[str]:
    romans = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"]
    following: set[str] = set()
    if letter in romans[:-1]:
        following.add(romans[romans.index(letter) + 1])
    if len(letter) == 1 and letter.isalpha():
        if letter == "n":
            following |= {"ñ", "o"}
        elif letter == "ñ":
            following.add("o")
        elif letter != "z":
            following.add(chr(ord(letter) + 1))
    return following


def _letter_rank(letter: str) -> float:
    if letter == "ñ":
        return 13.5
    return float(ord(letter[0]) - ord("a")) + (0.5 if len(letter) > 1 else 0)


# --- The parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, lines: list[_Line], result: ParseResult) -> None:
        self.lines = lines
        self.result = result
        self.roots: list[Node] = []
        self.info: dict[int, _Info] = {}
        self.divisions: list[Node] = []
        self.group: Node | None = None
        self.container: Node | None = None  # the open article or provision
        self.items: list[Node] = []  # open numerals, literals and paragraphs in it
        self.single: Node | None = None  # the open formula or explanatory statement
        self.front: Node | None = None  # the open header or preamble
        self.zone = "front"  # front, formula, explanatory, body
        self.index = 0
        self.more_on_line = False  # the segment being read is not the last of its line
        self.pending_break = False
        self.quote: _Quotes | None = None  # open quotation inside an article
        self.quote_line = 0
        self.verbatim = False  # unquoted text of another law's articles
        self.note: Node | None = None  # a note that goes on over the next lines
        self.note_quotes: _Quotes | None = None
        self.seen_article = False
        self.last_article: tuple[int, str] | None = None
        self.numbering: dict[tuple[int, str], object] = {}

    # -- bookkeeping -------------------------------------------------------------------------

    def _new(self, kind: str, line: _Line, **fields) -> Node:
        node = Node(kind=str(kind), line=line.number, **fields)
        self.info[id(node)] = _Info()
        return node

    def _meta(self, node: Node) -> _Info:
        return self.info[id(node)]

    def _target(self) -> Node | None:
        for candidate in (
            self.items[-1] if self.items else None,
            self.container,
            self.group,
            self.divisions[-1] if self.divisions else None,
            self.single,
            self.front,
        ):
            if candidate is not None:
                return candidate
        return None

    def _close_body(self) -> None:
        self.divisions.clear()
        self.group = None
        self.container = None
        self.items.clear()
        self.verbatim = False

    def _add_root(self, node: Node) -> None:
        self.front = None
        self.roots.append(node)

    def _add_text(self, node: Node, line: _Line, text: str, new_block: bool) -> None:
        if node.children and node.kind != K.NOTE:
            last = node.children[-1]
            if not (last.kind == K.PARAGRAPH and self._meta(last).continuation):
                last = self._new(K.PARAGRAPH, line)
                self._meta(last).continuation = True
                node.children.append(last)
            node = last
        blocks = self._meta(node).blocks
        if new_block or not blocks:
            blocks.append([(line.number, text)])
        else:
            blocks[-1].append((line.number, text))

    def _append(self, text: str, line: _Line, first: bool) -> None:
        target = self._target()
        if target is None:
            target = self._new(K.HEADER, line)
            self._add_root(target)
            self.front = target
        new_block = first and self.pending_break
        self.pending_break = False
        self._add_text(target, line, text, new_block)

    def _check_number(self, key: tuple[int, str], value, line: _Line, what: str) -> None:
        """Warns of a gap or a repeat against the previous number of the same series."""
        previous = self.numbering.get(key)
        self.numbering[key] = value
        if previous is None or value is None:
            return
        if isinstance(value, tuple):
            if value[0] == previous[0] and value[1] > previous[1]:
                return
            if value[0] == previous[0] + 1 and not value[1]:
                return
            gap = value[0] > previous[0]
        else:
            if value == previous + 1:
                return
            gap = value > previous
        if gap:
            self.result.warn(
                "numbering_gap",
                _("%(what)s is not numbered after the one before it: is one missing?")
                % {"what": what},
                line.number,
            )
        else:
            self.result.warn(
                "numbering_repeat",
                _("%(what)s repeats or goes back on the numbering before it.") % {"what": what},
                line.number,
            )

    # -- the main loop -----------------------------------------------------------------------

    def run(self) -> list[Node]:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            if not line.text:
                self._blank()
                continue
            self._line(line)
        if self.quote is not None:
            self._warn_unclosed_quote()
        return self.roots

    def _blank(self) -> None:
        if self.note is not None and self.note_quotes is None:
            self.note = None  # a CONCORDANCIAS block ends at a blank line
        if self.quote is None and self.note is None and not self.verbatim:
            self.pending_break = True

    def _line(self, line: _Line) -> None:
        text, position, first = line.text, 0, True
        while position < len(text):
            cut = self._cut(text, position) if not line.toc else len(text)
            head = text[position:cut].strip()
            position = cut
            while position < len(text) and text[position].isspace():
                position += 1
            self.more_on_line = position < len(text)
            if head:
                self._segment(head, line, first)
            first = False
        self.more_on_line = False

    def _cut(self, text: str, position: int) -> int:
        """Where a second structure starts on the same line after ``position`` (Ley
        32069 runs several provisions, notes and groups together), or the line's end.

        Each search stops at the earliest cut found so far and works on positions, not
        copies, so that a line of many segments is read in linear time."""
        if self.quote is not None or self.note_quotes is not None or self.zone == "explanatory":
            return len(text)
        limit = len(text)
        limit = self._first_cut(_NOTE_CUT, text, position, limit)
        if self.seen_article:
            limit = self._first_cut(
                _GROUP_CUT, text, position, limit, lambda at: self._starts_group(text, at)
            )
            limit = self._first_cut(_CLOSING_CUT, text, position, limit)
        if self.group is not None:
            expected = self._expected_provision(text, position)

            def provision(at: int) -> bool:
                return self._starts_provision(text, at, expected)

            limit = self._first_cut(_PROVISION_CUT, text, position, limit, provision)
        literal = self._open_literal()
        own = _LITERAL_AT.match(text, position) if self.container is not None else None
        if own is not None:
            letter = own.group("letter")
            literal = "l" if letter == "I" else letter
        if literal is not None:
            following = _letter_successors(literal)
            letters = "|".join(sorted(following | ({"I"} if "l" in following else set())))
            if letters:
                pattern = re.compile(rf"(?<=[.;])\s+(?=(?:{letters})\)\s+[A-ZÁÉÍÓÚ])")
                limit = self._first_cut(pattern, text, position, limit)
        return limit

    @staticmethod
    def _first_cut(pattern: re.Pattern, text: str, position: int, limit: int, accept=None) -> int:
        """The first match of ``pattern`` after ``position`` and before ``limit``, outside
        quotation marks (and that ``accept`` takes, given where it starts), or ``limit``."""
        quotes, fed = _Quotes(), position
        for match in pattern.finditer(text, position + 1, limit):
            start = match.end()
            quotes.feed(text[fed:start])
            fed = start
            if quotes.open or (accept is not None and not accept(start)):
                continue
            return start
        return limit

    def _starts_group(self, text: str, position: int) -> bool:
        match = _GROUP_AT.match(text, position)
        return match is not None and self._group_words_ok(match)

    @staticmethod
    def _starts_provision(text: str, position: int, expected: set[int]) -> bool:
        found = _PROVISION_AT.match(text, position)
        if found is None or not found.group("ord").isupper():
            return False
        after = _NEXT_CHARACTER.match(text, found.end())
        return ordinal_value(found.group("ord")) in expected and bool(
            found.group("sep") or (after is not None and after.group(1).isupper())
        )

    def _expected_provision(self, text: str, position: int) -> set[int]:
        """The values a provision label may have to start a new provision mid-line."""
        last = self.numbering.get((id(self.group), "provision"), 0) if self.group else 0
        own = _PROVISION_AT.match(text, position)
        if own and own.group("ord").isupper():
            last = ordinal_value(own.group("ord")) or last
        last = last if isinstance(last, int) else 0
        return {last + 1, last + 2}

    def _open_literal(self) -> str | None:
        for item in reversed(self.items):
            style = self._meta(item).style
            if style and style[0] == "literal":
                return str(self._meta(item).value)
        return None

    # -- one segment of a line ---------------------------------------------------------------

    def _segment(self, text: str, line: _Line, first: bool) -> None:
        if not first:
            self.pending_break = False
        if line.toc and self.note is None and self.quote is None:
            self._append(text, line, first)
            return
        if self.note is not None:
            if self.note_quotes is not None:
                self._add_text(self.note, line, text, False)
                self.note_quotes.feed(text)
                if not self.note_quotes.open:
                    self.note, self.note_quotes = None, None
                return
            if first and not self._is_structural(text, line):
                self._add_text(self.note, line, text, False)
                return
            self.note = None
        if self.quote is not None:
            if first and self._forces_quote_end(text, line):
                self._warn_unclosed_quote()
            else:
                self._append(text, line, first=False)
                self.quote.feed(text)
                if not self.quote.open:
                    self.quote = None
                return
        if self.verbatim:
            if self._ends_verbatim(text, line):
                self.verbatim = False
            else:
                self._append(text, line, first)
                return
        if self.zone == "explanatory" and not self._ends_explanatory(text, line):
            self._append(text, line, first)
            return
        for handler in (
            self._explanatory,
            self._formula,
            self._note,
            self._group_heading,
            self._division,
            self._article,
            self._provision,
            self._preamble,
            self._declaration,
            self._item,
        ):
            if handler(text, line):
                return
        self._text(text, line, first)

    def _warn_unclosed_quote(self) -> None:
        self.result.warn(
            "unclosed_quote",
            _("A quotation opened here is not closed; it was ended at the next heading."),
            self.quote_line,
        )
        self.quote = None

    def _forces_quote_end(self, text: str, line: _Line) -> bool:
        if text[:1] in _OPENERS + '"':
            return False
        if self._group_match(text, line) is not None:
            return True
        return bool(_EXPLANATORY.match(text) or _FORMULA_HEADING.match(text)) and len(text) < 60

    def _ends_verbatim(self, text: str, line: _Line) -> bool:
        if self._group_match(text, line) is not None or self._division_match(text, line):
            return True
        if _EXPLANATORY.match(text) or _FORMULA_HEADING.match(text):
            return True
        article = self._article_match(text)
        if article is not None and self.group is None:
            return self._follows_on(article[1])
        provision = self._provision_match(text, line)
        return provision is not None and self.group is not None

    def _ends_explanatory(self, text: str, line: _Line) -> bool:
        if _FORMULA_HEADING.match(text) and len(text) < 60:
            return True
        if _ENACTING.search(text):
            return True
        if self.seen_article:
            return False
        article = self._article_match(text)
        if article is not None:
            value, rest = article[1], article[2]
            core = rest.strip().lstrip(_JUNK).strip()
            return (value is None or value == (1, "")) and (
                bool(line.level) or _mostly_upper(core) or not core or core[:1].isupper()
            )
        division = self._division_match(text, line)
        return division is not None and division[2] in {0, 1} and text[:1].isupper()

    def _is_structural(self, text: str, line: _Line) -> bool:
        return bool(
            line.level
            or self._article_match(text)
            or self._division_match(text, line)
            or self._group_match(text, line)
            or _EXPLANATORY.match(text)
            or _FORMULA_HEADING.match(text)
            or _ENACTING.search(text)
            or _PREAMBLE.match(text)
            or _NOTE.match(text)
            or _NUMERAL.match(text)
            or _LITERAL.match(text)
            or _INCISO.match(text)
            or (_PROVISION.match(text) and text.split()[0].isupper() and self.group is not None)
        )

    # -- headings ----------------------------------------------------------------------------

    def _split_heading(self, rest: str, line: _Line) -> tuple[str, str]:
        """Whether the rest of a label's line is its heading or the start of its text.

        A heading: all in capitals; or a phrase that does not start like a sentence
        (``El``, ``La``, ``Se``, ``Créase``…), does not end in a colon and is short
        (when it ends with a full stop, at most 40 words: ``Entrada en vigor.``).
        A heading OCR or the layout wrapped goes on on the next lines when the next
        line starts in lower case, the heading ends on a word like ``de``, or a long
        line is followed by a short one and a blank line."""
        rest = rest.strip()
        core = rest.lstrip(_JUNK).strip()
        if not core:
            return rest, ""
        first_word = core.split()[0].lower().strip(",.;:")
        if not _mostly_upper(core) and (
            first_word in _BODY_WORDS
            or (re.search(r"[áéíóú]", first_word) and re.search(r"n?se$", first_word))
        ):
            return "", rest
        taken = self._heading_continuation(rest, line)
        full = " ".join([rest, *(next_line.text for next_line in taken)])
        if _mostly_upper(core) and not taken:
            return rest, ""
        words = len(full.split())
        if full.endswith((":", ";", ",")) or len(full) > 250:
            return "", rest
        if full.endswith(".") and words > 40:
            return "", rest
        self.index += len(taken)
        return full, ""

    def _heading_continuation(self, heading: str, line: _Line) -> list[_Line]:
        taken: list[_Line] = []
        current, raw_length = heading, len(line.text)
        position = self.index
        while len(taken) < 3 and position < len(self.lines) and not self.more_on_line:
            following = self.lines[position]
            text = following.text
            if not text or following.level or self._is_structural(text, following):
                break
            if current.endswith((".", ":", ";")) or text[:1] in _OPENERS + '"':
                break
            last_word = current.split()[-1].lower() if current.split() else ""
            after = self.lines[position + 1].text if position + 1 < len(self.lines) else ""
            wrapped = (
                raw_length >= 70
                and len(text) <= 90
                and not text.endswith((".", ":", ";"))
                and not after
            )
            if not (
                text[:1].islower()
                or last_word in _FUNCTION_WORDS
                or current.endswith(",")
                or wrapped
            ):
                break
            taken.append(following)
            current, raw_length = text, len(text)
            position += 1
        return taken

    def _next_line_heading(self) -> str:
        """A division's heading on the next line (blank lines may come between)."""
        position = self.index
        while position < len(self.lines) and not self.lines[position].text:
            position += 1
        if position >= len(self.lines) or position - self.index > 2 or self.more_on_line:
            return ""
        following = self.lines[position]
        text = following.text
        if self._is_structural(text, following) or following.toc:
            return ""
        if len(text) > 150 or text.endswith((":", ";", ",")):
            return ""
        self.index = position + 1
        taken = self._heading_continuation(text, following)
        self.index += len(taken)
        return " ".join([text, *(extra.text for extra in taken)])

    # -- handlers ----------------------------------------------------------------------------

    def _explanatory(self, text: str, line: _Line) -> bool:
        heading = bool(_EXPLANATORY.match(text)) and len(text) < 60
        analysis = bool(_ANALYSIS.match(text)) and len(text) < 90 and self.zone != "explanatory"
        if not (heading or analysis):
            return False
        node = self._new(K.EXPLANATORY_STATEMENT, line, heading=text)
        self._close_body()
        self._add_root(node)
        self.single, self.zone = node, "explanatory"
        return True

    def _formula(self, text: str, line: _Line) -> bool:
        if _FORMULA_HEADING.match(text) and len(text) < 60:
            node = self._new(K.FORMULA, line, heading=text)
        elif (_ENACTING.search(text) and self.container is None) or (
            self.seen_article and _CLOSING.match(text)
        ):
            if self.zone == "formula" and not _CLOSING.match(text):
                self._append(text, line, first=True)
                return True
            node = self._new(K.FORMULA, line)
            self._meta(node).blocks.append([(line.number, text)])
        else:
            return False
        self._close_body()
        self._add_root(node)
        self.single, self.zone = node, "formula"
        return True

    def _note(self, text: str, line: _Line) -> bool:
        concordance = bool(_CONCORDANCE.match(text))
        if not (_NOTE.match(text) or concordance):
            return False
        node = self._new(K.NOTE, line)
        self._meta(node).blocks.append([(line.number, text)])
        target = self._target()
        if target is None or target is self.front:
            self._add_root(node)
        else:
            target.children.append(node)
        quotes = _Quotes()
        quotes.feed(text)
        if concordance:
            self.note, self.note_quotes = node, None
        elif quotes.open and re.search(r"siguiente\s*:?\s*[“\"«]", text):
            # "… cuyo texto es el siguiente: "…": the new wording goes on over the next lines
            self.note, self.note_quotes = node, quotes
        self.pending_break = False
        return True

    @staticmethod
    def _group_words_ok(match: re.Match) -> bool:
        folded = _fold(match.group("head"))
        return any(word in folded for word in _GROUP_KEYWORDS)

    def _group_match(self, text: str, line: _Line) -> re.Match | None:
        match = _GROUP.match(text)
        if match is None or not self._group_words_ok(match):
            return None
        after = text[match.end() :]
        if after[:1].isalnum() and not match.group("sep"):
            return None
        head = match.group("head")
        if head.isupper() or line.level:
            return match
        if match.group("ord") and match.group("sep"):
            return match  # Disposición final única.
        return None

    def _group_heading(self, text: str, line: _Line) -> bool:
        match = self._group_match(text, line)
        if match is None:
            return False
        folded = _fold(match.group("head"))
        found = [(folded.find(word), kind) for word, kind in _GROUP_TYPES if word in folded]
        group_type = min(found)[1] if found else ProvisionGroupType.OTHER
        if match.group("ord"):
            group = self.group
            if group is None or group.group_type != group_type:
                group = self._new(K.PROVISIONS_GROUP, line, group_type=str(group_type))
                self._close_body()
                self._add_root(group)
                self.group, self.single, self.zone = group, None, "body"
            self._open_provision(text, line, match.end(), match.group("ord"))
            return True
        group = self._new(K.PROVISIONS_GROUP, line, heading=text, group_type=str(group_type))
        self._close_body()
        self._add_root(group)
        self.group, self.single, self.zone = group, None, "body"
        return True

    def _declaration(self, text: str, line: _Line) -> bool:
        if not _DECLARATION.match(text):
            return False
        group = self._new(K.PROVISIONS_GROUP, line, heading=text)
        group.group_type = str(ProvisionGroupType.OTHER)
        self._close_body()
        self._add_root(group)
        self.group, self.single, self.zone = group, None, "body"
        return True

    def _division_match(self, text: str, line: _Line) -> tuple[re.Match, str, int] | None:
        match = _DIVISION.match(text)
        if match is None:
            return None
        keyword, number = match.group("kw"), match.group("num")
        rest = text[match.end() :].strip()
        if not (keyword.isupper() or line.level or not rest or _mostly_upper(rest)):
            return None
        folded = _fold(number)
        if folded == "preliminar":
            value = 0
        elif number.isdigit():
            value = int(number)
        elif re.fullmatch(r"[IVXLCDM]+", number):
            value = roman_to_int(number)
        else:
            value = ordinal_value(number)
        if value is None:
            return None
        return match, _fold(keyword), value

    def _division(self, text: str, line: _Line) -> bool:
        found = self._division_match(text, line)
        if found is None:
            return False
        match, keyword, value = found
        kind, rank = _DIVISION_KINDS[keyword]
        end = _label_end(text, match.end())
        heading = text[end:].strip()
        if heading:
            heading += "".join(" " + extra.text for extra in self._take_continuation(heading, line))
        else:
            heading = self._next_line_heading()
        node = self._new(kind, line, label=text[:end], heading=heading)
        self._meta(node).rank = rank
        while self.divisions and self._meta(self.divisions[-1]).rank >= rank:
            self.divisions.pop()
        parent = self.divisions[-1] if self.divisions else None
        self.group, self.container, self.verbatim = None, None, False
        self.items.clear()
        if parent is None:
            self._add_root(node)
        else:
            parent.children.append(node)
        self.divisions.append(node)
        self.single, self.front, self.zone = None, None, "body"
        self._check_number((id(parent), keyword), value, line, text[:end])
        return True

    def _take_continuation(self, heading: str, line: _Line) -> list[_Line]:
        taken = self._heading_continuation(heading, line)
        self.index += len(taken)
        return taken

    def _article_match(self, text: str) -> tuple[re.Match, tuple[int, str] | None, str] | None:
        match = _ARTICLE.match(text)
        if match is None:
            return None
        rest = text[match.end() :]
        core = rest.lstrip(_JUNK + " \t")
        if not match.group("sep") and core[:1].islower():
            return None  # "Artículo 5 de la Ley …": a reference, not a heading
        if match.group("num"):
            value = (int(match.group("num")), (match.group("suffix") or "").lower())
        else:
            number = ordinal_value(match.group("word"))
            unique = _fold(match.group("word")).startswith("unic")
            value = None if unique or number is None else (number, "")
        return match, value, rest

    def _follows_on(self, value: tuple[int, str] | None) -> bool:
        last = self.last_article
        if last is None or value is None:
            return last is None
        return value == (last[0] + 1, "") or (value[0] == last[0] and value[1] > last[1])

    def _introduces_amendment(self) -> bool:
        """Whether the open article's last words (page furniture aside: the last two
        blocks of text) introduce new wording: ``… en los términos siguientes:``."""
        target = self._target()
        if target is None or target.children:
            return False
        for block in self._meta(target).blocks[-2:]:
            text = " ".join(part for _, part in block)
            if any(part.endswith(":") for _, part in block) and _AMENDING.search(text):
                return True
        return False

    def _article(self, text: str, line: _Line) -> bool:
        found = self._article_match(text)
        if found is None:
            return False
        match, value, _rest = found
        if self.container is not None and self._introduces_amendment():
            own = self.group is None and self._follows_on(value)
            if not own:
                self.verbatim = True
                self._append(text, line, first=True)
                return True
        if self.group is not None:
            self._open_provision(text, line, match.end(), match.group("word") or "")
            return True
        end = _label_end(text, match.end())
        heading, body = self._split_heading(text[end:], line)
        node = self._new(K.ARTICLE, line, label=text[:end], heading=heading)
        parent = self.divisions[-1] if self.divisions else None
        (parent.children if parent else self.roots).append(node)
        if parent is None:
            self.front = None
        self.container, self.single, self.zone = node, None, "body"
        self.items.clear()
        self.verbatim = False
        self.seen_article = True
        if value is not None:
            if self.last_article is not None:
                self._check_number((0, "article"), value, line, text[:end])
            self.numbering[(0, "article")] = value
            self.last_article = value
        if body:
            self._text(body, line, first=False)
        return True

    def _provision_match(self, text: str, line: _Line) -> re.Match | None:
        if self.group is None:
            return None
        match = _PROVISION.match(text)
        if match is None:
            return None
        word, separator = match.group("ord"), match.group("sep")
        after = text[match.end() :].strip()
        if word.isupper():
            if separator or not after:
                return match
            value = ordinal_value(word)
            last = self.numbering.get((id(self.group), "provision"), 0)
            last = last if isinstance(last, int) else 0
            return match if after[:1].isupper() and value in {last + 1, last + 2} else None
        if line.level or (separator and (not after or after[:1].isupper())):
            return match
        return None

    def _provision(self, text: str, line: _Line) -> bool:
        match = self._provision_match(text, line)
        if match is None:
            return False
        self._open_provision(text, line, match.end(), match.group("ord"))
        return True

    def _open_provision(self, text: str, line: _Line, end: int, word: str) -> None:
        end = _label_end(text, end)
        heading, body = self._split_heading(text[end:], line)
        node = self._new(K.PROVISION, line, label=text[:end], heading=heading)
        group = self.group
        assert group is not None  # noqa: S101 - callers open the group first
        group.children.append(node)
        self.container = node
        self.items.clear()
        self.verbatim = False
        value = ordinal_value(word) if word else None
        unique = _fold(word).startswith("unic") if word else False
        if value is not None and not unique:
            self._check_number((id(group), "provision"), value, line, text[:end])
        if body:
            self._text(body, line, first=False)

    def _preamble(self, text: str, line: _Line) -> bool:
        if not _PREAMBLE.match(text):
            return False
        node = self._new(K.PREAMBLE, line, heading=text)
        self._close_body()
        self._add_root(node)
        self.front, self.single, self.zone = node, None, "front"
        return True

    def _item(self, text: str, line: _Line) -> bool:
        if self.container is None:
            return False
        kind, style, value, end = None, (), None, 0
        if match := _INCISO.match(text):
            number = match.group("ord")
            value = int(number) if number.isdigit() else ordinal_value(number)
            kind, style, end = K.PARAGRAPH, ("inciso",), match.end()
        elif match := _NUMERAL.match(text):
            if match.group("dotted"):
                value = tuple(int(part) for part in match.group("dotted").split("."))
                separator = match.group("dsep")
            else:
                value = (int(match.group("simple")),)
                separator = match.group("ssep")
            after = text[match.end() :].lstrip()
            if after[:1].islower() and separator not in {")", ".-", ". -"}:
                return False
            kind, style, end = K.NUMERAL, ("numeral", len(value)), match.end()
        elif match := _CARDINAL.match(text):
            value = (_CARDINALS[match.group("word")],)
            kind, style, end = K.NUMERAL, ("cardinal", 1), match.end()
        elif match := _LITERAL.match(text):
            letter = match.group("letter")
            if letter == "I":
                open_letter = self._open_literal()
                if open_letter is None or "l" not in _letter_successors(open_letter):
                    return False
                letter = "l"
            value = letter
            kind, style, end = K.LITERAL, ("literal",), match.end()
        if kind is None:
            return False
        end = _label_end(text, end)
        node = self._new(kind, line, label=text[:end])
        self._meta(node).style = style
        self._meta(node).value = value
        self._place_item(node, line)
        body = text[end:].strip()
        if body:
            self._text(body, line, first=False)
        return True

    def _place_item(self, node: Node, line: _Line) -> None:
        meta = self._meta(node)
        style, value = meta.style, meta.value
        stack = self.items
        chosen = None
        if style[0] == "numeral" and len(value) > 1:
            for index in range(len(stack) - 1, -1, -1):
                other = self._meta(stack[index])
                if other.style == ("numeral", len(value) - 1) and other.value == value[:-1]:
                    del stack[index + 1 :]
                    self._attach(node, stack[index], line, None)
                    return
                if other.style == style and other.value[:-1] == value[:-1]:
                    chosen = index
                    break
            if chosen is None:
                stack.clear()
                self._attach(node, self.container, line, None)
                return
        else:
            same = [i for i in range(len(stack) - 1, -1, -1) if self._meta(stack[i]).style == style]
            for index in same:
                if self._is_successor(self._meta(stack[index]).value, value):
                    chosen = index
                    break
            restart = bool(stack) and self._meta(stack[-1]).style == style
            if chosen is None and same and (restart or not self._is_first(value)):
                chosen = same[0]  # a gap or a repeat in the same list, not a new list
        if chosen is None and len(stack) >= _MAX_ITEM_DEPTH:
            del stack[_MAX_ITEM_DEPTH - 1 :]  # too deep: a sibling of the innermost item
        if chosen is None:
            parent = stack[-1] if stack else self.container
            self._attach(node, parent, line, None)
            return
        previous = stack[chosen]
        del stack[chosen:]
        parent = stack[-1] if stack else self.container
        self._attach(node, parent, line, previous)

    def _attach(self, node: Node, parent: Node | None, line: _Line, previous: Node | None) -> None:
        assert parent is not None  # noqa: S101 - items live in an article or provision
        parent.children.append(node)
        self.items.append(node)
        if previous is None:
            return
        before, now = self._meta(previous).value, self._meta(node).value
        if self._is_successor(before, now) or type(before) is not type(now):
            return
        if isinstance(now, str):
            gap = _letter_rank(now) > _letter_rank(str(before))
        else:
            gap = now > before
        code = "numbering_gap" if gap else "numbering_repeat"
        message = (
            _("%(what)s is not numbered after the one before it: is one missing?")
            if gap
            else _("%(what)s repeats or goes back on the numbering before it.")
        )
        self.result.warn(code, message % {"what": node.label}, line.number)

    @staticmethod
    def _is_successor(before, now) -> bool:
        if isinstance(before, str) and isinstance(now, str):
            return now in _letter_successors(before)
        if isinstance(before, tuple) and isinstance(now, tuple) and len(before) == len(now):
            return before[:-1] == now[:-1] and now[-1] == before[-1] + 1
        if isinstance(before, int) and isinstance(now, int):
            return now == before + 1
        return False

    @staticmethod
    def _is_first(value) -> bool:
        if isinstance(value, str):
            return value in {"a", "i"}
        if isinstance(value, tuple):
            return value[-1] == 1
        return value == 1

    def _text(self, text: str, line: _Line, first: bool) -> None:
        if line.level == 1 and self.front is not None and self.front.kind == K.PREAMBLE:
            self.front = None  # the document's title after its preamble: a header of its own
        if line.level and self.zone != "front" and first:
            self.result.warn(
                "unknown_heading",
                _("This heading is not a title, chapter, article or group of provisions: it "
                  "was kept as text."),
                line.number,
            )  # fmt: skip
            self.pending_break = True
        elif first and self._looks_like_unknown_heading(text, line):
            self.result.warn(
                "unknown_heading",
                _("This line looks like a heading but is not one the importer knows: it was "
                  "kept as text."),
                line.number,
            )  # fmt: skip
        self._append(text, line, first)
        if self.container is not None and self.zone == "body":
            self._maybe_open_quote(text, line)

    def _looks_like_unknown_heading(self, text: str, line: _Line) -> bool:
        if self.zone != "body" or not self.pending_break or not _mostly_upper(text):
            return False
        if len(text) > 100 or len(text.split()) < 2 or text.endswith((":", ",", ";")):
            return False
        following = self.lines[self.index].text if self.index < len(self.lines) else ""
        return not following

    def _maybe_open_quote(self, text: str, line: _Line) -> None:
        quotes = _Quotes()
        quotes.feed(text)
        if not quotes.open:
            return
        first_open = next((i for i, char in enumerate(text) if char in _OPENERS + '"'), None)
        if first_open is None:
            return
        introduced = text[:first_open].rstrip().endswith(":") or (
            first_open == 0 and self._block_before_ends_with_colon()
        )
        if introduced:
            self.quote, self.quote_line = quotes, line.number

    def _block_before_ends_with_colon(self) -> bool:
        target = self._target()
        if target is None:
            return False
        blocks = self._meta(target).blocks
        if len(blocks) >= 2 and len(blocks[-1]) == 1:
            return blocks[-2][-1][1].rstrip().endswith(":")
        if blocks and len(blocks[-1]) >= 2:
            return blocks[-1][-2][1].rstrip().endswith(":")
        return False

    # -- the end -----------------------------------------------------------------------------

    def finish(self) -> None:
        for root in self.roots:
            self._finish_node(root)

    def _finish_node(self, node: Node) -> None:
        meta = self._meta(node)
        blocks = meta.blocks
        if node.kind in {K.ARTICLE, K.PROVISION} and len(blocks) > 1:
            blocks = self._clear_paragraphs(blocks)
            if len(blocks) > 1:
                paragraphs = []
                for block in blocks:
                    paragraph = Node(kind=str(K.PARAGRAPH), line=block[0][0])
                    paragraph.text = "\n".join(text for _, text in block)
                    paragraphs.append(paragraph)
                node.children[0:0] = paragraphs
                blocks = []
        node.text = "\n\n".join("\n".join(text for _, text in block) for block in blocks)
        for child in node.children:
            if id(child) in self.info:
                self._finish_node(child)

    @staticmethod
    def _clear_paragraphs(blocks: list[list[tuple[int, str]]]) -> list[list[tuple[int, str]]]:
        """Joins blocks whose separation is not clearly a new paragraph (OCR page breaks,
        a quotation after its introduction)."""
        merged = [list(blocks[0])]
        for block in blocks[1:]:
            before, after = merged[-1][-1][1], block[0][1]
            clear = before.endswith((".", ";", "!", "?", "”", "»", '"')) and (
                after[:1].isupper() or after[:1].isdigit() or after[:1] in "¿¡"
            )
            if clear:
                merged.append(list(block))
            else:
                merged[-1].extend(block)
        return merged

    def front_warnings(self) -> None:
        for root in self.roots:
            if root.kind != K.HEADER:
                continue
            for block in self._meta(root).blocks:
                if any(_HEADER_HINTS.search(text) for _, text in block):
                    continue
                if all(self._line_is_heading(number) for number, _ in block):
                    continue
                self.result.warn(
                    "text_before_first_article",
                    _("Text before the first article that is not a recognised header (bill "
                      "number, title, proponents): check it."),
                    block[0][0],
                )  # fmt: skip
                break

    def _line_is_heading(self, number: int) -> bool:
        line = self.lines[number - 1]
        return bool(line.level or line.toc or not re.search(r"[^\W\d_]{3}", line.text))


def _metadata(nodes: list[Node], result: ParseResult) -> None:
    front = [node for node in nodes if node.kind in {K.HEADER, K.PREAMBLE}]
    formulas = [node for node in nodes if node.kind == K.FORMULA]
    texts = [node.text for node in front] + [node.text for node in formulas]
    joined = "\n".join(texts)
    for pattern in _BILL_NUMBERS:
        if match := pattern.search(joined):
            result.metadata["number"] = match.group(1)
            break
    title = ""
    for text in texts:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if _TITLE_START.match(line):
                block = [line]
                for extra in lines[index + 1 :]:
                    if not extra.strip():
                        break
                    block.append(extra)
                title = " ".join(" ".join(block).split())
                break
        if title:
            break
    if title:
        result.metadata["title"] = title[:500]
    if "number" not in result.metadata:
        first = next((line for text in texts for line in text.split("\n") if line.strip()), "")
        if match := _LAW_NUMBER.match(first):
            result.metadata["number"] = match.group(1)
    front_text = "\n".join(node.text for node in front)
    flat = " ".join(front_text.split())
    for pattern in _PROPONENTS:
        if match := pattern.search(front_text if pattern.flags & re.MULTILINE else flat):
            result.metadata["proponents"] = match.group(1).strip(" ,.")[:500]
            break


def parse_text(text: str) -> ParseResult:
    """Parses a bill in plain text or Markdown into a tree of provisions, with warnings
    and metadata; raises ``ImportRefused`` (code ``empty``) for a text with no words.
    Lossless: see the module docstring."""
    if not text or not text.strip():
        raise ImportRefused(_("The text is empty."), code="empty")
    lines = _read_lines(text)
    if not any(line.text for line in lines):
        raise ImportRefused(_("The text is empty."), code="empty")
    result = ParseResult(nodes=[])
    parser = _Parser(lines, result)
    nodes = parser.run()
    parser.finish()
    parser.front_warnings()
    title = next((line.text for line in lines if line.level == 1 and line.text), "")
    _metadata(nodes, result)
    if title and "title" not in result.metadata:
        result.metadata["title"] = title
    result.warnings.sort(key=lambda warning: warning.line or 0)
    result.nodes = nodes
    assign_eids(result.nodes)
    return result
