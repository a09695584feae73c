import json

import pytest
from click.testing import CliRunner

from opmlbib.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_search_lists_ranked_candidates():
    result = run("search", "learning", "--limit", "3")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all("2019" in line for line in lines)


def test_search_json_has_the_promised_fields():
    result = run("search", "TonY", "--json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert items[0] == {
        "key": "hsu2019tony",
        "title": "TonY: An Orchestrator for Distributed Machine Learning Jobs",
        "authors": ["Anthony Hsu", "Keqiu Hu", "Jonathan Hung", "Arun Suresh", "Zhe Zhang"],
        "year": 2019,
        "pages": "39-41",
        "score": 100.0,
    }


def test_search_with_no_match_exits_1_with_suggestions():
    result = run("search", "Katib clusters")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no paper matches") and "zhou2019katib" in result.stderr


def test_search_nonsense_exits_1():
    result = run("search", "quantum chromodynamics on the lattice")
    assert result.exit_code == 1 and result.stdout == ""


@pytest.mark.parametrize("args", [["search"], ["search", "x", "--limit", "0"], ["show"]])
def test_usage_errors_exit_2(args):
    assert run(*args).exit_code == 2


def test_show_gives_every_figure_with_its_source():
    result = run("show", "knowledgenet")
    assert result.exit_code == 0
    out = result.stdout
    assert "Saman Biookaghazadeh, Arizona State University" in out
    assert "first page 47: table of contents (line 65)" in out
    assert "last page 49: publisher (Arizona State University repository record; 3 pages)" in out
    assert "the table of contents has 'Biokaghazadeh'" in out


def test_show_marks_inferred_and_unknown_last_pages():
    assert "last page 34: inferred (the next paper starts on page 35; an upper bound)" in run("show", "tensorflow tracing").stdout
    assert "last page: unknown" in run("show", "Stratum").stdout


def test_show_json():
    data = json.loads(run("show", "hsu2019tony", "--json").stdout)
    assert data["key"] == "hsu2019tony" and data["pages"] == "39-41" and data["date"] == "2019-05-20"
    assert {"field": "last page", "value": 41, "source": "publisher (USENIX record, the BibTeX on the paper's page at usenix.org)"} in data["sources"]


def test_show_ambiguous_lists_keys_and_exits_1():
    result = run("show", "Microsoft")
    assert result.exit_code == 1
    assert "zhang2019accelerating" in result.stderr and "soifer2019deep" in result.stderr
    assert run("show", "Microsoft", "--first").exit_code == 0


def test_search_and_show_on_a_users_bib(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@book{knuth1984, author = {Knuth, Donald E.}, title = {Literate Programming}, year = 1984}\n")
    result = run("search", "literate", "--bib", str(bib), "--json")
    assert json.loads(result.stdout)[0]["key"] == "knuth1984"
    shown = run("show", "Knuth", "--bib", str(bib))
    assert "Literate Programming" in shown.stdout and "type:" in shown.stdout


def test_missing_bib_is_an_error():
    result = run("search", "x", "--bib", "/nonexistent/mine.bib")
    assert result.exit_code == 1 and "mine.bib" in result.stderr
