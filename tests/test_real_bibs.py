"""Users' .bib files through `opmlbib export --bib F` and back through BibTeX and biber.

Two sets of files go through the same checks:

- the fixtures in tests/data/bib/origins/, one per kind of origin (a hand-written thesis
  bibliography, DBLP, biblatex's data model, Zotero, Mendeley, JabRef, a hand-kept group
  bibliography, Better BibTeX), written for these tests and always run;
- the real corpus, .bib files taken from public repositories, which is data kept outside this
  repository: the folder named by the OPMLBIB_REAL_BIBS environment variable, or else
  ../shared/real-bib/ next to the clone.  Where it is absent, its cases are one skipped test,
  test_real_corpus_is_present.

For each file:

- BibTeX (`plain`, every entry cited) prints the same reference list, the same `.bbl`, from the
  original and from its export, and warns about nothing in the export that it did not warn about
  in the original;
- biber, reading the `--format biblatex` export in a biblatex document, reports no WARN or ERROR
  line that it did not report for the original, and writes as many entries;
- exporting the export gives the same bytes, in both formats;
- `opmlbib aux` over a document citing a few entries, crossref children among them, writes a
  .bib that BibTeX reads without a missing entry or a bad cross reference, and from which it
  prints what it prints from the original for the same citations (where BibTeX can follow the
  original's cross references: it follows them only down the file).

Messages are compared after taking out what legitimately differs between the two runs (the
file's name, line numbers, biber's temporary file).

`python -m tests.test_real_bibs [--real] [FILE...]` prints a table of the same measures, per file:
how many `\\bibitem`s of the original's `.bbl` the export's `.bbl` prints identically, how many
differ, the warnings each tool adds, whether exporting again changes a byte, and what BibTeX
makes of `aux`'s output.  With no argument it runs over the fixtures; `--real` runs over the real
corpus (OPMLBIB_REAL_BIBS, or ../shared/real-bib/); a FILE is a path, or a name in the fixtures'
folder or the real corpus.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .latex_tools import biblatex_document, pdflatex, require, run

HERE = Path(__file__).parent
ORIGINS = HERE / "data" / "bib" / "origins"
REAL_VARIABLE = "OPMLBIB_REAL_BIBS"
EXPORT_TIMEOUT = 600


def real_folder() -> Path:
    """Where the real corpus is expected: $OPMLBIB_REAL_BIBS, else ../shared/real-bib/ next to the clone."""
    configured = os.environ.get(REAL_VARIABLE)
    return Path(configured) if configured else HERE.parent.parent / "shared" / "real-bib"


def bib_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bib")) if folder.is_dir() else []


ORIGIN_FILES = bib_files(ORIGINS)
REAL_FILES = bib_files(real_folder())
CASES = [pytest.param(path, id=f"origins/{path.name}") for path in ORIGIN_FILES] + [
    pytest.param(path, id=f"real/{path.name}") for path in REAL_FILES
]


# --- running opmlbib, bibtex and biber ---------------------------------------------------------


@dataclass
class Export:
    path: Path | None  # None when the command failed
    error: str = ""  # the last lines of stderr when it failed


def opmlbib(source: Path, *arguments: str) -> subprocess.CompletedProcess:
    """`opmlbib ARGUMENTS... --bib SOURCE`, the real command line."""
    return subprocess.run(
        [sys.executable, "-m", "opmlbib", *arguments, "--bib", str(source)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=EXPORT_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def failure(result: subprocess.CompletedProcess, source: Path) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]  # the command's own one-line error
    message = "\n".join(errors[-1:] or lines[-3:]).replace(f"{source.parent}{os.sep}", "") or "no message"
    return f"exit status {result.returncode}: {message}"


def export(source: Path, folder: Path, fmt: str, name: str = "export") -> Export:
    """`opmlbib export --bib SOURCE --format FMT -o folder/NAME.bib`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.bib"
    result = opmlbib(source, "export", "--format", fmt, "-o", str(target))
    if result.returncode != 0 or not target.exists():
        return Export(None, failure(result, source))
    return Export(target)


@dataclass
class BibtexRun:
    bbl: str  # "" when bibtex wrote none
    items: list[tuple[str, str]]  # (key, text) of each \bibitem, in order
    messages: Counter  # normalised warnings and errors
    returncode: int
    blg: str = ""


