"""The LaTeX workflow commands: ``aux``, ``add``, ``export`` formats and ``toc``."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from opmlbib.bibtex import format_bibtex, parse_bibtex
from opmlbib.cli import cli
from opmlbib.library import default_records

from .latex_tools import bbl_text, biber_run, bibtex_run, latex_warnings, pdflatex, require

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


def test_aux_in_biblatex_format():
    from opmlbib.formats import format_biblatex

    result = invoke("aux", DATA / "aux" / "biblatex.aux", "--format", "biblatex")
    assert result.exit_code == 0
    by_key = {r.key: r for r in default_records()}
    assert result.stdout == format_biblatex([by_key["zhou2019katib"], by_key["soifer2019deep"]])


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


# ------------------------------------------------------------------------ export


def test_plain_export_is_the_bibtex_of_every_record():
    plain = invoke("export")
    assert plain.exit_code == 0
    assert plain.stdout == format_bibtex(default_records())
    assert invoke("export", "--format", "bibtex").stdout == plain.stdout


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex", "csljson", "ris"])
def test_export_selected_records_in_each_format(fmt):
    from opmlbib.formats import render

    result = invoke("export", "soifer2019deep", "hsu2019tony", "soifer2019deep", "--format", fmt)
    assert result.exit_code == 0
    by_key = {r.key: r for r in default_records()}
    assert result.stdout == render([by_key["soifer2019deep"], by_key["hsu2019tony"]], fmt)


def test_export_unknown_key_and_unknown_format():
    result = invoke("export", "nosuchkey2019")
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and "nosuchkey2019" in result.stderr
    assert invoke("export", "--format", "endnote").exit_code == 2


def test_export_and_add_resolve_queries_and_refuse_ambiguous_ones(tmp_path):
    result = invoke("export", "katib", "TonY")
    assert result.exit_code == 0
    assert keys_of(result.stdout) == ["zhou2019katib", "hsu2019tony"]

    ambiguous = invoke("export", "microsoft")
    assert ambiguous.exit_code == 1 and ambiguous.stdout == ""
    assert "zhang2019accelerating" in ambiguous.stderr and "soifer2019deep" in ambiguous.stderr
    best = invoke("export", "microsoft", "--first")
    assert best.exit_code == 0 and len(keys_of(best.stdout)) == 1

    path = tmp_path / "mine.bib"
    assert invoke("add", "microsoft", "--to", path).exit_code == 1
    assert not path.exists()
    result = invoke("add", "katib", "--to", path)
    assert result.exit_code == 0 and keys_of(path.read_text()) == ["zhou2019katib"]


def test_export_never_replaces_a_file_without_force(tmp_path):
    out = tmp_path / "out.ris"
    out.write_text("mine\n")
    result = invoke("export", "--format", "ris", "-o", out)
    assert result.exit_code == 1 and "--force" in result.stderr
    assert out.read_text() == "mine\n"
    result = invoke("export", "--format", "ris", "-o", out, "--force")
    assert result.exit_code == 0 and "Wrote 16 records" in result.stderr
    assert out.read_text().count("TY  - CPAPER") == 16


def test_export_with_a_users_bib(tmp_path):
    bib = tmp_path / "mine.bib"
    bib.write_text("@book{lamport1994, author = {Lamport, Leslie}, title = {{\\LaTeX}: A Document Preparation System},\n"
                   "  publisher = {Addison-Wesley}, year = 1994}\n")
    result = invoke("export", "--bib", bib, "--format", "biblatex")
    assert result.exit_code == 0
    # the values as the file has them, under biblatex's names where it spells them otherwise
    assert result.stdout == (
        "@book{lamport1994,\n  author    = {Lamport, Leslie},\n"
        "  title     = {{\\LaTeX}: A Document Preparation System},\n"
        "  publisher = {Addison-Wesley},\n  year      = 1994\n}\n"
    )
    assert invoke("export", "--bib", tmp_path / "none.bib").exit_code == 1


# --------------------------------------------------------------------------- toc


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("netsys21", [
            ("mullerlukasiewicz2021uberfast", "Über-fast Ω-Routing with λ-Calculus", "1-6"),
            ("garcia2021scaling", "Scaling to 10k Tenants", "7-12"),
            ("astrom2021queues", "Queues & Buffers: 50% Less State for #hashtags_and ~tildes", "13-20"),
            ("zhang2021rethinking", "Rethinking TCP for 400G Networks", "21-24"),
            ("rausch2021last", "The Last Paper on σ-Algebras and Δ-Coding", "25"),
        ]),
        ("edgeml22", [
            ("perez2022batching", "μ-Batching & β-VAEs on Microcontrollers", "97-100"),
            ("gross2022top5", "Top-5 Accuracy Is Not Enough for 2022 Models", "101-108"),
            ("curiesklodowska2022pricing", "Pricing $5 Models^2 with C:\\Paths and {Braces}", "109-116"),
            ("lhopital2022efficient", "Efficient α–β Pruning for ≥ 8-bit Networks", "117"),
        ]),
    ],
)
def test_toc_command_splits_glued_pages_and_keeps_special_characters(name, expected):
    result = invoke("toc", DATA / "toc" / f"{name}.txt")
    assert result.exit_code == 0, result.output
    assert [(r.key, r.title, r.pages) for r in parse_bibtex(result.stdout)] == expected


def test_toc_authors_groups_and_affiliations():
    import json

    records = parse_bibtex(invoke("toc", DATA / "toc" / "netsys21.txt").stdout)
    assert [a.display for a in records[0].authors] == ["Zoë Müller-Łukasiewicz", "Jean-François Côté", "Bjørn Ødegård"]
    assert [a.display for a in records[1].authors] == ["Ana García", "José Núñez", "Paul Rausch", "Sam Smith, Jr."]
    assert [a.display for a in records[3].authors] == ["Wei Zhang", "Li Na", "Kai Chen", "Ömer Şahin"]
    assert json.dumps([a.display for a in records[4].authors], ensure_ascii=False) == '["Paul Rausch", "Élodie Dupré"]'


def test_toc_with_meta_and_every_format(tmp_path):
    toc_file, meta = DATA / "toc" / "edgeml22.txt", DATA / "toc" / "edgeml22.toml"
    bib = invoke("toc", toc_file, "--meta", meta)
    records = parse_bibtex(bib.stdout)
    assert [r.pages for r in records] == ["97-100", "101-104", "109-116", "117-120"]
    assert records[1].url == "https://example.org/edgeml22/gross"
    assert records[0].venue.publisher == "Edge & Co. Press"

    ris = invoke("toc", toc_file, "--meta", meta, "--format", "ris")
    import rispy

    entries = rispy.loads(ris.stdout)
    assert [e["title"] for e in entries] == [r.title for r in records]
    assert [e["authors"][0] for e in entries] == ["Pérez, Ana Sofía", "Groß, Jürgen", "Curie-Skłodowska, Marie", "L'Hôpital, François"]
    assert entries[1]["authors"][1] == "van der Berg, Jan"

    out = tmp_path / "edge.bib"
    result = invoke("toc", toc_file, "--meta", meta, "--format", "biblatex", "-o", out)
    assert result.exit_code == 0 and "Wrote 4 records" in result.stderr
    assert "eventtitle = {EdgeML '22}" in out.read_text()
    assert invoke("toc", toc_file, "-o", out).exit_code == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty file"),
        ("X '21: A Workshop\nJune 3, 2021\nSomewhere\n\nA Title7\n", "no author line"),
        ("X '21: A Workshop\nJune 3, 2021\nSomewhere\n\nFirst Paper9\nA B, *C*\n\nSecond Paper5\nD E, *F*\n", "pages go backwards"),
    ],
)
def test_toc_errors_name_the_file(tmp_path, content, message):
    path = tmp_path / "toc.txt"
    path.write_text(content)
    result = invoke("toc", path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}") and message in result.stderr
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- biblatex + biber


@pytest.mark.latex
def test_pdflatex_biber_round_trip_with_biblatex_export(tmp_path):
    require("pdflatex", "biber")
    result = invoke("export", "--format", "biblatex", "-o", tmp_path / "refs.bib")
    assert result.exit_code == 0
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n"
        "See \\cite{hsu2019tony}, \\cite{zhou2019katib} and \\cite{bhattacharjee2019stratum}.\n"
        "\\printbibliography\n\\end{document}\n"
    )
    blg = biber_run(tmp_path, "main")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert latex_warnings(tmp_path, "main") == []
    bbl = (tmp_path / "main.bbl").read_text()
    assert re.findall(r"\\entry\{(\w+)\}", bbl) == ["bhattacharjee2019stratum", "hsu2019tony", "zhou2019katib"]
    assert "\\field{eventtitle}{OpML '19}" in bbl
    assert "\\field{eventyear}{2019}" in bbl and "\\field{eventday}{20}" in bbl
    assert "\\list{location}{1}{%\n        {Santa Clara, CA}%" in bbl
    assert "\\field{pages}{59}" in bbl and "\\field{pages}{39\\bibrangedash 41}" in bbl


@pytest.mark.latex
def test_pdflatex_biber_typeset_accents_specials_and_greek_from_tables_of_contents(tmp_path):
    require("pdflatex", "biber")
    for name, extra in (("netsys21", []), ("edgeml22", ["--meta", DATA / "toc" / "edgeml22.toml"])):
        result = invoke("toc", DATA / "toc" / f"{name}.txt", *extra, "--format", "biblatex", "-o", tmp_path / f"{name}.bib")
        assert result.exit_code == 0
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{netsys21.bib}\n\\addbibresource{edgeml22.bib}\n\\begin{document}\n"
        "All of them.\\nocite{*}\n\\printbibliography\n\\end{document}\n"
    )
    blg = biber_run(tmp_path, "main")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert latex_warnings(tmp_path, "main") == []
    bbl = (tmp_path / "main.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\entry{") == 9
    # biber decodes the escapes to the letters themselves (some in a brace group: Sk{ł}odowska).
    plain = bbl_text(tmp_path, "main")
    for name in ["Müller-Łukasiewicz", "García", "Sofía", "Groß", "Đoković", "Åström", "Şahin", "Curie-Skłodowska"]:
        assert name in plain, name
    for title in [
        "Queues {\\&} Buffers: 50{\\%} Less State for {\\#}hashtags{\\_}and {\\textasciitilde}tildes",
        "Über-fast {{\\ensuremath{\\Omega}}-Routing} with {{\\ensuremath{\\lambda}}-Calculus}",
        "Efficient {\\ensuremath{\\alpha}}{–}{\\ensuremath{\\beta}} Pruning for {\\ensuremath{\\geq}} 8-bit Networks",
    ]:
        assert f"\\field{{title}}{{{title}}}" in bbl, title


@pytest.mark.latex
@pytest.mark.parametrize("style", ["plain", "ieeetr"])
def test_bibtex_accepts_tables_of_contents_without_a_warning(tmp_path, style):
    require("pdflatex", "bibtex")
    for name, extra in (("netsys21", []), ("edgeml22", ["--meta", DATA / "toc" / "edgeml22.toml"])):
        result = invoke("toc", DATA / "toc" / f"{name}.txt", *extra, "-o", tmp_path / f"{name}.bib")
        assert result.exit_code == 0
    (tmp_path / "main.tex").write_text(
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\begin{document}\nAll.\\nocite{*}\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{netsys21,edgeml22}}\n\\end{{document}}\n"
    )
    blg = bibtex_run(tmp_path, "main")
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert latex_warnings(tmp_path, "main") == []
    text = bbl_text(tmp_path, "main")
    assert text.count("\\bibitem") == 9
    assert re.search(r"(?:page|p\.)~25,", text)  # the last paper: its first page only
    raw = " ".join((tmp_path / "main.bbl").read_text().split())
    assert "50{\\%} less state for {\\#}hashtags{\\_}and {\\textasciitilde}tildes" in raw
    assert "{{\\ensuremath{\\sigma}}-Algebras}" in raw


def test_export_csljson_is_what_cite_formats_and_reads_back_as_a_library(tmp_path):
    exported = invoke("export", "--format", "csljson")
    assert exported.exit_code == 0
    assert invoke("export", "hsu2019tony", "--format", "csljson").stdout == invoke(
        "cite", "hsu2019tony", "--format", "csljson").stdout
    items = tmp_path / "library.json"
    items.write_text(exported.stdout, encoding="utf-8")
    assert invoke("cite", "TonY", "--bib", str(items)).stdout == invoke("cite", "TonY").stdout
    assert invoke("search", "Katib", "--bib", str(items), "--json").exit_code == 0


# ------------------------------------------------------------------ a user's own .bib

USERS_BIB = r"""@string{cec = "Proc. Congress on Evolutionary Computation"}
@string{lncs = "LNCS"}
@inproceedings{kid1, author = {Doe, Jane}, title = {Monte {C}arlo {M}arkov Methods}, pages = {1--9}, crossref = {CEC_2002}}
@inproceedings{kid2, author = {Roe, Rick}, title = {Lee \& Low}, pages = {091001}, crossref = {CEC_2002}, note = {See \cite{kid1}}}
@article{solo, author = {Poe, Ed}, title = {Cu$_2$O Films}, journal = {J. Films}, year = 1999, series = lncs}
@proceedings{CEC_2002, title = cec, year = 2002, editor = {Ann Editor}, publisher = {IEEE}}
"""


@pytest.fixture()
def users_bib(tmp_path):
    path = tmp_path / "mine.bib"
    path.write_text(USERS_BIB, encoding="utf-8")
    return path


def test_aux_brings_the_crossref_parents_after_the_entries_that_need_them(users_bib, tmp_path):
    aux = tmp_path / "paper.aux"
    aux.write_text("\\relax\n\\citation{CEC_2002}\n\\citation{kid2}\n\\bibdata{mine}\n")
    result = invoke("aux", aux, "--bib", users_bib)
    assert result.exit_code == 0, result.output
    assert keys_of(result.stdout) == ["kid2", "CEC_2002"]
    assert result.stdout.startswith('@string{cec = "Proc. Congress on Evolutionary Computation"}\n\n')
    assert "lncs" not in result.stdout  # a definition no written entry uses stays out


def test_several_bib_files_form_one_library(users_bib, tmp_path):
    other = tmp_path / "other.bib"
    other.write_text("@misc{extra, title = {Another Thing}, author = {Zed, Zoe}}\n")
    result = invoke("export", "--bib", users_bib, "--bib", other)
    assert result.exit_code == 0 and keys_of(result.stdout) == ["kid1", "kid2", "solo", "CEC_2002", "extra"]
    clash = tmp_path / "clash.bib"
    clash.write_text("\n@misc{SOLO, title = {Same key}}\n")
    result = CliRunner().invoke(cli, ["export", "--bib", str(users_bib), "--bib", str(clash)])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {clash}:2: the key SOLO is also in {users_bib}:5; keys must be unique across the files\n"


def test_cite_show_and_csljson_see_inherited_fields_and_kept_meaning(users_bib):
    result = invoke("cite", "kid1", "kid2", "solo", "--bib", users_bib)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "[1] Jane Doe. Monte Carlo Markov methods. In Ann Editor, editor, Proc. Congress on Evolutionary "
        "Computation, pages 1–9. IEEE, 2002.",
        "[2] Ed Poe. Cu₂O films. J. Films, 1999.",
        "[3] Rick Roe. Lee & low. In Ann Editor, editor, Proc. Congress on Evolutionary Computation, page "
        "091001. IEEE, 2002. See \\cite{kid1}.",
    ]
    shown = invoke("show", "kid2", "--bib", users_bib, "--json")
    assert '"booktitle": "Proc. Congress on Evolutionary Computation"' in shown.stdout
    assert '"pages": "091001"' in shown.stdout and '"date": "2002"' in shown.stdout


def test_warnings_about_a_users_file_are_one_line_each_and_the_command_goes_on(tmp_path):
    path = tmp_path / "odd.bib"
    path.write_text("@misc{a, title = {Fine}, journal = nosuch}\n\n@misc{b, title = {Broken}\n")
    result = CliRunner().invoke(cli, ["export", "--bib", str(path)])
    assert result.exit_code == 0
    # the entry that never closes is read as far as it goes, as bibtex reads it, and kept as written
    assert "journal = nosuch" in result.stdout and result.stdout.endswith("@misc{b, title = {Broken}\n")
    assert result.stderr.splitlines() == [
        f"Warning: {path}:3: b: cannot parse this entry (Unexpectedly reached end of file); read as bibtex reads it, "
        "up to the field that breaks it (title), and written back as it is",
        f"Warning: {path}:1: a: field journal: @string macro nosuch is not defined (read as empty, as bibtex reads it)",
    ]


def test_add_from_a_users_bib_brings_the_macros_the_target_lacks(users_bib, tmp_path):
    target = tmp_path / "paper.bib"
    target.write_text('@string{cec = "Mine"}\n')
    result = invoke("add", "kid1", "solo", "--bib", users_bib, "--to", target)
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith('@string{cec = "Mine"}\n\n@string{lncs = "LNCS"}\n\n@inproceedings{kid1,')
    assert "  series  = lncs\n" in text


@pytest.mark.latex
def test_bibtex_reads_the_aux_output_of_a_users_bib_without_a_warning(users_bib, tmp_path):
    require("pdflatex", "bibtex")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\cite{kid1,kid2}\n"
        "\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    assert pdflatex(tmp_path, "paper").returncode == 0
    assert invoke("aux", tmp_path / "paper.aux", "--bib", users_bib, "-o", tmp_path / "refs.bib").exit_code == 0
    blg = bibtex_run(tmp_path, "paper")
    assert "Warning" not in blg and "error" not in blg.lower(), blg
    bbl = bbl_text(tmp_path, "paper")
    assert "Proc. Congress on Evolutionary Computation" in bbl and "pages 1--9" in bbl


def test_csljson_and_ris_of_a_users_bib_carry_issn_dates_and_inherited_fields(users_bib, tmp_path):
    import json

    path = tmp_path / "j.bib"
    path.write_text("@article{j, title = {T}, author = {Doe, J.}, journal = {J}, issn = {1234-5678}, year = {1982--1983}}\n")
    (item,) = json.loads(invoke("export", "--bib", path, "--format", "csljson").stdout)
    assert item["ISSN"] == "1234-5678" and item["issued"] == {"date-parts": [[1982], [1983]]}
    assert "SN  - 1234-5678" in invoke("export", "--bib", path, "--format", "ris").stdout
    ris = invoke("export", "kid1", "--bib", users_bib, "--format", "ris").stdout
    assert "T2  - Proc. Congress on Evolutionary Computation" in ris and "PY  - 2002" in ris
