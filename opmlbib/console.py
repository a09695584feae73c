"""The ``opmlbib`` program: what the console script and ``python -m opmlbib`` run."""

from __future__ import annotations


def main(end_process: bool = True) -> None:
    """Load the command line with the cyclic garbage collector off, then run one command
    and (with ``end_process``, as the console script has it) end the process with its
    exit status.  ``python -m opmlbib`` leaves the process to exit as usual, so that a
    tool running the module (a profiler, say) still does its work once it returns.

    Loading it (click, and the command tree) makes tens of thousands of objects that live
    until the process exits, and next to no garbage: the collector's passes over them on
    the way find nothing, and cost a quick command a few milliseconds.  It is back on for
    the command itself (a command on a large file makes cyclic garbage that must be
    collected), with everything loaded so far frozen first: left young, the objects would
    all be scanned by the collector's first pass, a few milliseconds into the command.
    """
    import gc

    gc.disable()
    try:
        from .cli import main as run
    finally:
        gc.freeze()
        gc.enable()
    try:
        run()
    except SystemExit as stop:
        if end_process:
            _end(stop.code)
        raise


def _end(code: object) -> None:
    """End the process now with exit status ``code`` if nothing is left for the
    interpreter's own shutdown to do but free memory, which takes a quick command a few
    milliseconds more: stdout and stderr are flushed, and no exit handler is registered
    and no other thread runs.  Otherwise (or for a status that is not a number) return,
    and the process exits as usual."""
    import atexit
    import os
    import sys
    import threading

    if not (code is None or isinstance(code, int)):
        return
    count = getattr(atexit, "_ncallbacks", None)
    if count is None or count() or threading.active_count() != 1:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return  # reported as the interpreter reports it, at its own flush
    os._exit(0 if code is None else code)
