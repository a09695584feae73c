"""Rich text in CSL-JSON values, as citeproc-js reads and prints it.

CSL-JSON carries formatting inside its text: a few HTML-like tags (``<i>``, ``<b>``,
``<sc>``, ``<sup>``, ``<sub>``, ``<span style="font-variant:small-caps;">``, ``<span
class="nodecor">``, ``<span class="nocase">``), quotation marks (straight or the
locale's own) and apostrophes.  :func:`parse` turns a value's markup into private-use
stand-in characters, which a CSL engine carries through case changes, affixes and
delimiters untouched; :func:`render` turns them, and the quotation marks a style adds
(:data:`QUOTE_OPEN`, :data:`QUOTE_CLOSE`), into the output's markup.

As in citeproc-js, formatting flips where it nests: italics inside italics print
upright (``<span style="font-style:normal;">``), quotes inside quotes print as the
locale's inner quotes, and ``nodecor`` undoes the formatting around it.  A tag or quote
that is not closed is text; an apostrophe prints as ’.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: What a style's ``quotes="true"`` wraps its text in, resolved by :func:`render`.
QUOTE_OPEN, QUOTE_CLOSE = "\ue020", "\ue021"
#: Marks the end of every closing quote in :func:`render`'s output, for a caller that
#: moves punctuation inside quotes; :func:`strip_marks` removes it.
QUOTE_END = "\ue000"
#: Follows a value's closing quote that more of the same value follows: punctuation
#: there is the value's own and stays where it is (citeproc-js moves only punctuation the
#: style adds); :func:`strip_marks` removes it.
KEEP_OUTSIDE = "\ue03e"

# Each kind of formatting: its stand-ins (open, close), the attribute it sets and the
# value it sets by default.
_KINDS = {
    "italic": ("\ue022", "\ue023", "font-style", "italic"),
    "bold": ("\ue024", "\ue025", "font-weight", "bold"),
    "smallcaps": ("\ue026", "\ue027", "font-variant", "small-caps"),
    "sup": ("\ue028", "\ue029", "vertical-align", "sup"),
    "sub": ("\ue02a", "\ue02b", "vertical-align", "sub"),
    "nodecor": ("\ue02c", "\ue02d", "class", "nodecor"),
    "quote": ("\ue02e", "\ue02f", "quotes", "true"),
    "inner-quote": ("\ue030", "\ue031", "quotes", "inner"),
    # a style's font-style="normal" and the like: upright only inside italics
    "normal-style": ("\ue032", "\ue033", "font-style", "normal"),
    "normal-weight": ("\ue034", "\ue035", "font-weight", "normal"),
    "normal-variant": ("\ue036", "\ue037", "font-variant", "normal"),
}
STAND_INS = frozenset(ch for open_, close, _, _ in _KINDS.values() for ch in (open_, close)) | {QUOTE_OPEN, QUOTE_CLOSE}
#: The stand-ins that close formatting (quotes aside).
CLOSING = frozenset(spec[1] for kind, spec in _KINDS.items() if "quote" not in kind)
_QUOTE_CLOSERS = (_KINDS["quote"][1], _KINDS["inner-quote"][1])
_BY_CHAR = {ch: (kind, ch == spec[0]) for kind, spec in _KINDS.items() for ch in spec[:2]}
NORMAL = {"font-style": "normal-style", "font-weight": "normal-weight", "font-variant": "normal-variant"}

_TAGS = {
    "<i>": ("</i>", "italic"),
    "<b>": ("</b>", "bold"),
    "<sc>": ("</sc>", "smallcaps"),
    '<span style="font-variant:small-caps;">': ("</span>", "smallcaps"),
    "<sup>": ("</sup>", "sup"),
    "<sub>": ("</sub>", "sub"),
    '<span class="nodecor">': ("</span>", "nodecor"),
    '<span class="nocase">': ("</span>", "nocase"),
}
NOCASE_OPEN, NOCASE_CLOSE = '<span class="nocase">', "</span>"
_SPANS = (re.compile(r'<span\s+style="font-variant:\s*small-caps;?"[^>]*>'), re.compile(r'<span\s+class="(no(?:case|decor))"[^>]*>'))


class Quotes(NamedTuple):
    """A locale's quotation marks: outer and inner, opening and closing."""

    open: str = "\u201c"
    close: str = "\u201d"
    open_inner: str = "\u2018"
    close_inner: str = "\u2019"


# --------------------------------------------------------------------- reading


class _Token(NamedTuple):
    text: str
    kind: str  # a _TAGS kind, "quote" or "inner-quote", "straight" (an opening straight
    #            quote), "close" (a closer), or "" (text)
    closer: str  # what closes an opener


