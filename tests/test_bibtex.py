import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib.bibtex import (
    _read_value_parts,
    _value_parts,
    assign_keys,
    base_key,
    decode,
    decode_whole,
    encode_text,
    encode_title,
    format_bibtex,
    parse_bibtex,
    write_entry,
)
from opmlbib.errors import BibError, BibWarning, OpmlbibError
from opmlbib.library import default_records
from opmlbib.model import Author, Record, Source, Venue

from .opml19_table import KEYS
from .strategies import texts

VENUE = Venue(booktitle="Proc. of Things", year=2019, month=5)


def record(title="A Title", authors=(Author("Ada", "Lovelace"),), **kw):
    return Record(title=title, authors=tuple(authors), venue=kw.pop("venue", VENUE), **kw)


def test_all_sixteen_keys_are_pinned():
    assert [r.key for r in default_records()] == KEYS


@pytest.mark.parametrize(
    "title, family, key",
    [
        ("TonY: An Orchestrator", "Hsu", "hsu2019tony"),
        ("tensorflow-tracing: A Framework", "Hashemi", "hashemi2019tensorflowtracing"),
        ("The Art of the Thing", "M\u00fcller", "muller2019art"),
        ("On a Theory", "O'Neil", "oneil2019theory"),
        ("A", "Plato", "plato2019"),
        ("\u00c9tude of Caf\u00e9s", "\u0141ukasiewicz", "lukasiewicz2019etude"),
    ],
)
def test_key_shape(title, family, key):
    assert base_key(record(title, [Author("X", family)])) == key


def test_key_uses_particle_and_no_year():
    rec = record("Symphonies", [Author("Ludwig", "Beethoven", von="van")], venue=Venue("B"))
    assert base_key(rec) == "vanbeethovensymphonies"


def test_clashing_keys_get_suffixes_in_order_and_the_first_keeps_its_key():
    same = [record("Deep Things"), record("Deep Thoughts"), record("Deep Water")]
    assert [r.key for r in assign_keys(same)] == ["lovelace2019deep", "lovelace2019deepa", "lovelace2019deepb"]


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("plain", "plain"),
        ("R&D 50% $5 #1 a_b", r"R{\&}D 50{\%} {\$}5 {\#}1 a{\_}b"),
        ("{x} ~ ^ \\", r"{\textbraceleft}x{\textbraceright} {\textasciitilde} {\textasciicircum} {\textbackslash}"),
        ("}{", r"{\textbraceright}{\textbraceleft}"),
        ("M\u00fcller", r'M{\"u}ller'),
        ("IBM Research\u2013Almaden", r"IBM Research{\textendash}Almaden"),
        ("a--b---c", "a-{}-b-{}-{}-c"),
        ("\\input{/etc/passwd}", r"{\textbackslash}input{\textbraceleft}/etc/passwd{\textbraceright}"),
    ],
)
def test_encode_text(text, encoded):
    assert encode_text(text) == encoded
    assert decode(encoded) == text


@pytest.mark.parametrize(
    "title, encoded",
    [
        ("TonY: An Orchestrator for Distributed Machine Learning Jobs",
         "{TonY}: An Orchestrator for Distributed Machine Learning Jobs"),
        ("Katib: A Distributed General AutoML Platform on Kubernetes",
         "{Katib}: A Distributed General {AutoML} Platform on Kubernetes"),
        ("tensorflow-tracing: A Performance Tuning Framework for Production",
         "{tensorflow-tracing}: A Performance Tuning Framework for Production"),
        ("Continuous Training for Production ML in the TensorFlow Extended (TFX) Platform",
         "Continuous Training for Production {ML} in the {TensorFlow} Extended ({TFX}) Platform"),
        ("Shooting the moving target: machine learning in cybersecurity",
         "Shooting the moving target: machine learning in cybersecurity"),
        ("MLOp Lifecycle Scheme", "{MLOp} Lifecycle Scheme"),
        ("Caf\u00e9Net: Fast", r"{Caf{\'e}Net}: Fast"),
    ],
)
def test_case_protection_braces_words_not_titles(title, encoded):
    assert encode_title(title) == encoded
    assert decode(encoded) == title


def test_proper_noun_phrases_are_braced_as_one_group():
    title = "Continuous Training for Production ML in the TensorFlow Extended (TFX) Platform"
    assert encode_title(title, ["TensorFlow Extended", "Google"]) == (
        "Continuous Training for Production {ML} in the {TensorFlow Extended} ({TFX}) Platform"
    )