def bibtex(folder: Path, name: str, cite: str = "*", style: str = "plain", bib: str | None = None) -> BibtexRun:
    """BibTeX on folder/BIB.bib (BIB defaults to NAME) from folder/NAME.aux, written by hand citing CITE."""
    citations = "".join(f"\\citation{{{key}}}\n" for key in cite.split(","))
    (folder / f"{name}.aux").write_text(f"\\relax\n{citations}\\bibstyle{{{style}}}\n\\bibdata{{{bib or name}}}\n")
    result = run(folder, "bibtex", name)
    bbl_path = folder / f"{name}.bbl"
    bbl = bbl_path.read_text(encoding="utf-8", errors="replace") if bbl_path.exists() else ""
    blg_path = folder / f"{name}.blg"
    blg = blg_path.read_text(encoding="utf-8", errors="replace") if blg_path.exists() else result.stdout
    return BibtexRun(bbl, bibitems(bbl), bibtex_messages(blg, bib or name), result.returncode, blg)


def bibitems(bbl: str) -> list[tuple[str, str]]:
    """The .bbl's \\bibitem blocks as (key, text), text with its trailing blank lines removed."""
    body = bbl.split("\\end{thebibliography}")[0]
    items = []
    for block in re.split(r"(?m)^(?=\\bibitem\b)", body)[1:]:
        match = re.match(r"\\bibitem(?:\[[^\]]*\])?\{([^}]*)\}", block)
        items.append((match.group(1) if match else "", block.rstrip()))
    return items


def first_items(items: list[tuple[str, str]]) -> dict[str, str]:
    """Key to text, in .bbl order; a key printed twice keeps its first item."""
    first: dict[str, str] = {}
    for key, text in items:
        first.setdefault(key, text)
    return first


def bibtex_messages(blg: str, name: str) -> Counter:
    """BibTeX's warnings ("Warning--...") and errors ("...---line N of file F.bib"), normalised."""
    messages = Counter()
    for line in blg.splitlines():
        if line.startswith("Warning--") or re.search(r"---line \d+ of file ", line):
            line = re.sub(r"-+line \d+ of file \S+", "---line N of file F", line)
            messages[line.replace(f"{name}.bib", "F.bib")] += 1
    return messages


@dataclass
class BiberRun:
    messages: Counter  # normalised WARN and ERROR lines
    returncode: int
    entries: int  # \entry{ blocks in the .bbl


def biber(folder: Path, name: str) -> BiberRun:
    """pdflatex on a biblatex document citing every entry of folder/NAME.bib (for the .bcf), then biber.

    pdflatex runs once, before biber writes a .bbl, so it never typesets the entries."""
    (folder / f"{name}.tex").write_text(biblatex_document(f"{name}.bib"))
    latex = pdflatex(folder, name)
    assert latex.returncode == 0, latex.stdout[-2000:]
    result = run(folder, "biber", name)
    bbl_path = folder / f"{name}.bbl"
    entries = bbl_path.read_text(errors="replace").count("\\entry{") if bbl_path.exists() else 0
    return BiberRun(biber_messages(result.stdout + result.stderr, name), result.returncode, entries)


def biber_messages(output: str, name: str) -> Counter:
    messages = Counter()
    for line in output.splitlines():
        if line.startswith(("WARN - ", "ERROR - ")):
            line = re.sub(r"\S*/biber_tmp_\S*?\.utf8\b", "F.bib", line)  # biber's temporary copy of the file
            line = re.sub(r"\bline \d+\b", "line N", line)
            messages[line.replace(f"'{name}.bib'", "'F.bib'").replace(f"{name}.bib", "F.bib")] += 1
    return messages


# --- one comparison per file and tool ----------------------------------------------------------


@dataclass
class BibtexComparison:
    original: BibtexRun
    exported: BibtexRun | None
    export_error: str = ""
    export_path: Path | None = None
    identical: list[str] = field(default_factory=list)
    differing: list[tuple[str, str, str]] = field(default_factory=list)  # key, original, export
    missing: list[str] = field(default_factory=list)  # in the original's .bbl, not the export's
    extra: list[str] = field(default_factory=list)  # in the export's .bbl, not the original's
    new_messages: Counter = field(default_factory=Counter)


