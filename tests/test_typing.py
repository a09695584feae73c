"""The modules listed in pyproject.toml's [tool.mypy] section type-check cleanly."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_errors(tmp_path):
    env = {**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "mypy-cache")}
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, env=env)
    assert "No module named mypy" not in result.stderr, "mypy is missing: pip install -e '.[test]'"
    assert result.returncode == 0, result.stdout + result.stderr
