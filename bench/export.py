"""Time a list view's CSV/XLSX export as an HTTP client sees it, and how much the serving process grows.

    .venv/bin/python -m bench.export --db sqlite|postgresql|mariadb --customers N
        [--view customer|interaction|order|complaint] [--format csv|xlsx] [--query "search=lan"] [--repeat 1]
        [--tracemalloc] [--no-prepare]

Uses the list bench's database (``bench.database``: seeded when it holds fewer than N customers;
``--no-prepare`` only counts, never seeds). The app is served by Werkzeug's WSGI server in a thread
of this process, and the export is read over a real socket with ``http.client`` as the head user:
an HTTP client then sees exactly when the first byte leaves the server (the test client would call
the generator directly, hiding any buffering between the view and the socket), and the process
whose memory is measured is the one that serves. The client only holds one 64 KiB read at a time.

One export is started first and abandoned after its first rows (the client hangs up, as a user
cancelling a download would), so the timed ones find the query compiled and the modules imported.
Per export it prints: rows (CSV: parsed with ``csv`` as they arrive; XLSX: saved to a temporary
file and read back with openpyxl after the measurement, every sheet; both checked against a count
of the rows the head may export), time to the first byte and (CSV) to the first complete data row,
total time, bytes, the server thread's CPU time (from /proc: less inflated than the wall clock by
other jobs on the machine and by this process's client), SQL statements, and the peak RSS growth
over the RSS before the request (VmHWM reset through /proc/self/clear_refs, and VmRSS sampled
every 10 ms as a cross-check). ``--tracemalloc`` adds Python's traced peak (slow).
"""

import argparse
import codecs
import csv
import http.client
import logging
import os
import platform
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime

from sqlalchemy import event, func, select
from werkzeug.serving import make_server

from bench.database import BACKENDS, database_url, prepare
from bench.run import build_app, logged_in

VIEWS = {"customer": "customers", "interaction": "interactions", "order": "orders", "complaint": "complaints"}
READ = 64 * 1024


def proc_status(pid: str = "self") -> dict[str, int]:
    """VmRSS / VmHWM in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def thread_cpu(tid: int) -> float:
    """User + system CPU seconds of one thread of this process."""
    with open(f"/proc/self/task/{tid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """The largest VmRSS seen, every ``interval`` seconds, until stopped."""

    def __init__(self, interval: float = 0.01):
        super().__init__(daemon=True)
        self.interval, self.peak, self._stop_event = interval, 0, threading.Event()

    def run(self):
        while not self._stop_event.is_set():
            self.peak = max(self.peak, proc_status()["VmRSS"])
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return max(self.peak, proc_status()["VmRSS"])


class Server:
    """The app on 127.0.0.1 (a free port) in a thread; ``tid`` is that thread's native id."""

    def __init__(self, app):
        self.httpd = make_server("127.0.0.1", 0, app, threaded=False)
        self.port = self.httpd.server_port
        self.tid = None
        started = threading.Event()

        def serve():
            self.tid = threading.get_native_id()
            started.set()
            self.httpd.serve_forever(poll_interval=0.05)

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        started.wait()

    def close(self):
        self.httpd.shutdown()
        self.thread.join()


def session_cookie(app, user_token: str) -> str:
    client = logged_in(app, user_token)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}"


def csv_lines(chunks):
    """Text lines (ends kept) of a UTF-8 CSV body given as byte chunks, BOM dropped."""
    decoder, pending = codecs.getincrementaldecoder("utf-8-sig")(), ""
    for chunk in chunks:
        pending += decoder.decode(chunk)
        *lines, pending = pending.split("\n")
        for line in lines:
            yield line + "\n"
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def fetch(port: int, path: str, cookie: str, fmt: str, abort_after: int = 0) -> dict:
    """GET ``path`` and read it to the end (or only its first ``abort_after`` reads), timing the first byte."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    result = {"bytes": 0, "ttfb": None, "rows": None, "status": None}
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    result["status"] = response.status
    result["headers"] = dict(response.getheaders())
    xlsx = tempfile.TemporaryFile() if fmt == "xlsx" else None  # on disk: not in the measured memory

    def chunks():
        reads = 0
        while chunk := response.read1(READ):
            if result["ttfb"] is None:
                result["ttfb"] = time.perf_counter() - started
            reads += 1
            if reads == abort_after:
                return
            result["bytes"] += len(chunk)
            if xlsx is not None:
                xlsx.write(chunk)
            else:
                yield chunk

    if abort_after:
        for _ in chunks():
            pass
        conn.close()
        return result
    if fmt == "csv" and response.status == 200:
        reader = csv.reader(csv_lines(chunks()))
        result["header"] = next(reader, None)
        first = next(reader, None)
        result["first_row"] = time.perf_counter() - started if first is not None else None
        result["rows"] = (first is not None) + sum(1 for _ in reader)
    else:
        for _ in chunks():
            pass
    result["total"] = time.perf_counter() - started
    conn.close()
    result["xlsx"] = xlsx if response.status == 200 else None
    return result


def xlsx_rows(file) -> tuple[int, int]:
    """(data rows, sheets) of a workbook whose every sheet starts with the header row."""
    from openpyxl import load_workbook

    file.seek(0)
    workbook = load_workbook(file, read_only=True)
    rows = sum(sum(1 for _ in sheet.iter_rows(values_only=True)) - 1 for sheet in workbook.worksheets)
    sheets = len(workbook.worksheets)
    workbook.close()
    file.close()
    return rows, sheets


def expected_rows(app, view_name: str, user_token: str) -> int:
    """Rows the head may export from this view with no search or filter (the view's own scoped query)."""
    from models import db

    admin = app.extensions["cskh_admin"]
    view = next(v for v in admin._views if getattr(v, "endpoint", None) == view_name)
    with app.test_request_context(f"/admin/{view_name}/export/csv/"):
        from flask_login import login_user

        from services.auth import load_user

        login_user(load_user(user_token))
        query = view.export_query().order_by(None).limit(None)
        return db.session.scalar(select(func.count()).select_from(query.subquery()))


def head_token(app) -> str:
    from models import User, db

    with app.app_context():
        return db.session.scalar(
            select(User).where(User.role == "head", User.active.is_(True)).order_by(User.id).limit(1)
        ).get_id()


def counts_only(app) -> dict:
    from models import Complaint, Customer, Interaction, Order, db

    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (
                ("customers", Customer),
                ("interactions", Interaction),
                ("orders", Order),
                ("complaints", Complaint),
            )
        }