def test_written_file_is_plain_ascii_and_writing_is_idempotent():
    records = default_records()
    text = format_bibtex(records)
    assert text.isascii()
    assert format_bibtex(records) == text
    again = format_bibtex(assign_keys_like(parse_bibtex(text), records))
    # Reading the file back and writing it again changes no field (provenance comments aside).
    assert strip_comments(again) == strip_comments(text)
    assert "----" not in text


def assign_keys_like(parsed, original):
    """Read-back records with the original venue/protection facts (a .bib keeps no provenance)."""
    from dataclasses import replace

    return [
        replace(p, case_protected=o.case_protected + p.case_protected, first_page=o.first_page, last_page=o.last_page)
        for p, o in zip(parsed, original, strict=True)
    ]


def strip_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.startswith("%"))


def test_month_is_a_bare_macro_and_pages_use_an_en_dash():
    text = format_bibtex([r for r in default_records() if r.key == "hsu2019tony"])
    assert "month     = may,\n" in text
    assert "pages     = {39--41}" in text
    assert "% hsu2019tony: first page 39: table of contents (line 55); last page 41: publisher (USENIX record" in text


def test_final_paper_has_only_its_first_page():
    text = format_bibtex([default_records()[-1]])
    assert "pages     = {59}," in text and "last page unknown" in text


def test_parse_bibtex_reads_what_it_wrote():
    records = default_records()
    parsed = parse_bibtex(format_bibtex(records))
    for original, back in zip(records, parsed, strict=True):
        assert back.key == original.key
        assert back.title == original.title
        assert [(a.given, a.family) for a in back.authors] == [(a.given, a.family) for a in original.authors]
        assert (back.first_page.number, back.last_page and back.last_page.number) == (
            original.first_page.number,
            original.last_page and original.last_page.number,
        )
        assert back.first_page.source is Source.BIB
        assert back.venue == original.venue.__class__(
            booktitle=original.venue.booktitle,
            year=2019,
            month=5,
            address=original.venue.address,
            publisher=original.venue.publisher,
            isbn=original.venue.isbn,
        )
        assert back.url == original.url


def test_parse_bibtex_keeps_braced_words_and_unknown_fields():
    (rec,) = parse_bibtex(
        "@string{conf = {Proc. of {X}}}\n"
        "@article{k1, author = {M{\\\"u}ller, Hans and {Barnes and Noble, Inc.}}, title = {The {LaTeX} Way},"
        " journal = conf # { 2020}, year = 2020, month = jun, pages = {e12}, note = {50\\% off}}\n"
    )
    assert rec.title == "The LaTeX Way" and rec.case_protected == ("LaTeX",)
    assert [(a.given, a.family) for a in rec.authors] == [("Hans", "M\u00fcller"), ("", "Barnes and Noble, Inc.")]
    assert rec.entry_type == "article" and rec.venue.year == 2020 and rec.venue.month == 6
    assert dict(rec.extra) == {"pages": "e12", "journal": "Proc. of X 2020", "note": "50% off"}
    assert rec.first_page is None


def test_parse_bibtex_warns_of_the_broken_entry_and_reads_the_rest():
    with pytest.warns(BibWarning) as caught:
        records = parse_bibtex("@misc{ok, title={fine}}\n\n@misc{bad, title = {unclosed}\n@misc{n", path="x.bib")
    # bibtex reads the entry that never closes as far as it goes; the block that is no entry is left out
    assert [(r.key, r.title) for r in records] == [("ok", "fine"), ("bad", "unclosed"), ("n", "")]
    assert [(w.message.path, w.message.line) for w in caught] == [("x.bib", 3), ("x.bib", 4)]
    assert str(caught[0].message).startswith("x.bib:3: bad: cannot parse this entry (")


def test_urls_with_braces_are_refused():
    with pytest.raises(BibError):
        format_bibtex([record(key="k", url="http://x/{y}")])


# Titles and names as people type them: any Unicode letters, marks, digits, punctuation and
# symbols, single spaces between words (BibTeX folds white space anyway).
_CHAR = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"),
)
_WORD = st.text(_CHAR, min_size=1, max_size=8)
_TEXT = st.lists(_WORD, min_size=1, max_size=6).map(" ".join)
_NAME_WORD = st.text(st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Mn")) | st.sampled_from("-.'"), min_size=1, max_size=8).filter(
    lambda w: w[0].isalpha() and w[0].isupper() if w[0].isalpha() else False
)


