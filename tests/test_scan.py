"""The fast scanner agrees with bibtexparser and parse_bibtex, or says it cannot."""

import warnings
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib import bibtex
from opmlbib import scan as scanner
from bibtexparser.model import DuplicateBlockKeyBlock

from opmlbib.bibtex import parse_bibtex
from opmlbib.errors import BibWarning, OpmlbibError
from opmlbib.scan import Decoder, Unsupported, scan

from .generated_bib import generate
from .test_real_bibs import ORIGIN_FILES, REAL_FILES
from .strategies import texts

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "bib"


@pytest.fixture(scope="module")
def generated() -> str:
    """A benchmark-style bibliography: macros, accents, braces, comments, planted entries."""
    return generate(600, seed=7)


def light(text: str):
    result = scan(text)
    decoder = Decoder(result.strings)
    decoder.define_all()
    decoder.inherit(result.entries)
    fields = [decoder.fields(position, e) for position, e in enumerate(result.entries)]
    return [(e.key, e.line, decoder.title(f), tuple((a.given, a.von, a.family, a.suffix) for a in decoder.authors(f)),
             decoder.year(f)) for e, f in zip(result.entries, fields)]


def full(text: str):
    return [
        (r.key, r.line, r.title, tuple((a.given, a.von, a.family, a.suffix) for a in r.authors), r.year)
        for r in parse_bibtex(text)
    ]


def outcome(read, text: str):
    """What ``read`` gives, or that it refuses the text (both readers refuse a value they cannot read)."""
    try:
        return read(text)
    except OpmlbibError:
        return "refused"


def assert_same_blocks(text: str) -> None:
    """Keys, types, lines, raw text and search fields as bibtexparser's splitter has them."""
    result = scan(text)
    library = bibtexparser.parse_string(text, parse_stack=[])
    assert not library.failed_blocks
    assert len(result.entries) == len(library.entries)
    for entry, block in zip(result.entries, library.entries):
        assert (entry.key, entry.entry_type, entry.line) == (block.key, block.entry_type, block.start_line + 1)
        assert text[entry.start: entry.end] == block.raw
        wanted: dict = {}
        for f in block.fields:  # the first of a field given twice (in two cases), as bibtex reads it
            if f.key.lower() in scanner.SEARCH_FIELDS:
                wanted.setdefault(f.key.lower(), f.value)
        assert entry.fields == wanted
    assert result.strings == [(s.key, s.value) for s in library.strings]


def assert_agrees(text: str) -> None:
    """The same blocks as bibtexparser, and the same search fields as parse_bibtex."""
    assert_same_blocks(text)
    assert light(text) == full(text)


def test_generated_bibliography_agrees_with_bibtexparser_and_parse_bibtex(generated):
    assert_agrees(generated)


@pytest.mark.parametrize("name", ["crlf.bib", "no-final-newline.bib"])
def test_test_files_agree(name):
    assert_agrees((DATA / name).read_bytes().decode("utf-8-sig"))


def test_refs_bib_agrees():
    assert_agrees((ROOT / "refs.bib").read_text(encoding="utf-8"))


def test_a_file_with_a_broken_entry_is_read_as_the_full_parser_reads_it():
    text = (DATA / "messy.bib").read_text(encoding="utf-8")
    assert bibtexparser.parse_string(text, parse_stack=[]).failed_blocks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BibWarning)
        assert light(text) == full(text)


TRICKY = r"""
% a comment line that mentions user@example.org
@string{ conf = "Conference on " # {Things} }
@Article{ a1 ,
  title = "Quoted {with} braces and a {"} quote",
  author = {M{\"u}ller, J{\"o}rg and van der Berg, Jr., Hans and {Google Brain Team}},
  note = {an @ sign, and x@y{z} inside},
  year = 2019,
}
@misc{a2}
@misc{a3, title = {Escaped \{ brace \} and \\ backslash}, year = "1999"}
@comment{ an @misc{x} that is only a comment }
@inproceedings{a4, booktitle = conf # " 2020", title = {{TonY}: Orchestrating {\&} Scheduling -- Fast},
  author = "Anthony Hsu and Keqiu Hu", year = {20{19}}}
@misc{a5, title = {Deeply {nested {braces {inside {five {levels}}}}} here}, author = {A. B. C. Duck}}
@misc{a6, TITLE = {Upper}, Title = {Mixed case twice is two fields}}
"""


def test_tricky_constructs_agree():
    assert_agrees(TRICKY)


@pytest.mark.parametrize(
    "text",
    [
        "@misc(a, title={x})\n",  # parentheses
        "junk @misc{a, title={x}} more @misc{b, title = {y}}\n",  # blocks that do not start a line
        "@misc{a, title={x}}\n% mail me@example.org\n@misc{b, title={y}}\n",  # an @ between entries
        '@misc{a, title = "x" # s # {y} # 2}\n',  # concatenation, an undefined macro
        "@misc{a, title={\\{x\\}}}\n",  # escaped braces
    ],
)
def test_pieces_not_plainly_written_are_read_by_bibtexparser(text):
    assert_same_blocks(text)


