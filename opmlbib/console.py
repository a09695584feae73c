"""The ``opmlbib`` program: what the console script and ``python -m opmlbib`` run."""

from __future__ import annotations


def main() -> None:
    """Load the command line with the cyclic garbage collector off, then run one command.

    Loading it (click, and the command tree) makes tens of thousands of objects that live
    until the process exits, and next to no garbage: the collector's passes over them on
    the way find nothing, and cost a quick command a few milliseconds.  It is back on for
    the command itself, which :func:`opmlbib.cli.main` runs with everything loaded so far
    frozen (a command on a large file makes cyclic garbage that must be collected).
    """
    import gc

    gc.disable()
    try:
        from .cli import main as run
    finally:
        gc.enable()
    run()