@settings(max_examples=300, deadline=None)
@given(title=_TEXT)
def test_any_title_round_trips(title):
    rec = record(title, key="k")
    (back,) = parse_bibtex(format_bibtex([rec]))
    assert back.title == title


@settings(max_examples=300, deadline=None)
@given(given_name=_NAME_WORD, family=_NAME_WORD)
def test_any_name_round_trips(given_name, family):
    rec = record(authors=[Author(given_name, family)], key="k")
    (back,) = parse_bibtex(format_bibtex([rec]))
    assert [(a.given, a.family) for a in back.authors] == [(given_name, family)]


@pytest.mark.parametrize("char", list(string.punctuation))
def test_every_ascii_punctuation_round_trips_in_titles(char):
    title = f"a{char}b {char} {char}{char}"
    (back,) = parse_bibtex(format_bibtex([record(title, key="k")]))
    assert back.title == title


@settings(max_examples=300)
@given(value=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_text_that_skips_latex_decoding_decodes_as_latex_would(value):
    from opmlbib.bibtex import latex_to_text

    full = latex_to_text(value)
    expected = " ".join(full.split()) if any(ch in full for ch in "\n\t\r") else full
    assert decode(value) == expected


def test_a_value_beyond_any_real_field_is_an_error_not_a_hang():
    from opmlbib.bibtex import MAX_VALUE_CHARS

    text = "@misc{big, title = {" + "x" * (MAX_VALUE_CHARS + 1) + "}}\n"
    with pytest.raises(BibError, match=r"x\.bib:1: big: field title is 100,001 characters long"):
        parse_bibtex(text, path="x.bib")
    assert parse_bibtex(text.replace("x" * (MAX_VALUE_CHARS + 1), "x" * MAX_VALUE_CHARS))[0].title == "x" * MAX_VALUE_CHARS


@pytest.mark.parametrize(
    "text, expected",
    [("39--41", (39, 41)), ("39-41", (39, 41)), (" 39 \u2013 41 ", (39, 41)), ("7", (7, None)),
     ("e1234", None), ("iv--x", None), ("", None)],
)
def test_page_range(text, expected):
    from opmlbib.model import Source, page_range

    pages = page_range(text, Source.BIB, "here")
    got = None if pages is None else (pages[0].number, pages[1].number if pages[1] else None)
    assert got == expected


@pytest.mark.parametrize(
    "value, text",
    [
        (r"\url{https://example.org/a_b%20c~d#e}", "https://example.org/a_b%20c~d#e"),
        (r"see \href{https://example.org}{the site}", "see the site"),
        (r"The \texttt{grep} Tool", "The grep Tool"),
        (r"\mbox{A B} and \textsc{Caps}", "A B and Caps"),
        (r"\noopsort{b}Book", "Book"),
        (r"\'{e}t\'e, \ss{} and \o", "\u00e9t\u00e9, \u00df and \u00f8"),
        (r"\href", ""),
        (r"\url", ""),
    ],
)
def test_decode_macros_users_write(value, text):
    assert decode(value) == text


_LATEX_PIECES = st.sampled_from(
    ["\\", "{", "}", "$", "%", "&", "#", "~", "^", "_", "\\url", "\\href", "\\'", "\\\"", "\\begin{x}", "\\end{y}",
     "\\verb|", "\\cite", "\\\\", "a", " ", "\n", "--", "``", "\\newcommand", "\\def\\x", "[", "]", "\u00e9"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LATEX_PIECES, max_size=25).map("".join))
def test_decode_gives_text_or_our_error_for_any_latex(value):
    from opmlbib.errors import OpmlbibError

    try:
        assert isinstance(decode(value), str)
    except OpmlbibError:
        pass


@settings(max_examples=150, deadline=None)
@given(words=st.lists(_NAME_WORD, min_size=2, max_size=4))
def test_a_corporate_author_round_trips_as_one_name(words):
    family = " ".join(words)
    rec = record(authors=[Author("", family)], key="k")
    (back,) = parse_bibtex(format_bibtex([rec]))
    assert [(a.given, a.family) for a in back.authors] == [("", family)]


def test_bibtex_reads_a_corporate_author_as_one_family_name(tmp_path):
    from .latex_tools import require

    require("bibtex")
    import subprocess

    rec = record(authors=[Author("", "Acme Research Group"), Author("Ada", "Lovelace")], key="acme")
    (tmp_path / "refs.bib").write_text(format_bibtex([rec]), encoding="ascii")
    (tmp_path / "main.aux").write_text("\\relax\n\\citation{acme}\n\\bibstyle{alpha}\n\\bibdata{refs}\n")
    run = subprocess.run(["bibtex", "main"], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout
    # alpha's label takes the first letter of each family name: A for the group as one name
    # (G, for "Group", if BibTeX had split it into given and family names)
    assert "\\bibitem[AL" in (tmp_path / "main.bbl").read_text()


# ----------------------------------------------------------- a user's .bib, nothing lost

USERS = r"""% a user's own file
@preamble{"\newcommand{\noopsort}[1]{}\newcommand{\SystemX}{SysX}"}
@string{evo = "Evolutionary Computation"}
@string{cec = "Proc. Congress on " # evo}
@string{unused = "Never used"}

@inproceedings{child,
  author    = {M{\"u}ller, Hans and others},
  title    = {Monte {C}arlo {M}arkov Chains for Cu$_2$O, O($n^2$) and {\SystemX}: Lee & Low},
  pages    = {091001},
  crossref = {CEC_2002},
  note     = {See \cite{other}},
  url      = {http://x.org/a b?q=1\&r=2},
  doi      = {DOI: 10.1000/xyz},
  month    = jan # " / " # feb,
}

@Article{Odd,
  Title = {Pages {6:1--6:16} and a year range},
  author = {Doe, J.},
  year = {1982--1983}, month = {31},
  pages = {6:1--6:16},
  journal = nosuchmacro,
  file = {Full Text:files/1/odd.pdf:application/pdf},
  issn = {1234-5678},
}

@proceedings{CEC_2002,
  title     = cec,
  year      = 2002,
  editor    = {Ann Editor},
  publisher = {IEEE},
}
"""


def read_users(path="u.bib"):
    with pytest.warns(BibWarning) as caught:
        records = parse_bibtex(USERS, path=path)
    return {r.key: r for r in records}, [str(w.message) for w in caught]


def test_a_users_entry_is_written_back_as_the_file_wrote_it():
    records, _ = read_users()
    text = format_bibtex(list(records.values()))
    # each value exactly as written: macros, braces, math, \cite, \&, spacing
    for line in (
        "  title    = {Monte {C}arlo {M}arkov Chains for Cu$_2$O, O($n^2$) and {\\SystemX}: Lee & Low},",
        "  pages    = {091001},",
        "  crossref = {CEC_2002},",
        "  note     = {See \\cite{other}},",
        "  url      = {http://x.org/a b?q=1\\&r=2},",
        "  doi      = {DOI: 10.1000/xyz},",
        '  month    = jan # " / " # feb',
        "  Title   = {Pages {6:1--6:16} and a year range},",
        "  year    = {1982--1983},",
        "  journal = nosuchmacro,",
        "  title     = cec,",
        "@Article{Odd,",
    ):
        assert line in text.splitlines(), line
    # the definitions the entries use come first; an unused one does not
    assert text.startswith('@preamble{"\\newcommand{\\noopsort}[1]{}\\newcommand{\\SystemX}{SysX}"}\n'
                           '@string{evo = "Evolutionary Computation"}\n'
                           '@string{cec = "Proc. Congress on " # evo}\n\n')
    assert "unused" not in text and "% child" not in text  # no provenance comment on the user's own entries
    # and an export of the export is the same text
    with pytest.warns(BibWarning):
        assert format_bibtex(parse_bibtex(text)) == text


def test_what_bibtex_only_warns_about_is_a_warning_naming_the_line():
    records, warnings = read_users()
    assert list(records) == ["child", "Odd", "CEC_2002"]
    assert warnings == [
        "u.bib:23: Odd: field journal: @string macro nosuchmacro is not defined (read as empty, as bibtex reads it)",
    ]
    text = "@misc{a, title={x}, title={y}}\n@misc{A, title={z}}\n@misc{b, author={Doe, J., Jr., X, Y}, title={w}}\n"
    with pytest.warns(BibWarning) as caught:
        read = parse_bibtex(text, path="w.bib")
    assert [(r.key, r.title) for r in read] == [("a", "x"), ("b", "w")]
    messages = [str(w.message) for w in caught]
    assert messages[0] == "w.bib:1: a: title given more than once; the first is used, as bibtex uses it"
    assert messages[1].startswith("w.bib:2: A: the key is used again (first at line 1)")
    assert messages[2].startswith('w.bib:3: b: the name "Doe, J., Jr., X, Y" ')


def test_the_decoded_view_keeps_meaning():
    records, _ = read_users()
    child, odd = records["child"], records["Odd"]
    assert child.title == "Monte Carlo Markov Chains for Cu₂O, O(n²) and SysX: Lee & Low"
    # the braces protect exactly C, M and the command's text
    assert [child.title[a:b] for a, b in child.title_protected] == ["C", "M", "SysX"]
    extra = dict(child.extra)
    assert child.first_page is None and extra["pages"] == "091001"
    assert extra["note"] == "See \\cite{other}" and extra["month"] == "January / February"
    assert child.url == "http://x.org/a b?q=1&r=2" and child.doi == "10.1000/xyz"
    # inherited from the crossref parent: year, editor, publisher, and its title as booktitle
    assert (child.venue.year, child.venue.publisher, child.venue.booktitle) == (2002, "IEEE", "Proc. Congress on Evolutionary Computation")
    assert [e.family for e in child.editors] == ["Editor"]
    assert dict(odd.extra)["pages"] == "6:1–6:16" and dict(odd.extra)["year"] == "1982–1983"
    assert dict(odd.extra)["month"] == "31" and dict(odd.extra)["file"] == "Full Text:files/1/odd.pdf:application/pdf"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("Lee & Low Blog", "Lee & Low Blog"),
        ("Cu$_2$O", "Cu₂O"),
        ("{$\\ln n$}", "ln n"),
        ("{InN}{$\\slash$}{GaN}", "InN/GaN"),
        ("$\\surd$", "√"),
        ("O($n^2$)", "O(n²)"),
        ("$x^\\mathrm{th}$", "xᵗʰ"),
        ("$\\mathcal{O}(n \\log n)$", "O(n log n)"),
        ("$\\alpha$-helix", "α-helix"),
        ("$\\frac{1}{2}$", "$\\frac{1}{2}$"),  # no exact text: as written
        ("$x_\\beta$", "$x_\\beta$"),
        ("see \\cite{a,b} and \\citep[p.~2]{c}", "see \\cite{a,b} and \\citep[p.~2]{c}"),
        ("a\\hyphen b", "a-b"),
        ("100\\% of \\$5", "100% of $5"),
        ("\\~$x$", "x̃"),
    ],
)
def test_decoding_math_specials_and_references(value, text):
    assert decode(value) == text


