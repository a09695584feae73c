"""refs.bib at the top of the repository is exactly what `opmlbib export` prints."""

from pathlib import Path

from click.testing import CliRunner

from opmlbib.cli import cli

REFS = Path(__file__).resolve().parents[1] / "refs.bib"


def test_refs_bib_equals_export():
    result = CliRunner().invoke(cli, ["export"])
    assert result.exit_code == 0, result.output
    assert REFS.read_text(encoding="utf-8") == result.stdout, "regenerate with: opmlbib export -o refs.bib --force"
