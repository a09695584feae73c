"""Records ⇄ BibTeX: citation keys, escaping, case protection, writing and reading.

Writing turns plain Unicode into plain-ASCII BibTeX that LaTeX prints literally:

* TeX specials become commands in their own brace group (``&`` → ``{\\&}``,
  ``{`` → ``{\\textbraceleft}``, so braces in a value always balance, as BibTeX needs),
  and non-ASCII letters become accent commands (``ü`` → ``{\\"u}``); a character with
  no LaTeX spelling that reads back as itself is kept as UTF-8.
* ``--`` in a title is text, not a dash: it is written ``-{}-``.
* Title words whose capitals matter are braced one by one (``{TonY}: An Orchestrator``)
  so styles that lower-case titles keep them: words with capitals after their first
  letter (TonY, AutoML, TFX), a one-word system name before the title's colon
  (``{Katib}:``, ``{tensorflow-tracing}:``), and the record's protected phrases
  (proper nouns from the proceedings' data, braced words of a user's .bib).

Reading decodes values back to Unicode (LaTeX commands and protective braces removed),
so writing and reading a record gives back the same text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import BibError, DataError, OpmlbibError, warn
from .model import Author, Record, Source, SourceFile, Venue, iso_dates, page_range
from .names import ascii_fold

if TYPE_CHECKING:
    from pathlib import Path

MONTH_MACROS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: Words skipped when a citation key takes the first word of a title.
STOP_WORDS = frozenset(
    "a an and are as at by for from in into is of on or the to via with".split()
)

# Characters that must never reach BibTeX bare, and their literal LaTeX spelling.
_SPECIALS = {
    "\\": r"\textbackslash",
    "{": r"\textbraceleft",
    "}": r"\textbraceright",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde",
    "^": r"\textasciicircum",
    # In LaTeX's default OT1 font encoding these print as other glyphs (¡ ¿ —).
    "<": r"\textless",
    ">": r"\textgreater",
    "|": r"\textbar",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Character pairs TeX fonts join into one glyph (dashes, quotes, ¡ ¿, „): split by {}.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=`)(?=`)|(?<=')(?=')|(?<=,)(?=,)|(?<=[!?])(?=`)")


# --------------------------------------------------------------------------- keys


def base_key(record: Record) -> str:
    """``<first author's family name><year><first title word that is not a stop word>``.

    Everything is ASCII-folded and lower-cased, with only letters and digits kept:
    ``hsu2019tony``, ``hashemi2019tensorflowtracing``.
    """
    family = record.authors[0].full_family if record.authors else "anonymous"
    year = str(record.venue.year) if record.venue.year is not None else ""
    word = ""
    for token in record.title.split():
        folded = _key_part(token)
        if folded and folded not in STOP_WORDS:
            word = folded
            break
    return f"{_key_part(family) or 'anonymous'}{year}{word}"


def assign_keys(records: Iterable[Record]) -> tuple[Record, ...]:
    """Give each record its key; on a clash the first keeps the plain key and later ones
    get ``a``, ``b``, … in order, so adding a paper never renames one already cited."""
    out = []
    taken: set[str] = set()
    for record in records:
        base = base_key(record)
        key = base
        for suffix in _suffixes():
            if key not in taken:
                break
            key = base + suffix
        taken.add(key)
        out.append(replace(record, key=key))
    return tuple(out)


def _suffixes() -> Iterable[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    yield ""
    yield from letters
    for first in letters:
        for second in letters:
            yield first + second


# What a citation key must not hold: what ends it for BibTeX (white space, a comma, braces),
# what LaTeX reads as a command, comment, parameter or tie in \cite{...}, and what biber
# refuses (quotes, parentheses, =, #), and control characters (C0, DEL, C1).
_KEY_FORBIDDEN = re.compile(r"[\s,{}()\\%#~\"'=]|[\x00-\x1f\x7f-\x9f]")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be a citation key in a .bib file and in ``\\cite``, or None."""
    if len(key) > 200:
        return f"it is {len(key):,} characters long (at most 200)"
    bad = _KEY_FORBIDDEN.search(key)
    if bad:
        char = bad.group()
        return "it holds white space" if char.isspace() else f'it holds "{char}"'
    return None


