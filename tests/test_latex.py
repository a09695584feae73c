"""refs.bib through real BibTeX and biber: no warnings, and titles keep their capitals."""

import pytest

from opmlbib.bibtex import format_bibtex
from opmlbib.library import default_records

from .latex_tools import bbl_text, biber_run, biblatex_document, bibtex_document, bibtex_run, latex_warnings, require

pytestmark = pytest.mark.latex


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "refs.bib").write_text(format_bibtex(default_records()), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("style", ["plain", "ieeetr", "acm"])
def test_bibtex_styles_accept_every_record_without_a_warning(folder, style):
    require("pdflatex", "bibtex")
    (folder / "doc.tex").write_text(bibtex_document(style))
    blg = bibtex_run(folder, "doc")
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert latex_warnings(folder, "doc") == []
    assert (folder / "doc.bbl").read_text().count("\\bibitem") == 16


def test_plain_keeps_the_protected_capitals(folder):
    require("pdflatex", "bibtex")
    (folder / "doc.tex").write_text(bibtex_document("plain"))
    bibtex_run(folder, "doc")
    text = bbl_text(folder, "doc")
    for expected in [
        "TonY: An orchestrator for distributed machine learning jobs",
        "Katib: A distributed general AutoML platform on Kubernetes",
        "through DeepCPU at Microsoft",
        "tensorflow-tracing: A performance tuning framework",
        "Continuous training for production ML in the TensorFlow Extended (TFX) platform",
        "MLOp lifecycle scheme for vision-based inspection process in manufacturing",
        "Saman Biookaghazadeh",
        "pages 39--41, Santa Clara, CA, May 2019. USENIX Association",
        "page~59, Santa Clara",  # a single page: plain.bst says "page"
    ]:
        assert expected in text


def test_biblatex_and_biber_accept_every_record_without_a_warning(folder):
    require("pdflatex", "biber")
    (folder / "doc.tex").write_text(biblatex_document())
    blg = biber_run(folder, "doc")
    assert "WARN" not in blg and "ERROR" not in blg, blg
    assert latex_warnings(folder, "doc") == []
    assert (folder / "doc.bbl").read_text().count("\\entry{") == 16
