import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
import rispy
from hypothesis import given, settings
from hypothesis import strategies as st

from opmlbib.bibtex import format_bibtex, parse_bibtex
from opmlbib.csljson import from_csl_json, to_csl_json
from opmlbib.errors import BibError
from opmlbib.formats import (
    FormatError,
    biber_safe,
    biblatex_fields,
    format_biblatex,
    format_ris,
    iso_date,
    render,
    ris_name,
)
from opmlbib.library import bib_records, default_records, toc_records
from opmlbib.model import Author, Record, Venue
from opmlbib.report import describe

from .latex_tools import biber_run, biblatex_document, require

TOC = Path(__file__).parent / "data" / "toc"
BY_KEY = {record.key: record for record in default_records()}


def netsys():
    return toc_records(TOC / "netsys21.txt")


def edgeml():
    return toc_records(TOC / "edgeml22.txt", TOC / "edgeml22.toml")


ALL_SETS = {"opml19": default_records, "netsys21": netsys, "edgeml22": edgeml}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [((2019, 5, 20), "2019-05-20"), ((2019, 5, None), "2019-05"), ((2019, None, None), "2019"),
     ((2019, None, 7), "2019"), ((None, 5, 20), None), ((987, 1, 2), "0987-01-02")],
)
def test_iso_date(parts, expected):
    assert iso_date(*parts) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"Garc{\'\i}a", r"Garc{\'{i}}a"),
        (r"Na{\"{\i}}ve", r"Na{\"{i}}ve"),
        (r"{\^\i}le {\u\j}", r"{\^{i}}le {\u{j}}"),
        (r"\'\item and \i alone", r"\'\item and \i alone"),
        (r"{\'e}t{\'e}", r"{\'e}t{\'e}"),
    ],
)
def test_biber_safe(text, expected):
    assert biber_safe(text) == expected


def test_biblatex_fields_of_a_proceedings_paper():
    entry_type, fields = biblatex_fields(BY_KEY["hsu2019tony"])
    assert entry_type == "inproceedings"
    assert dict(fields) == {
        "author": "{Hsu, Anthony and Hu, Keqiu and Hung, Jonathan and Suresh, Arun and Zhang, Zhe}",
        "title": "{{TonY}: An Orchestrator for Distributed Machine Learning Jobs}",
        "booktitle": "{2019 USENIX Conference on Operational Machine Learning (OpML 19)}",
        "eventtitle": "{OpML '19}",
        "eventdate": "{2019-05-20}",
        "venue": "{Santa Clara, CA}",
        "date": "{2019-05-20}",
        "pages": "{39--41}",
        "location": "{Santa Clara, CA}",
        "publisher": "{USENIX Association}",
        "isbn": "{978-1-939133-00-7}",
        "url": "{https://www.usenix.org/conference/opml19/presentation/hsu}",
    }
    assert "year" not in dict(fields) and "month" not in dict(fields) and "address" not in dict(fields)


def test_biblatex_fields_of_a_users_entries(tmp_path):
    path = tmp_path / "mine.bib"
    path.write_text(
        "@article{knuth1984, author = {Knuth, Donald E.}, title = {Literate Programming},\n"
        "  journal = {The Computer Journal}, year = 1984, month = may, volume = 27, pages = {97--111}}\n"
        "@phdthesis{doe2001, author = {Doe, Jane}, title = {A Thesis}, school = {MIT}, year = 2001,\n"
        "  url = {https://example.org/a_b%20c}}\n"
    )
    knuth, doe = bib_records(path)
    entry_type, fields = biblatex_fields(knuth)
    assert entry_type == "article"
    assert dict(fields) == {
        "author": "{Knuth, Donald E.}",
        "title": "{Literate Programming}",
        "date": "{1984-05}",
        "pages": "{97--111}",
        "journaltitle": "{The Computer Journal}",
        "volume": "{27}",
    }
    entry_type, fields = biblatex_fields(doe)
    assert entry_type == "thesis"
    assert dict(fields) == {
        "author": "{Doe, Jane}",
        "title": "{A Thesis}",
        "date": "{2001}",
        "url": r"{https://example.org/a_b\%20c}",
        "type": "{phdthesis}",
        "institution": "{MIT}",
    }