def _key_part(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


# ----------------------------------------------------------------------- escaping


@functools.cache
def _encoder():
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    _library_logs_off()
    return UnicodeToLatexEncoder(
        non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
    )


@functools.cache
def _encode_char(char: str) -> str:
    if char in _SPECIALS:
        return "{" + _SPECIALS[char] + "}"
    if char.isascii():
        return char
    encoded = _encoder().unicode_to_latex(char)
    # Keep a spelling only if it reads back as the very same character.
    return encoded if encoded != char and decode(encoded) == char else char


def encode_text(text: str) -> str:
    """Plain Unicode → BibTeX value text that LaTeX prints literally.  A control character
    (other than tab and line ends), which no .bib can hold, is an error."""
    control = _CONTROL.search(text)
    if control:
        raise BibError(f'"{text[:60]}" holds a control character (U+{ord(control.group()):04X}), which BibTeX cannot hold')
    text = _LIGATURE.sub("\x00", text)  # "--" stays two hyphens, "``" two backquotes
    return "".join(_encode_char(ch) for ch in text).replace("\x00", "{}")


def protected_spans(title: str, phrases: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Character ranges of ``title`` whose case must survive, merged and sorted."""
    spans: list[tuple[int, int]] = []
    head, colon, _ = title.partition(":")
    if colon and head.strip() and len(head.split()) == 1:
        start = title.index(head.strip())
        spans.append((start, start + len(head.strip())))
    for match in re.finditer(r"\S+", title):
        token = match.group()
        core = token.strip("()[]{}\"'.,;:!?\u201c\u201d\u2018\u2019")
        if core and any(ch.isupper() for ch in core[1:]):
            start = match.start() + token.index(core)
            spans.append((start, start + len(core)))
    for phrase in phrases:
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", title):
            spans.append(match.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + (1 if title[merged[-1][1]: start].isspace() else 0):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def encode_title(title: str, phrases: Iterable[str] = ()) -> str:
    """A title as BibTeX: escaped, with the words that need it braced against case changes."""
    out, position = [], 0
    for start, end in protected_spans(title, phrases):
        out.append(encode_text(title[position:start]))
        out.append("{" + encode_text(title[start:end]) + "}")
        position = end
    out.append(encode_text(title[position:]))
    return "".join(out)


def encode_name(author: Author) -> str:
    """``von Family, Jr, Given`` (BibTeX's unambiguous order), escaped."""
    family = encode_text(author.full_family)
    if "," in author.full_family or " and " in author.full_family:
        family = "{" + family + "}"
    elif not author.given and not author.suffix and len(author.family.split()) > 1:
        # Without a comma BibTeX would take the first words for given names: brace the
        # family ("{The ACME Team}"), as a corporate author is written.
        family = " ".join(filter(None, (encode_text(author.von), "{" + encode_text(author.family) + "}")))
    parts = [family]
    if author.suffix:
        parts.append(encode_text(author.suffix))
    if author.given:
        parts.append(encode_text(author.given))
    elif author.suffix:
        parts.append("")
    return ", ".join(parts)


# ----------------------------------------------------------------------- decoding


@functools.cache
def _library_logs_off() -> None:
    """Keep bibtexparser's and pylatexenc's log lines (a block that does not parse, a
    character with no LaTeX spelling) off stderr: opmlbib reports what matters itself, in
    one line."""
    import logging

    for name in ("bibtexparser", "pylatexenc"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


@functools.cache
def _decoder():
    from pylatexenc import latex2text

    literal = {
        "textbraceleft": "{", "textbraceright": "}", "textbackslash": "\\",
        "textasciitilde": "~", "textasciicircum": "^",
        "textless": "<", "textgreater": ">", "textbar": "|",
        "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX",
        # biblatex's hyphenation-friendly hyphen and dash
        "hyphen": "-", "hyphdash": "-",
    }
    db = latex2text.get_default_latex_context_db()
    db.add_context_category(
        "opmlbib-literal",
        macros=[
            *(latex2text.MacroTextSpec(name, text) for name, text in literal.items()),
            latex2text.MacroTextSpec(_VERBATIM_MACRO, simplify_repl=_verbatim_text),
            latex2text.MacroTextSpec("url", simplify_repl=_argument_text(0)),
            latex2text.MacroTextSpec("href", simplify_repl=_argument_text(1)),
            *(latex2text.MacroTextSpec(name, discard=True) for name in _SORT_ONLY),
        ],
        prepend=True,
    )
    # A macro latex2text does not know keeps the text of its arguments (\texttt{grep},
    # \mbox{A B}) rather than losing it.
    db.set_unknown_macro_spec(latex2text.MacroTextSpec("", discard=False))
    _library_logs_off()
    return latex2text.LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=True)


@functools.cache
def _parsing_context():
    # What the LaTeX walker knows of macros' arguments: pylatexenc's default, built once
    # (the walker would otherwise rebuild it for every value), plus our verbatim carrier
    # and hyperref's \href.
    from pylatexenc import latexwalker, macrospec

    db = latexwalker.get_default_latex_context_db()
    db.add_context_category(
        "opmlbib-arguments",
        macros=[
            macrospec.MacroSpec(_VERBATIM_MACRO, "{"),
            macrospec.MacroSpec("href", "{{"),
            *(macrospec.MacroSpec(name, "{") for name in _SORT_ONLY),
        ],
        prepend=True,
    )
    return db


# Text with none of these needs no LaTeX decoding (and pylatexenc is slow on long runs).
_NEEDS_DECODING = re.compile(r"[\\{}$%&#~^_]|--|``|''|[!?]`")
# Macros whose argument LaTeX reads verbatim (``%``, ``_``, ``~`` and ``#`` are text there).
_VERBATIM_ARGUMENT = re.compile(r"\\(?:url|nolinkurl|path)\s*\{([^{}]*)\}")
_VERBATIM_MACRO = "opmlbibverbatim"
# Macros a .bib's @preamble defines to steer sorting; their argument is never printed.
_SORT_ONLY = ("noopsort", "sortnoop", "SortNoop", "noop")


def _carry_verbatim(match: re.Match[str]) -> str:
    # hex digits pass the LaTeX walker untouched; _verbatim_text turns them back
    return "\\" + _VERBATIM_MACRO + "{" + match.group(1).encode("utf-8").hex() + "}"


def _argument_text(position: int):
    """A replacement that is the text of the macro's argument at ``position`` (none if absent)."""

    def text(node, l2tobj) -> str:
        arguments = node.nodeargd.argnlist if node.nodeargd and node.nodeargd.argnlist else []
        if position < len(arguments) and arguments[position] is not None:
            return l2tobj.nodelist_to_text([arguments[position]])
        return ""

    return text


def _verbatim_text(node, l2tobj) -> str:
    (argument,) = node.nodeargd.argnlist
    return bytes.fromhex(l2tobj.nodelist_to_text([argument])).decode("utf-8")


def decode(value: str, macros: dict[str, str] | None = None) -> str:
    """BibTeX value text → plain Unicode (commands resolved, protective braces dropped,
    ``\\url{...}`` read verbatim, ``\\href{url}{text}`` as its text).

    Meaning is kept: a bare ``&`` is an ampersand; math becomes the Unicode it stands for
    where that is exact (``Cu$_2$O`` → ``Cu₂O``, ``$\\surd$`` → ``√``) and stays as written
    where it is not; citation and reference commands (``\\cite{key}``) stay as written.
    ``macros`` are the argument-less commands a file's ``@preamble`` defines (name → body),
    expanded before decoding.

    What real files mostly hold is decoded without the LaTeX decoder's walk over the whole
    value: plain text as it is, protective braces dropped, and the value otherwise piece by
    piece (plain text as it is; each brace group, escaped special character, accent or
    formula through the decoder once per process, as they recur: ``{\\"u}``, ``\\&``,
    ``--``).  A value with a piece of any other kind (a command word outside braces, a tie,
    a comment) goes to the decoder whole; the result is the same (:func:`decode_whole`).
    """
    if macros:
        value = expand_macros(value, macros)
    if _LATEX.search(value) is None:
        return value
    if _LATEX_BUT_BRACES.search(value) is None and _balanced(value):
        plain = value.replace("{", "").replace("}", "")
        if _LATEX.search(plain) is None:
            return plain
    pieces = []
    position = 0
    piece_pattern = _piece_pattern()
    while position < len(value):
        piece = piece_pattern.match(value, position)
        if piece is None:
            return decode_whole(value)
        text = piece.group()
        pieces.append(text if piece.lastgroup == "plain" else _latex_piece(text))
        position = piece.end()
    return _tidy("".join(pieces))


def decode_whole(value: str) -> str:
    """:func:`decode` (without macros) by the LaTeX decoder over the whole value."""
    return _tidy(latex_to_text(value) if _NEEDS_DECODING.search(value) else value)


_LINE_BREAK_OR_TAB = re.compile(r"[\n\t\r]")


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip() if _LINE_BREAK_OR_TAB.search(text) else text


# Text that LaTeX decoding leaves as it is: no command, math, comment, tie, tab or newline,
# and none of the ligatures TeX turns into other characters (-- `` '' !` ?`).
_LATEX = re.compile(r"[\\$%&~{}\t\n\r]|--|``|''|!`|\?`")
_LATEX_BUT_BRACES = re.compile(r"[\\$%&~\t\n\r]")
_FLAT_GROUPS = re.compile(r"[^{}]*+(?:\{[^{}]*+\}[^{}]*+)*+")


def _balanced(value: str) -> bool:
    if _FLAT_GROUPS.fullmatch(value) is not None:  # groups without groups inside
        return True
    depth = 0
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _group(depth: int) -> str:
    inner = r"[^{}\\%]|\\[^{}\\a-zA-Z]|\\[a-zA-Z]+|\\[{}\\]"  # no comment (%) inside
    return r"\{(?:" + inner + ("" if depth == 0 else "|" + _group(depth - 1)) + r")*+\}"


@functools.cache
def _piece_pattern() -> re.Pattern[str]:
    """Pieces of a value that decode on their own, whatever comes before or after them."""
    return re.compile(
        r"(?P<plain>(?:[^\\$%&~{}\-`'!?]|-(?!-)|`(?!`)|'(?!')|[!?](?!`))++)"
        r"|(?P<group>" + _group(3) + ")"
        r"|(?P<symbol>\\[&%$#_{}])"
        r"|(?P<accent>\\['\"^`~=.](?:[A-Za-z]|\{[A-Za-z]\}))"
        r"|(?P<math>\$(?:[^$%{}]++|\{[^$%{}]*+\})++\$)"  # braces inside balanced
        r"|(?P<ligature>-{2,}+|`{2,}+|'{2,}+|[!?]`)"
    )


@functools.lru_cache(maxsize=1 << 16)  # pieces recur across a bibliography; memory stays bounded
def _latex_piece(text: str) -> str:
    """The LaTeX decoder's output for one piece, before whitespace is tidied."""
    return latex_to_text(text)


def latex_to_text(value: str) -> str:
    """The LaTeX decoder itself, before whitespace is tidied: what :func:`decode` does to a
    value that holds LaTeX (exposed for the scanner, which decodes pieces of values)."""
    if "\\" in value:
        value = _VERBATIM_ARGUMENT.sub(_carry_verbatim, value)
        value = _KEPT_COMMAND.sub(_carry_as_written, value)
    if "$" in value:
        value = _MATH.sub(_carry_math, value)
    if "&" in value:
        value = _BARE_AMPERSAND.sub(r"\\&", value)
    try:
        return _decoder().latex_to_text(value, latex_context=_parsing_context())
    except (IndexError, KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # pylatexenc's own limits on odd input: say so rather than fail obscurely
        raise DataError(f"cannot read the LaTeX in \"{value[:60]}\" ({type(exc).__name__})") from None


# An ampersand is text in a .bib value (BibTeX styles print it; LaTeX would complain).
_BARE_AMPERSAND = re.compile(r"(?<!\\)&")
# Commands whose argument is a label, not text: kept as written (``\cite{knuth84}``).
_KEPT_COMMAND = re.compile(
    r"\\(?:[a-zA-Z]*cite[a-zA-Z]*|ref|eqref|pageref|autoref|cref|Cref|label)\*?(?:\s*\[[^\]{}]*\])*\s*\{[^{}]*\}"
)
# An inline formula, ``$...$`` (not an escaped ``\$``).
_MATH = re.compile(r"(?<!\\)\$((?:[^$\\]|\\.)+?)\$")


def _carry(text: str) -> str:
    """``text`` wrapped so that the LaTeX decoder passes it through untouched (in a group of
    its own, so that an accent command before it takes it as its argument)."""
    return "{\\" + _VERBATIM_MACRO + "{" + text.encode("utf-8").hex() + "}}"


def _carry_as_written(match: re.Match[str]) -> str:
    return _carry(match.group())


def _carry_math(match: re.Match[str]) -> str:
    text = math_to_text(match.group(1))
    return _carry(match.group() if text is None else text)


_SUPERSCRIPTS = dict(zip("0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWn",
                         "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂⁿ"))
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))
# Operator names: upright words, as LaTeX sets them.
_OPERATORS = frozenset(
    "arccos arcsin arctan arg cos cosh cot coth csc deg det dim exp gcd hom inf ker lg lim liminf "
    "limsup ln log max min Pr sec sin sinh sup tan tanh".split()
)
# Commands whose argument is text set in another font or style.
_MATH_TEXT = frozenset("mathrm mathit mathbf mathsf mathtt mathcal mathbb mathnormal text textrm textit "
                       "textbf textsf texttt operatorname boldsymbol bm".split())
_MATH_SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": " "}
_MATH_TOKEN = re.compile(r"\\([a-zA-Z]+|.)|([_^])|(\{)|(\})|(\s+)|([A-Za-z0-9.,;:!?()\[\]+\-=/|'<>*])")


def math_to_text(formula: str) -> str | None:
    """An inline formula as the Unicode text it stands for, or None where no text says it
    exactly (a fraction, a root over an expression, a subscript letter Unicode lacks)."""
    tokens = list(_MATH_TOKEN.finditer(formula))
    if sum(len(token.group()) for token in tokens) != len(formula):
        return None
    try:
        text, position = _math_group(tokens, 0, until_close=False)
    except _NotExact:
        return None
    return text if position == len(tokens) else None


class _NotExact(Exception):
    pass


def _math_group(tokens: list[re.Match[str]], position: int, *, until_close: bool) -> tuple[str, int]:
    out: list[str] = []
    while position < len(tokens):
        token = tokens[position]
        command, script, opening, closing, space, plain = token.groups()
        if closing:
            if not until_close:
                raise _NotExact
            return "".join(out), position + 1
        position += 1
        if space:
            continue  # TeX ignores spaces in math
        if plain:
            out.append(plain)
        elif opening:
            text, position = _math_group(tokens, position, until_close=True)
            out.append(text)
        elif script:
            argument, position = _math_argument(tokens, position)
            table = _SUPERSCRIPTS if script == "^" else _SUBSCRIPTS
            if not argument or any(char not in table for char in argument):
                raise _NotExact
            out.append("".join(table[char] for char in argument))
        elif command in _OPERATORS:
            if out and out[-1][-1:].isalnum():
                out.append(" ")
            nxt = tokens[position] if position < len(tokens) else None
            # a space keeps the operator apart from a following letter or number: "ln n"
            if nxt is not None and nxt.group(5) and position + 1 < len(tokens) and tokens[position + 1].group(6):
                out.append(command + " ")
            else:
                out.append(command)
        elif command in _MATH_TEXT:
            argument, position = _math_argument(tokens, position)
            out.append(argument)
        elif command in _MATH_SPACES:
            out.append(_MATH_SPACES[command])
        elif command in ("{", "}", "%", "$", "#", "&", "_"):
            out.append(command)
        elif command:
            out.append(_math_symbol(command))
    if until_close:
        raise _NotExact
    return "".join(out), position


def _math_argument(tokens: list[re.Match[str]], position: int) -> tuple[str, int]:
    """The text of the one token or brace group at ``position`` (a command's argument)."""
    while position < len(tokens) and tokens[position].group(5):
        position += 1
    if position >= len(tokens):
        raise _NotExact
    token = tokens[position]
    if token.group(3):
        return _math_group(tokens, position + 1, until_close=True)
    if token.group(6):
        return token.group(6)[0], position + 1
    command = token.group(1)
    if command in _MATH_TEXT:
        return _math_argument(tokens, position + 1)
    if command and command not in _OPERATORS:
        return _math_symbol(command), position + 1
    raise _NotExact


@functools.cache
def _math_symbol(command: str) -> str:
    """The character a symbol command stands for (``\\alpha`` → α, ``\\surd`` → √)."""
    from pylatexenc import latex2text

    if command == "slash":
        return "/"
    spec = latex2text.get_default_latex_context_db().get_macro_spec(command)
    replacement = getattr(spec, "simplify_repl", None) if spec is not None else None
    if isinstance(replacement, str) and replacement and "%" not in replacement and len(replacement) <= 3 \
            and not replacement.isascii():
        return replacement
    raise _NotExact


_NEWCOMMAND = re.compile(
    r"\\(?:(?:re)?newcommand|providecommand|DeclareRobustCommand)\*?\s*(?:\{\s*\\([a-zA-Z]+)\s*\}|\\([a-zA-Z]+))\s*\{"
    r"|\\(?:g|e|x)?def\s*\\([a-zA-Z]+)\s*\{"
)


def preamble_macros(preambles: Iterable[str]) -> dict[str, str]:
    """The argument-less commands that ``@preamble`` values define, name → body (commands
    that take arguments are left to the decoder, which keeps the text of their arguments)."""
    macros: dict[str, str] = {}
    for preamble in preambles:
        for match in _NEWCOMMAND.finditer(preamble):
            name = match.group(1) or match.group(2) or match.group(3)
            end = _group_end(preamble, match.end() - 1)
            if end is not None and name not in _SORT_ONLY:
                macros.setdefault(name, preamble[match.end(): end])
    return macros


def _group_end(text: str, opening: int) -> int | None:
    """The index of the brace closing the group that opens at ``opening``."""
    depth = 0
    for index in range(opening, len(text)):
        char = text[index]
        if char == "\\":
            continue
        if char == "{" and text[index - 1] != "\\":
            depth += 1
        elif char == "}" and text[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    return None


def expand_macros(value: str, macros: dict[str, str]) -> str:
    """``value`` with each of ``macros`` replaced by its body (once: a body that uses
    another macro is decoded as it stands)."""
    if "\\" not in value:
        return value
    return _macro_pattern(tuple(macros)).sub(lambda match: "{" + macros[match.group(1)] + "}", value)


@functools.lru_cache(maxsize=64)
def _macro_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\\(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?![a-zA-Z])\s*")


# ------------------------------------------------------------------------ writing


def entry_fields(record: Record) -> list[tuple[str, str]]:
    """The record's BibTeX fields in the order they are written, values encoded."""
    fields: list[tuple[str, str]] = []

    def braced(name: str, value: str | None) -> None:
        if value:
            fields.append((name, "{" + value + "}"))

    braced("author", " and ".join(encode_name(a) for a in record.authors))
    braced("title", encode_title(record.title, record.case_protected))
    venue = record.venue
    braced("booktitle", encode_text(venue.booktitle) if venue.booktitle else None)
    braced("editor", " and ".join(encode_name(e) for e in record.editors))
    if venue.year is not None:
        fields.append(("year", "{" + str(venue.year) + "}"))
    if venue.month is not None:
        fields.append(("month", MONTH_MACROS[venue.month - 1]))
    if record.first_page is not None:
        pages = str(record.first_page.number)
        if record.last_page is not None and record.last_page.number != record.first_page.number:
            pages += f"--{record.last_page.number}"
        fields.append(("pages", "{" + pages + "}"))
    braced("address", encode_text(venue.address) if venue.address else None)
    braced("publisher", encode_text(venue.publisher) if venue.publisher else None)
    braced("isbn", encode_text(venue.isbn) if venue.isbn else None)
    braced("url", _encode_url(record.url) if record.url else None)
    braced("doi", _encode_url(record.doi) if record.doi else None)
    for name, value in record.extra:
        braced(name, encode_text(value))
    return fields


def _encode_url(url: str) -> str:
    # url and doi are verbatim fields for biblatex and hyperref; only braces and
    # backslashes could break the entry, and neither occurs in a valid URL.
    if any(ch in url for ch in "{}\\") or not url.isascii() or any(ch.isspace() for ch in url):
        raise BibError(f'not a URL that can be written to BibTeX: "{url}"')
    return url.replace("%", r"\%").replace("#", r"\#")


def provenance_comment(record: Record) -> str:
    """One comment line saying where each page figure came from."""
    if record.first_page is None:
        return ""
    parts = [f"first page {record.first_page.number}: {record.first_page.describe()}"]
    if record.last_page is not None:
        parts.append(f"last page {record.last_page.number}: {record.last_page.describe()}")
    else:
        parts.append("last page unknown")
    return f"% {record.key}: " + "; ".join(parts)


def format_bibtex(records: Sequence[Record], *, comments: bool = True, definitions: bool = True) -> str:
    """All records as one BibTeX file, entries separated by a blank line.

    A record read from a user's file is written as the file wrote it: its type, field names
    and raw values (macros, braces, math and spacing as they were), after the ``@preamble``
    and ``@string`` definitions those entries need (unless ``definitions`` is false).  Any
    other record is written from values encoded here, preceded by its provenance comment.
    """
    needed = Definitions(records) if definitions else None
    blocks = [needed.head] if needed else []
    for position, record in enumerate(records):
        if not record.key:
            raise BibError(f"the record \"{record.title}\" has no citation key")
        if record.source is not None:
            source = record.source
            entry = source.text or write_entry(source.entry_type, record.key, source.fields)
            blocks.append((needed.before(position) if needed else "") + entry)
            continue
        comment = provenance_comment(record) if comments else ""
        try:
            fields = entry_fields(record)
        except BibError as exc:
            raise BibError(f"{record.key}: {exc.message}", path=exc.path, line=exc.line) from None
        blocks.append((comment + "\n" if comment else "") + write_entry(record.entry_type, record.key, fields))
    return "\n".join(block for block in blocks if block)


def write_entry(entry_type: str, key: str, fields: Sequence[tuple[str, str]]) -> str:
    """One entry as BibTeX text, values written as given: a field a line, indented by two
    spaces, the ``=`` signs aligned (the layout of bibtexparser's writer with an automatic
    value column)."""
    width = max((len(name) for name, _ in fields), default=0)
    lines = [f"@{entry_type}{{{key},"]
    lines.extend(f"  {name.ljust(width)} = {value}," for name, value in fields)
    if fields:
        lines[-1] = lines[-1][:-1]
    lines.append("}\n")
    return "\n".join(lines)


class Definitions:
    """The ``@preamble`` blocks and ``@string`` definitions a sequence of a user's entries
    needs when written in that order, as their files wrote them, so that each macro reads
    as it read in its file (bibtex defines macros in file order, and a macro may be defined
    again between entries).  Macros named in ``defined`` (lower-case) and preambles whose
    text occurs in ``present`` are left out: the file the entries are added to has them.

    :attr:`head` comes before all entries: the preambles, and in file order each definition
    that every use agrees on; :meth:`before` gives the definitions to write right before
    one entry (a macro defined again, or read undefined by an entry before)."""

    def __init__(self, records: Sequence[Record], *, defined: Iterable[str] = (), present: str = "") -> None:
        skip = set(defined)
        files: list[SourceFile] = []  # records of one file read in parts carry equal copies
        place: dict[int, int] = {}  # id of a record's file → its index in files
        for record in records:
            if record.source is not None and id(record.source.file) not in place:
                source_file = record.source.file
                index = next((i for i, other in enumerate(files) if other == source_file), len(files))
                if index == len(files):
                    files.append(source_file)
                place[id(source_file)] = index
        # where each macro is defined in each file: name → indices of its definitions
        where: list[dict[str, list[int]]] = []
        for source_file in files:
            places: dict[str, list[int]] = {}
            for index, (name, _) in enumerate(source_file.strings):
                places.setdefault(name.lower(), []).append(index)
            where.append(places)

        def definition(file: int, name: str, before: int) -> int | None:
            """The definition of ``name`` in effect before the file's ``before``-th one."""
            places = where[file].get(name, ())
            at = bisect.bisect_left(places, before)
            return places[at - 1] if at else None

        current: dict[tuple[int, str], int] = {}  # (file, macro) → definition in effect in the output
        emitted: list[tuple[int, int, int]] = []  # (position in the output, file, definition)
        unset: dict[tuple[int, str], int] = {}  # (file, macro) → first position read while undefined

        def ensure(position: int, file: int, name: str, before: int) -> None:
            if name in skip:
                return
            index = definition(file, name, before)
            if index is None:
                unset.setdefault((file, name), position)
            elif current.get((file, name)) != index:
                for used in macro_names(files[file].strings[index][1]):
                    ensure(position, file, used, index)
                current[(file, name)] = index
                emitted.append((position, file, index))

        for position, record in enumerate(records):
            if record.source is not None:
                file = place[id(record.source.file)]
                for _, raw in record.source.fields:
                    for name in macro_names(raw):
                        ensure(position, file, name, record.source.defined)
        # a definition goes before all entries when it is the only one of its macro written,
        # no entry before it read the macro undefined, and the same holds for what it uses
        written = Counter((file, files[file].strings[index][0].lower()) for _, file, index in emitted)
        head = set()
        for position, file, index in emitted:
            macro = (file, files[file].strings[index][0].lower())
            if written[macro] == 1 and unset.get(macro, position + 1) > position:
                head.add((file, index))
        changed = True
        while changed:
            changed = False
            for file, index in list(head):
                for used in macro_names(files[file].strings[index][1]):
                    dep = definition(file, used, index)
                    if used not in skip and dep is not None and (file, dep) not in head:
                        head.discard((file, index))
                        changed = True
                        break
        preambles: list[str] = []
        for source_file in files:
            preambles.extend(value for value in source_file.preambles if value not in preambles and value not in present)
        #: The preambles, and the definitions that go before all entries.
        self.head = "".join("@preamble{" + value + "}\n" for value in preambles) + "".join(
            _string_block(files[file].strings[index]) for file, index in sorted(head))
        self._before: dict[int, list[str]] = {}
        for position, file, index in emitted:
            if (file, index) not in head:
                self._before.setdefault(position, []).append(_string_block(files[file].strings[index]))

    def before(self, position: int) -> str:
        """The definitions to write right before the entry at ``position`` (its index in the
        records given), ending in a blank line; empty if it needs none there."""
        blocks = self._before.get(position)
        return "".join(blocks) + "\n" if blocks else ""


def _string_block(definition: tuple[str, str]) -> str:
    name, raw = definition
    return f"@string{{{name} = {raw}}}\n"


# ------------------------------------------------------------------------ reading

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
# The month macros every BibTeX style defines, as the standard styles spell them.
_MONTH_STRINGS = dict(zip(MONTH_MACROS, MONTH_NAMES))
# biblatex's names for fields BibTeX spells otherwise: read into the BibTeX names (where the
# entry does not also have those), and written back for biblatex.
BIBLATEX_NAMES = {
    "journal": "journaltitle",
    "address": "location",
    "annote": "annotation",
    "archiveprefix": "eprinttype",
    "primaryclass": "eprintclass",
}
# Fields whose values are not text but identifiers or paths, read as written.
_VERBATIM_FIELDS = frozenset({"url", "doi", "eprint", "file", "crossref", "pdf", "xdata", "ids", "related"})
# Entry types whose title names the book or proceedings a crossref child appeared in.
_CONTAINER_TYPES = frozenset({"proceedings", "book", "collection", "mvbook", "mvproceedings", "mvcollection",
                              "reference", "mvreference", "periodical"})


class _File:
    """One .bib file being read: its definitions, expanded, and where to report problems.

    Macros are defined in file order, as bibtex defines them: a value reads the definitions
    that come before it (:meth:`define_until`)."""

    def __init__(self, path: str | Path | None, strings: list[tuple[str, str, int]], preambles: list[str]) -> None:
        from .model import SourceFile

        self.path = None if path is None else str(path)
        self.source = SourceFile(self.path, tuple((name, raw) for name, raw, _ in strings), tuple(preambles))
        self.macros = preamble_macros(preambles)
        self.strings = dict(_MONTH_STRINGS)
        self._definitions, self._defined = strings, 0
        #: What the decoder could not follow in the entry being read.
        self.problems: list[str] = []
        #: Each name read without a problem, and how it reads.
        self.names: dict[str, Author | None] = {}
        self._decoded: dict[str, str] = {}

    def define_until(self, count: int) -> None:
        """Define the file's first ``count`` macros (those not defined yet)."""
        for name, raw, line in self._definitions[self._defined: count]:
            self.strings[name.lower()] = self.resolve(raw, line, f"@string {name}")
        self._defined = max(self._defined, count)

    def resolve(self, raw: str, line: int, where: str) -> str:
        def undefined(name: str) -> str:
            warn(f"{where}: @string macro {name} is not defined (read as empty, as bibtex reads it)",
                 path=self.path, line=line)
            return ""

        try:
            return resolve_value(raw, self.strings, undefined)
        except OpmlbibError as exc:
            raise BibError(f"{where}: {exc.message}", path=self.path, line=line) from None

    def decode(self, value: str) -> str:
        """The decoded view of a value; one the LaTeX decoder cannot follow (hundreds of
        nested commands) is shown as written, and the problem kept for a warning.  Each
        value is decoded once (names, venues and publishers recur)."""
        text = self._decoded.get(value)
        if text is None:
            try:
                text = self._decoded[value] = decode(value, self.macros)
            except DataError as exc:
                self.problems.append(exc.message)
                return value
        return text


def parse_bibtex(text: str, path: str | Path | None = None, *, deferred: bool = False) -> tuple[Record, ...]:
    """Entries of a BibTeX file as records, read as bibtex reads them.

    Each record keeps its entry as written (:attr:`Record.source`, which writing it back
    reproduces) next to the decoded view of its values (pages, year, month as numbers;
    fields the model does not name in :attr:`Record.extra`).  Fields of a ``crossref``
    parent the entry lacks are inherited, as bibtex and biber inherit them.  What bibtex
    only warns about (an undefined macro, a repeated field or key, an entry that does not
    parse) is a :class:`~opmlbib.errors.BibWarning` naming the line, and the rest of the
    file is read.

    With ``deferred``, the records are :meth:`deferred <opmlbib.model.Record.deferred>`:
    each entry's values are decoded the first time one of them is read, and what the
    decoder could not follow in them (a name bibtex reads with a warning, a value shown
    as written, a date that is not ISO 8601) is warned of then.  Writing records back as
    BibTeX or biblatex reads no decoded value.
    """
    import bibtexparser
    from bibtexparser import model as bp

    _library_logs_off()
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings: list[tuple[str, str, int]] = []
    preambles: list[str] = []
    # type, key, fields (name, raw value, line), line, text if kept whole, macros defined before it
    entries: list[tuple[str, str, list[tuple[str, str, int]], int, str | None, int]] = []
    seen: dict[str, int] = {}
    for block in library.blocks:
        line = (block.start_line or 0) + 1
        verbatim = None
        if isinstance(block, bp.String):
            strings.append((block.key, str(block.value), line))
            continue
        if isinstance(block, bp.Preamble):
            preambles.append(str(block.value))
            continue
        if isinstance(block, bp.DuplicateBlockKeyBlock):
            # a key or macro name used again: read like the first (an entry is then left
            # out, below; a macro is defined anew for what follows, as bibtex defines it)
            block = block.ignore_error_block or block  # bibtexparser always gives the block it read
        if isinstance(block, bp.String):
            strings.append((block.key, str(block.value), line))
            continue
        if isinstance(block, bp.DuplicateFieldKeyBlock):
            entry = block.ignore_error_block
            assert isinstance(entry, bp.Entry)  # bibtexparser reads the entry with the first of each field
            block = entry
            warn(f"{block.key}: {', '.join(sorted(_repeated(block)))} given more than once; the first is used, "
                 "as bibtex uses it", path=path, line=line)
        elif isinstance(block, bp.ParsingFailedBlock):
            error = block.error
            reason = " ".join(str(getattr(error, "abort_reason", "") or error).split()) or "a syntax error"
            reason = reason.removesuffix(".")
            salvaged = salvage(block.raw or "")
            if salvaged is None:
                warn(f"cannot parse this block ({reason}); it is left out, as bibtex leaves it out", path=path, line=line)
                continue
            block, verbatim = salvaged
            names = ", ".join(field.key for field in block.fields)
            warn(f"{block.key}: cannot parse this entry ({reason}); read as bibtex reads it, up to the field that "
                 f"breaks it ({names or 'no fields'}), and written back as it is", path=path, line=line)
        if not isinstance(block, bp.Entry):
            continue
        if block.key.lower() in seen:
            warn(f"{block.key}: the key is used again (first at line {seen[block.key.lower()]}); this entry is "
                 "left out, as bibtex leaves it out", path=path, line=line)
            continue
        seen[block.key.lower()] = line
        fields: list[tuple[str, str, int]] = []  # name, raw value, line
        field_names: set[str] = set()  # lower-case: a field given again is left out
        for field in block.fields:
            name = field.key.lower()
            if name not in field_names:
                field_names.add(name)
                fields.append((field.key, str(field.value), field.start_line + 1))
        written = _WRITTEN_TYPE.match(block.raw or "")
        entries.append((written.group(1) if written else block.entry_type, block.key, fields, line, verbatim, len(strings)))
    file = _File(path, strings, preambles)
    return _records(file, entries, deferred)


# Where a field may end in an entry: a comma at the end of a line.
_FIELD_END = re.compile(r",[ \t]*\r?\n")


def salvage(raw: str):
    """An entry bibtexparser cannot parse (a value whose braces do not balance, say), as
    bibtex reads it: the fields before the one that breaks it; with the entry's text (up to
    the next block), or None if not even its key reads."""
    import bibtexparser

    text = raw.rstrip()
    ends = [text.find(",") + 1, *(match.start() for match in _FIELD_END.finditer(text)), len(text)]
    for end in reversed(ends):
        head = text[:end]
        if not head:
            continue
        library = bibtexparser.parse_string(head + "\n}", parse_stack=[])
        if len(library.entries) == 1 and not library.failed_blocks:
            return library.entries[0], text + "\n"
    return None


# The entry type as the file spells it (bibtexparser lower-cases it).
_WRITTEN_TYPE = re.compile(r"\s*@\s*([A-Za-z][\w-]*)")


def _repeated(entry) -> set[str]:
    names = [field.key.lower() for field in entry.fields]
    return {name for name in names if names.count(name) > 1}


def _records(file: _File, entries: list[tuple[str, str, list[tuple[str, str, int]], int, str | None, int]],
             deferred: bool) -> tuple[Record, ...]:
    from .model import SourceEntry

    values = {}
    for entry_type, key, fields, line, _, defined in entries:
        file.define_until(defined)
        own = {}
        for name, raw, field_line in fields:
            value = file.resolve(raw, field_line, f"{key}: field {name.lower()}")
            if len(value) > MAX_VALUE_CHARS:
                raise BibError(f"{key}: field {name.lower()} is {len(value):,} characters long; opmlbib reads values "
                               f"of up to {MAX_VALUE_CHARS:,}", path=file.path, line=line)
            own[name.lower()] = value
        values[key.lower()] = (entry_type.lower(), own)
    records = []
    file.define_until(len(file.source.strings))  # those after the last entry, for their warnings
    for entry_type, key, fields, line, verbatim, defined in entries:
        kind, own = values[key.lower()]
        merged, missing = inherited(key, own, values)
        if missing is not None:
            warn(f"{key}: crossref {missing} names no entry of this file", path=file.path, line=line)
        source = SourceEntry(entry_type, tuple((name, raw) for name, raw, _ in fields), file.source, verbatim, defined)
        decoder = functools.partial(_decoded_record, file, kind, key, merged, line, source)
        records.append(Record.deferred(key, kind, line, source, decoder) if deferred else decoder())
    return tuple(records)


def _decoded_record(file: _File, entry_type: str, key: str, values: dict[str, str], line: int, source) -> Record:
    """:func:`_record`, warning of the values the decoder could not follow."""
    file.problems.clear()
    record = _record(file, entry_type, key, values, line, source)
    for problem in dict.fromkeys(file.problems):
        warn(f"{key}: {problem}; shown as written (and written back as it is)", path=file.path, line=line)
    file.problems.clear()
    return record


def inherited(key: str, own: dict[str, str], values: dict[str, tuple[str, dict[str, str]]]) -> tuple[dict[str, str], str | None]:
    """An entry's fields (``own``, values resolved) with what it inherits through its
    crossref, and a parent's parent too, as biber reads them (``values``: every entry's
    type and fields by lower-case key); and the crossref key that names no entry, if one does."""
    merged = dict(own)
    chain = [key.lower()]
    missing = None
    while merged.get("crossref", "").strip().lower() not in ("", *chain):
        parent_key = merged["crossref"].strip()
        if parent_key.lower() not in values:
            missing = parent_key
            break
        chain.append(parent_key.lower())
        parent_type, parent = values[parent_key.lower()]
        merged = inherit(merged, parent_type, parent)
        merged["crossref"] = parent.get("crossref", "")
    merged["crossref"] = own.get("crossref", "")
    if not merged["crossref"]:
        del merged["crossref"]
    return merged, missing


def inherit(child: dict[str, str], parent_type: str, parent: dict[str, str]) -> dict[str, str]:
    """A crossref child's fields with what it inherits from its parent: every field it
    lacks (as bibtex inherits them), and a book's or proceedings' title as its booktitle
    (as biber inherits it)."""
    merged = dict(child)
    for name, value in parent.items():
        if name in ("crossref", "ids", "key", "sortkey"):
            continue
        merged.setdefault(name, value)
    if parent_type in _CONTAINER_TYPES and "title" in parent:
        target = "journal" if parent_type == "periodical" else "booktitle"
        if target not in child and BIBLATEX_NAMES.get(target, target) not in child:
            merged[target] = parent["title"]
    return merged


_MONTH_NUMBER = re.compile(r"\s*(?:(\d{1,2})|([a-z]+)\.?)\s*", re.I)
_LEADING_ZERO = re.compile(r"(?<!\d)0\d")


def _month_number(value: str | None) -> int | None:
    """A month as a number: ``5``, ``May``, ``may``, ``Sept.``; None for anything else."""
    match = _MONTH_NUMBER.fullmatch(value or "")
    if match is None:
        return None
    if match.group(1):
        number = int(match.group(1))
        return number if 1 <= number <= 12 else None
    word = match.group(2).lower()
    for number, name in enumerate(MONTH_NAMES, start=1):
        if len(word) >= 3 and name.lower().startswith(word) or word == "sept" and number == 9:
            return number
    return None


_VALUE_PART = re.compile(r'\s*(?:\{(?P<braced>)|"(?P<quoted>)|(?P<number>\d+)|(?P<name>[^\s#{}"=,]+))')
# What ends a braced or quoted part, or changes its depth (every other character is text).
_PART_MARKS = {"}": re.compile(r"[{}]"), '"': re.compile(r'[{}"]')}
_CONCATENATION = re.compile(r"\s*(#)?\s*")


# A value of one part, as most are: a brace group (up to four deep), a quoted string
# without braces, a number or a macro name.
_ONE_PART = re.compile(
    r"\{(?P<braced>(?:[^{}]++|\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\})*+)\}"
    r'|"(?P<quoted>[^"{}]*+)"|(?P<number>\d+)|(?P<macro>(?!\d)[^\s#{}"=,]+)'
)


def _value_parts(raw: str):
    """The parts of a raw BibTeX value (``{a} # macro # "b"``) in order, as (kind, text):
    kind "text" for a braced or quoted part (its contents), "number", or "macro" (its name).

    A value of one part is read at once; the result is the same (:func:`_read_value_parts`)."""
    one = _ONE_PART.fullmatch(raw)
    if one is None:
        return _read_value_parts(raw)
    kind = one.lastgroup or ""  # every alternative is a named group
    return iter((("text" if kind in ("braced", "quoted") else kind, one.group(kind)),))


def _read_value_parts(raw: str):
    """:func:`_value_parts` part by part."""
    position = 0
    while True:
        match = _VALUE_PART.match(raw, position)
        if not match:
            raise OpmlbibError(f'cannot read the value "{raw[:80]}"')
        if match.group("braced") is not None or match.group("quoted") is not None:
            close = "}" if match.group("braced") is not None else '"'
            start = match.end()
            depth = 0
            for mark in _PART_MARKS[close].finditer(raw, start):
                char = mark.group()
                if char == "{":
                    depth += 1
                elif char == "}" and depth:
                    depth -= 1
                elif char == close and depth == 0:
                    index = mark.start()
                    break
            else:
                raise OpmlbibError(f'unbalanced value "{raw[:80]}"')
            yield "text", raw[start:index]
            position = index + 1
        elif match.group("number") is not None:
            yield "number", match.group("number")
            position = match.end()
        else:
            yield "macro", match.group("name")
            position = match.end()
        rest = _CONCATENATION.match(raw, position)
        assert rest is not None  # it matches anything, even nothing
        position = rest.end()
        if not rest.group(1):
            if position != len(raw):
                raise OpmlbibError(f'cannot read the value "{raw[:80]}"')
            return


def resolve_value(raw: str, strings: dict[str, str], undefined=None) -> str:
    """A field's raw BibTeX value (``{a} # macro # "b"``) as one string, macros expanded
    (month macros to the months' names).  An undefined macro reads as
    ``undefined(name)``, or as empty, as bibtex reads it.  A value growing past
    :data:`MAX_VALUE_CHARS` (macros doubling themselves) is an error."""
    out, size = [], 0
    for kind, text in _value_parts(raw):
        if kind == "macro":
            name = text.lower()
            if name in strings:
                text = strings[name]
            else:
                text = undefined(text) if undefined is not None else ""
            if size + len(text) > MAX_VALUE_CHARS:
                raise OpmlbibError(f"the value grows past {MAX_VALUE_CHARS:,} characters as its macros expand")
        out.append(text)
        size += len(text)
    return "".join(out)


def readable(raw: str) -> bool:
    """Whether a raw value reads at all (:func:`resolve_value` refuses one that does not)."""
    try:
        resolve_value(raw, {})
    except OpmlbibError:
        return False
    return True


def macro_names(raw: str) -> list[str]:
    """The @string macros a raw value uses (lower-case, in order; month macros included)."""
    try:
        return [text.lower() for kind, text in _value_parts(raw) if kind == "macro"]
    except OpmlbibError:
        return []


# Far beyond any real field (an abstract runs to a few thousand characters), and beyond what
# BibTeX itself can hold in its buffers.
MAX_VALUE_CHARS = 100_000
_KNOWN = {"author", "editor", "title", "booktitle", "year", "month", "pages", "address", "publisher", "isbn", "url", "doi"}


def read_pages(pages: str | None, detail: str) -> tuple:
    """(first page, last page, extra fields) of a pages value from a bibliography file:
    a value that is no page range, or whose numbers have leading zeros (``091001``), is kept
    whole as a "pages" extra field."""
    if pages:
        page_numbers = None if _LEADING_ZERO.search(pages) else page_range(pages, Source.BIB, detail)
        if page_numbers:
            return (*page_numbers, [])
        return None, None, [("pages", pages)]
    return None, None, []


def _record(file: _File, entry_type: str, key: str, values: dict[str, str], line: int, source) -> Record:
    for bibtex_name, biblatex_name in BIBLATEX_NAMES.items():
        if bibtex_name not in values and biblatex_name in values:
            values[bibtex_name] = values.pop(biblatex_name)

    def text(name: str) -> str | None:
        raw = values.get(name)
        return None if raw is None else (file.decode(raw) or None)

    def people(name: str) -> tuple[Author, ...]:
        names = split_names(values.get(name, ""))
        return tuple(filter(None, (_author(person, file, key, line) for person in names)))

    extra: list[tuple[str, str]] = []
    year_text, month_text = text("year"), values.get("month")
    year, month, day = _int_or_none(year_text), _month_number(file.decode(month_text or "")), None
    if year_text and year is None:
        extra.append(("year", year_text))
    if month_text and month is None:
        extra.append(("month", file.decode(month_text)))
    if "date" in values:
        dates = iso_dates(values["date"])
        if dates and year is None:
            year, month, day = dates[0]
        elif not dates:
            warn(f'{key}: date "{values["date"]}" is not an ISO 8601 date or range', path=file.path, line=line)
    first_page, last_page, pages_extra = read_pages(text("pages"), f"entry {key}")
    extra.extend(pages_extra)
    for name, value in values.items():
        if name not in _KNOWN:
            extra.append((name, (read_verbatim(value) or "") if name in _VERBATIM_FIELDS else file.decode(value)))
    title, protected = _title(values.get("title", ""), file)
    return Record(
        title=title,
        authors=people("author"),
        venue=Venue(
            booktitle=text("booktitle") or "",
            year=year,
            month=month,
            day=day,
            address=text("address"),
            publisher=text("publisher"),
            isbn=text("isbn"),
        ),
        first_page=first_page,
        last_page=last_page,
        key=key,
        url=read_verbatim(values.get("url")),
        doi=read_doi(values.get("doi")),
        entry_type=entry_type,
        extra=tuple(extra),
        case_protected=tuple(dict.fromkeys(title[start:end] for start, end in protected)),
        line=line,
        editors=people("editor"),
        title_protected=protected,
        source=source,
    )


def _author(name: str, file: _File, key: str, line: int) -> Author | None:
    """One person of a name list; a name BibTeX's rules cannot split cleanly is read as
    bibtex reads it, with a warning."""
    if name in file.names:  # names recur across a bibliography
        return file.names[name]
    problems = len(file.problems)
    extended = _extended_name(name)
    if extended is not None:
        decoded: dict[str, Any] = {part: file.decode(value) for part, value in extended.items()}
        author = Author(**decoded) if extended.get("family") else None
    else:
        parts = _name_parts(name)
        if parts is None:
            from bibtexparser.middlewares.names import InvalidNameError, parse_single_name_into_parts

            try:
                read = parse_single_name_into_parts(name, strict=True)
            except InvalidNameError as exc:
                warn(f"{key}: the name \"{name}\" {str(exc).rstrip('.')}", path=file.path, line=line)
                read = parse_single_name_into_parts(name, strict=False)
                problems = -1  # warned of again wherever it occurs
            parts = read.first, read.von, read.last, read.jr
        first, von, last, jr = parts
        plain = _LATEX.search(name) is None  # nor has any part: decoding leaves them as they are

        def joined(words: list[str]) -> str:
            return "" if not words else " ".join(words) if plain else file.decode(" ".join(words))

        family = joined(last) or joined(first)
        author = None
        if family:
            given = joined(first) if last else ""
            author = Author(given=given, family=family, von=joined(von), suffix=joined(jr))
    if problems == len(file.problems):
        file.names[name] = author
    return author


_EXTENDED_PART = re.compile(r"\s*(family|given|prefix|suffix|given-i|family-i|prefix-i|suffix-i)\s*=\s*", re.I)
_EXTENDED_NAMES = {"family": "family", "given": "given", "prefix": "von", "suffix": "suffix"}


def _extended_name(name: str) -> dict[str, str] | None:
    """A name in biblatex's extended name format (``family=Doe, given=Jane, prefix=van``) as
    Author fields; None for a name in BibTeX's own format."""
    if not _EXTENDED_PART.match(name):
        return None
    parts: dict[str, str] = {}
    position = 0
    while position < len(name):
        match = _EXTENDED_PART.match(name, position)
        if match is None:
            return None
        start = end = match.end()
        depth = 0
        while end < len(name) and (depth or name[end] != ","):
            depth += {"{": 1, "}": -1}.get(name[end], 0) if name[end - 1] != "\\" else 0
            end += 1
        value = name[start:end].strip()
        if value.startswith("{") and _group_end(value, 0) == len(value) - 1:
            value = value[1:-1]
        field = _EXTENDED_NAMES.get(match.group(1).lower())
        if field:
            parts[field] = value
        position = end + 1
    return parts


class ValueReader:
    """Values of one file read alone, as :func:`parse_bibtex` reads them: titles and name
    lists, their macros resolved (for the scanner).  It remembers each value and name it
    read (they recur across a file): one reader per file.  The warnings are the full
    reader's to give, with the entry's file and line, so read with
    :class:`~opmlbib.errors.BibWarning` ignored."""

    #: How many names and values a reader remembers at most (a file's worth of co-authors;
    #: the memory of a 100,000-entry file's unique names is not worth it).
    MEMORY = 1 << 15

    def __init__(self) -> None:
        self._file = _File(None, [], [])

    def title(self, value: str) -> str:
        if _LATEX_BUT_BRACES.search(value) is None and _balanced(value):
            # braces and plain text: _title reads the text without the braces, and strips
            # it where a group protects some of it (the same, at once)
            plain = value.replace("{", "").replace("}", "")
            if _LATEX.search(plain) is None:
                return plain.strip() if "{" in value else plain
        self._forget()
        return _title(value, self._file)[0]

    def people(self, value: str) -> tuple[Author, ...]:
        self._forget()
        return tuple(filter(None, (_author(name, self._file, "", 0) for name in split_names(value))))

    def _forget(self) -> None:
        file = self._file
        file.problems.clear()
        if len(file.names) > self.MEMORY or len(file._decoded) > self.MEMORY:
            file.names.clear()
            file._decoded.clear()


# Names: what bibtexparser's name rules read (split_multiple_persons_names,
# parse_single_name_into_parts), at once for what most names are: words that whitespace,
# commas and "and" delimit.  Everything else goes to bibtexparser; the tests hold the two equal.

# Characters after which a name needs the full name parser.
_NAME_SPECIAL = re.compile(r"[\\{}~]")
# Brace groups (one level of nesting inside) without whitespace, commas or ties: they
# stay inside one word, so words, sections and "and" are found as without them.
_WORD_GROUP = re.compile(r"\{[^{}\s,~]*+(?:\{[^{}\s,~]*+\}[^{}\s,~]*+)*+\}")
# Escapes that hide a delimiter from BibTeX's name rules (or end the text), and escapes
# starting a word (bibtexparser's splitter starts a name after " and " past them).
_HIDING_ESCAPE = re.compile(r"\\(?:[\s{}\\,~]|$)|(?<=[ \r\n\t])\\")
_NAME_SEPARATOR = re.compile(r"[ \r\n\t]+[aA][nN][dD][ \r\n\t]+(?=[^ \r\n\t])")
_NAME_SPACE = re.compile(r"[ \r\n\t]+")


def _words_as_written(value: str) -> bool:
    """Whether whitespace, commas and "and" delimit ``value``'s words and names wherever they
    occur: no tie, every brace group inside one word, no escape hiding a delimiter."""
    if _NAME_SPECIAL.search(value) is None:
        return True
    if "~" in value or _HIDING_ESCAPE.search(value) is not None:
        return False
    rest = _WORD_GROUP.sub("", value) if "{" in value else value
    return "{" not in rest and "}" not in rest


def split_names(value: str) -> list[str]:
    """The names of a name list (``A and B and C``), as bibtexparser's
    ``split_multiple_persons_names`` splits them."""
    if _words_as_written(value):
        value = value.strip(" \r\n\t")
        return _NAME_SEPARATOR.split(value) if value else []
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return split_multiple_persons_names(value)


def _case(word: str) -> int:
    """1 if the word's first letter is upper case, 0 if lower case, -1 without letters."""
    for char in word:
        if char.isalpha():
            return 1 if char.isupper() else 0
    return -1


def _name_parts(name: str) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """BibTeX's split of a name into first, von, last and jr words, as bibtexparser's
    ``parse_single_name_into_parts`` does it, for names whose words :func:`_words_as_written`
    delimits and start with a letter (where a name has braces or commands); None for
    others, the forms it rejects and those that leave a part empty (bibtexparser reads
    those, and says what is wrong)."""
    if _NAME_SPECIAL.search(name) is not None and not _words_as_written(name):
        return None
    letters_first = _NAME_SPECIAL.search(name) is not None
    sections = [[word for word in _NAME_SPACE.split(section) if word] for section in name.split(",")]
    if len(sections) > 3 or not all(sections):
        return None
    if letters_first and not all(word[0].isalpha() for words in sections for word in words):
        return None
    first: list[str] = []
    von: list[str] = []
    if len(sections) == 1:
        words = sections[0]
        if len(words) == 1:
            return first, von, words, []
        if len(words) == 2:
            return words[:1], von, words[1:], []
        cases = [_case(word) for word in words]
        if 0 not in cases:
            return words[:-1], von, words[-1:], []
        first_lower = cases.index(0) - len(cases)
        last_lower = -cases[::-1].index(0) - 1
        if last_lower == -1:
            last_lower -= 1
        return words[:first_lower], words[first_lower: last_lower + 1], words[last_lower + 1:], []
    first = sections[-1]
    jr = sections[1] if len(sections) == 3 else []
    words = sections[0]
    if len(words) == 1:
        return first, von, words, jr
    cases = [_case(word) for word in words[:-1]]
    if 0 not in cases:
        return first, von, words, jr
    split = len(cases) - cases[::-1].index(0)
    return first, words[:split], words[split:], jr


# A group that is one command other than a letter's (``{\\SystemX}``, ``{\\LaTeX}``): BibTeX
# changes the case of no letter in it (it does in ``{\\"O}``, ``{\\em Foo}``).
_LONE_COMMAND = re.compile(r"\{\\(?!(?:[ijoOlL]|ae|AE|oe|OE|aa|AA|ss)\b)[a-zA-Z]+\s*\}")
# What the title reader stops at: commands, formulas, braces.
_TITLE_MARK = re.compile(r"[\\${}]")
# An accent command, whose braced argument is the letter it accents, not a protected group.
_ACCENT = re.compile(r"\\(?:['\"^`~=.]|[cvuHkrdbt](?![A-Za-z]))")
# Private-use characters that mark a protected group's braces through decoding.
_OPEN, _CLOSE = "\ue000", "\ue001"


def _title(raw: str, file: _File) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A title's text and the character ranges its braces protect: each top-level brace
    group that does not start with a command (``Monte {C}arlo``, ``{TonY}``), as BibTeX's
    case changes leave those alone."""
    if "{" not in raw:
        return file.decode(raw), ()
    marked: list[str] = []
    depth, closing = 0, []
    index = 0
    accented = False  # whether a group here is what an accent command puts its accent on (\'{e})
    while True:
        mark = _TITLE_MARK.search(raw, index)
        if mark is None:
            marked.append(raw[index:])
            break
        at = mark.start()
        if at > index:  # text up to the mark, as it is
            marked.append(raw[index:at])
            accented = False
        char = raw[at]
        index = at + 1
        if char == "\\" and index < len(raw):
            accent = _ACCENT.match(raw, at)
            marked.append(accent.group() if accent else raw[at: at + 2])
            index = at + len(marked[-1])
            accented = accent is not None
            continue
        if char == "$" and depth == 0:  # a formula's braces group its parts: they protect nothing
            formula = _MATH.match(raw, at)
            if formula is not None:
                marked.append(formula.group())
                index = formula.end()
                continue
        if char == "{":
            if depth == 0 and not accented and (not raw.startswith("\\", index) or _LONE_COMMAND.match(raw, at)):
                marked.append(_OPEN)
                closing.append(True)
            else:
                marked.append(char)
                closing.append(False)
            depth += 1
        elif char == "}" and depth:
            depth -= 1
            marked.append(_CLOSE if closing.pop() else char)
        else:
            marked.append(char)
        accented = False
    if _OPEN not in marked:
        return file.decode(raw), ()
    text = file.decode("".join(marked))
    spans: list[tuple[int, int]] = []
    out: list[str] = []
    start = None
    for char in text:
        if char == _OPEN and start is None:
            start = len(out)
        elif char == _CLOSE and start is not None:
            if len(out) > start:
                spans.append((start, len(out)))
            start = None
        elif char not in (_OPEN, _CLOSE):
            out.append(char)
    title = "".join(out)
    # whitespace at a protected group's edge is not part of the protected words
    trimmed = []
    for begin, end in spans:
        while begin < end and title[begin].isspace():
            begin += 1
        while end > begin and title[end - 1].isspace():
            end -= 1
        if begin < end:
            trimmed.append((begin, end))
    return title.strip(), tuple(trimmed)


def read_verbatim(value) -> str | None:
    """A URL-like value as written: whitespace runs as one space, escaped specials unescaped."""
    if value is None:
        return None
    text = " ".join(str(value).split()).replace(r"\%", "%").replace(r"\#", "#").replace(r"\_", "_").replace(r"\&", "&")
    return text or None


_DOI_PREFIX = re.compile(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.I)


def read_doi(value) -> str | None:
    """A DOI as the bare name (``10.1145/…``), whatever prefix the file wrote before it."""
    text = read_verbatim(value)
    return _DOI_PREFIX.sub("", text) or None if text else None


def _int_or_none(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) <= 6 else None