def _tokens(text: str, quotes: Quotes) -> list[_Token]:
    openers = {tag: (closer, kind) for tag, (closer, kind) in _TAGS.items()}
    straight = {'"', "'"}
    for open_, close, kind in ((quotes.open, quotes.close, "quote"), (quotes.open_inner, quotes.close_inner, "inner-quote")):
        if open_.strip() and open_.strip() not in straight:
            openers[open_.strip()] = (close.strip(), kind)
    closers = {closer for closer, _ in openers.values()} | straight
    pattern = "|".join(re.escape(t) for t in sorted({*openers, *closers}, key=len, reverse=True))
    out: list[_Token] = []
    position = 0
    for match in re.finditer(pattern, text):
        if match.start() > position:
            out.append(_Token(text[position: match.start()], "", ""))
        token = match.group(0)
        before = text[match.start() - 1] if match.start() else " "
        after = text[match.end(): match.end() + 1]
        if token in straight and (before.isspace() or before in "(["):
            # an opening quote, but "' " is an apostrophe ("the 1990s' end")
            out.append(_Token("\u2019", "", "") if token == "'" and after.isspace() else _Token(token, "straight", token))
        elif token in openers:
            closer, kind = openers[token]
            out.append(_Token(token, kind, closer))
        elif token in ("'", "\u2019") and after and not after.isspace() and after not in ",.?:;!)]":
            out.append(_Token("\u2019", "", ""))  # within a word: "Plato's", "l'Égypte"
        else:
            out.append(_Token(token, "close", ""))
        position = match.end()
    if position < len(text):
        out.append(_Token(text[position:], "", ""))
    return out


def parse(text: str, quotes: Quotes = Quotes()) -> str:
    """``text`` with its markup as stand-ins (``nocase`` spans are kept as they are):
    tags and quotes that close, each pair its own; apostrophes as ’; the rest as text."""
    if not any(ch in text for ch in "<\"'\u2018\u2019\u201c\u201d") and quotes.open.strip() not in text:
        return text
    text = _SPANS[0].sub('<span style="font-variant:small-caps;">', text)
    text = _SPANS[1].sub(lambda m: f'<span class="{m.group(1)}">', text)
    text = re.sub(r"(?<=\w)\u2019(?=\w)", "'", text)  # an apostrophe between letters, however written
    tokens = _tokens(text, quotes)
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.kind and token.kind != "close":
            stack.append(index)
        elif token.kind == "close":
            if token.text in ("'", "\u2019") and not (stack and tokens[stack[-1]].closer == token.text):
                continue  # an apostrophe
            # openers a closer cuts short are text
            while stack and tokens[stack[-1]].closer != token.text:
                stack.pop()
            if stack:
                pairs[stack.pop()] = index
    # The first straight quote decides which form is outer: "..." or '...'.
    first = next((t.text for i, t in enumerate(tokens) if t.kind == "straight" and i in pairs), '"')
    out = []
    closing: dict[int, str] = {}
    for index, token in enumerate(tokens):
        if index in closing:
            closer = closing.pop(index)
            rest = "".join(t.text for t in tokens[index + 1:])
            out.append(closer + (KEEP_OUTSIDE if closer in _QUOTE_CLOSERS and rest.strip() else ""))
        elif index in pairs:
            kind = token.kind
            if kind == "straight":
                kind = "quote" if token.text == first else "inner-quote"
            if kind == "nocase":
                out.append(NOCASE_OPEN)
                closing[pairs[index]] = NOCASE_CLOSE
            else:
                out.append(_KINDS[kind][0])
                closing[pairs[index]] = _KINDS[kind][1]
        elif token.text == "'":
            out.append("\u2019")
        else:
            out.append(token.text)
    return "".join(out)


def stand_ins(kind: str) -> tuple[str, str]:
    """The opening and closing stand-ins of a kind of formatting (``italic``,
    ``normal-style``, ...)."""
    return _KINDS[kind][0], _KINDS[kind][1]


_SOURCE = {**{spec[0]: tag for tag, (_, kind) in _TAGS.items() if kind != "nocase" for spec in [_KINDS[kind]]},
           **{spec[1]: closer for _, (closer, kind) in _TAGS.items() if kind != "nocase" for spec in [_KINDS[kind]]},
           **{ch: '"' for ch in _KINDS["quote"][:2]}, **{ch: "'" for ch in _KINDS["inner-quote"][:2]}}


def source(text: str) -> str:
    """``text`` with its markup as CSL-JSON writes it again, for output that prints
    markup as text (citeproc-js's ``cs:number``)."""
    return "".join(_SOURCE.get(ch, ch) for ch in text)


def plain(text: str) -> str:
    """``text`` without stand-ins (for sorting and comparing)."""
    return "".join(ch for ch in text if ch not in STAND_INS and ch not in (QUOTE_END, KEEP_OUTSIDE))


# -------------------------------------------------------------------- printing