def test_commands_a_preamble_defines_are_expanded_in_the_view():
    from opmlbib.bibtex import preamble_macros

    macros = preamble_macros(['"\\newcommand{\\Sys}{The {S}ystem} \\def\\Other{X} \\newcommand{\\Arg}[1]{#1}"'])
    assert macros == {"Sys": "The {S}ystem", "Other": "X"}
    # as TeX reads them: the space after a command's name ends the name
    assert decode("\\Sys{} and \\Other{} and \\Arg{kept}, \\Other x", macros) == "The System and X and kept, Xx"


def test_biblatex_fields_are_read():
    (record,) = parse_bibtex("@article{k, journaltitle = {J. X}, location = {Berlin}, date = {2019-05-20/2019-05-22}, title = {T}}")
    assert (record.venue.year, record.venue.month, record.venue.day, record.venue.address) == (2019, 5, 20, "Berlin")
    assert dict(record.extra)["journal"] == "J. X" and dict(record.extra)["date"] == "2019-05-20/2019-05-22"


def test_doubling_macros_are_refused_before_they_exhaust_memory():
    text = '@string{s0 = "xxxxxxxx"}\n' + "".join(f"@string{{s{i} = s{i - 1} # s{i - 1}}}\n" for i in range(1, 40))
    with pytest.raises(BibError, match=r"x\.bib:\d+: @string s\d+: the value grows past 100,000 characters"):
        parse_bibtex(text + "@misc{a, title = s39}\n", path="x.bib")


