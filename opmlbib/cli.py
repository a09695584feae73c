"""The ``opmlbib`` command line: a thin layer that turns domain errors into click errors."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from . import __version__
from .errors import OpmlbibError


def _domain_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Report :class:`OpmlbibError` as ``Error: …`` on stderr with exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OpmlbibError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="opmlbib")
def cli() -> None:
    """Exact BibTeX records and citations for the OpML '19 proceedings.

    The 2019 USENIX Conference on Operational Machine Learning (16 papers) is built in:
    every command works on it with no configuration.
    """


def bib_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--bib FILE``: use the user's .bib file as the library instead of the built-in proceedings."""
    return click.option(
        "--bib",
        "bib",
        type=click.Path(dir_okay=False),
        default=None,
        help="Use the entries of this .bib file instead of the built-in OpML '19 proceedings.",
    )(func)


def load_records(bib: str | None):
    """The records a command works on: the user's .bib if given, else the built-in proceedings."""
    from .library import bib_records, default_records

    return bib_records(bib) if bib else default_records()


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomically) instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@_domain_errors
def export(output: str | None, force: bool) -> None:
    """Print every record as BibTeX.

    Page ranges end on the publisher's last page where it is known; otherwise on the
    page before the next paper (an upper bound, noted in the comment above the entry).
    """
    from .bibtex import format_bibtex
    from .files import atomic_write
    from .library import default_records

    text = format_bibtex(default_records())
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text, replace_existing=force)
        click.echo(f"Wrote {len(default_records())} records to {output}", err=True)


def main() -> None:
    cli(prog_name="opmlbib")
