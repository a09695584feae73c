"""Hostile titles and names print literally through real BibTeX and LaTeX; nothing runs."""

import pytest

from opmlbib.bibtex import format_bibtex, parse_bibtex
from opmlbib.model import Author, Page, Record, Source, Venue

from .latex_tools import bibtex_document, bibtex_run, require, run

pytestmark = pytest.mark.latex

HOSTILE_TITLES = [
    "\\input{/etc/passwd} and more",
    "\\immediate\\write18{touch pwned} now",
    "\\def\\x{boom}\\x{} defined",
    "Unbalanced { brace",
    "Unbalanced } brace",
    "100% of $x_1$ & #2 ~ ^ done",
    "\\end{document} early",
]


def hostile_records():
    venue = Venue(booktitle="Proc. {\\bf Evil}", year=2020, month=1)
    out = [
        Record(
            title=title,
            authors=(Author("Mal\\def\\y{}lory", "O'Brien}{"), Author("E{ve", "\\relax")),
            venue=venue,
            first_page=Page(1, Source.TOC),
            key=f"evil{index}",
        )
        for index, title in enumerate(HOSTILE_TITLES)
    ]
    return out


def test_hostile_text_round_trips_through_our_writer_and_reader():
    records = hostile_records()
    back = parse_bibtex(format_bibtex(records))
    assert [r.title for r in back] == HOSTILE_TITLES
    assert [(a.given, a.family) for a in back[0].authors] == [("Mal\\def\\y{}lory", "O'Brien}{"), ("E{ve", "\\relax")]


def test_hostile_text_prints_literally_and_runs_nothing(tmp_path):
    require("pdflatex", "bibtex", "pdftotext")
    (tmp_path / "refs.bib").write_text(format_bibtex(hostile_records()))
    (tmp_path / "doc.tex").write_text(bibtex_document("plain"))
    blg = bibtex_run(tmp_path, "doc")
    assert "Warning--" not in blg and "error message" not in blg, blg
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "/etc/passwd" not in log  # \input never opened it
    assert "root:" not in log
    assert not (tmp_path / "pwned").exists()  # \write18 never ran
    assert "Output written on doc.pdf" in log
    bbl = (tmp_path / "doc.bbl").read_text()
    # Every entry made it into the bibliography; the commands are spelled as text.
    assert bbl.count("\\bibitem") == len(HOSTILE_TITLES)
    assert "{\\textbackslash}input{\\textbraceleft}/etc/passwd{\\textbraceright}" in bbl
    assert "\\input{" not in bbl and "\\write18" not in bbl and "\\def\\x" not in bbl
    # And the PDF shows them as typed.
    text = " ".join(run(tmp_path, "pdftotext", "doc.pdf", "-").stdout.split())
    for shown in ["\\input{/etc/passwd} and more", "\\def\\x{boom}\\x{} defined", "\\end{document} early",
                  "Unbalanced { brace", "Unbalanced } brace", "100% of", "& #2", "Mal\\def\\y{}lory", "E{ve \\relax",
                  "Proc. {\\bf Evil}"]:
        assert shown in text, shown
