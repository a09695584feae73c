"""Domain errors: everything opmlbib reports to a user derives from :class:`OpmlbibError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: pathlib costs more to import than the rest of a search
    from pathlib import Path


def quoted(text: str, width: int = 60) -> str:
    """``text`` quoted for a message, cut to ``width`` characters (the last an ellipsis)
    if it is longer: a query of a megabyte is not echoed whole."""
    return repr(text if len(text) <= width else text[: width - 1] + "\u2026")


class OpmlbibError(Exception):
    """An error the user can act on, located in a file and line where known."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class TocError(OpmlbibError):
    """A table of contents that cannot be read as records."""


class BibError(OpmlbibError):
    """A BibTeX file or value that cannot be read or written."""


class DataError(OpmlbibError):
    """Shipped or user-supplied proceedings facts that are inconsistent."""


class OutputError(OpmlbibError):
    """A file that cannot be written safely."""


class StyleError(OpmlbibError):
    """A citation style that cannot be found, read safely or rendered with."""


class CitationError(OpmlbibError):
    """A citation (cite items, locators, a file of a document's citations) that cannot be read."""


class NoMatch(OpmlbibError):
    """A query that fits no record; ``suggestions`` holds (key, title, score) of the closest."""

    def __init__(self, query: str, suggestions: tuple[tuple[str, str, float], ...] = ()):
        message = f"no paper matches {quoted(query)}"
        if suggestions:
            message += "; closest: " + "; ".join(f"{key} ({title})" for key, title, _ in suggestions)
        super().__init__(message)
        self.query = query
        self.suggestions = suggestions


class AmbiguousQuery(OpmlbibError):
    """A query that fits several records about equally; ``candidates`` holds (key, title, score)."""

    def __init__(self, query: str, candidates: tuple[tuple[str, str, float], ...]):
        listing = "\n".join(f"  {key}  {title}" for key, title, _ in candidates)
        super().__init__(
            f"{quoted(query)} fits {len(candidates)} papers; name one by its key (or pass --first):\n{listing}"
        )
        self.query = query
        self.candidates = candidates


class BibWarning(UserWarning):
    """Something in a user's file that bibtex or biber would also only warn about: the file
    is still read, as they read it.  ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        super().__init__(str(OpmlbibError(message, path=path, line=line)))


def warn(message: str, *, path: str | Path | None = None, line: int | None = None) -> None:
    """Report a :class:`BibWarning` (the command line prints it as ``Warning: FILE:LINE: …``)."""
    import warnings

    warnings.warn(BibWarning(message, path=path, line=line), stacklevel=2)
