"""LaTeX citation commands for cite items: BibTeX's ``\\cite``, natbib's ``\\citet`` and
``\\citep`` and their kin, biblatex's ``\\textcite``, ``\\parencite``, ``\\autocite`` and
theirs, with locators and affixes as each package writes them.

natbib takes one prenote and one postnote for a whole command (``\\citep[see][p.~12]{a}``);
biblatex takes them for each work with its plural commands (``\\parencites[see][12]{a}[3]{b}``).
A postnote of biblatex that is a page locator is the page alone: biblatex prints "p."
itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from .citations import CiteItem
from .errors import CitationError

NATBIB = ("cite", "citet", "citep", "citealt", "citealp", "citeauthor", "citeyear", "citeyearpar")
BIBLATEX = ("textcite", "parencite", "autocite", "footcite", "smartcite", "citeauthor", "citeyear")
COMMANDS = tuple(dict.fromkeys(NATBIB + BIBLATEX))

#: How a postnote names a locator (as biblatex's bibliography strings abbreviate them).
_ABBREVIATIONS = {
    "page": ("p.", "pp."), "chapter": ("chap.", "chaps."), "section": ("sec.", "secs."), "figure": ("fig.", "figs."),
    "table": ("tab.", "tabs."), "volume": ("vol.", "vols."), "line": ("l.", "ll."), "note": ("n.", "nn."),
    "paragraph": ("par.", "pars."), "column": ("col.", "cols."), "verse": ("v.", "vv."), "part": ("pt.", "pts."),
    "book": ("bk.", "bks."), "issue": ("no.", "nos."), "appendix": ("app.", "apps."), "folio": ("fol.", "fols."),
    "equation": ("eq.", "eqs."), "article-locator": ("art.", "arts."), "opus": ("op.", "opp."),
    "sub-verbo": ("s.v.", "s.vv."), "supplement": ("suppl.", "suppls."),
}


def latex_citation(items: Sequence[CiteItem], command: str = "cite") -> str:
    """One citation command for ``items``: ``command`` is one of :data:`COMMANDS`;
    suppress-author and author-only choose natbib's and biblatex's forms for them."""
    if command not in COMMANDS:
        raise CitationError(f"unknown citation command {command!r}; choose from {', '.join(COMMANDS)}")
    if not items:
        raise CitationError("a citation needs at least one work")
    if any(item.author_only for item in items):
        command = "citeauthor"
    elif any(item.suppress_author for item in items):
        command = {"citep": "citeyearpar", "cite": "citeyearpar", "citet": "citeyear", "citealp": "citeyear",
                   "citealt": "citeyear"}.get(command, command)
        if command in BIBLATEX and command not in ("citeauthor", "citeyear"):
            command += "*"  # biblatex's starred forms leave out the author (author-year styles)
    biblatex = command.rstrip("*") in BIBLATEX and command.rstrip("*") not in NATBIB
    notes = [(_latex(item.prefix), _postnote(item, biblatex)) for item in items]
    keys = [item.key for item in items]
    if not any(pre or post for pre, post in notes):
        return f"\\{command}{{{','.join(keys)}}}"
    if biblatex and len(items) > 1 and len(set(notes)) > 1:
        plural = command.rstrip("*") + "s"
        return f"\\{plural}" + "".join(_options(pre, post) + "{" + key + "}" for (pre, post), key in zip(notes, keys))
    if len(set(notes)) > 1:
        raise CitationError(f"\\{command} takes one prenote and one postnote for all its works; give the locator "
                            "and the affixes to one work, or use a biblatex command (\\parencite, \\textcite, …)")
    pre, post = notes[0]
    if not biblatex and command in ("cite",) and pre:
        raise CitationError("BibTeX's \\cite takes no prenote; use natbib's \\citep or a biblatex command")
    return f"\\{command}" + _options(pre, post) + "{" + ",".join(keys) + "}"


def _options(pre: str, post: str) -> str:
    """The optional arguments: ``[post]``, or ``[pre][post]`` when there is a prenote."""
    return f"[{pre}][{post}]" if pre else f"[{post}]" if post else ""


def _postnote(item: CiteItem, biblatex: bool) -> str:
    parts = []
    if item.locator:
        locator = _latex(item.locator).replace("-", "--") if "--" not in item.locator else _latex(item.locator)
        if biblatex and item.label == "page":
            parts.append(locator)
        else:
            single, plural = _ABBREVIATIONS.get(item.label, (item.label, item.label))
            many = any(mark in item.locator for mark in ("-", "\u2013", ",", "&"))
            parts.append(f"{plural if many else single}~{locator}")
    if item.suffix:
        parts.append(_latex(item.suffix.lstrip(", ")))
    return ", ".join(parts)


def _latex(text: str) -> str:
    """Text for an optional argument: LaTeX's special characters escaped, and brackets
    braced so that they do not end the argument."""
    from .bibtex import encode_text

    escaped = encode_text(text.strip())
    return escaped.replace("[", "{[}").replace("]", "{]}")
