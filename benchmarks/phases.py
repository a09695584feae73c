"""Where the first search of a large .bib file spends its time, each part against bibtexparser.

    python benchmarks/phases.py [--bib PATH] [--runs N]

The first ``opmlbib search --bib`` of a file builds its index (:func:`opmlbib.index.build`).
This script times, in one process and on the same text, bibtexparser parsing the file
(``parse_string(text, parse_stack=[])``, as opmlbib calls it) and then:

- ``scan``: finding every entry and the raw title, author and year (:func:`opmlbib.scan.scan`);
- ``resolve``: their macros resolved and crossref fields inherited (:class:`opmlbib.scan.Decoder`);
- ``titles``, ``authors``, ``years``: decoding those fields of every entry, as the build does;
- ``build``: the whole index build, which does all of the above and then folds and posts
  the fields; the rest of the build is ``build`` less the parts above;
- ``one regex``: for scale, the raw title, author and year values found by one regular
  expression over the whole text, in C; not exact (it ignores @comment blocks, @string
  references, and values nested deeper than two braces), but the cheapest way there is
  to find them.  With it in place of ``scan``, ``one regex`` + ``resolve`` + ``titles`` +
  ``authors`` + ``years`` (printed as ``least``) is the least an index of every entry's decoded title
  and authors can cost;
- ``fold titles``: folding every decoded title as search compares titles
  (:func:`opmlbib.lookup.normalize`, part of the rest of the build); ``one regex`` +
  ``resolve`` + ``titles`` + ``fold titles`` + ``years`` (``least, no names``) is the least an index of
  titles alone costs, with no author in it;
- ``rough fold``: the raw titles and names ``one regex`` finds, folded in bulk as one text
  (LaTeX commands and braces dropped, accents folded with :func:`opmlbib.names.ascii_fold`,
  lower case, punctuation to spaces), the way a rough pass over the whole text would fold them;
- ``rough rank``: rapidfuzz scoring every folded value for the query ``tony`` in one call
  per scorer (``partial_ratio`` and ``token_set_ratio``);
- ``rough pass``: ``one regex`` + ``rough fold`` + ``rough rank``, the least a first search
  costs that ranks rough fields of every entry and reads only its best candidates exactly
  (reading them, and starting Python, come on top).

Each figure is the median of ``--runs`` runs (default 3), printed with its ratio to
bibtexparser's parse.  The target for a first search is 0.25 ×; a part above it alone
rules out a design that keeps it.  The file defaults to the one ``benchmarks/run.py``
generates (``benchmarks/make_bib.py``, 100,000 entries).
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from pathlib import Path


#: A field line ``title = {...}``, ``author = "..."`` or ``year = 2019``.
_FIELD_LINE = re.compile(
    r'^[ \t]*(title|author|year)[ \t]*=[ \t]*(\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}|"[^"]*"|\w+)',
    re.MULTILINE | re.IGNORECASE,
)


#: What a rough fold drops: a LaTeX command (``\\"``, ``\\emph``), a brace, a quote.
_LATEX = re.compile(r'\\(?:[a-zA-Z]+|.)|[{}"]')
_NOT_WORD = re.compile(r"[^a-z0-9\n]+")


def rough_fold(values: list[str]) -> list[str]:
    """``values`` folded roughly, in bulk: one text, one pass of each step."""
    from opmlbib.names import ascii_fold

    joined = _LATEX.sub("", "\n".join(values))
    if not joined.isascii():
        joined = ascii_fold(joined)
    return _NOT_WORD.sub(" ", joined.lower()).split("\n")


def rough_rank(query: str, folded: list[str]) -> list:
    """Every folded value scored for ``query`` by two rapidfuzz scorers, one call each."""
    from rapidfuzz import fuzz, process

    return [process.extract(query, folded, scorer=scorer, limit=None, score_cutoff=60)
            for scorer in (fuzz.partial_ratio, fuzz.token_set_ratio)]


def timed(function, *args):
    """Wall time of ``function(*args)`` with the cyclic collector off (as the build runs) and
    the decoder's memos empty (as in a new process), and its result."""
    from opmlbib import bibtex

    bibtex._latex_piece.cache_clear()
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = function(*args)
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bib", type=Path, default=None, help="the .bib file (default: the generated big.bib)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each part (default 3)")
    args = parser.parse_args(argv)

    import bibtexparser

    from opmlbib import index, scan
    from opmlbib.lookup import normalize

    from make_bib import default_file

    big = args.bib or default_file()
    source = index.read_source(big)
    text = source.data.decode("utf-8-sig")

    def decode_all(decoder: scan.Decoder, field: str, fields: list) -> list:
        read = getattr(decoder, field)
        return [read(own) for own in fields]

    def resolve(decoder: scan.Decoder, entries: list) -> list:
        decoder.define_all()
        decoder.inherit(entries)
        return [decoder.fields(position, entry) for position, entry in enumerate(entries)]

    samples: dict[str, list[float]] = {}

    def sample(name: str, function, *function_args):
        elapsed, result = timed(function, *function_args)
        samples.setdefault(name, []).append(elapsed)
        return result

    for _ in range(args.runs):
        sample("bibtexparser", lambda: bibtexparser.parse_string(text, parse_stack=[]))
        found = sample("scan", scan.scan, text)
        decoder = scan.Decoder(found.strings)
        fields = sample("resolve", resolve, decoder, found.entries)
        for field in ("title", "authors", "year"):
            decoded = sample(f"{field}s" if field != "authors" else field, decode_all, decoder, field, fields)
            if field == "title":
                sample("fold titles", lambda titles: [normalize(title) for title in titles], decoded)
        del decoded
        sample("build", index.build, source)
        lines = sample("one regex", _FIELD_LINE.findall, text)
        folded = sample("rough fold", rough_fold, [value for name, value in lines if name.lower() != "year"])
        sample("rough rank", rough_rank, "tony", folded)
        del lines, folded
        del found, decoder, fields

    medians = {name: statistics.median(values) for name, values in samples.items()}
    peer = medians["bibtexparser"]
    parts = ("scan", "resolve", "titles", "authors", "years")
    medians["rest of build"] = medians["build"] - sum(medians[name] for name in parts)
    medians["least"] = sum(medians[name] for name in ("one regex", "resolve", "titles", "authors", "years"))
    medians["least, no names"] = sum(medians[name] for name in ("one regex", "resolve", "titles", "fold titles", "years"))
    medians["rough pass"] = sum(medians[name] for name in ("one regex", "rough fold", "rough rank"))
    print(f"{big}: {len(text) / 1e6:.1f} M characters; medians of {args.runs} runs")
    for name in ("bibtexparser", *parts, "rest of build", "build", "one regex", "fold titles", "least",
                 "least, no names", "rough fold", "rough rank", "rough pass"):
        print(f"{name:15} {medians[name]:7.2f} s  {medians[name] / peer:5.2f} x bibtexparser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
