"""Millions of demo customers in SQL: set-based, no Python loop over rows.

``services.demo_data.seed`` builds rows in Python (about 1,000 customers a second); at ten
million customers that is days. Here every table is one ``INSERT … SELECT`` per chunk of
customers over a number series (PostgreSQL ``generate_series``, MariaDB's ``seq_a_to_b``
tables, a recursive CTE on SQLite), with the same vocabulary and ratios as demo_data: per
customer 3–7 interactions (5 on average), 2 orders of one line each, 0.3 complaints, 0.5
emotion entries, 0.2 survey answers and 0.02 planned call-backs. "Random" values are
deterministic hashes of the row's number, so a run is reproducible.

Every column the app derives is written too (``search_text``, birth month and day, invoice
numbers, SLA due times); the secondary indexes are dropped for the load and built again
after it (a sorted build beats millions of random inserts), then the search index and the
sequences are brought up to date. Staff, teams, products and the budget come from
demo_data (a few rows, in Python).
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from models import Appointment, Complaint, Customer, EmotionEntry, Interaction, Order, OrderLine, SurveyAnswer, db
from services import demo_data, search_index
from services.text import fold

TABLES = (Customer, Order, OrderLine, Complaint, Interaction, EmotionEntry, SurveyAnswer, Appointment)
CHUNK = {"postgresql": 500_000, "mysql": 250_000, "sqlite": 250_000}
"""Customers per chunk (one transaction for them and their history)."""
ORDERS_PER_CUSTOMER = 2
INDEX_BUILDERS = 2
"""Indexes built at once on PostgreSQL and MariaDB."""
PRIME = 1_000_000_007


class Dialect:
    """The few SQL spellings that differ between SQLite, PostgreSQL and MariaDB."""

    def __init__(self, name: str):
        self.name = "mysql" if name in ("mysql", "mariadb") else name

    def series(self, first: int, last: int) -> str:
        """A subquery of the integers ``first``..``last`` as column ``i``."""
        if self.name == "postgresql":
            return f"(SELECT i FROM generate_series({first}::bigint, {last}::bigint) AS s(i))"
        if self.name == "mysql":
            return f"(SELECT seq AS i FROM seq_{first}_to_{last})"
        return (
            f"(WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s WHERE i < {last}) SELECT i FROM s)"
        )

    def div(self, a: str, b: int | str) -> str:
        return f"(({a}) DIV ({b}))" if self.name == "mysql" else f"(({a}) / ({b}))"

    def cat(self, *parts: str) -> str:
        return f"CONCAT({', '.join(parts)})" if self.name == "mysql" else "(" + " || ".join(parts) + ")"

    def str(self, value: str) -> str:
        if self.name == "postgresql":
            return f"CAST({value} AS TEXT)"
        return f"CAST({value} AS CHAR)" if self.name == "mysql" else f"CAST({value} AS TEXT)"

    def pad(self, value: str, width: int) -> str:
        if self.name == "sqlite":
            return f"substr('{'0' * width}' || ({value}), -{width})"
        return f"lpad({self.str(value)}, {width}, '0')"

    def timestamp(self, moment: datetime) -> str:
        literal = moment.strftime("%Y-%m-%d %H:%M:%S")
        return f"'{literal}.000000'" if self.name == "sqlite" else f"TIMESTAMP '{literal}'"

    def minutes_after(self, ts: str, minutes: str) -> str:
        if self.name == "postgresql":
            return f"({ts} + ({minutes}) * INTERVAL '1 minute')"
        if self.name == "mysql":
            return f"({ts} + INTERVAL ({minutes}) MINUTE)"
        return f"(datetime({ts}, ({minutes}) || ' minutes') || '.000000')"

    def days_after(self, day: str, days: str) -> str:
        """A DATE ``days`` after the date literal ``day`` (YYYY-MM-DD)."""
        if self.name == "postgresql":
            return f"(DATE '{day}' + CAST({days} AS INTEGER))"
        if self.name == "mysql":
            return f"(DATE '{day}' + INTERVAL ({days}) DAY)"
        return f"date('{day}', ({days}) || ' days')"

    def month(self, d: str) -> str:
        if self.name == "sqlite":
            return f"CAST(strftime('%m', {d}) AS INTEGER)"
        return f"EXTRACT(MONTH FROM {d})"

    def day(self, d: str) -> str:
        if self.name == "sqlite":
            return f"CAST(strftime('%d', {d}) AS INTEGER)"
        return f"EXTRACT(DAY FROM {d})"

    def time(self, hh_mm: str) -> str:
        return f"'{hh_mm}:00.000000'" if self.name == "sqlite" else f"TIME '{hh_mm}:00'"

    def true(self, condition: str) -> str:
        return f"({condition})"

    def pick(self, index: str, values: list) -> str:
        """``values[index]``: an array on PostgreSQL, ``ELT`` on MariaDB (a lookup, where a CASE compares
        every branch: 37 for a given name), a CASE on SQLite."""
        literals = [_literal(v) for v in values]
        if self.name == "postgresql":
            kind = "text" if any(isinstance(v, str) for v in values) else "bigint"
            return f"((ARRAY[{', '.join(literals)}]::{kind}[])[({index}) + 1])"
        if self.name == "mysql" and all(isinstance(v, str) for v in values):
            return f"ELT(({index}) + 1, {', '.join(literals)})"
        whens = " ".join(f"WHEN {k} THEN {v}" for k, v in enumerate(literals))
        return f"(CASE {index} {whens} END)"


def _literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value)) if isinstance(value, bool) else str(value)


def rnd(expr: str, salt: int, modulus: int) -> str:
    """A deterministic pseudo-random integer in [0, modulus) from the row number ``expr``."""
    multiplier = 2_654_435_761 + 97_531 * salt
    return f"(((({expr}) * {multiplier} + {salt * 7_919}) % {PRIME}) % {modulus})"


def seed(customers: int, progress: Callable[[int], None] | None = None, log=None) -> dict:
    """Add ``customers`` customers with their history, set-based; returns the rows added per table."""
    engine = db.engine
    sql = Dialect(engine.dialect.name)
    staff = demo_data.ensure_staff()
    head_id = staff["head"].id if staff["head"] else None
    products = demo_data.ensure_reference_data(head_id)
    demo_data.ensure_budget(head_id)
    db.session.commit()
    agents = staff["agents"] or staff["leads"]
    first = (db.session.scalar(select(func.max(Customer.id))) or 0) + 1
    last = first + customers - 1
    before = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}
    starts = {m.__tablename__: (db.session.scalar(select(func.max(m.id))) or 0) + 1 for m in TABLES}
    db.session.commit()
    now = datetime.now(UTC).replace(microsecond=0)
    builder = _Statements(sql, agents, products, now, starts, first)
    say = log or (lambda message: None)

    dropped = _drop_indexes(engine)
    chunk = CHUNK[sql.name]
    started = time.perf_counter()
    spent: dict[str, float] = {}
    for low in range(first, last + 1, chunk):
        high = min(last, low + chunk - 1)
        with engine.begin() as conn:
            _load_settings(conn, sql)
            for table, statement in builder.chunk(low, high):
                began = time.perf_counter()
                conn.execute(text(statement))
                spent[table] = spent.get(table, 0.0) + time.perf_counter() - began
        if progress:
            progress(high - low + 1)
    say(f"  rows inserted in {time.perf_counter() - started:.0f} s ({_seconds(spent)}); building indexes ...")
    started = time.perf_counter()
    spent = _create_indexes(engine, dropped)
    say(f"  indexes built in {time.perf_counter() - started:.0f} s ({_seconds(spent)})")
    started = time.perf_counter()
    search_index.ensure_search_indexes(engine)
    say(f"  search index in {time.perf_counter() - started:.0f} s")
    demo_data.fix_sequences()
    return {
        m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) - before[m.__tablename__]
        for m in TABLES
    }


def _load_settings(conn, sql: Dialect) -> None:
    if sql.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit = off"))
        try:  # no foreign-key triggers for rows generated consistent (needs a superuser)
            with conn.begin_nested():
                conn.execute(text("SET LOCAL session_replication_role = replica"))
        except Exception:  # noqa: BLE001 - an ordinary user loads with the checks on
            pass
    elif sql.name == "mysql":
        conn.execute(text("SET SESSION foreign_key_checks = 0, unique_checks = 0"))


def _drop_indexes(engine) -> list:
    """Drop the secondary indexes of the loaded tables (and SQLite's search triggers); returns them."""
    search_index.drop_search_indexes(engine, all_backends=True)
    dropped = []
    for model in TABLES:
        for index in model.__table__.indexes:
            try:
                with engine.begin() as conn:
                    index.drop(conn, checkfirst=True)
            except OperationalError:  # MariaDB keeps an index a foreign key needs
                continue
            dropped.append(index)
    return dropped


def _seconds(spent: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]))


