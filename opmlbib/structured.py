"""JSON and TOML from the user's files, decoded into plain data within bounds.

Python's decoders recurse once per level of nesting and turn any run of digits into an
integer, so a hostile file makes them fail in ways that say nothing about the file: a
RecursionError for arrays nested a thousand deep, a ValueError for an integer of more
than 4,300 digits (Python's limit on turning digits into an integer), an infinite float
for ``1e400``.  Here each of them is an error in the file, with its line where it can be
found.  TOML integers are also held to the 64-bit range the TOML specification gives
them (a hexadecimal integer of any length would otherwise pass).
"""

from __future__ import annotations

import math
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from .errors import OpmlbibError

# Python's own limit on the digits of an integer read from text.
_MAX_DIGITS = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
_LONG_NUMBER = re.compile(r"\d{%d,}" % (_MAX_DIGITS + 1))
_TOO_LONG = f"a number of more than {_MAX_DIGITS:,} digits"
# What JSON nesting is made of: strings (skipped whole) and brackets.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


class _Refused(ValueError):
    """A number JSON may hold but opmlbib cannot use."""


def load_json(text: str, path: str | Path, error: type[OpmlbibError]) -> Any:
    """The data of a JSON text; whatever cannot be read is ``error`` naming ``path``."""
    import json

    try:
        return json.loads(text, parse_float=_finite, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise error(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None
    except RecursionError:
        depth, line = _json_depth(text)
        raise error(f"arrays and objects nested {depth:,} deep, too deep to read", path=path, line=line) from None
    except _Refused as exc:
        literal = exc.args[0]
        raise error(f"{_short(literal)} is not a number opmlbib can use", path=path, line=_line_at(text, text.find(literal))) from None
    except ValueError:  # an integer too long for Python to read
        raise error(_TOO_LONG, path=path, line=_long_number_line(text)) from None


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Refused(literal)
    return value


def _constant(literal: str) -> float:
    raise _Refused(literal)  # NaN, Infinity and -Infinity are not JSON


def _json_depth(text: str) -> tuple[int, int | None]:
    """The deepest nesting of a JSON text, and the line where it is first reached."""
    depth = deepest = where = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, match.start()
        elif token in "]}":
            depth -= 1
    return deepest, _line_at(text, where)


def load_toml(text: str, path: str | Path, error: type[OpmlbibError]) -> dict[str, Any]:
    """The data of a TOML text; whatever cannot be read is ``error`` naming ``path``."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        raise error(f"not valid TOML: {exc}", path=path, line=int(match.group(1)) if match else None) from None
    except RecursionError:
        raise error("arrays or tables nested too deeply to read", path=path) from None
    except ValueError:  # an integer too long for Python to read
        raise error(_TOO_LONG, path=path, line=_long_number_line(text)) from None
    _check_integers(data, path, error)
    return data


def _check_integers(data: dict[str, Any], path: str | Path, error: type[OpmlbibError]) -> None:
    """Refuse an integer outside TOML's 64-bit range, naming the key that holds it."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((f"{where}[{index}]", item) for index, item in enumerate(value))
        elif isinstance(value, int) and not -(1 << 63) <= value < 1 << 63:
            raise error(f"{_short(where)}: an integer outside the 64-bit range of TOML integers", path=path)


def _long_number_line(text: str) -> int | None:
    match = _LONG_NUMBER.search(text)
    return _line_at(text, match.start()) if match else None


def _line_at(text: str, offset: int) -> int | None:
    return text.count("\n", 0, offset) + 1 if offset >= 0 else None


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"
