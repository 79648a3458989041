"""CareGuide's benchmark: each real path measured next to a reference in the same run.

Starts the app under gunicorn with production settings (debug off) on 127.0.0.1, against
PostgreSQL (DATABASE_URL, in a database of its own that it creates and drops) or a temporary
SQLite file, loads data with `seed_demo --count`, and drives it with wrk over loopback, each
run bounded in time. Prints a table, writes it as JSON to var/bench/, and checks the figures
of the performance issue as ratios (so they hold on a noisy machine).

    make bench                                  # PostgreSQL on 127.0.0.1:5432, the full run
    make bench BENCH_ARGS="--sizes 100000,1000000"   # the scale run
    .venv/bin/python bench/run.py --smoke       # seconds, SQLite: what the test suite runs
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BENCH_DATABASE = "careguide_bench"
# The benchmark's coordinator, who may export contact details (the demo login may not).
BENCH_USERNAME = "bench"
BENCH_PASSWORD = "bench-only-" + uuid.uuid4().hex
DEFAULT_PG = f"postgres://postgres@127.0.0.1:5432/{BENCH_DATABASE}"

# The figures to reach (issue: Performance), as (name, check, what it says).
FIGURES = [
    (
        "submit throughput >= 0.15 x /healthz",
        lambda r: r["submit"]["ratio"] >= 0.15,
    ),
    (
        "queue first page p95 at the large size <= 1.5 x at the small size",
        lambda r: r["queue_first_large"]["p95_ms"] <= 1.5 * r["queue_first_small"]["p95_ms"],
    ),
    (
        "queue throughput at the large size >= 0.05 x /healthz",
        lambda r: r["queue_first_large"]["ratio"] >= 0.05,
    ),
    ("export <= 5 x COPY", lambda r: r["export"]["seconds"] <= 5 * r["copy"]["seconds"]),
    ("export peak memory growth < 30 MB", lambda r: r["export"]["peak_growth_mb"] < 30),
    ("recommend() >= 50,000 per second", lambda r: r["recommend"]["per_second"] >= 50_000),
    ("result page <= 100 KB transferred", lambda r: r["result_page"]["kb"] <= 100),
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser for the setup: cookies, CSRF tokens, HTTPS via the proxy header."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def headers(self, extra=None) -> dict:
        headers = {
            "X-Forwarded-Proto": "https",
            "Origin": self.origin,
            "Referer": self.origin + "/",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request(self, method, path, body=None, headers=None, stream=None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=600)
        conn.request(method, path, body, self.headers(headers))
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if stream:
            while chunk := response.read(1 << 16):
                stream(chunk)
            data = b""
        else:
            data = response.read()
        conn.close()
        return response, data

    def post_form(self, path: str, fields: dict):
        page = self.request("GET", path)[1].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = "&".join(f"{k}={v}" for k, v in {**fields, "csrfmiddlewaretoken": token}.items())
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, form)


WRK_SCRIPT = """
wrk.method = "%(method)s"
wrk.body = %(body)s
%(headers)s
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRKJSON {"requests": %%d, "seconds": %%f, "errors": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for our plain ASCII bodies


def wrk(port, path, args, method="GET", body="", headers=None, seconds=None) -> dict:
    """Drives one path for `seconds` (args.duration); requests per second and latency in ms."""
    seconds = seconds or args.duration
    lines = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in (headers or {}).items()
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"method": method, "body": lua_string(body), "headers": lines})
    try:
        out = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk"), "-t", str(args.threads), "-c", str(args.connections),
                "-d", f"{seconds}s", "--timeout", "10s", "-s", script.name,
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    result = json.loads(out.split("WRKJSON ", 1)[1])
    return {
        "rps": round(result["requests"] / result["seconds"], 1),
        "requests": result["requests"],
        "errors": result["errors"],
        "p50_ms": result["p50"] / 1000,
        "p95_ms": result["p95"] / 1000,
        "p99_ms": result["p99"] / 1000,
    }


