"""The CSL processor test suite through ``opmlbib cite``, and through citeproc-py alone.

    python benchmarks/csl_suite.py [--all] [--suite DIR] [--failures] [--show] [--cli N] [--record] [NAME...]

The fixtures are those of the official test suite (citation-style-language/test-suite),
``../shared/csl-test-suite/processor-tests/humans`` from the repository's root unless
``--suite`` or ``$OPMLBIB_CSL_SUITE`` names another folder.  Each fixture gives a MODE
(``citation`` or ``bibliography``), a style (CSL), items (INPUT, CSL-JSON) and the
expected RESULT.  A fixture is run as citeproc-js's own test runner runs it:

- every INPUT item is registered (an item without an id gets ``ITEM-n``, its place in
  INPUT, as a runner must name it to cite it);
- ``bibliography``: the bibliography of all items, as ``opmlbib cite ID... --bib
  input.json --style test.csl --format html`` prints it;
- ``citation``: one citation of all items, in the order citeproc-js registers them (its
  bibliography's order when the style's bibliography sorts, else INPUT's), as
  ``opmlbib cite ID... --in-text`` prints it less the ``csl-citation`` span.

These are the 641 fixtures a command line without citation items expresses (every
bibliography fixture read so).  ``--all`` runs all 845, the others as citeproc-js's runner
runs them too:

- CITATION-ITEMS: each citation by itself, every item registered: ``opmlbib cite ID...
  --citations one.json`` for each (``makeCitationCluster``), one line each;
- CITATIONS: the document the fixture's calls of ``processCitationCluster`` build,
  through ``opmlbib cite --citations doc.json``, listed as the runner lists it (``>>[n]``
  for the citations the last call placed or changed, ``..[n]`` for the others); a
  bibliography fixture prints the bibliography of the works cited, in the order cited.

opmlbib is run in this process through the functions the command calls (reading
``input.json`` with :func:`opmlbib.library.bib_records`, rendering with
:func:`opmlbib.cite.cite`); ``--cli N`` also runs the first N fixtures (or the
NAMEs given) through the real command and says whether both ways agree.  citeproc-py
alone gets the same items and the same style, its own HTML formatter, and nothing of
opmlbib's.  An output passes if it equals the RESULT once both are stripped of
surrounding whitespace, as the suite's own runner compares them.

Printed: the pass counts, the fixtures citeproc-py alone passes and opmlbib does not,
and (``--failures``) every failing fixture grouped by cause (``--show``: what each
expects and gets).  ``--record`` writes the figures the tests hold opmlbib to, both
ways (``tests/data/csl_suite.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUITE = ROOT.parent / "shared" / "csl-test-suite" / "processor-tests" / "humans"
RECORD = ROOT / "tests" / "data" / "csl_suite.json"

_SECTION = re.compile(r">>=+ ([A-Z-]+) =+>>\n(.*?)\n<<=+ \1 =+<<", re.S)


@dataclass
class Fixture:
    name: str
    mode: str
    result: str
    csl: str
    items: list
    citation_items: list | None = None
    citations: list | None = None
    sections: dict = field(default_factory=dict)

    @property
    def expressible(self) -> bool:
        """Whether a command line without citation items says it: a bibliography (of all
        items), or a citation of all items."""
        return self.mode == "bibliography" or (self.citation_items is None and self.citations is None)


def first_command_line(fixtures: list[Fixture]) -> list[Fixture]:
    """The fixtures a command line without citation items expresses, as it expresses
    them: every bibliography of all items, whatever citations the fixture makes."""
    from dataclasses import replace

    return [replace(f, citation_items=None, citations=None) for f in fixtures if f.expressible]


def suite_folder(given: str | None = None) -> Path:
    return Path(given or os.environ.get("OPMLBIB_CSL_SUITE") or DEFAULT_SUITE)


def load_fixtures(folder: Path, names: list[str] | None = None) -> list[Fixture]:
    """The fixtures of ``folder`` (``*.txt``), in name order; only ``names`` if given."""
    fixtures = []
    for path in sorted(folder.glob("*.txt")):
        if names and path.stem not in names:
            continue
        sections = {m.group(1): m.group(2) for m in _SECTION.finditer(path.read_text(encoding="utf-8"))}
        items = json.loads(sections["INPUT"])
        for number, item in enumerate(items, start=1):
            item.setdefault("id", f"ITEM-{number}")
        fixtures.append(Fixture(
            name=path.stem,
            mode=sections["MODE"].strip(),
            result=sections["RESULT"].strip(),
            csl=sections["CSL"],
            items=items,
            citation_items=json.loads(sections["CITATION-ITEMS"]) if "CITATION-ITEMS" in sections else None,
            citations=json.loads(sections["CITATIONS"]) if "CITATIONS" in sections else None,
            sections=sections,
        ))
    return fixtures


# --------------------------------------------------------------------- opmlbib


def _bibliography_sorts(csl: str) -> bool:
    bibliography = re.search(r"<bibliography\b.*?</bibliography>", csl, re.S)
    return bibliography is not None and "<sort" in bibliography.group(0)


def citation_order(fixture: Fixture, bibliography_keys) -> list[str]:
    """The ids of one citation of all items, in the order citeproc-js registers them:
    the bibliography's order (``bibliography_keys()``) when the style sorts it, else INPUT's."""
    ids = list(dict.fromkeys(str(item["id"]) for item in fixture.items))
    if _bibliography_sorts(fixture.csl):
        ordered = [key for key in bibliography_keys() if key in ids]
        return ordered + [key for key in ids if key not in ordered]
    return ids


def _unwrap(output: str) -> str:
    output = output.strip()
    match = re.fullmatch(r'<span class="csl-citation">(.*)</span>', output, re.S)
    return match.group(1) if match else output


def write_inputs(fixture: Fixture, folder: Path) -> tuple[Path, Path]:
    items, style = folder / "input.json", folder / "test.csl"
    items.write_text(json.dumps(fixture.items, ensure_ascii=False, indent=1), encoding="utf-8")
    style.write_text(fixture.csl, encoding="utf-8")
    return items, style


def documents(fixture: Fixture) -> tuple[list[dict], list[dict]]:
    """The document a CITATIONS fixture builds, before its last call of
    ``processCitationCluster`` and after it: its citation objects in document order, each
    with the note the last call that placed it gave it."""
    known: dict[str, dict] = {}
    states: list[list[dict]] = [[]]
    for citation, before, after in fixture.citations:
        known[citation["citationID"]] = citation
        order = []
        for cid, note in before:
            known[cid] = {**known[cid], "properties": {**known[cid].get("properties", {}), "noteIndex": note}}
            order.append(cid)
        order.append(citation["citationID"])
        for cid, note in after:
            known[cid] = {**known[cid], "properties": {**known[cid].get("properties", {}), "noteIndex": note}}
            order.append(cid)
        states.append([known[cid] for cid in order])
    return states[-2], states[-1]


def cited_keys(document: list[dict]) -> list[str]:
    return list(dict.fromkeys(str(item["id"]) for citation in document for item in citation["citationItems"]))


def marked(before: list[str], after: list[str], before_ids: list[str], after_ids: list[str], last_id: str) -> str:
    """citeproc-js's runner's listing of a document's citations: ``>>`` for those its last
    call (re)rendered, the one it placed and those that read otherwise since, ``..`` for
    the others; each with its place in the document."""
    was = dict(zip(before_ids, before))
    lines = []
    for place, (cid, text) in enumerate(zip(after_ids, after)):
        mark = ">>" if cid == last_id or was.get(cid) != text else ".."
        lines.append(f"{mark}[{place}] {text}")
    return "\n".join(lines)


def run_opmlbib(fixture: Fixture, folder: Path) -> str:
    """What ``opmlbib cite`` prints for the fixture, computed in this process: for
    CITATION-ITEMS, each citation by itself (``--citations`` of one citation, every item
    registered as QUERYs); for CITATIONS, the document's citations (``--citations``)."""
    from opmlbib.cite import bibliography, cite, cite_document
    from opmlbib.citations import read_citations
    from opmlbib.library import bib_records
    from opmlbib.styles import load_style

    items, style = write_inputs(fixture, folder)
    records = bib_records(items)
    by_key = {record.key: record for record in records}
    ids = list(dict.fromkeys(str(item["id"]) for item in fixture.items))

    def document(citations: list) -> list[str]:
        keys = ids if fixture.citations is None else cited_keys(citations)
        chosen = [by_key[key] for key in keys]
        return [_unwrap(line) for line in cite_document(chosen, read_citations(citations), style=str(style),
                                                        fmt="html").splitlines()] if citations else []

    if fixture.mode == "bibliography":
        if fixture.citations is not None:
            return cite([by_key[key] for key in cited_keys(documents(fixture)[1])], style=str(style), fmt="html").strip()
        return cite(records, style=str(style), fmt="html").strip()
    if fixture.citation_items is not None:
        return "\n".join(document([cluster])[0] for cluster in fixture.citation_items)
    if fixture.citations is not None:
        before, after = documents(fixture)
        return marked(document(before), document(after), [c["citationID"] for c in before],
                      [c["citationID"] for c in after], fixture.citations[-1][0]["citationID"])
    keys = citation_order(fixture, lambda: [e.key for e in bibliography(records, load_style(str(style)), "html")])
    return _unwrap(cite([by_key[key] for key in keys], style=str(style), fmt="html", in_text=True))