@pytest.mark.parametrize(
    "text",
    [
        "@preamble{ {\\newcommand{\\x}{y}} }\n@misc{a, title={\\x}}\n",  # commands the full reader expands
    ],
)
def test_what_only_the_full_parser_reads_is_left_to_it(text):
    with pytest.raises(Unsupported):
        scan(text)


# Fragments that exercise every rule of the splitter; random files made of them must give
# the same blocks as bibtexparser, or be left to the full parser when bibtexparser rejects
# a block (or when the scanner does not handle a form, such as parentheses).
FRAGMENTS = [
    "@misc{", "@article {", "@string{", "@comment{", "@preamble{", "@misc(", "k1", "k2", ",", " = ",
    "=", "{", "}", '"', "\\", "\\{", "\\}", '\\"', "{\"}", "#", "title", "author", "year", "@", "x@y{",
    "\n", "\n  @misc{", " ", "% note", "2019", "and", "Ab", "{\\'e}", ")", "(", "\t",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_random_fragments_agree_or_fall_back(pieces):
    text = "".join(pieces)
    library = bibtexparser.parse_string(text, parse_stack=[])
    try:
        result = scan(text)
    except Unsupported:
        return
    if library.failed_blocks or any(isinstance(b, DuplicateBlockKeyBlock) for b in library.blocks):
        with warnings.catch_warnings():  # entries that do not parse, keys used twice: as the full reader reads them
            warnings.simplefilter("ignore", BibWarning)
            assert outcome(light, text) == outcome(full, text)
        return
    assert [(e.key, e.line, text[e.start: e.end]) for e in result.entries] == [
        (b.key, b.start_line + 1, b.raw) for b in library.entries
    ]


# ------------------------------------------------------------------ decoding


NAME_TEXT = texts(list("aAbBnNdDé ,\t.-'") + ["and", " and ", "von", "Jr."])


@settings(max_examples=500, deadline=None)
@given(NAME_TEXT)
def test_splitting_names_equals_bibtexparser(value):
    assert bibtex.split_names(value) == split_multiple_persons_names(value)


@settings(max_examples=500, deadline=None)
@given(NAME_TEXT)
def test_name_parts_equal_bibtexparser(name):
    parts = bibtex._name_parts(name)
    if parts is None:
        return
    expected = parse_single_name_into_parts(name, strict=True)
    assert parts == (expected.first, expected.von, expected.last, expected.jr)


def test_macros_and_unknown_macros():
    text = '@string{v = "Venue"}\n@misc{a, title = v # " " # {Two}, year = {2020}}\n'
    assert light(text) == full(text)
    # an undefined macro reads as empty, as bibtex reads it (the full reader also warns)
    result = scan("@misc{a, title = nosuchmacro # {Two}}\n")
    decoder = Decoder(result.strings)
    assert decoder.title(decoder.own(result.entries[0])) == "Two"


BRACED_NAME_TEXT = texts(
    list("aAbBnNdDé ,\t.-'{}\\~") + ["and", " and ", "von", "Jr.", "{\\\"u}", "{\\o}", "{\\v{C}}", "\\'e",
                                     "{\\L}", "{Google Brain}", "{A,B}", "\\ ", "\\,", "{}"]
)


@settings(max_examples=800, deadline=None)
@given(BRACED_NAME_TEXT)
def test_names_with_braces_and_commands_split_as_bibtexparser_splits_them(value):
    assert bibtex.split_names(value) == split_multiple_persons_names(value)
    if not bibtex._words_as_written(value):
        return
    parts = bibtex._name_parts(value)
    if parts is None:
        return
    expected = parse_single_name_into_parts(value, strict=True)
    assert parts == (expected.first, expected.von, expected.last, expected.jr)


def test_a_macro_reads_as_defined_where_the_entry_is():
    text = ('@misc{a, title = v # {One}}\n@string{v = "Venue "}\n@misc{b, title = v # {Two}}\n'
            '@string{w = v # "again "}\n@misc{c, title = w # {Three}}\n')
    with pytest.warns(BibWarning, match="macro v is not defined"):  # for entry a, as bibtex warns
        assert light(text) == full(text)
    assert [title for _, _, title, _, _ in light(text)] == ["One", "Venue Two", "Venue again Three"]


@pytest.mark.parametrize("path", ORIGIN_FILES + REAL_FILES, ids=lambda path: path.name)
def test_files_from_every_origin_read_as_the_full_reader_reads_them(path):
    """Hand-written, DBLP, biblatex, Zotero, Mendeley, JabRef and Better BibTeX files (and
    the real corpus, where present): the index's fields equal the full reader's, or the file
    is left to it."""
    text = path.read_bytes().decode("utf-8-sig")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BibWarning)
        try:
            found = light(text)
        except Unsupported:
            return
        assert found == full(text)
