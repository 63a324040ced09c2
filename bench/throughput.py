"""List pages per second under gunicorn: ``python -m bench.throughput --db D --customers N``.

Starts ``gunicorn -w 4 'app:create_app()'`` (production settings) on the bench database (seeded by
``python -m bench``), logs the head in (``bench.cookie``), warms up for 3 s, then runs
``wrk -t2 -c8 -d<seconds>s --latency`` on the customers list and prints one Markdown row: requests/s,
latency p50 / p99, every request wrk sent and every non-2xx or socket error. ``--every-count`` makes
each request count its rows (a list otherwise keeps a count that reached its cap for 30 s).
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.database import BACKENDS, database_url

ROOT = Path(__file__).resolve().parent.parent
HOOKS = Path(__file__).resolve().parent / "gunicorn_every_count.py"


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not listen on {port}")


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--path", default="/admin/customers/")
    parser.add_argument("--port", type=int, default=5187)
    parser.add_argument("--every-count", action="store_true", help="no count kept between requests")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": database_url(args.db, args.customers),
        "CSKH_CONFIG": "production",
        "SECRET_KEY": env.get("SECRET_KEY", "bench-throughput"),
        "SESSION_COOKIE_SECURE": "0",
    }
    python = sys.executable
    cookie = subprocess.run(
        [python, "-m", "bench.cookie", "head"], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    command = [
        python,
        "-m",
        "gunicorn",
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{args.port}",
        "--log-level",
        "warning",
    ]
    if args.every_count:
        command += ["-c", str(HOOKS)]
    server = subprocess.Popen([*command, "app:create_app()"], env=env, cwd=ROOT, start_new_session=True)
    try:
        _wait_for(args.port)
        url = f"http://127.0.0.1:{args.port}{args.path}"
        for _ in range(4 * args.workers):  # every worker past its first requests (imports, templates)
            request = urllib.request.Request(url, headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.status == 200, response.status
        subprocess.run(["wrk", "-t2", "-c8", "-d3s", "-H", f"Cookie: {cookie}", url], capture_output=True, check=True)
        load = os.getloadavg()
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{args.seconds}s", "--timeout", "10s", "--latency", "-H", f"Cookie: {cookie}"]
            + [url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.killpg(server.pid, signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups())
    p99 = _ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups())
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    )
    kind = "every request counting" if args.every_count else "counts kept 30 s"
    print(
        f"| {args.db}, {args.customers:,}, `-w {args.workers}`, {kind} | {rate:.1f} | {p50:.1f} ms | {p99:.1f} ms "
        f"| {errors} ({total:,} requests) | {load[0]:.1f} |"
    )
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