def test_an_entry_whose_braces_do_not_balance_is_read_as_far_as_bibtex_reads_it_and_kept_whole():
    text = ("@article{bad,\n  title = {Kept},\n  year = 2009,\n  publisher = {Taylor {{\\&} Francis},\n"
            "  journal = {Lost in the publisher},\n}\n\n@misc{next, title = {Next}}\n")
    with pytest.warns(BibWarning, match=r"b\.bib:1: bad: cannot parse this entry \(.*\); read as bibtex reads it, "
                                        r"up to the field that breaks it \(title, year, publisher\), and written back as it is"):
        bad, following = parse_bibtex(text, path="b.bib")
    assert (bad.title, bad.year, following.title) == ("Kept", 2009, "Next")
    # as for bibtex, the value runs on until its braces balance: the journal is part of it
    assert "journal" not in dict(bad.extra) and "Lost in the publisher" in bad.venue.publisher
    written = format_bibtex([bad, following])
    assert written.startswith(text[: text.index("@misc")].rstrip() + "\n\n@misc{next,")


def test_a_macro_defined_again_holds_its_new_value_from_there_on():
    text = '@string{v = "One"}\n@misc{a, title = v}\n@string{v = "Two"}\n@misc{b, title = v}\n'
    assert [r.title for r in parse_bibtex(text)] == ["One", "Two"]


