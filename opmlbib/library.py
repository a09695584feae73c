"""Where records come from: the embedded OpML '19 proceedings, another table of contents
(with an optional facts file), or a user's .bib.  Every path ends in keyed records."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

from .errors import BibError

if TYPE_CHECKING:
    from pathlib import Path

    from .model import Record

EMBEDDED_TOC = "opml19.txt"
EMBEDDED_FACTS = "opml19.toml"


@functools.cache
def default_records() -> tuple[Record, ...]:
    """The OpML '19 proceedings as shipped: table of contents plus the publisher's facts
    (remembered in the user's cache folder, as reading them takes longer than the rest of
    a command)."""
    from .index import cached_records

    data = os.path.join(os.path.dirname(__file__), "data")
    return cached_records("opml19", (os.path.join(data, EMBEDDED_TOC), os.path.join(data, EMBEDDED_FACTS)), _embedded_records)


def _embedded_records() -> tuple[Record, ...]:
    from importlib import resources

    from . import bibtex, facts, toc

    data = resources.files("opmlbib.data")
    label = f"<embedded {EMBEDDED_TOC}>"
    _, records = toc.parse_toc(toc.decode(data.joinpath(EMBEDDED_TOC).read_bytes(), label), path=label)
    known = facts.parse_facts(data.joinpath(EMBEDDED_FACTS).read_text(encoding="utf-8"), f"<embedded {EMBEDDED_FACTS}>")
    return bibtex.assign_keys(facts.apply_facts(records, known))


def toc_records(path: str | Path, meta: str | Path | None = None) -> tuple[Record, ...]:
    """Records of any table of contents in the house style, with facts from ``meta``."""
    from . import bibtex, facts, toc

    _, records = toc.read_toc(path)
    if meta is not None:
        records = facts.apply_facts(records, facts.read_facts(meta))
    return bibtex.assign_keys(records)


#: What reading a .bib file without a single entry says.
NO_BIBTEX_ENTRIES = "no BibTeX entries in this file"


def bib_records(*paths: str | Path) -> tuple[Record, ...]:
    """The user's .bib files (or CSL-JSON files) as one library of records, keys as the files
    have them, in file order.  A key in two of the files (compared without regard to case,
    as BibTeX compares them) is an error naming both."""
    if len(paths) == 1:
        return _file_records(paths[0])
    records: list[Record] = []
    where: dict[str, tuple[str, Record]] = {}
    for path in paths:
        for record in _file_records(path):
            first = where.setdefault(record.key.lower(), (str(path), record))
            if first[1] is not record:
                at = f"{first[0]}:{first[1].line}" if first[1].line else first[0]
                raise BibError(f"the key {record.key} is also in {at}; keys must be unique across the files",
                               path=path, line=record.line)
            records.append(record)
    return tuple(records)


def _file_records(path: str | Path) -> tuple[Record, ...]:
    """One .bib or CSL-JSON file as records."""
    from .files import MAX_BIBLIOGRAPHY_BYTES, read_file

    raw = read_file(path, what="bibliography", limit=MAX_BIBLIOGRAPHY_BYTES, error=BibError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise BibError("not UTF-8 text; save the file as UTF-8", path=path, line=line) from None
    if is_csl_json(path, text):
        return csl_json_records(text, path)
    from . import bibtex

    records = bibtex.parse_bibtex(text, path=path)
    if not records:
        raise BibError(NO_BIBTEX_ENTRIES, path=path)
    return records


def is_csl_json(path: str | Path, text: str | None = None) -> bool:
    """Whether a bibliography file is CSL-JSON (named ``.json``, or a JSON array) rather than BibTeX."""
    from pathlib import Path

    return Path(path).suffix.lower() == ".json" or (text is not None and text.lstrip().startswith("["))


def csl_json_records(text: str, path: str | Path) -> tuple[Record, ...]:
    """A CSL-JSON file (as Zotero exports it, or ``opmlbib export --format csljson``) as records."""
    from .csljson import from_csl_json
    from .structured import load_json

    records = from_csl_json(load_json(text, path, BibError), path=str(path))
    if not records:
        raise BibError("no CSL-JSON items in this file", path=path)
    return records
