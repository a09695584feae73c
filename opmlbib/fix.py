"""Replacing the entries of a user's .bib file that ``check`` found wrong by the official
records, and nothing else.

An entry found ``differs`` or ``preprint`` is replaced by its official record, written as
``opmlbib export`` writes it, keeping:

* the user's citation key (with its case) and the entry's place in the file;
* the user's fields that the record does not have (note, keywords, file, abstract, ...),
  byte for byte as they were written, after the record's fields.  Fields that say where a
  preprint or another version appeared (journal, volume, number, eprint, archiveprefix,
  ...) are dropped, and so are a preprint's arXiv URL and DOI;
* the user's last page when the record knows only an upper bound for it (or none) and the
  user's lies within it.

Entries found ``unknown-paper`` or ``duplicate`` are never changed.  Only the bytes from
each replaced entry's ``@`` to its closing brace change (found with
:func:`opmlbib.bibfile.scan`); comments, @string blocks, other entries and line ends stay as
they were.  The file is written atomically, and not at all if it changed while being fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .check import Finding, Report, check_entries, cited, official_records, preprint, read_entries
from .errors import BibError, OutputError
from .model import Page, Record, Source

#: Fields of a user's entry that say where it (or another version of it) appeared: the
#: official record says that instead.
REPLACED_FIELDS = frozenset(
    "journal journaltitle volume number issue series eprint eprinttype eprintclass archiveprefix primaryclass "
    "howpublished organization institution school type eventtitle eventdate venue location date edition "
    "chapter booktitle crossref".split()
)


@dataclass(frozen=True)
class Change:
    """One entry replaced: what changed in it."""

    key: str
    line: int
    official_key: str
    #: What check found wrong with the entry (differs and preprint findings).
    found: tuple[Finding, ...]
    #: Fields of the record written over the user's text of the same field without a finding.
    rewritten: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]

    def lines(self, path: str) -> list[str]:
        out = [f"{path}:{self.line}: {self.key}: replaced by the record {self.official_key}"]
        for finding in self.found:
            if finding.kind == "preprint":
                out.append(f"  preprint: {finding.field} {finding.yours!r} -> {finding.official!r}")
            else:
                out.append(f"  {finding.field}: {finding.yours!r} -> {finding.official!r}")
        for label, names in (("also written as the record has it", self.rewritten), ("added", self.added),
                             ("removed", self.removed), ("kept", self.kept)):
            if names:
                out.append(f"  {label}: {', '.join(names)}")
        return out


@dataclass(frozen=True)
class Outcome:
    report: Report
    changes: tuple[Change, ...]
    #: The findings left as they are (unknown-paper, duplicate).
    left: tuple[Finding, ...]
    old_text: str
    new_text: str
    written: bool
    warnings: tuple[str, ...] = ()

    def diff(self) -> str:
        import difflib

        name = self.report.path
        return "".join(difflib.unified_diff(
            self.old_text.splitlines(keepends=True), self.new_text.splitlines(keepends=True),
            fromfile=name, tofile=name,
        ))

    def summary(self) -> str:
        verb = "would replace" if not self.written and self.changes else "replaced"
        checked = len(self.report.entries)
        text = f"{self.report.path}: {checked} entr{'y' if checked == 1 else 'ies'} checked, {verb} {len(self.changes)}"
        if self.left:
            kinds = sorted({f.kind for f in self.left}, key=("unknown-paper", "duplicate").index)
            counts = ", ".join(f"{sum(f.kind == kind for f in self.left)} {kind}" for kind in kinds)
            text += f"; left as they are: {counts}"
        return text


def fix_file(path: str | Path, *, aux: str | Path | None = None, against: Iterable[str | Path] = (),
             dry_run: bool = False) -> Outcome:
    """Check the .bib file at ``path`` and replace what is wrong (or, with ``dry_run``, only
    say what would change)."""
    from .files import MAX_BIBLIOGRAPHY_BYTES, read_file, update_file, utf8_text
    from .library import is_csl_json

    given = Path(path)
    target = given.resolve() if given.is_symlink() else given
    if is_csl_json(given):
        raise BibError("fix rewrites BibTeX files only, not CSL-JSON", path=given)
    raw = read_file(given, what=".bib file", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
    text = utf8_text(raw, given, error=BibError, bom=False)
    entries = read_entries(target, text.removeprefix("\ufeff"))  # the text read once, as it is about to be changed
    warnings: list[str] = []
    if aux is not None:
        entries, not_in_file, missing = cited(entries, aux)
        warnings.extend(f"{file} is included but does not exist (not written yet?)" for file in missing)
        warnings.extend(f"{key} is cited but not in {path}" for key in not_in_file)
    report = check_entries(entries, official_records(against), path=str(path))
    new_text, changes, skipped = rewrite(text, report)
    warnings.extend(skipped)
    left = tuple(f for f in report.findings if f.kind in ("unknown-paper", "duplicate"))
    written = False
    if changes and not dry_run:

        def change(now: bytes | None) -> str:
            if now != raw:
                raise OutputError("the file changed while it was being fixed; nothing written, run fix again", path=given)
            return new_text

        # locked from the last look at the file until it is written; a write-protected file is refused
        update_file(target, change, what=".bib file", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
        written = True
    return Outcome(report, tuple(changes), left, text, new_text, written, tuple(warnings))


def rewrite(text: str, report: Report) -> tuple[str, list[Change], list[str]]:
    """``text`` with each entry found ``differs`` or ``preprint`` replaced by its record; the
    changes, in file order; and why entries that needed a change were left alone."""
    from .bibfile import line_ending, scan

    newline = line_ending(text)
    spans = scan(text)
    by_entry: dict[tuple[str, int | None], list[Finding]] = {}
    for finding in report.findings:
        if finding.kind in ("differs", "preprint"):
            by_entry.setdefault((finding.key, finding.line), []).append(finding)
    edits: list[tuple[int, int, str]] = []
    changes: list[Change] = []
    skipped: list[str] = []
    for entry, paper in zip(report.entries, report.papers):
        found = by_entry.get((entry.key, entry.line))
        if not found or paper is None:
            continue
        candidates = [s for s in spans if s.key == entry.key]
        span = next((s for s in candidates if s.line == entry.line), candidates[0] if len(candidates) == 1 else None)
        where = f"{report.path}:{entry.line}: {entry.key}"
        if span is None or span.end is None:
            skipped.append(f"{where}: not replaced: its text could not be told apart in the file")
            continue
        raw_fields = _raw_fields(text[span.start: span.end])
        if raw_fields is None:
            skipped.append(f"{where}: not replaced: its text could not be read on its own")
            continue
        block, change = _replacement(entry, paper, raw_fields, tuple(found))
        if newline != "\n":  # the user's values keep their own line ends (a multi-line abstract)
            block = block.replace("\r\n", "\n").replace("\n", newline)
        edits.append((span.start, span.end, block))
        changes.append(change)
    for start, end, block in sorted(edits, reverse=True):
        text = text[:start] + block + text[end:]
    return text, changes, skipped


def _raw_fields(entry_text: str) -> list[tuple[str, str]] | None:
    """The fields of one entry as written: (name, value text with its braces or quotes)."""
    import bibtexparser

    library = bibtexparser.parse_string(entry_text, parse_stack=[])
    if library.failed_blocks or len(library.entries) != 1:
        return None
    return [(f.key, str(f.value)) for f in library.entries[0].fields]


def corrected(entry: Record, paper: Record) -> Record:
    """The record that replaces the entry: ``paper`` under the entry's key, with the entry's
    last page where the record knows only an upper bound (or none) and the entry's lies
    within it."""
    record = replace(paper, key=entry.key, line=None)
    first = paper.first_page
    if (first is not None and entry.first_page is not None and entry.last_page is not None
            and entry.first_page.number == first.number and entry.last_page.number >= first.number
            and (paper.last_page is None
                 or (paper.last_page.source is Source.INFERRED and entry.last_page.number <= paper.last_page.number))):
        record = replace(record, last_page=Page(entry.last_page.number, Source.BIB, f"entry {entry.key}"))
    return record


def _replacement(entry: Record, paper: Record, raw_fields: list[tuple[str, str]], found: tuple[Finding, ...]) -> tuple[str, Change]:
    from .bibtex import entry_fields
    from .lookup import identifier

    record = corrected(entry, paper)
    official = entry_fields(record)
    official_names = {name for name, _ in official}
    is_preprint = preprint(entry) is not None
    kept, removed, rewritten = [], [], []
    yours = {name.lower(): value for name, value in raw_fields}
    for name, value in raw_fields:
        low = name.lower()
        if low in official_names:
            continue
        arxiv = low in ("url", "doi") and (identifier(_unbraced(value)) or "").startswith("arxiv:")
        if low in REPLACED_FIELDS or (is_preprint and arxiv):
            removed.append(low)
        else:
            kept.append((name, value))
    reported = {f.field for f in found}
    for name, value in official:
        if name in yours and yours[name] != value and name not in reported:
            rewritten.append(name)
    added = [name for name, _ in official if name not in yours]
    block = _entry_text(record.entry_type, entry.key, official + kept)
    change = Change(entry.key, entry.line or 0, paper.key, found, tuple(rewritten), tuple(added),
                    tuple(removed), tuple(name.lower() for name, _ in kept))
    return block, change


def _unbraced(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and (value[0], value[-1]) in (("{", "}"), ('"', '"')):
        value = value[1:-1]
    return value.replace("\\_", "_").replace("\\%", "%").replace("\\#", "#")


def _entry_text(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One entry laid out as :func:`opmlbib.bibtex.format_bibtex` lays entries out, without
    a line end after its closing brace."""
    from .bibtex import write_entry

    return write_entry(entry_type, key, fields).rstrip("\n")
