"""Time list pages through the full Flask stack against the SQL they run and a plain Flask-Admin view.

For each page: our p50/p95 over ``--repeat`` requests (after warm-up, each counting its rows),
the statements one request sends (captured with ``before_cursor_execute``) re-run alone on a
raw DBAPI connection (p50), the ratio, the query count, our p50 when a count that reached its cap
is kept between requests (as a server does for 30 s), and the same page in a plain
``flask_admin.contrib.sqla.ModelView`` over the same tables, mounted under /plain/.
"""

import argparse
import platform
import statistics
import time
from datetime import UTC, datetime
from urllib.parse import quote

from flask_admin import Admin
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from sqlalchemy import event, select

from bench.database import BACKENDS, database_url, prepare

PLAIN_COLUMNS = {
    "customers": ["name", "phone", "email", "kind", "potential", "is_vip", "owner", "team", "last_contact_at"],
    "interactions": ["customer.name", "channel", "direction", "summary", "agent", "occurred_at", "outcome"],
    "complaints": ["customer.name", "subject", "category", "priority", "status", "assignee", "due_at", "opened_at"],
    "orders": ["customer.name", "status", "invoice_number", "total", "carrier", "expected_delivery"],
}


def build_app(url: str):
    from app import create_app
    from config import TestingConfig

    settings = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    settings |= {"SQLALCHEMY_DATABASE_URI": url, "TESTING": False, "WTF_CSRF_ENABLED": True}
    return create_app(settings)


def mount_plain_admin(app) -> None:
    """A plain Flask-Admin over the same tables: what the issue measured."""
    from models import Complaint, Customer, Interaction, Order, db

    plain = Admin(app, name="Plain", url="/plain", endpoint="plain", theme=Bootstrap4Theme())
    for model, name in ((Customer, "customers"), (Interaction, "interactions"), (Complaint, "complaints")):
        view = type(
            f"Plain{model.__name__}View",
            (ModelView,),
            {
                "column_list": PLAIN_COLUMNS[name],
                "column_default_sort": ("id", True),
                "can_view_details": True,
                "column_searchable_list": ["name", "phone", "email"] if model is Customer else [],
                "column_filters": ["potential"] if model is Customer else [],
            },
        )
        plain.add_view(view(model, db.session, endpoint=f"plain_{name}", url=f"/plain/{name}"))
    view = type(
        "PlainOrderView", (ModelView,), {"column_list": PLAIN_COLUMNS["orders"], "column_default_sort": ("id", True)}
    )
    plain.add_view(view(Order, db.session, endpoint="plain_orders", url="/plain/orders"))


def logged_in(app, user_token: str):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_token
        session["_fresh"] = True
    return client


def filter_key(view, column_name: str) -> str | None:
    from flask_admin.contrib.sqla.filters import FilterEqual

    for key, (_idx, flt) in (getattr(view, "_filter_args", None) or {}).items():
        if str(flt.column).endswith("." + column_name) and isinstance(flt, FilterEqual):
            return key
    return None


def forget_capped_counts() -> None:
    """Make the next request count again: a list keeps a count that reached its cap for 30 s
    (admin/listing/paging.py), which would hide the count's cost from every request after the first."""
    from admin.listing import paging

    paging._capped_seen.clear()


def timed(
    client, path: str, repeat: int, cpu: list[float] | None = None, keep_counts: bool = False
) -> tuple[list[float], int]:
    """Wall-clock milliseconds per request; ``cpu`` (when given) receives this thread's CPU milliseconds,
    which other processes on a shared machine inflate far less than the wall clock. Every request
    counts its rows unless ``keep_counts``."""
    for _ in range(2):
        status = client.get(path).status_code
    samples = []
    for _ in range(repeat):
        if not keep_counts:
            forget_capped_counts()
        started, started_cpu = time.perf_counter(), time.thread_time()
        status = client.get(path).status_code
        samples.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.thread_time() - started_cpu) * 1000)
    return samples, status


def captured(app, client, path: str, engine=None) -> list[tuple[str, object]]:
    """The statements one request sends to ``engine`` (the CSKH database unless given: a panel's source)."""
    from models import db

    if engine is None:
        with app.app_context():
            engine = db.engine
    statements = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    forget_capped_counts()
    try:
        client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return statements


