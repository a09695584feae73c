"""The command line as a whole: help, version, error reporting, `python -m opmlbib`."""

import subprocess
import sys

from click.testing import CliRunner

from opmlbib.cli import cli


def test_help_lists_the_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "export" in result.output and "OpML '19" in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "opmlbib" in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2 and "No such command" in result.stderr


def test_domain_errors_are_one_line_on_stderr_with_exit_1(tmp_path):
    target = tmp_path / "refs.bib"
    target.write_text("mine")
    result = CliRunner().invoke(cli, ["export", "-o", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert target.read_text() == "mine"


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "opmlbib", "export"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.count("@inproceedings{") == 16


def test_a_tool_running_the_module_still_runs_once_the_command_exits():
    # a profiler or coverage tool runs ``opmlbib`` as a module and reports after it returns
    code = (
        "import runpy, sys\n"
        "sys.argv = ['opmlbib', 'search', 'TonY']\n"
        "try:\n"
        "    runpy.run_module('opmlbib', run_name='__main__')\n"
        "except SystemExit as stop:\n"
        "    print('after', stop.code)\n"
    )
    for _ in range(2):  # the second run reads the built-in records back from the cache, as most runs do
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and result.stdout.endswith("after 0\n") and "hsu2019tony" in result.stdout


def test_readme_main_command_and_its_output():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1]
    install = setup.split("```", 2)[1]
    assert install.strip().endswith('opmlbib cite "TonY"')
    shown = setup.split("```", 4)[3].strip()
    assert CliRunner().invoke(cli, ["cite", "TonY"]).stdout.strip() == shown


def test_a_progress_bar_is_drawn_on_a_terminal_only_for_long_work(monkeypatch):
    import io
    import time

    from opmlbib import cli as cli_module

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    for elapsed, drawn in ((0.1, False), (cli_module.PROGRESS_AFTER_SECONDS + 0.1, True)):
        terminal = Terminal()
        monkeypatch.setattr(cli_module.sys, "stderr", terminal)
        clock[0] = 100.0
        with cli_module._progress("Indexing big.bib") as progress:
            assert progress is not None
            clock[0] += elapsed
            progress(500, 1000)
            progress(1000, 1000)
        assert ("Indexing big.bib" in terminal.getvalue()) == drawn
    monkeypatch.setattr(cli_module.sys, "stderr", io.StringIO())  # not a terminal: no callback at all
    with cli_module._progress("Indexing big.bib") as progress:
        assert progress is None


def test_export_of_a_users_bib_in_every_format_is_the_rendering_of_its_records_read_at_once(tmp_path):
    # export reads a .bib file's records deferred (decoded when first read): each format
    # must come out as from the records decoded as they are read
    import warnings
    from pathlib import Path

    from opmlbib.bibtex import parse_bibtex
    from opmlbib.errors import BibWarning
    from opmlbib.formats import FORMATS, render

    from .generated_bib import generate

    data = Path(__file__).parent / "data"
    generated = tmp_path / "generated.bib"
    generated.write_text(generate(200, 11), encoding="utf-8")
    for path in [*sorted(data.rglob("*.bib")), generated]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BibWarning)
            records = parse_bibtex(path.read_text(encoding="utf-8"), path=str(path))
        for fmt in FORMATS:
            result = CliRunner().invoke(cli, ["export", "--bib", str(path), "--format", fmt])
            assert result.exit_code == 0, result.output
            assert result.stdout == render(records, fmt), (path.name, fmt)
