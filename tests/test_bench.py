"""The benchmark's smoke run: seconds, small data, SQLite; so `make bench` cannot rot."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from assessments.models import REFERENCE_PATTERN, Screen, workspace_counts

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


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_the_scale_run_copies_screens_with_new_references(make_screen):
    """Beyond what seed_demo makes (a million would take most of an hour), the benchmark
    copies stored screens in SQL: each copy a screen of its own, counted as one."""
    if connection.vendor != "postgresql":
        pytest.skip("the copies are made in PostgreSQL's SQL (the scale run needs it)")
    originals = [make_screen(), make_screen({"self_harm_thoughts": True})]

    _bench_module().copy_screens(7)

    screens = list(Screen.objects.all())
    assert len(screens) == 7
    references = [screen.reference for screen in screens]
    assert len(set(references)) == 7
    assert all(REFERENCE_PATTERN.fullmatch(reference) for reference in references)
    tokens = [screen.result_token for screen in screens]
    assert None not in tokens and len(set(tokens)) == 7
    assert {screen.level for screen in screens} == {screen.level for screen in originals}
    assert {screen.urgent for screen in screens} == {False, True}
    assert workspace_counts()["all"] == 7  # the status counts' triggers saw every copy


@pytest.mark.django_db
def test_the_scale_run_stops_when_there_is_nothing_to_copy():
    if connection.vendor != "postgresql":
        pytest.skip("the copies are made in PostgreSQL's SQL (the scale run needs it)")
    with pytest.raises(SystemExit, match="no screens to copy"):
        _bench_module().copy_screens(3)