@pytest.mark.parametrize("name", sorted(ALL_SETS))
def test_biblatex_reads_back_to_the_same_text(name):
    records = ALL_SETS[name]()
    back = parse_bibtex(format_biblatex(records))
    assert [r.key for r in back] == [r.key for r in records]
    for record, read in zip(records, back, strict=True):
        assert read.title == record.title
        assert [(a.given, a.von, a.family, a.suffix) for a in read.authors] == [
            (a.given, a.von, a.family, a.suffix) for a in record.authors
        ]
        extra = dict(read.extra)
        assert extra["date"] == iso_date(record.venue.year, record.venue.month, record.venue.day)
        assert (read.venue.year, read.venue.month, read.venue.day) == (record.venue.year, record.venue.month, record.venue.day)
        assert read.venue.address == record.venue.address  # biblatex's location
        assert read.venue.booktitle == record.venue.booktitle
        assert read.pages == record.pages
        assert extra["eventtitle"] == record.venue.short_name


def test_greek_accents_and_specials_in_biblatex():
    text = format_biblatex(netsys())
    assert r"{Müller" not in text  # escaped, not raw UTF-8
    assert r"M{\"u}ller-{\L}ukasiewicz, Zo{\"e}" in text
    assert r"{{\ensuremath{\lambda}}-Calculus}" in text
    assert r"Queues {\&} Buffers: 50{\%} Less State for {\#}hashtags{\_}and {\textasciitilde}tildes" in text
    assert r"Garc{\'{i}}a, Ana" in text  # the spelling biber decodes to a printable letter


def test_last_paper_gets_its_first_page_only():
    last = netsys()[-1]
    assert dict(biblatex_fields(last)[1])["pages"] == "{25}"
    (entry,) = rispy.loads(format_ris([last]))
    assert entry["start_page"] == "25" and "end_page" not in entry


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        (Author("Ludwig", "Beethoven", von="van"), "van Beethoven, Ludwig"),
        (Author("Sam", "Smith", suffix="Jr."), "Smith, Sam, Jr."),
        (Author("", "Plato"), "Plato"),
        (Author("Zoë", "Müller-Łukasiewicz"), "Müller-Łukasiewicz, Zoë"),
    ],
)
def test_ris_name(author, expected):
    assert ris_name(author) == expected


@pytest.mark.parametrize("name", sorted(ALL_SETS))
def test_ris_round_trip_through_rispy(name):
    records = ALL_SETS[name]()
    entries = rispy.loads(format_ris(records))
    assert len(entries) == len(records)
    for record, entry in zip(records, entries, strict=True):
        venue = record.venue
        assert entry["type_of_reference"] == "CPAPER"
        assert entry["authors"] == [ris_name(a) for a in record.authors]
        assert entry["title"] == record.title
        assert entry["secondary_title"] == venue.booktitle
        assert entry["year"] == str(venue.year)
        assert entry["date"] == f"{venue.year}/{venue.month:02d}/{venue.day:02d}/"
        assert entry["start_page"] == str(record.first_page.number)
        assert entry.get("end_page") == (str(record.last_page.number) if record.last_page else None)
        assert entry["place_published"] == venue.address
        assert entry.get("publisher") == venue.publisher
        assert entry.get("issn") == venue.isbn
        assert entry.get("urls") == ([record.url] if record.url else None)


def test_ris_keeps_each_value_on_one_line_and_types_other_entries():
    record = replace(BY_KEY["hsu2019tony"], title="Two\nlines", entry_type="article",
                     extra=(("volume", "3"), ("number", "4")))
    (entry,) = rispy.loads(format_ris([record]))
    assert entry["title"] == "Two lines"
    assert entry["type_of_reference"] == "JOUR"
    assert (entry["volume"], entry["number"]) == ("3", "4")


@pytest.mark.parametrize("name", sorted(ALL_SETS))
def test_csl_json_round_trip_through_our_reader(name, tmp_path):
    records = ALL_SETS[name]()
    text = render(records, "csljson")
    items = json.loads(text)
    assert items == to_csl_json(records)
    back = from_csl_json(items)
    assert to_csl_json(back) == items
    # What CSL-JSON carries reaches BibTeX unchanged: only the provenance comments differ.
    path = tmp_path / "items.json"
    path.write_text(text, encoding="utf-8")
    without_comments = re.compile(r"^%.*\n", re.M)
    assert without_comments.sub("", format_bibtex(bib_records(path))) == without_comments.sub("", format_bibtex(records))