LATEX_TEXT = texts(list("aZé ß-'`!?,.{}\\\"$%&~#^_\t\n:;0") + ["\\&", "{\\'e}", "\\'e", "$x$", "--", "\\c{c}"])


@settings(max_examples=500, deadline=None)
@given(LATEX_TEXT)
def test_decoding_piece_by_piece_equals_the_decoder_over_the_whole_value(value):
    assert decode(value) == decode_whole(value)


@pytest.mark.parametrize(
    "value",
    [
        "Plain title", "{TonY}: An Orchestrator", "On {\\&} and \\& and \\%", "An $O(n \\log n)$ Algorithm",
        "{\\'E}tude of {GPU}s", "Andr\\'e and Fran{\\c{c}}ois", "a\n  b", "x -- y", "``quoted''",
        "{\\\\}", "\\LaTeX{} rocks", "~tie", "50\\% off", "a${$\ta", "$x^{2}$ and $}$",
        "{\\url{a_b~c}}", "See {\\path{x~y}} and {\\nolinkurl {p%20q}}",
    ],
)
def test_decoding_examples(value):
    assert decode(value) == decode_whole(value)


def test_a_macro_defined_again_is_written_where_the_entries_need_each_definition():
    text = ('@string{v = "One"}\n@string{w = v # " and more"}\n@misc{a, title = w}\n'
            '@string{v = "Two"}\n@misc{b, title = v}\n@misc{c, title = {No macro}}\n')
    records = parse_bibtex(text)
    written = format_bibtex(records)
    assert written == (
        '@string{v = "One"}\n@string{w = v # " and more"}\n\n@misc{a,\n  title = w\n}\n\n'
        '@string{v = "Two"}\n\n@misc{b,\n  title = v\n}\n\n@misc{c,\n  title = {No macro}\n}\n'
    )
    assert [r.title for r in parse_bibtex(written)] == ["One and more", "Two", "No macro"]
    # written in another order, each entry still reads its own definition
    b, a = parse_bibtex(format_bibtex([records[1], records[0]]))
    assert (b.title, a.title) == ("Two", "One and more")


def test_a_parent_of_a_parent_is_inherited_from():
    text = ("@inbook{ch, title = {Chapter}, crossref = {vol}}\n@book{vol, title = {Volume Two}, crossref = {set}}\n"
            "@mvbook{set, title = {The Set}, year = 1990, publisher = {P}}\n")
    chapter = parse_bibtex(text)[0]
    assert (chapter.venue.booktitle, chapter.venue.year, chapter.venue.publisher) == ("Volume Two", 1990, "P")
    assert dict(chapter.extra)["crossref"] == "vol"


