"""Running real LaTeX, BibTeX and biber from tests.

The tools are required where CI runs (``CI`` set): a missing tool fails there instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def require(*tools: str) -> None:
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        message = f"needs {', '.join(missing)} (Debian: texlive-latex-base, texlive-latex-recommended, texlive-bibtex-extra, biber, poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def run(folder: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, errors="replace", timeout=300, stdin=subprocess.DEVNULL
    )


def pdflatex(folder: Path, name: str) -> subprocess.CompletedProcess:
    return run(folder, "pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", f"{name}.tex")


def bibtex_document(style: str, bib: str = "refs", cite: str = "*") -> str:
    return (
        "\\documentclass{article}\n\\begin{document}\nSee \\nocite{" + cite + "}.\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{{bib}}}\n\\end{{document}}\n"
    )


def biblatex_document(bib: str = "refs.bib", cite: str = "*") -> str:
    return (
        "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage[backend=biber]{biblatex}\n"
        f"\\addbibresource{{{bib}}}\n\\begin{{document}}\nSee \\nocite{{{cite}}}.\n"
        "\\printbibliography\n\\end{document}\n"
    )


def bibtex_run(folder: Path, name: str) -> str:
    """pdflatex, bibtex, pdflatex twice; returns the .blg, asserting each step succeeded."""
    first = pdflatex(folder, name)
    assert first.returncode == 0, first.stdout[-2000:]
    result = run(folder, "bibtex", name)
    blg = (folder / f"{name}.blg").read_text(errors="replace")
    assert result.returncode == 0, blg
    for _ in range(2):
        again = pdflatex(folder, name)
        assert again.returncode == 0, again.stdout[-2000:]
    return blg


def biber_run(folder: Path, name: str) -> str:
    """pdflatex, biber, pdflatex twice; returns the .blg, asserting each step succeeded."""
    first = pdflatex(folder, name)
    assert first.returncode == 0, first.stdout[-2000:]
    result = run(folder, "biber", name)
    assert result.returncode == 0, result.stdout + result.stderr
    for _ in range(2):
        again = pdflatex(folder, name)
        assert again.returncode == 0, again.stdout[-2000:]
    return (folder / f"{name}.blg").read_text(errors="replace")


def latex_warnings(folder: Path, name: str) -> list[str]:
    log = (folder / f"{name}.log").read_text(errors="replace")
    return [line for line in log.splitlines() if re.search(r"Warning", line) and "infwarerr" not in line]


def bbl_text(folder: Path, name: str) -> str:
    """The .bbl with braces and line breaks removed, for reading entries as text."""
    text = (folder / f"{name}.bbl").read_text(errors="replace")
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", ""))
