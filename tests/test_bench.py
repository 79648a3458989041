"""The benchmark's smoke run: seconds, small data, SQLite; so `make bench` cannot rot."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not shutil.which("wrk") and os.environ.get("CI") != "true",
    reason="the benchmark needs wrk (apt-get install -y wrk; .ci/run installs it)",
)
def test_the_benchmark_runs_every_measurement():
    result = subprocess.run(  # noqa: S603
        [sys.executable, "bench/run.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((ROOT / "var" / "bench" / "smoke.json").read_text())
    for name in ("healthz", "submit", "step_get", "step_post", "queue_first_small"):
        assert report[name]["requests"] > 0 and report[name]["errors"] == 0, name
    for name in ("queue_deep_small", "healthz_large", "queue_first_large", "queue_deep_large"):
        assert report[name]["errors"] == 0, name
    for name in ("due_small", "due_large"):  # the follow-ups due view
        assert report[name]["errors"] == 0, name
    assert "page=" in report["queue_deep_small"]["path"]  # it did follow the Next links
    assert report["export"]["status"] == 200 and report["export"]["rows"] >= 400
    assert report["recommend"]["per_second"] > 0
    assert 0 < report["result_page"]["kb"] < 1000
    assert report["machine"]["cores"] >= 1
    assert "x healthz" in result.stdout