#: Items with what BibTeX's fields cannot carry: every name role, particles, literal names,
#: date ranges, seasons, circa, literal dates, types BibTeX lacks, numbers as written.
WORKS_BEYOND_BIBTEX = [
    {"id": "opera", "type": "song", "title": "Die Zauberflöte", "title-short": "Zauberflöte",
     "composer": [{"family": "Mozart", "given": "Wolfgang Amadeus"}],
     "author": [{"family": "Schikaneder", "given": "Emanuel"}],
     "translator": [{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van", "suffix": "Jr.",
                     "comma-suffix": True}],
     "issued": {"date-parts": [[1791, 9], [1791, 10]]}, "original-date": {"date-parts": [[1790]], "circa": 1},
     "language": "de-AT", "event": "Premiere", "event-place": "Vienna", "status": "forthcoming"},
    {"id": "page", "type": "webpage", "title": "A page", "container-title": "A site",
     "author": [{"literal": "World Health Organization"}, {"given": "Cher"},
                {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}],
     "issued": {"date-parts": [["2020"]], "season": 2}, "accessed": {"date-parts": [[2024, 1, 31]]},
     "page": "01790", "volume": 12, "URL": "https://example.org"},
    {"id": "law", "type": "legislation", "title": "An act", "issued": {"literal": "Michaelmas term, 1925"},
     "container-author": [{"family": "Roe", "given": "Jo", "isInstitution": "true"}],
     "multi": {"_keys": {"title": {"fr": "Une loi"}}}},
    {"id": "note", "type": "personal_communication", "recipient": [{"family": "Doe", "given": "Jane"}],
     "issued": {"raw": "2001-2002"}},
]


def test_csl_json_in_gives_the_same_items_out():
    records = from_csl_json(json.loads(json.dumps(WORKS_BEYOND_BIBTEX)))
    assert to_csl_json(records) == WORKS_BEYOND_BIBTEX
    # what the code needs is typed: the title, the authors, the year
    opera, page, law, note = records
    assert (opera.title, opera.year, [a.family for a in opera.authors]) == ("Die Zauberflöte", 1791, ["Schikaneder"])
    assert page.authors[0] == Author("", "World Health Organization", literal=True)
    assert page.authors[1] == Author("", "Cher")  # a mononym: the family name BibTeX and RIS need
    assert page.authors[2].von == "van" and page.year == 2020
    assert law.year is None and note.title == ""
    # and the rest as it came, names and dates in the model's own types
    translator = dict(opera.csl)["translator"]
    assert translator[0].dropping == "van" and translator[0].options == (("comma-suffix", True),)
    assert dict(opera.csl)["issued"].parts == ((1791, 9), (1791, 10))
    assert dict(law.csl)["issued"].literal == "Michaelmas term, 1925"
    # show lists them
    shown = describe(opera)["csl"]
    assert "composer: Wolfgang Amadeus Mozart" in shown and "issued: 1791-09/1791-10" in shown
    assert "original-date: circa 1790" in shown and "type: song" in shown


def test_csl_json_ids_are_text_and_a_repeated_id_replaces_the_earlier_item():
    items = [{"id": 1, "title": "One"}, {"id": "a", "title": "First"}, {"id": "A", "title": "Second"}]
    with pytest.warns(UserWarning, match="item 3: the id A is used again"):
        records = from_csl_json(items)
    assert [(r.key, r.title) for r in records] == [("1", "One"), ("A", "Second")]
    assert to_csl_json(records) == [{"id": "1", "title": "One"}, {"id": "A", "title": "Second"}]