_HTML_OPEN = {
    ("font-style", "italic"): "<i>",
    ("font-style", "normal"): '<span style="font-style:normal;">',
    ("font-weight", "bold"): "<b>",
    ("font-weight", "normal"): '<span style="font-weight:normal;">',
    ("font-variant", "small-caps"): '<span style="font-variant:small-caps;">',
    ("font-variant", "normal"): '<span style="font-variant:normal;">',
    ("vertical-align", "sup"): "<sup>",
    ("vertical-align", "sub"): "<sub>",
}
_MARKDOWN_OPEN = {("font-style", "italic"): "*", ("font-weight", "bold"): "**",
                  ("vertical-align", "sup"): "<sup>", ("vertical-align", "sub"): "<sub>"}
# The style's own formatting in HTML output: tag → (attribute, value).
_STYLE_TAGS = re.compile(r"<(/?)(i|b|sup|sub|span)(?: style=\"([a-z-]+):([a-z-]+);\")?>")
_FLIP = {"font-style": {"italic": "normal", "normal": "italic"}, "font-weight": {"bold": "normal", "normal": "bold"},
         "font-variant": {"small-caps": "normal", "normal": "small-caps"}, "quotes": {"true": "inner", "inner": "true"}}
_STYLE_TAG_ATTRIBUTES = {"i": ("font-style", "italic"), "b": ("font-weight", "bold"),
                         "sup": ("vertical-align", "sup"), "sub": ("vertical-align", "sub")}


def _close(opening: str) -> str:
    if opening.startswith("<"):
        return "</" + opening[1:].split(">")[0].split(" ")[0] + ">"
    return opening if opening in ("*", "**") else ""


def render(text: str, fmt: str, quotes: Quotes = Quotes()) -> str:
    """``text`` with its stand-ins and the style's quotes as ``fmt`` (``html``,
    ``markdown`` or ``text``) prints them, each closing quote followed by
    :data:`QUOTE_END`."""
    if not any(ch in STAND_INS for ch in text):
        return text
    # (attribute, value, what closes it in the output) for each open formatting
    active: list[tuple[str, str, str]] = []
    style_open: list[int] = []  # places in ``active`` of the style's own open tags
    out = []
    position = 0
    pattern = re.compile("[" + "".join(sorted(STAND_INS)) + "]" + (r"|" + _STYLE_TAGS.pattern if fmt == "html" else ""))
    for match in pattern.finditer(text):
        out.append(text[position: match.start()])
        position = match.end()
        token = match.group(0)
        if token.startswith("<"):  # the style's own HTML formatting
            out.append(token)
            closing, tag, attribute, value = match.group(1, 2, 3, 4)
            if closing:
                if style_open:
                    del active[style_open.pop():]
            else:
                attribute, value = _STYLE_TAG_ATTRIBUTES.get(tag, (attribute, value))
                style_open.append(len(active))
                active.append((attribute or "", value or "", ""))
            continue
        if token in (QUOTE_OPEN, QUOTE_CLOSE):
            kind, opening = "quote", token == QUOTE_OPEN
        else:
            kind, opening = _BY_CHAR[token]
        spec = _KINDS[kind]
        attribute = spec[2]
        if not opening:
            for at in range(len(active) - 1, -1, -1):
                if active[at][0] == attribute or attribute == "class" and active[at][0] == "class":
                    out.append(active[at][2])
                    del active[at]
                    break
            continue
        if attribute == "class":  # nodecor: every formatting around it undone
            undo = "".join(_open("font-style" if a == "font-style" else a, "normal", fmt, quotes)
                           for a in dict.fromkeys(a for a, _, _ in reversed(active) if a in NORMAL))
            out.append(undo)
            active.append(("class", "nodecor", "".join(_close(t) for t in reversed(_split_tags(undo)))))
            continue
        around = next((v for a, v, _ in reversed(active) if a == attribute), None)
        value = spec[3]
        if kind in NORMAL.values():
            value = "normal" if around not in (None, "normal") else ""
        elif around is not None and attribute in _FLIP:
            value = _FLIP[attribute].get(around, value)
        opened = _open(attribute, value, fmt, quotes) if value else ""
        closer = _quote_close(value, quotes) if attribute == "quotes" else _close(opened)
        out.append(opened)
        active.append((attribute, value or (around or ""), closer))
    out.append(text[position:])
    return "".join(out)


def _open(attribute: str, value: str, fmt: str, quotes: Quotes) -> str:
    if attribute == "quotes":
        return quotes.open if value == "true" else quotes.open_inner
    if fmt == "html":
        return _HTML_OPEN.get((attribute, value), "")
    if fmt == "markdown":
        return _MARKDOWN_OPEN.get((attribute, value), "")
    return ""


def _quote_close(value: str, quotes: Quotes) -> str:
    return (quotes.close if value == "true" else quotes.close_inner) + QUOTE_END


def _split_tags(html: str) -> list[str]:
    return re.findall(r"<[^>]+>", html)


def strip_marks(text: str) -> str:
    return text.replace(QUOTE_END, "").replace(KEEP_OUTSIDE, "")
