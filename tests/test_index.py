"""The index of a large .bib file: same answers as lookup over the parsed file, and a cache
that is rebuilt whenever it is stale, changed or corrupt, and survives concurrent writers."""

import dataclasses
import multiprocessing
import warnings
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from opmlbib import index
from opmlbib.cli import cli
from opmlbib.errors import AmbiguousQuery, BibError, NoMatch, BibWarning
from opmlbib.cache import cache_dir
from opmlbib.index import cache_path, open_index
from opmlbib.library import IndexedLibrary, RecordsLibrary, open_library
from opmlbib.library import bib_records, default_records
from opmlbib.scan import Unsupported

from .generated_bib import generate
from .test_real_bibs import ORIGIN_FILES, REAL_FILES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("OPMLBIB_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bib") / "sample.bib"
    path.write_text(generate(500, seed=11), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def parsed(sample):
    return bib_records(sample)


QUERIES = [
    "TonY", "tony", "Katib", "hsu2019tony", "hsu2019", "Zinkevich", "orchestrator distributed machine learning",
    "Anthony Hsu", "federated caching", "Muller", "Müller", "quantum chromodynamics on the lattice", "the",
    "Sonloto", "tensorflow tracing", "TFX", "etude gpu clusters", "a", "xyzzy", "scalable training",
    # words split or joined, DOIs and URLs
    "cyber security", "tensorflowtracing", "tensor flow tracing", "machine learning in cyber security",
    "10.8617/erdhos2016to", "DOI:10.8617/ERDHOS2016TO", "https://example.org/papers/anlofi2011zelo.pdf",
    "https://www.usenix.org/conference/opml19/presentation/hsu", "https://example.org/papers/nothere.pdf",
]


@pytest.mark.parametrize("query", QUERIES)
def test_search_through_the_index_equals_lookup_over_all_records(sample, parsed, query):
    indexed, full = IndexedLibrary(open_index(sample)), RecordsLibrary(parsed)
    for floor in (72.0, 50.0):
        got = [(m.record, m.score) for m in indexed.search(query, floor=floor)]
        assert got == [(m.record, m.score) for m in full.search(query, floor=floor)]


@pytest.mark.parametrize("query", QUERIES)
def test_a_listing_through_the_index_shows_what_the_full_records_hold(sample, parsed, query):
    """Without full records, a match still holds every field a listing of matches shows."""
    indexed, full = IndexedLibrary(open_index(sample)), RecordsLibrary(parsed)

    def shown(match):
        r = match.record
        return r.key, r.entry_type, r.title, r.authors, r.year, r.line, match.score

    for floor in (72.0, 50.0):
        got = [shown(m) for m in indexed.search(query, floor=floor, full=False)]
        assert got == [shown(m) for m in full.search(query, floor=floor)]


@pytest.mark.parametrize("query", QUERIES + ["HSU2019TONY", "sonloto federated"])
def test_resolve_through_the_index_equals_lookup(sample, parsed, query):
    indexed, full = IndexedLibrary(open_index(sample)), RecordsLibrary(parsed)

    def outcome(library):
        try:
            return library.resolve(query)
        except (NoMatch, AmbiguousQuery) as exc:
            return type(exc), str(exc)

    assert outcome(indexed) == outcome(full)


def test_every_entry_parses_in_full_as_the_whole_file_does(sample, parsed):
    built = open_index(sample)
    assert [built.record(i) for i in range(len(built))] == list(parsed)


def test_the_cache_is_read_back_without_scanning(sample, monkeypatch):
    first = open_index(sample)
    assert cache_path(first.source.path).is_file()

    def no_scan(*args, **kwargs):
        raise AssertionError("scanned again")

    monkeypatch.setattr("opmlbib.scan.scan", no_scan)
    again = open_index(sample)
    assert again.keys == first.keys


def _title(path, key: str) -> str:
    built = open_index(path)
    (position,) = built.with_key(key)
    return built.light(position).title


def _rebuilt(path, monkeypatch) -> bool:
    calls = []
    real = index.build
    monkeypatch.setattr(index, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    open_index(path)
    return bool(calls)


def test_a_changed_file_is_indexed_again(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_text((ROOT / "refs.bib").read_text(encoding="utf-8"), encoding="utf-8")
    assert _rebuilt(path, monkeypatch)
    assert not _rebuilt(path, monkeypatch)
    path.write_text(path.read_text(encoding="utf-8").replace("TonY", "TonZ"), encoding="utf-8")
    assert _rebuilt(path, monkeypatch)
    assert "TonZ" in _title(path, "hsu2019tony")


def _later(monkeypatch, seconds: float = 10.0) -> None:
    """Look at files ``seconds`` later than now: a file just written has then settled."""
    import time

    now = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: now() + int(seconds * 1e9))


def _recorded(path) -> dict:
    import json

    blob = cache_path(Path(path).absolute()).read_bytes()
    start = len(index._MAGIC) + 8
    return json.loads(blob[start: start + int.from_bytes(blob[len(index._MAGIC): start], "little")])["source"]


def _unreadable(monkeypatch) -> None:
    def no_read(*args, **kwargs):
        raise AssertionError("the .bib file was read")

    monkeypatch.setattr("opmlbib.files.read_file", no_read)


@pytest.mark.parametrize("settled", [False, True])
def test_same_size_and_time_but_other_content_is_indexed_again(tmp_path, monkeypatch, settled):
    # settled when indexed, the file is known by its stamp, whose change time moved; else by its SHA-256
    path = tmp_path / "refs.bib"
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    if settled:
        _later(monkeypatch)
    open_index(path)
    assert (_recorded(path)["stamp"] is not None) == settled
    stat = path.stat()
    path.write_text(text.replace("TonY", "TonZ"), encoding="utf-8")  # same length, at once
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert _rebuilt(path, monkeypatch)
    assert "TonZ" in _title(path, "hsu2019tony")


def test_a_settled_file_is_known_by_its_stamp_without_reading_it(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_text((ROOT / "refs.bib").read_text(encoding="utf-8"), encoding="utf-8")
    _later(monkeypatch)
    built = open_index(path)
    assert _recorded(path)["stamp"] == index._stamp(path.stat())
    with monkeypatch.context() as patched:
        _unreadable(patched)
        assert not _rebuilt(path, patched)
        again = open_index(path)
        listed = IndexedLibrary(again).search("TonY", full=False)
    assert listed[0].record.key == "hsu2019tony"
    assert [again.record(i) for i in range(len(again))] == [built.record(i) for i in range(len(built))]


def test_a_file_changed_just_before_it_was_indexed_is_checked_by_its_content(tmp_path, monkeypatch):
    # changed within the file system's tick, a file may change again and keep its stamp:
    # its stamp is not recorded, and it is known by its SHA-256 even if the stamp matches
    path = tmp_path / "refs.bib"
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    open_index(path)
    assert _recorded(path)["stamp"] is None
    assert not _rebuilt(path, monkeypatch)
    path.write_text(text.replace("TonY", "TonZ"), encoding="utf-8")
    monkeypatch.setattr(index, "_stamp", lambda info: [1, 2, 3, 4, 5])  # the times did not move
    assert _rebuilt(path, monkeypatch)
    assert "TonZ" in _title(path, "hsu2019tony")


def _built_slowly(monkeypatch, seconds: float = 10.0) -> None:
    """Building an index takes ``seconds``: the file has settled when its index is written."""
    real = index.build

    def slow(*args, **kwargs):
        built = real(*args, **kwargs)
        _later(monkeypatch, seconds)
        return built

    monkeypatch.setattr(index, "build", slow)


def test_a_file_that_settled_while_it_was_indexed_is_known_by_its_stamp(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_text((ROOT / "refs.bib").read_text(encoding="utf-8"), encoding="utf-8")
    _built_slowly(monkeypatch)
    open_index(path)
    assert _recorded(path)["stamp"] == index._stamp(path.stat())


def test_a_file_changed_while_it_was_indexed_is_not_known_by_its_stamp(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    real = index.build
    with monkeypatch.context() as patched:
        patched.setattr(index, "_stamp", lambda info: [1, 2, 3, 4, 5])  # the times did not move

        def changing(*args, **kwargs):
            built = real(*args, **kwargs)
            path.write_text(text.replace("TonY", "TonZ"), encoding="utf-8")
            _later(patched)
            return built

        patched.setattr(index, "build", changing)
        open_index(path)
        assert _recorded(path)["stamp"] is None
    assert "TonZ" in _title(path, "hsu2019tony")


def test_a_file_changed_during_a_command_is_not_read_against_an_older_index(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    _later(monkeypatch)
    open_index(path)
    indexed = open_index(path)  # from the cache, by the stamp: the file is not read
    path.write_text("@misc{other, title={Other}}\n" + text, encoding="utf-8")
    with pytest.raises(BibError, match="changed while it was read"):
        indexed.record(0)
    assert _rebuilt(path, monkeypatch)


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[: len(blob) // 2],
        lambda blob: b"not an index\n" + blob,
        lambda blob: blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]),  # its last bytes
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit of the payload
        lambda blob: blob.replace(b'"format": %d' % index.FORMAT, b'"format": %d' % (index.FORMAT + 1), 1),
    ],
)
def test_a_corrupt_cache_is_never_trusted(tmp_path, monkeypatch, damage):
    path = tmp_path / "refs.bib"
    path.write_text((ROOT / "refs.bib").read_text(encoding="utf-8"), encoding="utf-8")
    good = open_index(path)
    target = cache_path(good.source.path)
    blob = target.read_bytes()
    damaged = damage(blob)
    assert damaged != blob
    target.write_bytes(damaged)
    calls = []
    real = index.build
    monkeypatch.setattr(index, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    opened = open_index(path)
    assert _every_section(opened) == _every_section(good)  # a damaged section is made again when read
    assert calls == [1]
    monkeypatch.setattr(index, "build", real)
    assert not _rebuilt(path, monkeypatch)  # and the cache written again
    assert _every_section(open_index(path)) == _every_section(good)


def test_a_damaged_section_is_found_when_it_is_read(tmp_path, monkeypatch):
    """Sections are checked one by one, as a search reads them: a damaged one read after
    others have been is made again, with all the others, from the file."""
    path = tmp_path / "refs.bib"
    path.write_text((ROOT / "refs.bib").read_text(encoding="utf-8"), encoding="utf-8")
    good = open_index(path)
    target = cache_path(good.source.path)
    blob = bytearray(target.read_bytes())
    opened = open_index(path)
    _, offset, _, _ = opened._s.layout["titles"]
    start = len(blob) - len(opened._s.payload)
    del opened
    blob[start + offset] ^= 1
    target.write_bytes(bytes(blob))
    calls = []
    real = index.build
    monkeypatch.setattr(index, "build", lambda *a, **k: calls.append(1) or real(*a, **k))
    opened = open_index(path)
    assert opened.keys == good.keys and not calls
    assert bytes(opened._s.blob("titles")) == bytes(good._s.blob("titles")) and calls == [1]
    assert _every_section(opened) == _every_section(good)


def _every_section(opened) -> dict:
    found = {}
    for name in sorted(set(opened._s.layout) | set(opened._s.values)):
        value = opened._s._get(name)
        found[name] = bytes(value) if isinstance(value, memoryview) else value
    return found


def _race(path: str, cache: str) -> list[str]:
    os.environ["OPMLBIB_CACHE_DIR"] = cache
    return open_index(path).keys


def test_concurrent_writers_leave_one_valid_cache(sample, cache):
    expected = open_index(sample).keys
    for leftover in cache.rglob("*.index"):
        leftover.unlink()
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_race, [(str(sample), str(cache))] * 8)
    assert all(keys == expected for keys in results)
    files = [p.name for p in (cache / "bib").iterdir()]
    assert len(files) == 1 and not any(name.endswith(".tmp") for name in files)
    assert index.read_cache(index.read_source(sample), cache_path(Path(sample).absolute())) is not None


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("OPMLBIB_CACHE_DIR", str(blocker / "cache"))
    assert open_index(ROOT / "refs.bib").keys[0] == "ananthanarayanan2019opportunities"


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    assert cache_dir() == Path(os.environ["OPMLBIB_CACHE_DIR"])
    monkeypatch.delenv("OPMLBIB_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert cache_dir() == tmp_path / "xdg" / "opmlbib"


def test_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "bad.bib"
    path.write_bytes(b"@misc{a, title={ok}}\n@misc{b, title={caf\xe9}}\n")
    with pytest.raises(BibError, match=r"bad.bib:2: not UTF-8"):
        open_index(path)
    path.write_text("@misc{a, title={ok}}\n\n@misc{b, title=nosuchmacro}\n", encoding="utf-8")
    built = open_index(path)
    with pytest.warns(BibWarning, match=r"bad.bib:3: b: field title: @string macro nosuchmacro is not defined"):
        assert built.record(1).title == ""


def test_files_the_scanner_leaves_alone_are_parsed_in_full(tmp_path):
    path = tmp_path / "paren.bib"
    path.write_text("@preamble{ {\\newcommand{\\kt}{Katib}} }\n@misc{k, title = {\\kt: hyperparameters}}\n",
                    encoding="utf-8")
    library = open_library(path)  # the full reader expands the commands an @preamble defines
    assert isinstance(library, RecordsLibrary)
    assert library.resolve("Katib").key == "k"


def test_every_bib_file_is_read_through_its_index_whatever_its_size(tmp_path):
    assert isinstance(open_library(ROOT / "refs.bib"), IndexedLibrary)
    tiny = tmp_path / "tiny.bib"
    tiny.write_text("@misc{k, title = {Katib: hyperparameters}}\n", encoding="utf-8")
    library = open_library(tiny)
    assert isinstance(library, IndexedLibrary)
    assert library.resolve("Katib").key == "k"
    # no entries, or CSL-JSON under a .bib name: the full reader says which
    empty = tmp_path / "empty.bib"
    empty.write_text("% nothing here\n", encoding="utf-8")
    with pytest.raises(BibError, match="no BibTeX entries"):
        open_library(empty)
    json_named_bib = tmp_path / "items.bib"
    json_named_bib.write_text('[{"id": "k", "type": "book", "title": "Katib"}]', encoding="utf-8")
    assert open_library(json_named_bib).resolve("Katib").key == "k"


def test_progress_is_reported_up_to_the_total(sample):
    seen = []
    index.build(index.read_source(sample), lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1]
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_cli_search_and_show_are_the_same_through_the_index(sample, monkeypatch):
    runner = CliRunner()
    commands = (["search", "TonY", "--json", "--bib", str(sample)], ["show", "hsu2019tony", "--bib", str(sample)],
                ["search", "xyzzy", "--bib", str(sample)], ["search", "TonY", "--bib", str(sample)],
                ["search", "Müller", "-n", "50", "--bib", str(sample)],
                ["search", "scalable training", "-n", "50", "--bib", str(sample)])
    indexed = [runner.invoke(cli, args) for args in commands]
    assert cache_path(sample.absolute()).is_file()

    def unsupported(*args, **kwargs):
        raise Unsupported("parse in full")

    monkeypatch.setattr(index, "open_index", unsupported)
    plain = [runner.invoke(cli, args) for args in commands]
    assert cache_path(sample.absolute()).is_file()
    assert [(r.exit_code, r.output) for r in indexed] == [(r.exit_code, r.output) for r in plain]
    assert plain[0].exit_code == 0 and '"hsu2019tony"' in plain[0].output


def test_cached_builtin_records_equal_a_fresh_parse(cache):
    from opmlbib.library import _embedded_records

    default_records.cache_clear()
    try:
        first = default_records()  # built and written
        default_records.cache_clear()
        second = default_records()  # read back
    finally:
        default_records.cache_clear()
    assert first == second == _embedded_records()
    (target,) = (cache / "records").iterdir()
    target.write_bytes(target.read_bytes()[:-5])
    from opmlbib import cache as records_cache

    assert records_cache._read_records(target, "anything") is None


SHORT_TITLES = r"""
@misc{short1, title = {Ab Cd}, author = {Ann Ode}, year = 2001}
@misc{short2, title = {The To Ny}, author = {Bo Ek}, year = 2002}
@misc{repeat1, title = {Tone Tone Tone Tone Tone Tone}, author = {Cy Fu}, year = 2003}
@misc{repeat2, title = {On the Caching of Caching {\&} Caching}, author = {Di Gu}, year = 2004}
@misc{long1, title = {A Title Long Enough That One Word Never Reaches It}, author = {Ed Hu}, year = 2005}
"""


@pytest.mark.parametrize("query", ["abcd", "tony", "tonetone", "caching", "cachingg", "toeny", "abcdx"])
def test_one_word_queries_find_short_titles_and_titles_that_repeat_words(tmp_path, query):
    path = tmp_path / "short.bib"
    path.write_text(SHORT_TITLES, encoding="utf-8")
    indexed, full = IndexedLibrary(open_index(path)), RecordsLibrary(bib_records(path))
    for floor in (72.0, 50.0):
        got = [(m.record, m.score) for m in indexed.search(query, floor=floor)]
        assert got == [(m.record, m.score) for m in full.search(query, floor=floor)]


def test_an_entry_read_through_the_index_inherits_through_a_chain_of_crossrefs(tmp_path):
    path = tmp_path / "chain.bib"
    path.write_text(
        "@string{pub = {Chain Press}}\n"
        "@inproceedings{child, title = {Child Paper}, crossref = {parent}}\n"
        "@proceedings{parent, title = {The Proceedings}, crossref = {series}, year = {2019}}\n"
        "@book{series, title = {The Series}, publisher = pub, address = {Boston}}\n"
        "@misc{lost, title = {Lost Child}, crossref = {nowhere}}\n",
        encoding="utf-8",
    )
    with pytest.warns(BibWarning, match="chain.bib:5: lost: crossref nowhere names no entry"):
        full = {record.key: record for record in bib_records(path)}
    built = open_index(path)
    for position, key in enumerate(built.keys):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert built.record(position) == full[key]
        assert [str(w.message) for w in caught] == (
            [f"{path}:5: lost: crossref nowhere names no entry of this file"] if key == "lost" else [])
    child = full["child"]
    assert (child.venue.booktitle, child.venue.year, child.venue.publisher, child.venue.address) == (
        "The Proceedings", 2019, "Chain Press", "Boston")


def test_an_entry_read_through_the_index_reads_macros_as_they_read_where_each_entry_is(tmp_path):
    """A crossref parent before its child, a macro defined again between them and after
    both: each entry reads the definition before it, as reading the whole file does, and
    each record's file has all the definitions."""
    path = tmp_path / "order.bib"
    path.write_text(
        "@string{pub = {Old Press}}\n"
        "@proceedings{parent, title = {The Proceedings}, publisher = pub, year = 2019, note = {x} # undefinedmacro}\n"
        "@string{pub = {New Press}}\n"
        "@inproceedings{child, title = {Child Paper}, crossref = {parent}, note = pub}\n"
        "@string{late = {Late}}\n",
        encoding="utf-8",
    )
    with pytest.warns(BibWarning):
        full = {record.key: record for record in bib_records(path)}
    built = open_index(path)
    child = built.keys.index("child")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert built.record(child) == full["child"]
    assert caught == []  # the parent's undefined macro is the parent's to report
    with pytest.warns(BibWarning, match="order.bib:2: parent: field note: @string macro undefinedmacro"):
        assert built.record(built.keys.index("parent")) == full["parent"]
    assert (full["child"].venue.publisher, dict(full["child"].extra)["note"]) == ("Old Press", "New Press")
    assert [name for name, _ in full["child"].source.file.strings] == ["pub", "pub", "late"]


def test_an_entry_read_through_the_index_warns_of_its_own_problems_only(tmp_path):
    path = tmp_path / "warns.bib"
    path.write_text("@misc{child, title = {A}, crossref = {parent}}\n@misc{parent, title = undefinedmacro}\n",
                    encoding="utf-8")
    built = open_index(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built.record(built.keys.index("child"))
    assert [str(w.message) for w in caught] == []
    with pytest.warns(BibWarning, match="warns.bib:2: parent: field title: @string macro undefinedmacro"):
        built.record(built.keys.index("parent"))


@pytest.mark.parametrize("path", ORIGIN_FILES + REAL_FILES, ids=lambda path: path.name)
def test_every_entry_read_through_the_index_is_the_full_readers(path, tmp_path):
    """Hand-written, DBLP, biblatex, Zotero, Mendeley, JabRef and Better BibTeX files (and the
    real corpus, where present): each entry as the index reads it equals the full reading,
    and its light fields equal the full record's."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BibWarning)
        full = {record.key: record for record in bib_records(path)}
        try:
            built = open_index(path)
        except Unsupported:
            return  # the full reader reads it (an @preamble that defines commands)
        assert built.keys == list(full)
        for position, key in enumerate(built.keys):
            record, light = built.record(position), built.light(position)
            # the same record, read from the entry and the definitions before it (all the
            # file's, for the full reading: a writer writes those the entry uses, the same)
            assert dataclasses.replace(record, source=None) == dataclasses.replace(full[key], source=None)
            mine, theirs = record.source, full[key].source
            assert (mine.entry_type, mine.fields, mine.text, mine.defined) == (
                theirs.entry_type, theirs.fields, theirs.text, theirs.defined)
            assert mine.file.strings == theirs.file.strings[: len(mine.file.strings)]
            assert (light.title, light.authors, light.year, light.line) == (
                record.title, tuple(dataclasses.replace(a, affiliation=None) for a in record.authors), record.year,
                record.line)