def test_csl_json_from_elsewhere():
    items = [{
        "id": "doe2020", "type": "article-journal", "title": "On <span class=\"nocase\">LaTeX</span>: A Study",
        "author": [{"family": "Doe", "given": "Jane"}, {"literal": "The ACME Team"},
                   {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van", "suffix": "Jr."}],
        "container-title": "Journal of Things", "issued": {"date-parts": [["2020", "3"]]}, "page": "e1234",
        "DOI": "10.1/x",
    }]
    (record,) = from_csl_json(items)
    assert record.title == "On LaTeX: A Study" and record.case_protected == ("LaTeX",)
    assert [a.display for a in record.authors] == ["Jane Doe", "The ACME Team", "Ludwig van Beethoven, Jr."]
    assert (record.entry_type, record.year, record.venue.month) == ("article", 2020, 3)
    assert record.venue.booktitle == "" and record.first_page is None
    assert record.extra == (("pages", "e1234"), ("journal", "Journal of Things"))
    assert record.doi == "10.1/x"


def test_a_users_entries_reach_csl_with_their_journal_volume_issue_and_editors(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{a, author={Smith, Jo}, title={T}, journal={J. Things}, volume=21, number=3, pages={1--30}, year=2020}\n"
        "@incollection{b, author={Doe, Al}, editor={Roe, Ed and {ACME Editors}}, title={C}, booktitle={The Book},"
        " publisher={P}, series={LNCS}, edition={2}, year=2021}\n"
        "@techreport{c, author={Poe, Ann}, title={R}, institution={Lab}, number={TR-7}, type={Memo}, year=2022}\n"
        "@misc{d, author={Lee, Kim}, title={W}, howpublished={\\url{https://example.org/x_y}}, year=2023}\n",
        encoding="utf-8",
    )
    records = bib_records(bib)
    items = {item["id"]: item for item in to_csl_json(records)}
    assert {k: items["a"][k] for k in ("container-title", "volume", "issue", "page")} == {
        "container-title": "J. Things", "volume": "21", "issue": "3", "page": "1-30"}
    assert items["b"]["editor"] == [{"family": "Roe", "given": "Ed"}, {"family": "ACME Editors"}]
    assert (items["b"]["collection-title"], items["b"]["edition"], items["b"]["publisher"]) == ("LNCS", "2", "P")
    assert (items["c"]["number"], items["c"]["genre"], items["c"]["publisher"]) == ("TR-7", "Memo", "Lab")
    assert items["d"]["URL"] == "https://example.org/x_y"
    # and back: CSL-JSON read again gives the same items and the same BibTeX fields
    back = from_csl_json(json.loads(render(records, "csljson")))
    assert to_csl_json(back) == list(items.values())
    assert [r.editors for r in back] == [r.editors for r in records]
    # editors in every format
    (b,) = [r for r in records if r.key == "b"]
    assert "editor    = {Roe, Ed and {ACME Editors}}" in format_bibtex([b])
    assert "editor    = {Roe, Ed and {ACME Editors}}" in format_biblatex([b])
    assert rispy.loads(format_ris([b]))[0]["secondary_authors"] == ["Roe, Ed", "ACME Editors"]


@pytest.mark.parametrize(
    "items, message",
    [
        ({"id": "x"}, "must be a list"),
        (["x"], "item 1 is not an object"),
        ([{"title": "x"}], "item 1 has no id"),
        ([{"id": "a"}, {"id": "b", "title": ["x"]}], r"item 2 \(b\): title must be text"),
        ([{"id": "a", "author": "Jane Doe"}], r"item 1 \(a\): author must be a list of names"),
        ([{"id": "a", "translator": [{"family": "Doe"}, "Jane"]}], r"translator must be a list of names"),
    ],
)
def test_csl_json_errors(items, message):
    with pytest.raises(BibError, match=message):
        from_csl_json(items, path="x.json")


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and "<" not in t),
       family=st.text(min_size=1, max_size=12).filter(str.strip))
def test_csl_json_round_trips_any_unicode(title, family):
    record = replace(BY_KEY["hsu2019tony"], title=title, authors=(Author("Ada", family),), case_protected=())
    (back,) = from_csl_json(json.loads(render([record], "csljson")))
    assert back.authors[0].family == family
    assert to_csl_json([back]) == to_csl_json([record])


def test_render_dispatch():
    records = default_records()[:2]
    assert render(records, "biblatex") == format_biblatex(records)
    assert render(records, "ris") == format_ris(records)
    assert render(records, "csljson") == json.dumps(to_csl_json(records), indent=2, ensure_ascii=False) + "\n"
    with pytest.raises(FormatError, match="unknown format"):
        render(records, "endnote")


@pytest.mark.latex
@pytest.mark.parametrize("name", sorted(ALL_SETS))
def test_biber_validates_the_biblatex_data_model(tmp_path, name):
    require("biber")
    (tmp_path / "refs.bib").write_text(format_biblatex(ALL_SETS[name]()), encoding="utf-8")
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-directory", str(tmp_path), "refs.bib"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not re.search(r"WARN|ERROR", result.stdout + result.stderr), result.stdout