def test_latex_the_decoder_cannot_follow_is_a_warning_and_shown_as_written():
    deep = "\\emph{" * 300 + "x" + "}" * 300
    with pytest.warns(BibWarning, match=r"d\.bib:1: a: cannot read the LaTeX in .*\(RecursionError\); shown as written"):
        first, second = parse_bibtex("@misc{a, title={%s}}\n@misc{b, title={Fine}}\n" % deep, path="d.bib")
    assert first.title == deep and second.title == "Fine"
    assert format_bibtex([first]).count("\\emph{") == 300


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (r"{P}oincar\'{e} and {S}obolev", "Poincaré and Sobolev"),  # an accent's argument is not a protected group
        (r"\'{E}t\'{e} {\v{S}}ekvi\v{c} Erd\H{o}s", "Été Šekvič Erdős"),
        (r"The $1125\,\mathrm{cm^{-1}}$ band of {Cu}", "The 1125 cm⁻¹ band of Cu"),  # braces in math protect nothing
    ],
)
def test_titles_with_accents_and_formulas_before_braces_decode_to_their_letters(title, text):
    (record,) = parse_bibtex("@misc{a, title = {" + title + "}}\n")
    assert record.title == text


RAW_VALUES = texts(['{', '}', '"', "#", " ", "\n", "a", "Z", "1", "\u0663", ",", "=", "\\", "jan", "{x}", '"y"', " # "])


def _parts_or_error(parts):
    try:
        return list(parts)
    except OpmlbibError as exc:
        return exc.message


@settings(max_examples=500, deadline=None)
@given(RAW_VALUES)
def test_a_value_of_one_part_reads_as_it_reads_part_by_part(raw):
    assert _parts_or_error(_value_parts(raw)) == _parts_or_error(_read_value_parts(raw))


_FIELD_NAMES = st.text(alphabet=string.ascii_letters + "-_", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["article", "InProceedings"]), _FIELD_NAMES,
       st.lists(st.tuples(_FIELD_NAMES, texts(["{a}", "b", " ", "\n", "{", "}", "\u00e9"])), max_size=6))
def test_an_entry_is_laid_out_as_bibtexparser_lays_it_out(entry_type, key, fields):
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field
    from bibtexparser.writer import BibtexFormat

    layout = BibtexFormat()
    layout.indent, layout.value_column = "  ", "auto"
    library = Library([Entry(entry_type, key, [Field(name, value) for name, value in fields])])
    assert write_entry(entry_type, key, fields) == write_string(library, unparse_stack=[], bibtex_format=layout)


def test_a_name_or_value_read_again_reads_the_same_and_each_problem_is_warned_of_where_it_occurs():
    deep = "\\emph{" * 300 + "x" + "}" * 300
    text = "".join(f"@misc{{{key}, author = {{Doe, J, K, L and Ann van Lee and Ren\\'e Roe}}, note = {{{deep}}}}}\n"
                   for key in ("a", "b"))
    with pytest.warns(BibWarning) as caught:
        first, second = parse_bibtex(text, path="n.bib")
    messages = [str(warning.message) for warning in caught]
    for key, line in (("a", 1), ("b", 2)):
        assert f'n.bib:{line}: {key}: the name "Doe, J, K, L" Cannot split the following name `Doe, J, K, L` into ' \
               "parts: Too many commas" in messages
        assert any(message.startswith(f"n.bib:{line}: {key}: cannot read the LaTeX in") for message in messages)
    assert first.authors == second.authors
    assert [(a.given, a.von, a.family) for a in first.authors[1:]] == [("Ann", "van", "Lee"), ("René", "", "Roe")]
    assert first.extra == second.extra


TITLE_TEXT = texts(list("ab C{}$\\^_'\"`~=.-%&:") + ["\\'", "\\v", "{\\em", "\\LaTeX", "$x^2$", "{\\o}", "--", "\\emph{", "}}",
                                                   "{{", "Cu$_2$O", "\\\\", "\\c{c}", "\\H{o}", " ", "\t"])


@settings(max_examples=1500, deadline=None)
@given(TITLE_TEXT)
def test_a_title_read_alone_reads_as_the_full_reader_reads_it(value):
    from opmlbib.bibtex import ValueReader, _File, _title

    assert ValueReader().title(value) == _title(value, _File(None, [], []))[0]


# ------------------------------------------------------------- deferred records