def compare_bibtex(source: Path, folder: Path) -> BibtexComparison:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orig.bib").write_bytes(source.read_bytes())
    original = bibtex(folder, "orig")
    exported = export(source, folder / "bibtex-export", "bibtex")
    if exported.path is None:
        return BibtexComparison(original, None, exported.error)
    (folder / "export.bib").write_bytes(exported.path.read_bytes())
    again = bibtex(folder, "export")
    comparison = BibtexComparison(original, again, export_path=exported.path)
    ours, theirs = first_items(original.items), first_items(again.items)
    for key, text in ours.items():
        if key not in theirs:
            comparison.missing.append(key)
        elif theirs[key] == text:
            comparison.identical.append(key)
        else:
            comparison.differing.append((key, text, theirs[key]))
    comparison.extra = [key for key in theirs if key not in ours]
    comparison.new_messages = again.messages - original.messages
    return comparison


@dataclass
class BiberComparison:
    original: BiberRun
    exported: BiberRun | None
    export_error: str = ""
    export_path: Path | None = None
    new_messages: Counter = field(default_factory=Counter)


def compare_biber(source: Path, folder: Path) -> BiberComparison:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orig.bib").write_bytes(source.read_bytes())
    with ThreadPoolExecutor(max_workers=1) as pool:  # the original's run alongside the export's
        running = pool.submit(biber, folder, "orig")
        exported = export(source, folder / "biblatex-export", "biblatex")
        if exported.path is not None:
            (folder / "export.bib").write_bytes(exported.path.read_bytes())
            again = biber(folder, "export")
        original = running.result()
    if exported.path is None:
        return BiberComparison(original, None, exported.error)
    return BiberComparison(original, again, export_path=exported.path, new_messages=again.messages - original.messages)


@dataclass
class Idempotence:
    """The export of an export, in one format, against that export."""

    same: bool | None  # None when one of the exports failed
    error: str = ""
    first_difference: str = ""  # the first line that differs, with its line number


def compare_again(first: Path | None, error: str, folder: Path, fmt: str) -> Idempotence:
    if first is None:
        return Idempotence(None, error)
    second = export(first, folder, fmt, name="export-again")
    if second.path is None:
        return Idempotence(None, second.error)
    before, after = first.read_bytes(), second.path.read_bytes()
    if before == after:
        return Idempotence(True)
    old, new = before.decode(errors="replace").splitlines(), after.decode(errors="replace").splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return Idempotence(False, first_difference=f"line {number}:\n- {a}\n+ {b}")
    number = min(len(old), len(new)) + 1
    return Idempotence(False, first_difference=f"line {number}: {len(old)} lines, then {len(new)}")


# BibTeX's own reading of a file's keys and crossref fields (a field every style has), by a style
# that writes each key on a line of its own, then the crossref, if any, on the next.
KEYS_BST = """ENTRY {} {} {}
FUNCTION {default.type} {}
READ
FUNCTION {key.and.parent} { "K " cite$ * write$ newline$ "C " crossref * write$ newline$ }
ITERATE {key.and.parent}
"""
AUX_PROBLEMS = ("didn't find a database entry", "bad cross reference")
CHILDREN = 6  # crossref children cited, at most
OTHERS = 4  # entries that are not, cited besides
# Fixtures whose entries take fields from a parent by crossref: aux must bring the parents along.
CROSSREF_FIXTURES = {"dblp.bib", "biblatex.bib", "group-crossrefs.bib"}


def cited_keys(folder: Path, name: str) -> tuple[list[str], int]:
    """A few keys of folder/NAME.bib: up to CHILDREN crossref children whose parent is in the file
    and which are no entry's parent themselves (so that aux must bring every parent along), spread
    over the file, and OTHERS entries with no crossref.  A key BibTeX cannot find in the original
    is left out.  Returns the keys and how many of them are children."""
    (folder / "keys.bst").write_text(KEYS_BST)
    listing = bibtex(folder, "keys", style="keys", bib=name)
    lines = listing.bbl.splitlines()
    pairs = [(key[2:], parent[2:].strip()) for key, parent in zip(lines[::2], lines[1::2], strict=True)]
    keys = {key.lower() for key, _ in pairs}
    parents = {parent.lower() for _, parent in pairs if parent}
    children = [key for key, parent in pairs if parent and parent.lower() in keys and key.lower() not in parents]
    others = [key for key, parent in pairs if not parent and key.lower() not in parents]
    chosen = spread(children, CHILDREN) + spread(others, OTHERS)
    check = bibtex(folder, "keycheck", cite=",".join(chosen), bib=name)
    kept = [key for key in chosen if f'didn\'t find a database entry for "{key}"' not in check.blg]
    return kept, len(set(kept) & set(children))