@pytest.mark.latex
def test_biber_validation_is_not_vacuous(tmp_path):
    # The same check reports a field outside the data model and a bad date.
    require("biber")
    bad = replace(BY_KEY["hsu2019tony"], extra=(("bogus", "x"),))
    text = format_biblatex([bad]).replace("2019-05-20", "2019-13-45")
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["biber", "--tool", "--validate-datamodel", "--output-directory", str(tmp_path), "refs.bib"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    warnings = [line for line in result.stdout.splitlines() if "WARN" in line]
    assert any("bogus" in line for line in warnings)
    assert any("2019-13-45" in line for line in warnings)


def test_biblatex_fields_reach_their_csl_variables(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@book{tolstoy, author={Tolstoy, Leo}, title={War and Peace}, subtitle={A Novel}, shorttitle={War},\n"
        "  translator={Maude, Louise and {The Maude Translators}}, origdate={1869}, urldate={2024-02-03},\n"
        "  langid={british}, pubstate={reprint}, origlanguage={russian}, pagetotal={1392}, date={2010}}\n"
        "@online{page, author={Doe, Jane}, title={A Page}, url={https://example.org}, eventdate={2019-05-20/2019-05-22},\n"
        "  eventtitle={OpML '19}, venue={Santa Clara}}\n"
        "@inbook{part, bookauthor={Marx, Karl}, title={Part One}, booktitle={Capital}, year=1867}\n"
        "@article{paper, author={Roe, Ann}, title={Paper}, journaltitle={J}, eprint={1234.5678}, eprinttype={arxiv},\n"
        "  entrysubtype={magazine}, year=2020}\n",
        encoding="utf-8",
    )
    items = {item["id"]: item for item in to_csl_json(bib_records(bib))}
    tolstoy = items["tolstoy"]
    assert tolstoy["title"] == "War and Peace: A Novel" and tolstoy["title-short"] == "War"
    assert tolstoy["translator"] == [{"family": "Maude", "given": "Louise"}, {"family": "The Maude Translators"}]
    assert tolstoy["original-date"] == {"date-parts": [[1869]]} and tolstoy["accessed"] == {"date-parts": [[2024, 2, 3]]}
    assert (tolstoy["language"], tolstoy["status"], tolstoy["number-of-pages"]) == ("en-GB", "reprint", "1392")
    page = items["page"]
    assert page["type"] == "webpage" and page["event-date"] == {"date-parts": [[2019, 5, 20], [2019, 5, 22]]}
    assert (page["event-title"], page["event-place"]) == ("OpML '19", "Santa Clara")
    assert items["part"]["container-author"] == [{"family": "Marx", "given": "Karl"}] and items["part"]["type"] == "chapter"
    assert items["paper"]["URL"] == "https://arxiv.org/abs/1234.5678" and items["paper"]["type"] == "article-magazine"
    # and the engine prints them
    from opmlbib.cite import cite

    text = cite([r for r in bib_records(bib) if r.key == "tolstoy"], style="chicago-author-date")
    assert "Translated by Louise Maude and The Maude Translators" in text


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("k}@misc{inj, title={Injected}", 'it holds "}"'),
        ("\\csname @@input\\endcsname/etc/passwd\\relax", 'it holds "\\"'),
        ("\\input", 'it holds "\\"'),
        ("two words", "it holds white space"),
        ("a,b", 'it holds ","'),
        ("x" * 201, "it is 201 characters long (at most 200)"),
    ],
)
def test_a_csl_json_id_bibtex_cannot_hold_is_an_error_naming_the_item(key, problem):
    from opmlbib.csljson import from_csl_json

    with pytest.raises(BibError) as caught:
        from_csl_json([{"id": "fine:key/1", "type": "book", "title": "T"}, {"id": key, "type": "book", "title": "T"}], path="in.json")
    assert str(caught.value) == f'in.json: item 2: the id "{key[:60]}" cannot be a citation key: {problem}'


def test_a_given_name_starting_with_a_special_character_gets_its_initial_in_biblatex():
    from opmlbib.bibtex import parse_bibtex
    from opmlbib.formats import biblatex_name

    hostile = Author("}x", "Doe", von="van", suffix="Jr.")
    assert biblatex_name(hostile) == (
        "family={Doe}, given={{\\textbraceright}x}, given-i={{\\textbraceright}}, prefix={van}, suffix={Jr.}"
    )
    assert biblatex_name(Author("Jane", "Doe")) == "Doe, Jane"
    # and opmlbib reads biblatex's extended name format back
    (record,) = parse_bibtex("@book{k, author = {" + biblatex_name(hostile) + " and Roe, Rick}, title = {T}}")
    assert [(a.given, a.von, a.family, a.suffix) for a in record.authors] == [("}x", "van", "Doe", "Jr."), ("Rick", "", "Roe", "")]


@pytest.mark.latex
def test_biber_and_pdflatex_take_given_names_that_start_with_special_characters(tmp_path):
    from opmlbib.formats import format_biblatex

    require("pdflatex", "biber")
    people = tuple(Author(given, "Doe") for given in ("}x", "{w", "\\y", "~z"))
    record = Record(title="T", authors=people, venue=Venue(booktitle="", year=2020), key="k1", entry_type="book")
    (tmp_path / "refs.bib").write_text(format_biblatex([record]))
    (tmp_path / "doc.tex").write_text(biblatex_document())
    blg = biber_run(tmp_path, "doc")
    assert "WARN" not in blg and "ERROR" not in blg, blg