_DATA = __import__("pathlib").Path(__file__).parent / "data"
# Entries whose decoding warns: a name bibtex cannot split, LaTeX the decoder cannot
# follow, a date that is not ISO 8601; one with a crossref that names no entry (a warning
# of reading, given at once).
_WARNING_ENTRIES = (
    "@misc{names, author = {Doe, J, K, L and Ann van Lee}, title = {T}}\n"
    "@misc{deep, title = {%s}}\n"
    "@misc{dated, date = {May 2019}, title = {When}}\n"
    "@misc{orphan, crossref = {nowhere}, title = {Alone}}\n" % ("\\emph{" * 300 + "x" + "}" * 300)
)


def _texts_to_defer():
    from .generated_bib import generate

    files = sorted(_DATA.rglob("*.bib"))
    texts = {file.relative_to(_DATA).as_posix(): file.read_text(encoding="utf-8") for file in files}
    return [*texts.items(), ("generated", generate(300, 7)), ("warnings", _WARNING_ENTRIES)]


_TEXTS_TO_DEFER = _texts_to_defer()
_TEXT_NAMES = [name for name, _ in _TEXTS_TO_DEFER]


def _parsed(text, deferred):
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = parse_bibtex(text, path="f.bib", deferred=deferred)
        # what the records say, read in order (a deferred record is decoded here)
        fields = [tuple(getattr(record, name) for name in Record.__dataclass_fields__ if name != "decoder")
                  for record in records]
    return records, fields, sorted(str(warning.message) for warning in caught)


@pytest.mark.parametrize(("name", "text"), _TEXTS_TO_DEFER, ids=_TEXT_NAMES)
def test_deferred_records_read_as_the_records_read_at_once_and_warn_alike(name, text):
    eager, eager_fields, eager_warnings = _parsed(text, deferred=False)
    deferred, deferred_fields, deferred_warnings = _parsed(text, deferred=True)
    assert deferred_fields == eager_fields
    assert deferred == eager and [hash(record) for record in deferred] == [hash(record) for record in eager]
    assert deferred_warnings == eager_warnings
    assert all(record.decoder is None for record in (*eager, *deferred))


@pytest.mark.parametrize(("name", "text"), _TEXTS_TO_DEFER, ids=_TEXT_NAMES)
def test_deferred_records_are_written_back_without_being_decoded_and_as_records_read_at_once(name, text):
    import warnings

    from opmlbib.formats import format_biblatex

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BibWarning)
        eager = parse_bibtex(text, path="f.bib")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            deferred = parse_bibtex(text, path="f.bib", deferred=True)
            reading = [str(warning.message) for warning in caught]
            bibtex, biblatex = format_bibtex(deferred), format_biblatex(deferred)
        assert [str(warning.message) for warning in caught] == reading  # nothing decoded, nothing more said
        assert all(record.decoder is not None for record in deferred)
        assert (bibtex, biblatex) == (format_bibtex(eager), format_biblatex(eager))


def test_a_deferred_record_is_decoded_once_when_a_decoded_value_is_first_read_and_warns_then():
    from dataclasses import replace

    with pytest.warns(BibWarning, match="orphan: crossref nowhere names no entry"):
        names, deep, dated, orphan = parse_bibtex(_WARNING_ENTRIES, path="w.bib", deferred=True)
    assert (names.key, names.entry_type, names.line, names.source.raw("title")) == ("names", "misc", 1, "{T}")
    with pytest.warns(BibWarning, match='w.bib:1: names: the name "Doe, J, K, L"'):
        assert names.authors[1].family == "Lee"
    assert names.decoder is None
    with pytest.warns(BibWarning, match=r"w.bib:2: deep: cannot read the LaTeX in .*; shown as written"):
        assert deep.venue.year is None  # any decoded field decodes them all
    with pytest.warns(BibWarning, match="w.bib:3: dated: date \"May 2019\" is not an ISO 8601 date"):
        moved = replace(dated, line=30)
    assert moved.line == 30 and moved.title == "When" and moved.decoder is None and type(moved) is Record
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert names.title == "T" and deep.title.startswith("\\emph{") and dated.title == "When"
        with pytest.raises(AttributeError):
            orphan.no_such_field  # noqa: B018
        assert orphan.title == "Alone"


def test_a_deferred_record_is_cached_as_its_decoded_record():
    from opmlbib import cache

    with pytest.warns(BibWarning):
        plain = cache._plain(parse_bibtex(_WARNING_ENTRIES, path="w.bib", deferred=True))
        eager = parse_bibtex(_WARNING_ENTRIES, path="w.bib")
    assert cache._typed(plain) == eager