def app_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "COORDINATOR_2FA_REQUIRED": "False",
        "DATABASE_URL": database_url,
        "SUBMISSION_RATE": "100000000/1m",  # wrk sends everything from one address
        "STEP_RATE": "100000000/1m",
        "AXES_ENABLED": "False",
        # Measured, not tested: the rate limits above are off, so each worker's own cache does.
        "LOCAL_MEMORY_CACHE": "True",
        "COORDINATOR_PASSWORD": BENCH_PASSWORD,
    }


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare_database(url: str | None, folder: Path) -> tuple[str, callable]:
    """A database of the benchmark's own: a new PostgreSQL database, or a SQLite file."""
    if not url:
        return f"sqlite:///{folder / 'bench.sqlite3'}", lambda: None
    import psycopg2

    parts = urlsplit(url)
    # Always its own, as it is dropped at the end: the URL's name only if it is a bench one
    # (careguide_bench_<you>, so people sharing a server do not drop each other's).
    requested = parts.path.lstrip("/")
    name = requested if requested.startswith(BENCH_DATABASE) else BENCH_DATABASE
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    admin.autocommit = True

    def drop():
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path="/" + name).geturl(), drop


def start_gunicorn(env, port, workers):
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"), "careguide.wsgi", "--workers", str(workers),
            "--bind", f"{HOST}:{port}", "--log-level", "warning", "--access-logfile", "/dev/null",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def workers_of(server) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def screen_count(env) -> int:
    out = subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "shell", "-c",
         "from assessments.models import Screen; print(Screen.objects.count())"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return int(out.strip().splitlines()[-1])


def seed_to(env, total: int, seeded: int = 100_000):
    """`total` screens: up to `seeded` made by seed_demo (each through recommend()); beyond
    that, on PostgreSQL, copies of those rows with new references (a million through
    seed_demo takes most of an hour; copied in SQL, about a minute)."""
    if total > seeded and not env["DATABASE_URL"].startswith("postgres"):
        raise SystemExit(f"more than {seeded:,} screens needs PostgreSQL (--database-url)")
    missing = min(total, seeded) - screen_count(env)
    if missing > 0:
        manage(
            env, "seed_demo", "--count", str(missing), "--seed", str(total),
            "--i-know-this-is-not-production",
        )  # fmt: skip
    if total > seeded:
        setup_django(env)
        copy_screens(total)
    analyze(env["DATABASE_URL"])


def connect(database_url: str):
    import psycopg2

    parts = urlsplit(database_url)
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username,
        dbname=parts.path.lstrip("/"),
    )  # fmt: skip
    conn.autocommit = True
    return conn


# Copies stored screens as they are (answers, result, trace, status, contact, follow-up), each
# with a new reference and result token; the status counts follow by their trigger. A
# reference's 8 characters come from md5 bytes over the reference alphabet (29 ** 8: a few
# draws in a million collide, and are skipped and drawn again by the next round).
COPY_SCREENS = """
INSERT INTO assessments_screen ({columns}, reference, result_token)
SELECT {columns},
    'CG-' || substr(r, 1, 4) || '-' || substr(r, 5, 4),
    md5(random()::text || id) || md5(random()::text || id)
FROM (
    SELECT *, (SELECT string_agg(
        substr(%(alphabet)s, 1 + get_byte(decode(md5(random()::text || s.id), 'hex'), n) %% 29, 1),
        '' ORDER BY n) FROM generate_series(0, 7) AS n) AS r
    FROM assessments_screen AS s
    ORDER BY id
    LIMIT %(count)s
) AS copied
ON CONFLICT DO NOTHING
"""


def copy_screens(total: int) -> None:
    from django.db import connection

    from assessments.models import REFERENCE_ALPHABET

    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = 'assessments_screen' AND column_name NOT IN "
            "('id', 'reference', 'result_token', 'idempotency_key')"
        )
        columns = ", ".join(f'"{name}"' for (name,) in cur.fetchall())
        while (missing := total - count_screens(cur)) > 0:
            print(f"copying {missing:,} screens in SQL", flush=True)
            cur.execute(
                COPY_SCREENS.format(columns=columns),
                {"alphabet": REFERENCE_ALPHABET, "count": missing},
            )
            if cur.rowcount <= 0:
                raise SystemExit("no screens to copy: seed some first")


