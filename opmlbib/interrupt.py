"""What a signal that would end the process does once :func:`remove_temporaries_on_signals`
has run: remove the temporary files :mod:`opmlbib.files` has open, then end the process by
that signal.  Kept apart from :mod:`opmlbib.files`, so that a command that writes nothing
does not load the writers to set this up."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

#: Temporary files that exist now (:mod:`opmlbib.files` adds and removes them).
TEMPORARIES: set[str] = set()

# The signals whose default action ends the process, as a user or the system sends them.
_ENDING = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGALRM", "SIGUSR1", "SIGUSR2", "SIGXCPU", "SIGXFSZ")


def _signals() -> list:
    import signal

    return [getattr(signal, name) for name in _ENDING if hasattr(signal, name)]


def remove_temporaries_on_signals() -> None:
    """From now on, a signal that would end the process removes the temporary files first,
    then ends it by that signal, as if it had not been caught (the shell reports SIGINT as
    status 130, SIGTERM as 143).  Signals the process was told to ignore stay ignored, as
    ``nohup`` asks.  Only the main thread may set signal handlers: elsewhere, nothing is done."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return
    for number in _signals():
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, _end_by_signal)


def _end_by_signal(number: int, frame: object) -> None:
    import signal

    for path in list(TEMPORARIES):
        try:
            os.unlink(path)
        except OSError:
            pass
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back the signals that end the process until the block ends (where the
    platform can), so that it is not left half done."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _signals())
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