def spread(keys: list[str], count: int) -> list[str]:
    """COUNT of KEYS, evenly spaced from the first to the last."""
    if len(keys) <= count:
        return keys
    return [keys[round(i * (len(keys) - 1) / (count - 1))] for i in range(count)] if count > 1 else keys[:1]


def problems(blg: str) -> list[str]:
    """BibTeX's lines about an entry it did not find or a cross reference it could not follow."""
    lines = blg.splitlines()
    found = []
    for number, line in enumerate(lines):
        if any(problem in line for problem in AUX_PROBLEMS):
            more = lines[number + 1 : number + 2] if "cross reference" in line else []  # it goes on on the next line
            found.append(" ".join([line, *more]))
    return found


@dataclass
class AuxRun:
    keys: list[str]
    children: int  # how many of the keys are crossref children
    error: str = ""  # opmlbib aux failed
    problems: list[str] = field(default_factory=list)  # bibtex's lines about missing entries and crossrefs
    original_problems: list[str] = field(default_factory=list)  # the same, citing the keys from the original
    same_bbl: bool | None = None  # the .bbl from aux's .bib against the original's; None if the original has problems
    original_bbl: str = ""
    aux_bbl: str = ""


def check_aux(source: Path, folder: Path) -> AuxRun:
    """`opmlbib aux doc.aux --bib SOURCE -o refs.bib`, then bibtex on doc.aux, and on the original.

    BibTeX follows a crossref only to an entry further down the file; aux writes parents after
    the entries that need them, so its output has no such problem even where the original has
    (biblatex's data model puts no order on entries).  The two .bbl files are compared where the
    original has none."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orig.bib").write_bytes(source.read_bytes())
    keys, children = cited_keys(folder, "orig")
    original = bibtex(folder, "original", cite=",".join(keys), bib="orig")
    original_problems = problems(original.blg)
    citations = "".join(f"\\citation{{{key}}}\n" for key in keys)
    (folder / "doc.aux").write_text(f"\\relax\n{citations}\\bibstyle{{plain}}\n\\bibdata{{refs}}\n")
    result = opmlbib(source, "aux", str(folder / "doc.aux"), "-o", str(folder / "refs.bib"))
    if result.returncode != 0 or not (folder / "refs.bib").exists():
        return AuxRun(keys, children, failure(result, source), original_problems=original_problems)
    written = bibtex(folder, "doc", cite=",".join(keys), bib="refs")
    same = None if original_problems else written.bbl == original.bbl
    return AuxRun(keys, children, "", problems(written.blg), original_problems, same, original.bbl, written.bbl)


# --- the tests ---------------------------------------------------------------------------------

# Differences the fixtures show that are known and not yet mended, by test and fixture (none
# now).  Each is a strict xfail: the test still runs, and once the difference is fixed it
# passes, which a strict xfail reports as a failure (XPASS), so that the entry goes with the fix.
KNOWN: dict[tuple[str, str], str] = {}


def known(request, test: str, source: Path) -> None:
    reason = KNOWN.get((test, source.name)) if source.parent == ORIGINS else None
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


def cached(factory, compute):
    results = {}

    def get(source):
        if source not in results:
            results[source] = compute(source, factory.mktemp(source.stem))
        return results[source]

    return get


@pytest.fixture(scope="module")
def bibtex_results(tmp_path_factory):
    return cached(tmp_path_factory, compare_bibtex)


@pytest.fixture(scope="module")
def biber_results(tmp_path_factory):
    return cached(tmp_path_factory, compare_biber)


def _show(messages: Counter, limit: int = 10) -> str:
    lines = [f"{count} x {message}" if count > 1 else message for message, count in sorted(messages.items())]
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def test_real_corpus_is_present():
    """The real corpus is data kept outside the repository; its cases run only where it is."""
    folder = real_folder()
    if not REAL_FILES and os.environ.get(REAL_VARIABLE):
        pytest.fail(f"{REAL_VARIABLE}={folder} holds no .bib file")
    if not REAL_FILES:
        pytest.skip(
            f"real .bib corpus not found at {folder} (set {REAL_VARIABLE} to a folder of .bib files, or "
            "provide ../shared/real-bib/ next to the clone): it is data taken from other repositories, "
            "kept outside this repository, so only the fixtures in tests/data/bib/origins/ ran"
        )
    assert all(path.stat().st_size for path in REAL_FILES)


def test_every_origin_has_its_fixture():
    names = {path.name for path in ORIGIN_FILES}
    expected = {
        "hand-written-thesis.bib", "dblp.bib", "biblatex.bib", "zotero.bib",
        "mendeley.bib", "jabref.bib", "group-crossrefs.bib", "better-bibtex.bib",
    }  # fmt: skip
    assert expected <= names


@pytest.mark.latex
@pytest.mark.parametrize("source", CASES)
def test_bibtex_prints_the_same_reference_list_from_the_export(source, bibtex_results, request):
    require("bibtex")
    known(request, "bibtex", source)
    result = bibtex_results(source)
    printed = len(result.original.items)
    assert printed, f"bibtex printed no reference from the original {source.name}"
    exported = result.exported
    assert exported is not None, f"opmlbib export --bib {source.name} failed: {result.export_error}"
    summary = (
        f"{printed} items in the original's .bbl: {len(result.identical)} identical, "
        f"{len(result.differing)} differ, {len(result.missing)} missing from the export's; "
        f"{len(result.extra)} only in the export's"
    )
    if result.differing:
        key, ours, theirs = result.differing[0]
        summary += f"\nfirst difference, {key}:\n--- original\n{ours}\n--- export\n{theirs}"
    same_items = not (result.differing or result.missing or result.extra)
    assert same_items, summary
    same_bbl = exported.bbl == result.original.bbl
    assert same_bbl, "the same items, in another order or with another preamble"


@pytest.mark.latex
@pytest.mark.parametrize("source", CASES)
def test_bibtex_warns_about_nothing_new_in_the_export(source, bibtex_results):
    require("bibtex")
    result = bibtex_results(source)
    exported = result.exported
    assert exported is not None, f"opmlbib export --bib {source.name} failed: {result.export_error}"
    new = result.new_messages
    assert not new, f"bibtex on the export only:\n{_show(new)}"


@pytest.mark.latex
@pytest.mark.parametrize("source", CASES)
def test_biber_reports_nothing_new_for_the_biblatex_export(source, biber_results):
    require("pdflatex", "biber")
    result = biber_results(source)
    exported = result.exported
    assert exported is not None, f"opmlbib export --bib {source.name} --format biblatex failed: {result.export_error}"
    new = result.new_messages
    assert not new, f"biber on the export only:\n{_show(new)}"
    assert exported.entries == result.original.entries, (
        f"biber wrote {exported.entries} entries from the export, {result.original.entries} from the original"
    )


@pytest.mark.latex
@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
@pytest.mark.parametrize("source", CASES)
def test_exporting_the_export_gives_the_same_bytes(source, fmt, bibtex_results, biber_results, tmp_path):
    require(*(["bibtex"] if fmt == "bibtex" else ["pdflatex", "biber"]))  # the first export is the comparison's
    first = bibtex_results(source) if fmt == "bibtex" else biber_results(source)
    again = compare_again(first.export_path, first.export_error, tmp_path, fmt)
    assert again.same is not None, f"export failed: {again.error}"
    assert again.same, f"opmlbib export --format {fmt} of the export differs from it at {again.first_difference}"


@pytest.mark.latex
@pytest.mark.parametrize("source", CASES)
def test_bibtex_reads_what_aux_writes_for_a_few_citations(source, tmp_path, request):
    require("bibtex")
    known(request, "aux", source)
    result = check_aux(source, tmp_path)
    assert result.keys, f"no entry of {source.name} to cite"
    assert not result.error, f"opmlbib aux --bib {source.name} failed: {result.error}"
    assert not result.problems, "bibtex on aux's output, citing " + ", ".join(result.keys) + ":\n" + "\n".join(
        result.problems
    )
    if source.parent == ORIGINS and source.name in CROSSREF_FIXTURES:
        assert result.children, f"no crossref child of {source.name} was cited"
    assert result.same_bbl is not False, (
        "bibtex prints other references from aux's output than from the original, citing "
        + ", ".join(result.keys)
        + f"\n--- original\n{result.original_bbl}\n--- aux\n{result.aux_bbl}"
    )


# --- the table ---------------------------------------------------------------------------------


def markup_only(original: str, exported: str) -> bool:
    """Whether two .bbl items differ only in braces and line breaks (often, not always, the same print)."""
    return " ".join(re.sub(r"[{}]", "", original).split()) == " ".join(re.sub(r"[{}]", "", exported).split())


def _cell(text: str, width: int = 70) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[: width - 1] + "…"


def _again(result: Idempotence) -> str:
    return "–" if result.same is None else "yes" if result.same else "no"


def resolve(argument: str) -> Path:
    path = Path(argument)
    if path.exists():
        return path
    for folder in (ORIGINS, real_folder()):
        if (folder / argument).exists():
            return folder / argument
    raise SystemExit(f"no such .bib file: {argument} (looked in {ORIGINS} and {real_folder()})")


def main(argv: list[str]) -> int:
    """Prints, per file, what the tests measure (a Markdown table)."""
    real = "--real" in argv
    arguments = [argument for argument in argv if argument != "--real"]
    if arguments:
        sources = [resolve(argument) for argument in arguments]
    elif real:
        sources = REAL_FILES
        if not sources:
            raise SystemExit(f"no real .bib corpus at {real_folder()} (set {REAL_VARIABLE})")
    else:
        sources = ORIGIN_FILES
    os.environ.setdefault("OPMLBIB_CACHE_DIR", tempfile.mkdtemp(prefix="opmlbib-real-bibs-cache-"))
    print(
        "| file | bibtex items | identical | differ (braces or line breaks only) | missing | extra "
        "| bibtex warnings orig / export / new "
        "| biber WARN+ERROR orig / export / new | biber entries orig / export | export again: same bytes (bibtex, biblatex) "
        "| aux: cited (children) / problems / same .bbl | export failures |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="opmlbib-real-bibs-") as temporary:
        for source in sources:
            folder = Path(temporary) / source.name
            b = compare_bibtex(source, folder / "bibtex")
            m = compare_biber(source, folder / "biber")
            again = [
                compare_again(b.export_path, b.export_error, folder / "again-bibtex", "bibtex"),
                compare_again(m.export_path, m.export_error, folder / "again-biblatex", "biblatex"),
            ]
            a = check_aux(source, folder / "aux")
            failures = []
            if b.exported is None:
                failures.append("bibtex: " + _cell(b.export_error))
            if m.exported is None:
                failures.append("biblatex: " + _cell(m.export_error))
            if a.error:
                failures.append("aux: " + _cell(a.error))
            orig_warnings = sum(b.original.messages.values())
            if b.exported is None:
                counts = ["–"] * 4
                bibtex_warnings = f"{orig_warnings} / – / –"
            else:
                braces = sum(markup_only(ours, theirs) for _, ours, theirs in b.differing)
                counts = [len(b.identical), f"{len(b.differing)} ({braces})", len(b.missing), len(b.extra)]
                bibtex_warnings = (
                    f"{orig_warnings} / {sum(b.exported.messages.values())} / {sum(b.new_messages.values())}"
                )
            biber_orig = sum(m.original.messages.values())
            if m.exported is None:
                biber_counts = f"{biber_orig} / – / –"
                biber_entries = f"{m.original.entries} / –"
            else:
                biber_counts = f"{biber_orig} / {sum(m.exported.messages.values())} / {sum(m.new_messages.values())}"
                biber_entries = f"{m.original.entries} / {m.exported.entries}"
            again_cell = ", ".join(_again(result) for result in again)
            same = {True: "yes", False: "no", None: f"n/a ({len(a.original_problems)} in the original)"}[a.same_bbl]
            aux_cell = "–" if a.error else f"{len(a.keys)} ({a.children}) / {len(a.problems)} / {same}"
            row = [
                source.name, len(b.original.items), *counts, bibtex_warnings, biber_counts, biber_entries,
                again_cell, aux_cell, "; ".join(failures) or "",
            ]  # fmt: skip
            print("| " + " | ".join(str(cell) for cell in row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