def count_screens(cur) -> int:
    cur.execute("SELECT count(*) FROM assessments_screen")
    return cur.fetchone()[0]


def analyze(database_url: str) -> None:
    """VACUUM ANALYZE after loading, as autovacuum does to a live table in time: a table just
    filled has no statistics, and PostgreSQL then scans it for a count a partial index answers
    (the follow-ups due: 70 ms against 1 ms at 100,000 screens)."""
    if not database_url.startswith("postgres"):
        return
    conn = connect(database_url)
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()


def deep_page(browser: Browser, pages: int) -> str:
    """The queue's URL `pages` pages in, following its Next links as a coordinator would."""
    path = "/coordinator/"
    for _ in range(pages):
        html = browser.request("GET", path)[1].decode()
        match = re.search(
            r'<a[^>]*href="([^"]+)"[^>]*rel="next"|rel="next"[^>]*href="([^"]+)"', html
        )
        if not match:
            break
        path = (match.group(1) or match.group(2)).replace("&amp;", "&")
        if not path.startswith("/"):
            path = "/coordinator/" + path
    return path


def queue_jobs(browser, port, args, label) -> dict:
    cookie = {"Cookie": browser.headers()["Cookie"], "X-Forwarded-Proto": "https"}
    deep = deep_page(browser, args.deep_pages)
    return {
        f"queue_first_{label}": lambda s: wrk(
            port, "/coordinator/", args, headers=cookie, seconds=s
        ),
        f"queue_deep_{label}": lambda s: {
            **wrk(port, deep, args, headers=cookie, seconds=s),
            "path": deep,
        },
        f"due_{label}": lambda s: wrk(port, "/coordinator/due/", args, headers=cookie, seconds=s),
    }


def measure(jobs: dict, reference, args, reference_name: str) -> dict:
    """Runs each measurement (name: function of the seconds to run) beside the reference,
    `args.rounds` times: /healthz, then the path, each for duration / rounds seconds; the
    path's "ratio" is its requests a second over the reference's in those same minutes.

    This machine's speed swings by a quarter from one minute to the next (shared cores): a
    reference measured once, minutes before the path, moved the ratios by up to 30 % between
    two runs of the same code; side by side they agree within about 15 %. A smoke run runs
    everything at once, once: it checks that each works, not how fast."""
    if args.smoke:
        jobs = {reference_name: reference, **jobs}
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = {name: pool.submit(job, 1) for name, job in jobs.items()}
            return {name: future.result() for name, future in futures.items()}
    seconds = round_seconds(args)
    results, references = {}, []
    for name, job in jobs.items():
        pairs = [(reference(seconds), job(seconds)) for _ in range(args.rounds)]
        beside = [ref for ref, _ in pairs]
        references += beside
        runs, beside_rps = combined([run for _, run in pairs]), combined(beside)["rps"]
        ratio = runs["rps"] / beside_rps if beside_rps else 0.0
        results[name] = {**runs, "ratio": round(ratio, 4)}
    return {reference_name: combined(references), **results}


def round_seconds(args) -> int:
    """How long each of a path's rounds (and each /healthz beside it) runs."""
    return max(1, round(args.duration / args.rounds))


def combined(runs: list[dict]) -> dict:
    """Several wrk runs of one path as one: requests and errors added up, the rate over the
    whole time, each latency percentile the worst of the runs'."""
    seconds = sum(run["requests"] / run["rps"] for run in runs if run["rps"])
    requests = sum(run["requests"] for run in runs)
    return {
        **runs[0],  # and what else the run carries (the deep page's path)
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "requests": requests,
        "errors": sum(run["errors"] for run in runs),
        **{key: max(run[key] for run in runs) for key in ("p50_ms", "p95_ms", "p99_ms")},
    }


