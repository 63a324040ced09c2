"""Small data factories: ``make_customer(...)`` instead of long fixtures in every test."""

import itertools
from datetime import UTC, datetime

from models import Complaint, Customer, Order, OrderLine, Product, Team, User, db
from services.customers import search_text_for
from services.passwords import hash_password
from services.products import search_text_for as product_search_text

PASSWORD = "correct-horse-9"
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash() -> str:
    if "h" not in _hash_cache:
        _hash_cache["h"] = hash_password(PASSWORD)
    return _hash_cache["h"]


def make_team(name: str | None = None, **kw) -> Team:
    team = Team(name=name or f"Nhóm {next(_counter)}", **kw)
    db.session.add(team)
    db.session.flush()
    return team


def make_user(role: str = "agent", team: Team | None = None, email: str | None = None, **kw) -> User:
    n = next(_counter)
    if team is None and role in ("agent", "lead") and "team_id" not in kw:
        team = make_team()
    user = User(
        email=email or f"{role}{n}@test.vn",
        name=kw.pop("name", f"{role.title()} {n}"),
        role=role,
        team_id=team.id if team else kw.pop("team_id", None),
        password_hash=_hash(),
        active=True,
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    if role == "lead" and team is not None and team.lead_id is None:
        team.lead_id = user.id
    return user


def make_customer(name: str = "Nguyễn Văn An", owner: User | None = None, phone: str | None = None, **kw) -> Customer:
    n = next(_counter)
    phone = phone or f"09{n:08d}"
    customer = Customer(
        name=name,
        phone=phone,
        owner_id=owner.id if owner else None,
        team_id=kw.pop("team_id", owner.team_id if owner else None),
        **kw,
    )
    customer.search_text = search_text_for(name, phone, customer.email)
    if customer.birthday:
        customer.birth_month, customer.birth_day = customer.birthday.month, customer.birthday.day
    db.session.add(customer)
    db.session.flush()
    return customer


def make_product(name: str = "Máy lọc nước", price: int = 1_000_000, stock: int = 10, **kw) -> Product:
    n = next(_counter)
    sku = kw.pop("sku", f"SKU{n}")
    product = Product(sku=sku, name=name, price=price, stock=stock, search_text=product_search_text(sku, name), **kw)
    db.session.add(product)
    db.session.flush()
    return product


def make_order(customer: Customer, lines: list[tuple[Product, int]] | None = None, **kw) -> Order:
    order = Order(customer_id=customer.id, **kw)
    for product, qty in lines or []:
        order.lines.append(OrderLine(product_id=product.id, quantity=qty, unit_price=product.price))
    order.total = sum(line.quantity * line.unit_price for line in order.lines)
    db.session.add(order)
    db.session.flush()
    return order


def make_complaint(customer: Customer, assignee: User | None = None, **kw) -> Complaint:
    complaint = Complaint(
        customer_id=customer.id,
        subject=kw.pop("subject", "Sản phẩm lỗi"),
        assignee_id=assignee.id if assignee else None,
        team_id=kw.pop("team_id", customer.team_id),
        opened_at=kw.pop("opened_at", datetime.now(UTC)),
        **kw,
    )
    db.session.add(complaint)
    db.session.flush()
    return complaint


def make_budget_line(planned: int, spent: int = 0, status: str = "approved", category: str = "gifts"):
    """An approved (by default) department budget for 2026-Q4 with one line."""
    from models import Budget, BudgetLine

    n = next(_counter)
    budget = Budget(year=2026, quarter_no=4, quarter="2026-Q4", team_key=n, title=f"Ngân sách {n}", status=status)
    db.session.add(budget)
    db.session.flush()
    line = BudgetLine(budget_id=budget.id, category=category, description="Quà tặng", planned=planned, spent=spent)
    db.session.add(line)
    db.session.flush()
    return line


def make_templates(purpose: str = "care", status: str = "approved") -> dict:
    """An approved ZNS, SMS and email template of ``purpose``: {channel: MessageTemplate}."""
    from models import MessageTemplate

    texts = {
        "zns": dict(provider_template_id="231677", params="customer_name=name,code", body="Xin chào {name}"),
        "sms": dict(body="CSKH: Kinh gui {name}, cam on quy khach. {link}"),
        "email": dict(subject="Cảm ơn {name}", body="Kính gửi {name}, cảm ơn quý khách. {link}"),
    }
    made = {}
    for channel, fields in texts.items():
        template = MessageTemplate(
            channel=channel, name=f"{channel} {purpose}", purpose=purpose, status=status, **fields
        )
        db.session.add(template)
        made[channel] = template
    db.session.flush()
    return made


def make_message(customer: Customer, templates: dict, order=("zns", "sms", "email"), purpose="care", **kw):
    """A queued outbox message for ``customer`` through ``order``, rendered from ``templates``."""
    import json

    from models import OutboxMessage

    n = next(_counter)
    kw.setdefault("created_at", datetime(2026, 11, 23, 5, 0, tzinfo=UTC))  # the quarter of make_budget_line
    message = OutboxMessage(
        customer_id=customer.id,
        channel=order[0],
        fallback=",".join(order[1:]) or None,
        templates=json.dumps({c: templates[c].id for c in order}),
        params=json.dumps(kw.pop("params", {"link": "https://cskh.example.vn/x", "code": "KN-000001"})),
        purpose=purpose,
        body="",
        status="queued",
        attempts=0,
        cost=0,
        dedupe_key=kw.pop("dedupe_key", f"test:{n}"),
        **kw,
    )
    db.session.add(message)
    db.session.flush()
    return message