def sql_alone(app, statements, repeat: int, engine=None) -> float:
    """p50 of ``statements`` re-run alone on a raw connection of ``engine`` (the CSKH database unless given)."""
    from models import db

    if engine is None:
        with app.app_context():
            engine = db.engine
    raw = engine.raw_connection()
    try:
        samples = []
        for _ in range(repeat + 2):
            cursor = raw.cursor()
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
            cursor.close()
            raw.rollback()
        return statistics.median(samples[2:])
    finally:
        raw.close()


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pages(app, counts: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(label, role, our path, plain path)."""
    from models import Customer, db

    admin = app.extensions["cskh_admin"]
    ours = {getattr(v, "endpoint", None): v for v in admin._views}
    plain = {v.endpoint: v for v in app.extensions["admin"][-1]._views if hasattr(v, "endpoint")}
    n = counts["customers"]
    with app.app_context():
        middle = db.session.scalar(select(Customer.id).order_by(Customer.id.desc()).offset(n // 2).limit(1))
        some = db.session.scalar(select(Customer.id).order_by(Customer.id).limit(1))
    our_flt, plain_flt = filter_key(ours["customers"], "potential"), filter_key(plain["plain_customers"], "potential")
    rows = [
        ("customers, page 1", "head", "/admin/customers/", "/plain/customers/"),
        ("customers, page 400 (offset)", "head", "/admin/customers/?page=400", "/plain/customers/?page=400"),
        (
            f"customers, page {n // 40} (keyset / offset {n // 2:,})",
            "head",
            f"/admin/customers/?page={n // 40}&after={middle}",
            f"/plain/customers/?page={n // 40}",
        ),
        ("customers, sorted by name", "head", "/admin/customers/?sort=0", "/plain/customers/?sort=0"),
        (
            "customers, filtered potential=high",
            "head",
            f"/admin/customers/?flt0_{our_flt}=high",
            f"/plain/customers/?flt0_{plain_flt}=high",
        ),
        ('customers, search "lan"', "head", "/admin/customers/?search=lan", "/plain/customers/?search=lan"),
        ('customers, search "0912"', "head", "/admin/customers/?search=0912", "/plain/customers/?search=0912"),
        (
            'customers, search "nguyen van an"',
            "head",
            "/admin/customers/?search=nguyen+van+an",
            "/plain/customers/?search=nguyen+van+an",
        ),
        ("customers, page 1 (agent)", "agent", "/admin/customers/", None),
        ('customers, search "lan" (agent)', "agent", "/admin/customers/?search=lan", None),
        ("customer details", "head", f"/admin/customers/details/?id={some}", f"/plain/customers/details/?id={some}"),
    ]
    others = (
        ("interactions", "channel", "channel", "phone"),
        ("complaints", "priority", "status", "new"),
        ("orders", "total", "status", "shipped"),
    )
    for name, sort_by, flt_column, wanted in others:
        mine = f"/admin/{name}/" if name in ours else None
        rows.append((f"{name}, page 1", "head", mine, f"/plain/{name}/"))
        rows.append((f"{name}, page 400", "head", mine and f"{mine}?page=400", f"/plain/{name}/?page=400"))
        if mine is None:
            continue
        with app.test_request_context():
            index = [c for c, _label in ours[name].get_list_columns()].index(sort_by)
        rows.append((f"{name}, sorted by {sort_by}, page 50", "head", f"{mine}?sort={index}&desc=1&page=50", None))
        key = filter_key(ours[name], flt_column)
        rows.append((f"{name}, filtered {flt_column}={wanted}", "head", f"{mine}?flt0_{key}={wanted}", None))
    for endpoint in ("customer360", "customers_360"):
        if endpoint in ours:
            rows.append(("customer 360", "head", f"/admin/{endpoint}/?id={some}", None))
    rows.append(("dashboard (/admin/)", "head", "/admin/", None))
    rows += inbox_and_search_pages(app, some)
    return rows


def inbox_and_search_pages(app, customer_id: int) -> list[tuple[str, str, str, None]]:
    """The agent's and lead's inbox and the navbar search by each kind of key (#17): a phone in
    another format, a request code, an order code, an invoice number and a name without accents.
    A search with one match answers a redirect to the record (302), which is the page's answer."""
    from models import Complaint, Customer, Order, db

    with app.app_context():
        phone = db.session.scalar(select(Customer.phone).where(Customer.id == customer_id))
        complaint = db.session.scalar(select(Complaint.id).order_by(Complaint.id.desc()).limit(1))
        order = db.session.execute(select(Order.id, Order.invoice_number).order_by(Order.id.desc()).limit(1)).first()
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}" if phone else "0912"
    rows = [
        ("inbox (agent)", "agent", "/admin/inbox/", None),
        ("inbox, team queue (lead)", "lead", "/admin/inbox/", None),
        (f'navbar search phone "{spaced}"', "head", f"/admin/search/?q={quote(spaced)}", None),
        ('navbar search "nguyen van an"', "head", "/admin/search/?q=nguyen+van+an", None),
        ('navbar search "nguyen van an" (agent)', "agent", "/admin/search/?q=nguyen+van+an", None),
    ]
    if complaint:
        rows.append((f'navbar search "KN-{complaint:06d}"', "head", f"/admin/search/?q=KN-{complaint:06d}", None))
        rows.append(("complaints, search by code", "head", f"/admin/complaints/?search=KN-{complaint:06d}", None))
    if order:
        rows.append((f'navbar search "DH-{order.id:07d}"', "head", f"/admin/search/?q=DH-{order.id:07d}", None))
        if order.invoice_number:
            invoice = quote(order.invoice_number)
            rows.append(("navbar search invoice number", "head", f"/admin/search/?q={invoice}", None))
        rows.append(("orders, search by code", "head", f"/admin/orders/?search=DH-{order.id:07d}", None))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=BACKENDS, default="sqlite")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page (after 2 warm-ups)")
    parser.add_argument("--no-plain", action="store_true", help="skip the plain Flask-Admin column")
    parser.add_argument(
        "--pages", default="", help="only pages whose label contains one of these comma-separated words, e.g. 'page 1'"
    )
    args = parser.parse_args(argv)

    from models import User, db

    url = database_url(args.db, args.customers)
    app = build_app(url)
    mount_plain_admin(app)
    counts = prepare(app, args.customers)
    with app.app_context():
        ids = {
            role: db.session.scalar(select(User).where(User.role == role).order_by(User.id).limit(1)).get_id()
            for role in ("head", "lead", "agent")
        }
    clients = {role: logged_in(app, user_id) for role, user_id in ids.items()}
    plain_client = app.test_client()

    print(
        f"\n{args.db}, {counts['customers']:,} customers, {counts['interactions']:,} interactions, "
        f"{counts['orders']:,} orders, {counts['complaints']:,} complaints; {args.repeat} requests per page; "
        f"{platform.node()} {platform.processor() or platform.machine()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    header = (
        "page",
        "ours p50",
        "ours p95",
        "ours CPU p50",
        "SQL p50",
        "ratio",
        "queries",
        "count kept p50",
        "plain p50",
        "plain p95",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
    for label, role, ours, plain in pages(app, counts):
        if wanted and not any(w in label for w in wanted):
            continue
        cells = [label]
        client = clients[role]
        if ours:
            cpu: list[float] = []
            samples, status = timed(client, ours, args.repeat, cpu)
            statements = captured(app, client, ours)
            alone = sql_alone(app, statements, args.repeat)
            p50 = statistics.median(samples)
            note = "" if status == 200 else f" ({status})"
            cells += [f"{p50:.1f} ms{note}", f"{p95(samples):.1f} ms", f"{statistics.median(cpu):.1f} ms"]
            cells += [f"{alone:.2f} ms", f"{p50 / alone:.1f}×", str(len(statements))]
            kept, _status = timed(client, ours, args.repeat, keep_counts=True)
            cells.append(f"{statistics.median(kept):.1f} ms")
        else:
            cells += ["n/a"] * 7
        if plain and not args.no_plain:
            samples, status = timed(plain_client, plain, max(3, args.repeat // 4))
            note = "" if status == 200 else f" ({status})"
            cells += [f"{statistics.median(samples):.1f} ms{note}", f"{p95(samples):.1f} ms"]
        else:
            cells += ["", ""]
        print("| " + " | ".join(cells) + " |", flush=True)
    return 0