def measure_export(browser, server, env, results, database_url):
    before = {}
    for pid in workers_of(server):
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets the peak (VmHWM) to now
        before[pid] = memory_kb(pid, "VmRSS")
    size = {"bytes": 0, "lines": 0}

    def sink(chunk):
        size["bytes"] += len(chunk)
        size["lines"] += chunk.count(b"\n")

    started = time.perf_counter()
    response, _ = browser.request("GET", EXPORT_PATH, stream=sink)
    seconds = time.perf_counter() - started
    growth = max(memory_kb(pid, "VmHWM") - rss for pid, rss in before.items())
    results["export"] = {
        "status": response.status,
        "seconds": round(seconds, 3),
        "rows": size["lines"] - 2,  # the header and the notice
        "mb": round(size["bytes"] / 1e6, 1),
        "peak_growth_mb": round(growth / 1024, 1),
    }
    if database_url.startswith("postgres"):
        results["copy"] = copy_baseline()


def setup_django(env: dict) -> None:
    """This process's own Django, on the benchmark's database (for COPY and recommend())."""
    import django
    from django.apps import apps

    if apps.ready:
        return  # set up already (one database a run)

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "careguide.settings"
    sys.path.insert(0, str(ROOT))
    django.setup()


# Every screen (the export follows the queue's view, whose default is open work only).
EXPORT_PATH = "/coordinator/export/?status=all"
# The stored columns the export reads, as they are: COPY of these is the yardstick.
EXPORT_FIELDS = (
    "reference", "created_at", "level", "override_level", "override_reason", "urgent",
    "priority", "flags", "severity", "detox_need", "home_stability", "status",
    "assigned_to__first_name", "assigned_to__last_name", "assigned_to__username",
    "contact_requested", "first_contacted_at", "scheduled_at", "next_follow_up_at",
    "first_name", "phone", "email", "preferred_contact", "best_time", "message_ok",
    "consent_at",
)  # fmt: skip


def copy_baseline() -> dict:
    """PostgreSQL's own COPY of the stored columns the export reads (same joins and order),
    without the words, names and local times the export works out."""
    from django.db import connection
    from psycopg2 import sql

    from assessments.models import Screen

    query, params = Screen.objects.queue().values_list(*EXPORT_FIELDS).query.sql_with_params()

    class Sink:
        bytes = 0

        def write(self, data):
            Sink.bytes += len(data)

    with connection.cursor() as cursor:
        raw = cursor.cursor
        select = raw.mogrify(query, params).decode()
        copy = sql.SQL("COPY ({}) TO STDOUT WITH CSV HEADER").format(sql.SQL(select))
        started = time.perf_counter()
        raw.copy_expert(copy, Sink())
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "mb": round(Sink.bytes / 1e6, 1)}


def measure_recommend(seconds: float) -> dict:
    import random

    from assessments import rules
    from assessments.management.commands.seed_demo import random_answers

    rng = random.Random(7)  # noqa: S311 (test data)
    answers = [random_answers(rng) for _ in range(1000)]
    runs = []
    for _ in range(3):
        count, started = 0, time.process_time()
        while time.process_time() - started < seconds / 3:
            for item in answers:
                rules.recommend(item)
            count += len(answers)
        runs.append(count / (time.process_time() - started))
    return {"per_second": round(statistics.median(runs))}


def measure_transfer(browser) -> dict:
    """The result page and every asset it loads, as sent (compressed where the app compresses)."""
    response, data = browser.request(
        "POST", "/api/v2/screens", json.dumps(SAMPLE_ANSWERS), {"Content-Type": "application/json"}
    )
    path = urlsplit(json.loads(data)["result_url"]).path
    accept = {"Accept-Encoding": "br, gzip"}
    html_response, html = browser.request("GET", path, headers=accept)
    sizes = {path: len(html)}
    for asset in re.findall(r'<(?:link|script)[^>]+(?:href|src)="(/static/[^"]+)"', html.decode()):
        sizes[asset] = len(browser.request("GET", asset, headers=accept)[1])
    return {"kb": round(sum(sizes.values()) / 1024, 1), "files": {k: v for k, v in sizes.items()}}


