"""The same input gives the same bytes: whatever the locale, hash seed or run."""

import os
import subprocess
import sys

import pytest


def export(env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
    env.update(env_changes)
    result = subprocess.run(
        [sys.executable, "-m", "opmlbib", "export"], capture_output=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"LC_ALL": "C", "PYTHONHASHSEED": "1"},
        {"LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "2"},
        {"LANG": "C.UTF-8", "PYTHONHASHSEED": "random"},
    ],
)
def test_export_bytes_do_not_depend_on_locale_or_hash_seed(env):
    assert export(env) == export({"LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"})