def run_opmlbib_command(fixture: Fixture, folder: Path) -> str:
    """The same through the installed command (``python -m opmlbib``)."""
    items, style = write_inputs(fixture, folder)
    ids = list(dict.fromkeys(str(item["id"]) for item in fixture.items))

    def command(*arguments: str) -> str:
        done = subprocess.run([sys.executable, "-m", "opmlbib", "cite", *arguments, "--bib", str(items), "--style",
                               str(style), "--format", "html"], capture_output=True, text=True, encoding="utf-8",
                              stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def document(citations: list, keys: list[str]) -> list[str]:
        if not citations:
            return []
        path = folder / "citations.json"
        path.write_text(json.dumps(citations, ensure_ascii=False), encoding="utf-8")
        return [_unwrap(line) for line in command(*keys, "--citations", str(path)).splitlines()]

    if fixture.mode == "bibliography":
        keys = cited_keys(documents(fixture)[1]) if fixture.citations is not None else ids
        return command(*keys).strip()
    if fixture.citation_items is not None:
        return "\n".join(document([cluster], ids)[0] for cluster in fixture.citation_items)
    if fixture.citations is not None:
        before, after = documents(fixture)
        return marked(document(before, []), document(after, []), [c["citationID"] for c in before],
                      [c["citationID"] for c in after], fixture.citations[-1][0]["citationID"])
    keys = citation_order(fixture, lambda: _command_bibliography_keys(fixture, items, style))
    return _unwrap(command(*keys, "--in-text"))


def _command_bibliography_keys(fixture: Fixture, items: Path, style: Path) -> list[str]:
    # The command prints no keys with a bibliography; its order is what the library's is.
    from opmlbib.cite import bibliography
    from opmlbib.library import bib_records
    from opmlbib.styles import load_style

    return [e.key for e in bibliography(bib_records(items), load_style(str(style)), "html")]


# ----------------------------------------------------------------- citeproc-py


def run_citeproc_py(fixture: Fixture) -> str:
    """citeproc-py alone: the items, the style, its HTML formatter, the same citations."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source import Locator
    from citeproc.source.json import CiteProcJSON

    def engine(keys: list[str]):
        style = CitationStylesStyle(io.BytesIO(fixture.csl.encode("utf-8")), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(json.loads(json.dumps(fixture.items))),
                                                  formatter.html)
        for key in keys:
            bibliography.register(Citation([CitationItem(key)]))
        if style.has_bibliography():
            bibliography.sort()
        return style, bibliography

    def cite(bibliography, items: list[dict]) -> str:
        cites = []
        for item in items:
            options = {name: item[name] for name in ("prefix", "suffix") if item.get(name)}
            if item.get("locator") is not None:
                options["locator"] = Locator(item.get("label", "page"), str(item["locator"]))
            cites.append(CitationItem(str(item["id"]), **options))
        citation = Citation(cites)
        bibliography.register(citation)
        return str(bibliography.cite(citation, lambda item: None)).strip()

    def document(citations: list[dict]) -> list[str]:
        _, bibliography = engine(cited_keys(citations))
        return [cite(bibliography, citation["citationItems"]) for citation in citations]

    ids = list(dict.fromkeys(str(item["id"]) for item in fixture.items))
    if fixture.mode == "bibliography":
        keys = cited_keys(documents(fixture)[1]) if fixture.citations is not None else ids
        _, bibliography = engine(keys)
        entries = "".join(f'  <div class="csl-entry">{entry}</div>\n' for entry in bibliography.bibliography())
        return f'<div class="csl-bib-body">\n{entries}</div>'
    if fixture.citation_items is not None:
        return "\n".join(cite(engine(ids)[1], cluster) for cluster in fixture.citation_items)
    if fixture.citations is not None:
        before, after = documents(fixture)
        return marked(document(before), document(after), [c["citationID"] for c in before],
                      [c["citationID"] for c in after], fixture.citations[-1][0]["citationID"])
    _, bibliography = engine(ids)
    keys = citation_order(fixture, lambda: [str(key) for key in bibliography.keys])
    return cite(bibliography, [{"id": key} for key in keys])


# -------------------------------------------------------------------- running


@dataclass
class Outcome:
    fixture: Fixture
    output: str
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.output.strip() == self.fixture.result


def run(function, fixture: Fixture, *args) -> Outcome:
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return Outcome(fixture, function(fixture, *args))
        except Exception as exc:  # a fixture that breaks an engine fails; the run goes on
            return Outcome(fixture, "", f"{type(exc).__name__}: {exc}")


def run_suite(fixtures: list[Fixture], engine: str = "opmlbib") -> dict[str, Outcome]:
    """Each fixture's outcome with ``engine`` (``opmlbib`` or ``citeproc-py``), by name."""
    outcomes = {}
    with tempfile.TemporaryDirectory(prefix="csl-suite-") as temp:
        for fixture in fixtures:
            if engine == "opmlbib":
                outcomes[fixture.name] = run(run_opmlbib, fixture, Path(temp))
            else:
                outcomes[fixture.name] = run(run_citeproc_py, fixture)
    return outcomes


# ------------------------------------------------------------------- causes

_WHITESPACE = re.compile(r"[\s\u00a0\u202f\u2009]+")
_SPELLINGS = (("&#38;", "&amp;"), ("&#60;", "&lt;"), ("&#62;", "&gt;"), ("\u2019", "'"), ("\u2018", "'"))
_RICH_TEXT = re.compile(r"<(?:i|b|sup|sub|span style)[ >]|<span class=\"nocase\">")
_ENGINE_FEATURES = (
    ("disambiguation", re.compile(r'disambiguate-add-|disambiguate="true"')),
    ("cite collapsing", re.compile(r"\bcollapse=")),
    ("subsequent-author-substitute", re.compile(r"subsequent-author-substitute")),
    ("display blocks", re.compile(r'\bdisplay="')),
    ("second-field-align", re.compile(r"second-field-align")),
    ("positions (ibid, subsequent)", re.compile(r'position="')),
    ("year-suffix", re.compile(r'"year-suffix"')),
)


def _normal(text: str, spellings: bool) -> str:
    text = _WHITESPACE.sub(" ", text).strip()
    text = re.sub(r" ?(<[^>]+>) ?", r"\1", text)
    if spellings:
        for written, plain in _SPELLINGS:
            text = text.replace(written, plain)
    return text


def _data_lost(fixture: Fixture, folder: Path) -> bool:
    """Whether the fixture passes when opmlbib's engine gets the items as they came, not
    as records give them back."""
    from unittest import mock

    items = json.loads(json.dumps(fixture.items))
    with mock.patch("opmlbib.cite.to_csl_json", lambda records: [i for r in records for i in items if i["id"] == r.key]):
        return run(run_opmlbib, fixture, folder).passed


def cause(outcome: Outcome, folder: Path) -> str:
    """Why a fixture fails, the first of: an error; data lost through the record; spacing
    alone; spellings of the output alone (``&#38;``, apostrophes); rich text in the data;
    an engine feature the style uses that citeproc-py lacks; or something else."""
    fixture, output = outcome.fixture, outcome.output
    if outcome.error:
        return "error: " + re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", outcome.error)[:90]
    if _data_lost(fixture, folder):
        return "data lost on the way through the record"
    if _normal(output, False) == _normal(fixture.result, False):
        return "whitespace"
    if _normal(output, True) == _normal(fixture.result, True):
        return "output spelling"
    if any(_RICH_TEXT.search(json.dumps(item, ensure_ascii=False).replace('\\"', '"')) for item in fixture.items):
        return "rich text in the data"
    for name, pattern in _ENGINE_FEATURES:
        if pattern.search(fixture.csl):
            return "engine: " + name
    return "other"


# ---------------------------------------------------------------------- main


def _show(outcome: Outcome) -> None:
    print(f"== {outcome.fixture.name} ({outcome.fixture.mode})")
    print("-- expected\n" + outcome.fixture.result)
    print("-- got\n" + (outcome.error or outcome.output))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help="run only these fixtures")
    parser.add_argument("--suite", help=f"the fixtures' folder (default: {DEFAULT_SUITE})")
    parser.add_argument("--all", action="store_true",
                        help="all fixtures, those with CITATION-ITEMS or CITATIONS too (through --citations)")
    parser.add_argument("--failures", action="store_true", help="list every failing fixture by cause")
    parser.add_argument("--show", action="store_true", help="print expected and actual output of failing fixtures")
    parser.add_argument("--cli", type=int, default=0, metavar="N",
                        help="also run N fixtures through the opmlbib command and compare")
    parser.add_argument("--record", action="store_true", help=f"write the figures to {RECORD.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    folder = suite_folder(args.suite)
    if not folder.is_dir():
        print(f"no CSL test suite at {folder} (pass --suite DIR)", file=sys.stderr)
        return 2
    every = load_fixtures(folder, args.names)
    fixtures = every if args.all else first_command_line(every)
    ours = run_suite(fixtures, "opmlbib")
    alone = run_suite(fixtures, "citeproc-py")
    passed = sorted(name for name, o in ours.items() if o.passed)
    passed_alone = sorted(name for name, o in alone.items() if o.passed)
    lost = sorted(set(passed_alone) - set(passed))
    won = sorted(set(passed) - set(passed_alone))

    print(f"CSL test suite: {folder}")
    if args.all:
        first = {f.name for f in every if f.expressible}
        print(f"all fixtures: {len(fixtures)}")
        print(f"  opmlbib            {len(passed):4d} pass ({len(first & set(passed))} of the {len(first)} "
              "bibliographies (of the works cited, where the fixture cites) and citations of all items, "
              f"{len(set(passed) - first)} of the {len(fixtures) - len(first)} with CITATION-ITEMS or CITATIONS)")
        print(f"  citeproc-py alone  {len(passed_alone):4d} pass ({len(first & set(passed_alone))}, "
              f"{len(set(passed_alone) - first)})")
    else:
        print(f"fixtures a command line expresses without citation items: {len(fixtures)}")
        print(f"  opmlbib            {len(passed):4d} pass")
        print(f"  citeproc-py alone  {len(passed_alone):4d} pass")
    print(f"  passed by citeproc-py alone, not by opmlbib: {len(lost)}; by opmlbib alone: {len(won)}")
    for name in lost:
        print(f"    lost: {name}")

    failing = [o for o in ours.values() if not o.passed]
    by_cause: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="csl-suite-") as temp:
        for outcome in failing:
            by_cause[cause(outcome, Path(temp))].append(outcome.fixture.name)
    print("opmlbib's failures by cause:")
    for reason, names in sorted(by_cause.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {len(names):4d}  {reason}")
        if args.failures:
            for name in names:
                print(f"          {name}")
    if args.show:
        for outcome in failing:
            _show(outcome)

    if args.cli:
        sample = fixtures if args.names else fixtures[: args.cli]
        disagree = 0
        with tempfile.TemporaryDirectory(prefix="csl-suite-cli-") as temp:
            for fixture in sample:
                via_command = run(run_opmlbib_command, fixture, Path(temp))
                in_process = ours[fixture.name]
                if via_command.output != (in_process.output if not in_process.error else via_command.output) or (
                        via_command.passed != in_process.passed):
                    disagree += 1
                    print(f"  command and in-process differ: {fixture.name}")
        print(f"through the command: {len(sample)} fixtures, {disagree} differ from the in-process run")

    if args.record:
        record(folder, every)
    return 0


def record(folder: Path, every: list[Fixture]) -> None:
    """Write the figures the tests hold opmlbib to: the passes without citation items and
    with all fixtures, and the fixtures citeproc-py alone passes in either way."""
    first, whole = first_command_line(every), every
    figures = {}
    kept_out: set[str] = set()
    for label, fixtures in (("expressible", first), ("all", whole)):
        ours = {name for name, o in run_suite(fixtures).items() if o.passed}
        alone = {name for name, o in run_suite(fixtures, "citeproc-py").items() if o.passed}
        figures[f"{label}_fixtures"] = len(fixtures)
        figures[f"{label}_opmlbib_passes"] = len(ours)
        figures[f"{label}_citeproc_py_passes"] = sorted(alone)
        kept_out |= alone - ours
    RECORD.write_text(json.dumps({
        "suite": str(folder.relative_to(ROOT.parent)) if folder.is_relative_to(ROOT.parent) else str(folder),
        **figures,
        "citeproc_py_passes_not_yet_kept": sorted(kept_out),
    }, indent=1) + "\n", encoding="utf-8")
    print(f"recorded in {RECORD.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