SAMPLE_ANSWERS = {
    "age_group": "18_to_64", "pregnant": False, "substances": ["alcohol"], "use_days": 12,
    "lost_control": True, "cant_cut_down": True, "time_spent": False, "craving": True,
    "neglected_duties": True, "relationship_problems": False, "gave_up_activities": False,
    "risky_use": False, "health_problems": False, "tolerance": False, "withdrawal": False,
    "withdrawal_now": "none", "withdrawal_complications": False, "overdose": False,
    "injects": False, "self_harm_thoughts": False, "harm_others_thoughts": False,
    "mental_health": "none", "medical_condition": False,
    "housing": "stable", "home_safe": True, "others_use_at_home": False, "support_person": True,
    "readiness": "ready", "recent_higher_care": False, "tried_before": [],
    "weekly_hours": "9_to_19", "can_leave_home": True, "transport": True, "mandated": False,
}  # fmt: skip


def tool_versions() -> dict:
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True)  # noqa: S607
    gunicorn = subprocess.run(  # noqa: S603
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"], capture_output=True, text=True
    )
    return {
        "python": platform.python_version(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).split("\n")[0],
        "gunicorn": gunicorn.stdout.strip(),
    }


def run(args) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    small, large = (120, 400) if args.smoke else args.sizes
    results: dict = {}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="careguide-bench-")))
        database_url, drop = prepare_database(args.database_url, folder)
        stack.callback(drop)
        env = app_env(database_url)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        manage(env, "createcoordinator", BENCH_USERNAME, "--export", "-v", "0")
        seed_to(env, small)
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        stack.callback(server.wait, 10)
        stack.callback(server.terminate)

        coordinator = Browser(port)
        coordinator.post_form(
            "/coordinator/login/", {"username": BENCH_USERNAME, "password": BENCH_PASSWORD}
        )
        patient = Browser(port)
        # A person who has answered the first step: their session (and its draft) exists.
        patient.post_form(
            "/screen/about-you/", {"age_group": "18_to_64", "pregnant": "no", "action": "continue"}
        )
        step = patient.request("GET", "/screen/about-you/")[1].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step).group(1)
        form_headers = {
            **patient.headers({"Content-Type": "application/x-www-form-urlencoded"}),
        }
        https = {"X-Forwarded-Proto": "https"}

        def healthz(seconds):
            return wrk(port, "/healthz", args, headers=https, seconds=seconds)

        results |= measure(
            {
                # First: submit adds screens (about 3,000 in its 10 s), the small size would grow.
                **queue_jobs(coordinator, port, args, "small"),
                "submit": lambda s: wrk(
                    port, "/api/v2/screens", args, "POST", json.dumps(SAMPLE_ANSWERS),
                    {**https, "Content-Type": "application/json"}, seconds=s,
                ),
                "step_get": lambda s: wrk(
                    port, "/screen/about-you/", args, headers=patient.headers(), seconds=s
                ),
                "step_post": lambda s: wrk(
                    port, "/screen/about-you/", args, "POST",
                    f"age_group=18_to_64&pregnant=no&action=continue&csrfmiddlewaretoken={token}",
                    form_headers, seconds=s,
                ),
            },
            healthz, args, "healthz",
        )  # fmt: skip
        results["result_page"] = measure_transfer(patient)

        server.terminate()
        server.wait(10)
        seed_to(env, large)
        server = start_gunicorn(env, port, args.workers)
        stack.callback(server.terminate)
        coordinator.cookies.clear()
        coordinator.post_form(
            "/coordinator/login/", {"username": BENCH_USERNAME, "password": BENCH_PASSWORD}
        )
        results |= measure(
            queue_jobs(coordinator, port, args, "large"), healthz, args, "healthz_large"
        )
        setup_django(env)
        measure_export(coordinator, server, env, results, database_url)
        results["recommend"] = measure_recommend(0.3 if args.smoke else 5)
        results["screens"] = {"small": small, "large": screen_count(env)}
    results["machine"] = {"cores": os.cpu_count(), **tool_versions()}
    results["database"] = "postgresql" if database_url.startswith("postgres") else "sqlite"
    results["settings"] = {
        "duration_s": args.duration,
        "rounds": args.rounds,
        "seconds_per_round": round_seconds(args),
        "connections": args.connections,
        "threads": args.threads,
        "workers": args.workers,
    }
    return results


