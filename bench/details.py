"""The customer 360 page against plain Flask-Admin's details of the same rows: ``python -m bench.details``.

``--db D --customers N``: for ``--rows`` customers spread over the table (their histories differ),
requests ours (``/admin/customers/details/``, head logged in) and plain's (``/plain/customers/details/``)
alternately, ``--repeat`` times each, and prints one Markdown row: wall p50 / p95 and the request
thread's CPU p50 of both (the CPU is what a loaded machine inflates least), their ratio and the
statements each page sends.
"""

import argparse
import statistics
import time

from sqlalchemy import func, select

from bench.database import BACKENDS, database_url
from bench.run import build_app, captured, logged_in, mount_plain_admin, p95


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.details", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    from models import Customer, User, db

    app = build_app(database_url(args.db, args.customers))
    mount_plain_admin(app)
    with app.app_context():
        head = db.session.scalar(select(User).where(User.role == "head").order_by(User.id).limit(1)).get_id()
        top = db.session.scalar(select(func.max(Customer.id)))
        ids = [top - k * (top // max(args.rows, 1)) for k in range(args.rows)]
    clients = {"ours": logged_in(app, head), "plain": app.test_client()}
    paths = {"ours": "/admin/customers/details/?id={}", "plain": "/plain/customers/details/?id={}"}
    wall: dict[str, list[float]] = {"ours": [], "plain": []}
    cpu: dict[str, list[float]] = {"ours": [], "plain": []}
    for key in ("ours", "plain"):
        for _ in range(3):
            clients[key].get(paths[key].format(ids[0]))
    for _ in range(args.repeat):
        for cid in ids:
            for key in ("ours", "plain"):
                started, started_cpu = time.perf_counter(), time.thread_time()
                assert clients[key].get(paths[key].format(cid)).status_code == 200
                wall[key].append((time.perf_counter() - started) * 1000)
                cpu[key].append((time.thread_time() - started_cpu) * 1000)
    statements = {k: len(captured(app, clients[k], paths[k].format(ids[0]))) for k in clients}
    ours, plain = statistics.median(cpu["ours"]), statistics.median(cpu["plain"])
    print("| database | ours p50 / p95 | plain p50 / p95 | ours CPU p50 | plain CPU p50 | CPU ratio | statements |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {args.db}, {args.customers:,} | {statistics.median(wall['ours']):.1f} / {p95(wall['ours']):.1f} ms "
        f"| {statistics.median(wall['plain']):.1f} / {p95(wall['plain']):.1f} ms | {ours:.2f} ms | {plain:.2f} ms "
        f"| {ours / plain:.2f}× | {statements['ours']} / {statements['plain']} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