def measure(app, server, path: str, cookie: str, fmt: str, traced: bool) -> dict:
    from models import db

    with app.app_context():
        engine = db.engine
    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    before = proc_status()["VmRSS"]
    hwm_reset = reset_peak()
    if traced:
        tracemalloc.start()
    sampler = RssSampler()
    sampler.start()
    cpu_before = thread_cpu(server.tid)
    try:
        result = fetch(server.port, path, cookie, fmt)
    finally:
        sampled = sampler.stop()
        event.remove(engine, "before_cursor_execute", count)
    result["cpu"] = thread_cpu(server.tid) - cpu_before
    if traced:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    result["statements"] = statements[0]
    result["rss_before"] = before
    result["growth_sampled"] = sampled - before
    result["growth_hwm"] = proc_status()["VmHWM"] - before if hwm_reset else None
    if result.get("xlsx") is not None:  # read back after the measurement (openpyxl needs memory of its own)
        result["rows"], result["sheets"] = xlsx_rows(result["xlsx"])
    return result


def mib(n) -> str:
    return "n/a" if n is None else f"{n / 2**20:.1f} MiB"


def main(argv=None) -> int:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request; errors still show
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--view", choices=sorted(VIEWS), default="customer")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--query", default="", help="list arguments for the export URL, e.g. 'search=lan' or 'sort=0'")
    parser.add_argument("--repeat", type=int, default=1, help="timed exports (after one aborted warm-up)")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slows it down)")
    parser.add_argument("--no-prepare", action="store_true", help="use the database as it is: never seed or index")
    parser.add_argument("--no-check", action="store_true", help="skip counting the rows the head may see")
    args = parser.parse_args(argv)

    url = database_url(args.db, args.customers)
    app = build_app(url)
    counts = counts_only(app) if args.no_prepare else prepare(app, args.customers)
    token = head_token(app)
    cookie = session_cookie(app, token)
    name = VIEWS[args.view]
    path = f"/admin/{name}/export/{args.format}/" + (f"?{args.query}" if args.query else "")
    expected = None if args.no_check or args.query else expected_rows(app, name, token)

    server = Server(app)
    try:
        fetch(server.port, f"/admin/{name}/", cookie, "html")  # first request: imports, translations
        warm = fetch(server.port, path, cookie, args.format, abort_after=3)  # past the first rows, then hang up
        fetch(server.port, f"/admin/{name}/", cookie, "html")  # served once the abandoned export has stopped
        print(
            f"\n{args.db}, {counts['customers']:,} customers, {counts['interactions']:,} interactions, "
            f"{counts['orders']:,} orders, {counts['complaints']:,} complaints; GET {path} as head "
            f"(warm-up: HTTP {warm['status']}, first byte in {warm['ttfb'] or 0:.3f} s, then abandoned); "
            f"{platform.node()} {platform.processor() or platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        )
        header = (
            "export",
            "rows",
            "first byte",
            "first row",
            "total",
            "server CPU",
            "bytes",
            "SQL statements",
            "RSS before",
            "peak RSS growth (VmHWM)",
            "peak RSS growth (sampled)",
        ) + (("tracemalloc peak",) if args.tracemalloc else ())
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        failures = 0
        for _ in range(args.repeat):
            r = measure(app, server, path, cookie, args.format, args.tracemalloc)
            rows = "n/a" if r["rows"] is None else f"{r['rows']:,}"
            if r["status"] != 200:
                rows += f" (HTTP {r['status']})"
                failures += 1
            elif expected is not None and r["rows"] != expected:
                rows += f" (EXPECTED {expected:,})"
                failures += 1
            elif expected is not None:
                rows += " ✓"
            if r.get("sheets", 1) > 1:
                rows += f" on {r['sheets']} sheets"
            cells = [
                f"{name} {args.format}" + (f" ?{args.query}" if args.query else ""),
                rows,
                f"{r['ttfb']:.3f} s" if r["ttfb"] is not None else "n/a",
                f"{r['first_row']:.3f} s" if r.get("first_row") is not None else "n/a",
                f"{r['total']:.1f} s",
                f"{r['cpu']:.1f} s",
                f"{r['bytes'] / 2**20:.1f} MiB",
                f"{r['statements']:,}",
                mib(r["rss_before"]),
                mib(r["growth_hwm"]),
                mib(r["growth_sampled"]),
            ] + ([mib(r["traced_peak"])] if args.tracemalloc else [])
            print("| " + " | ".join(cells) + " |", flush=True)
    finally:
        server.close()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