def report(results: dict, smoke: bool) -> list[tuple[str, bool]]:
    rows = [
        ("reference: /healthz", results["healthz"]),
        ("submit: POST /api/v2/screens", results["submit"]),
        ("step: GET /screen/about-you/", results["step_get"]),
        ("step: POST /screen/about-you/", results["step_post"]),
        (
            f"queue first page, {results['screens']['small']:,} screens",
            results["queue_first_small"],
        ),
        (f"queue deep page, {results['screens']['small']:,} screens", results["queue_deep_small"]),
        (f"follow-ups due, {results['screens']['small']:,} screens", results["due_small"]),
        ("reference: /healthz (large data)", results["healthz_large"]),
        (
            f"queue first page, {results['screens']['large']:,} screens",
            results["queue_first_large"],
        ),
        (f"queue deep page, {results['screens']['large']:,} screens", results["queue_deep_large"]),
        (f"follow-ups due, {results['screens']['large']:,} screens", results["due_large"]),
    ]
    ref = results["healthz"]["rps"]
    heads = ("req/s", "x healthz", "p50 ms", "p95 ms", "p99 ms", "errors")
    print(f"\n{'path':44} " + " ".join(f"{head:>9}" for head in heads))
    for name, r in rows:
        # A path's ratio is to the /healthz runs beside it (measure); a smoke run has none.
        ratio = r["ratio"] if "ratio" in r else (r["rps"] / ref if ref else 0.0)
        print(
            f"{name:44} {r['rps']:>9.1f} {ratio:>9.3f} {r['p50_ms']:>9.2f} "
            f"{r['p95_ms']:>9.2f} {r['p99_ms']:>9.2f} {r['errors']:>9}"
        )
    export = results["export"]
    print(
        f"\nexport of {export['rows']:,} screens: {export['seconds']:.2f} s, {export['mb']} MB, "
        f"worker peak memory growth {export['peak_growth_mb']} MB"
    )
    if "copy" in results:
        copy = results["copy"]["seconds"]
        print(
            f"PostgreSQL COPY of the stored columns it reads: {copy:.2f} s "
            f"(export {export['seconds'] / copy:.1f} x)"
        )
    print(f"recommend(): {results['recommend']['per_second']:,} evaluations per second")
    print(f"result page, all assets, as transferred: {results['result_page']['kb']} KB")
    machine = results["machine"]
    print(f"\n{machine['cores']} cores; {machine['wrk']}; gunicorn {machine['gunicorn']}; "
          f"Python {machine['python']}; {results['database']}")  # fmt: skip
    verdicts = []
    if smoke:
        return verdicts
    print()
    for name, check in FIGURES:
        try:
            ok = bool(check(results))
        except KeyError:
            ok = False  # not measured here (COPY needs PostgreSQL)
        verdicts.append((name, ok))
        print(f"{'met ' if ok else 'MISSED'}  {name}")
    return verdicts


def _sizes(text: str) -> tuple[int, int]:
    try:
        small, large = (int(part.replace("_", "")) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("two numbers of screens, e.g. 1000,100000") from None
    if not 0 < small < large:
        raise argparse.ArgumentTypeError("the small size must be above 0 and below the large")
    return small, large


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="seconds, small data, SQLite")
    parser.add_argument("--database-url", default=None, help=f"PostgreSQL, e.g. {DEFAULT_PG}")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per path")
    parser.add_argument(
        "--rounds", type=int, default=2, help="each path beside /healthz this many times"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--deep-pages", type=int, default=20)
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=(1_000, 100_000),
        help="the small and the large number of screens, e.g. 100000,1000000",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.duration, args.connections, args.deep_pages = 1, 4, 2
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    if not 1 <= args.duration <= 60:
        parser.error("--duration must be 1 to 60 seconds (a bounded run)")
    results = run(args)
    verdicts = report(results, args.smoke)
    results["figures"] = dict(verdicts)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    name = "smoke.json" if args.smoke else "latest.json"
    (out / name).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out / name}")
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
