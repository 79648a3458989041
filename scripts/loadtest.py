"""Load and restart test: no acknowledged screen is lost, none is stored twice.

N clients submit M screens through the JSON API to gunicorn on 127.0.0.1, a share of them sent
twice with the same Idempotency-Key. Midway, PostgreSQL is stopped hard (`pg_ctl stop -m
immediate`) and started again; clients retry what was not acknowledged, with the same key.
It runs against a throwaway PostgreSQL cluster that it creates (initdb as the postgres user, in
a temporary folder, on its own port) and removes at the end: never the shared server.

    .venv/bin/python scripts/loadtest.py --clients 16 --screens 2000

Prints acknowledged, stored, duplicates and 5xx other than 503; exits 1 unless
acknowledged = stored, 0 duplicates and 0 such 5xx. Loopback only, bounded in count and time.
"""

import argparse
import glob
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the postgres user."""

    def __init__(self, folder: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise SystemExit("PostgreSQL's server programs are not installed")
        self.bin = Path(bins[-1])
        self.data = folder / "data"
        self.port = free_port()
        self.folder = folder

    def _as_postgres(self, *args, **kwargs):
        command = list(args)
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=True, capture_output=True, **kwargs)  # noqa: S603

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"
        )
        self.start()
        self._as_postgres(
            str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres", "lt"
        )

    def start(self):
        options = f"-p {self.port} -k {self.folder} -c listen_addresses={HOST}"
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.folder / "postgres.log"), "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast"):
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/lt"


def app_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_DEBUG": "False",
        "DJANGO_SECRET_KEY": "loadtest-only-" + uuid.uuid4().hex,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "SUBMISSION_RATE": "1000000/1m",  # one address sends everything here
        # No rate limit is tested here, so each worker may count in its own memory.
        "LOCAL_MEMORY_CACHE": "True",
    }


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.references: dict[str, set[str]] = {}  # idempotency key -> references answered
        self.status: dict[int, int] = {}
        self.connection_errors = 0
        self.gave_up = 0

    def count(self, status: int):
        with self.lock:
            self.status[status] = self.status.get(status, 0) + 1


def submit(port: int, key: str, answers: dict, tally: Tally, deadline: float):
    """Sends one screen until it is acknowledged (201), retrying with the same key."""
    body = json.dumps(answers)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "X-Forwarded-Proto": "https",
    }
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
            conn.request("POST", "/api/v2/screens", body, headers)
            response = conn.getresponse()
            payload = response.read()
            conn.close()
        except (OSError, http.client.HTTPException):
            with tally.lock:
                tally.connection_errors += 1
            time.sleep(0.2)
            continue
        tally.count(response.status)
        if response.status == 201:
            with tally.lock:
                tally.references.setdefault(key, set()).add(json.loads(payload)["reference"])
            return
        time.sleep(0.2 if response.status >= 500 else 0)
        if response.status < 500:
            break  # a 4xx is a bug in this script or the app; counted, not retried
    with tally.lock:
        tally.gave_up += 1


def run(args) -> int:
    sys.path.insert(0, str(ROOT))
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="careguide-lt-")))
        cluster = Cluster(folder)
        cluster.create()
        stack.callback(lambda: cluster.stop("immediate"))
        env = app_env(cluster.url)
        python = str(ROOT / ".venv" / "bin" / "python")
        for command in ("migrate", "collectstatic"):  # as a deployment does
            subprocess.run(  # noqa: S603
                [python, "manage.py", command, "--no-input", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
        port = free_port()
        server_log = stack.enter_context(open(folder / "gunicorn.log", "w+"))
        server = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"), "careguide.wsgi",
                "--workers", str(args.workers), "--bind", f"{HOST}:{port}",
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env, stderr=server_log,
        )  # fmt: skip
        stack.callback(server.wait, 10)
        stack.callback(server.terminate)
        wait_until_up(port)

        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "careguide.settings"
        import django

        django.setup()
        from assessments.management.commands.seed_demo import random_answers
        from assessments.models import Screen

        rng = random.Random(args.seed)  # noqa: S311 (test data, not secrets)
        jobs = [(uuid.uuid4().hex, random_answers(rng)) for _ in range(args.screens)]
        jobs += rng.sample(jobs, int(args.screens * args.duplicates))  # sent twice, same key
        rng.shuffle(jobs)

        tally = Tally()
        deadline = time.monotonic() + args.timeout
        queue = list(jobs)
        queue_lock = threading.Lock()

        def client():
            while True:
                with queue_lock:
                    if not queue:
                        return
                    key, answers = queue.pop()
                submit(port, key, answers, tally, deadline)

        def restart():
            while len(tally.references) < args.screens * args.restart_at:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.01)
            cluster.stop("immediate")
            time.sleep(args.down_seconds)
            cluster.start()

        started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        threads.append(threading.Thread(target=restart))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        acknowledged = len(tally.references)
        stored = Screen.objects.count()
        stored_keys = Screen.objects.exclude(idempotency_key=None).values("idempotency_key")
        duplicates = (stored - stored_keys.distinct().count()) + sum(
            len(refs) - 1 for refs in tally.references.values()
        )
        other_5xx = sum(n for status, n in tally.status.items() if status >= 500 and status != 503)
        twice = len(jobs) - args.screens
        print(f"clients {args.clients}, screens {args.screens}, sent twice {twice}")
        print(f"requests by status: {dict(sorted(tally.status.items()))}")
        print(f"connection errors (retried): {tally.connection_errors}; gave up: {tally.gave_up}")
        print(f"acknowledged: {acknowledged}")
        print(f"stored: {stored}")
        print(f"duplicates: {duplicates}")
        print(f"5xx other than 503: {other_5xx}")
        print(f"elapsed: {elapsed:.1f} s, PostgreSQL down {args.down_seconds:.1f} s midway")
        ok = acknowledged == stored == args.screens and duplicates == 0 and other_5xx == 0
        if other_5xx:
            server_log.seek(0)
            errors = {line.strip() for line in server_log if re.match(r"\w+(\.\w+)*Error: ", line)}
            print("server errors seen:", *sorted(errors)[:10], sep="\n  ")
        print("OK" if ok else "FAILED")
        return 0 if ok else 1


def wait_until_up(port: int, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v2/screens", headers={"X-Forwarded-Proto": "https"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--screens", type=int, default=2000)
    parser.add_argument("--duplicates", type=float, default=0.1, help="share sent twice")
    parser.add_argument("--restart-at", type=float, default=0.5, help="share acknowledged")
    parser.add_argument("--down-seconds", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300, help="seconds, in all")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 0 < args.screens <= 100_000 or not 0 < args.clients <= 64:
        parser.error("--screens must be 1 to 100000 and --clients 1 to 64 (a bounded test)")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
