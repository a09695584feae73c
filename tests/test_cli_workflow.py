"""The LaTeX workflow commands: ``aux``, ``add``, ``export`` formats and ``toc``."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from opmlbib.bibtex import format_bibtex, parse_bibtex
from opmlbib.cli import cli
from opmlbib.library import default_records

from .latex_tools import bibtex_run, pdflatex, require, run

DATA = Path(__file__).parent / "data"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def keys_of(text):
    return [record.key for record in parse_bibtex(text)]


# --------------------------------------------------------------------------- aux


def test_aux_writes_cited_entries_in_order_and_reports_foreign_keys():
    result = invoke("aux", DATA / "aux" / "bibtex-main.aux")
    assert result.exit_code == 0
    assert keys_of(result.stdout) == ["hsu2019tony", "zhou2019katib", "soifer2019deep"]
    assert "foreign2020x" in result.stderr
    assert "foreign2020x" not in result.stdout
    by_key = {r.key: r for r in default_records()}
    assert result.stdout == format_bibtex([by_key[k] for k in ("hsu2019tony", "zhou2019katib", "soifer2019deep")])


def test_aux_strict_fails_and_writes_nothing(tmp_path):
    out = tmp_path / "refs.bib"
    result = invoke("aux", DATA / "aux" / "bibtex-main.aux", "--strict", "-o", out)
    assert result.exit_code == 1
    assert "Error:" in result.stderr and "foreign2020x" in result.stderr
    assert not out.exists()


def test_aux_strict_passes_when_every_key_is_known():
    result = invoke("aux", DATA / "aux" / "biblatex.aux", "--strict")
    assert result.exit_code == 0
    assert keys_of(result.stdout) == ["zhou2019katib", "soifer2019deep"]


def test_aux_nocite_all_writes_every_record():
    result = invoke("aux", DATA / "aux" / "biblatex-nociteall.aux")
    assert result.exit_code == 0
    # The document cites hsu2019tony before \\nocite{*}: it stays first.
    rest = [r.key for r in default_records() if r.key != "hsu2019tony"]
    assert keys_of(result.stdout) == ["hsu2019tony", *rest]


def test_aux_output_is_never_replaced_without_force(tmp_path):
    out = tmp_path / "refs.bib"
    out.write_text("mine\n")
    result = invoke("aux", DATA / "aux" / "biblatex.aux", "-o", out)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert out.read_text() == "mine\n"
    result = invoke("aux", DATA / "aux" / "biblatex.aux", "-o", out, "--force")
    assert result.exit_code == 0
    assert keys_of(out.read_text()) == ["zhou2019katib", "soifer2019deep"]


def test_aux_with_a_users_bib(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@article{knuth1984,\n  author = {Knuth, Donald E.},\n  title = {Literate Programming},\n"
                   "  journal = {The Computer Journal},\n  year = {1984}\n}\n")
    aux = tmp_path / "doc.aux"
    aux.write_text("\\relax \n\\citation{knuth1984,hsu2019tony}\n")
    result = invoke("aux", aux, "--bib", bib)
    assert result.exit_code == 0
    assert keys_of(result.stdout) == ["knuth1984"]
    assert "hsu2019tony" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\x00\x01\x02", "binary data"), (b"plain words\n", "not a LaTeX .aux file")],
)
def test_aux_refuses_files_that_are_not_aux(tmp_path, content, message):
    path = tmp_path / "main.aux"
    path.write_bytes(content)
    result = invoke("aux", path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.latex
def test_pdflatex_bibtex_round_trip_through_aux(tmp_path):
    require("pdflatex", "bibtex")
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        "Orchestration \\cite{hsu2019tony}, tuning \\cite{zhou2019katib,hashemi2019tensorflowtracing} "
        "and elsewhere \\cite{lamport1994latex}.\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    first = pdflatex(tmp_path, "main")
    assert first.returncode == 0, first.stdout[-2000:]
    result = invoke("aux", tmp_path / "main.aux", "-o", tmp_path / "refs.bib")
    assert result.exit_code == 0
    assert "lamport1994latex" in result.stderr
    assert keys_of((tmp_path / "refs.bib").read_text()) == ["hsu2019tony", "zhou2019katib", "hashemi2019tensorflowtracing"]

    blg = bibtex_run(tmp_path, "main")
    warnings = [line for line in blg.splitlines() if line.startswith("Warning--")]
    assert warnings == ['Warning--I didn\'t find a database entry for "lamport1994latex"'], blg
    bbl = (tmp_path / "main.bbl").read_text()
    assert re.findall(r"\\bibitem\{(\w+)\}", bbl) == ["hashemi2019tensorflowtracing", "hsu2019tony", "zhou2019katib"]
    log = (tmp_path / "main.log").read_text(errors="replace")
    undefined = re.findall(r"Citation `([^']+)' .*undefined", log)
    assert undefined == ["lamport1994latex"]


# --------------------------------------------------------------------------- add


def test_add_creates_appends_skips_and_updates(tmp_path):
    path = tmp_path / "mine.bib"
    result = invoke("add", "hsu2019tony", "zhou2019katib", "--to", path)
    assert result.exit_code == 0
    assert result.stderr == f"Added hsu2019tony to {path}\nAdded zhou2019katib to {path}\n"
    first = path.read_bytes()

    result = invoke("add", "zhou2019katib", "soifer2019deep", "--to", path)
    assert result.exit_code == 0
    assert f"Skipped zhou2019katib: already in {path} (line " in result.stderr
    assert f"Added soifer2019deep to {path}" in result.stderr
    assert path.read_bytes().startswith(first)
    assert keys_of(path.read_text()) == ["hsu2019tony", "zhou2019katib", "soifer2019deep"]

    before = path.read_bytes()
    result = invoke("add", "zhou2019katib", "--to", path, "--update")
    assert result.exit_code == 0
    assert f"Replaced zhou2019katib in {path}" in result.stderr
    assert path.read_bytes() == before  # the record has not changed, so neither has its text


def test_add_unknown_key_is_an_error_and_the_file_is_untouched(tmp_path):
    path = tmp_path / "mine.bib"
    path.write_bytes(b"% keep\r\n")
    result = invoke("add", "hsu2019tony", "nosuchkey2019", "--to", path)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "nosuchkey2019" in result.stderr
    assert path.read_bytes() == b"% keep\r\n"


def test_add_needs_a_query_and_a_target(tmp_path):
    assert invoke("add", "--to", tmp_path / "x.bib").exit_code == 2
    assert invoke("add", "hsu2019tony").exit_code == 2


def test_add_to_a_write_protected_file(tmp_path):
    path = tmp_path / "mine.bib"
    path.write_text("% keep\n")
    path.chmod(0o444)
    result = invoke("add", "hsu2019tony", "--to", path)
    assert result.exit_code == 1 and "write-protected" in result.stderr
    assert path.read_text() == "% keep\n"