def _create_indexes(engine, indexes) -> dict[str, float]:
    """Build ``indexes``, two at a time on a server (one sorts while the other reads); seconds per table."""
    spent: dict[str, float] = {}

    def build(index) -> None:
        began = time.perf_counter()
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            index.create(conn, checkfirst=True)
        spent[index.table.name] = spent.get(index.table.name, 0.0) + time.perf_counter() - began

    workers = 1 if engine.dialect.name == "sqlite" else INDEX_BUILDERS
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(build, index) for index in indexes]:
            future.result()
    return spent


class _Statements:
    """The INSERT … SELECT statements of one chunk of customers [low, high]."""

    def __init__(self, sql: Dialect, agents, products, now: datetime, starts: dict, first: int):
        self.sql, self.now, self.starts, self.first = sql, now, starts, first
        self.agents = [(a.id, a.team_id) for a in agents]
        teams = sorted({t for _a, t in self.agents}, key=lambda t: (t is None, t))
        self.team_agents = {t: [a for a, at in self.agents if at == t] for t in teams}
        self.products = [(p.id, p.price) for p in products]
        self.now_sql = sql.timestamp(now)

    def order_id(self, customer_id: str, j: int) -> str:
        return f"({self.starts['orders']} + ({customer_id} - {self.first}) * {ORDERS_PER_CUSTOMER} + {j})"

    def chunk(self, low: int, high: int) -> list[tuple[str, str]]:
        """(table, statement) for every table, parents first."""
        tables = ("customers", "orders", "order_lines", "complaints", "interactions", "emotions", "surveys")
        return [(t, getattr(self, t)(low, high)) for t in (*tables, "appointments")]

    def ago(self, minutes: str) -> str:
        return self.sql.minutes_after(self.now_sql, f"-({minutes})")

    def customers(self, low: int, high: int) -> str:
        sql = self.sql
        surnames, middles, givens = demo_data.SURNAMES, demo_data.MIDDLE, demo_data.GIVEN
        prefixes = demo_data.PREFIXES
        space = len(prefixes) * 10_000_000
        agent = rnd("i", 1, len(self.agents))
        phone_k = f"((i * 1000003) % {space})"
        phone = sql.cat(self.sql.pick(sql.div(phone_k, 10_000_000), prefixes), sql.pad(f"{phone_k} % 10000000", 7))
        name = sql.cat("sn", "' '", "mn", "' '", "gn")
        address = sql.cat("'kh'", sql.str("i"), "'@example.vn'")
        email = f"(CASE WHEN {rnd('i', 2, 10)} < 7 THEN {address} END)"
        birthday = sql.days_after("1955-01-01", f"{rnd('i', 3, 50)} * 365 + {rnd('i', 4, 365)}")
        spaced_email = "COALESCE(" + sql.cat("' '", "email") + ", '')"
        folded = sql.cat("' '", "sf", "' '", "mf", "' '", "gf", spaced_email, "' '", "phone")
        kind = self.sql.pick(rnd("i", 5, 20), ["customer"] * 18 + ["supplier", "partner"])
        words = []
        for salt, (shown, short) in enumerate(((surnames, "s"), (middles, "m"), (givens, "g")), start=6):
            k = rnd("i", salt, len(shown))
            words.append(f"{sql.pick(k, shown)} AS {short}n, {sql.pick(k, [fold(w) for w in shown])} AS {short}f")
        owner = sql.pick(agent, [a for a, _t in self.agents])
        team = sql.pick(agent, [t for _a, t in self.agents])
        inner = f"""
            SELECT i, {phone} AS phone, {email} AS email, {birthday} AS birthday, {", ".join(words)},
                   {owner} AS owner_id, {team} AS team_id
            FROM {sql.series(low, high)} AS n"""
        street = sql.cat(
            sql.str(f"1 + {rnd('i', 9, 300)}"), "' '", sql.pick(rnd("i", 10, len(demo_data.STREETS)), demo_data.STREETS)
        )
        return f"""
            INSERT INTO customers (id, name, phone, alt_phone, email, address, province, birthday, birth_month,
                birth_day, kind, potential, is_vip, owner_id, team_id, consent_contact, contact_from, contact_to,
                notes, last_contact_at, search_text, created_at, updated_at)
            SELECT i, {name}, phone, NULL, email,
                {street},
                {self.sql.pick(rnd("i", 11, len(demo_data.PROVINCES)), demo_data.PROVINCES)},
                birthday, {sql.month("birthday")}, {sql.day("birthday")}, {kind},
                {self.sql.pick(rnd("i", 12, 3), ["low", "medium", "high"])}, {sql.true(f"{rnd('i', 13, 100)} < 8")},
                owner_id, team_id, {sql.true(f"{rnd('i', 14, 10)} < 9")},
                (CASE WHEN {rnd("i", 15, 10)} < 3 THEN {sql.time("08:00")} END),
                (CASE WHEN {rnd("i", 16, 10)} < 3 THEN {sql.time("20:00")} END), NULL,
                {self.ago(f"{rnd('i', 17, 200)} * 1440 + {rnd('i', 18, 1440)}")},
                {folded},
                {self.ago(f"(1 + {rnd('i', 19, 900)}) * 1440")}, {self.ago(f"(1 + {rnd('i', 19, 900)}) * 1440")}
            FROM ({inner}) AS c"""

    def _of_customers(self, low: int, high: int, extra: str = "") -> str:
        return f"FROM customers c {extra} WHERE c.id BETWEEN {low} AND {high}"

    def orders(self, low: int, high: int) -> str:
        sql = self.sql
        ks = " UNION ALL ".join(f"SELECT {j} AS j" for j in range(ORDERS_PER_CUSTOMER))
        oid = self.order_id("c.id", "k.j")
        status = self.sql.pick(rnd(oid, 21, len(demo_data.ORDER_STATUSES)), demo_data.ORDER_STATUSES)
        product = rnd(oid, 22, len(self.products))
        qty = (
            f"(1 + ({rnd(oid, 23, 3)} = 2))"
            if sql.name != "postgresql"
            else f"(1 + CAST({rnd(oid, 23, 3)} = 2 AS INTEGER))"
        )
        days = rnd(oid, 24, 365)
        today = self.now.date().isoformat()
        inner = f"""
            SELECT {oid} AS id, c.id AS customer_id, {status} AS status,
                   {self.sql.pick(product, [p for _i, p in self.products])} * {qty} AS total, {days} AS days
            {self._of_customers(low, high, f"CROSS JOIN ({ks}) AS k")}"""
        carrier = self.sql.pick(rnd("id", 25, 4), ["GHN", "GHTK", "Viettel Post", "J&T"])
        return f"""
            INSERT INTO orders (id, customer_id, status, invoice_number, total, carrier, tracking_code,
                expected_delivery, change_request, note, created_at, updated_at)
            SELECT id, customer_id, status, {sql.cat("'HD'", sql.pad("id", 8))}, total,
                (CASE WHEN status <> 'new' THEN {carrier} END),
                (CASE WHEN status IN ('shipped', 'delivered') THEN {sql.cat("'VN'", sql.pad("id", 10))} END),
                {sql.days_after(today, "3 - days")}, NULL, NULL,
                {self.ago("days * 1440")}, {self.ago("days * 1440")}
            FROM ({inner}) AS o"""

    def order_lines(self, low: int, high: int) -> str:
        sql = self.sql
        first_order = self.order_id(str(low), 0)
        line_id = f"({self.starts['order_lines']} + o.id - {self.starts['orders']})"
        product = rnd("o.id", 22, len(self.products))
        qty = (
            f"(1 + ({rnd('o.id', 23, 3)} = 2))"
            if sql.name != "postgresql"
            else f"(1 + CAST({rnd('o.id', 23, 3)} = 2 AS INTEGER))"
        )
        return f"""
            INSERT INTO order_lines (id, order_id, product_id, quantity, unit_price)
            SELECT {line_id}, o.id, {self.sql.pick(product, [i for i, _p in self.products])}, {qty},
                {self.sql.pick(product, [p for _i, p in self.products])}
            FROM orders o WHERE o.id BETWEEN {first_order} AND {self.order_id(str(high), ORDERS_PER_CUSTOMER - 1)}"""

    def complaints(self, low: int, high: int) -> str:
        sql = self.sql
        subjects = demo_data.SUBJECTS
        r = "c.id"
        # opened up to 120 days ago; the younger a request, the likelier it is still open (demo_data)
        age = f"({rnd(r, 31, 120)} * 1440 + {rnd(r, 32, 24)} * 60)"
        open_percent = (
            f"(CASE WHEN {age} < 2880 THEN 80 WHEN {age} < 10080 THEN 35 WHEN {age} < 43200 THEN 8 ELSE 2 END)"
        )
        priorities = ["low", "normal", "normal", "high", "urgent"]
        inner = f"""
            SELECT c.id AS customer_id, c.owner_id, c.team_id, {age} AS age,
                   ({rnd(r, 33, 100)} < {open_percent} OR {age} < 60) AS still_open,
                   {rnd(r, 34, len(subjects))} AS subject_k, {self.sql.pick(rnd(r, 35, 5), priorities)} AS priority,
                   {rnd(r, 36, 100)} AS r100, {rnd(r, 37, 9000)} AS spent
            {self._of_customers(low, high)} AND {rnd(r, 30, 10)} < 3"""
        window = "(CASE WHEN age > 9000 THEN 9000 WHEN age < 60 THEN 60 ELSE age END)"
        resolved = self.sql.minutes_after(self.ago("age"), f"15 + spent % {window}")
        closed = f"(NOT still_open AND r100 < 30 AND age - 15 - spent % {window} > 1440)"
        waiting = self.sql.pick("r100 % 3", ["new", "in_progress", "waiting"])
        status = (
            f"(CASE WHEN still_open THEN (CASE WHEN age < 1440 THEN 'new' ELSE {waiting} END)"
            f" WHEN {closed} THEN 'closed' ELSE 'resolved' END)"
        )
        sla = " ".join(f"WHEN '{p}' THEN {h * 60}" for p, h in demo_data.SLA_HOURS.items())
        complaint_id = f"({self.starts['complaints']} + customer_id - {self.first})"
        return f"""
            INSERT INTO complaints (id, customer_id, kind, subject, subject_folded, description, category, priority,
                status, channel,
                resolution_plan, assignee_id, team_id, due_at, escalated_to, escalated_to_id, escalated_at,
                resolution, first_contact_resolved, opened_at, resolved_at, closed_at, reopened_count,
                satisfaction, order_id, product_id, created_at, updated_at)
            SELECT {complaint_id}, customer_id, {self.sql.pick("r100 % 3", ["complaint", "support", "warranty"])},
                {self.sql.pick("subject_k", [s for _c, s in subjects])},
                {self.sql.pick("subject_k", [fold(s)[:200] for _c, s in subjects])},
                {self.sql.pick("subject_k", [s + ". Khách mong được hỗ trợ sớm." for _c, s in subjects])},
                {self.sql.pick("subject_k", [c for c, _s in subjects])}, priority,
                {status}, {self.sql.pick("r100 % 5", demo_data.CHANNELS)}, NULL, owner_id, team_id,
                {self.sql.minutes_after(self.ago("age"), f"(CASE priority {sla} END)")}, NULL, NULL, NULL,
                (CASE WHEN still_open THEN NULL ELSE 'Đã xử lý theo chính sách' END),
                {sql.true("NOT still_open AND r100 < 40")}, {self.ago("age")},
                (CASE WHEN still_open THEN NULL ELSE {resolved} END),
                (CASE WHEN {closed} THEN {self.sql.minutes_after(resolved, "1440")} END), 0,
                (CASE WHEN {closed} THEN 1 + r100 % 5 END), {self.order_id("customer_id", 0)}, NULL,
                {self.ago("age")}, {self.ago("age")}
            FROM ({inner}) AS q"""

    def interactions(self, low: int, high: int) -> str:
        pick = self.sql.pick
        ks = " UNION ALL ".join(f"SELECT {j} AS j" for j in range(7))
        r = "(c.id * 7 + k.j)"
        by_team = " ".join(
            f"WHEN {t} THEN {self.sql.pick(rnd(r, 41, len(ids)), ids)}"
            for t, ids in self.team_agents.items()
            if t is not None
        )
        agent = f"(CASE c.team_id {by_team} ELSE c.owner_id END)" if by_team else "c.owner_id"
        return f"""
            INSERT INTO interactions (customer_id, channel, direction, summary, agent_id, occurred_at,
                duration_seconds, outcome, complaint_id)
            SELECT c.id, {pick(rnd(r, 42, 5), demo_data.CHANNELS)}, {pick(rnd(r, 43, 2), ["inbound", "outbound"])},
                {pick(rnd(r, 44, len(demo_data.SUMMARIES)), demo_data.SUMMARIES)}, {agent},
                {self.ago(f"{rnd(r, 45, 365)} * 1440 + {rnd(r, 46, 1440)}")}, 30 + {rnd(r, 47, 1171)},
                {self.sql.pick(rnd(r, 48, 4), ["answered", "resolved", "follow_up", "no_answer"])}, NULL
            {self._of_customers(low, high, f"CROSS JOIN ({ks}) AS k")} AND k.j < 3 + {rnd("c.id", 40, 5)}"""

    def emotions(self, low: int, high: int) -> str:
        return f"""
            INSERT INTO emotion_entries (customer_id, mood, note, next_care, author_id, created_at)
            SELECT c.id, {self.sql.pick(rnd("c.id", 51, len(demo_data.MOODS)), demo_data.MOODS)},
                'Khách chia sẻ trải nghiệm gần đây', 'Gọi hỏi thăm sau 1 tháng', c.owner_id,
                {self.ago(f"{rnd('c.id', 52, 300)} * 1440 + {rnd('c.id', 53, 1440)}")}
            {self._of_customers(low, high)} AND {rnd("c.id", 50, 2)} = 0"""

    def surveys(self, low: int, high: int) -> str:
        return f"""
            INSERT INTO survey_answers (customer_id, csat, nps, comment, complaint_id, order_id, answered_at)
            SELECT c.id, 1 + {rnd("c.id", 61, 5)}, {rnd("c.id", 62, 11)}, NULL, NULL, {self.order_id("c.id", 0)},
                {self.ago(f"{rnd('c.id', 63, 300)} * 1440 + {rnd('c.id', 64, 1440)}")}
            {self._of_customers(low, high)} AND {rnd("c.id", 60, 5)} = 0"""

    def appointments(self, low: int, high: int) -> str:
        day = self.now.replace(hour=3, minute=0, second=0)
        starts = self.sql.minutes_after(self.sql.timestamp(day), f"(1 + {rnd('c.id', 71, 14)}) * 1440")
        return f"""
            INSERT INTO appointments (customer_id, agent_id, kind, purpose, starts_at, duration_minutes,
                customer_requested, status, outcome, satisfaction, complaint_id, dedupe_key, created_at, updated_at)
            SELECT c.id, c.owner_id, 'call_back', 'Gọi lại tư vấn sản phẩm', {starts}, 15, {self.sql.true("1 = 0")},
                'planned', NULL, NULL, NULL, NULL, {self.now_sql}, {self.now_sql}
            {self._of_customers(low, high)} AND {rnd("c.id", 70, 50)} = 0"""


__all__ = ["Dialect", "seed"]
