"""A small run of scripts/loadtest.py: PostgreSQL stopped hard mid-load loses nothing."""

import glob
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNABLE = bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) and os.geteuid() == 0
WHY = "needs PostgreSQL's server programs and root (to run initdb as the postgres user)"


@pytest.mark.skipif(not RUNNABLE and os.environ.get("CI") != "true", reason=WHY)
def test_no_acknowledged_screen_is_lost_or_stored_twice_across_a_database_restart():
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "scripts/loadtest.py",
            "--clients",
            "4",
            "--screens",
            "40",
            "--down-seconds",
            "0.5",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr[-3000:]
    assert "acknowledged: 40\nstored: 40\nduplicates: 0\n5xx other than 503: 0" in out
    assert "sent twice 4" in out
    assert "503" in out.split("requests by status:")[1].splitlines()[0]  # it did go down
